//! What every server of one sandbox shares: configuration, data, faults and counters.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::credentials::Credentials;
use crate::faults::FaultQueue;
use crate::files::FileStore;
use crate::jobs::JobStore;
use crate::scheduler::output_stages::Outputs;

/// Shared by the servers of one sandbox.
pub(crate) struct Shared {
    pub(crate) credentials: Credentials,
    pub(crate) jobs: JobStore,
    /// Jobs submitted through the API, run by the simulated scheduler.
    pub(crate) scheduler: crate::scheduler::Scheduler,
    /// Jobs submitted to the SCNet region, kept apart from the EHPC ones.
    pub(crate) scnet_scheduler: crate::scheduler::Scheduler,
    pub(crate) scnet: ScnetSettings,
    /// The SCNet cluster's files, job output among them.
    pub(crate) files: FileStore,
    /// Which SCNet jobs' output files are written, and how far.
    pub(crate) outputs: Outputs,
    pub(crate) seed: u64,
    pub(crate) token_lifetime: Duration,
    /// Key the sandbox signs its JWTs with; random per sandbox, so tokens of one
    /// sandbox never validate on another.
    pub(crate) token_key: [u8; 32],
    /// The region's hpc service URL as `center` reports it (`<hpc base>/hpc`).
    pub(crate) hpc_service_url: String,
    /// The efile gateways: their URLs, limits, counters and chunks in flight.
    pub(crate) efile: crate::gateways::Efile,
    pub(crate) job_state_keys: JobStateKeys,
    pub(crate) faults: FaultQueue,
    pub(crate) counters: Counters,
}

/// What tests count.
#[derive(Default)]
pub(crate) struct Counters {
    requests: Mutex<HashMap<String, usize>>,
    pub(crate) faults_served: AtomicUsize,
    pub(crate) logins: AtomicUsize,
    pub(crate) renewals: AtomicUsize,
    pub(crate) tokens_issued: AtomicUsize,
    /// History-detail requests without `acctTime`: the slow full scans.
    pub(crate) history_scans: AtomicUsize,
}

impl Counters {
    /// Count one request to `path`.
    pub(crate) fn record(&self, path: &str) {
        let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        match requests.get_mut(path) {
            Some(count) => *count += 1,
            None => {
                requests.insert(path.to_owned(), 1);
            }
        }
    }

    /// Requests seen whose path contains `needle`.
    pub(crate) fn requests_matching(&self, needle: &str) -> usize {
        let requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        requests
            .iter()
            .filter(|(path, _)| path.contains(needle))
            .map(|(_, count)| count)
            .sum()
    }

    /// Every path seen, with its count, for the control endpoint.
    pub(crate) fn snapshot(&self) -> HashMap<String, usize> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Bump a counter by one.
    pub(crate) fn bump(counter: &AtomicUsize) -> usize {
        counter.fetch_add(1, Ordering::SeqCst)
    }
}

/// How the SCNet region's job service behaves.
#[derive(Clone, Debug)]
pub(crate) struct ScnetSettings {
    /// The schedulers' ids, the first the one `cluster` always listed.
    pub(crate) scheduler_ids: Vec<u64>,
    /// How long an ended job stays in the realtime list, before the speed factor.
    pub(crate) realtime_retention: Duration,
    /// Lines per `file/content` page.
    pub(crate) page_lines: u64,
}

impl ScnetSettings {
    /// The scheduler a decimal id names, if it is one of the region's.
    pub(crate) fn scheduler(&self, id: &str) -> Option<u64> {
        let id: u64 = id.trim().parse().ok()?;
        self.scheduler_ids.contains(&id).then_some(id)
    }
}

/// Which names `view/jobs/state` gives the states. Live servers use the `jobview_status_*`
/// keys; the vendor's page documents the Chinese ones. Clients must map both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JobStateKeys {
    /// `jobview_status_run`, `_queue`, `_reserve`, `_hung`, `_other`, as live servers send.
    #[default]
    Jobview,
    /// `运行`, `排队`, `保留`, `挂起`, `其他`, as documented.
    Documented,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Shared;

    /// A sandbox's shared state with no servers, for unit tests of handlers' parts.
    pub(crate) fn shared() -> Shared {
        crate::Sandbox::builder()
            .jobs(0)
            .shared("http://127.0.0.1:1/hpc".to_owned(), Vec::new())
            .unwrap_or_else(|error| panic!("a temporary directory: {error}"))
    }
}
