//! The EHPC facade against httpmock: signing on the wire, paging, filters, lying
//! servers. Errors and retries are in `facade_ehpc_errors.rs`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use futures::{StreamExt, TryStreamExt};
use hpc_sdk::{Error, RetryPolicy};
use httpmock::HttpMockRequest;
use httpmock::prelude::*;

#[tokio::test]
async fn the_signature_on_the_wire_matches_one_computed_independently() {
    let server = MockServer::start_async().await;
    // Computed with Python's hmac from docs/api-notes.md §1, not with the SDK. The SDK
    // lists oldest first unless told otherwise: `reverse=0`.
    let expected = "access_key_id=AK&cluster_id=ehpc-1&job_status=running&jobs_status=running&limit=100&offset=0&queue_name=vis%20q&reverse=0&signature_method=HmacSHA256&signature_version=1&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a&signature=p82R0s5d4RN6RrDngUYgPQ639IHkY6%252FFZmYltcXy84Y%253D";
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/api/job/list")
            .is_true(move |req: &HttpMockRequest| req.uri().query() == Some(expected));
        then.status(200).body(ehpc_page(1, 1, 1));
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
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
    assert_eq!(page.items.len(), 1);
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
            let (offset, limit) = (query_u64(req, "offset"), query_u64(req, "limit"));
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
        let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
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
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
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
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
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
            let offset = query_u64(req, "offset");
            json_response(ehpc_page(offset, 30.min(95 - offset.min(95)), 95))
        });
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
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
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
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
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
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
async fn a_missing_cluster_id_is_invalid_input_before_any_request() {
    let server = MockServer::start_async().await;
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
    let err = client.jobs().list().send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    let first = client.jobs().list().items().next().await.unwrap();
    assert!(matches!(first, Err(Error::InvalidInput { .. })));
}

#[test]
fn clients_are_cheap_to_clone_and_shareable_between_tasks() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<hpc_sdk::ehpc::Client>();
    shareable::<hpc_sdk::scnet::Client>();
    fn sendable<T: Send + 'static>() {}
    sendable::<hpc_sdk::PageStream<hpc_sdk::ehpc::EhpcJob>>();
    sendable::<hpc_sdk::Paginator<hpc_sdk::ehpc::EhpcJob>>();
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
            let offset = query_u64(req, "offset");
            if offset == 100 && served.fetch_add(1, Ordering::SeqCst) == 0 {
                return json_response(ehpc_page(0, 0, 250));
            }
            json_response(ehpc_page(offset, 100.min(250 - offset), 250))
        });
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
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

#[tokio::test]
async fn an_offset_past_int64_is_invalid_input_and_never_sent() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(200).body(ehpc_page(0, 0, 0));
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
    for offset in [u64::MAX, 1 << 63] {
        let list = || client.jobs().list().cluster_id("ehpc-1").offset(offset);
        let err = list().send().await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        let first = list().items().next().await.unwrap();
        assert!(
            matches!(first, Err(Error::InvalidInput { .. })),
            "{first:?}"
        );
    }
    mock.assert_calls_async(0).await;
}
