//! Where an offset listing stands, and the rules against servers that lie about it.
//! Pure bookkeeping: no I/O, so every rule is tested without a network.

use std::collections::HashSet;

use super::{Page, RawPage};
use crate::error::Error;

/// How many times a listing may shift under the reader (its count changing between
/// pages) before it is reported as inconsistent rather than followed further.
const MAX_SHIFTS: u32 = 64;

/// What to do after a page arrived.
#[derive(Debug)]
pub(crate) enum Step<T> {
    /// Hand this page to the caller.
    Yield(Page<T>),
    /// Ask for `next_offset` again, with a request sent from now on.
    Retry,
    /// The listing is complete.
    Done,
    /// The listing cannot be completed faithfully.
    Fail(Error),
}

/// Where a listing stands.
///
/// The rules, each against a way a listing goes wrong while it is read:
/// * every item is yielded once over the whole listing, by its key (a hash of the
///   job's stable id: eight bytes per item listed);
/// * the count of the latest page says where the listing ends;
/// * a count lower than the previous page's means items ahead were removed and the
///   rest moved up: the cursor steps back by the difference, and the repeats that
///   brings are dropped by key; a higher count (items inserted) brings repeats too;
/// * a page prefetched before the previous answer arrived needs no rule of its own: a
///   change between the two requests shows in their counts either way;
/// * a page that brings nothing new while the count stands still is a server that is
///   not paging: an error, never a loop; so is a listing that costs more than
///   [`MAX_SHIFTS`] step-backs and pages of repeats, and more of them than pages with
///   something new.
#[derive(Debug)]
pub(crate) struct Cursor {
    /// The offset of the next page to ask for.
    pub next_offset: u64,
    /// Where the listing ends, as the latest page counted it (or as a short page
    /// showed, when the server gives no count).
    pub end: Option<u64>,
    /// Where the listing started; the cursor never steps back before it.
    start: u64,
    /// Jobs asked for per page; a page may hold fewer.
    limit: u64,
    empty_retried: bool,
    /// Keys of every item yielded so far.
    seen: HashSet<u64>,
    /// The count of the latest page taken, if it had one.
    last_total: Option<u64>,
    shifts: u32,
    /// Pages that brought at least one new item.
    productive: u32,
    /// Pages before this offset may bring only repeats: a shift moved items already
    /// listed there.
    repeats_until: u64,
    pub finished: bool,
    listed: u64,
}

impl Cursor {
    pub fn new(offset: u64, limit: u32) -> Self {
        Self {
            next_offset: offset,
            end: None,
            start: offset,
            limit: u64::from(limit),
            empty_retried: false,
            seen: HashSet::new(),
            last_total: None,
            shifts: 0,
            productive: 0,
            repeats_until: 0,
            finished: false,
            listed: 0,
        }
    }

    fn fail<T>(&mut self, message: String) -> Step<T> {
        self.finished = true;
        Step::Fail(Error::InconsistentListing {
            message: format!("{message}; {} items were listed", self.listed),
        })
    }

    /// Counts one costly shift (a step back, or a page of repeats); the error to end
    /// with once there were more than [`MAX_SHIFTS`] of them and more than pages that
    /// brought something new: a long listing under steady change goes on, a server that
    /// only moves items about does not.
    fn shifted<T>(&mut self) -> Option<Step<T>> {
        self.shifts += 1;
        (self.shifts > MAX_SHIFTS && self.shifts > self.productive).then(|| {
            self.fail(format!(
                "the listing kept moving under the reader ({} step-backs and pages of repeats, {} pages with new items)",
                self.shifts, self.productive
            ))
        })
    }

    /// Takes in the answer for `next_offset`.
    ///
    /// The same rules hold for a page prefetched before the previous answer arrived:
    /// if the listing changed between the two requests, the later one counts
    /// differently, which reads as a shift whichever of the two was sent first.
    pub fn on_page<T>(&mut self, page: RawPage<T>, key: fn(&T) -> Option<u64>) -> Step<T> {
        let offset = self.next_offset;
        let received = page.items.len() as u64;
        // A negative count (`-1`, "unknown" on some servers) is no count at all: the
        // listing then ends at a short page, never after the first one.
        let total = page.total.and_then(|total| u64::try_from(total).ok());
        if let (Some(now), Some(before)) = (total, self.last_total)
            && now > before
        {
            // Items inserted ahead move those listed down onto the next pages; at most
            // every job listed so far can come again.
            let repeats = (now - before).min(self.listed);
            self.repeats_until = self.repeats_until.max(offset.saturating_add(repeats));
        }
        if let Some(now) = total {
            if let Some(before) = self.last_total.filter(|before| now < *before) {
                // Items ahead were removed and the rest moved up: read again from where
                // the first unread item may now be.
                let back = (before - now).min(offset - self.start);
                if back > 0 {
                    if let Some(fail) = self.shifted() {
                        return fail;
                    }
                    self.last_total = Some(now);
                    self.end = Some(now);
                    self.repeats_until = self.repeats_until.max(offset);
                    self.next_offset = offset - back;
                    return Step::Retry;
                }
            }
            self.last_total = Some(now);
            self.end = Some(now);
        } else if received < self.limit {
            // Without a count, a page shorter than asked for is the last one.
            self.end = Some(offset + received);
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
            return self.fail(format!(
                "the server counts {end} items but the page at offset {offset} came back empty twice"
            ));
        }
        self.empty_retried = false;
        let items: Vec<T> = page
            .items
            .into_iter()
            .filter(|item| key(item).is_none_or(|id| self.seen.insert(id)))
            .collect();
        if items.is_empty() && offset < end && offset < self.repeats_until {
            // Repeats a shift explains, but a server could also invent shifts forever.
            if let Some(fail) = self.shifted() {
                return fail;
            }
        } else if items.is_empty() && offset < end {
            // Every item was listed before and nothing moved: a server that answers the
            // same page whatever the offset would otherwise be listed forever.
            return self.fail(format!(
                "the page at offset {offset} repeats earlier pages ({received} items, none new): the server is not paging"
            ));
        }
        self.next_offset = offset.saturating_add(received);
        self.listed += items.len() as u64;
        if !items.is_empty() {
            self.productive += 1;
        }
        if self.next_offset >= end {
            self.finished = true;
        }
        Step::Yield(Page {
            items,
            total_count: end,
            offset,
        })
    }
}

#[cfg(test)]
#[path = "cursor_tests.rs"]
mod tests;
