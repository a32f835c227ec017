//! The command line, as clap reads it.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// List and watch HPC jobs on QingCloud EHPC and SCNet.
///
/// Credentials come from the environment only (never from flags): EHPC
/// `QY_ACCESS_KEY_ID`, `QY_SECRET_ACCESS_KEY`, `EHPC_ZONE`, `EHPC_ENDPOINT` (or
/// `~/.qingcloud/config.yaml`); SCNet `SCNET_USER` with `SCNET_ACCESS_KEY` and
/// `SCNET_SECRET_KEY` (or `SCNET_PASSWORD` and `SCNET_ORG_ID`), or `SCNET_TOKEN`.
#[derive(Debug, Parser)]
#[command(name = "hpc", version, propagate_version = true)]
pub struct Cli {
    /// How to print records.
    #[arg(long, global = true, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Start the embedded sandbox and point every call at it (no account needed).
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// The most time one command's call may take, in seconds, logins, discovery, retries
    /// and the waits between them included.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 120.0,
          value_parser = parse_deadline)]
    pub deadline: f64,
    /// Log what the SDK does to stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// An aligned table (CJK-aware).
    Table,
    /// One JSON array of the records, with the API's field names.
    Json,
    /// One JSON record per line, streamed as pages arrive.
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// QingCloud EHPC.
    Ehpc {
        #[command(subcommand)]
        command: EhpcCommand,
    },
    /// SCNet (Sugon AC).
    Scnet {
        #[command(subcommand)]
        command: ScnetCommand,
    },
    /// Submit a command to either cloud, follow it to its end and print its output:
    /// exit 0 completed, 3 failed or cancelled, 4 timed out (the job still runs).
    Run(crate::run::RunArgs),
    /// Print a completion script for a shell, e.g. `hpc completions bash > ~/.local/share/bash-completion/completions/hpc`.
    Completions {
        /// The shell: bash, zsh, fish, powershell (or elvish).
        shell: clap_complete::Shell,
    },
    /// Run the sandbox (fake EHPC and SCNet) until interrupted; prints its environment.
    Sandbox {
        /// The first port (EHPC; SCNet takes the next three); 0 picks free ports.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// How many EHPC jobs to serve.
        #[arg(long, default_value_t = 1000)]
        jobs: usize,
        /// How much faster than real time submitted jobs wait and run (a `sleep 60`
        /// takes 0.6 s with 100).
        #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_speed)]
        speed: f64,
    },
}

#[derive(Debug, Subcommand)]
pub enum EhpcCommand {
    /// Jobs.
    Jobs {
        #[command(subcommand)]
        command: EhpcJobsCommand,
    },
    /// Clusters.
    Clusters {
        #[command(subcommand)]
        command: EhpcClustersCommand,
    },
    /// Queues.
    Queues {
        #[command(subcommand)]
        command: EhpcQueuesCommand,
    },
    /// Cluster users (the run users jobs take).
    Users {
        #[command(subcommand)]
        command: EhpcUsersCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum EhpcQueuesCommand {
    /// List an EHPC cluster's queues (their ids go into `jobs submit --queue-id`).
    List(DirectoryArgs),
}

#[derive(Debug, Subcommand)]
pub enum EhpcUsersCommand {
    /// List a cluster's users.
    List(DirectoryArgs),
}

/// `hpc ehpc queues list` and `hpc ehpc users list`.
#[derive(Debug, Args)]
pub struct DirectoryArgs {
    /// The cluster (default: `EHPC_CLUSTER_ID`, or the sandbox's with --sandbox).
    #[arg(long, env = "EHPC_CLUSTER_ID", value_parser = non_blank)]
    pub cluster_id: Option<String>,
    /// Only those whose name matches this keyword.
    #[arg(long)]
    pub search: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Subcommand)]
pub enum EhpcClustersCommand {
    /// List the account's clusters.
    List(ClusterListArgs),
}

/// The paging flags every listing takes.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Items per page (1..=100).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
    /// Start at this offset (at most 9223372036854775807, the API's int64).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub offset: u64,
    /// Follow every page to the end.
    #[arg(long)]
    pub all: bool,
}

/// `hpc ehpc clusters list`.
#[derive(Debug, Args)]
pub struct ClusterListArgs {
    /// Another zone than `EHPC_ZONE`.
    #[arg(long)]
    pub zone: Option<String>,
    /// Only clusters of this owner (e.g. usr-vceaHsJu).
    #[arg(long)]
    pub owner: Option<String>,
    /// Only this cluster.
    #[arg(long)]
    pub cluster_id: Option<String>,
    /// Only clusters of this type: hpc or ehpc.
    #[arg(long = "type")]
    pub cluster_type: Option<String>,
    /// Only clusters in this status: pending, active, stopped, suspended.
    #[arg(long)]
    pub status: Option<String>,
    /// Only clusters whose name matches this keyword.
    #[arg(long)]
    pub search: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Subcommand)]
pub enum EhpcJobsCommand {
    /// List a cluster's jobs.
    List(ListArgs),
    /// Submit a job; prints its uuid, job id and status.
    Submit(SubmitArgs),
    /// One job's details.
    Show(ShowArgs),
    /// Stop (cancel) jobs; jobs that have already ended are reported, not an error.
    Stop(ChangeArgs),
    /// Delete jobs from the cluster's records; jobs already gone are reported.
    Delete(ChangeArgs),
    /// Wait for jobs to end: exit 0 all completed, 3 one failed or was cancelled, 4 timed out.
    Wait(EhpcWaitArgs),
}

/// `hpc ehpc jobs submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The cluster (default: `EHPC_CLUSTER_ID`, or the sandbox's with --sandbox).
    #[arg(long, env = "EHPC_CLUSTER_ID", value_parser = non_blank)]
    pub cluster_id: Option<String>,
    /// The job's name (how a doubtful submit is found again).
    #[arg(long, value_parser = non_blank)]
    pub name: String,
    /// The command line, e.g. 'sleep 600'.
    #[arg(long, value_parser = non_blank)]
    pub cmd: String,
    /// Cores.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..))]
    pub cores: i64,
    /// The cluster user that runs the job (e.g. usr-vceaHsJu; default: the cluster's
    /// first user, when it has one).
    #[arg(long, value_parser = non_blank)]
    pub run_user: Option<String>,
    /// The queue id (e.g. hpcq-df3u98dr).
    #[arg(long)]
    pub queue_id: Option<String>,
    /// Memory limit, MB.
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(i64).range(1..))]
    pub mem_limit: Option<i64>,
    /// Run-time limit, seconds.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(i64).range(1..))]
    pub time_limit: Option<i64>,
    /// Where stdout goes, on the cluster.
    #[arg(long, value_name = "PATH")]
    pub stdout: Option<String>,
    /// Where stderr goes, on the cluster.
    #[arg(long, value_name = "PATH")]
    pub stderr: Option<String>,
    /// Wait for the job to end (exit 0 completed, 3 failed or cancelled, 4 timed out).
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub pace: crate::follow::Pace,
}

/// `hpc ehpc jobs wait`.
#[derive(Debug, Args)]
pub struct EhpcWaitArgs {
    /// The jobs' uuids (hpcjob-...).
    #[arg(required = true, value_parser = non_blank)]
    pub uuids: Vec<String>,
    /// The cluster (default: `EHPC_CLUSTER_ID`, or the sandbox's with --sandbox).
    #[arg(long, env = "EHPC_CLUSTER_ID", value_parser = non_blank)]
    pub cluster_id: Option<String>,
    #[command(flatten)]
    pub pace: crate::follow::Pace,
}

/// `hpc ehpc jobs show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The job's uuid (hpcjob-...).
    #[arg(value_parser = non_blank)]
    pub uuid: String,
    /// The cluster (default: `EHPC_CLUSTER_ID`, or the sandbox's with --sandbox).
    #[arg(long, env = "EHPC_CLUSTER_ID", value_parser = non_blank)]
    pub cluster_id: Option<String>,
}

/// `hpc ehpc jobs stop` and `hpc ehpc jobs delete`.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// The jobs' uuids (hpcjob-...).
    #[arg(required = true, value_parser = non_blank)]
    pub uuids: Vec<String>,
    /// The cluster (default: `EHPC_CLUSTER_ID`, or the sandbox's with --sandbox).
    #[arg(long, env = "EHPC_CLUSTER_ID", value_parser = non_blank)]
    pub cluster_id: Option<String>,
}

/// `hpc ehpc jobs list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The cluster (default: `EHPC_CLUSTER_ID`, or the sandbox's with --sandbox).
    #[arg(long, env = "EHPC_CLUSTER_ID", value_parser = non_blank)]
    pub cluster_id: Option<String>,
    /// Another zone than `EHPC_ZONE`.
    #[arg(long)]
    pub zone: Option<String>,
    /// Only jobs in this status: pending, running, finished, exited, cancelled.
    #[arg(long)]
    pub status: Option<String>,
    /// Only jobs of this queue.
    #[arg(long)]
    pub queue: Option<String>,
    /// Only jobs run by this user.
    #[arg(long)]
    pub user: Option<String>,
    /// Only jobs matching this keyword.
    #[arg(long)]
    pub search: Option<String>,
    /// Sort by this field.
    #[arg(long)]
    pub sort_key: Option<String>,
    /// Sort descending.
    #[arg(long)]
    pub reverse: bool,
    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Subcommand)]
pub enum ScnetCommand {
    /// Jobs.
    Jobs {
        #[command(subcommand)]
        command: ScnetJobsCommand,
    },
    /// CPU time used (the raw number; its unit is disputed: machine-hours or core-seconds).
    Walltime {
        /// The cluster user (default: discovered).
        #[arg(long)]
        user: Option<String>,
    },
    /// Log in and list the regions, and which have a token (tokens are never printed).
    Regions,
    /// The region's schedulers: their ids are the scheduler ids job calls take.
    Schedulers {
        /// The region (default: `SCNET_REGION`, else the first with a token).
        #[arg(long)]
        region: Option<String>,
    },
    /// The queues the cluster user may submit to, with their limits.
    Queues(crate::scnet_args::Where),
    /// The cluster's files, through the region's efile service.
    Files {
        #[command(subcommand)]
        command: crate::scnet_files::FilesCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScnetJobsCommand {
    /// Job counts by state.
    State {
        /// The cluster user (default: discovered).
        #[arg(long)]
        user: Option<String>,
    },
    /// A group member's live jobs.
    Members {
        /// The region (cluster) id.
        #[arg(long)]
        cluster_id: i64,
        /// The group id.
        #[arg(long)]
        group_id: i64,
        /// The member's cluster user name.
        #[arg(long)]
        user: String,
    },
    /// Submit a job; prints its id (exit 1 with a hint when it may or may not exist).
    Submit(crate::scnet_args::SubmitArgs),
    /// The realtime list: queued and running jobs, and jobs that ended in the last five minutes.
    List(crate::scnet_args::ListArgs),
    /// One job: its realtime details, else its history record.
    Show(crate::scnet_args::ShowArgs),
    /// Cancel jobs; jobs that have already ended are reported, not an error.
    Cancel(crate::scnet_args::CancelArgs),
    /// Finished jobs over a time window.
    History(crate::scnet_args::HistoryArgs),
    /// A job's stdout (or stderr), streamed as it is read.
    Logs(crate::scnet_args::LogsArgs),
    /// Wait for jobs to end: exit 0 all completed, 3 one failed or was cancelled, 4 timed out.
    Wait(crate::scnet_args::WaitArgs),
}

/// A positive, finite number of seconds.
fn parse_deadline(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if seconds.is_finite() && seconds > 0.0 && seconds <= 1e9 {
        Ok(seconds)
    } else {
        Err(format!(
            "`{text}`: the deadline must be more than 0 and at most 1e9 seconds"
        ))
    }
}

fn parse_speed(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed > 0.0 && speed <= 1e6 => Ok(speed),
        _ => Err(format!(
            "`{text}`: the speed factor must be above 0 and at most 1e6"
        )),
    }
}

/// A value with its surrounding white space trimmed (a `$(cat file)` newline), refused
/// when nothing is left.
pub(crate) fn non_blank(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(trimmed.to_string())
    }
}
