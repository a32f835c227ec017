//! `jobs().list()`: the realtime list (running and queued jobs, and jobs that ended in
//! the last five minutes), through the generic pager; and the one-job views of its
//! rows.

use std::sync::Arc;

use scnet_client::operations as ops;
use scnet_client::types::{HistoryJobListItem, JobListItem};

use super::{Client, Jobs, lenient};
use crate::error::Result;
use crate::job::JobStatus;
use crate::paging::{FetchPage, ItemStream, Page, PageStream, Paginator, RawPage};
use crate::{Job, Platform};

/// The most rows a realtime or history page asks for (public clients cap it at 1000).
pub const MAX_PAGE_SIZE: u32 = 1000;
/// The rows a page asks for unless told otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// The filters of a realtime listing, kept for every page.
#[derive(Clone, Debug, Default)]
struct Query {
    region: Option<String>,
    scheduler_id: Option<String>,
    owner: Option<String>,
    all_users: bool,
    name: Option<String>,
    job_id: Option<String>,
    queue: Option<String>,
    status: Option<String>,
}

/// A realtime job listing (`GET /hpc/openapi/v2/jobs`); nothing is sent until
/// `.send()` is awaited or a stream is polled.
///
/// ```
/// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let request = client.jobs().list().status("statR").queue("comp").page_size(50);
/// # let _ = request;
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

impl Jobs {
    /// The realtime list of the cluster user's jobs; set filters, then `.send()`,
    /// `.pages()` or `.items()`.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// use futures::TryStreamExt;
    /// let jobs: Vec<_> = client.jobs().list().items().try_collect().await?;
    /// for job in jobs {
    ///     println!("{:?} {:?}", job.job_id, job.job_status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListJobs {
        ListJobs {
            client: self.client.clone(),
            query: Query::default(),
            page_size: DEFAULT_PAGE_SIZE,
            offset: 0,
            prefetch: 0,
        }
    }
}

impl ListJobs {
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

    /// Only this cluster user's jobs (default: the client's cluster user).
    pub fn owner(mut self, user: impl Into<String>) -> Self {
        self.query.owner = Some(user.into());
        self
    }

    /// Every user's jobs, not only the cluster user's (`strJobOwner` not sent).
    pub fn all_users(mut self) -> Self {
        self.query.all_users = true;
        self
    }

    /// Only jobs of this name (`strJobName`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.query.name = Some(name.into());
        self
    }

    /// Only this job (`strJobId`).
    pub fn job_id(mut self, id: impl Into<String>) -> Self {
        self.query.job_id = Some(id.into());
        self
    }

    /// Only jobs of this queue (`strQueueName`).
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.query.queue = Some(queue.into());
        self
    }

    /// Only jobs in this realtime state (`strJobStat`: `statR`, `statQ`, `statC`, ...).
    pub fn status(mut self, code: impl Into<String>) -> Self {
        self.query.status = Some(code.into());
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
    /// let page = scnet.jobs().list().status("statR").page_size(20).send().await?;
    /// println!("{} running jobs", page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Page<JobListItem>> {
        let page = fetch_page(&self.client, &self.query, self.offset, self.page_size).await?;
        Ok(crate::paging::first_page(page, self.offset))
    }

    /// The listing from the offset to the end, page by page.
    pub fn paginator(self) -> Paginator<JobListItem> {
        let (client, query) = (self.client, Arc::new(self.query));
        let fetch: FetchPage<JobListItem> = Arc::new(move |offset, limit| {
            let (client, query) = (client.clone(), query.clone());
            Box::pin(async move { fetch_page(&client, &query, offset, limit).await })
        });
        Paginator::new(fetch, row_key, self.offset, self.page_size, self.prefetch)
    }

    /// Every page from the offset to the end; an error ends the stream.
    pub fn pages(self) -> PageStream<JobListItem> {
        self.paginator().pages()
    }

    /// Every job from the offset to the end; an error ends the stream.
    pub fn items(self) -> ItemStream<JobListItem> {
        self.paginator().items()
    }
}

fn row_key(job: &JobListItem) -> Option<u64> {
    let id = job.job_id.as_ref().and_then(lenient::text)?;
    Some(crate::paging::key_of(&id))
}

/// One page, through the pipeline.
async fn fetch_page(
    client: &Client,
    query: &Query,
    offset: u64,
    limit: u32,
) -> Result<RawPage<JobListItem>> {
    let region = query.region.as_deref();
    let work = async {
        let scheduler = client
            .scheduler_for(region, query.scheduler_id.as_deref())
            .await?;
        let owner = match query.all_users {
            true => None,
            false => Some(client.cluster_user(region, query.owner.as_deref()).await?),
        };
        let start = crate::paging::offset_param(offset)?;
        let (scheduler, owner) = (&scheduler, &owner);
        client
            .execute_region(&ops::LIST_JOBS, region, |api| async move {
                let mut request = api
                    .list_jobs()
                    .str_cluster_id_list(scheduler.clone())
                    .start(start)
                    .limit(i64::from(limit));
                if let Some(owner) = owner {
                    request = request.str_job_owner(owner.clone());
                }
                if let Some(name) = &query.name {
                    request = request.str_job_name(name.clone());
                }
                if let Some(id) = &query.job_id {
                    request = request.str_job_id(id.clone());
                }
                if let Some(queue) = &query.queue {
                    request = request.str_queue_name(queue.clone());
                }
                if let Some(status) = &query.status {
                    request = request.str_job_stat(status.clone());
                }
                request.send().await
            })
            .await
    };
    let answer = client.operation(work).await?;
    let page = answer.data.unwrap_or_default();
    Ok(RawPage {
        total: page.total.as_ref().and_then(lenient::count),
        items: page.list.or(page.items).or(page.rows).unwrap_or_default(),
    })
}

/// The SDK's status of a realtime row (see [`JobStatus::from_scnet_realtime`]).
///
/// ```
/// let row: hpc_sdk::scnet::types::JobListItem = serde_json::from_value(serde_json::json!({
///     "jobId": "7", "jobStatus": "statC", "reason": "NonZeroExitCode"
/// })).unwrap();
/// assert_eq!(hpc_sdk::scnet::realtime_status(&row), hpc_sdk::JobStatus::Failed);
/// ```
pub fn realtime_status(job: &JobListItem) -> JobStatus {
    JobStatus::from_scnet_realtime(
        job.job_status.as_deref().unwrap_or_default(),
        job.reason.as_deref(),
    )
}

fn time_text(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().and_then(lenient::text)
}

impl From<JobListItem> for Job {
    fn from(job: JobListItem) -> Self {
        Job {
            platform: Platform::Scnet,
            id: job
                .job_id
                .as_ref()
                .and_then(lenient::text)
                .unwrap_or_default(),
            status: realtime_status(&job),
            name: job.job_name.clone(),
            queue: job.queue.clone(),
            user: None,
            cores: job.proc_num_used.as_ref().and_then(lenient::count),
            submitted: None,
            started: time_text(&job.job_start_time),
            raw: serde_json::to_value(&job).unwrap_or_default(),
        }
    }
}

impl From<HistoryJobListItem> for Job {
    fn from(job: HistoryJobListItem) -> Self {
        Job {
            platform: Platform::Scnet,
            id: job
                .job_id
                .as_ref()
                .and_then(lenient::text)
                .unwrap_or_default(),
            status: JobStatus::from_scnet(job.job_state.as_deref().unwrap_or_default()),
            name: job.job_name.clone(),
            queue: job.queue.clone(),
            user: None,
            cores: job.job_proc_num.as_ref().and_then(lenient::count),
            submitted: None,
            started: time_text(&job.job_start_time),
            raw: serde_json::to_value(&job).unwrap_or_default(),
        }
    }
}
