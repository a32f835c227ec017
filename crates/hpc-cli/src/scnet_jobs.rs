//! `hpc scnet jobs submit | list | show | cancel | history | logs` and `hpc scnet queues`.

use std::io::Write;

use futures::TryStreamExt;
use hpc_sdk::Error;

use crate::args::Output;
use crate::failure::Failure;
use crate::output::{print_listing, stdout_printer};
use crate::scnet_args::{
    CancelArgs, HistoryArgs, ListArgs, LogsArgs, ShowArgs, SubmitArgs, WaitArgs, Where,
};
use crate::scnet_records::{Cancelled, Shown, Submitted};
use crate::target::Target;

pub async fn submit(target: &Target, format: Output, args: SubmitArgs) -> Result<(), Failure> {
    let client = target.scnet()?;
    let (region, scheduler) = (args.target.region.clone(), args.target.scheduler_id.clone());
    let mut request = client
        .jobs()
        .submit()
        .name(args.name.clone())
        .command(args.cmd)
        .queue(args.queue);
    if let Some(region) = args.target.region {
        request = request.region(region);
    }
    if let Some(id) = args.target.scheduler_id {
        request = request.scheduler_id(id);
    }
    if let Some(nodes) = args.nodes {
        request = request.nodes(nodes);
    }
    if let Some(procs) = args.procs {
        request = request.processes(procs);
    }
    if let Some(ppn) = args.ppn {
        request = request.processes_per_node(ppn);
    }
    if let Some(walltime) = args.walltime {
        request = request.walltime(walltime);
    }
    if let Some(dir) = args.workdir {
        request = request.work_dir(dir);
    }
    if let Some(path) = args.stdout {
        request = request.stdout(path);
    }
    if let Some(path) = args.stderr {
        request = request.stderr(path);
    }
    let job = match request.send().await {
        Ok(job) => job,
        Err(doubt @ Error::MaybeSubmitted { .. }) => {
            let check = format!(
                "the job may exist: check with `hpc scnet jobs list --name '{}'` (and `hpc scnet jobs history --name '{}'`) before submitting again",
                args.name, args.name
            );
            return Err(Failure::Hinted(doubt, check));
        }
        Err(error) => return Err(error.into()),
    };
    let mut out = stdout_printer(format);
    let ids = vec![job.id.clone()];
    out.push(&Submitted {
        id: job.id,
        scheduler_id: job.scheduler_id.clone(),
        name: job.name,
        stdout: job.stdout,
        stderr: job.stderr,
    })?;
    out.finish::<Submitted>()?;
    if !args.wait {
        return Ok(());
    }
    let target = Where {
        region,
        scheduler_id: scheduler.or(Some(job.scheduler_id)),
    };
    let ended = follow(&client, &ids, &target, args.pace).await?;
    crate::follow::finish(&ended)
}

/// `hpc scnet jobs wait`: each job's final status, and the exit of the wait.
pub async fn wait(target: &Target, format: Output, args: WaitArgs) -> Result<(), Failure> {
    let client = target.scnet()?;
    let ended = follow(&client, &args.ids, &args.target, args.pace).await?;
    crate::follow::report(format, &args.ids, &ended)
}

async fn follow(
    client: &hpc_sdk::scnet::Client,
    ids: &[String],
    target: &Where,
    pace: crate::follow::Pace,
) -> Result<crate::follow::Ended, Failure> {
    let mut watch = client
        .jobs()
        .watch(ids.to_vec())
        .interval(pace.poll_interval());
    if let Some(region) = &target.region {
        watch = watch.region(region.clone());
    }
    if let Some(id) = &target.scheduler_id {
        watch = watch.scheduler_id(id.clone());
    }
    crate::follow::follow(ids, watch.stream(), pace.timeout).await
}

/// A realtime state as `--status` takes it: a name, or the API's code as given.
fn realtime_code(status: &str) -> String {
    match status.to_ascii_lowercase().as_str() {
        "queued" | "pending" => "statQ",
        "running" => "statR",
        "held" => "statH",
        "suspended" => "statS",
        "completed" | "ended" => "statC",
        _ => status,
    }
    .to_string()
}

/// A history state as `--status` takes it.
fn history_code(status: &str) -> String {
    match status.to_ascii_lowercase().as_str() {
        "completed" => "statC",
        "failed" => "statD",
        "cancelled" | "canceled" => "statDE",
        "timeout" => "statT",
        "requeued" => "statRQ",
        "node-failure" => "statN",
        _ => status,
    }
    .to_string()
}

pub async fn list(target: &Target, format: Output, args: ListArgs) -> Result<(), Failure> {
    let mut request = target
        .scnet()?
        .jobs()
        .list()
        .page_size(args.page.limit)
        .offset(args.page.offset);
    if let Some(region) = args.target.region {
        request = request.region(region);
    }
    if let Some(id) = args.target.scheduler_id {
        request = request.scheduler_id(id);
    }
    if let Some(status) = args.status {
        request = request.status(realtime_code(&status));
    }
    if let Some(name) = args.name {
        request = request.name(name);
    }
    if let Some(queue) = args.queue {
        request = request.queue(queue);
    }
    if args.all_users {
        request = request.all_users();
    }
    print_listing(
        format,
        args.page.all,
        request.clone().send(),
        request.items(),
    )
    .await
}

pub async fn history(target: &Target, format: Output, args: HistoryArgs) -> Result<(), Failure> {
    let mut request = target
        .scnet()?
        .history()
        .list()
        .page_size(args.page.limit)
        .offset(args.page.offset);
    if let Some(region) = args.target.region {
        request = request.region(region);
    }
    if let Some(id) = args.target.scheduler_id {
        request = request.scheduler_id(id);
    }
    if let Some(since) = args.since {
        request = request.since(since);
    }
    if let Some(until) = args.until {
        request = request.until(until);
    }
    if let Some(status) = args.status {
        request = request.state(history_code(&status));
    }
    if let Some(name) = args.name {
        request = request.name(name);
    }
    print_listing(
        format,
        args.page.all,
        request.clone().send(),
        request.items(),
    )
    .await
}

pub async fn show(target: &Target, format: Output, args: ShowArgs) -> Result<(), Failure> {
    let mut request = target.scnet()?.jobs().get(args.id.clone());
    if let Some(region) = args.target.region {
        request = request.region(region);
    }
    if let Some(id) = args.target.scheduler_id {
        request = request.scheduler_id(id);
    }
    let record = request.send().await?.ok_or_else(|| not_found(&args.id))?;
    let mut out = stdout_printer(format);
    out.push(&Shown::from(record))?;
    Ok(out.finish::<Shown>()?)
}

fn not_found(id: &str) -> Failure {
    Failure::Message(format!(
        "no job {id} in the realtime list or the last 30 days of history"
    ))
}

pub async fn cancel(target: &Target, format: Output, args: CancelArgs) -> Result<(), Failure> {
    let mut request = target.scnet()?.jobs().cancel(args.ids.clone());
    if let Some(region) = args.target.region {
        request = request.region(region);
    }
    if let Some(id) = args.target.scheduler_id {
        request = request.scheduler_id(id);
    }
    let outcome = request.send().await?;
    let mut out = stdout_printer(format);
    for id in args.ids {
        let kept = outcome.unchanged.contains(&id);
        out.push(&Cancelled {
            outcome: if kept { "already ended" } else { "cancelling" },
            job_id: id,
        })?;
    }
    Ok(out.finish::<Cancelled>()?)
}

/// Streams the output as it is read; the format flag does not apply (it is the job's text).
pub async fn logs(target: &Target, args: LogsArgs) -> Result<(), Failure> {
    let mut request = target.scnet()?.jobs().output(args.id).stderr(args.stderr);
    if let Some(region) = args.target.region {
        request = request.region(region);
    }
    if let Some(id) = args.target.scheduler_id {
        request = request.scheduler_id(id);
    }
    let mut chunks = request.stream();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    while let Some(chunk) = chunks.try_next().await? {
        out.write_all(chunk.as_bytes())?;
    }
    Ok(out.flush()?)
}

pub async fn queues(target: &Target, format: Output, args: Where) -> Result<(), Failure> {
    let mut request = target.scnet()?.queues().list();
    if let Some(region) = args.region {
        request = request.region(region);
    }
    if let Some(id) = args.scheduler_id {
        request = request.scheduler_id(id);
    }
    let queues = request.send().await?;
    let mut out = stdout_printer(format);
    for queue in &queues {
        out.push(queue)?;
    }
    Ok(out.finish::<hpc_sdk::scnet::types::Queue>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_become_codes_and_codes_pass_through() {
        assert_eq!(realtime_code("running"), "statR");
        assert_eq!(realtime_code("statW"), "statW");
        assert_eq!(history_code("failed"), "statD");
        assert_eq!(history_code("cancelled"), "statDE");
        assert_eq!(history_code("statN"), "statN");
    }
}
