//! The simulated scheduler behind submitted jobs: a job waits `pending`, runs for the
//! `sleep N` its command starts with, then ends finished, or failed when its command is
//! `false` or contains `exit K` (K ≠ 0). Times are divided by the speed factor, so a
//! test can run a `sleep 60` in a few milliseconds. A stopped job ends `stopped`; a
//! deleted one is gone.
//!
//! SCNet jobs run on a second instance, with the run time and exit code of the
//! simulated shell (`crate::script`) instead of the EHPC rules above.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// What a submit asked for.
#[derive(Clone, Debug, Default)]
pub(crate) struct JobRequest {
    pub name: String,
    pub cmd_line: String,
    pub run_user: String,
    pub cores: i64,
    pub queue_id: Option<String>,
    pub scheduler_queue: Option<String>,
    pub mem_limit: Option<i64>,
    pub time_limit: Option<i64>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub input_file: Option<String>,
    pub priority: Option<i64>,
    /// What only an SCNet submit says; `None` for EHPC jobs.
    pub scnet: Option<Box<ScnetDetails>>,
}

/// The parts of an SCNet submit that EHPC has no field for.
#[derive(Clone, Debug, Default)]
pub(crate) struct ScnetDetails {
    /// Which of the region's schedulers runs the job.
    pub scheduler_id: u64,
    /// `GAP_NNODE`, or the number of names in `GAP_NODE_STRING`.
    pub nodes: i64,
    pub work_dir: String,
    /// `GAP_APPNAME`, or the path's `{appname}`.
    pub app: String,
    /// The whole `mapAppJobInfo`, for answers that echo what was asked.
    pub raw: serde_json::Map<String, serde_json::Value>,
}

/// Where a job stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Pending,
    Running,
    Finished,
    Failed,
    Stopped,
}

impl Phase {
    /// EHPC's `job_status`.
    pub fn ehpc(self) -> &'static str {
        match self {
            Phase::Pending => "pending",
            Phase::Running => "running",
            Phase::Finished => "finished",
            Phase::Failed => "exited",
            Phase::Stopped => "stopped",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Phase::Finished | Phase::Failed | Phase::Stopped)
    }

    /// SCNet's realtime `jobStatus`: every ended job is `statC`, so a failure or a cancel
    /// shows only in `reason` (the vendor's realtime codes have no failed state).
    pub fn scnet_realtime(self) -> &'static str {
        match self {
            Phase::Pending => "statQ",
            Phase::Running => "statR",
            Phase::Finished | Phase::Failed | Phase::Stopped => "statC",
        }
    }

    /// SCNet's history `jobState` (scnet-cli's codes); a live job, never in history,
    /// keeps its realtime code.
    pub fn scnet_history(self) -> &'static str {
        match self {
            Phase::Finished => "statC",
            Phase::Failed => "statD",
            Phase::Stopped => "statDE",
            live => live.scnet_realtime(),
        }
    }
}

/// One submitted job.
#[derive(Clone, Debug)]
pub(crate) struct SimJob {
    pub uuid: String,
    pub job_id: u32,
    pub request: JobRequest,
    pub submitted: DateTime<Utc>,
    submitted_at: Instant,
    /// When it was stopped, on the scaled clock since submission.
    stopped_after: Option<Duration>,
    /// How long it waits, then runs, on the scaled clock.
    pending: Duration,
    run: Duration,
    /// The code the job ends with if nobody stops it; non-zero means failed.
    exit: i64,
}

impl SimJob {
    /// The scaled time since submission.
    fn elapsed(&self, speed: f64) -> Duration {
        self.submitted_at.elapsed().mul_f64(speed)
    }

    pub fn phase(&self, speed: f64) -> Phase {
        let elapsed = self.elapsed(speed);
        let ended = |at: Duration| at >= self.pending + self.run;
        match self.stopped_after {
            Some(at) if !ended(at) => return Phase::Stopped,
            _ => {}
        }
        if elapsed < self.pending {
            Phase::Pending
        } else if !ended(elapsed) {
            Phase::Running
        } else if self.exit != 0 {
            Phase::Failed
        } else {
            Phase::Finished
        }
    }

    /// When it started running and when it ended, as UTC times, if it has.
    pub fn times(&self, speed: f64) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let at = |scaled: Duration| {
            let real = scaled.div_f64(speed.max(f64::MIN_POSITIVE));
            self.submitted + chrono::TimeDelta::from_std(real).unwrap_or_default()
        };
        let phase = self.phase(speed);
        let started = (phase != Phase::Pending
            && self.stopped_after.is_none_or(|s| s >= self.pending))
        .then(|| at(self.pending));
        let ended = match (phase, self.stopped_after) {
            (Phase::Stopped, Some(stopped)) => Some(at(stopped)),
            (phase, _) if phase.is_final() => Some(at(self.pending + self.run)),
            _ => None,
        };
        (started, ended)
    }

    /// The code the job ends with when it runs to its end.
    pub fn exit_code(&self) -> i64 {
        self.exit
    }

    /// For a stopped job, how long it had run when stopped (on the scaled clock), or
    /// `Some(None)` when it was stopped before it started; `None` if never stopped.
    pub fn stopped_into_run(&self) -> Option<Option<Duration>> {
        self.stopped_after.map(|at| at.checked_sub(self.pending))
    }
}

/// The exit code a command ends with: 1 for `false`, K for `exit K`, else 0.
fn exit_code(cmd_line: &str) -> i64 {
    let words: Vec<&str> = cmd_line.split_whitespace().collect();
    if words.first() == Some(&"false") {
        return 1;
    }
    words
        .windows(2)
        .find(|pair| pair[0] == "exit")
        .and_then(|pair| pair[1].trim_end_matches(';').parse().ok())
        .unwrap_or(0)
}

/// The `N` of a leading `sleep N`, as a duration.
fn leading_sleep(cmd_line: &str) -> Duration {
    let mut words = cmd_line.split_whitespace();
    match (words.next(), words.next()) {
        (Some("sleep"), Some(n)) => n
            .trim_end_matches(';')
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map_or(Duration::ZERO, |n| Duration::from_secs_f64(n.min(1e9))),
        _ => Duration::ZERO,
    }
}

/// The account that owns the sandbox's cluster and the operations on it.
pub(crate) const OWNER: &str = "usr-vceaHsJu";

/// The fastest the simulated clock runs: a million times real time keeps every scaled
/// duration far from overflowing.
pub(crate) const MAX_SPEED: f64 = 1e6;

/// Why a stop or delete was refused: the EHPC code and message.
pub(crate) type Refusal = (i64, String);

/// Every submitted job, with the clock settings.
#[derive(Debug)]
pub(crate) struct Scheduler {
    pub speed: f64,
    pending: Duration,
    /// The next job's number: it only grows, so a deleted job's id is never reused.
    next_job_id: std::sync::atomic::AtomicU32,
    jobs: Mutex<Vec<SimJob>>,
    /// The asynchronous operations started (stops), as `/api/operation` lists them.
    operations: Mutex<Vec<serde_json::Value>>,
}

impl Scheduler {
    pub fn new(speed: f64, pending: Duration, first_job_id: u32) -> Self {
        Self {
            speed: if speed.is_finite() && speed > 0.0 {
                speed.min(MAX_SPEED)
            } else {
                1.0
            },
            pending,
            next_job_id: std::sync::atomic::AtomicU32::new(first_job_id),
            jobs: Mutex::new(Vec::new()),
            operations: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SimJob>> {
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a job that runs for its command's leading `sleep` and fails on `false` or
    /// `exit K`; its uuid and scheduler id.
    pub fn submit(&self, request: JobRequest) -> SimJob {
        let run = leading_sleep(&request.cmd_line);
        let exit = exit_code(&request.cmd_line);
        self.submit_scripted(request, run, exit)
    }

    /// Queues a job that runs for `run` (scaled) and then ends with `exit`.
    pub fn submit_scripted(&self, request: JobRequest, run: Duration, exit: i64) -> SimJob {
        let mut jobs = self.lock();
        let job_id = self
            .next_job_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let job = SimJob {
            uuid: format!("hpcjob-s{job_id:07}"),
            job_id,
            submitted: Utc::now(),
            submitted_at: Instant::now(),
            stopped_after: None,
            pending: self.pending,
            run,
            exit,
            request,
        };
        jobs.push(job.clone());
        job
    }

    /// Records an operation; the simulated scheduler carries it out at once.
    pub fn record_operation(
        &self,
        task_id: &str,
        action: &str,
        describe: &str,
        resources: &[String],
    ) {
        let now = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let entry = serde_json::json!({"action_describe": describe, "create_time": now,
            "error_codes": "", "job_action": action, "job_id": task_id, "owner": OWNER,
            "resource_ids": resources.join(" "), "status": "successful", "status_time": now,
            "submitter": "sandbox", "task_count": null});
        self.operations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(entry);
    }

    /// The operations recorded, oldest first.
    pub fn operations(&self) -> Vec<serde_json::Value> {
        self.operations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Every job not deleted, oldest first.
    pub fn snapshot(&self) -> Vec<SimJob> {
        self.lock().clone()
    }

    pub fn get(&self, uuid: &str) -> Option<SimJob> {
        self.lock().iter().find(|job| job.uuid == uuid).cloned()
    }

    /// The job with this scheduler id, if any (SCNet addresses jobs by it).
    pub fn get_by_id(&self, job_id: u32) -> Option<SimJob> {
        self.lock().iter().find(|job| job.job_id == job_id).cloned()
    }

    /// Cancels those of the jobs that are still pending or running, at once, and
    /// answers their ids; ended and unknown ones are left as they are. Unlike
    /// [`Scheduler::stop`] it never refuses: SCNet reports what it could cancel.
    pub fn cancel(&self, job_ids: &[u32]) -> Vec<u32> {
        let mut jobs = self.lock();
        let mut cancelled = Vec::new();
        for job in jobs.iter_mut().filter(|job| job_ids.contains(&job.job_id)) {
            // One reading of the clock decides both whether it is live and when it
            // stopped, so a job cancelled as it ends is either cancelled or finished.
            let at = job.elapsed(self.speed);
            if job.stopped_after.is_none() && at < job.pending + job.run {
                job.stopped_after = Some(at);
                cancelled.push(job.job_id);
            }
        }
        cancelled
    }

    /// Stops the jobs, all or none: a job that has ended refuses (1400), an unknown one
    /// is not found (2100).
    pub fn stop(&self, uuids: &[String]) -> Result<(), Refusal> {
        let mut jobs = self.lock();
        for uuid in uuids {
            let Some(job) = jobs.iter().find(|job| &job.uuid == uuid) else {
                return Err((2100, format!("ResourceNotFound, job [{uuid}] not found")));
            };
            if job.phase(self.speed).is_final() {
                return Err((
                    1400,
                    format!("PermissionDenied, job [{uuid}] has ended and cannot be stopped"),
                ));
            }
        }
        for job in jobs.iter_mut().filter(|job| uuids.contains(&job.uuid)) {
            job.stopped_after = Some(job.elapsed(self.speed));
        }
        Ok(())
    }

    /// Deletes the jobs, all or none; an unknown one is not found (2100).
    pub fn delete(&self, uuids: &[String]) -> Result<(), Refusal> {
        let mut jobs = self.lock();
        if let Some(missing) = uuids
            .iter()
            .find(|uuid| !jobs.iter().any(|j| &j.uuid == *uuid))
        {
            return Err((2100, format!("ResourceNotFound, job [{missing}] not found")));
        }
        jobs.retain(|job| !uuids.contains(&job.uuid));
        Ok(())
    }
}

pub(crate) mod output_stages;
#[cfg(test)]
mod tests;
