//! Watching many jobs until they end (issue 15): the realtime listings each poll costs
//! against the one request per job per interval of per-job polling, and how long after a
//! job's end the watch reports its final status.
//!
//! The sandbox's SCNet scheduler runs `sleep N` jobs on a scaled clock, so a job's end is
//! known: its submit, plus the pending time and `N`, divided by the speed. The submit's
//! answer comes a little after the sandbox stamped the job, so the delays measured are
//! at most that much too short (well under a millisecond on loopback).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use hpc_sandbox::Sandbox;
use hpc_sdk::{BoxFuture, JobStatus, PollInterval, Sleep};

use crate::report::{Row, Target, duration, percentile};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The realtime listing's route.
const LIST: &str = "/hpc/openapi/v2/jobs";
/// Scaled seconds per real second.
pub const SPEED: f64 = 100.0;
/// The poll interval's bounds.
const MIN_WAIT: Duration = Duration::from_millis(50);
const MAX_WAIT: Duration = Duration::from_millis(400);

/// Sleeps for real and counts the sleeps: with no retries, the waits between polls.
#[derive(Default)]
struct Counted(AtomicUsize);

impl Sleep for Counted {
    fn sleep(&self, wait: Duration) -> BoxFuture {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(tokio::time::sleep(wait))
    }
}

/// Submits `jobs` jobs, watches them all to their end, and reports.
pub async fn run(sandbox: &Sandbox, jobs: usize) -> Result<Vec<Row>, BoxError> {
    let sleeps = Arc::new(Counted::default());
    let client = hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))?
        .sleep(sleeps.clone())
        .build()?;
    let pending = hpc_sandbox::DEFAULT_PENDING;
    let mut ends = HashMap::new();
    for i in 0..jobs {
        // Runs of 300 to 599 scaled seconds (3 to 6 s): all end after the last submit,
        // at many different polls.
        let run = Duration::from_secs(300 + (i as u64 * 7919) % 300);
        let submit = client
            .jobs()
            .submit()
            .name(format!("watch-{i}"))
            .command(format!("sleep {}", run.as_secs()))
            .queue("comp");
        let job = submit.send().await?;
        ends.insert(job.id, Instant::now() + (pending + run).div_f64(SPEED));
    }
    let ids: Vec<String> = ends.keys().cloned().collect();
    let (lists_before, slept_before) =
        (sandbox.request_count(LIST), sleeps.0.load(Ordering::SeqCst));
    let interval = PollInterval::default().min(MIN_WAIT).max(MAX_WAIT);
    let mut updates = client.jobs().watch(ids.clone()).interval(interval).stream();
    let mut delays = Vec::new();
    while let Some(update) = updates.try_next().await? {
        if update.status.is_final() {
            let end = ends[&update.id];
            delays.push(Instant::now().saturating_duration_since(end));
            if update.status != JobStatus::Completed {
                return Err(format!("job {} ended {}", update.id, update.status).into());
            }
        }
    }
    if delays.len() != jobs {
        return Err(format!("{} of {jobs} jobs reported final", delays.len()).into());
    }
    let polls = sleeps.0.load(Ordering::SeqCst) - slept_before + 1;
    let listings = sandbox.request_count(LIST) - lists_before;
    let per_poll = listings as f64 / polls as f64;
    delays.sort();
    let case =
        |what: &str| format!("watching {jobs} SCNet jobs to their end ({polls} polls), {what}");
    Ok(vec![
        Row {
            area: "watching",
            case: case("requests per poll interval"),
            measured: format!("{per_poll:.2}"),
            reference: String::new(),
            ratio: Some(per_poll / 2.0),
            target: Target::Budget("2 requests"),
        },
        Row {
            area: "watching",
            case: case("requests per poll interval against per-job polling"),
            measured: format!("{per_poll:.2} SDK"),
            reference: format!("{jobs} per-job polling"),
            ratio: Some(per_poll / jobs as f64),
            target: Target::None,
        },
        Row::context(
            "watching",
            case("delay from a job's end to its final status, p50"),
            duration(percentile(&delays, 50.0)),
        ),
        Row::context(
            "watching",
            case(&format!(
                "delay from a job's end to its final status, max (interval {}–{})",
                duration(MIN_WAIT),
                duration(MAX_WAIT)
            )),
            duration(percentile(&delays, 100.0)),
        ),
    ])
}
