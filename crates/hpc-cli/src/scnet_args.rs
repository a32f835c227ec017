//! The arguments of `hpc scnet jobs ...` and `hpc scnet queues`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;

use crate::args::{PageArgs, non_blank};

/// Where a job call goes: the region and its scheduler.
#[derive(Debug, Args)]
pub struct Where {
    /// The region (default: `SCNET_REGION`, else the first with a token).
    #[arg(long, value_parser = non_blank)]
    pub region: Option<String>,
    /// The scheduler (see `hpc scnet schedulers`; needed when the region has several).
    #[arg(long, value_parser = non_blank)]
    pub scheduler_id: Option<String>,
}

/// `hpc scnet jobs submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The job's name (how a doubtful submit is found again).
    #[arg(long, value_parser = non_blank)]
    pub name: String,
    /// The command line, e.g. 'sleep 600'.
    #[arg(long, value_parser = non_blank)]
    pub cmd: String,
    /// The queue (see `hpc scnet queues`).
    #[arg(long, value_parser = non_blank)]
    pub queue: String,
    /// Nodes.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub nodes: Option<u32>,
    /// Processes in all.
    #[arg(long, conflicts_with = "ppn", value_parser = clap::value_parser!(u32).range(1..))]
    pub procs: Option<u32>,
    /// Processes per node.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub ppn: Option<u32>,
    /// The longest run time, HH:MM:SS (default 01:00:00).
    #[arg(long, value_parser = parse_walltime)]
    pub walltime: Option<Duration>,
    /// The working directory on the cluster (absolute; default the cluster user's home).
    #[arg(long, value_parser = non_blank)]
    pub workdir: Option<String>,
    /// The stdout file on the cluster (`%j` is the job id).
    #[arg(long, value_name = "PATH", value_parser = non_blank)]
    pub stdout: Option<String>,
    /// The stderr file on the cluster (`%j` is the job id).
    #[arg(long, value_name = "PATH", value_parser = non_blank)]
    pub stderr: Option<String>,
    /// Wait for the job to end (exit 0 completed, 3 failed or cancelled, 4 timed out).
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub pace: crate::follow::Pace,
    #[command(flatten)]
    pub target: Where,
}

/// `hpc scnet jobs wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The job ids.
    #[arg(required = true, value_parser = non_blank)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub pace: crate::follow::Pace,
    #[command(flatten)]
    pub target: Where,
}

/// `hpc scnet jobs list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only jobs in this state: queued, running, held, completed (ended), or a code such as statR.
    #[arg(long, value_parser = non_blank)]
    pub status: Option<String>,
    /// Only jobs of this name.
    #[arg(long, value_parser = non_blank)]
    pub name: Option<String>,
    /// Only jobs of this queue.
    #[arg(long, value_parser = non_blank)]
    pub queue: Option<String>,
    /// Every user's jobs, not only the cluster user's.
    #[arg(long)]
    pub all_users: bool,
    #[command(flatten)]
    pub page: PageArgs,
    #[command(flatten)]
    pub target: Where,
}

/// `hpc scnet jobs show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The job id, e.g. 35919.
    #[arg(value_parser = non_blank)]
    pub id: String,
    #[command(flatten)]
    pub target: Where,
}

/// `hpc scnet jobs cancel`.
#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The job ids.
    #[arg(required = true, value_parser = non_blank)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub target: Where,
}

/// `hpc scnet jobs history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The window's start: RFC 3339, or `YYYY-MM-DD [HH:MM:SS]` in China time, the API's
    /// (default: seven days before --until).
    #[arg(long, value_parser = parse_date)]
    pub since: Option<DateTime<Utc>>,
    /// The window's end, in the same forms (default: now).
    #[arg(long, value_parser = parse_date)]
    pub until: Option<DateTime<Utc>>,
    /// Only jobs in this state: completed, failed, cancelled, timeout, or a code such as statD.
    #[arg(long, value_parser = non_blank)]
    pub status: Option<String>,
    /// Only jobs of this name.
    #[arg(long, value_parser = non_blank)]
    pub name: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
    #[command(flatten)]
    pub target: Where,
}

/// `hpc scnet jobs logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The job id.
    #[arg(value_parser = non_blank)]
    pub id: String,
    /// Print stderr instead of stdout.
    #[arg(long)]
    pub stderr: bool,
    #[command(flatten)]
    pub target: Where,
}

fn parse_walltime(text: &str) -> Result<Duration, String> {
    match hpc_sdk::scnet::parse_walltime(text) {
        Some(walltime) if !walltime.is_zero() => Ok(walltime),
        _ => Err(format!(
            "`{text}` is not a wall time: use HH:MM:SS, e.g. 02:00:00"
        )),
    }
}

/// RFC 3339, or a date (and time) without a zone, read as China time like the API's.
fn parse_date(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.to_utc());
    }
    let china = chrono::FixedOffset::east_opt(8 * 3600).ok_or("no +08:00 offset")?;
    let bare = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|day| day.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .map_err(|_| {
            format!("`{text}` is not a date: use 2026-11-30, '2026-11-30 08:00:00' or RFC 3339")
        })?;
    bare.and_local_timezone(china)
        .single()
        .map(|at| at.to_utc())
        .ok_or_else(|| format!("`{text}` is not a time in China time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_without_a_zone_are_china_time() {
        let day = parse_date("2026-11-30").unwrap();
        assert_eq!(day.to_rfc3339(), "2026-11-29T16:00:00+00:00");
        let at = parse_date("2026-11-30 08:00:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-30T00:00:00+00:00");
        assert_eq!(
            parse_date("2026-11-30T08:00:00Z").unwrap().to_rfc3339(),
            "2026-11-30T08:00:00+00:00"
        );
        assert!(parse_date("yesterday").is_err());
        assert!(parse_walltime("00:00:00").is_err());
        assert_eq!(parse_walltime("01:00:00"), Ok(Duration::from_secs(3600)));
    }
}
