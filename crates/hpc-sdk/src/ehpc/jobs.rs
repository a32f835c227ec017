//! `jobs().list()`: one page, a stream of pages, a stream of jobs.

use std::sync::Arc;

use super::config::MAX_PAGE_SIZE;
use super::{Client, EhpcJob};
use crate::error::{Error, Result};
use crate::job::JobStatus;
use crate::paging::{FetchPage, ItemStream, PageStream, Paginator, RawPage};

/// Job operations of an EHPC [`Client`].
#[derive(Clone, Debug)]
pub struct Jobs {
    pub(super) client: Client,
}

impl Jobs {
    /// Lists a cluster's jobs; set filters, then `.send()`, `.pages()` or `.items()`.
    ///
    /// ```
    /// let client = hpc_sdk::ehpc::Client::builder().zone("z").credentials("k", "s").build().unwrap();
    /// let request = client.jobs().list().cluster_id("ehpc-1").status("running").queue("vis").prefetch(2);
    /// # let _ = request;
    /// ```
    pub fn list(&self) -> ListJobs {
        ListJobs {
            client: self.client.clone(),
            query: Query {
                cluster_id: self.client.inner.cluster_id.clone(),
                // Oldest first: jobs submitted while a listing is read are appended
                // behind it instead of moving every job it has not reached yet.
                reverse: Some(false),
                ..Query::default()
            },
            page_size: self.client.inner.page_size,
            offset: 0,
            prefetch: 0,
        }
    }
}

/// The filters of a listing, kept for every page.
#[derive(Clone, Debug, Default)]
struct Query {
    pub cluster_id: Option<String>,
    pub zone: Option<String>,
    pub status: Option<String>,
    pub queue: Option<String>,
    pub run_user: Option<String>,
    pub search_word: Option<String>,
    pub sort_key: Option<String>,
    pub reverse: Option<bool>,
}

/// One page of a job listing.
pub type JobPage = crate::Page<EhpcJob>;

/// A job listing request (`GET /api/job/list`). Nothing is sent until `.send()` is
/// awaited or a stream is polled.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn demo(ehpc: hpc_sdk::ehpc::Client) -> hpc_sdk::Result<()> {
/// let mut jobs = ehpc.jobs().list().cluster_id("ehpc-qmmvigwe").prefetch(2).items();
/// while let Some(job) = jobs.try_next().await? {
///     println!("{:?} {:?}", job.job_id, job.job_name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListJobs {
    client: Client,
    query: Query,
    page_size: u32,
    offset: u64,
    prefetch: usize,
}

impl ListJobs {
    /// The cluster whose jobs to list (required unless the client has a default).
    pub fn cluster_id(mut self, id: impl Into<String>) -> Self {
        self.query.cluster_id = Some(id.into());
        self
    }

    /// Another zone than the client's.
    pub fn zone(mut self, zone: impl Into<String>) -> Self {
        self.query.zone = Some(zone.into());
        self
    }

    /// Only jobs in this status (`pending`, `running`, `finished`, `exited`,
    /// `cancelled`); sent as both `jobs_status` and `job_status`.
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.query.status = Some(status.into());
        self
    }

    /// Only jobs of this queue.
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.query.queue = Some(queue.into());
        self
    }

    /// Only jobs run by this user.
    pub fn run_user(mut self, user: impl Into<String>) -> Self {
        self.query.run_user = Some(user.into());
        self
    }

    /// Only jobs matching this keyword.
    pub fn search_word(mut self, word: impl Into<String>) -> Self {
        self.query.search_word = Some(word.into());
        self
    }

    /// Sort by this field.
    pub fn sort_key(mut self, key: impl Into<String>) -> Self {
        self.query.sort_key = Some(key.into());
        self
    }

    /// Sort descending (`reverse=1`) or ascending (`reverse=0`, the SDK's default:
    /// oldest first keeps offsets stable while new jobs arrive; see
    /// `docs/reliability.md`).
    pub fn reverse(mut self, reverse: bool) -> Self {
        self.query.reverse = Some(reverse);
        self
    }

    /// Jobs per page, clamped to 1..=100.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Start at this offset.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Fetch up to `pages` pages ahead while the caller works through the current one;
    /// memory stays bounded by that many pages. 0 (the default) fetches on demand.
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages;
        self
    }

    /// The page at the offset.
    ///
    /// ```no_run
    /// # async fn demo(ehpc: hpc_sdk::ehpc::Client) -> hpc_sdk::Result<()> {
    /// let page = ehpc.jobs().list().cluster_id("ehpc-qmmvigwe").status("running").send().await?;
    /// println!("{} of {} running jobs", page.items.len(), page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<JobPage> {
        let query = self.checked_query()?;
        let page = fetch_page(&self.client, &query, self.offset, self.page_size).await?;
        Ok(crate::paging::first_page(page, self.offset))
    }

    /// The listing from the offset to the end, page by page.
    pub fn paginator(self) -> Result<Paginator<EhpcJob>> {
        let query = Arc::new(self.checked_query()?);
        let client = self.client;
        let fetch: FetchPage<EhpcJob> = Arc::new(move |offset, limit| {
            let (client, query) = (client.clone(), query.clone());
            Box::pin(async move { fetch_page(&client, &query, offset, limit).await })
        });
        Ok(Paginator::new(
            fetch,
            job_key,
            self.offset,
            self.page_size,
            self.prefetch,
        ))
    }

    /// Every page from the offset to the end, as a stream; an error ends it.
    pub fn pages(self) -> PageStream<EhpcJob> {
        crate::paging::pages_or_error(self.paginator())
    }

    /// Every job from the offset to the end, as a stream; an error ends it.
    pub fn items(self) -> ItemStream<EhpcJob> {
        crate::paging::items_or_error(self.paginator())
    }

    fn checked_query(&self) -> Result<Query> {
        match self.query.cluster_id.as_deref() {
            Some(id) if !id.trim().is_empty() => Ok(self.query.clone()),
            _ => Err(Error::invalid_input(
                "no cluster id: call .cluster_id(...) or set EHPC_CLUSTER_ID",
            )),
        }
    }
}

/// A job's stable name: its `hpcjob_uuid`, else its scheduler `job_id`.
fn job_key(job: &EhpcJob) -> Option<u64> {
    match (&job.hpcjob_uuid, &job.job_id) {
        (Some(uuid), _) if !uuid.is_empty() => Some(crate::paging::key_of(uuid)),
        (_, Some(id)) => Some(crate::paging::key_of(id)),
        _ => None,
    }
}

/// One page, through the pipeline.
async fn fetch_page(
    client: &Client,
    query: &Query,
    offset: u64,
    limit: u32,
) -> Result<RawPage<EhpcJob>> {
    let offset = crate::paging::offset_param(offset)?;
    let page = client
        .execute(&ehpc_client::operations::LIST_JOBS, || {
            let mut request = client
                .api()
                .list_jobs()
                .timestamp(client.timestamp())
                .zone(
                    query
                        .zone
                        .clone()
                        .unwrap_or_else(|| client.zone().to_string()),
                )
                .cluster_id(query.cluster_id.clone().unwrap_or_default())
                .limit(i64::from(limit))
                .offset(offset);
            // The vendor page and the server's own client name the filter differently.
            if let Some(status) = &query.status {
                request = request
                    .jobs_status(status.clone())
                    .job_status(status.clone());
            }
            if let Some(queue) = &query.queue {
                request = request.queue_name(queue.clone());
            }
            if let Some(user) = &query.run_user {
                request = request.run_user(user.clone());
            }
            if let Some(word) = &query.search_word {
                request = request.search_word(word.clone());
            }
            if let Some(key) = &query.sort_key {
                request = request.sort_key(key.clone());
            }
            if let Some(reverse) = query.reverse {
                request = request.reverse(i64::from(reverse));
            }
            request.send()
        })
        .await?;
    Ok(RawPage {
        total: page.total_count.map(i64::from),
        items: page.hpc_job_set.unwrap_or_default(),
    })
}

/// The one job view of a listed EHPC job.
impl From<EhpcJob> for crate::Job {
    fn from(job: EhpcJob) -> Self {
        let raw = serde_json::to_value(&job).unwrap_or_default();
        crate::Job {
            platform: crate::Platform::Ehpc,
            id: view_id(job.job_id, job.hpcjob_uuid),
            name: job.job_name,
            status: JobStatus::from_ehpc(job.job_status.as_deref().unwrap_or("")),
            queue: job.queue_name.or(job.hpq_name),
            user: job.run_user,
            cores: job.core_limit.map(i64::from),
            submitted: job.submitted_time,
            started: job.started_time,
            raw,
        }
    }
}

/// A job's id in the one job view: the scheduler's number, else the `hpcjob-…` uuid.
pub(super) fn view_id(job_id: Option<ehpc_client::LenientInt>, uuid: Option<String>) -> String {
    job_id.map(|id| id.to_string()).or(uuid).unwrap_or_default()
}
