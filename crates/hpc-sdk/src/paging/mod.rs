//! One offset pager for every paged operation of both clouds: `.pages()`, `.items()`
//! and `.prefetch(n)` on any listing builder end up here, under the same defensive rules
//! (see [`cursor`]) and the same meaning of `total_count`.

mod cursor;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::{self, BoxStream};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use cursor::{Cursor, Step};

/// One page of a listing.
///
/// ```
/// let page = hpc_sdk::Page { items: vec![1, 2], total_count: 2, offset: 0 };
/// assert_eq!(page.items.len() as u64, page.total_count);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The items of this page (an item already listed on an earlier page is left out).
    pub items: Vec<T>,
    /// How many items match the filters over all pages: the count of the latest page,
    /// or, when the server gives none, where a short page showed the end to be.
    pub total_count: u64,
    /// The offset this page was asked for.
    pub offset: u64,
}

/// The pages of a listing, as `.pages()` streams them; an error ends the stream.
pub type PageStream<T> = BoxStream<'static, Result<Page<T>>>;

/// The items of a listing, as `.items()` streams them; an error ends the stream.
pub type ItemStream<T> = BoxStream<'static, Result<T>>;

/// What one request of a paged operation answered, before the pager's rules.
pub(crate) struct RawPage<T> {
    pub items: Vec<T>,
    /// The server's count of all matching items, if it sent one.
    pub total: Option<i64>,
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<RawPage<T>>> + Send>>;

/// Fetches the page at an offset (`(offset, limit)`), as a task of its own.
pub(crate) type FetchPage<T> = Arc<dyn Fn(u64, u32) -> PageFuture<T> + Send + Sync>;

/// Names an item by a hash of its key field, so a paginator can spot a repeat.
pub(crate) fn key_of<K: std::hash::Hash + ?Sized>(key: &K) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
}

/// An offset as the APIs' int64 takes it: one past `i64::MAX` is refused, never wrapped.
pub(crate) fn offset_param(offset: u64) -> Result<i64> {
    i64::try_from(offset).map_err(|_| {
        Error::invalid_input(format!(
            "offset {offset} is larger than the API accepts ({})",
            i64::MAX
        ))
    })
}

/// The answer of a single `.send()` of a listing, as a [`Page`].
pub(crate) fn first_page<T>(page: RawPage<T>, offset: u64) -> Page<T> {
    Page {
        total_count: page.total.map_or(0, |n| n.max(0) as u64),
        items: page.items,
        offset,
    }
}

/// `.pages()` of a listing request whose inputs may be wrong: the error, streamed.
pub(crate) fn pages_or_error<T: Send + 'static>(paginator: Result<Paginator<T>>) -> PageStream<T> {
    match paginator {
        Ok(paginator) => paginator.pages(),
        Err(error) => stream::once(async { Err(error) }).boxed(),
    }
}

/// `.items()` of a listing request whose inputs may be wrong: the error, streamed.
pub(crate) fn items_or_error<T: Send + 'static>(paginator: Result<Paginator<T>>) -> ItemStream<T> {
    match paginator {
        Ok(paginator) => paginator.items(),
        Err(error) => stream::once(async { Err(error) }).boxed(),
    }
}

/// A page request running in the background; aborted if no longer wanted.
struct InFlight<T> {
    offset: u64,
    task: JoinHandle<Result<RawPage<T>>>,
}

impl<T> Drop for InFlight<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Walks an offset listing page by page, keeping up to `prefetch` pages in flight beyond
/// the one being waited for. Built by a listing request's `.paginator()`; its
/// `.pages()` and `.items()` are the request's.
///
/// ```no_run
/// # async fn run() -> hpc_sdk::Result<()> {
/// use futures::TryStreamExt;
/// let client = hpc_sdk::ehpc::Client::from_env()?;
/// let paginator = client.jobs().list().cluster_id("ehpc-1").prefetch(2).paginator()?;
/// let jobs: Vec<_> = paginator.items().try_collect().await?;
/// # let _ = jobs; Ok(()) }
/// ```
#[must_use = "a paginator does nothing until streamed"]
pub struct Paginator<T> {
    fetch: FetchPage<T>,
    key: fn(&T) -> Option<u64>,
    cursor: Cursor,
    limit: u32,
    /// The offset step between speculative requests: the page size, or the smaller
    /// size the server turned out to cap pages at.
    stride: u64,
    prefetch: usize,
    in_flight: VecDeque<InFlight<T>>,
}

impl<T> std::fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("next_offset", &self.cursor.next_offset)
            .field("limit", &self.limit)
            .field("prefetch", &self.prefetch)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Paginator<T> {
    /// A paginator from `offset`, `limit` items a page; `key` names an item so one that
    /// shifts across a page boundary is yielded once.
    pub(crate) fn new(
        fetch: FetchPage<T>,
        key: fn(&T) -> Option<u64>,
        offset: u64,
        limit: u32,
        prefetch: usize,
    ) -> Self {
        let limit = limit.max(1);
        Self {
            fetch,
            key,
            cursor: Cursor::new(offset, limit),
            limit,
            stride: u64::from(limit),
            prefetch,
            in_flight: VecDeque::new(),
        }
    }

    /// Every page to the end, as a stream.
    pub fn pages(self) -> PageStream<T> {
        stream::unfold(self, |mut pager| async move {
            pager.next_page().await.map(|page| (page, pager))
        })
        .boxed()
    }

    /// Every item to the end, as a stream.
    pub fn items(self) -> ItemStream<T> {
        self.pages()
            .flat_map(|page| {
                let items: Vec<Result<T>> = match page {
                    Ok(page) => page.items.into_iter().map(Ok).collect(),
                    Err(error) => vec![Err(error)],
                };
                stream::iter(items)
            })
            .boxed()
    }

    /// The next page, `None` at the end; after an error, `None`.
    async fn next_page(&mut self) -> Option<Result<Page<T>>> {
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
            match self.cursor.on_page(answer, self.key) {
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
        let ahead = self.stride.saturating_mul(self.in_flight.len() as u64);
        let mut offset = self.cursor.next_offset.saturating_add(ahead);
        while self.in_flight.len() < depth {
            if self.cursor.end.is_some_and(|end| offset >= end) && !self.in_flight.is_empty() {
                break;
            }
            let task = tokio::spawn((self.fetch)(offset, self.limit));
            self.in_flight.push_back(InFlight { offset, task });
            offset = offset.saturating_add(self.stride);
        }
    }
}
