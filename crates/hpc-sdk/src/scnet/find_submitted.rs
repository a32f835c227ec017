//! `jobs().find_submitted(&doubt)`: the job a submit of unknown outcome may have made,
//! looked for by name in the realtime list, then in the history.

use futures::TryStreamExt;

use super::{Jobs, lenient};
use crate::Job;
use crate::error::{Error, Result};
use crate::reconcile::{self, CLOCK_SLACK, Doubt};

impl Jobs {
    /// The job a doubtful submit ([`Error::MaybeSubmitted`]) may have created, in the
    /// client's region: the newest job of that scheduler with exactly that name in the
    /// realtime list, else in the history since a few minutes before the submit. The
    /// lists are read up to three times, two seconds apart, before answering `None`
    /// (strong evidence, not proof, that no job was created). Any other error is
    /// `InvalidInput`.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let submit = client.jobs().submit().name("n").command("true").queue("comp");
    /// match submit.send().await {
    ///     Err(doubt @ hpc_sdk::Error::MaybeSubmitted { .. }) => {
    ///         if let Some(job) = client.jobs().find_submitted(&doubt).await? {
    ///             println!("it was submitted as {}", job.id);
    ///         }
    ///     }
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find_submitted(&self, doubt: &Error) -> Result<Option<Job>> {
        let doubt = Doubt::of(doubt)?;
        reconcile::look_again(self.client.inner.rt.sleep.as_ref(), || {
            self.newest_named(doubt.cluster, doubt.name, doubt.earliest)
        })
        .await
    }

    async fn newest_named(
        &self,
        scheduler: &str,
        name: &str,
        earliest: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Job>> {
        let live: Vec<_> = self
            .list()
            .scheduler_id(scheduler)
            .name(name)
            .items()
            .try_collect()
            .await?;
        let newest_live = live
            .into_iter()
            .filter(|job| job.job_name.as_deref() == Some(name))
            .max_by_key(|job| numeric_id(job.job_id.as_ref().and_then(lenient::text)));
        if let Some(job) = newest_live {
            let started = job.job_start_time.as_ref().and_then(lenient::parse_time);
            if started.is_none_or(|at| at >= earliest) {
                return Ok(Some(Job::from(job)));
            }
        }
        let now = chrono::DateTime::<chrono::Utc>::from(self.client.inner.rt.clock.now());
        let finished = self
            .client
            .history()
            .list()
            .scheduler_id(scheduler)
            .name(name)
            .by_queue_time(true)
            .since(earliest)
            .until(now + CLOCK_SLACK)
            .send()
            .await?;
        Ok(finished
            .items
            .into_iter()
            .filter(|job| job.job_name.as_deref() == Some(name))
            .max_by_key(|job| numeric_id(job.job_id.as_ref().and_then(lenient::text)))
            .map(Job::from))
    }
}

/// A job id's number for ordering (`5_1` sorts as 5); ids that are not numbers last.
fn numeric_id(id: Option<String>) -> u64 {
    id.and_then(|id| id.split(['_', '.', '[']).next()?.parse().ok())
        .unwrap_or(0)
}
