//! The commands, on the SDK.

use std::io::{self, IsTerminal};

use futures::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::{ClusterListArgs, ListArgs, Output};
use crate::failure::Failure;
use crate::output::{StateCount, WalltimeRecord, print_listing, stdout_printer};
use crate::target::Target;

pub async fn ehpc_jobs_list(
    target: &Target,
    format: Output,
    args: ListArgs,
) -> Result<(), Failure> {
    let client = target.ehpc()?;
    let cluster = target.ehpc_cluster(args.cluster_id)?;
    let mut request = client
        .jobs()
        .list()
        .cluster_id(cluster)
        .page_size(args.page.limit)
        .offset(args.page.offset);
    let filters = [
        (
            args.zone,
            hpc_sdk::ehpc::ListJobs::zone as fn(_, String) -> _,
        ),
        (args.status, hpc_sdk::ehpc::ListJobs::status),
        (args.queue, hpc_sdk::ehpc::ListJobs::queue),
        (args.user, hpc_sdk::ehpc::ListJobs::run_user),
        (args.search, hpc_sdk::ehpc::ListJobs::search_word),
        (args.sort_key, hpc_sdk::ehpc::ListJobs::sort_key),
    ];
    for (value, set) in filters {
        if let Some(value) = value {
            request = set(request, value);
        }
    }
    if args.reverse {
        request = request.reverse(true);
    }
    let mut printer = stdout_printer(format);
    if !args.page.all {
        for job in request.send().await?.items {
            printer.push(&job)?;
        }
        return Ok(printer.finish::<hpc_sdk::ehpc::EhpcJob>()?);
    }
    let progress = io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} jobs")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut pages = request.prefetch(2).pages();
    while let Some(page) = pages.try_next().await? {
        if let Some(bar) = &progress {
            bar.set_length(page.total_count.saturating_sub(args.page.offset));
            bar.inc(page.items.len() as u64);
        }
        for job in &page.items {
            printer.push(job)?;
        }
        printer.flush()?;
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(printer.finish::<hpc_sdk::ehpc::EhpcJob>()?)
}

/// `hpc ehpc clusters list`: one page, or every page with `--all`.
pub async fn ehpc_clusters_list(
    target: &Target,
    format: Output,
    args: ClusterListArgs,
) -> Result<(), Failure> {
    let request = target
        .ehpc()?
        .clusters()
        .list()
        .set_zone(args.zone)
        .set_owner(args.owner)
        .set_cluster_id(args.cluster_id)
        .set_cluster_type(args.cluster_type)
        .set_status(args.status)
        .set_search_word(args.search)
        .page_size(args.page.limit)
        .offset(args.page.offset);
    print_listing(
        format,
        args.page.all,
        request.clone().send(),
        request.items(),
    )
    .await
}

/// `hpc scnet schedulers`: the region's schedulers (their ids go into job calls).
pub async fn scnet_schedulers(
    target: &Target,
    format: Output,
    region: Option<String>,
) -> Result<(), Failure> {
    let schedulers = target
        .scnet()?
        .schedulers()
        .list()
        .set_region(region)
        .send()
        .await?;
    let mut printer = stdout_printer(format);
    for scheduler in &schedulers {
        printer.push(scheduler)?;
    }
    Ok(printer.finish::<hpc_sdk::scnet::types::Scheduler>()?)
}

pub async fn scnet_job_state(
    target: &Target,
    format: Output,
    user: Option<String>,
) -> Result<(), Failure> {
    let counts = target
        .scnet()?
        .jobs()
        .state_counts()
        .set_user(user)
        .send()
        .await?;
    let mut printer = stdout_printer(format);
    let known = [
        ("running", counts.running),
        ("queued", counts.queued),
        ("reserved", counts.reserved),
        ("held", counts.held),
        ("other", counts.other),
    ];
    for (state, count) in known
        .into_iter()
        .map(|(s, c)| (s.to_string(), c))
        .chain(counts.unknown)
    {
        printer.push(&StateCount { state, count })?;
    }
    Ok(printer.finish::<StateCount>()?)
}

pub async fn scnet_members(
    target: &Target,
    format: Output,
    cluster_id: i64,
    group_id: i64,
    user: String,
) -> Result<(), Failure> {
    let jobs = target
        .scnet()?
        .jobs()
        .member_jobs()
        .cluster_id(cluster_id)
        .group_id(group_id)
        .cluster_user_name(user)
        .send()
        .await?;
    let mut printer = stdout_printer(format);
    for job in &jobs {
        printer.push(job)?;
    }
    Ok(printer.finish::<hpc_sdk::scnet::MemberJob>()?)
}

pub async fn scnet_walltime(
    target: &Target,
    format: Output,
    user: Option<String>,
) -> Result<(), Failure> {
    let walltime = target
        .scnet()?
        .usage()
        .walltime()
        .set_user(user.clone())
        .send()
        .await?;
    let mut printer = stdout_printer(format);
    printer.push(&WalltimeRecord {
        user: user.unwrap_or_else(|| "(discovered)".into()),
        walltime,
    })?;
    Ok(printer.finish::<WalltimeRecord>()?)
}

pub async fn scnet_regions(target: &Target, format: Output) -> Result<(), Failure> {
    let regions = target.scnet()?.regions().list().send().await?;
    let mut printer = stdout_printer(format);
    for region in &regions {
        printer.push(region)?;
    }
    Ok(printer.finish::<hpc_sdk::scnet::Region>()?)
}

/// `hpc sandbox`: the fake clouds until interrupted.
#[cfg(feature = "sandbox")]
pub async fn sandbox(port: u16, jobs: usize, speed: f64) -> Result<(), Failure> {
    use std::io::Write;
    let builder = hpc_sandbox::Sandbox::builder()
        .jobs(jobs)
        .port(port)
        .speed(speed);
    hpc_sandbox::run_standalone(builder).await?;
    io::stdout().flush()?;
    Ok(())
}

/// `hpc sandbox` in a build without the fake clouds.
#[cfg(not(feature = "sandbox"))]
pub async fn sandbox(_port: u16, _jobs: usize, _speed: f64) -> Result<(), Failure> {
    Err(crate::target::no_sandbox())
}
