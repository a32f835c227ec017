//! `JobRecord`: one job as the server knows it now, live or finished, and its one-job view.

use scnet_client::types::{HistoryJobDetail, JobDetail};

use super::lenient;
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

#[cfg(test)]
mod tests {
    use super::*;

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
