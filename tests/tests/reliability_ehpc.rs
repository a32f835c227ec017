//! The EHPC rows of the fault matrix (docs/reliability.md), against the sandbox, whose
//! signature and timestamp checks are real. Every row: no panic, no hang, every job
//! listed exactly once (or a clear error), and the exact number of requests sent.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::RecordingSleep;
use futures::StreamExt;
use hpc_sandbox::{Fault, Sandbox};
use hpc_sdk::{EhpcCode, Error, ErrorCode, RetryPolicy, Timeouts};

const LIST: &str = "/api/job/list";
const JOBS: usize = 250;

/// A guard against hangs: every row finishes long before this.
async fn bounded<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), fut)
        .await
        .expect("the operation hung")
}

fn timeouts() -> Timeouts {
    Timeouts::default()
        .per_attempt(Duration::from_millis(400))
        .per_operation(Duration::from_secs(20))
        .connect(Duration::from_secs(2))
}

struct Row {
    sandbox: Arc<Sandbox>,
    sleep: RecordingSleep,
    expected: Vec<i64>,
}

impl Row {
    /// A sandbox with 250 jobs, and the ids a fault-free listing gives.
    async fn start() -> Self {
        let sandbox = Sandbox::builder()
            .jobs(JOBS)
            .seed(11)
            .start()
            .await
            .unwrap();
        let mut row = Row::bare(Arc::new(sandbox));
        let (ids, error) = row.list(row.client()).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(ids.len(), JOBS);
        row.expected = ids;
        row
    }

    /// A row on this sandbox, before any request.
    fn bare(sandbox: Arc<Sandbox>) -> Self {
        Row {
            sandbox,
            sleep: RecordingSleep::default(),
            expected: Vec::new(),
        }
    }

    fn builder(&self) -> hpc_sdk::ehpc::ClientBuilder {
        let c = self.sandbox.credentials();
        hpc_sdk::ehpc::Client::builder()
            .endpoint(self.sandbox.ehpc_url())
            .zone(&c.ehpc_zone)
            .cluster_id(&c.ehpc_cluster_id)
            .credentials(&c.ehpc_access_key_id, &c.ehpc_secret_access_key)
            .retry(
                RetryPolicy::default()
                    .max_attempts(4)
                    .min_delay(Duration::from_millis(10))
                    .without_jitter(),
            )
            .timeouts(timeouts())
            .sleep(Arc::new(self.sleep.clone()))
    }

    fn client(&self) -> hpc_sdk::ehpc::Client {
        self.builder().build().unwrap()
    }

    async fn list(&self, client: hpc_sdk::ehpc::Client) -> (Vec<i64>, Option<Error>) {
        list_all(client).await
    }

    /// Runs a listing with the faults queued; the ids, the error and the requests sent.
    async fn run(&self, faults: Vec<Fault>) -> (Vec<i64>, Option<Error>, usize) {
        for fault in faults {
            self.sandbox.inject(fault);
        }
        let before = self.sandbox.request_count(LIST);
        let (ids, error) = self.list(self.client()).await;
        (ids, error, self.sandbox.request_count(LIST) - before)
    }

    /// The listing recovered: every job once, in order, after `requests` requests.
    async fn recovers(&self, faults: Vec<Fault>, requests: usize) {
        let served = self.sandbox.faults_served();
        let count = faults.iter().map(|f| f.times).sum::<usize>();
        let (ids, error, sent) = self.run(faults).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(ids, self.expected, "no job lost or duplicated");
        assert_eq!(sent, requests, "requests sent");
        assert_eq!(self.sandbox.faults_served() - served, count);
    }

    /// The first page fails for good: the error, after exactly `requests` requests.
    async fn fails(&self, faults: Vec<Fault>, requests: usize) -> Error {
        let (ids, error, sent) = self.run(faults).await;
        assert!(ids.is_empty(), "nothing listed before the error");
        assert_eq!(sent, requests, "requests sent");
        error.expect("the listing failed")
    }
}

/// Lists everything; the ids yielded and the error that ended the stream, if any.
async fn list_all(client: hpc_sdk::ehpc::Client) -> (Vec<i64>, Option<Error>) {
    bounded(async move {
        let mut stream = client.jobs().list().items();
        let (mut ids, mut error) = (Vec::new(), None);
        while let Some(item) = stream.next().await {
            match item {
                Ok(job) => ids.push(job.job_id.expect("every job has an id").0),
                Err(e) => {
                    error = Some(e);
                    assert!(stream.next().await.is_none(), "an error ends the stream");
                    break;
                }
            }
        }
        (ids, error)
    })
    .await
}

fn code(error: &Error) -> i64 {
    match error.code() {
        Some(ErrorCode::Ehpc(code)) => code.code(),
        other => panic!("not an EHPC code: {other:?} ({error})"),
    }
}

#[tokio::test]
async fn http_503_twice_then_success() {
    let row = Row::start().await;
    // Three pages: the first after two 503s.
    row.recovers(vec![Fault::status(LIST, 503).times(2)], 3 + 2)
        .await;
    assert_eq!(row.sleep.waits().len(), 2, "one wait per retry");
}

#[tokio::test]
async fn http_429_waits_at_least_retry_after() {
    let row = Row::start().await;
    row.recovers(vec![Fault::rate_limited(LIST, 3)], 3 + 1)
        .await;
    let waits = row.sleep.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] >= Duration::from_secs(3), "{waits:?}");
}

#[tokio::test]
async fn an_html_502_page_is_retried_and_reported_with_an_excerpt() {
    let row = Row::start().await;
    row.recovers(vec![Fault::html(LIST, 502)], 3 + 1).await;
    let error = row.fails(vec![Fault::html(LIST, 502).times(4)], 4).await;
    match &error {
        Error::Http {
            status: 502,
            body_excerpt,
            ..
        } => assert!(body_excerpt.contains("502 Bad Gateway"), "{body_excerpt}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_not_retried() {
    let row = Row::start().await;
    let error = row.fails(vec![Fault::truncated_json(LIST)], 1).await;
    match &error {
        Error::Decode {
            status: 200,
            body_excerpt,
            ..
        } => assert!(body_excerpt.starts_with('{'), "{body_excerpt}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let row = Row::start().await;
    row.recovers(vec![Fault::drop_connection(LIST)], 3 + 1)
        .await;
}

#[tokio::test]
async fn a_server_slower_than_the_attempt_timeout_is_retried() {
    let row = Row::start().await;
    row.recovers(vec![Fault::delay(LIST, Duration::from_secs(3))], 3 + 1)
        .await;
    let error = row
        .fails(vec![Fault::delay(LIST, Duration::from_secs(3)).times(4)], 4)
        .await;
    assert!(
        matches!(error, Error::Timeout { scope: "attempt", after } if after == timeouts().per_attempt),
        "{error:?}"
    );
}

#[tokio::test]
async fn ret_codes_5000_5100_5300_then_success() {
    let row = Row::start().await;
    for ret_code in [5000, 5100, 5300] {
        row.recovers(vec![Fault::ehpc_code(LIST, ret_code)], 3 + 1)
            .await;
    }
    row.recovers(vec![Fault::ehpc_code(LIST, 5100).times(3)], 3 + 3)
        .await;
}

/// A clock twelve minutes slow until the sandbox has seen a listing request, then right.
struct SlowUntilFirstRequest(Arc<Sandbox>);

impl hpc_sdk::Clock for SlowUntilFirstRequest {
    fn now(&self) -> SystemTime {
        match self.0.request_count(LIST) {
            0 => SystemTime::now() - Duration::from_secs(720),
            _ => SystemTime::now(),
        }
    }
}

#[tokio::test]
async fn a_real_1300_is_retried_once_re_signed_with_a_fresh_timestamp() {
    let sandbox = Arc::new(
        Sandbox::builder()
            .jobs(JOBS)
            .seed(11)
            .start()
            .await
            .unwrap(),
    );
    let row = Row::bare(sandbox.clone());
    let client = row
        .builder()
        .clock(Arc::new(SlowUntilFirstRequest(sandbox.clone())))
        .build()
        .unwrap();
    let page = bounded(client.jobs().list().page_size(10).send())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 10);
    // The stale timestamp got a real 1300 from the verifier; the retry was re-signed.
    assert_eq!(sandbox.request_count(LIST), 2);
    assert_eq!(sandbox.faults_served(), 0);
    // An injected 1300 twice: retried once only, then reported.
    let row = Row::start().await;
    let error = row
        .fails(vec![Fault::ehpc_code(LIST, 1300).times(2)], 2)
        .await;
    assert_eq!(code(&error), 1300);
}

#[tokio::test]
async fn a_wrong_secret_gets_a_real_1200_after_one_request() {
    let row = Row::start().await;
    let c = row.sandbox.credentials();
    let client = row
        .builder()
        .credentials(&c.ehpc_access_key_id, "not-the-secret")
        .build()
        .unwrap();
    let before = row.sandbox.request_count(LIST);
    let (ids, error) = row.list(client).await;
    assert!(ids.is_empty());
    let error = error.unwrap();
    assert_eq!(code(&error), 1200, "{error}");
    assert_eq!(error.code(), Some(&ErrorCode::Ehpc(EhpcCode::AuthFailed)));
    assert_eq!(row.sandbox.request_count(LIST) - before, 1);
    assert!(row.sleep.waits().is_empty());
}

#[tokio::test]
async fn ret_codes_1200_1400_2500_are_permanent() {
    let row = Row::start().await;
    for ret_code in [1200, 1400, 2500] {
        let error = row.fails(vec![Fault::ehpc_code(LIST, ret_code)], 1).await;
        assert_eq!(code(&error), ret_code);
        assert!(!error.is_retryable());
    }
    assert!(row.sleep.waits().is_empty(), "never waited");
}

#[tokio::test]
async fn a_total_count_larger_than_the_jobs() {
    let row = Row::start().await;
    // Lied about once, on the first page: the second page counts 60 fewer, which reads
    // as 60 jobs removed ahead, so the pager steps back 60 and reads from offset 40
    // (two requests more than a truthful server needs, nothing lost or repeated).
    row.recovers(vec![Fault::total_count_off_by(LIST, 60)], 5)
        .await;
    // Lied about on every page: every job once, then a clear error (the page at 250
    // comes back empty, is asked once more, is empty again).
    let (ids, error, sent) = row
        .run(vec![Fault::total_count_off_by(LIST, 60).times(5)])
        .await;
    assert_eq!(ids, row.expected);
    assert!(
        matches!(error, Some(Error::InconsistentListing { ref message }) if message.contains("offset 250 came back empty twice")),
        "{error:?}"
    );
    assert_eq!(sent, 5);
}

#[tokio::test]
async fn a_total_count_smaller_than_the_jobs() {
    let row = Row::start().await;
    // Lied about on the first page: the second page counts more and reaches the low
    // count full, so the SDK asks once more and lists the rest.
    row.recovers(vec![Fault::total_count_off_by(LIST, -60)], 3)
        .await;
    // Lied about on every page, and by exactly a page: what a lying server can do. The
    // listing ends at the count it was given: the tail is cut, with no error.
    let (ids, error, sent) = row
        .run(vec![Fault::total_count_off_by(LIST, -50).times(3)])
        .await;
    assert!(error.is_none());
    assert_eq!(ids, row.expected[..200], "the first 200, each once");
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn an_empty_page_mid_listing() {
    let row = Row::start().await;
    // Served once: the page is asked for again and the listing completes.
    row.recovers(vec![Fault::empty_page(LIST, 100)], 3 + 1)
        .await;
    // Served twice: a clear error after the first page's jobs, nothing invented.
    let (ids, error, sent) = row.run(vec![Fault::empty_page(LIST, 100).times(2)]).await;
    assert_eq!(ids, row.expected[..100]);
    assert!(
        matches!(error, Some(Error::InconsistentListing { ref message }) if message.contains("offset 100 came back empty twice; 100 items")),
        "{error:?}"
    );
    assert_eq!(sent, 3);
}

/// A listing whose jobs change between requests: `change` runs once, after the first
/// page was served. httpmock, since the sandbox's jobs are fixed.
async fn shifting(
    ids: Vec<i64>,
    change: impl Fn(&mut Vec<i64>) + Send + Sync + 'static,
) -> (Vec<i64>, Option<Error>, usize) {
    use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
    let server = MockServer::start_async().await;
    let jobs = Arc::new(std::sync::Mutex::new(ids));
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mock = server.mock(|when, then| {
        when.path(LIST);
        then.respond_with(move |req: &HttpMockRequest| {
            let query = req.uri().query().unwrap_or_default().as_bytes().to_vec();
            let param = |name: &str| -> usize {
                url::form_urlencoded::parse(&query)
                    .find(|(k, _)| k == name)
                    .map_or(0, |(_, v)| v.parse().unwrap())
            };
            let mut jobs = jobs.lock().unwrap();
            if served.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1 {
                change(&mut jobs);
            }
            let (offset, limit) = (param("offset"), param("limit"));
            let page: Vec<_> = jobs
                .iter()
                .skip(offset)
                .take(limit)
                .map(|&id| common::ehpc_jobs(id as u64, 1).remove(0))
                .collect();
            let body = serde_json::json!({"action": "HpcJobListJobsResponse", "ret_code": 0,
                "total_count": jobs.len(), "hpc_job_set": page});
            HttpMockResponse::builder()
                .status(200)
                .body(body.to_string())
                .build()
        });
    });
    let client = hpc_sdk::ehpc::Client::builder()
        .endpoint(server.base_url())
        .zone("z")
        .cluster_id("c")
        .credentials("k", "s")
        .retry(RetryPolicy::none())
        .timeouts(timeouts())
        .build()
        .unwrap();
    let (ids, error) = list_all(client).await;
    (ids, error, mock.calls_async().await)
}

#[tokio::test]
async fn a_job_inserted_at_the_front_between_pages_shifts_nothing_out() {
    let original: Vec<i64> = (1..=200).collect();
    let (ids, error, sent) = shifting(original.clone(), |jobs| jobs.insert(0, 9999)).await;
    assert!(error.is_none(), "{error:?}");
    // Job 100 came again at the top of page 2 and was not yielded twice; job 200 was
    // pushed past the first count and is fetched by the one page asked for beyond it.
    assert_eq!(ids, original);
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn a_job_deleted_from_an_earlier_page_makes_the_pager_step_back() {
    let original: Vec<i64> = (1..=200).collect();
    let (ids, error, sent) = shifting(original.clone(), |jobs| jobs.retain(|&id| id != 5)).await;
    assert!(error.is_none(), "{error:?}");
    // Job 101 moved up to offset 99, already read; the count dropped by one, so the
    // pager read again from offset 99: job 101 is listed, nothing twice.
    assert_eq!(ids, original);
    assert_eq!(sent, 3);
}
