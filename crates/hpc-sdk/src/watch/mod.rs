//! Watching jobs until they end, for either cloud: each poll asks one listing for every
//! watched job of a cluster or scheduler, and asks alone only about jobs the listing no
//! longer shows. Statuses are reported only when they move forward ([`monotonic`]); the
//! wait between polls adapts ([`interval`]). No I/O here: a cloud supplies a
//! [`StatusSource`], the client's [`Sleep`](crate::Sleep) does the waiting.

mod interval;
mod monotonic;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};

use interval::Pacing;
pub use interval::PollInterval;
use monotonic::Tracked;

use crate::JobStatus;
use crate::context::Sleep;
use crate::error::Result;

/// A job's status as a watch reports it: only changes, only forward.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct JobUpdate {
    /// The job id.
    pub id: String,
    /// Its new status.
    #[serde(serialize_with = "status_name")]
    pub status: JobStatus,
}

fn status_name<S: serde::Serializer>(status: &JobStatus, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(status)
}

/// A stream of [`JobUpdate`]s; it ends when every job has ended, or with the first
/// error that is not transient. Dropping it stops the polling.
pub type UpdateStream = BoxStream<'static, Result<JobUpdate>>;

/// Where a watch reads statuses: one cloud's calls.
pub(crate) trait StatusSource: Send + Sync + 'static {
    /// One listing call: the statuses of those of `ids` it shows.
    fn listed(&self, ids: Vec<String>) -> BoxFuture<'static, Result<HashMap<String, JobStatus>>>;
    /// One job the listing does not show, asked alone; `None` if not found (yet).
    fn alone(&self, id: String) -> BoxFuture<'static, Result<Option<JobStatus>>>;
}

/// A watch in progress.
struct Watch {
    source: Arc<dyn StatusSource>,
    sleep: Arc<dyn Sleep>,
    jobs: BTreeMap<String, Tracked>,
    ready: VecDeque<JobUpdate>,
    pacing: Pacing,
    polled: bool,
    over: bool,
}

/// Watches `ids` through `source`, polling at `interval`.
pub(crate) fn watch(
    source: Arc<dyn StatusSource>,
    sleep: Arc<dyn Sleep>,
    ids: Vec<String>,
    interval: PollInterval,
) -> UpdateStream {
    let watch = Watch {
        source,
        sleep,
        jobs: ids.into_iter().map(|id| (id, Tracked::default())).collect(),
        ready: VecDeque::new(),
        pacing: Pacing::new(interval),
        polled: false,
        over: false,
    };
    stream::unfold(watch, |mut watch| async move {
        watch.next().await.map(|item| (item, watch))
    })
    .boxed()
}

impl Watch {
    async fn next(&mut self) -> Option<Result<JobUpdate>> {
        loop {
            if let Some(update) = self.ready.pop_front() {
                return Some(Ok(update));
            }
            if self.over || self.jobs.values().all(Tracked::is_final) {
                return None;
            }
            if self.polled {
                self.sleep.sleep(self.pacing.next()).await;
            }
            self.polled = true;
            match self.poll().await {
                Ok(()) if self.ready.is_empty() => self.pacing.quiet(),
                Ok(()) => self.pacing.changed(),
                Err(error) if error.is_retryable() => {
                    tracing::warn!(%error, "watch: a poll failed; trying again at the next interval");
                    self.pacing.quiet();
                }
                Err(error) => {
                    self.over = true;
                    return Some(Err(error));
                }
            }
        }
    }

    /// One listing call for the open jobs, then a call alone for each it left out.
    async fn poll(&mut self) -> Result<()> {
        let open: Vec<String> = self
            .jobs
            .iter()
            .filter(|(_, job)| !job.is_final())
            .map(|(id, _)| id.clone())
            .collect();
        let listed = self.source.listed(open.clone()).await?;
        for id in open {
            let answer = match listed.get(&id) {
                Some(status) => Some(status.clone()),
                None => self.source.alone(id.clone()).await?,
            };
            let job = self.jobs.entry(id.clone()).or_default();
            if let Some(status) = answer.and_then(|answer| job.observe(answer)) {
                self.ready.push_back(JobUpdate { id, status });
            }
        }
        Ok(())
    }
}

/// Drains `updates` to the end: each job's last status. An error ends the wait.
pub(crate) async fn wait(mut updates: UpdateStream) -> Result<HashMap<String, JobStatus>> {
    let mut last = HashMap::new();
    while let Some(update) = updates.next().await {
        let update = update?;
        last.insert(update.id, update.status);
    }
    Ok(last)
}

#[cfg(test)]
mod tests;
