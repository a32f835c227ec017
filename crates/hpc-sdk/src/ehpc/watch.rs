//! `jobs().watch(uuids)` and `.wait()` for EHPC: one `job/list` of the cluster per poll,
//! newest first, read only until every watched job is seen (one page for the jobs of the
//! last hundred submits); a job not on those pages is asked about alone (`job/detail`).

use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt;
use futures::future::BoxFuture;

use super::{Client, Jobs};
use crate::JobStatus;
use crate::error::Result;
use crate::watch::{self, PollInterval, StatusSource, UpdateStream};

/// A watch of EHPC jobs; built by [`Jobs::watch`]. Nothing is sent until the stream is
/// polled or `.wait()` awaited.
///
/// ```no_run
/// # async fn run(client: hpc_sdk::ehpc::Client) -> hpc_sdk::Result<()> {
/// let ended = client.jobs().watch(["hpcjob-cz8ngntp"]).cluster_id("ehpc-2i6bsme6").wait().await?;
/// println!("{}", ended["hpcjob-cz8ngntp"]);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a watch does nothing until streamed or awaited"]
pub struct WatchJobs {
    client: Client,
    uuids: Vec<String>,
    cluster_id: Option<String>,
    interval: PollInterval,
}

impl Jobs {
    /// Follows the jobs `uuids` (`hpcjob-…`) until each has ended.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::ehpc::Client) -> hpc_sdk::Result<()> {
    /// use futures::TryStreamExt;
    /// let mut updates = client.jobs().watch(["hpcjob-cz8ngntp"]).stream();
    /// while let Some(update) = updates.try_next().await? {
    ///     println!("{} is {}", update.id, update.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch<I, S>(&self, uuids: I) -> WatchJobs
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        WatchJobs {
            client: self.client.clone(),
            uuids: uuids.into_iter().map(Into::into).collect(),
            cluster_id: None,
            interval: PollInterval::default(),
        }
    }
}

impl WatchJobs {
    /// The jobs' cluster (default the client's).
    pub fn cluster_id(mut self, id: impl Into<String>) -> Self {
        self.cluster_id = Some(id.into());
        self
    }

    /// How long to wait between polls (default [`PollInterval::default`]).
    pub fn interval(mut self, interval: PollInterval) -> Self {
        self.interval = interval;
        self
    }

    /// Each job's status changes, in order, until every job has ended.
    pub fn stream(self) -> UpdateStream {
        let sleep = self.client.inner.rt.sleep.clone();
        let source = Source {
            client: self.client,
            cluster_id: self.cluster_id,
        };
        watch::watch(Arc::new(source), sleep, self.uuids, self.interval)
    }

    /// Each job's final status.
    pub async fn wait(self) -> Result<HashMap<String, JobStatus>> {
        watch::wait(self.stream()).await
    }
}

/// The job listing and the job detail of one cluster.
struct Source {
    client: Client,
    cluster_id: Option<String>,
}

impl StatusSource for Source {
    fn listed(&self, ids: Vec<String>) -> BoxFuture<'static, Result<HashMap<String, JobStatus>>> {
        let mut request = self.client.jobs().list().reverse(true).page_size(100);
        if let Some(id) = &self.cluster_id {
            request = request.cluster_id(id.clone());
        }
        Box::pin(async move {
            let mut found = HashMap::new();
            let mut jobs = request.items();
            while found.len() < ids.len() {
                let Some(job) = jobs.next().await else { break };
                let job = job?;
                let Some(uuid) = job.hpcjob_uuid.as_ref().filter(|u| ids.contains(u)) else {
                    continue;
                };
                let status = JobStatus::from_ehpc(job.job_status.as_deref().unwrap_or(""));
                found.insert(uuid.clone(), status);
            }
            Ok(found)
        })
    }

    fn alone(&self, uuid: String) -> BoxFuture<'static, Result<Option<JobStatus>>> {
        let mut request = self.client.jobs().get(uuid);
        if let Some(id) = &self.cluster_id {
            request = request.cluster_id(id.clone());
        }
        Box::pin(async move {
            let job = request.send().await?;
            Ok(Some(JobStatus::from_ehpc(
                job.job_status.as_deref().unwrap_or(""),
            )))
        })
    }
}
