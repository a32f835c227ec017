//! `job/list`: the filters, sorting and paging of docs/api-notes.md §1, and the page as JSON.

use ehpc_client::LenientInt;
use ehpc_client::types::{HpcJob, JobListResponse};
use serde::Serialize;

use crate::faults::ListingFault;
use crate::jobs::{JobRecord, JobStore, SortKey};

/// The server returns at most this many jobs a page, whatever `limit` says.
pub(crate) const MAX_LIMIT: u64 = 100;
const DEFAULT_LIMIT: u64 = 10;

/// The listing parameters of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListQuery {
    /// `jobs_status` and `job_status`: a job must match every one given.
    pub(crate) statuses: Vec<String>,
    pub(crate) queue_name: Option<String>,
    pub(crate) run_user: Option<String>,
    pub(crate) search_word: Option<String>,
    pub(crate) sort_key: SortKey,
    pub(crate) reverse: bool,
    pub(crate) offset: u64,
    pub(crate) limit: u64,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            statuses: Vec::new(),
            queue_name: None,
            run_user: None,
            search_word: None,
            sort_key: SortKey::JobId,
            reverse: false,
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl ListQuery {
    /// Reads the listing parameters; `Err` holds the 1100 message naming the bad one.
    pub(crate) fn from_params(params: &[(String, String)]) -> Result<Self, String> {
        let mut query = Self::default();
        for (key, value) in params.iter().filter(|(_, value)| !value.is_empty()) {
            match key.as_str() {
                "jobs_status" | "job_status" => query.statuses.push(value.clone()),
                "queue_name" => query.queue_name = Some(value.clone()),
                "run_user" => query.run_user = Some(value.clone()),
                "search_word" => query.search_word = Some(value.clone()),
                "sort_key" => {
                    query.sort_key = SortKey::parse(value).ok_or_else(|| {
                        format!("ParameterError, invalid value [{value}] of parameter [sort_key]")
                    })?;
                }
                "reverse" => {
                    query.reverse = match value.as_str() {
                        "0" => false,
                        "1" => true,
                        _ => return Err(invalid(key, value)),
                    }
                }
                "offset" => query.offset = value.parse().map_err(|_| invalid(key, value))?,
                "limit" => {
                    query.limit = value
                        .parse::<u64>()
                        .map_err(|_| invalid(key, value))?
                        .min(MAX_LIMIT)
                }
                _ => {}
            }
        }
        Ok(query)
    }

    fn has_filter(&self) -> bool {
        !self.statuses.is_empty()
            || self.queue_name.is_some()
            || self.run_user.is_some()
            || self.search_word.is_some()
    }
}

fn invalid(key: &str, value: &str) -> String {
    format!("ParameterError, invalid value [{value}] of parameter [{key}]")
}

/// The jobs of one page, as record indices, and how many match in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) total: usize,
    pub(crate) indices: Vec<u32>,
}

/// Applies the filters, the order and the paging. Without filters this touches only the
/// page's own jobs, so a page of 100,000 jobs costs what a page of 100 does.
pub(crate) fn select(store: &JobStore, query: &ListQuery) -> Page {
    let order = store.order(query.sort_key);
    let at = |position: usize| -> u32 { order.map_or(position as u32, |order| order[position]) };
    let matching: Option<Vec<u32>> = query.has_filter().then(|| {
        let filter = Filter::new(query);
        (0..store.len())
            .map(at)
            .filter(|&index| filter.accepts(store.record(index)))
            .collect()
    });
    let total = matching.as_ref().map_or(store.len(), Vec::len);
    let start = usize::try_from(query.offset)
        .unwrap_or(usize::MAX)
        .min(total);
    let end = start.saturating_add(query.limit as usize).min(total);
    let indices = (start..end)
        .map(|position| {
            if query.reverse {
                total - 1 - position
            } else {
                position
            }
        })
        .map(|position| {
            matching
                .as_ref()
                .map_or_else(|| at(position), |m| m[position])
        })
        .collect();
    Page { total, indices }
}

/// The filters resolved once to the compact record's indices.
struct Filter<'q> {
    /// `None` inside: a value no job can have, so nothing matches.
    statuses: Vec<Option<u8>>,
    queue: Option<Option<u8>>,
    user: Option<Option<u8>>,
    word: Option<&'q str>,
}

impl<'q> Filter<'q> {
    fn new(query: &'q ListQuery) -> Self {
        Self {
            statuses: query
                .statuses
                .iter()
                .map(|s| JobStore::status_index(s))
                .collect(),
            queue: query.queue_name.as_deref().map(JobStore::queue_index),
            user: query.run_user.as_deref().map(JobStore::user_index),
            word: query.search_word.as_deref(),
        }
    }

    fn accepts(&self, record: &JobRecord) -> bool {
        self.statuses.iter().all(|s| *s == Some(record.status))
            && self.queue.is_none_or(|q| q == Some(record.queue))
            && self.user.is_none_or(|u| u == Some(record.user))
            && self.word.is_none_or(|w| JobStore::matches_word(record, w))
    }
}

/// A job on the wire: the generated type, plus an explicit `null` for the fields the
/// generated type leaves out when empty, as the real server sends them.
#[derive(Serialize)]
struct WireJob {
    #[serde(flatten)]
    job: HpcJob,
    #[serde(rename = "mem_limit", skip_serializing_if = "Option::is_none")]
    null_mem_limit: Option<()>,
    #[serde(rename = "started_time", skip_serializing_if = "Option::is_none")]
    null_started_time: Option<()>,
}

/// One job of a page: a seeded one, or one submitted to the simulated scheduler.
#[derive(Serialize)]
#[serde(untagged)]
// A page holds at most 100 items: boxing the seeded ones would cost an allocation each.
#[allow(clippy::large_enum_variant)]
enum WireItem {
    Seeded(WireJob),
    Submitted(serde_json::Value),
}

#[derive(Serialize)]
struct WirePage {
    #[serde(flatten)]
    head: JobListResponse,
    hpc_job_set: Vec<WireItem>,
}

/// The page as the JSON body of a `job/list` answer (seeded jobs only).
pub(crate) fn render(store: &JobStore, page: &Page, fault: Option<ListingFault>) -> Vec<u8> {
    render_parts(store, page.total, &page.indices, Vec::new(), false, fault)
}

/// A page over the seeded jobs followed by the submitted ones (`submitted`: those that
/// pass the filters, oldest first), as `query` pages and orders them.
pub(crate) fn render_with_submitted(
    store: &JobStore,
    query: &ListQuery,
    submitted: Vec<serde_json::Value>,
    fault: Option<ListingFault>,
) -> Vec<u8> {
    let everything = ListQuery {
        offset: 0,
        limit: 0,
        reverse: false,
        ..query.clone()
    };
    let seeded_total = select(store, &everything).total;
    let total = seeded_total + submitted.len();
    let start = usize::try_from(query.offset)
        .unwrap_or(usize::MAX)
        .min(total);
    let end = start.saturating_add(query.limit as usize).min(total);
    // The page's range in ascending order; reversed at the end when asked.
    let (low, high) = if query.reverse {
        (total - end, total - start)
    } else {
        (start, end)
    };
    let seeded_high = high.min(seeded_total);
    let seeded = if low < seeded_high {
        select(
            store,
            &ListQuery {
                offset: low as u64,
                limit: (seeded_high - low) as u64,
                ..everything
            },
        )
        .indices
    } else {
        Vec::new()
    };
    let extra_range = low.max(seeded_total) - seeded_total..high.max(seeded_total) - seeded_total;
    let extra = submitted
        .into_iter()
        .skip(extra_range.start)
        .take(extra_range.len())
        .collect();
    render_parts(store, total, &seeded, extra, query.reverse, fault)
}

fn render_parts(
    store: &JobStore,
    total: usize,
    seeded: &[u32],
    submitted: Vec<serde_json::Value>,
    reverse: bool,
    fault: Option<ListingFault>,
) -> Vec<u8> {
    let mut total = i64::try_from(total).unwrap_or(i64::MAX);
    let mut indices = seeded;
    let mut submitted = submitted;
    match fault {
        Some(ListingFault::TotalCountOffBy(delta)) => total = total.saturating_add(delta).max(0),
        Some(ListingFault::EmptyPage) => {
            indices = &[];
            submitted.clear();
        }
        None => {}
    }
    let mut jobs: Vec<WireItem> = indices
        .iter()
        .map(|&index| {
            let job = JobStore::to_hpc_job(store.record(index));
            WireItem::Seeded(WireJob {
                null_mem_limit: job.mem_limit.is_none().then_some(()),
                null_started_time: job.started_time.is_none().then_some(()),
                job,
            })
        })
        .chain(submitted.into_iter().map(WireItem::Submitted))
        .collect();
    // Both parts arrive in ascending order; a descending page is turned as a whole.
    if reverse {
        jobs.reverse();
    }
    let wire = WirePage {
        head: JobListResponse {
            action: Some("HpcJobListJobsResponse".to_owned()),
            hpc_job_set: None,
            message: None,
            ret_code: LenientInt(0),
            total_count: Some(LenientInt(total)),
        },
        hpc_job_set: jobs,
    };
    // About 600 bytes a job: one allocation instead of a dozen doublings.
    let mut out = Vec::with_capacity(wire.hpc_job_set.len() * 700 + 128);
    // Plain data with string keys into memory: serialising it cannot fail.
    let _ = serde_json::to_writer(&mut out, &wire);
    out
}
