//! The EHPC facade against httpmock: signing on the wire, paging, filters, lying
//! servers, error codes, retries, bad bodies.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use futures::{StreamExt, TryStreamExt};
use hpc_sdk::{EhpcCode, Error, ErrorCode, RetryPolicy};
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse};

fn client(server: &MockServer, retry: RetryPolicy) -> (hpc_sdk::ehpc::Client, RecordingSleep) {
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

fn json_response(body: String) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body)
        .build()
}

#[tokio::test]
async fn the_signature_on_the_wire_matches_one_computed_independently() {
    let server = MockServer::start_async().await;
    // Computed with Python's hmac from api-notes.md §1, not with the SDK.
    let expected = "access_key_id=AK&cluster_id=ehpc-1&job_status=running&jobs_status=running&limit=100&offset=0&queue_name=vis%20q&signature_method=HmacSHA256&signature_version=1&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a&signature=eGH7NK3aw%252Bcshdb8UMqh9qUaVSPFdg6N9lc48UyHxIk%253D";
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/api/job/list")
            .is_true(move |req: &HttpMockRequest| req.uri().query() == Some(expected));
        then.status(200).body(ehpc_page(1, 1, 1));
    });
    let (client, _) = client(&server, RetryPolicy::none());
    let page = client
        .jobs()
        .list()
        .cluster_id("ehpc-1")
        .status("running")
        .queue("vis q")
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(page.jobs.len(), 1);
    assert_eq!(page.total_count, 1);
}

/// A server holding `total` jobs, paging by offset/limit, with filters required.
fn paging_server(server: &MockServer, total: u64) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET)
            .path("/api/job/list")
            .query_param("cluster_id", "ehpc-1")
            .query_param("jobs_status", "running")
            .query_param("job_status", "running")
            .query_param("run_user", "usr-1")
            .query_param("sort_key", "job_id")
            .query_param("reverse", "1")
            .query_param_exists("signature");
        then.respond_with(move |req: &HttpMockRequest| {
            let query: Vec<(String, String)> =
                url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                    .into_owned()
                    .collect();
            let get = |k: &str| {
                query
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.parse::<u64>().unwrap())
                    .unwrap()
            };
            let (offset, limit) = (get("offset"), get("limit"));
            let n = total.saturating_sub(offset).min(limit);
            json_response(ehpc_page(offset, n, total))
        });
    })
}

#[tokio::test]
async fn exact_page_requests_for_0_1_99_100_101_250_jobs_with_filters_on_every_page() {
    for (total, pages) in [(0, 1), (1, 1), (99, 1), (100, 1), (101, 2), (250, 3)] {
        let server = MockServer::start_async().await;
        let mock = paging_server(&server, total);
        let (client, _) = client(&server, RetryPolicy::none());
        let jobs: Vec<_> = client
            .jobs()
            .list()
            .cluster_id("ehpc-1")
            .status("running")
            .run_user("usr-1")
            .sort_key("job_id")
            .reverse(true)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(jobs.len() as u64, total);
        let ids: Vec<i64> = jobs.iter().map(|j| j.job_id.unwrap().0).collect();
        assert_eq!(
            ids,
            (0..total as i64).collect::<Vec<_>>(),
            "every job once, in order"
        );
        mock.assert_calls_async(pages).await;
    }
}

#[tokio::test]
async fn prefetch_lists_the_same_jobs_in_order() {
    let server = MockServer::start_async().await;
    let mock = paging_server(&server, 1050);
    let (client, _) = client(&server, RetryPolicy::none());
    let request = client
        .jobs()
        .list()
        .cluster_id("ehpc-1")
        .status("running")
        .run_user("usr-1")
        .sort_key("job_id")
        .reverse(true);
    let ids: Vec<i64> = request
        .prefetch(4)
        .items()
        .map(|j| j.unwrap().job_id.unwrap().0)
        .collect()
        .await;
    assert_eq!(ids, (0..1050).collect::<Vec<_>>());
    mock.assert_calls_async(11).await;
}

#[tokio::test]
async fn nothing_is_sent_until_the_stream_is_polled() {
    let server = MockServer::start_async().await;
    let mock = paging_server(&server, 10);
    let (client, _) = client(&server, RetryPolicy::none());
    let stream = client
        .jobs()
        .list()
        .cluster_id("ehpc-1")
        .prefetch(3)
        .items();
    tokio::time::sleep(Duration::from_millis(50)).await;
    mock.assert_calls_async(0).await;
    drop(stream);
}

#[tokio::test]
async fn a_server_capping_pages_below_the_limit_is_paged_to_the_end() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/job/list");
        then.respond_with(|req: &HttpMockRequest| {
            let query: Vec<(String, String)> =
                url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                    .into_owned()
                    .collect();
            let offset: u64 = query
                .iter()
                .find(|(k, _)| k == "offset")
                .unwrap()
                .1
                .parse()
                .unwrap();
            json_response(ehpc_page(offset, 30.min(95 - offset.min(95)), 95))
        });
    });
    let (client, _) = client(&server, RetryPolicy::none());
    for prefetch in [0, 3] {
        let jobs: Vec<_> = client
            .jobs()
            .list()
            .cluster_id("c")
            .prefetch(prefetch)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(jobs.len(), 95, "prefetch {prefetch}");
    }
    assert!(mock.calls_async().await >= 8);
}

#[tokio::test]
async fn a_total_count_larger_than_the_jobs_is_an_inconsistent_listing() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/job/list");
        then.respond_with(|req: &HttpMockRequest| {
            let offset_zero = req.uri().query().unwrap_or("").contains("offset=0&");
            json_response(if offset_zero {
                ehpc_page(0, 100, 150)
            } else {
                ehpc_page(0, 0, 150)
            })
        });
    });
    let (client, _) = client(&server, RetryPolicy::none());
    let results: Vec<_> = client.jobs().list().cluster_id("c").items().collect().await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        100,
        "no job lost or invented"
    );
    match results.last().unwrap() {
        Err(Error::InconsistentListing { message }) => assert!(
            message.contains("offset 100 came back empty twice"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    // The first page, then the empty one and its single retry.
    mock.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_total_count_smaller_than_the_jobs_ends_the_listing() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/job/list");
        then.body(ehpc_page(0, 100, 50));
    });
    let (client, _) = client(&server, RetryPolicy::none());
    let jobs: Vec<_> = client
        .jobs()
        .list()
        .cluster_id("c")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(jobs.len(), 100);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn every_documented_ret_code_is_mapped() {
    let server = MockServer::start_async().await;
    let (client, _) = client(&server, RetryPolicy::none());
    let table = [
        (1100, EhpcCode::MalformedRequest),
        (1101, EhpcCode::MethodNotAllowed),
        (1200, EhpcCode::AuthFailed),
        (1300, EhpcCode::RequestExpired),
        (1400, EhpcCode::AccessDenied),
        (1500, EhpcCode::Account(1500)),
        (1662, EhpcCode::Account(1662)),
        (2000, EhpcCode::SessionExpired),
        (2100, EhpcCode::NotFound),
        (2110, EhpcCode::AlreadyExists),
        (2200, EhpcCode::LeaseFailed),
        (2300, EhpcCode::ReleaseFailed),
        (2400, EhpcCode::InsufficientBalance),
        (2500, EhpcCode::QuotaExceeded),
        (3300, EhpcCode::InvalidApiModule),
        (4000, EhpcCode::License(4000)),
        (4005, EhpcCode::License(4005)),
        (5000, EhpcCode::InternalError),
        (5100, EhpcCode::ServerBusy),
        (5200, EhpcCode::InsufficientResources),
        (5300, EhpcCode::ServiceUpdating),
        (5400, EhpcCode::DependencyExists),
        (5500, EhpcCode::ServiceNotEnabled),
        (5600, EhpcCode::UnsupportedType),
        (8000, EhpcCode::ConfigFile(8000)),
        (8004, EhpcCode::ConfigFile(8004)),
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
    let (client, sleep) = client(&server, RetryPolicy::default().max_attempts(4));
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
    let (client, sleep) = client(&server, RetryPolicy::default());
    let page = client.jobs().list().cluster_id("c").send().await.unwrap();
    assert_eq!(page.jobs.len(), 3);
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
    let (client, _) = client(&server, RetryPolicy::none());
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

#[tokio::test]
async fn a_missing_cluster_id_is_invalid_input_before_any_request() {
    let server = MockServer::start_async().await;
    let (client, _) = client(&server, RetryPolicy::none());
    let err = client.jobs().list().send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    let first = client.jobs().list().items().next().await.unwrap();
    assert!(matches!(first, Err(Error::InvalidInput { .. })));
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
        .timeouts(hpc_sdk::Timeouts {
            per_attempt: Duration::from_millis(per_attempt_ms),
            per_operation: Duration::from_millis(per_operation_ms),
            connect: Duration::from_secs(1),
        })
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

#[test]
fn clients_are_cheap_to_clone_and_shareable_between_tasks() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<hpc_sdk::ehpc::Client>();
    shareable::<hpc_sdk::scnet::Client>();
    fn sendable<T: Send + 'static>() {}
    sendable::<hpc_sdk::ehpc::PageStream>();
    sendable::<hpc_sdk::Error>();
}

#[tokio::test]
async fn an_empty_page_mid_listing_is_retried_once_and_the_listing_completes() {
    let server = MockServer::start_async().await;
    let empty_served = Arc::new(AtomicUsize::new(0));
    let served = empty_served.clone();
    let mock = server.mock(|when, then| {
        when.path("/api/job/list");
        then.respond_with(move |req: &HttpMockRequest| {
            let query: Vec<(String, String)> =
                url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                    .into_owned()
                    .collect();
            let offset: u64 = query
                .iter()
                .find(|(k, _)| k == "offset")
                .unwrap()
                .1
                .parse()
                .unwrap();
            if offset == 100 && served.fetch_add(1, Ordering::SeqCst) == 0 {
                return json_response(ehpc_page(0, 0, 250));
            }
            json_response(ehpc_page(offset, 100.min(250 - offset), 250))
        });
    });
    let (client, _) = client(&server, RetryPolicy::none());
    let ids: Vec<i64> = client
        .jobs()
        .list()
        .cluster_id("c")
        .items()
        .map(|j| j.unwrap().job_id.unwrap().0)
        .collect()
        .await;
    assert_eq!(ids, (0..250).collect::<Vec<_>>());
    mock.assert_calls_async(4).await;
}
