//! `hpc ehpc jobs submit | show | stop | delete`.

use serde::Serialize;

use crate::args::{ChangeArgs, EhpcWaitArgs, Output, ShowArgs, SubmitArgs};
use crate::failure::Failure;
use crate::output::{Record, opt, stdout_printer};
use crate::target::Target;

/// What a submit printed.
#[derive(Serialize)]
struct Submitted {
    hpcjob_uuid: String,
    job_id: Option<i64>,
    job_status: String,
}

impl Record for Submitted {
    fn headers() -> &'static [&'static str] {
        &["UUID", "JOB_ID", "STATUS"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            self.hpcjob_uuid.clone(),
            opt(&self.job_id),
            self.job_status.clone(),
        ]
    }
}

pub async fn submit(target: &Target, format: Output, args: SubmitArgs) -> Result<(), Failure> {
    let cluster_id = target.ehpc_cluster(args.cluster_id)?;
    let client = target.ehpc()?;
    let run_user = match args.run_user {
        Some(user) => user,
        None => first_user(&client, &cluster_id).await?,
    };
    let mut request = client
        .jobs()
        .submit()
        .cluster_id(cluster_id.clone())
        .name(args.name)
        .cmd_line(args.cmd)
        .cores(args.cores)
        .run_user(run_user);
    if let Some(queue) = args.queue_id {
        request = request.queue_id(queue);
    }
    if let Some(mb) = args.mem_limit {
        request = request.mem_limit(mb);
    }
    if let Some(secs) = args.time_limit {
        request = request.time_limit(secs);
    }
    if let Some(path) = args.stdout {
        request = request.stdout(path);
    }
    if let Some(path) = args.stderr {
        request = request.stderr(path);
    }
    let job = request.send().await?;
    let mut out = stdout_printer(format);
    let uuid = job.uuid.clone();
    out.push(&Submitted {
        hpcjob_uuid: job.uuid,
        job_id: job.job_id,
        job_status: job.status.to_string(),
    })?;
    out.finish::<Submitted>()?;
    if !args.wait {
        return Ok(());
    }
    let ids = vec![uuid];
    let ended = follow(&client, cluster_id, &ids, args.pace).await?;
    crate::follow::finish(&ended)
}

/// `hpc ehpc jobs wait`: each job's final status, and the exit of the wait.
pub async fn wait(target: &Target, format: Output, args: EhpcWaitArgs) -> Result<(), Failure> {
    let cluster_id = target.ehpc_cluster(args.cluster_id)?;
    let client = target.ehpc()?;
    let ended = follow(&client, cluster_id, &args.uuids, args.pace).await?;
    crate::follow::report(format, &args.uuids, &ended)
}

async fn follow(
    client: &hpc_sdk::ehpc::Client,
    cluster_id: String,
    uuids: &[String],
    pace: crate::follow::Pace,
) -> Result<crate::follow::Ended, Failure> {
    let updates = client
        .jobs()
        .watch(uuids.to_vec())
        .cluster_id(cluster_id)
        .interval(pace.poll_interval())
        .stream();
    crate::follow::follow(uuids, updates, pace.timeout).await
}

/// The cluster's first user, for a submit without `--run-user`.
pub(crate) async fn first_user(
    client: &hpc_sdk::ehpc::Client,
    cluster_id: &str,
) -> Result<String, Failure> {
    let page = client
        .users()
        .list()
        .cluster_id(cluster_id)
        .page_size(1)
        .send()
        .await?;
    page.items
        .into_iter()
        .find_map(|user| user.username.or(user.user_id))
        .ok_or_else(|| {
            Failure::Usage(format!(
                "cluster {cluster_id} lists no users: pass --run-user"
            ))
        })
}

impl Record for hpc_sdk::ehpc::JobDetail {
    fn headers() -> &'static [&'static str] {
        &[
            "UUID",
            "JOB_ID",
            "NAME",
            "STATUS",
            "USER",
            "CORES",
            "SUBMITTED",
            "STARTED",
            "ENDED",
            "STDOUT",
        ]
    }

    fn row(&self) -> Vec<String> {
        let any = |value: &Option<serde_json::Value>| match value {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        vec![
            opt(&self.hpcjob_uuid),
            opt(&self.job_id.map(i64::from)),
            opt(&self.job_name),
            opt(&self.job_status),
            opt(&self.run_user),
            any(&self.core_limit),
            opt(&self.submitted_time),
            opt(&self.started_time),
            opt(&self.end_time),
            opt(&self.stdout_redirect_path),
        ]
    }
}

pub async fn show(target: &Target, format: Output, args: ShowArgs) -> Result<(), Failure> {
    let cluster_id = target.ehpc_cluster(args.cluster_id)?;
    let job = target
        .ehpc()?
        .jobs()
        .get(args.uuid)
        .cluster_id(cluster_id)
        .send()
        .await?;
    let mut out = stdout_printer(format);
    out.push(&job)?;
    Ok(out.finish::<hpc_sdk::ehpc::JobDetail>()?)
}

/// Which change `change` makes.
#[derive(Clone, Copy, Debug)]
pub enum Change {
    Stop,
    Delete,
}

/// One job's outcome of a stop or delete.
#[derive(Serialize)]
struct Changed {
    hpcjob_uuid: String,
    outcome: &'static str,
    task_id: Option<String>,
}

impl Record for Changed {
    fn headers() -> &'static [&'static str] {
        &["UUID", "OUTCOME", "TASK"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            self.hpcjob_uuid.clone(),
            self.outcome.to_string(),
            opt(&self.task_id),
        ]
    }
}

pub async fn change(
    target: &Target,
    format: Output,
    args: ChangeArgs,
    change: Change,
) -> Result<(), Failure> {
    let cluster_id = target.ehpc_cluster(args.cluster_id)?;
    let jobs = target.ehpc()?.jobs();
    let request = match change {
        Change::Stop => jobs.stop(args.uuids.clone()),
        Change::Delete => jobs.delete(args.uuids.clone()),
    };
    let outcome = request.cluster_id(cluster_id).send().await?;
    let (done, unchanged) = match change {
        Change::Stop => ("stopping", "already ended"),
        Change::Delete => ("deleted", "already gone"),
    };
    let mut out = stdout_printer(format);
    for uuid in args.uuids {
        let kept = outcome.unchanged.contains(&uuid);
        out.push(&Changed {
            outcome: if kept { unchanged } else { done },
            task_id: if kept { None } else { outcome.task_id.clone() },
            hpcjob_uuid: uuid,
        })?;
    }
    Ok(out.finish::<Changed>()?)
}
