//! `jobs().get(id)`, `jobs().cancel(ids)` and `jobs().find_submitted(&doubt)`: the calls
//! that follow one job from the realtime list into the history.

use scnet_client::operations as ops;
use scnet_client::types::{CancelJobsRequest, HistoryJobDetail, JobDetail};

use super::{Client, Jobs, lenient};
use crate::error::{Error, Result};
use crate::job::JobStatus;
use crate::{Job, Platform};

/// A job as the server knows it now: live (in the realtime list) or finished (only in
/// the history).
#[derive(Clone, Debug, PartialEq)]
pub enum JobRecord {
    /// In the realtime list: queued, running, or ended less than five minutes ago.
    Live(Box<JobDetail>),
    /// Only in the history.
    Finished(Box<HistoryJobDetail>),
}

impl JobRecord {
    /// The SDK's status of the record.
    ///
    /// ```
    /// use hpc_sdk::scnet::JobRecord;
    /// let live: hpc_sdk::scnet::types::JobDetail =
    ///     serde_json::from_value(serde_json::json!({"jobStatus": "statR"})).unwrap();
    /// assert_eq!(JobRecord::Live(Box::new(live)).status(), hpc_sdk::JobStatus::Running);
    /// ```
    pub fn status(&self) -> JobStatus {
        match self {
            JobRecord::Live(job) => JobStatus::from_scnet_realtime(
                job.job_status.as_deref().unwrap_or_default(),
                job.reason.as_deref(),
            ),
            JobRecord::Finished(job) => {
                JobStatus::from_scnet(job.job_state.as_deref().unwrap_or_default())
            }
        }
    }

    /// The file the job's stdout (or, with `stderr`, its stderr) goes to, when known:
    /// the record's path, else `<work dir>/std.out.<id>`, the default layout.
    pub fn output_path(&self, stderr: bool) -> Option<String> {
        let (path, work_dir, id) = match self {
            JobRecord::Live(job) => (
                if stderr {
                    &job.error_path
                } else {
                    &job.output_path
                }
                .clone(),
                job.work_dir.clone().or(job.workdir.clone()),
                job.job_id.as_ref().and_then(lenient::text),
            ),
            JobRecord::Finished(job) => (
                if stderr { &job.stderr } else { &job.stdout }.clone(),
                job.workdir.clone(),
                job.job_id.clone(),
            ),
        };
        let stem = if stderr { "std.err" } else { "std.out" };
        path.filter(|p| p.starts_with('/')).or_else(|| {
            let (dir, id) = (work_dir?, id?);
            Some(format!("{}/{stem}.{id}", dir.trim_end_matches('/')))
        })
    }
}

impl From<JobRecord> for Job {
    fn from(record: JobRecord) -> Self {
        let status = record.status();
        let raw = match &record {
            JobRecord::Live(job) => serde_json::to_value(job),
            JobRecord::Finished(job) => serde_json::to_value(job),
        }
        .unwrap_or_default();
        let (id, name, queue, user, cores, submitted, started) = match record {
            JobRecord::Live(job) => (
                job.job_id.as_ref().and_then(lenient::text),
                job.job_name,
                job.queue,
                job.user_name.or(job.user),
                job.proc_num_req.as_ref().and_then(lenient::count),
                job.job_submit_time.as_ref().and_then(lenient::text),
                job.job_start_time.as_ref().and_then(lenient::text),
            ),
            JobRecord::Finished(job) => (
                job.job_id,
                job.job_name,
                job.queue,
                job.user_name.or(job.owner),
                job.job_proc_num.as_ref().and_then(lenient::count),
                job.job_queue_time.as_ref().and_then(lenient::text),
                job.job_start_time.as_ref().and_then(lenient::text),
            ),
        };
        Job {
            platform: Platform::Scnet,
            id: id.unwrap_or_default(),
            name,
            status,
            queue,
            user,
            cores,
            submitted,
            started,
            raw,
        }
    }
}

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

/// How long before the recorded send time a job may say it was submitted.
const CLOCK_SLACK: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// How many times `find_submitted` looks, and the wait between two looks.
const LOOKS: usize = 3;
const BETWEEN_LOOKS: std::time::Duration = std::time::Duration::from_secs(2);

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
        let Error::MaybeSubmitted {
            name,
            cluster,
            sent_at,
            ..
        } = doubt
        else {
            return Err(Error::invalid_input(
                "find_submitted takes the MaybeSubmitted error of a submit",
            ));
        };
        let earliest = *sent_at - CLOCK_SLACK;
        for look in 0..LOOKS {
            if look > 0 {
                self.client.inner.rt.sleep.sleep(BETWEEN_LOOKS).await;
            }
            if let Some(job) = self.newest_named(cluster, name, earliest).await? {
                return Ok(Some(job));
            }
        }
        Ok(None)
    }

    async fn newest_named(
        &self,
        scheduler: &str,
        name: &str,
        earliest: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Job>> {
        use futures::TryStreamExt;
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

    #[test]
    fn output_paths_come_from_the_record_or_the_default_layout() {
        let live: JobDetail = serde_json::from_value(serde_json::json!({
            "jobId": 7, "outputPath": "/w/out.7", "workDir": "/w/"
        }))
        .unwrap();
        let live = JobRecord::Live(Box::new(live));
        assert_eq!(live.output_path(false).as_deref(), Some("/w/out.7"));
        assert_eq!(live.output_path(true).as_deref(), Some("/w/std.err.7"));
        let done: HistoryJobDetail =
            serde_json::from_value(serde_json::json!({"jobId": "8"})).unwrap();
        assert_eq!(JobRecord::Finished(Box::new(done)).output_path(false), None);
    }
}
