//! One SDK for QingCloud **EHPC** and **SCNet** (Sugon AC): signed requests, tokens kept
//! fresh, typed errors, retries with backoff, pagination as streams, and one job view
//! across both clouds.
//!
//! # Quickstart
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use hpc_sdk::Job;
//!
//! # async fn run() -> hpc_sdk::Result<()> {
//! // QY_ACCESS_KEY_ID, QY_SECRET_ACCESS_KEY, EHPC_ZONE (or ~/.qingcloud/config.yaml)
//! let ehpc = hpc_sdk::ehpc::Client::from_env()?;
//! let mut jobs = ehpc.jobs().list().cluster_id("ehpc-qmmvigwe").prefetch(2).items();
//! while let Some(job) = jobs.try_next().await? {
//!     let job = Job::from(job);
//!     println!("{} {} {}", job.id, job.status, job.name.unwrap_or_default());
//! }
//! # Ok(()) }
//! ```
//!
//! Errors are one [`Error`] type: a server's error code arrives as
//! [`Error::Api`] with a typed [`ErrorCode`], even when it came with HTTP 200.

#![deny(missing_docs)]

mod body_limit;
mod classify;
mod codes;
mod config;
mod context;
mod deadline;
pub mod ehpc;
mod error;
mod job;
mod job_spec;
mod paging;
mod reconcile;
mod response;
pub mod retry;
mod retry_policy;
pub mod scnet;
mod scrub;
mod tls;
mod watch;

pub use body_limit::DEFAULT_MAX_BODY_BYTES;
pub use codes::{EhpcCode, ErrorCode, ScnetCode};
pub use context::{BoxFuture, Clock, Sleep, SystemClock, Timeouts, TokioSleep};
pub use error::{BoxError, Error, Platform, Result};
pub use job::{Job, JobStatus};
pub use job_spec::JobSpec;
pub use paging::{ItemStream, Page, PageStream, Paginator};
pub use retry::RetryPolicy;
pub use watch::{JobUpdate, PollInterval, UpdateStream};
