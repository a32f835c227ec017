//! `jobs().get(uuid)`, `jobs().stop(uuids)`, `jobs().delete(uuids)`.
//!
//! Stopping a job that has already ended, or deleting one that is already gone, is not
//! an error: the server refuses the first with 1400 (the resource cannot change) and
//! the second with 2100 (not found); the SDK then reads each job's status and reports
//! the jobs that had ended, or were gone, in the outcome instead.

use super::{Client, Jobs};
use crate::codes::{EhpcCode, ErrorCode};
use crate::error::{Error, Result};
use crate::job::JobStatus;

/// One job's details, as `job/jobdetail` answers them.
pub type JobDetail = ehpc_client::types::HpcJobDetail;

/// What `stop` or `delete` did.
///
/// ```
/// fn report(outcome: &hpc_sdk::ehpc::JobsChanged) {
///     if let Some(task) = &outcome.task_id {
///         println!("task {task}");
///     }
///     for uuid in &outcome.unchanged {
///         println!("{uuid} had already ended");
///     }
/// }
/// # let _ = report;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct JobsChanged {
    /// The asynchronous task the server started (stopJobs answers one: `j-…`).
    pub task_id: Option<String>,
    /// Jobs left as they were: already ended (stop) or already gone (delete).
    pub unchanged: Vec<String>,
}

/// A detail request (`GET /api/job/jobdetail/{job_uuid}`).
///
/// ```
/// let client = hpc_sdk::ehpc::Client::builder().zone("z").credentials("k", "s").build().unwrap();
/// let request = client.jobs().get("hpcjob-cz8ngntp").cluster_id("ehpc-2i6bsme6");
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct GetJob {
    client: Client,
    uuid: String,
    cluster_id: Option<String>,
}

impl GetJob {
    /// The job's cluster (default the client's).
    pub fn cluster_id(mut self, id: impl Into<String>) -> Self {
        self.cluster_id = Some(id.into());
        self
    }

    /// The job's details; `Error::Api` with code 2100 if there is no such job.
    ///
    /// ```no_run
    /// # async fn demo(ehpc: hpc_sdk::ehpc::Client) -> hpc_sdk::Result<()> {
    /// let job = ehpc.jobs().get("ehpcjob-1a2b3c4d").cluster_id("ehpc-qmmvigwe").send().await?;
    /// println!("{job:?}");
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<JobDetail> {
        if self.uuid.trim().is_empty() {
            return Err(Error::invalid_input("no job uuid"));
        }
        let client = &self.client;
        let answer = client
            .execute(&ehpc_client::operations::GET_JOB_DETAIL, || {
                let mut request = client
                    .api()
                    .get_job_detail()
                    .job_uuid(self.uuid.clone())
                    .timestamp(client.timestamp())
                    .zone(client.zone().to_string());
                if let Some(id) = &self.cluster_id {
                    request = request.cluster_id(id.clone());
                }
                request.send()
            })
            .await?;
        answer
            .hpc_job_set
            .and_then(|jobs| jobs.into_iter().next())
            .ok_or_else(|| crate::response::no_data("get_job_detail"))
    }
}

/// Which mutation a [`ChangeJobs`] sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Stop,
    Delete,
}

/// A stop or delete request (`POST /api/job/stopJobs`, `/api/job/deleteJobs`).
///
/// ```
/// let client = hpc_sdk::ehpc::Client::builder().zone("z").credentials("k", "s").build().unwrap();
/// let request = client.jobs().stop(["hpcjob-bp6rj09f"]).cluster_id("ehpc-8jqdq0mz");
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct ChangeJobs {
    client: Client,
    change: Change,
    uuids: Vec<String>,
    cluster_id: Option<String>,
}

impl ChangeJobs {
    /// The jobs' cluster (required unless the client has a default).
    pub fn cluster_id(mut self, id: impl Into<String>) -> Self {
        self.cluster_id = Some(id.into());
        self
    }

    /// Sends the request (never repeated unless it provably never left). After a
    /// refusal, each job's state is read: jobs that had ended (stop) or were gone
    /// (delete) are reported in `unchanged`, and a stop is sent once more for the others.
    ///
    /// ```no_run
    /// # async fn demo(ehpc: hpc_sdk::ehpc::Client) -> hpc_sdk::Result<()> {
    /// let stopped = ehpc.jobs().stop(["ehpcjob-1a2b3c4d"]).cluster_id("ehpc-qmmvigwe").send().await?;
    /// println!("already ended: {:?}", stopped.unchanged);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<JobsChanged> {
        let cluster_id = match self.cluster_id.clone() {
            Some(id) if !id.trim().is_empty() => id,
            _ => {
                return Err(Error::invalid_input(
                    "no cluster id: call .cluster_id(...) or set EHPC_CLUSTER_ID",
                ));
            }
        };
        if self.uuids.is_empty() || self.uuids.iter().any(|uuid| uuid.trim().is_empty()) {
            return Err(Error::invalid_input("no job uuid, or a blank one"));
        }
        let refused = match self.change {
            Change::Stop => EhpcCode::AccessDenied,
            Change::Delete => EhpcCode::NotFound,
        };
        match self.send_once(&cluster_id, &self.uuids).await {
            Err(error) if error.code() == Some(&ErrorCode::Ehpc(refused)) => {
                self.after_refusal(&cluster_id, error).await
            }
            other => other.map(|task_id| JobsChanged {
                task_id,
                unchanged: Vec::new(),
            }),
        }
    }

    /// One stopJobs or deleteJobs request; the task id, if the server gave one.
    async fn send_once(&self, cluster_id: &str, uuids: &[String]) -> Result<Option<String>> {
        let client = &self.client;
        let body = ehpc_client::types::JobIdsRequest {
            cluster_id: cluster_id.to_string(),
            job_ids: uuids.to_vec(),
            zone: client.zone().to_string(),
        };
        let operation = match self.change {
            Change::Stop => &ehpc_client::operations::STOP_JOBS,
            Change::Delete => &ehpc_client::operations::DELETE_JOBS,
        };
        let answer = client
            .execute(operation, || {
                let (api, body, timestamp) = (client.api(), body.clone(), client.timestamp());
                async move {
                    match self.change {
                        Change::Stop => {
                            api.stop_jobs().timestamp(timestamp).body(body).send().await
                        }
                        Change::Delete => {
                            api.delete_jobs()
                                .timestamp(timestamp)
                                .body(body)
                                .send()
                                .await
                        }
                    }
                }
            })
            .await?;
        Ok(answer.job_uuid)
    }

    /// After a refusal: which jobs had already ended (stop) or were gone (delete).
    async fn after_refusal(&self, cluster_id: &str, refusal: Error) -> Result<JobsChanged> {
        let jobs = Jobs {
            client: self.client.clone(),
        };
        if self.change == Change::Delete {
            // 2100 also names a cluster or zone that does not exist: only a cluster that
            // answers a listing makes "not found" mean the job is gone.
            jobs.list()
                .cluster_id(cluster_id)
                .page_size(1)
                .send()
                .await?;
        }
        let (mut unchanged, mut pending) = (Vec::new(), Vec::new());
        for uuid in &self.uuids {
            let detail = jobs.get(uuid.clone()).cluster_id(cluster_id).send().await;
            let done = match (self.change, detail) {
                (Change::Delete, Err(e)) => e.code() == Some(&ErrorCode::Ehpc(EhpcCode::NotFound)),
                (Change::Stop, Ok(job)) => {
                    JobStatus::from_ehpc(job.job_status.as_deref().unwrap_or("")).is_final()
                }
                _ => false,
            };
            if done {
                unchanged.push(uuid.clone());
            } else {
                pending.push(uuid.clone());
            }
        }
        if unchanged.is_empty() {
            return Err(refusal);
        }
        let task_id = if pending.is_empty() {
            None
        } else {
            // Only the jobs still to change, once: the refusal named the others.
            self.send_once(cluster_id, &pending).await?
        };
        Ok(JobsChanged { task_id, unchanged })
    }
}

impl Jobs {
    /// One job's details, by its `hpcjob-…` uuid.
    pub fn get(&self, uuid: impl Into<String>) -> GetJob {
        GetJob {
            uuid: uuid.into(),
            cluster_id: self.client.inner.cluster_id.clone(),
            client: self.client.clone(),
        }
    }

    /// Stops (cancels) jobs; the server stops them asynchronously. Jobs that had
    /// already ended are reported in [`JobsChanged::unchanged`], not as an error.
    pub fn stop<I, S>(&self, uuids: I) -> ChangeJobs
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.change(Change::Stop, uuids)
    }

    /// Deletes jobs from the cluster's records. Jobs already gone are reported in
    /// [`JobsChanged::unchanged`], not as an error.
    pub fn delete<I, S>(&self, uuids: I) -> ChangeJobs
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.change(Change::Delete, uuids)
    }

    fn change<I, S>(&self, change: Change, uuids: I) -> ChangeJobs
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ChangeJobs {
            client: self.client.clone(),
            change,
            uuids: uuids.into_iter().map(Into::into).collect(),
            cluster_id: self.client.inner.cluster_id.clone(),
        }
    }
}

/// The one job view of a job's details: both of the page's spellings are read.
///
/// ```
/// let detail: hpc_sdk::ehpc::JobDetail = serde_json::from_value(serde_json::json!({
///     "hpcjob_uuid": "hpcjob-cz8ngntp", "job_id": 7, "job_status": "cancelled",
///     "core_limit": 1, "scheduler_queue_name": "slurm", "run_user": "admin"
/// })).unwrap();
/// let job = hpc_sdk::Job::from(detail);
/// assert_eq!((job.id.as_str(), job.status, job.cores), ("7", hpc_sdk::JobStatus::Cancelled, Some(1)));
/// ```
impl From<JobDetail> for crate::Job {
    fn from(job: JobDetail) -> Self {
        let raw = serde_json::to_value(&job).unwrap_or_default();
        let cores = job.core_limit.as_ref().and_then(|value| match value {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(text) => text.trim().parse().ok(),
            _ => None,
        });
        crate::Job {
            platform: crate::Platform::Ehpc,
            id: super::jobs::view_id(job.job_id, job.hpcjob_uuid),
            name: job.job_name,
            status: JobStatus::from_ehpc(job.job_status.as_deref().unwrap_or("")),
            queue: job.scheduler_queue_name.or(job.queue_alias),
            user: job.run_user,
            cores,
            submitted: job.submitted_time,
            started: job.started_time,
            raw,
        }
    }
}
