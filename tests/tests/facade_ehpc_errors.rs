//! The EHPC facade against httpmock: error codes, retries, bad bodies, timeouts.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use hpc_sdk::{EhpcCode, Error, ErrorCode, RetryPolicy};
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse};

#[tokio::test]
async fn every_documented_ret_code_is_mapped() {
    let server = MockServer::start_async().await;
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
    let table = [
        (1100, EhpcCode::MalformedRequest),
        (1101, EhpcCode::MethodNotAllowed),
        (1200, EhpcCode::AuthFailed),
        (1300, EhpcCode::RequestExpired),
        (1400, EhpcCode::AccessDenied),
        (1500, EhpcCode::RegistrationFailed),
        (1662, EhpcCode::UserForbidden),
        (2000, EhpcCode::SessionExpired),
        (2100, EhpcCode::NotFound),
        (2110, EhpcCode::AlreadyExists),
        (2200, EhpcCode::LeaseFailed),
        (2300, EhpcCode::ReleaseFailed),
        (2400, EhpcCode::InsufficientBalance),
        (2500, EhpcCode::QuotaExceeded),
        (3300, EhpcCode::InvalidApiModule),
        (4000, EhpcCode::InvalidLicense),
        (4005, EhpcCode::LicenseNotFound),
        (5000, EhpcCode::InternalError),
        (5100, EhpcCode::ServerBusy),
        (5200, EhpcCode::InsufficientResources),
        (5300, EhpcCode::ServiceUpdating),
        (5400, EhpcCode::DependencyExists),
        (5500, EhpcCode::ServiceNotEnabled),
        (5600, EhpcCode::UnsupportedType),
        (8000, EhpcCode::InvalidConfigParameter),
        (8004, EhpcCode::MissingConfigFile),
        (123456, EhpcCode::Other(123456)),
    ];
    for (code, typed) in table {
        let mock = server.mock(|when, then| {
            when.path("/api/job/list");
            then.status(200)
                .body(format!(r#"{{"ret_code":{code},"message":"m{code}"}}"#));
        });
        let err = client
            .jobs()
            .list()
            .cluster_id("c")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(&ErrorCode::Ehpc(typed)), "{code}");
        assert!(
            err.to_string().contains(&format!("EHPC error {code}"))
                && err.to_string().contains(&format!("m{code}")),
            "{err}"
        );
        mock.delete_async().await;
    }
}

async fn attempts_for(
    body: &'static str,
    status: u16,
    headers: &'static [(&'static str, &'static str)],
) -> (usize, Error, Vec<Duration>) {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.path("/api/job/list");
        let mut then = then.status(status).body(body);
        for (k, v) in headers {
            then = then.header(*k, *v);
        }
    });
    let (client, sleep) = ehpc_mock_client(&server, RetryPolicy::default().max_attempts(4));
    let err = client
        .jobs()
        .list()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err();
    (mock.calls_async().await, err, sleep.waits())
}

#[tokio::test]
async fn retry_counts_for_503_429_and_5100_and_none_for_1200() {
    let (calls, err, waits) = attempts_for("<html>busy</html>", 503, &[]).await;
    assert_eq!((calls, waits.len()), (4, 3));
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");

    let (calls, err, waits) = attempts_for("slow down", 429, &[("Retry-After", "2")]).await;
    assert_eq!(calls, 4);
    assert!(
        waits.iter().all(|w| *w >= Duration::from_secs(2)),
        "Retry-After honoured: {waits:?}"
    );
    assert!(matches!(err, Error::Http { status: 429, .. }));

    let (calls, err, _) = attempts_for(r#"{"ret_code":5100,"message":"busy"}"#, 200, &[]).await;
    assert_eq!(calls, 4);
    assert_eq!(err.code(), Some(&ErrorCode::Ehpc(EhpcCode::ServerBusy)));

    let (calls, err, waits) =
        attempts_for(r#"{"ret_code":1200,"message":"bad signature"}"#, 200, &[]).await;
    assert_eq!((calls, waits.len()), (1, 0));
    assert!(!err.is_retryable());

    let (calls, _, _) = attempts_for(r#"{"ret_code":1300,"message":"expired"}"#, 200, &[]).await;
    assert_eq!(calls, 2, "1300 is retried once, re-signed");
}

#[tokio::test]
async fn a_503_twice_then_success_is_re_signed_each_time() {
    let server = MockServer::start_async().await;
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let mock = server.mock(|when, then| {
        when.path("/api/job/list").query_param_exists("signature");
        then.respond_with(move |_: &HttpMockRequest| {
            if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                HttpMockResponse::builder()
                    .status(503)
                    .body("unavailable")
                    .build()
            } else {
                json_response(ehpc_page(0, 3, 3))
            }
        });
    });
    let (client, sleep) = ehpc_mock_client(&server, RetryPolicy::default());
    let page = client.jobs().list().cluster_id("c").send().await.unwrap();
    assert_eq!(page.items.len(), 3);
    mock.assert_calls_async(3).await;
    assert_eq!(sleep.waits().len(), 2);
}

#[tokio::test]
async fn html_and_truncated_bodies_give_http_and_decode_errors_with_an_excerpt() {
    let server = MockServer::start_async().await;
    let html = server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(502)
            .header("content-type", "text/html")
            .body("<html><body>502 Bad Gateway</body></html>");
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
    match client
        .jobs()
        .list()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err()
    {
        Error::Http {
            status: 502,
            body_excerpt,
            ..
        } => assert!(body_excerpt.contains("502 Bad Gateway")),
        other => panic!("{other:?}"),
    }
    html.delete_async().await;
    let html_200 = server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(200).body("<html>maintenance</html>");
    });
    assert!(matches!(
        client
            .jobs()
            .list()
            .cluster_id("c")
            .send()
            .await
            .unwrap_err(),
        Error::Http { status: 200, .. }
    ));
    html_200.delete_async().await;
    server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(200)
            .body(r#"{"ret_code":0,"total_count":5,"hpc_job_set":[{"job_id":1,"job_na"#);
    });
    match client
        .jobs()
        .list()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err()
    {
        Error::Decode {
            status: 200,
            body_excerpt,
            ..
        } => assert!(body_excerpt.starts_with(r#"{"ret_code":0"#)),
        other => panic!("{other:?}"),
    }
}

fn slow_client(
    server: &MockServer,
    per_attempt_ms: u64,
    per_operation_ms: u64,
) -> hpc_sdk::ehpc::Client {
    hpc_sdk::ehpc::Client::builder()
        .endpoint(server.base_url())
        .zone("z")
        .credentials("AK", "SECRET")
        .retry(RetryPolicy::default().max_attempts(2))
        .sleep(Arc::new(RecordingSleep::default()))
        .timeouts(
            hpc_sdk::Timeouts::default()
                .per_attempt(Duration::from_millis(per_attempt_ms))
                .per_operation(Duration::from_millis(per_operation_ms))
                .connect(Duration::from_secs(1)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_server_slower_than_the_attempt_timeout_is_retried_then_reported() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.path("/api/job/list");
        then.delay(Duration::from_secs(3)).body(ehpc_page(0, 1, 1));
    });
    let err = slow_client(&server, 200, 10_000)
        .jobs()
        .list()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Timeout {
            after,
            scope: "attempt",
        } => assert_eq!(after, Duration::from_millis(200)),
        other => panic!("{other:?}"),
    }
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn the_operation_timeout_bounds_all_attempts() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.path("/api/job/list");
        then.delay(Duration::from_secs(3)).body(ehpc_page(0, 1, 1));
    });
    let err = slow_client(&server, 5_000, 300)
        .jobs()
        .list()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                scope: "operation",
                ..
            }
        ),
        "{err:?}"
    );
}
