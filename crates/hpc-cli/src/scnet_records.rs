//! How SCNet's job records print: table columns here, JSON with the API's own names.

use hpc_sdk::scnet::types::{HistoryJobListItem, JobListItem, Queue};
use hpc_sdk::scnet::{JobRecord, realtime_status};
use serde::Serialize;

use crate::output::{Record, opt};

/// A loosely typed value (a string or a number) as a cell.
pub fn any(value: &Option<serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl Record for JobListItem {
    fn headers() -> &'static [&'static str] {
        &[
            "JOB_ID", "NAME", "STATUS", "STATE", "QUEUE", "CORES", "STARTED", "RUN_TIME",
        ]
    }

    fn row(&self) -> Vec<String> {
        vec![
            any(&self.job_id),
            opt(&self.job_name),
            realtime_status(self).to_string(),
            opt(&self.job_status),
            opt(&self.queue),
            any(&self.proc_num_used),
            any(&self.job_start_time),
            any(&self.job_run_time),
        ]
    }
}

impl Record for HistoryJobListItem {
    fn headers() -> &'static [&'static str] {
        &[
            "JOB_ID",
            "NAME",
            "STATUS",
            "STATE",
            "QUEUE",
            "CORES",
            "STARTED",
            "ENDED",
            "WALLTIME_S",
        ]
    }

    fn row(&self) -> Vec<String> {
        vec![
            any(&self.job_id),
            opt(&self.job_name),
            hpc_sdk::JobStatus::from_scnet(self.job_state.as_deref().unwrap_or_default())
                .to_string(),
            opt(&self.job_state),
            opt(&self.queue),
            any(&self.job_proc_num),
            any(&self.job_start_time),
            any(&self.job_end_time),
            any(&self.job_walltime_used),
        ]
    }
}

/// One job as `show` prints it: the record the server gave, with where it was found.
#[derive(Serialize)]
pub struct Shown {
    /// `realtime` or `history`.
    pub found_in: &'static str,
    pub status: String,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub record: serde_json::Value,
}

impl From<JobRecord> for Shown {
    fn from(record: JobRecord) -> Self {
        let found_in = match record {
            JobRecord::Live(_) => "realtime",
            JobRecord::Finished(_) => "history",
        };
        let (stdout, stderr) = (record.output_path(false), record.output_path(true));
        let status = record.status().to_string();
        let job = hpc_sdk::Job::from(record);
        Shown {
            found_in,
            status,
            stdout,
            stderr,
            record: job.raw,
        }
    }
}

impl Record for Shown {
    fn headers() -> &'static [&'static str] {
        &[
            "JOB_ID", "NAME", "STATUS", "QUEUE", "FOUND_IN", "STDOUT", "STDERR",
        ]
    }

    fn row(&self) -> Vec<String> {
        let field = |name: &str| match self.record.get(name) {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        vec![
            field("jobId"),
            field("jobName"),
            self.status.clone(),
            field("queue"),
            self.found_in.to_string(),
            opt(&self.stdout),
            opt(&self.stderr),
        ]
    }
}

impl Record for Queue {
    fn headers() -> &'static [&'static str] {
        &[
            "QUEUE",
            "NODES",
            "FREE_NODES",
            "MAX_NODES",
            "MAX_PPN",
            "MAX_WALLTIME",
            "MAX_GPU_PN",
        ]
    }

    fn row(&self) -> Vec<String> {
        vec![
            opt(&self
                .queue_name
                .clone()
                .or(self.id.clone())
                .or(self.text.clone())),
            any(&self.que_nodes),
            any(&self.que_free_nodes),
            any(&self.que_max_nodect),
            any(&self.que_max_ppn),
            any(&self.que_max_walltime),
            any(&self.que_max_gpu_pn),
        ]
    }
}

/// What a submit printed.
#[derive(Serialize)]
pub struct Submitted {
    pub id: String,
    pub scheduler_id: String,
    pub name: String,
    pub stdout: String,
    pub stderr: String,
}

impl Record for Submitted {
    fn headers() -> &'static [&'static str] {
        &["JOB_ID", "SCHEDULER", "NAME", "STDOUT"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.scheduler_id.clone(),
            self.name.clone(),
            self.stdout.clone(),
        ]
    }
}

/// One job's outcome of a cancel.
#[derive(Serialize)]
pub struct Cancelled {
    pub job_id: String,
    pub outcome: &'static str,
}

impl Record for Cancelled {
    fn headers() -> &'static [&'static str] {
        &["JOB_ID", "OUTCOME"]
    }

    fn row(&self) -> Vec<String> {
        vec![self.job_id.clone(), self.outcome.to_string()]
    }
}
