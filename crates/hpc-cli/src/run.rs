//! `hpc run --on ehpc|scnet [...] -- CMD...`: submit, follow to the end, print the
//! job's stdout where the cloud offers it (SCNet), exit with the job's outcome.

use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::failure::Failure;
use crate::follow::{self, Ended, Pace};
use crate::target::Target;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Cloud {
    /// QingCloud EHPC.
    Ehpc,
    /// SCNet.
    Scnet,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Which cloud runs the job.
    #[arg(long, value_enum)]
    pub on: Cloud,
    /// The EHPC cluster (default: `EHPC_CLUSTER_ID`, or the sandbox's with --sandbox).
    #[arg(long, env = "EHPC_CLUSTER_ID", value_parser = crate::args::non_blank)]
    pub cluster_id: Option<String>,
    /// The queue (SCNet: a queue name, default the first listed; EHPC: a queue id).
    #[arg(long, value_parser = crate::args::non_blank)]
    pub queue: Option<String>,
    /// Cores (SCNet: processes).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub cores: Option<u32>,
    /// The longest run time, HH:MM:SS.
    #[arg(long, value_parser = walltime)]
    pub walltime: Option<Duration>,
    /// The job's name (default: `hpc-run-<time>-<pid>`, unique to find a doubtful submit).
    #[arg(long, value_parser = crate::args::non_blank)]
    pub name: Option<String>,
    /// Cancel the job on Ctrl-C instead of leaving it running.
    #[arg(long)]
    pub cancel_on_interrupt: bool,
    #[command(flatten)]
    pub pace: Pace,
    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

fn walltime(text: &str) -> Result<Duration, String> {
    match hpc_sdk::scnet::parse_walltime(text) {
        Some(walltime) if !walltime.is_zero() => Ok(walltime),
        _ => Err(format!(
            "`{text}` is not a wall time: use HH:MM:SS, e.g. 02:00:00"
        )),
    }
}

/// The command words as one shell line, quoting what needs it.
fn shell_line(words: &[String]) -> String {
    let quote = |word: &String| {
        let plain = !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
        match plain {
            true => word.clone(),
            false => format!("'{}'", word.replace('\'', r"'\''")),
        }
    };
    words.iter().map(quote).collect::<Vec<_>>().join(" ")
}

fn default_name() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("hpc-run-{secs}-{}", std::process::id())
}

pub async fn run(target: &Target, args: RunArgs) -> Result<(), Failure> {
    let name = args.name.clone().unwrap_or_else(default_name);
    let mut spec = hpc_sdk::JobSpec::new(name, shell_line(&args.command));
    if let Some(queue) = &args.queue {
        spec = spec.queue(queue.clone());
    }
    if let Some(cores) = args.cores {
        spec = spec.cores(cores);
    }
    if let Some(walltime) = args.walltime {
        spec = spec.walltime(walltime);
    }
    match args.on {
        Cloud::Scnet => scnet(target, &args, spec).await,
        Cloud::Ehpc => ehpc(target, &args, spec).await,
    }
}

async fn scnet(target: &Target, args: &RunArgs, mut spec: hpc_sdk::JobSpec) -> Result<(), Failure> {
    let client = target.scnet()?;
    if spec.queue.is_none() {
        let first = client
            .queues()
            .list()
            .send()
            .await?
            .into_iter()
            .find_map(|q| q.queue_name)
            .ok_or_else(|| Failure::Message("the region lists no queue: pass --queue".into()))?;
        spec = spec.queue(first);
    }
    let job = client.jobs().submit().spec(&spec).send().await?;
    eprintln!("submitted SCNet job {}", job.id);
    let ids = vec![job.id.clone()];
    let updates = client
        .jobs()
        .watch(ids.clone())
        .interval(args.pace.poll_interval())
        .stream();
    let ended = follow::follow(&ids, updates, args.pace.timeout).await?;
    if let Ended::Interrupted(_) = ended {
        return interrupted(args, &job.id, "hpc scnet jobs cancel", async {
            client.jobs().cancel(ids.clone()).send().await.map(|_| ())
        })
        .await;
    }
    if let Ended::All(_) = ended {
        let text = client.jobs().output(job.id.clone()).text().await?;
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
    }
    follow::finish(&ended)
}

async fn ehpc(target: &Target, args: &RunArgs, spec: hpc_sdk::JobSpec) -> Result<(), Failure> {
    let cluster_id = target.ehpc_cluster(args.cluster_id.clone())?;
    let client = target.ehpc()?;
    let run_user = crate::ehpc_jobs::first_user(&client, &cluster_id).await?;
    let submit = client.jobs().submit().spec(&spec);
    let job = submit
        .cluster_id(cluster_id.clone())
        .run_user(run_user)
        .send()
        .await?;
    eprintln!("submitted EHPC job {}", job.uuid);
    let ids = vec![job.uuid.clone()];
    let updates = client
        .jobs()
        .watch(ids.clone())
        .cluster_id(cluster_id)
        .interval(args.pace.poll_interval())
        .stream();
    let ended = follow::follow(&ids, updates, args.pace.timeout).await?;
    if let Ended::Interrupted(_) = ended {
        return interrupted(args, &job.uuid, "hpc ehpc jobs stop", async {
            client.jobs().stop(ids.clone()).send().await.map(|_| ())
        })
        .await;
    }
    if let Ended::All(_) = ended {
        eprintln!(
            "EHPC offers no API to read a job's output: see the job's stdout file on the cluster"
        );
    }
    follow::finish(&ended)
}

/// After Ctrl-C: cancel when asked, else say how to.
async fn interrupted(
    args: &RunArgs,
    id: &str,
    cancel_command: &str,
    cancel: impl std::future::Future<Output = hpc_sdk::Result<()>>,
) -> Result<(), Failure> {
    if args.cancel_on_interrupt {
        cancel.await?;
        eprintln!("interrupted: job {id} cancelled");
    } else {
        eprintln!("interrupted: job {id} still runs; cancel it with `{cancel_command} {id}`");
    }
    Err(Failure::Exit(follow::EXIT_INTERRUPTED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell_only_when_needed() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(shell_line(&words(&["echo", "hello"])), "echo hello");
        assert_eq!(
            shell_line(&words(&["echo", "a b", "it's"])),
            r"echo 'a b' 'it'\''s'"
        );
        assert_eq!(shell_line(&words(&["printf", ""])), "printf ''");
    }
}
