//! `jobs().submit()`, and finding a job whose submit ended in doubt.
//!
//! A submit is never repeated blindly: the API has no idempotency key, so a submit that
//! may have reached the server (a timeout, a 5xx, a connection closed after sending, an
//! unreadable answer) ends in [`Error::MaybeSubmitted`], and
//! [`Jobs::find_submitted`] looks the job up by its name and submission time. Only an
//! attempt that provably never left (connection refused, host not found) is sent again.

use futures::TryStreamExt;

use super::{Client, EhpcJob, Jobs};
use crate::error::{Error, Result};
use crate::job::JobStatus;
use crate::reconcile::{self, Doubt};

/// What the server answered for a new job.
///
/// ```
/// fn describe(job: &hpc_sdk::ehpc::SubmittedJob) -> String {
///     format!("{} (scheduler id {:?}): {:?}", job.uuid, job.job_id, job.status)
/// }
/// # let _ = describe;
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SubmittedJob {
    /// The `hpcjob-…` id that `get`, `stop` and `delete` take.
    pub uuid: String,
    /// The scheduler's job number, when the answer carries one.
    pub job_id: Option<i64>,
    /// The first status (usually queued).
    pub status: JobStatus,
}

/// A job submission (`POST /api/job/submitJob`); nothing is sent until `.send()`.
///
/// ```
/// let client = hpc_sdk::ehpc::Client::builder().zone("z").credentials("k", "s").build().unwrap();
/// let request = client
///     .jobs()
///     .submit()
///     .cluster_id("ehpc-8jqdq0mz")
///     .name("relax")
///     .cmd_line("sleep 600")
///     .cores(4)
///     .run_user("usr-IuZxPyn2")
///     .queue_id("ehpcq-cq1opkdy")
///     .time_limit(3600);
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct SubmitJob {
    client: Client,
    cluster_id: Option<String>,
    zone: Option<String>,
    name: Option<String>,
    cmd_line: Option<String>,
    run_user: Option<String>,
    cores: Option<i64>,
    queue_id: Option<String>,
    scheduler_queue: Option<String>,
    mem_limit: Option<i64>,
    time_limit: Option<i64>,
    stdout: Option<String>,
    stderr: Option<String>,
    input_file: Option<String>,
    priority: Option<i64>,
    resource_limit: Option<String>,
    /// What a [`JobSpec`](crate::JobSpec) asked that EHPC cannot take.
    unsupported: Option<&'static str>,
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: impl Into<$ty>) -> Self {
                self.$name = Some(value.into());
                self
            }
        )*
    };
}

impl SubmitJob {
    pub(super) fn new(client: Client) -> Self {
        Self {
            cluster_id: client.inner.cluster_id.clone(),
            client,
            zone: None,
            name: None,
            cmd_line: None,
            run_user: None,
            cores: None,
            queue_id: None,
            scheduler_queue: None,
            mem_limit: None,
            time_limit: None,
            stdout: None,
            stderr: None,
            input_file: None,
            priority: None,
            resource_limit: None,
            unsupported: None,
        }
    }

    setters! {
        /// The cluster (required unless the client has a default).
        cluster_id: String,
        /// Another zone than the client's.
        zone: String,
        /// The job's name (required); also how a doubtful submit is found again.
        name: String,
        /// The command line (required), e.g. `sleep 600`.
        cmd_line: String,
        /// The cluster user that runs the job (required), e.g. `usr-IuZxPyn2`.
        run_user: String,
        /// Cores (`core_limit`; the server's default is 1).
        cores: i64,
        /// The queue, by id (`hpcqueue_id`).
        queue_id: String,
        /// The scheduler's queue name (`scheduler_queue_name`).
        scheduler_queue: String,
        /// Memory limit (`mem_limit`; the vendor gives no unit, the CLI says MB).
        mem_limit: i64,
        /// Run-time limit (`time_limit`; the vendor gives no unit, the CLI says seconds).
        time_limit: i64,
        /// Where stdout goes (`stdout_redirect_path`).
        stdout: String,
        /// Where stderr goes (`stderr_redirect_path`).
        stderr: String,
        /// The job's input file (`input_file`).
        input_file: String,
        /// Priority.
        priority: i64,
        /// Resource limit, as text (`resource_limit`).
        resource_limit: String,
    }

    /// Takes the name, command, queue (an id), cores, wall time (as `time_limit`
    /// seconds) and output paths of a cloud-neutral [`JobSpec`](crate::JobSpec); the
    /// cluster and run user stay to be set. EHPC has no node, process or working
    /// directory field: a spec with them is refused when sent.
    pub fn spec(mut self, spec: &crate::JobSpec) -> Self {
        self.name = Some(spec.name.clone());
        self.cmd_line = Some(spec.command.clone());
        self.queue_id = spec.queue.clone().or(self.queue_id);
        self.cores = spec.cores.map(i64::from).or(self.cores);
        if let Some(walltime) = spec.walltime {
            self.time_limit = Some(i64::try_from(walltime.as_secs()).unwrap_or(i64::MAX));
        }
        self.stdout = spec.stdout.clone().or(self.stdout);
        self.stderr = spec.stderr.clone().or(self.stderr);
        if spec.nodes.is_some() || spec.processes_per_node.is_some() || spec.work_dir.is_some() {
            self.unsupported = Some("nodes, processes per node and a working directory");
        }
        self
    }

    fn body(&self) -> Result<ehpc_client::types::SubmitJobRequest> {
        if let Some(what) = self.unsupported {
            return Err(Error::invalid_input(format!(
                "EHPC's submit takes no {what}: leave them out of the JobSpec"
            )));
        }
        let required = |value: &Option<String>, what: &str| match value.as_deref() {
            Some(v) if !v.trim().is_empty() => Ok(v.to_string()),
            _ => Err(Error::invalid_input(format!(
                "a submit needs {what}: call .{what}(...)"
            ))),
        };
        Ok(ehpc_client::types::SubmitJobRequest {
            cluster_id: required(&self.cluster_id, "cluster_id")?,
            name: required(&self.name, "name")?,
            cmd_line: required(&self.cmd_line, "cmd_line")?,
            run_user: required(&self.run_user, "run_user")?,
            zone: self
                .zone
                .clone()
                .unwrap_or_else(|| self.client.zone().to_string()),
            cmd_line_type: Some("input".into()),
            core_limit: Some(self.cores.unwrap_or(1)),
            // 1: submitted by a program (the vendor's CLI value), not the console.
            submit_type: Some(1),
            hpcqueue_id: self.queue_id.clone(),
            scheduler_queue_name: self.scheduler_queue.clone(),
            mem_limit: self.mem_limit,
            time_limit: self.time_limit,
            stdout_redirect_path: self.stdout.clone(),
            stderr_redirect_path: self.stderr.clone(),
            input_file: self.input_file.clone(),
            priority: self.priority,
            resource_limit: self.resource_limit.clone(),
        })
    }

    /// Submits the job: its uuid, scheduler id and first status, or
    /// [`Error::MaybeSubmitted`] when the outcome is unknown.
    ///
    /// ```no_run
    /// # async fn demo(ehpc: hpc_sdk::ehpc::Client) -> hpc_sdk::Result<()> {
    /// let job = ehpc
    ///     .jobs()
    ///     .submit()
    ///     .cluster_id("ehpc-qmmvigwe")
    ///     .name("hello")
    ///     .cmd_line("echo hello")
    ///     .run_user("usr-IuZxPyn2")
    ///     .cores(2)
    ///     .send()
    ///     .await?;
    /// println!("{} is {}", job.uuid, job.status);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<SubmittedJob> {
        let body = self.body()?;
        if self.cores.is_some_and(|cores| cores < 1) {
            return Err(Error::invalid_input("a job needs at least one core"));
        }
        let sent_at = self.client.timestamp();
        let (name, cluster) = (body.name.clone(), body.cluster_id.clone());
        let client = &self.client;
        let answer = client
            .execute(&ehpc_client::operations::SUBMIT_JOB, || {
                client
                    .api()
                    .submit_job()
                    .timestamp(client.timestamp())
                    .body(body.clone())
                    .send()
            })
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(cause) if cause.is_ambiguous() => {
                return Err(Error::MaybeSubmitted {
                    name,
                    cluster,
                    sent_at,
                    cause: Box::new(cause),
                });
            }
            Err(error) => return Err(error),
        };
        let uuid = answer
            .hpcjob_uuid
            .filter(|uuid| !uuid.is_empty())
            .ok_or_else(|| Error::MaybeSubmitted {
                name,
                cluster,
                sent_at,
                cause: Box::new(crate::response::no_data("submit_job")),
            })?;
        Ok(SubmittedJob {
            uuid,
            job_id: answer.job_id.map(i64::from),
            status: JobStatus::from_ehpc(answer.job_status.as_deref().unwrap_or("pending")),
        })
    }
}

impl Jobs {
    /// A new job; set its fields, then `.send()`.
    pub fn submit(&self) -> SubmitJob {
        SubmitJob::new(self.client.clone())
    }

    /// The job a doubtful submit ([`Error::MaybeSubmitted`]) may have created: the
    /// newest job of that cluster with exactly that name, submitted no earlier than a
    /// few minutes before the request was sent (a job whose time cannot be read counts
    /// as recent). A server may still be creating the job when asked, so the listing is
    /// read up to three times, two seconds apart, before answering `None`; `None` is
    /// strong evidence, not proof, that the job was not created. Passing any other error
    /// is `InvalidInput`.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::ehpc::Client) -> hpc_sdk::Result<()> {
    /// match client.jobs().submit().cluster_id("c").name("n").cmd_line("true").run_user("u").send().await {
    ///     Err(doubt @ hpc_sdk::Error::MaybeSubmitted { .. }) => {
    ///         if let Some(job) = client.jobs().find_submitted(&doubt).await? {
    ///             println!("it was submitted: {:?}", job.hpcjob_uuid);
    ///         }
    ///     }
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find_submitted(&self, doubt: &Error) -> Result<Option<EhpcJob>> {
        let doubt = Doubt::of(doubt)?;
        reconcile::look_again(self.client.inner.rt.sleep.as_ref(), || {
            self.newest_named(doubt.cluster, doubt.name, doubt.earliest)
        })
        .await
    }

    /// The newest job of `cluster` named exactly `name` and submitted after `earliest`.
    async fn newest_named(
        &self,
        cluster: &str,
        name: &str,
        earliest: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<EhpcJob>> {
        let mut jobs = self
            .list()
            .cluster_id(cluster)
            .search_word(name)
            .reverse(true)
            .items();
        while let Some(job) = jobs.try_next().await? {
            if job.job_name.as_deref() != Some(name) {
                continue;
            }
            match job.submitted_time.as_deref().and_then(submitted_at) {
                Some(at) if at < earliest => return Ok(None),
                _ => return Ok(Some(job)),
            }
        }
        Ok(None)
    }
}

/// A `submitted_time` as the pages write it: UTC with `Z`, or without a zone. The
/// pages do not say which zone a bare time is in (China time or UTC), so it is read as
/// the later of the two, UTC: a job is then never taken for older than it is, and a
/// doubtful submit never for "not created" because of the zone.
fn submitted_at(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(at.to_utc());
    }
    let bare = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").ok()?;
    Some(bare.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submission_times_are_read_with_or_without_a_zone() {
        let utc = submitted_at("2022-04-01T03:23:25Z").unwrap();
        assert_eq!(utc.to_rfc3339(), "2022-04-01T03:23:25+00:00");
        let bare = submitted_at("2021-08-19T14:06:21").unwrap();
        assert_eq!(bare.to_rfc3339(), "2021-08-19T14:06:21+00:00");
        assert_eq!(submitted_at("yesterday"), None);
    }
}
