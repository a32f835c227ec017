//! QingCloud EHPC: a signed client and its operations.
//!
//! ```no_run
//! # async fn run() -> hpc_sdk::Result<()> {
//! use futures::TryStreamExt;
//!
//! let client = hpc_sdk::ehpc::Client::from_env()?;
//! let running: Vec<_> = client.jobs().list().cluster_id("ehpc-qmmvigwe").status("running")
//!     .items().try_collect().await?;
//! println!("{} running jobs", running.len());
//! # Ok(()) }
//! ```

mod config;
#[rustfmt::skip]
#[allow(clippy::all, unused_mut)]
mod generated;
mod job_ops;
mod jobs;
mod pipeline;
/// The signing functions, public only for the benchmarks and property tests: not part
/// of the supported API.
#[doc(hidden)]
pub mod sign;
mod submit;
mod watch;

use std::sync::Arc;

pub use config::{ClientBuilder, DEFAULT_ENDPOINT};
pub use generated::{
    Clusters, ListClusters, ListCurrentQueues, ListEhpcQueues, ListOperations, ListUsers,
    Operations, Queues, Users,
};
pub use job_ops::{ChangeJobs, GetJob, JobDetail, JobsChanged};
pub use jobs::{JobPage, Jobs, ListJobs};
pub use submit::{SubmitJob, SubmittedJob};
pub use watch::WatchJobs;

/// Every type of the EHPC API as the spec describes it (generated), so that a
/// downstream crate names them without depending on `ehpc-client`.
pub mod types {
    pub use ehpc_client::LenientInt;
    pub use ehpc_client::types::*;
}

/// One job as EHPC describes it, every documented field (the generated type).
pub type EhpcJob = ehpc_client::types::HpcJob;

use crate::context::CallContext;

/// A signed EHPC client. Cheap to clone; clones share connections and settings, and
/// may be used from many tasks at once.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// Kept to scrub it from what servers echo back into errors.
    access_key_id: String,
    api: ehpc_client::Client,
    endpoint: String,
    zone: String,
    cluster_id: Option<String>,
    page_size: u32,
    rt: CallContext,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ehpc::Client")
            .field("endpoint", &self.inner.endpoint)
            .field("zone", &self.inner.zone)
            .field("cluster_id", &self.inner.cluster_id)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with nothing set.
    ///
    /// ```
    /// let client = hpc_sdk::ehpc::Client::builder()
    ///     .endpoint("http://127.0.0.1:9")
    ///     .zone("jinan1a")
    ///     .credentials("QYACCESSKEYIDEXAMPLE", "SECRETACCESSKEY")
    ///     .build()
    ///     .unwrap();
    /// assert!(format!("{client:?}").contains("jinan1a"));
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `EHPC_ENDPOINT` (default
    /// [`DEFAULT_ENDPOINT`]), `QY_ACCESS_KEY_ID`, `QY_SECRET_ACCESS_KEY`, `EHPC_ZONE`,
    /// `EHPC_CLUSTER_ID` (optional), falling back to `~/.qingcloud/config.yaml`.
    pub fn from_env() -> crate::Result<Self> {
        ClientBuilder::from_env()?.build()
    }

    /// Job operations.
    pub fn jobs(&self) -> Jobs {
        Jobs {
            client: self.clone(),
        }
    }
}
