//! Addressing, observing and stopping a running sandbox.

mod builder;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::watch;

pub use builder::{
    DEFAULT_JOBS, DEFAULT_PENDING, DEFAULT_SCNET_EFILE_MAX_CHUNK, DEFAULT_SCNET_FILE_PAGE_LINES,
    DEFAULT_SCNET_REALTIME_RETENTION, DEFAULT_SEED, DEFAULT_TOKEN_LIFETIME, SandboxBuilder,
};

use crate::credentials::Credentials;
use crate::faults::Fault;
use crate::files::FileStore;
use crate::scnet;
use crate::state::Shared;

/// A running sandbox: six servers on loopback (EHPC; SCNet's API, platform and hpc
/// hosts and two efile gateways). Dropping it stops them.
pub struct Sandbox {
    ehpc_url: String,
    api_url: String,
    portal_url: String,
    hpc_url: String,
    shared: Arc<Shared>,
    _stop: watch::Sender<()>,
}

impl Sandbox {
    /// Settings to start one from.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The EHPC API base URL, e.g. `http://127.0.0.1:40001` (`GET /api/job/list`).
    pub fn ehpc_url(&self) -> &str {
        &self.ehpc_url
    }

    /// The SCNet API host, for the AK/SK login (`POST /api/user/v3/tokens`).
    pub fn scnet_api_url(&self) -> &str {
        &self.api_url
    }

    /// The SCNet platform host (`/ac/openapi/v2/...`).
    pub fn scnet_portal_url(&self) -> &str {
        &self.portal_url
    }

    /// The region's hpc host (`/hpc/openapi/v2/...`); `center` reports `<this>/hpc`.
    pub fn scnet_hpc_url(&self) -> &str {
        &self.hpc_url
    }

    /// The SCNet efile gateways' service URLs as `center` lists them in `efileUrls`,
    /// e.g. `http://127.0.0.1:40005/efile`. Like the vendor's, they end in `/efile` while
    /// the routes are `/efile/openapi/v2/file/...` on the host, so a client appends
    /// those to the URL's origin. Chunks of an upload stay on the gateway that received
    /// them: the merge must go to the same one.
    pub fn scnet_efile_urls(&self) -> Vec<String> {
        self.shared.efile.urls.clone()
    }

    /// How many requests each efile gateway received, in the order of
    /// [`Sandbox::scnet_efile_urls`] (faulted ones included, the control endpoint not):
    /// for tests that check a client keeps to one gateway.
    pub fn efile_requests_by_gateway(&self) -> [usize; 2] {
        self.shared.efile.served()
    }

    /// The demo credentials the servers accept.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// `NAME=value` lines a shell or a `.env` file takes, in this order: `EHPC_ENDPOINT`,
    /// `EHPC_ZONE`, `EHPC_CLUSTER_ID`, `QY_ACCESS_KEY_ID`, `QY_SECRET_ACCESS_KEY`,
    /// `SCNET_API_URL`, `SCNET_PORTAL_URL`, `SCNET_USER`, `SCNET_ACCESS_KEY`,
    /// `SCNET_SECRET_KEY`. They hold the (demo) secret keys, on purpose.
    pub fn env_lines(&self) -> Vec<String> {
        let c = self.credentials();
        [
            ("EHPC_ENDPOINT", self.ehpc_url.as_str()),
            ("EHPC_ZONE", &c.ehpc_zone),
            ("EHPC_CLUSTER_ID", &c.ehpc_cluster_id),
            ("QY_ACCESS_KEY_ID", &c.ehpc_access_key_id),
            ("QY_SECRET_ACCESS_KEY", &c.ehpc_secret_access_key),
            ("SCNET_API_URL", &self.api_url),
            ("SCNET_PORTAL_URL", &self.portal_url),
            ("SCNET_USER", &c.scnet_user),
            ("SCNET_ACCESS_KEY", &c.scnet_access_key),
            ("SCNET_SECRET_KEY", &c.scnet_secret_key),
        ]
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect()
    }

    /// The value of one of the [`Sandbox::env_lines`] variables: what a client's
    /// production configuration (`from_lookup`) reads, so a test configures its client
    /// exactly as a user's environment would.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = hpc_sandbox::Sandbox::builder().start().await?;
    /// assert!(sandbox.env("EHPC_ENDPOINT").is_some());
    /// assert_eq!(sandbox.env("HOME"), None);
    /// # Ok(()) }
    /// ```
    pub fn env(&self, name: &str) -> Option<String> {
        self.env_lines().into_iter().find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    /// Queue a fault behind those already waiting; the oldest matching one is served first.
    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    /// Forget every fault still waiting.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Requests seen, on any of the servers, whose path contains `path` (faulted or not;
    /// the control endpoint not counted).
    pub fn request_count(&self, path: &str) -> usize {
        self.shared.counters.requests_matching(path)
    }

    /// How many injected faults were served.
    pub fn faults_served(&self) -> usize {
        self.shared.counters.faults_served.load(Ordering::SeqCst)
    }

    /// Successful SCNet logins, AK/SK and password.
    pub fn logins(&self) -> usize {
        self.shared.counters.logins.load(Ordering::SeqCst)
    }

    /// Successful SCNet token renewals.
    pub fn renewals(&self) -> usize {
        self.shared.counters.renewals.load(Ordering::SeqCst)
    }

    /// How many SCNet history-detail requests came without `acctTime`: the slow full
    /// scans the real server does without it (more than 30 s, measured). A client that
    /// always sends `acctTime` keeps this at 0.
    pub fn history_scans(&self) -> usize {
        self.shared.counters.history_scans.load(Ordering::SeqCst)
    }

    /// The SCNet region's scheduler ids as job calls take them (decimal strings), the
    /// first the one `cluster` lists first.
    pub fn scnet_scheduler_ids(&self) -> Vec<String> {
        let ids = &self.shared.scnet.scheduler_ids;
        ids.iter().map(u64::to_string).collect()
    }

    /// The SCNet cluster's files: job output lands here, the efile gateways serve
    /// them, and a test can put input files in place or read any file back. The cluster user's home is
    /// `/public/home/acsandbox`. Job output is brought up to date first, as before any
    /// SCNet answer, since nothing writes it in the background.
    pub fn files(&self) -> &FileStore {
        scnet::outputs::settle(&self.shared);
        &self.shared.files
    }

    /// How many EHPC jobs are seeded.
    pub fn job_count(&self) -> usize {
        self.shared.jobs.len()
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("ehpc_url", &self.ehpc_url)
            .field("scnet_api_url", &self.api_url)
            .field("scnet_portal_url", &self.portal_url)
            .field("scnet_hpc_url", &self.hpc_url)
            .field("scnet_efile_urls", &self.shared.efile.urls)
            .finish_non_exhaustive()
    }
}
