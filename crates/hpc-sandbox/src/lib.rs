//! Fake EHPC and SCNet servers that behave like the real ones: what LocalStack and moto
//! are to AWS users. A newcomer, a test suite or a downstream crate runs everything
//! against it with no account and no network.
//!
//! One sandbox is six servers on 127.0.0.1: EHPC, and SCNet's API (AK/SK login),
//! platform (`/ac/...`) and region hpc (`/hpc/...`) hosts and two efile gateways
//! (`/efile/...`: list, mkdir, upload whole or in chunks, download). They are as strict
//! as `docs/api-notes.md` says the real ones are: EHPC signatures and timestamps are verified,
//! SCNet tokens are signed JWTs that expire. Data is seeded and deterministic.
//!
//! Submitted jobs run on a simulated scheduler, faster than real time with
//! [`SandboxBuilder::speed`]. SCNet's run a small simulated shell (`echo`, `seq`, `sleep`,
//! `false`, `exit K`) whose output lands in the cluster's files ([`Sandbox::files`]),
//! where `file/content` reads it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use hpc_sandbox::{Fault, Sandbox};
//!
//! let sandbox = Sandbox::builder().jobs(250).seed(7).start().await?;
//! println!("EHPC at {}", sandbox.ehpc_url());
//! // The next two job listings get HTTP 503.
//! sandbox.inject(Fault::status("/api/job/list", 503).times(2));
//! # Ok(()) }
//! ```
//!
//! The demo credentials are fixed (see [`credentials`]); [`Sandbox::env_lines`] prints
//! them with the URLs as `NAME=value` lines.

#![deny(missing_docs)]

mod conn;
mod control;
pub mod credentials;
mod ehpc;
mod faults;
mod files;
mod gateways;
mod jobs;
mod middleware;
mod query;
mod rng;
mod sandbox;
mod scheduler;
mod scnet;
mod script;
mod standalone;
mod state;

pub use credentials::Credentials;
#[doc(hidden)]
pub use ehpc::BenchJobs;
pub use faults::{Fault, FaultKind};
pub use files::{DirEntry, FileStore, StagedFile};
pub use sandbox::{
    DEFAULT_JOBS, DEFAULT_PENDING, DEFAULT_SCNET_EFILE_MAX_CHUNK, DEFAULT_SCNET_FILE_PAGE_LINES,
    DEFAULT_SCNET_REALTIME_RETENTION, DEFAULT_SEED, DEFAULT_TOKEN_LIFETIME, Sandbox,
    SandboxBuilder,
};
pub use scnet::JobStateKeys;
pub use standalone::run_standalone;
