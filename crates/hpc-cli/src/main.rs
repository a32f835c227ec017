//! `hpc`: the SDK's main job in a terminal.

mod args;
mod commands;
mod ehpc_directory;
mod ehpc_jobs;
mod failure;
mod follow;
mod inert;
mod output;
mod run;
mod scnet_args;
mod scnet_files;
mod scnet_jobs;
mod scnet_records;
mod target;

use std::process::ExitCode;

use clap::Parser;

use args::{
    Cli, Command, EhpcClustersCommand, EhpcCommand, EhpcJobsCommand, EhpcQueuesCommand,
    EhpcUsersCommand, Output, ScnetCommand, ScnetJobsCommand,
};
use failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return Failure::Io(error).report(),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// The `hpc ehpc ...` commands.
async fn ehpc(
    target: &target::Target,
    format: Output,
    command: EhpcCommand,
) -> Result<(), Failure> {
    match command {
        EhpcCommand::Jobs { command } => match command {
            EhpcJobsCommand::List(args) => commands::ehpc_jobs_list(target, format, args).await,
            EhpcJobsCommand::Submit(args) => ehpc_jobs::submit(target, format, args).await,
            EhpcJobsCommand::Show(args) => ehpc_jobs::show(target, format, args).await,
            EhpcJobsCommand::Stop(args) => {
                ehpc_jobs::change(target, format, args, ehpc_jobs::Change::Stop).await
            }
            EhpcJobsCommand::Delete(args) => {
                ehpc_jobs::change(target, format, args, ehpc_jobs::Change::Delete).await
            }
            EhpcJobsCommand::Wait(args) => ehpc_jobs::wait(target, format, args).await,
        },
        EhpcCommand::Clusters {
            command: EhpcClustersCommand::List(args),
        } => commands::ehpc_clusters_list(target, format, args).await,
        EhpcCommand::Queues {
            command: EhpcQueuesCommand::List(args),
        } => ehpc_directory::queues(target, format, args).await,
        EhpcCommand::Users {
            command: EhpcUsersCommand::List(args),
        } => ehpc_directory::users(target, format, args).await,
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let format = cli.output;
    let scnet = match cli.command {
        Command::Completions { shell } => {
            use clap::CommandFactory;
            use std::io::Write;
            // Written whole, then sent: the generator panics on a write error (a closed
            // pipe), which the buffer keeps it from seeing.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "hpc", &mut script);
            let mut out = std::io::stdout().lock();
            out.write_all(&script)?;
            return Ok(out.flush()?);
        }
        Command::Sandbox { port, jobs, speed } => {
            return commands::sandbox(port, jobs, speed).await;
        }
        Command::Ehpc { command } => {
            let target = target::Target::new(cli.sandbox, cli.deadline).await?;
            return ehpc(&target, format, command).await;
        }
        Command::Run(args) => {
            let target = target::Target::new(cli.sandbox, cli.deadline).await?;
            return run::run(&target, args).await;
        }
        Command::Scnet { command } => command,
    };
    let target = target::Target::new(cli.sandbox, cli.deadline).await?;
    match scnet {
        ScnetCommand::Walltime { user } => commands::scnet_walltime(&target, format, user).await,
        ScnetCommand::Regions => commands::scnet_regions(&target, format).await,
        ScnetCommand::Schedulers { region } => {
            commands::scnet_schedulers(&target, format, region).await
        }
        ScnetCommand::Queues(args) => scnet_jobs::queues(&target, format, args).await,
        ScnetCommand::Jobs { command } => scnet_job(&target, format, command).await,
        ScnetCommand::Files { command } => scnet_files::run(&target, format, command).await,
    }
}

/// The `hpc scnet jobs ...` commands of the lifecycle.
async fn scnet_job(
    target: &target::Target,
    format: Output,
    command: ScnetJobsCommand,
) -> Result<(), Failure> {
    match command {
        ScnetJobsCommand::State { user } => commands::scnet_job_state(target, format, user).await,
        ScnetJobsCommand::Members {
            cluster_id,
            group_id,
            user,
        } => commands::scnet_members(target, format, cluster_id, group_id, user).await,
        ScnetJobsCommand::Submit(args) => scnet_jobs::submit(target, format, args).await,
        ScnetJobsCommand::List(args) => scnet_jobs::list(target, format, args).await,
        ScnetJobsCommand::Show(args) => scnet_jobs::show(target, format, args).await,
        ScnetJobsCommand::Cancel(args) => scnet_jobs::cancel(target, format, args).await,
        ScnetJobsCommand::History(args) => scnet_jobs::history(target, format, args).await,
        ScnetJobsCommand::Logs(args) => scnet_jobs::logs(target, args).await,
        ScnetJobsCommand::Wait(args) => scnet_jobs::wait(target, format, args).await,
    }
}

/// `-v` info, `-vv` debug, `-vvv` trace, on stderr; the SDK never logs a secret.
fn init_tracing(verbose: u8) {
    use tracing_subscriber::filter::LevelFilter;
    let level = match verbose {
        0 => return,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .init();
}
