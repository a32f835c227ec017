//! `jobs().watch(ids)` and `.wait()`: one realtime listing per poll answers every
//! watched job of the scheduler; a job that left it (five minutes after its end) is
//! looked up alone, in the history.

use std::collections::HashMap;
use std::sync::Arc;

use futures::TryStreamExt;
use futures::future::BoxFuture;

use super::{Client, Jobs, MAX_PAGE_SIZE, realtime_status};
use crate::JobStatus;
use crate::error::Result;
use crate::watch::{self, PollInterval, StatusSource, UpdateStream};

/// A watch of SCNet jobs; built by [`Jobs::watch`]. Nothing is sent until the stream
/// is polled or `.wait()` awaited.
///
/// ```no_run
/// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
/// use futures::TryStreamExt;
/// let mut updates = client.jobs().watch(["1470001", "1470002"]).stream();
/// while let Some(update) = updates.try_next().await? {
///     println!("{} is {}", update.id, update.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a watch does nothing until streamed or awaited"]
pub struct WatchJobs {
    client: Client,
    ids: Vec<String>,
    region: Option<String>,
    scheduler_id: Option<String>,
    interval: PollInterval,
}

impl Jobs {
    /// Follows the jobs `ids` until each has ended.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let ended = client.jobs().watch(["1470001"]).wait().await?;
    /// println!("{}", ended["1470001"]);
    /// # Ok(()) }
    /// ```
    pub fn watch<I, S>(&self, ids: I) -> WatchJobs
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        WatchJobs {
            client: self.client.clone(),
            ids: ids.into_iter().map(Into::into).collect(),
            region: None,
            scheduler_id: None,
            interval: PollInterval::default(),
        }
    }
}

impl WatchJobs {
    /// Another region than the client's.
    pub fn region(mut self, id: impl Into<String>) -> Self {
        self.region = Some(id.into());
        self
    }

    /// The scheduler (default: the region's only one).
    pub fn scheduler_id(mut self, id: impl Into<String>) -> Self {
        self.scheduler_id = Some(id.into());
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
            region: self.region,
            scheduler_id: self.scheduler_id,
        };
        watch::watch(Arc::new(source), sleep, self.ids, self.interval)
    }

    /// Each job's final status.
    pub async fn wait(self) -> Result<HashMap<String, JobStatus>> {
        watch::wait(self.stream()).await
    }
}

/// The realtime listing and the one-job lookup of one scheduler.
struct Source {
    client: Client,
    region: Option<String>,
    scheduler_id: Option<String>,
}

impl StatusSource for Source {
    fn listed(&self, ids: Vec<String>) -> BoxFuture<'static, Result<HashMap<String, JobStatus>>> {
        let mut request = self.client.jobs().list().page_size(MAX_PAGE_SIZE);
        if let Some(region) = &self.region {
            request = request.region(region.clone());
        }
        if let Some(id) = &self.scheduler_id {
            request = request.scheduler_id(id.clone());
        }
        Box::pin(async move {
            let rows: Vec<_> = request.items().try_collect().await?;
            Ok(rows
                .iter()
                .filter_map(|row| {
                    let id = row.job_id.as_ref().and_then(super::lenient::text)?;
                    ids.contains(&id).then(|| (id, realtime_status(row)))
                })
                .collect())
        })
    }

    fn alone(&self, id: String) -> BoxFuture<'static, Result<Option<JobStatus>>> {
        let mut request = self.client.jobs().get(id);
        if let Some(region) = &self.region {
            request = request.region(region.clone());
        }
        if let Some(id) = &self.scheduler_id {
            request = request.scheduler_id(id.clone());
        }
        Box::pin(async move { Ok(request.send().await?.map(|record| record.status())) })
    }
}
