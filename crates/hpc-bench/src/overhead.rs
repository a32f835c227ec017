//! Per-call overhead: the SDK against the hand-written baseline, one call at a time,
//! samples interleaved (and the order alternated) so that drift hits both alike.

use std::future::Future;
use std::time::{Duration, Instant};

use hpc_sandbox::Sandbox;

use crate::baseline::{Baseline, BoxError};
use crate::report::{self, Row, Target};

/// The facade's clients, built as a user would.
pub struct Facade {
    /// EHPC, with the sandbox's cluster as default.
    pub ehpc: hpc_sdk::ehpc::Client,
    /// SCNet, logging in with AK/SK.
    pub scnet: hpc_sdk::scnet::Client,
}

impl Facade {
    /// Both clients for `sandbox`.
    pub fn new(sandbox: &Sandbox) -> hpc_sdk::Result<Self> {
        let c = sandbox.credentials();
        let ehpc = hpc_sdk::ehpc::Client::builder()
            .endpoint(sandbox.ehpc_url())
            .zone(&c.ehpc_zone)
            .credentials(&c.ehpc_access_key_id, &c.ehpc_secret_access_key)
            .cluster_id(&c.ehpc_cluster_id)
            .build()?;
        let scnet = hpc_sdk::scnet::Client::builder()
            .api_url(sandbox.scnet_api_url())
            .portal_url(sandbox.scnet_portal_url())
            .access_key(&c.scnet_user, &c.scnet_access_key, &c.scnet_secret_key)
            .build()?;
        Ok(Self { ehpc, scnet })
    }
}

async fn timed<F, Fut, T, E>(call: &F) -> Result<Duration, BoxError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    let started = Instant::now();
    call().await.map_err(Into::into)?;
    Ok(started.elapsed())
}

/// `samples` latencies of each, interleaved, after `warmup` untimed calls of each.
async fn interleaved<A, AF, B, BF, TA, TB, EA, EB>(
    facade: A,
    baseline: B,
    warmup: usize,
    samples: usize,
) -> Result<(Vec<Duration>, Vec<Duration>), BoxError>
where
    A: Fn() -> AF,
    AF: Future<Output = Result<TA, EA>>,
    EA: Into<BoxError>,
    B: Fn() -> BF,
    BF: Future<Output = Result<TB, EB>>,
    EB: Into<BoxError>,
{
    for _ in 0..warmup {
        timed(&facade).await?;
        timed(&baseline).await?;
    }
    let (mut a, mut b) = (Vec::with_capacity(samples), Vec::with_capacity(samples));
    for i in 0..samples {
        if i % 2 == 0 {
            a.push(timed(&facade).await?);
            b.push(timed(&baseline).await?);
        } else {
            b.push(timed(&baseline).await?);
            a.push(timed(&facade).await?);
        }
    }
    a.sort();
    b.sort();
    Ok((a, b))
}

fn rows(case: &str, facade: &[Duration], baseline: &[Duration]) -> Vec<Row> {
    [("p50", 50.0), ("p99", 99.0)]
        .into_iter()
        .map(|(name, p)| {
            let (f, b) = (
                report::percentile(facade, p),
                report::percentile(baseline, p),
            );
            Row {
                area: "overhead",
                case: format!("{case}, {name} (n = {})", facade.len()),
                measured: format!("{} SDK", report::duration(f)),
                reference: format!("{} raw reqwest", report::duration(b)),
                ratio: Some(f.as_secs_f64() / b.as_secs_f64()),
                target: Target::AtMost(1.05),
            }
        })
        .collect()
}

/// Heap allocations per call on the client's threads, `calls` calls of each.
async fn allocations<A, AF, B, BF, TA, TB, EA, EB>(
    facade: A,
    baseline: B,
    calls: u64,
) -> Result<(f64, f64), BoxError>
where
    A: Fn() -> AF,
    AF: Future<Output = Result<TA, EA>>,
    EA: Into<BoxError>,
    B: Fn() -> BF,
    BF: Future<Output = Result<TB, EB>>,
    EB: Into<BoxError>,
{
    let before = crate::alloc::allocations();
    for _ in 0..calls {
        facade().await.map_err(Into::into)?;
    }
    let middle = crate::alloc::allocations();
    for _ in 0..calls {
        baseline().await.map_err(Into::into)?;
    }
    let after = crate::alloc::allocations();
    Ok((
        (middle - before) as f64 / calls as f64,
        (after - middle) as f64 / calls as f64,
    ))
}

fn allocation_row(case: &str, (facade, baseline): (f64, f64)) -> Row {
    Row {
        area: "overhead",
        case: format!("{case}, heap allocations per call (client side)"),
        measured: format!("{facade:.0} SDK"),
        reference: format!("{baseline:.0} raw reqwest"),
        ratio: Some(facade / baseline),
        target: Target::None,
    }
}

/// The overhead rows: EHPC job list (one page of 100) and SCNet walltime.
pub async fn run(sandbox: &Sandbox, samples: usize) -> Result<Vec<Row>, BoxError> {
    let facade = Facade::new(sandbox)?;
    let baseline = Baseline::connect(sandbox).await?;
    let warmup = (samples / 10).max(20);

    let sdk_list = || async {
        let page = facade.ehpc.jobs().list().page_size(100).send().await?;
        check_len(page.items.len())
    };
    let raw_list = || async { check_len(baseline.list_jobs(0, 100).await?) };
    let (f, b) = interleaved(sdk_list, raw_list, warmup, samples).await?;
    let case = "EHPC job list, 1 page of 100";
    let mut out = rows(case, &f, &b);
    out.push(allocation_row(
        case,
        allocations(sdk_list, raw_list, 200).await?,
    ));

    let sdk_walltime = || facade.scnet.usage().walltime().send();
    let raw_walltime = || baseline.walltime();
    let (f, b) = interleaved(sdk_walltime, raw_walltime, warmup, samples).await?;
    out.extend(rows("SCNet walltime", &f, &b));
    out.push(allocation_row(
        "SCNet walltime",
        allocations(sdk_walltime, raw_walltime, 200).await?,
    ));
    Ok(out)
}

fn check_len(jobs: usize) -> Result<(), BoxError> {
    if jobs == 100 {
        Ok(())
    } else {
        Err(format!("expected a page of 100 jobs, got {jobs}").into())
    }
}
