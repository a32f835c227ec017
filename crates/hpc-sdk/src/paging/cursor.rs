//! Where an offset listing stands, and the rules against servers that lie about it.
//! Pure bookkeeping: no I/O, so every rule is tested without a network.

use std::collections::HashSet;

use super::{Page, RawPage};
use crate::error::Error;

/// What to do after a page arrived.
#[derive(Debug)]
pub(crate) enum Step<T> {
    /// Hand this page to the caller.
    Yield(Page<T>),
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
    previous_ids: HashSet<u64>,
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
    pub fn on_page<T>(&mut self, page: RawPage<T>, key: fn(&T) -> Option<u64>) -> Step<T> {
        let offset = self.next_offset;
        let jobs = page.items;
        let received = jobs.len() as u64;
        // A negative count (`-1`, "unknown" on some servers) is no count at all: the
        // listing then ends at a short page, never after the first one.
        let page_total = page.total.and_then(|total| u64::try_from(total).ok());
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
                    "the server counts {end} items but the page at offset {offset} came back empty twice; {} items were listed",
                    self.listed
                ),
            });
        }
        self.empty_retried = false;
        let ids: HashSet<u64> = jobs.iter().filter_map(key).collect();
        let jobs: Vec<T> = jobs
            .into_iter()
            .filter(|job| key(job).is_none_or(|id| !self.previous_ids.contains(&id)))
            .collect();
        self.previous_ids = ids;
        if jobs.is_empty() && offset < end {
            // Every item of the page was on the previous one: a server that answers the
            // same page whatever the offset would otherwise be listed forever.
            self.finished = true;
            return Step::Fail(Error::InconsistentListing {
                message: format!(
                    "the page at offset {offset} repeats the previous page ({received} items, none new): the server is not paging; {} items were listed",
                    self.listed
                ),
            });
        }
        self.next_offset = offset.saturating_add(received);
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
        Step::Yield(Page {
            items: jobs,
            total_count: end,
            offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: std::ops::Range<i64>, total: Option<i64>) -> RawPage<i64> {
        RawPage {
            items: ids.collect(),
            total,
        }
    }

    fn key(id: &i64) -> Option<u64> {
        Some(*id as u64)
    }

    fn yielded(step: Step<i64>) -> Vec<i64> {
        match step {
            Step::Yield(page) => page.items,
            other => panic!("expected a page, got {other:?}"),
        }
    }

    #[test]
    fn a_short_page_is_not_the_end_while_total_count_is_ahead() {
        let mut cursor = Cursor::new(0, 100);
        assert_eq!(
            yielded(cursor.on_page(page(0..50, Some(120)), key)).len(),
            50
        );
        assert_eq!(cursor.next_offset, 50);
        assert!(!cursor.finished);
        assert_eq!(
            yielded(cursor.on_page(page(50..120, Some(120)), key)).len(),
            70
        );
        assert!(cursor.finished);
    }

    #[test]
    fn an_empty_page_before_the_end_is_retried_once_then_an_error() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(30)), key));
        assert!(matches!(
            cursor.on_page(page(0..0, Some(30)), key),
            Step::Retry
        ));
        yielded(cursor.on_page(page(10..20, Some(30)), key));
        assert!(matches!(
            cursor.on_page(page(0..0, Some(30)), key),
            Step::Retry
        ));
        match cursor.on_page(page(0..0, Some(30)), key) {
            Step::Fail(Error::InconsistentListing { message }) => {
                assert!(
                    message.contains("offset 20 came back empty twice; 20 items"),
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
        yielded(cursor.on_page(page(0..10, Some(20)), key));
        yielded(cursor.on_page(page(10..20, Some(1_000_000)), key));
        // One page past the end is asked for, once; an empty answer ends the listing.
        assert!(!cursor.finished);
        assert!(matches!(
            cursor.on_page(page(0..0, Some(1_000_000)), key),
            Step::Done
        ));
        assert!(cursor.finished);
        assert_eq!(cursor.end, Some(20));
        // A full answer is listed, and then the listing ends whatever the count says.
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(20)), key));
        yielded(cursor.on_page(page(10..20, Some(1_000_000)), key));
        assert_eq!(
            yielded(cursor.on_page(page(20..30, Some(1_000_000)), key)).len(),
            10
        );
        assert!(cursor.finished);
        assert_eq!(cursor.end, Some(20));
    }

    #[test]
    fn a_count_lowered_on_one_page_does_not_cut_the_tail() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(15)), key));
        // The next page is full and counts 25 again: the page after it is asked for.
        yielded(cursor.on_page(page(10..20, Some(25)), key));
        assert!(!cursor.finished);
        assert_eq!(
            yielded(cursor.on_page(page(20..25, Some(25)), key)).len(),
            5
        );
        assert!(cursor.finished);
    }

    #[test]
    fn a_shrinking_total_count_ends_the_listing_early() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(100)), key));
        yielded(cursor.on_page(page(10..20, Some(15)), key));
        assert!(cursor.finished);
    }

    #[test]
    fn a_job_shifted_across_a_page_boundary_is_yielded_once() {
        let mut cursor = Cursor::new(0, 10);
        assert_eq!(
            yielded(cursor.on_page(page(0..10, Some(20)), key)),
            (0..10).collect::<Vec<_>>()
        );
        // A new job pushed everything down by one: job 9 comes again.
        assert_eq!(
            yielded(cursor.on_page(page(9..19, Some(21)), key)),
            (10..19).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_server_answering_the_same_page_at_every_offset_is_an_error_not_a_loop() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, None), key));
        match cursor.on_page(page(0..10, None), key) {
            Step::Fail(Error::InconsistentListing { message }) => {
                assert!(message.contains("none new"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert!(cursor.finished);
        // With a huge count, too.
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(i64::MAX)), key));
        assert!(matches!(
            cursor.on_page(page(0..10, Some(i64::MAX)), key),
            Step::Fail(_)
        ));
    }

    #[test]
    fn a_negative_total_count_is_no_count() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, Some(-1)), key));
        assert!(!cursor.finished, "-1 must not end a listing after one page");
        yielded(cursor.on_page(page(10..20, Some(-1)), key));
        yielded(cursor.on_page(page(20..25, Some(-1)), key));
        assert!(cursor.finished);
    }

    #[test]
    fn an_empty_listing_is_done_at_once() {
        let mut cursor = Cursor::new(0, 10);
        assert!(matches!(
            cursor.on_page(page(0..0, Some(0)), key),
            Step::Done
        ));
    }

    #[test]
    fn without_total_count_a_short_page_ends_the_listing() {
        let mut cursor = Cursor::new(0, 10);
        yielded(cursor.on_page(page(0..10, None), key));
        assert!(!cursor.finished);
        yielded(cursor.on_page(page(10..13, None), key));
        assert!(cursor.finished);
    }
}
