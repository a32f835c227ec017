//! The SCNet facade against httpmock: logins, discovery, token refresh, 10008,
//! retries, failover, every code.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use hpc_sdk::{Error, ErrorCode, RetryPolicy, ScnetCode};
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse};
use serde_json::json;

const HOUR: u64 = 3600;

fn ok(data: serde_json::Value) -> HttpMockResponse {
    let body = json!({"code": "0", "msg": "success", "data": data}).to_string();
    HttpMockResponse::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body)
        .build()
}

fn header(req: &HttpMockRequest, name: &str) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A fake SCNet on one mock server: logins count up and hand out numbered tokens.
struct Fake {
    server: MockServer,
    clock: TestClock,
    sleep: RecordingSleep,
    logins: Arc<AtomicUsize>,
}

impl Fake {
    async fn start() -> Self {
        let fake = Fake {
            server: MockServer::start_async().await,
            clock: TestClock::at(EXAMPLE_TIME),
            sleep: RecordingSleep::default(),
            logins: Arc::new(AtomicUsize::new(0)),
        };
        let (logins, clock) = (fake.logins.clone(), fake.clock.clone());
        fake.server.mock(|when, then| {
            when.method(POST)
                .path("/api/user/v3/tokens")
                .header("user", "bob")
                .header("accessKey", "ak1")
                .header_exists("timestamp")
                .header_exists("signature");
            then.respond_with(move |_: &HttpMockRequest| {
                let n = logins.fetch_add(1, Ordering::SeqCst) + 1;
                let expire = clock.secs() + HOUR;
                ok(json!([
                    {"clusterId": "0", "clusterName": "ac", "token": jwt(&format!("P{n}"), expire)},
                    {"clusterId": "11112", "clusterName": "华东一区", "token": jwt(&format!("R{n}"), expire)},
                    {"clusterId": "11250", "clusterName": "西北一区", "token": null}
                ]))
            });
        });
        let base = fake.server.base_url();
        fake.server.mock(|when, then| {
            when.method(GET).path("/ac/openapi/v2/center").header_exists("token");
            then.respond_with(move |_: &HttpMockRequest| {
                ok(json!({"id": 11112, "name": "华东一区", "clusterUserInfo": {"userName": "acct", "homePath": "/public/home/acct"},
                          "hpcUrls": [{"enable": "true", "url": format!("{base}/hpc"), "version": "5.2.2"}]}))
            });
        });
        fake
    }

    fn client(&self) -> hpc_sdk::scnet::Client {
        hpc_sdk::scnet::Client::builder()
            .api_url(self.server.base_url())
            .portal_url(self.server.base_url())
            .access_key("bob", "ak1", "sk1")
            .clock(Arc::new(self.clock.clone()))
            .sleep(Arc::new(self.sleep.clone()))
            .retry(RetryPolicy::default().max_attempts(4).without_jitter())
            .build()
            .unwrap()
    }

    fn walltime(
        &self,
        answer: impl Fn(&str, usize) -> HttpMockResponse + Send + Sync + 'static,
    ) -> httpmock::Mock<'_> {
        let calls = Arc::new(AtomicUsize::new(0));
        self.server.mock(|when, then| {
            when.method(GET)
                .path("/hpc/openapi/v2/view/walltime/users/acct");
            then.respond_with(move |req: &HttpMockRequest| {
                answer(
                    &token_tag(&header(req, "token")),
                    calls.fetch_add(1, Ordering::SeqCst),
                )
            });
        })
    }
}

/// The `tag` claim the fake put in a token.
fn token_tag(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap_or_default();
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["tag"].as_str().map(String::from))
        .unwrap_or_default()
}

fn error(code: &str) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(200)
        .body(json!({"code": code, "msg": format!("m{code}")}).to_string())
        .build()
}

#[tokio::test]
async fn ak_sk_login_sends_the_signature_computed_independently() {
    let server = MockServer::start_async().await;
    // Python's hmac over {"accessKey":"ak1","timestamp":"1629391480","user":"bob"} with "sk1".
    let exact = server.mock(|when, then| {
        when.method(POST)
            .path("/api/user/v3/tokens")
            .header("timestamp", "1629391480")
            .header("signature", "80008466f9d073f161dae618a7a9c83d27c7ba1e6e4606b3934047e9977ae794");
        then.respond_with(|_: &HttpMockRequest| ok(json!([{"clusterId": "11112", "clusterName": "x", "token": jwt("R", EXAMPLE_TIME + HOUR)}])));
    });
    let client = hpc_sdk::scnet::Client::builder()
        .api_url(server.base_url())
        .access_key("bob", "ak1", "sk1")
        .clock(Arc::new(TestClock::at(EXAMPLE_TIME)))
        .build()
        .unwrap();
    let regions = client.regions().list().send().await.unwrap();
    exact.assert_calls_async(1).await;
    assert_eq!(regions.len(), 1);
}

#[tokio::test]
async fn walltime_logs_in_discovers_and_uses_the_region_token_once() {
    let fake = Fake::start().await;
    let walltime = fake.walltime(|tag, _| {
        if tag.starts_with('R') {
            ok(json!(0.4219444444444444))
        } else {
            error("10009")
        }
    });
    let client = fake.client();
    assert_eq!(
        client.usage().walltime().send().await.unwrap(),
        0.4219444444444444
    );
    assert_eq!(
        client.usage().walltime().send().await.unwrap(),
        0.4219444444444444
    );
    walltime.assert_calls_async(2).await;
    assert_eq!(
        fake.logins.load(Ordering::SeqCst),
        1,
        "one login for both calls"
    );
}

#[tokio::test]
async fn job_state_folds_both_naming_schemes() {
    let fake = Fake::start().await;
    fake.server.mock(|when, then| {
        when.path("/hpc/openapi/v2/view/jobs/state").query_param("userName", "acct");
        then.respond_with(|_: &HttpMockRequest| {
            ok(json!([{"name": "jobview_status_run", "y": 2}, {"name": "排队", "y": 3}, {"name": "jobview_status_hung", "y": 1}, {"name": "new", "y": 9}]))
        });
    });
    let counts = fake.client().jobs().state_counts().send().await.unwrap();
    assert_eq!((counts.running, counts.queued, counts.held), (2, 3, 1));
    assert_eq!(counts.unknown, [("new".to_string(), 9)]);
}

#[tokio::test]
async fn member_jobs_use_the_platform_token_and_an_exact_group_id() {
    let fake = Fake::start().await;
    let mock = fake.server.mock(|when, then| {
        when.path(
            "/ac/openapi/v2/clusters/11112/groups/533686286955839488/clusterUserNames/test/jobs",
        )
        .is_true(|req: &HttpMockRequest| token_tag(&header(req, "token")).starts_with('P'));
        then.respond_with(|_: &HttpMockRequest| {
            ok(json!([{"id": "1466591", "name": "COMSOL", "status": "statR", "cpuCore": 2}]))
        });
    });
    let jobs = fake
        .client()
        .jobs()
        .member_jobs()
        .cluster_id(11112)
        .group_id(533686286955839488)
        .cluster_user_name("test")
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    let job = hpc_sdk::Job::from(jobs[0].clone());
    assert_eq!(
        (job.id.as_str(), job.status, job.cores),
        ("1466591", hpc_sdk::JobStatus::Running, Some(2))
    );
}

#[tokio::test]
async fn regions_report_which_have_a_token_and_a_disabled_region_is_an_auth_error() {
    let fake = Fake::start().await;
    let client = fake.client();
    let regions = client.regions().list().send().await.unwrap();
    let flags: Vec<(&str, bool)> = regions
        .iter()
        .map(|r| (r.id.as_str(), r.has_token))
        .collect();
    assert_eq!(flags, [("11112", true), ("11250", false)]);
    let err = client
        .usage()
        .walltime()
        .region("11250")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Auth { .. }) && err.to_string().contains("disabled"),
        "{err}"
    );
}

#[tokio::test]
async fn a_10008_refreshes_the_token_once_and_the_retry_succeeds() {
    let fake = Fake::start().await;
    // The first login's region token is refused; the second login's is accepted.
    let walltime = fake.walltime(|tag, _| {
        if tag == "R1" {
            error("10008")
        } else {
            ok(json!(1.5))
        }
    });
    assert_eq!(fake.client().usage().walltime().send().await.unwrap(), 1.5);
    walltime.assert_calls_async(2).await;
    assert_eq!(fake.logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_10008_is_a_permission_error() {
    let fake = Fake::start().await;
    let walltime = fake.walltime(|_, _| error("10008"));
    let err = fake.client().usage().walltime().send().await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::Scnet(ScnetCode::PermissionDenied))
    );
    walltime.assert_calls_async(2).await;
    assert_eq!(
        fake.logins.load(Ordering::SeqCst),
        2,
        "one refresh, not more"
    );
}

#[tokio::test]
async fn fifty_concurrent_calls_with_an_expired_token_renew_it_once() {
    let fake = Fake::start().await;
    let renewals = Arc::new(AtomicUsize::new(0));
    let (count, clock) = (renewals.clone(), fake.clock.clone());
    let renew = fake.server.mock(|when, then| {
        when.method(POST)
            .path("/ac/openapi/v2/tokens/next")
            .header_exists("token");
        then.respond_with(move |_: &HttpMockRequest| {
            count.fetch_add(1, Ordering::SeqCst);
            ok(json!(jwt("renewed", clock.secs() + HOUR)))
        });
    });
    fake.walltime(|_, _| ok(json!(2.0)));
    let client = fake.client();
    client.usage().walltime().send().await.unwrap();
    fake.clock.advance(Duration::from_secs(2 * HOUR));
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.usage().walltime().send().await })
    });
    for call in futures::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap(), 2.0);
    }
    renew.assert_calls_async(1).await;
    assert_eq!(fake.logins.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn fifty_concurrent_calls_log_in_once_when_renewal_fails() {
    let fake = Fake::start().await;
    let renew = fake.server.mock(|when, then| {
        when.method(POST).path("/ac/openapi/v2/tokens/next");
        then.status(200).body(r#"{"code":"10008","msg":"expired"}"#);
    });
    fake.walltime(|_, _| ok(json!(2.0)));
    let client = fake.client();
    client.usage().walltime().send().await.unwrap();
    fake.clock.advance(Duration::from_secs(2 * HOUR));
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.usage().walltime().send().await })
    });
    for call in futures::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap(), 2.0);
    }
    renew.assert_calls_async(1).await;
    assert_eq!(
        fake.logins.load(Ordering::SeqCst),
        2,
        "the first login and one more"
    );
}

#[tokio::test]
async fn retryable_codes_are_retried_and_others_are_not() {
    for (code, expected_calls) in [
        ("10012", 4),
        ("10013", 4),
        ("10001", 3),
        ("10004", 1),
        ("10009", 1),
        ("911021", 1),
    ] {
        let fake = Fake::start().await;
        let walltime = fake.walltime(move |_, _| error(code));
        let err = fake.client().usage().walltime().send().await.unwrap_err();
        assert_eq!(err.code().unwrap().to_string(), code);
        walltime.assert_calls_async(expected_calls).await;
    }
}

#[tokio::test]
async fn every_documented_code_is_mapped() {
    let table = [
        ("10001", ScnetCode::InternalError),
        ("10003", ScnetCode::MissingParameters),
        ("10004", ScnetCode::InvalidParameters),
        ("10007", ScnetCode::UserFrozen),
        ("10009", ScnetCode::NoApiPermission),
        ("10010", ScnetCode::FileCheckFailed),
        ("10011", ScnetCode::FileTooLarge),
        ("10012", ScnetCode::ConnectionInterrupted),
        ("10013", ScnetCode::OperationTimedOut),
        ("815005", ScnetCode::SubmitNoAnswer),
        ("815007", ScnetCode::SubmitFailed),
        ("716865", ScnetCode::Other("716865".into())),
    ];
    let fake = Fake::start().await;
    let client = hpc_sdk::scnet::Client::builder()
        .portal_url(fake.server.base_url())
        .token(jwt("static", EXAMPLE_TIME + HOUR))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    for (code, typed) in table {
        let mock = fake.server.mock(|when, then| {
            when.path_includes("/jobs");
            then.status(200)
                .body(json!({"code": code, "message": "why"}).to_string());
        });
        let err = client
            .jobs()
            .member_jobs()
            .cluster_id(1)
            .group_id(2)
            .cluster_user_name("u")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(&ErrorCode::Scnet(typed)), "{code}");
        assert_eq!(
            err.to_string(),
            format!(
                "SCNet error {code} ({}): why",
                err.code().unwrap().meaning()
            )
        );
        mock.delete_async().await;
    }
}

#[tokio::test]
async fn a_static_token_never_logs_in() {
    let fake = Fake::start().await;
    fake.walltime(|tag, _| {
        if tag == "static" {
            ok(json!(3.0))
        } else {
            error("10008")
        }
    });
    let client = hpc_sdk::scnet::Client::builder()
        .portal_url(fake.server.base_url())
        .token(jwt("static", EXAMPLE_TIME + HOUR))
        .build()
        .unwrap();
    assert_eq!(client.usage().walltime().send().await.unwrap(), 3.0);
    assert_eq!(fake.logins.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_dead_hpc_url_fails_over_to_the_next_and_sticks() {
    let server = MockServer::start_async().await;
    let base = server.base_url();
    server.mock(|when, then| {
        when.path("/ac/openapi/v2/center");
        then.respond_with(move |_: &HttpMockRequest| {
            ok(json!({"clusterUserInfo": {"userName": "acct"}, "hpcUrls": [
                {"enable": "true", "url": "http://127.0.0.1:9/hpc"},
                {"enable": "true", "url": format!("{base}/hpc")}
            ]}))
        });
    });
    let walltime = server.mock(|when, then| {
        when.path("/hpc/openapi/v2/view/walltime/users/acct");
        then.respond_with(|_: &HttpMockRequest| ok(json!(7.0)));
    });
    let client = hpc_sdk::scnet::Client::builder()
        .portal_url(server.base_url())
        .token("opaque-token")
        .region("11112")
        .sleep(Arc::new(RecordingSleep::default()))
        .build()
        .unwrap();
    assert_eq!(client.usage().walltime().send().await.unwrap(), 7.0);
    assert_eq!(client.usage().walltime().send().await.unwrap(), 7.0);
    walltime.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_redirect_is_not_followed_with_the_token() {
    let fake = Fake::start().await;
    let elsewhere = fake.server.mock(|when, then| {
        when.path("/elsewhere");
        then.status(200).body(r#"{"code":"0","data":[]}"#);
    });
    fake.server.mock(|when, then| {
        when.path_includes("/groups/");
        then.status(302).header("Location", "/elsewhere");
    });
    let err = fake
        .client()
        .jobs()
        .member_jobs()
        .cluster_id(1)
        .group_id(2)
        .cluster_user_name("u")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 302, .. }), "{err:?}");
    elsewhere.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_503_carrying_an_envelope_is_retried() {
    let fake = Fake::start().await;
    let walltime = fake.walltime(|_, _| {
        HttpMockResponse::builder()
            .status(503)
            .body(r#"{"code":"1001","msg":"gateway busy"}"#)
            .build()
    });
    let err = fake.client().usage().walltime().send().await.unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(err.code().unwrap().to_string(), "1001");
    walltime.assert_calls_async(4).await;
}

#[tokio::test]
async fn a_10008_whose_data_does_not_fit_still_refreshes_the_token() {
    let fake = Fake::start().await;
    let walltime = fake.walltime(|tag, _| {
        if tag == "R1" {
            HttpMockResponse::builder()
                .status(200)
                .body(r#"{"code":"10008","msg":"expired","data":""}"#)
                .build()
        } else {
            ok(json!(4.5))
        }
    });
    assert_eq!(fake.client().usage().walltime().send().await.unwrap(), 4.5);
    walltime.assert_calls_async(2).await;
    assert_eq!(fake.logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_hpc_url_that_times_out_fails_over_to_the_next() {
    let slow = MockServer::start_async().await;
    let slow_walltime = slow.mock(|when, then| {
        when.path_includes("/walltime/");
        then.delay(Duration::from_secs(5)).body("{}");
    });
    let server = MockServer::start_async().await;
    let (base, slow_base) = (server.base_url(), slow.base_url());
    server.mock(|when, then| {
        when.path("/ac/openapi/v2/center");
        then.respond_with(move |_: &HttpMockRequest| {
            ok(json!({"clusterUserInfo": {"userName": "acct"}, "hpcUrls": [
                {"enable": "true", "url": format!("{slow_base}/hpc")},
                {"enable": "true", "url": format!("{base}/hpc")}
            ]}))
        });
    });
    let walltime = server.mock(|when, then| {
        when.path("/hpc/openapi/v2/view/walltime/users/acct");
        then.respond_with(|_: &HttpMockRequest| ok(json!(8.0)));
    });
    let client = hpc_sdk::scnet::Client::builder()
        .portal_url(server.base_url())
        .token("opaque-token")
        .region("11112")
        .sleep(Arc::new(RecordingSleep::default()))
        .timeouts(hpc_sdk::Timeouts::default().per_attempt(Duration::from_millis(300)))
        .build()
        .unwrap();
    assert_eq!(client.usage().walltime().send().await.unwrap(), 8.0);
    assert_eq!(client.usage().walltime().send().await.unwrap(), 8.0);
    slow_walltime.assert_calls_async(1).await;
    walltime.assert_calls_async(2).await;
}
