//! Helpers shared by the facade suites: a clock tests can move, a sleep that only
//! records, tokens, jobs.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use base64::Engine;
use hpc_sdk::{BoxFuture, Clock, Sleep};

/// 2021-08-19T16:44:40Z, the EHPC worked example's time.
pub const EXAMPLE_TIME: u64 = 1_629_391_480;

/// A clock that stands still until moved.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicU64>);

impl TestClock {
    pub fn at(secs: u64) -> Self {
        Self(Arc::new(AtomicU64::new(secs)))
    }
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs(), Ordering::SeqCst);
    }
    pub fn secs(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(self.secs())
    }
}

/// Returns at once and remembers every wait asked for.
#[derive(Clone, Default)]
pub struct RecordingSleep(Arc<Mutex<Vec<Duration>>>);

impl RecordingSleep {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Sleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// A JWT-shaped token whose payload says it expires at `expire_secs`.
pub fn jwt(tag: &str, expire_secs: u64) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(&format!(
            r#"{{"expireTime":"{}","tag":"{tag}"}}"#,
            expire_secs * 1000
        )),
        b64("signature")
    )
}

/// `n` EHPC jobs starting at id `first`, as JSON.
pub fn ehpc_jobs(first: u64, n: u64) -> Vec<serde_json::Value> {
    (first..first + n)
        .map(|id| {
            serde_json::json!({
                "job_id": id, "job_name": format!("作业-{id}"), "job_status": "running",
                "queue_name": "vis", "run_user": "usr-1", "core_limit": 1,
                "submitted_time": "2021-08-19T14:06:21"
            })
        })
        .collect()
}

pub fn ehpc_page(first: u64, n: u64, total: u64) -> String {
    serde_json::json!({
        "action": "HpcJobListJobsResponse", "ret_code": 0, "total_count": total,
        "hpc_job_set": ehpc_jobs(first, n)
    })
    .to_string()
}

/// An EHPC client on `server` at the worked example's time, its waits recorded.
pub fn ehpc_mock_client(
    server: &httpmock::MockServer,
    retry: hpc_sdk::RetryPolicy,
) -> (hpc_sdk::ehpc::Client, RecordingSleep) {
    let sleep = RecordingSleep::default();
    let client = hpc_sdk::ehpc::Client::builder()
        .endpoint(server.base_url())
        .zone("jinan1a")
        .credentials("AK", "SECRET")
        .clock(Arc::new(TestClock::at(EXAMPLE_TIME)))
        .sleep(Arc::new(sleep.clone()))
        .retry(retry.without_jitter())
        .build()
        .unwrap();
    (client, sleep)
}

/// A 200 JSON answer with this body.
pub fn json_response(body: String) -> httpmock::HttpMockResponse {
    httpmock::HttpMockResponse::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body)
        .build()
}

/// A numeric query parameter of a request the mock received.
pub fn query_u64(req: &httpmock::HttpMockRequest, key: &str) -> u64 {
    url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or_else(|| panic!("the request has no numeric `{key}`"))
}

/// Sleeps for real and counts the sleeps: with no retries, each is a watch's wait
/// between two polls, so a watch's polls are the count plus one.
#[derive(Default)]
pub struct CountingSleep(std::sync::atomic::AtomicUsize);

impl CountingSleep {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Sleep for CountingSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(tokio::time::sleep(duration))
    }
}
