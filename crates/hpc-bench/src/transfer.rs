//! File transfer (issue 14): a large file uploaded to and downloaded from the sandbox on
//! loopback, the SDK against the hand-written transfers of [`crate::efile_raw`] in the
//! same run, interleaved; and the peak RSS of a fresh process that only runs the SDK's
//! transfer, for a small and a large file, since streaming must keep memory flat (and
//! the baseline's, for contrast).

use hpc_sandbox::Sandbox;

use crate::baseline::BoxError;
use crate::efile_raw::{CHUNK, PARALLEL, RawEfile};
use crate::payload::label;
use crate::report::{self, Row, Target};
use crate::rss::mib;
use crate::stage::{Clients, ORIGIN, Side, Stage, TOKEN, Way};

pub use crate::stage::{CHILD, child_main};

/// The large and the small file of a full run, and of `--quick`. The small one is the
/// same in both: well above the SDK's 32 MiB threshold and more chunks than are in
/// flight, so that both sizes go the same way (chunks, connections reused) and only the
/// length differs.
const FULL: (u64, u64) = (1 << 30, 100 << 20);
const QUICK: (u64, u64) = (256 << 20, 100 << 20);
/// Timed transfers of each kind, the order of SDK and baseline alternating.
const FULL_REPS: usize = 5;
const QUICK_REPS: usize = 3;

/// What a client moving a large file may hold at its peak.
const BUDGET_KIB: u64 = 64 << 10;
const BUDGET: &str = "64 MiB";

/// How much the transfer section moves.
pub struct Plan {
    large: u64,
    small: u64,
    reps: usize,
    quick: bool,
}

impl Plan {
    /// The sizes and repetitions of a full or a `--quick` run.
    pub fn new(quick: bool) -> Self {
        let ((large, small), reps) = match quick {
            true => (QUICK, QUICK_REPS),
            false => (FULL, FULL_REPS),
        };
        Self {
            large,
            small,
            reps,
            quick,
        }
    }

    /// A size for the case text, saying what a full run moves when this one differs.
    fn size(&self, bytes: u64) -> String {
        let full = if bytes == self.large { FULL.0 } else { FULL.1 };
        match self.quick && full != bytes {
            true => format!("{} (`--quick`; full runs: {})", label(bytes), label(full)),
            false => label(bytes),
        }
    }
}

/// The section's rows, which the table shows under two areas.
pub struct Transfers {
    /// SDK against baseline, each way.
    pub throughput: Vec<Row>,
    /// Peak RSS of a child transferring, each way.
    pub memory: Vec<Row>,
}

/// Prepares the files, then measures throughput and memory.
pub async fn run(sandbox: &Sandbox, plan: &Plan) -> Result<Transfers, BoxError> {
    let stage = Stage::prepare(sandbox, &[plan.small, plan.large])?;
    let clients = Clients {
        sdk: hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))?.build()?,
        raw: RawEfile::connect(sandbox).await?,
    };
    Ok(Transfers {
        throughput: throughput(&stage, &clients, plan).await?,
        memory: memory(&stage, &clients, plan).await?,
    })
}

/// MB/s (decimal) of the SDK and the baseline each way, `plan.reps` timed runs of each,
/// interleaved and the order alternated, after one untimed warm-up of each with the
/// small file (logins, the region's discovery, connections), checked byte for byte.
async fn throughput(
    stage: &Stage<'_>,
    clients: &Clients,
    plan: &Plan,
) -> Result<Vec<Row>, BoxError> {
    for way in [Way::Up, Way::Down] {
        for side in [Side::Sdk, Side::Raw] {
            stage.once(clients, side, way, plan.small, true).await?;
        }
    }
    // [way][side]: Up, Down by Sdk, Raw.
    let mut rates: [[Vec<f64>; 2]; 2] = Default::default();
    for rep in 0..plan.reps {
        let sides = match rep % 2 {
            0 => [Side::Sdk, Side::Raw],
            _ => [Side::Raw, Side::Sdk],
        };
        for way in [Way::Up, Way::Down] {
            for side in sides {
                let took = stage.once(clients, side, way, plan.large, rep == 0).await?;
                let rate = plan.large as f64 / took.as_secs_f64() / 1e6;
                rates[way as usize][side as usize].push(rate);
            }
        }
    }
    let size = plan.size(plan.large);
    let cases = [
        format!(
            "upload {size} to the sandbox, {} MiB chunks, {PARALLEL} in flight",
            CHUNK >> 20
        ),
        format!("download {size} from the sandbox, streamed to disk, `sync_data` at the end"),
    ];
    let mut rows = Vec::new();
    for (way, case) in cases.into_iter().enumerate() {
        let [sdk, raw] = &mut rates[way];
        let (sdk, raw) = (report::median(sdk), report::median(raw));
        rows.push(Row {
            area: "throughput",
            case: format!("{case}, median of {}", plan.reps),
            measured: format!("{sdk:.0} MB/s SDK"),
            reference: format!("{raw:.0} MB/s raw reqwest"),
            ratio: Some(sdk / raw),
            target: Target::AtLeast(0.8),
        });
    }
    Ok(rows)
}

/// Peak RSS of a fresh child uploading, then downloading, the small and the large file
/// through the SDK, and the large one through the baseline for contrast.
async fn memory(stage: &Stage<'_>, clients: &Clients, plan: &Plan) -> Result<Vec<Row>, BoxError> {
    let sdk_config = stage.sandbox.env_lines();
    let (origin, token) = clients.raw.parts();
    let raw_config = [format!("{ORIGIN}={origin}"), format!("{TOKEN}={token}")];
    let (small_size, large_size) = (plan.size(plan.small), plan.size(plan.large));
    let mut rows = Vec::new();
    for (way, verb) in [(Way::Up, "uploading"), (Way::Down, "downloading")] {
        let small = stage
            .child_peak(Side::Sdk, way, plan.small, &sdk_config)
            .await?;
        let large = stage
            .child_peak(Side::Sdk, way, plan.large, &sdk_config)
            .await?;
        let raw = stage
            .child_peak(Side::Raw, way, plan.large, &raw_config)
            .await?;
        rows.push(Row::context(
            "memory",
            format!("peak RSS {verb} {small_size} (SDK, fresh process)"),
            mib(small),
        ));
        rows.push(Row {
            area: "memory",
            case: format!("peak RSS {verb} {large_size} (SDK, fresh process)"),
            measured: mib(large),
            reference: format!("{} for {}", mib(small), label(plan.small)),
            ratio: Some(large as f64 / small as f64),
            target: Target::AtMost(1.10),
        });
        rows.push(Row {
            area: "memory",
            case: format!("peak RSS {verb} {}, against the budget", label(plan.large)),
            measured: mib(large),
            reference: format!("{BUDGET} budget"),
            ratio: Some(large as f64 / BUDGET_KIB as f64),
            target: Target::Budget(BUDGET),
        });
        rows.push(Row {
            area: "memory",
            case: format!(
                "peak RSS {verb} {}, SDK against raw reqwest (contrast)",
                label(plan.large)
            ),
            measured: format!("{} SDK", mib(large)),
            reference: format!("{} raw reqwest", mib(raw)),
            ratio: Some(large as f64 / raw as f64),
            target: Target::None,
        });
    }
    Ok(rows)
}
