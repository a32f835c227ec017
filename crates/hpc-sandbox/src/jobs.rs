//! The seeded jobs of the sandbox's one EHPC cluster, stored compactly (about 40 bytes a
//! job, so 100,000 jobs take 4 MB) and turned into full `HpcJob`s only for the page
//! being served.

use std::cmp::Ordering;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike};
use ehpc_client::LenientInt;
use ehpc_client::types::HpcJob;

use crate::rng::SplitMix64;

/// A queue of the cluster.
struct Queue {
    name: &'static str,
    id: &'static str,
    scheduler: &'static str,
    category: &'static str,
    mem_limit: Option<&'static str>,
}

const QUEUES: [Queue; 5] = [
    Queue {
        name: "2222333vis22",
        id: "hpcq-df3u98dr",
        scheduler: "vis",
        category: "share_queue",
        mem_limit: None,
    },
    Queue {
        name: "cpu-normal",
        id: "hpcq-8a1kx0bz",
        scheduler: "normal",
        category: "share_queue",
        mem_limit: None,
    },
    Queue {
        name: "debug",
        id: "hpcq-0p4hs6ud",
        scheduler: "debug",
        category: "share_queue",
        mem_limit: None,
    },
    Queue {
        name: "gpu-v100",
        id: "hpcq-q7n2mzpe",
        scheduler: "gpu",
        category: "dedicated_queue",
        mem_limit: None,
    },
    Queue {
        name: "bigmem",
        id: "hpcq-w3c9lt5r",
        scheduler: "bigmem",
        category: "dedicated_queue",
        mem_limit: Some("256G"),
    },
];

/// The cluster's queues as `(name, id, scheduler queue, category)`.
pub(crate) fn queues()
-> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
    QUEUES
        .iter()
        .map(|q| (q.name, q.id, q.scheduler, q.category))
}

/// The cluster's run users and their home directories.
pub(crate) fn users() -> impl Iterator<Item = (&'static str, &'static str)> {
    USERS.iter().copied()
}

/// Run users and their working directories.
const USERS: [(&str, &str); 5] = [
    ("usr-vceaHsJu", "/public/shanhe/s0723"),
    ("usr-Qm3kP9xa", "/public/shanhe/chem01"),
    ("usr-7HtLw2cE", "/public/shanhe/cfd-team"),
    ("usr-bN8sRz4D", "/public/shanhe/ml-lab"),
    ("usr-Ky5gVfTq", "/public/shanhe/bio2"),
];

const COMMANDS: [&str; 8] = [
    "sleep 1000",
    "mpirun -np 64 lmp -in in.lj",
    "python train.py --epochs 20",
    "bash run.sh",
    "srun hostname",
    "mpirun ./vasp_std",
    "g16 < water.gjf > water.log",
    "python -c \"print('hello 作业')\"",
];

/// Every status a job can have; the first six are the values the filter knows.
pub(crate) const STATUSES: [&str; 6] = [
    "finished",
    "running",
    "pending",
    "exited",
    "cancelled",
    "stopped",
];
const FINISHED: u8 = 0;
const RUNNING: u8 = 1;
const PENDING: u8 = 2;

const CORES: [u16; 7] = [1, 2, 4, 8, 16, 32, 64];
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const FIRST_JOB_ID: u32 = 19_001;

/// One job, as small as it can be.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JobRecord {
    pub(crate) job_id: u32,
    /// Seconds after the epoch of the data set.
    submitted: u32,
    wait: u32,
    run: u32,
    cores: u16,
    first_node: u16,
    pub(crate) queue: u8,
    pub(crate) user: u8,
    pub(crate) status: u8,
    command: u8,
    priority: u8,
    nodes: u8,
    name: [u8; 5],
    uuid: [u8; 8],
}

/// The fields jobs can be sorted by (`sort_key`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SortKey {
    /// Also `submitted_time`: ids are handed out in submission order.
    JobId,
    StartedTime,
    ModifiedTime,
    JobName,
    JobStatus,
    QueueName,
    RunUser,
    CoreLimit,
    JobPriority,
}

impl SortKey {
    /// The key a `sort_key` value names; `None` for one the server does not know.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "job_id" | "submitted_time" => Self::JobId,
            "started_time" => Self::StartedTime,
            "modified_time" => Self::ModifiedTime,
            "job_name" => Self::JobName,
            "job_status" => Self::JobStatus,
            "queue_name" | "hpq_name" | "name" => Self::QueueName,
            "run_user" => Self::RunUser,
            "core_limit" => Self::CoreLimit,
            "job_priority" => Self::JobPriority,
            _ => return None,
        })
    }

    const ALL_BUT_ID: usize = 8;

    fn slot(self) -> usize {
        self as usize - 1
    }
}

/// The jobs, in job-id order, with sort orders built on first use.
pub(crate) struct JobStore {
    records: Vec<JobRecord>,
    orders: [OnceLock<Vec<u32>>; SortKey::ALL_BUT_ID],
}

impl JobStore {
    /// `count` jobs that follow from `seed` alone.
    pub(crate) fn seeded(count: usize, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        // The newest tenth (at least 20) are still queued or running, as on a live cluster.
        let live_from = count.saturating_sub((count / 10).max(20));
        let mut submitted = 0u32;
        let records = (0..count)
            .map(|index| {
                submitted = submitted.saturating_add(30 + rng.below(240) as u32);
                let status = if index >= live_from {
                    if rng.below(2) == 0 { RUNNING } else { PENDING }
                } else {
                    match rng.below(100) {
                        0..70 => FINISHED,
                        70..80 => 3,
                        80..90 => 4,
                        _ => 5,
                    }
                };
                let nodes = 1 + rng.below(4) as u8;
                JobRecord {
                    job_id: FIRST_JOB_ID.saturating_add(index as u32),
                    submitted,
                    wait: 5 + rng.below(600) as u32,
                    run: 10 + rng.below(36_000) as u32,
                    cores: CORES[rng.below(CORES.len() as u64) as usize],
                    first_node: 1 + rng.below(200) as u16,
                    queue: rng.below(QUEUES.len() as u64) as u8,
                    user: rng.below(USERS.len() as u64) as u8,
                    status,
                    command: rng.below(COMMANDS.len() as u64) as u8,
                    priority: 1 + rng.below(5) as u8,
                    nodes,
                    name: rng.chars(LETTERS),
                    uuid: rng.chars(LOWER_ALNUM),
                }
            })
            .collect();
        Self {
            records,
            orders: Default::default(),
        }
    }

    /// How many jobs there are.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// The job at `index` (job-id order).
    pub(crate) fn record(&self, index: u32) -> &JobRecord {
        &self.records[index as usize]
    }

    /// Record indices in ascending `key` order (ties by job id); `None` for job-id
    /// order, which is the storage order itself.
    pub(crate) fn order(&self, key: SortKey) -> Option<&[u32]> {
        if key == SortKey::JobId {
            return None;
        }
        let order = self.orders[key.slot()].get_or_init(|| {
            let mut order: Vec<u32> = (0..self.records.len() as u32).collect();
            // Stable, so equal keys stay in job-id order.
            order.sort_by(|&a, &b| self.compare(key, self.record(a), self.record(b)));
            order
        });
        Some(order)
    }

    fn compare(&self, key: SortKey, a: &JobRecord, b: &JobRecord) -> Ordering {
        match key {
            SortKey::JobId => a.job_id.cmp(&b.job_id),
            SortKey::StartedTime => started_secs(a).cmp(&started_secs(b)),
            SortKey::ModifiedTime => modified_secs(a).cmp(&modified_secs(b)),
            SortKey::JobName => a.name.cmp(&b.name),
            SortKey::JobStatus => STATUSES[a.status as usize].cmp(STATUSES[b.status as usize]),
            SortKey::QueueName => QUEUES[a.queue as usize]
                .name
                .cmp(QUEUES[b.queue as usize].name),
            SortKey::RunUser => USERS[a.user as usize].0.cmp(USERS[b.user as usize].0),
            SortKey::CoreLimit => a.cores.cmp(&b.cores),
            SortKey::JobPriority => a.priority.cmp(&b.priority),
        }
    }

    /// The index of a queue name, if the cluster has it.
    pub(crate) fn queue_index(name: &str) -> Option<u8> {
        QUEUES.iter().position(|q| q.name == name).map(|i| i as u8)
    }

    /// The index of a run user, if the cluster has them.
    pub(crate) fn user_index(name: &str) -> Option<u8> {
        USERS.iter().position(|u| u.0 == name).map(|i| i as u8)
    }

    /// The index of a status value, if jobs can have it.
    pub(crate) fn status_index(name: &str) -> Option<u8> {
        STATUSES.iter().position(|s| *s == name).map(|i| i as u8)
    }

    /// Whether `word` occurs in the job's name or command line.
    pub(crate) fn matches_word(record: &JobRecord, word: &str) -> bool {
        COMMANDS[record.command as usize].contains(word) || job_name(record).contains(word)
    }

    /// The job as the API shows it.
    pub(crate) fn to_hpc_job(record: &JobRecord) -> HpcJob {
        let queue = &QUEUES[record.queue as usize];
        let (run_user, exec_cwd) = USERS[record.user as usize];
        let started = started_secs(record);
        let id = record.job_id;
        HpcJob {
            categories: Some(queue.category.to_owned()),
            cmd_line: Some(COMMANDS[record.command as usize].to_owned()),
            core_limit: Some(LenientInt(i64::from(record.cores))),
            exec_cwd: Some(exec_cwd.to_owned()),
            hpcjob_uuid: Some(format!("hpcjob-{}", ascii(&record.uuid))),
            hpcqueue_id: Some(queue.id.to_owned()),
            hpq_name: Some(queue.name.to_owned()),
            job_id: Some(LenientInt(i64::from(id))),
            job_name: Some(job_name(record)),
            job_node_list: Some(node_list(record)),
            job_priority: Some(LenientInt(i64::from(record.priority))),
            job_status: Some(STATUSES[record.status as usize].to_owned()),
            mem_limit: queue.mem_limit.map(str::to_owned),
            modified_time: Some(timestamp(modified_secs(record))),
            name: Some(queue.name.to_owned()),
            queue_name: Some(queue.name.to_owned()),
            run_user: Some(run_user.to_owned()),
            scheduler_queue_name: Some(queue.scheduler.to_owned()),
            started_time: started.map(timestamp),
            stderr_redirect_path: Some(format!("HPC-{id}.err")),
            stdout_redirect_path: Some(format!("HPC-{id}.out")),
            submitted_time: Some(timestamp(record.submitted)),
        }
    }
}

fn ascii(bytes: &[u8]) -> &str {
    // Only ever filled from ASCII alphabets.
    std::str::from_utf8(bytes).unwrap_or("xxxxx")
}

fn job_name(record: &JobRecord) -> String {
    format!("作业-{}", ascii(&record.name))
}

fn node_list(record: &JobRecord) -> String {
    match (record.status, record.nodes) {
        (PENDING, _) => String::new(),
        (_, 1) => format!("node{:03}", record.first_node),
        (_, n) => format!(
            "node[{:03}-{:03}]",
            record.first_node,
            record.first_node + u16::from(n) - 1
        ),
    }
}

fn started_secs(record: &JobRecord) -> Option<u32> {
    (record.status != PENDING).then(|| record.submitted.saturating_add(record.wait))
}

fn modified_secs(record: &JobRecord) -> u32 {
    match (record.status, started_secs(record)) {
        (RUNNING, Some(started)) => started,
        (_, Some(started)) => started.saturating_add(record.run),
        (_, None) => record.submitted,
    }
}

/// Local time without a zone, as the server writes it: `2024-03-01T08:00:00`.
fn timestamp(secs: u32) -> String {
    let epoch = NaiveDate::from_ymd_opt(2024, 3, 1)
        .and_then(|day| day.and_hms_opt(8, 0, 0))
        .unwrap_or(NaiveDateTime::MIN);
    let time = epoch + TimeDelta::seconds(i64::from(secs));
    // By hand rather than with a chrono format string, which parses its pattern on every
    // call and was most of a page's cost.
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        time.year(),
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}
