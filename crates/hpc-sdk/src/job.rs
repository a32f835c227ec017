//! One job view across both clouds.

use std::fmt;

/// Where a job stands, the same words for both clouds.
///
/// ```
/// use hpc_sdk::JobStatus;
/// assert_eq!(JobStatus::from_ehpc("running"), JobStatus::Running);
/// assert_eq!(JobStatus::from_scnet("statDE"), JobStatus::Cancelled);
/// assert_eq!(JobStatus::from_scnet("statZ"), JobStatus::Other("statZ".into()));
/// assert_eq!(JobStatus::Queued.to_string(), "queued");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobStatus {
    /// Waiting to run (queued, held, waiting, requeued, suspended).
    Queued,
    /// Running.
    Running,
    /// Finished normally.
    Completed,
    /// Ended with an error, a timeout or a node failure.
    Failed,
    /// Cancelled by a user or an administrator.
    Cancelled,
    /// A status the SDK does not know, as the server sent it.
    Other(String),
}

impl JobStatus {
    /// Whether the job has ended (completed, failed or cancelled); a status the SDK
    /// does not know is not taken for an end.
    ///
    /// ```
    /// use hpc_sdk::JobStatus;
    /// assert!(JobStatus::from_ehpc("stopped").is_final());
    /// assert!(!JobStatus::from_ehpc("pending").is_final());
    /// assert!(!JobStatus::Other("held".into()).is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
        )
    }

    /// EHPC's `job_status` (and its filter's values).
    pub fn from_ehpc(raw: &str) -> Self {
        match raw.trim().to_ascii_lowercase().as_str() {
            "pending" | "queued" | "waiting" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "finished" | "completed" => JobStatus::Completed,
            "exited" | "failed" => JobStatus::Failed,
            "cancelled" | "canceled" | "stopped" => JobStatus::Cancelled,
            _ => JobStatus::Other(raw.to_string()),
        }
    }

    /// SCNet's member-job `status` codes (docs/api-notes.md §2).
    pub fn from_scnet(raw: &str) -> Self {
        match raw.trim() {
            "statR" => JobStatus::Running,
            "statQ" | "statH" | "statS" | "statW" | "statRQ" => JobStatus::Queued,
            "statC" => JobStatus::Completed,
            "statE" | "statD" | "statT" | "statN" => JobStatus::Failed,
            "statDE" => JobStatus::Cancelled,
            _ => JobStatus::Other(raw.to_string()),
        }
    }

    /// SCNet's realtime `jobStatus` with the job's `reason`: the realtime list shows an
    /// ended job as `statC` however it ended, and only the reason tells a failure
    /// (`NonZeroExitCode`) or a cancel from a completion.
    ///
    /// ```
    /// use hpc_sdk::JobStatus;
    /// assert_eq!(JobStatus::from_scnet_realtime("statC", Some("None")), JobStatus::Completed);
    /// assert_eq!(JobStatus::from_scnet_realtime("statC", Some("NonZeroExitCode")), JobStatus::Failed);
    /// assert_eq!(JobStatus::from_scnet_realtime("statC", Some("Cancelled")), JobStatus::Cancelled);
    /// assert_eq!(JobStatus::from_scnet_realtime("statR", None), JobStatus::Running);
    /// ```
    pub fn from_scnet_realtime(raw: &str, reason: Option<&str>) -> Self {
        let status = Self::from_scnet(raw);
        if status != JobStatus::Completed {
            return status;
        }
        let reason = reason.unwrap_or_default().to_ascii_lowercase();
        if reason.contains("nonzeroexit")
            || reason.contains("failed")
            || reason.contains("timelimit")
        {
            JobStatus::Failed
        } else if reason.contains("cancel") {
            JobStatus::Cancelled
        } else {
            JobStatus::Completed
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Other(raw) => raw,
        })
    }
}

/// A job from either cloud, in one shape.
///
/// ```
/// use hpc_sdk::{Job, JobStatus, Platform};
/// let raw: hpc_sdk::ehpc::EhpcJob = serde_json::from_value(serde_json::json!({
///     "job_id": 19453, "job_name": "作业-cwOOs", "job_status": "running",
///     "queue_name": "vis", "run_user": "usr-1", "core_limit": 4,
///     "submitted_time": "2021-08-19T14:06:21"
/// })).unwrap();
/// let job = Job::from(raw);
/// assert_eq!((job.id.as_str(), job.status, job.cores), ("19453", JobStatus::Running, Some(4)));
/// assert_eq!(job.platform, Platform::Ehpc);
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Job {
    /// Which cloud the job runs on.
    #[serde(serialize_with = "platform_name")]
    pub platform: crate::Platform,
    /// The job id, as text.
    pub id: String,
    /// The job name.
    pub name: Option<String>,
    /// Where the job stands.
    #[serde(serialize_with = "status_name")]
    pub status: JobStatus,
    /// The queue (EHPC); SCNet's member jobs do not say.
    pub queue: Option<String>,
    /// Who runs it.
    pub user: Option<String>,
    /// Cores: EHPC's core limit, SCNet's cores in use.
    pub cores: Option<i64>,
    /// When it was submitted, as the server wrote it (EHPC: local time, no zone).
    pub submitted: Option<String>,
    /// When it started, as the server wrote it.
    pub started: Option<String>,
    /// The record as the server sent it.
    pub raw: serde_json::Value,
}

fn platform_name<S: serde::Serializer>(p: &crate::Platform, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(p)
}

fn status_name<S: serde::Serializer>(status: &JobStatus, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_ehpc_status() {
        for (raw, status) in [
            ("finished", JobStatus::Completed),
            ("stopped", JobStatus::Cancelled),
            ("running", JobStatus::Running),
            ("pending", JobStatus::Queued),
            ("exited", JobStatus::Failed),
            ("cancelled", JobStatus::Cancelled),
            ("RUNNING", JobStatus::Running),
            (
                "suspended_by_admin",
                JobStatus::Other("suspended_by_admin".into()),
            ),
            ("", JobStatus::Other(String::new())),
        ] {
            assert_eq!(JobStatus::from_ehpc(raw), status, "{raw}");
        }
    }

    #[test]
    fn every_documented_scnet_status() {
        for (raw, status) in [
            ("statR", JobStatus::Running),
            ("statQ", JobStatus::Queued),
            ("statH", JobStatus::Queued),
            ("statS", JobStatus::Queued),
            ("statE", JobStatus::Failed),
            ("statDE", JobStatus::Cancelled),
            ("statRQ", JobStatus::Queued),
            ("statC", JobStatus::Completed),
            ("statW", JobStatus::Queued),
            ("statX", JobStatus::Other("statX".into())),
            ("statD", JobStatus::Failed),
            ("statT", JobStatus::Failed),
            ("statN", JobStatus::Failed),
            ("statNEW", JobStatus::Other("statNEW".into())),
        ] {
            assert_eq!(JobStatus::from_scnet(raw), status, "{raw}");
        }
    }

    #[test]
    fn a_job_serializes_with_readable_platform_and_status() {
        let job: crate::ehpc::EhpcJob = serde_json::from_value(
            serde_json::json!({"hpcjob_uuid": "hpcjob-1", "job_status": "weird"}),
        )
        .unwrap();
        let job = Job::from(job);
        assert_eq!(job.id, "hpcjob-1");
        let text = serde_json::to_value(&job).unwrap();
        assert_eq!(text["platform"], "EHPC");
        assert_eq!(text["status"], "weird");
    }
}
