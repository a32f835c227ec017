//! Listing: throughput of `.items()` over 100,000 jobs, sequential against prefetch,
//! and the peak memory of a client streaming or collecting them, each in a fresh child
//! process so that one measurement cannot inflate the next.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use hpc_sandbox::{Fault, Sandbox};

use crate::baseline::BoxError;
use crate::overhead::Facade;
use crate::report::{self, Row, Target};
use crate::rss::{self, mib};

/// The hidden subcommand a child runs: `__rss <stream|collect> <ehpc_url> <jobs>`.
pub const CHILD: &str = "__rss";

/// Lists every job, `prefetch` pages ahead; returns how many came.
async fn list_all(client: &hpc_sdk::ehpc::Client, prefetch: usize) -> hpc_sdk::Result<u64> {
    let jobs = client
        .jobs()
        .list()
        .page_size(100)
        .prefetch(prefetch)
        .items();
    jobs.try_fold(0u64, |n, _| async move { Ok(n + 1) }).await
}

/// Jobs per second of sequential and `.prefetch(4)` listings, with 0 ms and 2 ms
/// injected per page; `reps` runs of each, interleaved, median kept.
pub async fn throughput(sandbox: &Sandbox, reps: usize) -> Result<Vec<Row>, BoxError> {
    let client = Facade::new(sandbox)?.ehpc;
    let total = sandbox.job_count() as u64;
    let pages = total.div_ceil(100) as usize;
    let cases = [(0u64, 0usize), (0, 4), (2, 0), (2, 4)];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..reps {
        for (slot, &(delay, prefetch)) in cases.iter().enumerate() {
            sandbox.clear_faults();
            if delay > 0 {
                // A few spare uses, cleared afterwards, in case a page is asked twice.
                let fault = Fault::delay("/api/job/list", Duration::from_millis(delay));
                sandbox.inject(fault.times(pages + 8));
            }
            let started = Instant::now();
            let listed = list_all(&client, prefetch).await?;
            let took = started.elapsed();
            sandbox.clear_faults();
            if listed != total {
                return Err(format!("listed {listed} of {total} jobs").into());
            }
            rates[slot].push(total as f64 / took.as_secs_f64());
        }
    }
    let medians: Vec<f64> = rates.iter_mut().map(|r| report::median(r)).collect();
    let mut rows = Vec::new();
    for (pair, delay) in [(0usize, 0u64), (2, 2)] {
        let (sequential, prefetch) = (medians[pair], medians[pair + 1]);
        rows.push(Row::context(
            "throughput",
            format!("{total} jobs via `.items()`, {delay} ms/page, sequential"),
            jobs_per_sec(sequential),
        ));
        rows.push(Row {
            area: "throughput",
            case: format!("{total} jobs via `.items()`, {delay} ms/page, `.prefetch(4)`"),
            measured: jobs_per_sec(prefetch),
            reference: format!("{} sequential", jobs_per_sec(sequential)),
            ratio: Some(prefetch / sequential),
            target: if delay > 0 {
                Target::AtLeast(2.0)
            } else {
                Target::None
            },
        });
    }
    Ok(rows)
}

fn jobs_per_sec(rate: f64) -> String {
    format!("{:.0} jobs/s", rate)
}

/// Peak RSS of a fresh child streaming `small`'s jobs, streaming `large`'s, and
/// collecting `large`'s.
pub async fn memory(small: &Sandbox, large: &Sandbox) -> Result<Vec<Row>, BoxError> {
    let stream_small = child_peak("stream", small).await?;
    let stream_large = child_peak("stream", large).await?;
    let collect_large = child_peak("collect", large).await?;
    let (n_small, n_large) = (small.job_count(), large.job_count());
    Ok(vec![
        Row::context(
            "memory",
            format!("peak RSS streaming {n_small} jobs (`.prefetch(4)`)"),
            mib(stream_small),
        ),
        Row {
            area: "memory",
            case: format!("peak RSS streaming {n_large} jobs (`.prefetch(4)`)"),
            measured: mib(stream_large),
            reference: format!("{} for {n_small}", mib(stream_small)),
            ratio: Some(stream_large as f64 / stream_small as f64),
            // Pages stay bounded; what grows is the listing's de-duplication set,
            // eight bytes a job (the next row).
            target: Target::AtMost(1.25),
        },
        Row::context(
            "memory",
            "peak RSS per job streamed beyond the small listing (the de-duplication set)",
            format!(
                "{:.1} B/job",
                stream_large.saturating_sub(stream_small) as f64 * 1024.0
                    / n_large.saturating_sub(n_small).max(1) as f64
            ),
        ),
        Row {
            area: "memory",
            case: format!("peak RSS collecting {n_large} jobs into a `Vec` (contrast)"),
            measured: mib(collect_large),
            reference: format!("{} streaming", mib(stream_large)),
            ratio: Some(collect_large as f64 / stream_large as f64),
            target: Target::None,
        },
    ])
}

/// Runs this binary's [`CHILD`] subcommand against `sandbox` and reads its `VmHWM`.
async fn child_peak(mode: &'static str, sandbox: &Sandbox) -> Result<u64, BoxError> {
    let args = [
        CHILD,
        mode,
        sandbox.ehpc_url(),
        &sandbox.job_count().to_string(),
    ];
    rss::child_peak(args.iter().map(|arg| arg.to_string()).collect()).await
}

/// The child: list `jobs` jobs from the sandbox at `url`, then print the peak RSS in KiB.
pub fn child_main(args: &[String]) -> Result<(), BoxError> {
    let [mode, url, jobs] = args else {
        return Err(format!("usage: {CHILD} <stream|collect> <ehpc_url> <jobs>").into());
    };
    let expected: u64 = jobs.parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listed = runtime.block_on(async {
        let c = hpc_sandbox::Credentials::demo();
        let client = hpc_sdk::ehpc::Client::builder()
            .endpoint(url)
            .zone(&c.ehpc_zone)
            .credentials(&c.ehpc_access_key_id, &c.ehpc_secret_access_key)
            .cluster_id(&c.ehpc_cluster_id)
            .build()?;
        let jobs = client.jobs().list().page_size(100).prefetch(4).items();
        let listed = match mode.as_str() {
            "stream" => jobs.try_fold(0u64, |n, _| async move { Ok(n + 1) }).await?,
            "collect" => {
                let all: Vec<hpc_sdk::ehpc::EhpcJob> = jobs.try_collect().await?;
                let n = all.len() as u64;
                // Still held here, so the peak includes every job.
                std::hint::black_box(&all);
                n
            }
            other => return Err(format!("unknown mode {other}").into()),
        };
        Ok::<u64, BoxError>(listed)
    })?;
    if listed != expected {
        return Err(format!("listed {listed} of {expected} jobs").into());
    }
    println!("{}", rss::peak_rss_kib()?);
    Ok(())
}
