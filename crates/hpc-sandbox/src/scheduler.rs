//! The simulated scheduler behind submitted jobs: a job waits `pending`, runs for the
//! `sleep N` its command starts with, then ends finished, or failed when its command is
//! `false` or contains `exit K` (K ≠ 0). Times are divided by the speed factor, so a
//! test can run a `sleep 60` in a few milliseconds. A stopped job ends `stopped`; a
//! deleted one is gone.

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
        } else if exit_code(&self.request.cmd_line) != 0 {
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

    /// Queues a job; its uuid and scheduler id.
    pub fn submit(&self, request: JobRequest) -> SimJob {
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
            run: leading_sleep(&request.cmd_line),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(cmd: &str) -> JobRequest {
        JobRequest {
            name: "t".into(),
            cmd_line: cmd.into(),
            ..JobRequest::default()
        }
    }

    #[test]
    fn commands_choose_how_long_a_job_runs_and_how_it_ends() {
        assert_eq!(leading_sleep("sleep 30"), Duration::from_secs(30));
        assert_eq!(leading_sleep("sleep 0.5; echo"), Duration::from_millis(500));
        assert_eq!(leading_sleep("echo sleep 3"), Duration::ZERO);
        assert_eq!(exit_code("false"), 1);
        assert_eq!(exit_code("sleep 1; exit 3"), 3);
        assert_eq!(exit_code("echo hello"), 0);
    }

    #[test]
    fn a_job_is_pending_then_running_then_finished_or_failed() {
        // 10,000 times faster: a `sleep 100` takes 10 ms, the pending second 0.1 ms.
        let scheduler = Scheduler::new(10_000.0, Duration::from_secs(1), 1);
        let ok = scheduler.submit(request("sleep 100"));
        let failed = scheduler.submit(request("sleep 100; exit 2"));
        assert_ne!(
            scheduler.get(&ok.uuid).unwrap().phase(10_000.0),
            Phase::Finished
        );
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(
            scheduler.get(&ok.uuid).unwrap().phase(10_000.0),
            Phase::Finished
        );
        assert_eq!(
            scheduler.get(&failed.uuid).unwrap().phase(10_000.0),
            Phase::Failed
        );
        assert_eq!(
            scheduler
                .stop(std::slice::from_ref(&ok.uuid))
                .unwrap_err()
                .0,
            1400
        );
        scheduler.delete(std::slice::from_ref(&ok.uuid)).unwrap();
        assert!(scheduler.get(&ok.uuid).is_none());
        assert_eq!(scheduler.delete(&[ok.uuid]).unwrap_err().0, 2100);
    }

    #[test]
    fn a_deleted_job_s_id_is_never_given_again() {
        let scheduler = Scheduler::new(1.0, Duration::from_secs(60), 1);
        let a = scheduler.submit(request("sleep 1"));
        let b = scheduler.submit(request("sleep 1"));
        scheduler.delete(std::slice::from_ref(&a.uuid)).unwrap();
        let c = scheduler.submit(request("sleep 1"));
        assert_ne!(c.uuid, b.uuid);
        assert_ne!(c.job_id, b.job_id);
    }

    #[test]
    fn a_stopped_job_stays_stopped() {
        let scheduler = Scheduler::new(1.0, Duration::from_secs(60), 1);
        let job = scheduler.submit(request("sleep 1"));
        scheduler.stop(std::slice::from_ref(&job.uuid)).unwrap();
        let job = scheduler.get(&job.uuid).unwrap();
        assert_eq!(job.phase(1.0), Phase::Stopped);
        assert!(job.times(1.0).1.is_some());
    }
}
