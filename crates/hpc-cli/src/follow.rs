//! Following jobs to their end for `jobs wait`, `jobs submit --wait` and `hpc run`: a
//! spinner with the states and the elapsed time on a terminal, one line per change on a
//! pipe (both on stderr), a timeout, Ctrl-C, and the exit codes scripts rely on.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use clap::Args;
use futures::TryStreamExt;
use hpc_sdk::{JobStatus, PollInterval, UpdateStream};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::failure::Failure;
use crate::output::Record;

/// Every job completed.
pub const EXIT_COMPLETED: u8 = 0;
/// A job failed or was cancelled.
pub const EXIT_FAILED: u8 = 3;
/// The wait timed out; the jobs still run.
pub const EXIT_TIMED_OUT: u8 = 4;
/// Ctrl-C stopped the wait.
pub const EXIT_INTERRUPTED: u8 = 130;

/// How long to wait and how often to look.
#[derive(Debug, Args, Clone, Copy)]
pub struct Pace {
    /// Stop waiting after this many seconds (exit 4; the jobs go on running).
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub timeout: Option<f64>,
    /// The shortest wait between polls, in seconds (default 2); while nothing changes
    /// the wait grows to 60 s, or to SECS if that is longer.
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub interval: Option<f64>,
}

impl Pace {
    pub fn poll_interval(&self) -> PollInterval {
        match self.interval {
            None => PollInterval::default(),
            Some(secs) => {
                let min = Duration::from_secs_f64(secs);
                PollInterval::default()
                    .max(min.max(Duration::from_secs(60)))
                    .min(min)
            }
        }
    }
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 1e9 => Ok(secs),
        _ => Err(format!("`{text}` is not a number of seconds above 0")),
    }
}

/// How a wait ended.
pub enum Ended {
    /// Every job reached a final status.
    All(BTreeMap<String, JobStatus>),
    /// The timeout came first; the statuses known then.
    TimedOut(BTreeMap<String, JobStatus>),
    /// Ctrl-C came first.
    Interrupted(BTreeMap<String, JobStatus>),
}

impl Ended {
    pub fn statuses(&self) -> &BTreeMap<String, JobStatus> {
        match self {
            Ended::All(s) | Ended::TimedOut(s) | Ended::Interrupted(s) => s,
        }
    }

    /// 0 all completed, 3 one failed or was cancelled, 4 timed out, 130 interrupted.
    pub fn exit_code(&self) -> u8 {
        let failed = self
            .statuses()
            .values()
            .any(|s| matches!(s, JobStatus::Failed | JobStatus::Cancelled));
        match self {
            _ if failed => EXIT_FAILED,
            Ended::All(_) => EXIT_COMPLETED,
            Ended::TimedOut(_) => EXIT_TIMED_OUT,
            Ended::Interrupted(_) => EXIT_INTERRUPTED,
        }
    }
}

/// Follows `updates` for `ids` until they end, the timeout or Ctrl-C.
pub async fn follow(
    ids: &[String],
    mut updates: UpdateStream,
    timeout: Option<f64>,
) -> Result<Ended, Failure> {
    let started = Instant::now();
    let mut known: BTreeMap<String, JobStatus> = BTreeMap::new();
    let spinner = spinner();
    let deadline = timeout.map(|secs| tokio::time::Instant::now() + Duration::from_secs_f64(secs));
    let show = |known: &BTreeMap<String, JobStatus>| summary(ids, known, started.elapsed());
    if let Some(bar) = &spinner {
        bar.set_message(show(&known));
    }
    // One listener for the whole wait: a fresh `ctrl_c()` each turn would miss a Ctrl-C
    // that came while the previous update was printed.
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    let ended = loop {
        let next = async {
            match deadline {
                Some(at) => tokio::time::timeout_at(at, updates.try_next()).await.ok(),
                None => Some(updates.try_next().await),
            }
        };
        // `biased`, the listener first: `ctrl_c()` installs its handler when first
        // polled, and an unbiased select that found an update ready first printed it
        // with no handler yet, so a Ctrl-C right after the first line killed the process.
        let next = tokio::select! {
            biased;
            _ = &mut interrupt => break Ended::Interrupted(known),
            next = next => next,
        };
        match next {
            None => break Ended::TimedOut(known),
            Some(Ok(None)) => break Ended::All(known),
            Some(Ok(Some(update))) => {
                if spinner.is_none() {
                    eprintln!("{} {}", update.id, update.status);
                }
                known.insert(update.id, update.status);
                if let Some(bar) = &spinner {
                    bar.set_message(show(&known));
                }
            }
            Some(Err(error)) => {
                if let Some(bar) = &spinner {
                    bar.finish_and_clear();
                }
                return Err(error.into());
            }
        }
    };
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    Ok(ended)
}

fn spinner() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}

/// `ID running (12s)` for one job; counts by status for several.
fn summary(ids: &[String], known: &BTreeMap<String, JobStatus>, elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    if let [id] = ids {
        let status = known.get(id).map_or(
            "waiting for a first answer".to_string(),
            ToString::to_string,
        );
        return format!("{id} {status} ({secs}s)");
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for id in ids {
        let status = known
            .get(id)
            .map_or("unknown".to_string(), ToString::to_string);
        *counts.entry(status).or_default() += 1;
    }
    let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    format!("{} jobs: {} ({secs}s)", ids.len(), counts.join(", "))
}

/// One job's status at the end of a wait.
#[derive(Serialize)]
pub struct Final {
    pub id: String,
    pub status: String,
}

impl Record for Final {
    fn headers() -> &'static [&'static str] {
        &["JOB_ID", "STATUS"]
    }

    fn row(&self) -> Vec<String> {
        vec![self.id.clone(), self.status.clone()]
    }
}

/// Prints each job's last status (`unknown` if none came) and chooses the exit.
pub fn report(format: crate::args::Output, ids: &[String], ended: &Ended) -> Result<(), Failure> {
    let mut out = crate::output::stdout_printer(format);
    for id in ids {
        let status = ended
            .statuses()
            .get(id)
            .map_or("unknown".to_string(), ToString::to_string);
        out.push(&Final {
            id: id.clone(),
            status,
        })?;
    }
    out.finish::<Final>()?;
    finish(ended)
}

/// The exit of a wait, with a word on stderr when it did not end by itself.
pub fn finish(ended: &Ended) -> Result<(), Failure> {
    match ended {
        Ended::TimedOut(_) => eprintln!("timed out: the jobs still run"),
        Ended::Interrupted(_) => eprintln!("interrupted: the jobs still run"),
        Ended::All(_) => {}
    }
    match ended.exit_code() {
        EXIT_COMPLETED => Ok(()),
        code => Err(Failure::Exit(code)),
    }
}
