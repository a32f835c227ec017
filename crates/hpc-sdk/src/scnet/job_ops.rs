//! `jobs().get(id)` and `jobs().cancel(ids)`: the calls that follow one job from the
//! realtime list into the history.

use scnet_client::operations as ops;
use scnet_client::types::{CancelJobsRequest, HistoryJobDetail, JobDetail};

use super::record::JobRecord;

use super::{Client, Jobs};
use crate::error::{Error, Result};

/// A one-job lookup: the realtime detail, else the history; built by [`Jobs::get`].
///
/// ```
/// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let request = client.jobs().get("35919").scheduler_id("1638523853");
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct GetJob {
    client: Client,
    id: String,
    region: Option<String>,
    scheduler_id: Option<String>,
}

impl GetJob {
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

    /// The job, or `None` when neither the realtime list nor the last 30 days of
    /// history know it.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// match scnet.jobs().get("1234567").send().await? {
    ///     Some(job) => println!("{}", job.status()),
    ///     None => println!("no such job in the last 30 days"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Option<JobRecord>> {
        check_id(&self.id)?;
        let client = self.client.clone();
        client
            .operation(lookup(
                &self.client,
                self.region.as_deref(),
                self.scheduler_id.as_deref(),
                &self.id,
            ))
            .await
    }
}

/// The realtime detail of `id`, else its history record.
pub(crate) async fn lookup(
    client: &Client,
    region: Option<&str>,
    scheduler_id: Option<&str>,
    id: &str,
) -> Result<Option<JobRecord>> {
    let answer = client
        .execute_region(&ops::GET_JOB, region, |api| async move {
            api.get_job().job_id(id).send().await
        })
        .await;
    match answer {
        Ok(answer) => {
            if let Some(job) = answer.data.filter(|job| job != &JobDetail::default()) {
                return Ok(Some(JobRecord::Live(Box::new(job))));
            }
        }
        Err(error) if is_missing(&error) => {}
        Err(error) => return Err(error),
    }
    let scheduler = client.scheduler_for(region, scheduler_id).await?;
    let Some(row) = super::history::find_row(client, region, &scheduler, id).await? else {
        return Ok(None);
    };
    let mut detail = client.history().get(id).scheduler_id(&scheduler);
    if let Some(region) = region {
        detail = detail.region(region);
    }
    if let Some(at) = row.acct_time.clone() {
        detail = detail.acct_time(at);
    }
    Ok(Some(match detail.send().await? {
        Some(job) => JobRecord::Finished(Box::new(job)),
        // The row is all the history answered: keep what it says.
        None => JobRecord::Finished(Box::new(HistoryJobDetail {
            job_id: Some(id.to_string()),
            job_name: row.job_name,
            job_state: row.job_state,
            queue: row.queue,
            acct_time: row.acct_time,
            ..HistoryJobDetail::default()
        })),
    }))
}

/// How public clients see a job that is not (or no longer) in the realtime list: HTTP
/// 404, or a message saying it does not exist.
fn is_missing(error: &Error) -> bool {
    if error.http_status() == Some(404) {
        return true;
    }
    match error {
        Error::Api { message, .. } => {
            let message = message.to_lowercase();
            ["不存在", "not found", "does not exist"]
                .iter()
                .any(|needle| message.contains(needle))
        }
        _ => false,
    }
}

/// A job id as `strJobInfoMap` and the paths carry it: no separators, no slashes.
fn check_id(id: &str) -> Result<()> {
    if id.trim().is_empty()
        || id.contains([',', ':', ';', '/', '?', '#'])
        || id.contains(char::is_whitespace)
    {
        return Err(Error::invalid_input(format!("not a job id: {id:?}")));
    }
    Ok(())
}

/// What a cancel did.
///
/// ```
/// fn report(outcome: &hpc_sdk::scnet::JobsCancelled) {
///     for id in &outcome.unchanged {
///         println!("{id} had already ended");
///     }
/// }
/// # let _ = report;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct JobsCancelled {
    /// The server's message per scheduler id (free text: the jobs' state tells more).
    pub messages: Vec<(String, String)>,
    /// Jobs left as they were because they had already ended or were gone.
    pub unchanged: Vec<String>,
}

/// A batch cancel (`DELETE /hpc/openapi/v2/jobs`, `jobMethod=5`); built by
/// [`Jobs::cancel`].
///
/// ```
/// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let request = client.jobs().cancel(["35919", "35920"]);
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct CancelJobs {
    client: Client,
    ids: Vec<String>,
    region: Option<String>,
    scheduler_id: Option<String>,
    user: Option<String>,
}

impl CancelJobs {
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

    /// The jobs' cluster user (default: the client's).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Cancels the jobs. Sent once: a timeout is an error whose outcome is unknown
    /// (query the jobs before trying again). A refusal because every job had already
    /// ended (or is gone) is `Ok`, with those jobs in `unchanged`.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let cancelled = scnet.jobs().cancel(["1234567", "1234568"]).send().await?;
    /// println!("already ended: {:?}", cancelled.unchanged);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<JobsCancelled> {
        if self.ids.is_empty() {
            return Err(Error::invalid_input("cancel needs at least one job id"));
        }
        for id in &self.ids {
            check_id(id)?;
        }
        let client = self.client.clone();
        client.operation(self.cancel()).await
    }

    async fn cancel(self) -> Result<JobsCancelled> {
        let (client, region) = (&self.client, self.region.as_deref());
        let scheduler = client
            .scheduler_for(region, self.scheduler_id.as_deref())
            .await?;
        let user = client.cluster_user(region, self.user.as_deref()).await?;
        let body = CancelJobsRequest {
            job_method: "5".into(),
            str_job_info_map: self
                .ids
                .iter()
                .map(|id| format!("{scheduler},{user}:{id}:"))
                .collect::<Vec<_>>()
                .join(";"),
        };
        let body = &body;
        let answer = client
            .execute_region(&ops::CANCEL_JOBS, region, |api| async move {
                api.cancel_jobs().body(body.clone()).send().await
            })
            .await;
        match answer {
            Ok(answer) => Ok(JobsCancelled {
                messages: answer
                    .data
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k, v.unwrap_or_default()))
                    .collect(),
                unchanged: Vec::new(),
            }),
            Err(refusal @ Error::Api { .. }) if !refusal.is_ambiguous() => {
                self.after_refusal(&scheduler, refusal).await
            }
            Err(error) => Err(error),
        }
    }

    /// A refused cancel is no error when every job had already ended: each is looked
    /// up, and the refusal stands if any is still live.
    async fn after_refusal(&self, scheduler: &str, refusal: Error) -> Result<JobsCancelled> {
        let region = self.region.as_deref();
        for id in &self.ids {
            let record = lookup(&self.client, region, Some(scheduler), id).await?;
            if record.is_some_and(|r| !r.status().is_final()) {
                return Err(refusal);
            }
        }
        Ok(JobsCancelled {
            messages: Vec::new(),
            unchanged: self.ids.clone(),
        })
    }
}

impl Jobs {
    /// A new job; set its fields, then `.send()`.
    pub fn submit(&self) -> super::SubmitJob {
        super::SubmitJob::new(self.client.clone())
    }

    /// One job: its realtime detail, else its history record.
    pub fn get(&self, id: impl Into<String>) -> GetJob {
        GetJob {
            client: self.client.clone(),
            id: id.into(),
            region: None,
            scheduler_id: None,
        }
    }

    /// Cancels jobs of one scheduler, in one request.
    pub fn cancel<I, S>(&self, ids: I) -> CancelJobs
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CancelJobs {
            client: self.client.clone(),
            ids: ids.into_iter().map(Into::into).collect(),
            region: None,
            scheduler_id: None,
            user: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_would_corrupt_the_cancel_map_are_refused() {
        for bad in ["", "1:2", "1;2", "a,b", "../x", "1 2"] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
        check_id("5_1").unwrap();
        check_id("35919").unwrap();
    }
}
