//! `max_body_bytes` on both clouds: an answer past the limit fails the call with
//! `Error::BodyTooLarge` after exactly one request (the same request would bring the
//! same answer), and an answer within it is decoded as usual. The peak memory of the
//! same cases against the `hpc` binary is measured in `crates/hpc-cli/tests/huge_bodies.rs`.

mod common;

use common::*;
use hpc_sdk::{Error, RetryPolicy};
use httpmock::prelude::*;

#[tokio::test]
async fn an_ehpc_answer_past_the_limit_is_one_request_and_a_clear_error() {
    let server = MockServer::start_async().await;
    let big = server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(200).body(ehpc_page(0, 100, 100));
    });
    let body_len = ehpc_page(0, 100, 100).len() as u64;
    let client = |limit: u64| {
        hpc_sdk::ehpc::Client::builder()
            .endpoint(server.base_url())
            .zone("jinan1a")
            .credentials("AK", "SECRET")
            .retry(RetryPolicy::default().max_attempts(4).without_jitter())
            .max_body_bytes(limit)
            .build()
            .unwrap()
    };
    let err = client(body_len - 1)
        .jobs()
        .list()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit } if limit == body_len - 1),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("max_body_bytes"), "{err}");
    big.assert_calls_async(1).await;
    let page = client(body_len)
        .jobs()
        .list()
        .cluster_id("c")
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 100);
}

#[tokio::test]
async fn an_scnet_answer_past_the_limit_is_one_request_and_a_clear_error() {
    let server = MockServer::start_async().await;
    let rows: Vec<_> = (0..200)
        .map(|i| serde_json::json!({"jobId": i.to_string(), "jobName": "a long job name"}))
        .collect();
    let body =
        serde_json::json!({"code": "0", "msg": "success", "data": {"total": 200, "list": rows}})
            .to_string();
    let listing = server.mock(|when, then| {
        when.path_includes("/jobs");
        then.status(200)
            .header("content-type", "application/json")
            .body(&body);
    });
    let err = hpc_sdk::scnet::Client::builder()
        .portal_url(server.base_url())
        .token(jwt("static", EXAMPLE_TIME + 3600))
        .retry(RetryPolicy::default().max_attempts(4).without_jitter())
        .max_body_bytes(1024)
        .build()
        .unwrap()
        .jobs()
        .member_jobs()
        .cluster_id(1)
        .group_id(2)
        .cluster_user_name("u")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024 }),
        "{err:?}"
    );
    listing.assert_calls_async(1).await;
}
