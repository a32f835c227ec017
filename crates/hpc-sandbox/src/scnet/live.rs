//! The account's live SCNet jobs, from the seed: the member-job list and the state
//! counts agree with each other.

use scnet_client::types::{JobStateCount, MemberJob};

use super::JobStateKeys;
use crate::rng::SplitMix64;

/// Statuses drawn for live jobs, weighted by repetition.
const STATUSES: [&str; 12] = [
    "statR", "statR", "statR", "statR", "statQ", "statQ", "statW", "statH", "statS", "statE",
    "statC", "statRQ",
];
const NAMES: [&str; 5] = [
    "COMSOL_GUI",
    "lammps_lj",
    "vasp_relax",
    "gromacs_md",
    "作业",
];

/// The member's live jobs; the same for the same seed.
pub(crate) fn member_jobs(seed: u64) -> Vec<MemberJob> {
    let mut rng = SplitMix64::new(seed ^ 0x5C4E_7000);
    let count = 8 + rng.below(8);
    (0..count)
        .map(|index| {
            let cores = 1i64 << rng.below(6);
            let gpus = if rng.below(4) == 0 {
                1 + rng.below(4) as i64
            } else {
                0
            };
            let status = STATUSES[rng.below(STATUSES.len() as u64) as usize];
            let running = status == "statR";
            MemberJob {
                id: Some((1_466_591 + index * 7).to_string()),
                name: Some(format!(
                    "{}_{:04}_{:06}",
                    NAMES[rng.below(NAMES.len() as u64) as usize],
                    1000 + rng.below(300),
                    rng.below(240_000)
                )),
                status: Some(status.to_owned()),
                node_num_req: Some(1 + rng.below(2) as i64),
                cpu_core: Some(if running { cores } else { 0 }),
                proc_num_req: Some(cores),
                gpu_num_req: Some(gpus),
                gpu_num: Some(if running { gpus } else { 0 }),
                dcu_num_req: Some(0),
                dcu_num_used: Some(0),
            }
        })
        .collect()
}

/// Counts by state of [`member_jobs`]: running `statR`; queued `statQ`/`statW`;
/// held `statH`/`statS`; nothing reserved; the rest other.
pub(crate) fn state_counts(seed: u64, keys: JobStateKeys) -> Vec<JobStateCount> {
    let mut counts = [0i64; 5];
    for job in member_jobs(seed) {
        let slot = match job.status.as_deref() {
            Some("statR") => 0,
            Some("statQ" | "statW") => 1,
            Some("statH" | "statS") => 3,
            _ => 4,
        };
        counts[slot] += 1;
    }
    let names = match keys {
        JobStateKeys::Jobview => [
            "jobview_status_run",
            "jobview_status_queue",
            "jobview_status_reserve",
            "jobview_status_hung",
            "jobview_status_other",
        ],
        JobStateKeys::Documented => ["运行", "排队", "保留", "挂起", "其他"],
    };
    names
        .iter()
        .zip(counts)
        .map(|(name, y)| JobStateCount {
            name: Some((*name).to_owned()),
            y: Some(y),
        })
        .collect()
}

/// CPU time used, raw as the server gives it (unit disputed: hours or core-seconds).
pub(crate) fn walltime(seed: u64) -> f64 {
    let mut rng = SplitMix64::new(seed ^ 0x3A11);
    (rng.below(5_000_000) as f64) / 3600.0
}
