//! Offset paging with optional prefetch. The bookkeeping ([`Cursor`]) does no I/O, so
//! every rule about lying servers is tested without a network.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use ehpc_client::types::JobListResponse;
use tokio::task::JoinHandle;

use super::jobs::{JobPage, Query, fetch_page};
use super::{Client, EhpcJob};
use crate::error::{Error, Result};

/// What to do after a page arrived.
#[derive(Debug)]
pub(crate) enum Step {
    /// Hand this page to the caller.
    Yield(JobPage),
    /// Ask for the same offset again.
    Retry,
    /// The listing is complete.
    Done,
    /// The listing cannot be completed faithfully.
    Fail(Error),
}

/// Where a listing stands.
#[derive(Debug)]
pub(crate) struct Cursor {
    /// The offset of the next page to ask for.
    pub next_offset: u64,
    /// Where the listing ends: the smallest `total_count` seen. It never grows, so a
    /// server that keeps raising its count cannot keep a caller listing forever.
    pub end: Option<u64>,
    /// Jobs asked for per page; a page may hold fewer.
    limit: u64,
    empty_retried: bool,
    /// Whether the one page past `end` (see [`Cursor::on_page`]) was already asked for.
    extended: bool,
    /// Ids of the previous page: a job that shifts across a page boundary is yielded once.
    previous_ids: HashSet<i64>,
    pub finished: bool,
    listed: u64,
}

impl Cursor {
    pub fn new(offset: u64, limit: u32) -> Self {
        Self {
            next_offset: offset,
            end: None,
            limit: u64::from(limit),
            empty_retried: false,
            extended: false,
            previous_ids: HashSet::new(),
            finished: false,
            listed: 0,
        }
    }

    /// Takes in the answer for `next_offset`.
    pub fn on_page(&mut self, page: JobListResponse) -> Step {
        let offset = self.next_offset;
        let jobs = page.hpc_job_set.unwrap_or_default();
        let received = jobs.len() as u64;
        let page_total = page.total_count.map(|total| total.0.max(0) as u64);
        match page_total {
            Some(total) => {
                self.end = Some(self.end.map_or(total, |end| end.min(total)));
            }
            // Without a count, a page shorter than asked for is the last one.
            None if received < self.limit => self.end = Some(offset + received),
            None => {}
        }
        let end = self.end.unwrap_or(u64::MAX);
        if received == 0 {
            if offset >= end {
                self.finished = true;
                return Step::Done;
            }
            if !self.empty_retried {
                self.empty_retried = true;
                return Step::Retry;
            }
            self.finished = true;
            return Step::Fail(Error::InconsistentListing {
                message: format!(
                    "the server counts {end} jobs but the page at offset {offset} came back empty twice; {} jobs were listed",
                    self.listed
                ),
            });
        }
        self.empty_retried = false;
        let ids: HashSet<i64> = jobs.iter().filter_map(job_key).collect();
        let jobs: Vec<EhpcJob> = jobs
            .into_iter()
            .filter(|job| job_key(job).is_none_or(|id| !self.previous_ids.contains(&id)))
            .collect();
        self.previous_ids = ids;
        self.next_offset = offset + received;
        self.listed += jobs.len() as u64;
        if self.next_offset >= end {
            // A full page reaching `end` while itself counting more jobs: an earlier page
            // under-counted, or jobs inserted ahead pushed the tail past `end`. Ask for
            // one more page (once per listing) rather than drop the tail silently.
            let counts_more = page_total.is_some_and(|total| total > end);
            if counts_more && received >= self.limit && !jobs.is_empty() && !self.extended {
                self.extended = true;
            } else {
                self.finished = true;
            }
        }
        Step::Yield(JobPage {
            jobs,
            total_count: end,
            offset,
        })
    }
}

fn job_key(job: &EhpcJob) -> Option<i64> {
    job.job_id.map(|id| id.0)
}

/// A page request running in the background; aborted if no longer wanted.
struct InFlight {
    offset: u64,
    task: JoinHandle<Result<JobListResponse>>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Drives a [`Cursor`] over the network, keeping up to `prefetch` pages in flight
/// beyond the one being waited for.
pub(crate) struct Pager {
    client: Client,
    query: Arc<Query>,
    cursor: Cursor,
    limit: u32,
    /// The offset step between speculative requests: the page size, or the smaller
    /// size the server turned out to cap pages at.
    stride: u64,
    prefetch: usize,
    in_flight: VecDeque<InFlight>,
}

impl Pager {
    pub fn new(
        client: Client,
        query: Arc<Query>,
        offset: u64,
        limit: u32,
        prefetch: usize,
    ) -> Self {
        Self {
            client,
            query,
            cursor: Cursor::new(offset, limit),
            limit,
            stride: u64::from(limit),
            prefetch,
            in_flight: VecDeque::new(),
        }
    }

    /// The next page, `None` at the end; after an error, `None`.
    pub async fn next_page(&mut self) -> Option<Result<JobPage>> {
        loop {
            if self.cursor.finished {
                self.in_flight.clear();
                return None;
            }
            self.fill();
            let mut front = self.in_flight.pop_front()?;
            if front.offset != self.cursor.next_offset {
                // A speculative request for an offset the listing did not reach.
                self.in_flight.clear();
                continue;
            }
            let answer = match (&mut front.task).await {
                Ok(answer) => answer,
                Err(join) => Err(Error::Transport {
                    message: format!("the page request was lost: {join}"),
                    source: None,
                }),
            };
            let answer = match answer {
                Ok(answer) => answer,
                Err(error) => {
                    self.cursor.finished = true;
                    return Some(Err(error));
                }
            };
            match self.cursor.on_page(answer) {
                Step::Yield(page) => {
                    let received = self.cursor.next_offset - page.offset;
                    if received != self.stride {
                        // The server pages differently than assumed: re-aim what is in flight.
                        self.stride = received.max(1);
                        self.in_flight.clear();
                    }
                    return Some(Ok(page));
                }
                Step::Retry => self.in_flight.clear(),
                Step::Done => return None,
                Step::Fail(error) => return Some(Err(error)),
            }
        }
    }

    /// Starts requests up to the prefetch depth (one until the total is known).
    fn fill(&mut self) {
        let depth = if self.cursor.end.is_some() {
            1 + self.prefetch
        } else {
            1
        };
        let mut offset = self.cursor.next_offset + self.stride * self.in_flight.len() as u64;
        while self.in_flight.len() < depth {
            if self.cursor.end.is_some_and(|end| offset >= end) && !self.in_flight.is_empty() {
                break;
            }
            let (client, query, limit) = (self.client.clone(), self.query.clone(), self.limit);
            let task =
                tokio::spawn(async move { fetch_page(&client, &query, offset, limit).await });
            self.in_flight.push_back(InFlight { offset, task });
            offset += self.stride;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(ids: std::ops::Range<i64>, total: Option<i64>) -> JobListResponse {
        let jobs: Vec<_> = ids.map(|id| json!({"job_id": id})).collect();
        serde_json::from_value(json!({"ret_code": 0, "total_count": total, "hpc_job_set": jobs}))
            .unwrap()
    }

    fn yielded(step: Step) -> Vec<i64> {
        match step {
            Step::Yield(page) => page.jobs.iter().map(|j| j.job_id.unwrap().0).collect(),
            other => panic!("expected a page, got {other:?}"),
        }
    }

    #[test]
    fn a_short_page_is_not_the_end_while_total_count_is_ahead() {
        let mut cursor = Cursor::new(0, 100);
        assert_eq!(yielded(cursor.on_page(page(0..50, Some(120)))).len(), 50);
        assert_eq!(cursor.next_offset, 50);
        assert!(!cursor.finished);
        assert_eq!(yielded(cursor.on_page(page(50..120, Some(120)))).len(), 70);
        assert!(cursor.finished);
    }

    #[test]
    fn an_empty_page_before_the_end_is_retried_once_then_an_error() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(30))));
        assert!(matches!(cursor.on_page(page(0..0, Some(30))), Step::Retry));
        yielded(cursor.on_page(page(10..20, Some(30))));
        assert!(matches!(cursor.on_page(page(0..0, Some(30))), Step::Retry));
        match cursor.on_page(page(0..0, Some(30))) {
            Step::Fail(Error::InconsistentListing { message }) => {
                assert!(
                    message.contains("offset 20 came back empty twice; 20 jobs"),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(cursor.finished);
    }

    #[test]
    fn a_growing_total_count_cannot_extend_the_listing() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(20))));
        yielded(cursor.on_page(page(10..20, Some(1_000_000))));
        // One page past the end is asked for, once; an empty answer ends the listing.
        assert!(!cursor.finished);
        assert!(matches!(
            cursor.on_page(page(0..0, Some(1_000_000))),
            Step::Done
        ));
        assert!(cursor.finished);
        assert_eq!(cursor.end, Some(20));
        // A full answer is listed, and then the listing ends whatever the count says.
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(20))));
        yielded(cursor.on_page(page(10..20, Some(1_000_000))));
        assert_eq!(
            yielded(cursor.on_page(page(20..30, Some(1_000_000)))).len(),
            10
        );
        assert!(cursor.finished);
        assert_eq!(cursor.end, Some(20));
    }

    #[test]
    fn a_count_lowered_on_one_page_does_not_cut_the_tail() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(15))));
        // The next page is full and counts 25 again: the page after it is asked for.
        yielded(cursor.on_page(page(10..20, Some(25))));
        assert!(!cursor.finished);
        assert_eq!(yielded(cursor.on_page(page(20..25, Some(25)))).len(), 5);
        assert!(cursor.finished);
    }

    #[test]
    fn a_shrinking_total_count_ends_the_listing_early() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(100))));
        yielded(cursor.on_page(page(10..20, Some(15))));
        assert!(cursor.finished);
    }

    #[test]
    fn a_job_shifted_across_a_page_boundary_is_yielded_once() {
        let mut cursor = Cursor::new(0, 10);
        assert_eq!(
            yielded(cursor.on_page(page(0..10, Some(20)))),
            (0..10).collect::<Vec<_>>()
        );
        // A new job pushed everything down by one: job 9 comes again.
        assert_eq!(
            yielded(cursor.on_page(page(9..19, Some(21)))),
            (10..19).collect::<Vec<_>>()
        );
    }

    #[test]
    fn an_empty_listing_is_done_at_once() {
        let mut cursor = Cursor::new(0, 10);
        assert!(matches!(cursor.on_page(page(0..0, Some(0))), Step::Done));
    }

    #[test]
    fn without_total_count_a_short_page_ends_the_listing() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, None)));
        assert!(!cursor.finished);
        yielded(cursor.on_page(page(10..13, None)));
        assert!(cursor.finished);
    }
}
