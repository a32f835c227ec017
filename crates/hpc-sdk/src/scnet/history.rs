//! `history()`: finished jobs over a time window, and one finished job's record,
//! always asked for with its `acctTime` (without it the server scans every record,
//! which scnet-cli measured at over 30 s).

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use scnet_client::operations as ops;
use scnet_client::types::{HistoryJobDetail, HistoryJobListItem};

use super::realtime::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use super::{Client, lenient};
use crate::error::{Error, Result};
use crate::paging::{FetchPage, ItemStream, Page, PageStream, Paginator, RawPage};

/// The window a history listing covers unless told otherwise: the last seven days.
pub const DEFAULT_HISTORY_WINDOW: TimeDelta = TimeDelta::days(7);

/// How far back a job is looked for by id when its `acctTime` is not known: one day,
/// then a week, then 30 days, as scnet-cli does (a short window is the cheap query).
const LOOKUP_WINDOWS: [TimeDelta; 3] =
    [TimeDelta::days(1), TimeDelta::days(7), TimeDelta::days(30)];

/// The finished-job operations of a [`Client`].
#[derive(Clone, Debug)]
pub struct History {
    client: Client,
}

impl Client {
    /// Finished jobs (the history the realtime list hands jobs to five minutes after
    /// they end).
    pub fn history(&self) -> History {
        History {
            client: self.clone(),
        }
    }
}

/// The filters of a history listing, kept for every page.
#[derive(Clone, Debug, Default)]
struct Query {
    region: Option<String>,
    scheduler_id: Option<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    by_queue_time: bool,
    job_id: Option<String>,
    name: Option<String>,
    state: Option<String>,
    queue: Option<String>,
    user: Option<String>,
    ascending: bool,
}

/// A history listing (`GET /hpc/openapi/v2/historyjobs`); nothing is sent until
/// `.send()` is awaited or a stream is polled.
///
/// ```
/// use chrono::{TimeDelta, Utc};
/// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let request = client.history().list().since(Utc::now() - TimeDelta::days(2)).state("statD");
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListHistoryJobs {
    client: Client,
    query: Query,
    page_size: u32,
    offset: u64,
    prefetch: usize,
}

impl History {
    /// Finished jobs that ended in a window (default: the last seven days), newest first.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// use futures::TryStreamExt;
    /// let jobs: Vec<_> = client.history().list().items().try_collect().await?;
    /// # let _ = jobs; Ok(()) }
    /// ```
    pub fn list(&self) -> ListHistoryJobs {
        ListHistoryJobs {
            client: self.client.clone(),
            query: Query::default(),
            page_size: DEFAULT_PAGE_SIZE,
            offset: 0,
            prefetch: 0,
        }
    }

    /// One finished job's record; set `.acct_time(...)` when it is known, or the SDK
    /// finds it in the listing first.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// if let Some(job) = client.history().get("35919").send().await? {
    ///     println!("{:?} exited {:?}", job.job_state, job.job_exit_status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get(&self, job_id: impl Into<String>) -> GetHistoryJob {
        GetHistoryJob {
            client: self.client.clone(),
            job_id: job_id.into(),
            region: None,
            scheduler_id: None,
            acct_time: None,
        }
    }
}

impl ListHistoryJobs {
    /// Another region than the client's.
    pub fn region(mut self, id: impl Into<String>) -> Self {
        self.query.region = Some(id.into());
        self
    }

    /// The scheduler (default: the region's only one).
    pub fn scheduler_id(mut self, id: impl Into<String>) -> Self {
        self.query.scheduler_id = Some(id.into());
        self
    }

    /// The window's start (default: seven days before its end).
    pub fn since(mut self, at: DateTime<Utc>) -> Self {
        self.query.since = Some(at);
        self
    }

    /// The window's end (default: now).
    pub fn until(mut self, at: DateTime<Utc>) -> Self {
        self.query.until = Some(at);
        self
    }

    /// Apply the window to the queue time instead of the end time.
    pub fn by_queue_time(mut self, yes: bool) -> Self {
        self.query.by_queue_time = yes;
        self
    }

    /// Only this job.
    pub fn job_id(mut self, id: impl Into<String>) -> Self {
        self.query.job_id = Some(id.into());
        self
    }

    /// Only jobs of this name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.query.name = Some(name.into());
        self
    }

    /// Only jobs in this history state (`statC`, `statD`, `statDE`, `statT`, ...).
    pub fn state(mut self, code: impl Into<String>) -> Self {
        self.query.state = Some(code.into());
        self
    }

    /// Only jobs of this queue.
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.query.queue = Some(queue.into());
        self
    }

    /// Only this cluster user's jobs.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.query.user = Some(user.into());
        self
    }

    /// Oldest first (default newest first).
    pub fn ascending(mut self, yes: bool) -> Self {
        self.query.ascending = yes;
        self
    }

    /// Jobs per page, clamped to 1..=1000.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Start at this offset.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Fetch up to `pages` pages ahead (0, the default, fetches on demand).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages;
        self
    }

    /// The page at the offset.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
    /// let page = scnet.history().list().since(week_ago).page_size(50).send().await?;
    /// println!("{} of {} ended jobs", page.items.len(), page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Page<HistoryJobListItem>> {
        let query = self.window()?;
        let page = fetch_page(&self.client, &query, self.offset, self.page_size).await?;
        Ok(crate::paging::first_page(page, self.offset))
    }

    /// The listing from the offset to the end, page by page; a window whose start is
    /// after its end is `InvalidInput`.
    pub fn paginator(self) -> Result<Paginator<HistoryJobListItem>> {
        let query = Arc::new(self.window()?);
        let client = self.client;
        let fetch: FetchPage<HistoryJobListItem> = Arc::new(move |offset, limit| {
            let (client, query) = (client.clone(), query.clone());
            Box::pin(async move { fetch_page(&client, &query, offset, limit).await })
        });
        Ok(Paginator::new(
            fetch,
            row_key,
            self.offset,
            self.page_size,
            self.prefetch,
        ))
    }

    /// Every page from the offset to the end; an error ends the stream.
    pub fn pages(self) -> PageStream<HistoryJobListItem> {
        crate::paging::pages_or_error(self.paginator())
    }

    /// Every job from the offset to the end; an error ends the stream.
    pub fn items(self) -> ItemStream<HistoryJobListItem> {
        crate::paging::items_or_error(self.paginator())
    }

    /// The query with its window fixed, so every page asks for the same one.
    fn window(&self) -> Result<Query> {
        let now = DateTime::<Utc>::from(self.client.inner.rt.clock.now());
        let until = self.query.until.unwrap_or(now);
        let since = self.query.since.unwrap_or(until - DEFAULT_HISTORY_WINDOW);
        if since > until {
            return Err(Error::invalid_input(format!(
                "the history window starts ({since}) after it ends ({until})"
            )));
        }
        Ok(Query {
            since: Some(since),
            until: Some(until),
            ..self.query.clone()
        })
    }
}

fn row_key(job: &HistoryJobListItem) -> Option<u64> {
    let id = job.job_id.as_ref().and_then(lenient::text)?;
    Some(crate::paging::key_of(&id))
}

/// One page, through the pipeline.
async fn fetch_page(
    client: &Client,
    query: &Query,
    offset: u64,
    limit: u32,
) -> Result<RawPage<HistoryJobListItem>> {
    let region = query.region.as_deref();
    let work = async {
        let scheduler = client
            .scheduler_for(region, query.scheduler_id.as_deref())
            .await?;
        let start = crate::paging::offset_param(offset)?;
        let (since, until) = (
            lenient::china_time(query.since.unwrap_or_default()),
            lenient::china_time(query.until.unwrap_or_default()),
        );
        let (scheduler, since, until) = (&scheduler, &since, &until);
        client
            .execute_region(&ops::LIST_HISTORY_JOBS, region, |api| async move {
                let mut request = api
                    .list_history_jobs()
                    .str_cluster_name_list(scheduler.clone())
                    .start_time(since.clone())
                    .end_time(until.clone())
                    .time_type("CUSTOM")
                    .is_query_by_queue_time(query.by_queue_time)
                    .start(start)
                    .limit(i64::from(limit))
                    .order_by("jobId")
                    .sort(if query.ascending { "ASC" } else { "DESC" });
                if let Some(id) = &query.job_id {
                    request = request.job_id(id.clone());
                }
                if let Some(name) = &query.name {
                    request = request.job_name(name.clone());
                }
                if let Some(state) = &query.state {
                    request = request.job_state(state.clone());
                }
                if let Some(queue) = &query.queue {
                    request = request.queue(queue.clone());
                }
                if let Some(user) = &query.user {
                    request = request.str_user(user.clone());
                }
                request.send().await
            })
            .await
    };
    let answer = client.operation(work).await?;
    let page = answer.data.unwrap_or_default();
    Ok(RawPage {
        total: page.total.as_ref().and_then(lenient::count),
        items: page.list.unwrap_or_default(),
    })
}

/// One finished job's record (`GET /hpc/openapi/v2/historyjobs/{jobmanagerId}/{jobId}`).
///
/// ```
/// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let request = client.history().get("35919").acct_time("2021-11-03T13:56:56");
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct GetHistoryJob {
    client: Client,
    job_id: String,
    region: Option<String>,
    scheduler_id: Option<String>,
    acct_time: Option<String>,
}

impl GetHistoryJob {
    /// Another region than the client's.
    pub fn region(mut self, id: impl Into<String>) -> Self {
        self.region = Some(id.into());
        self
    }

    /// The scheduler (default: the region's only one).
    pub fn scheduler_id(mut self, id: impl Into<String>) -> Self {
        self.scheduler_id = Some(id.into());
        self
    }

    /// The job's accounting time, from its history row (`acctTime`).
    pub fn acct_time(mut self, at: impl Into<String>) -> Self {
        self.acct_time = Some(at.into());
        self
    }

    /// The record, or `None` when the job is not in the history: with no accounting
    /// time given, the job is first looked for in the last day, week, then 30 days of
    /// the listing, and never asked for without one.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// if let Some(job) = scnet.history().get("1234567").send().await? {
    ///     println!("{job:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Option<HistoryJobDetail>> {
        if self.job_id.trim().is_empty() {
            return Err(Error::invalid_input("a history lookup needs a job id"));
        }
        let client = self.client.clone();
        client.operation(self.fetch()).await
    }

    async fn fetch(self) -> Result<Option<HistoryJobDetail>> {
        let (client, region) = (&self.client, self.region.as_deref());
        let scheduler = client
            .scheduler_for(region, self.scheduler_id.as_deref())
            .await?;
        let acct_time = match self.acct_time.clone() {
            Some(at) => at,
            None => match find_row(client, region, &scheduler, &self.job_id).await? {
                Some(row) => match row.acct_time {
                    Some(at) if !at.trim().is_empty() => at,
                    _ => return Ok(None),
                },
                None => return Ok(None),
            },
        };
        let (scheduler, job_id, acct_time) = (&scheduler, &self.job_id, &acct_time);
        let answer = client
            .execute_region(&ops::GET_HISTORY_JOB, region, |api| async move {
                api.get_history_job()
                    .jobmanager_id(scheduler.clone())
                    .job_id(job_id.clone())
                    .acct_time(acct_time.clone())
                    .send()
                    .await
            })
            .await?;
        Ok(answer.data)
    }
}

/// A job's history row, found by id in windows growing to 30 days.
pub(crate) async fn find_row(
    client: &Client,
    region: Option<&str>,
    scheduler: &str,
    job_id: &str,
) -> Result<Option<HistoryJobListItem>> {
    let now = DateTime::<Utc>::from(client.inner.rt.clock.now());
    for window in LOOKUP_WINDOWS {
        let mut list = client
            .history()
            .list()
            .scheduler_id(scheduler)
            .job_id(job_id)
            .since(now - window)
            .until(now + TimeDelta::minutes(5))
            .page_size(10);
        if let Some(region) = region {
            list = list.region(region);
        }
        let page = list.send().await?;
        let found = page
            .items
            .into_iter()
            .find(|row| row.job_id.as_ref().and_then(lenient::text).as_deref() == Some(job_id));
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}
