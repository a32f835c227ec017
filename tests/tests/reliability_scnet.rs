//! The SCNet rows of the fault matrix (docs/reliability.md), against the sandbox: real
//! AK/SK logins, real JWTs that expire, real discovery. Every row: no panic, no hang, a
//! correct answer or a clear error, and the exact number of requests and logins.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{RecordingSleep, TestClock};
use hpc_sandbox::{Fault, Sandbox};
use hpc_sdk::{Error, ErrorCode, RetryPolicy, ScnetCode, Timeouts};

const WALLTIME: &str = "/view/walltime/users/";

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

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Row {
    sandbox: Sandbox,
    sleep: RecordingSleep,
    client: hpc_sdk::scnet::Client,
    /// The walltime a fault-free call answers.
    expected: f64,
}

impl Row {
    async fn start() -> Self {
        Self::on(Sandbox::builder().seed(5).start().await.unwrap(), None).await
    }

    /// A client logged in, with the region discovered and one walltime call made.
    async fn on(sandbox: Sandbox, clock: Option<TestClock>) -> Self {
        let sleep = RecordingSleep::default();
        let c = sandbox.credentials();
        let mut builder = hpc_sdk::scnet::Client::builder()
            .api_url(sandbox.scnet_api_url())
            .portal_url(sandbox.scnet_portal_url())
            .access_key(&c.scnet_user, &c.scnet_access_key, &c.scnet_secret_key)
            .retry(
                RetryPolicy::default()
                    .max_attempts(4)
                    .min_delay(Duration::from_millis(10))
                    .without_jitter(),
            )
            .timeouts(timeouts())
            .sleep(Arc::new(sleep.clone()));
        if let Some(clock) = clock {
            builder = builder.clock(Arc::new(clock)).refresh_ahead(Duration::ZERO);
        }
        let client = builder.build().unwrap();
        let expected = bounded(client.usage().walltime().send()).await.unwrap();
        assert_eq!(sandbox.logins(), 1);
        assert_eq!(sandbox.request_count(WALLTIME), 1);
        Row {
            sandbox,
            sleep,
            client,
            expected,
        }
    }

    /// One walltime call with the faults queued: its result, the walltime requests and
    /// the logins it took.
    async fn run(&self, faults: Vec<Fault>) -> (Result<f64, Error>, usize, usize) {
        for fault in faults {
            self.sandbox.inject(fault);
        }
        let (requests, logins) = (self.sandbox.request_count(WALLTIME), self.sandbox.logins());
        let result = bounded(self.client.usage().walltime().send()).await;
        (
            result,
            self.sandbox.request_count(WALLTIME) - requests,
            self.sandbox.logins() - logins,
        )
    }

    async fn recovers(&self, faults: Vec<Fault>, requests: usize) {
        let (result, sent, logins) = self.run(faults).await;
        assert_eq!(result.unwrap(), self.expected);
        assert_eq!(sent, requests, "requests sent");
        assert_eq!(logins, 0, "no login needed");
    }

    async fn fails(&self, faults: Vec<Fault>, requests: usize) -> Error {
        let (result, sent, _) = self.run(faults).await;
        assert_eq!(sent, requests, "requests sent");
        result.unwrap_err()
    }
}

fn scnet_code(error: &Error) -> &str {
    match error.code() {
        Some(ErrorCode::Scnet(code)) => code.code(),
        other => panic!("not an SCNet code: {other:?} ({error})"),
    }
}

#[tokio::test]
async fn http_503_twice_then_success() {
    let row = Row::start().await;
    row.recovers(vec![Fault::status(WALLTIME, 503).times(2)], 3)
        .await;
    assert_eq!(row.sleep.waits().len(), 2);
}

#[tokio::test]
async fn http_429_waits_at_least_retry_after() {
    let row = Row::start().await;
    row.recovers(vec![Fault::rate_limited(WALLTIME, 2)], 2)
        .await;
    let waits = row.sleep.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] >= Duration::from_secs(2), "{waits:?}");
    // A Retry-After beyond the policy's longest wait is not honoured: the error comes back.
    let error = row
        .fails(vec![Fault::rate_limited(WALLTIME, 3600)], 1)
        .await;
    assert!(
        matches!(error, Error::Http { status: 429, retry_after: Some(after), .. } if after == Duration::from_secs(3600)),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_html_502_page_is_retried_and_reported_with_an_excerpt() {
    let row = Row::start().await;
    row.recovers(vec![Fault::html(WALLTIME, 502)], 2).await;
    let error = row
        .fails(vec![Fault::html(WALLTIME, 502).times(4)], 4)
        .await;
    assert!(
        matches!(&error, Error::Http { status: 502, body_excerpt, .. } if body_excerpt.contains("502 Bad Gateway")),
        "{error:?}"
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_not_retried() {
    let row = Row::start().await;
    let error = row.fails(vec![Fault::truncated_json(WALLTIME)], 1).await;
    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let row = Row::start().await;
    row.recovers(vec![Fault::drop_connection(WALLTIME)], 2)
        .await;
}

#[tokio::test]
async fn a_server_slower_than_the_attempt_timeout_is_retried() {
    let row = Row::start().await;
    let slow = || Fault::delay(WALLTIME, Duration::from_secs(3));
    row.recovers(vec![slow()], 2).await;
    let error = row.fails(vec![slow().times(4)], 4).await;
    assert!(
        matches!(
            error,
            Error::Timeout {
                scope: "attempt",
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn codes_10012_and_10013_then_success() {
    let row = Row::start().await;
    for code in ["10012", "10013"] {
        row.recovers(vec![Fault::scnet_code(WALLTIME, code)], 2)
            .await;
    }
    row.recovers(vec![Fault::scnet_code(WALLTIME, "10012").times(3)], 4)
        .await;
}

#[tokio::test]
async fn code_10004_is_permanent() {
    let row = Row::start().await;
    let error = row
        .fails(vec![Fault::scnet_code(WALLTIME, "10004")], 1)
        .await;
    assert_eq!(
        error.code(),
        Some(&ErrorCode::Scnet(ScnetCode::InvalidParameters))
    );
    assert!(row.sleep.waits().is_empty());
}

#[tokio::test]
async fn code_10008_twice_is_a_permission_error_after_exactly_one_refresh() {
    let row = Row::start().await;
    let (result, sent, logins) = row
        .run(vec![Fault::scnet_code(WALLTIME, "10008").times(2)])
        .await;
    let error = result.unwrap_err();
    assert_eq!(scnet_code(&error), "10008", "{error}");
    assert!(matches!(error, Error::Api { .. }));
    assert_eq!((sent, logins), (2, 1), "one refresh, one retry");
    assert_eq!(row.sandbox.renewals(), 0);
}

#[tokio::test]
async fn code_10008_for_an_expired_token_then_success_after_one_refresh() {
    // Tokens live one second; the client's clock stands still, so it never sees the
    // expiry coming and only the server's 10008 tells it.
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let row = Row::on(sandbox, Some(TestClock::at(now_secs()))).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (result, sent, logins) = row.run(Vec::new()).await;
    assert_eq!(result.unwrap(), row.expected);
    assert_eq!((sent, logins), (2, 1), "refused once, refreshed once");
    assert_eq!(row.sandbox.faults_served(), 0, "a real expiry, not a fault");
}
