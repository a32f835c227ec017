//! Every fault kind, as reqwest sees it, and the counters.

mod common;

use std::time::{Duration, Instant};

use common::{list, list_url, login};
use ehpc_client::types::JobListResponse;
use hpc_sandbox::{Fault, Sandbox};
use scnet_client::types::TokenStateResponse;

const LIST: &str = "/api/job/list";

async fn sandbox() -> Sandbox {
    Sandbox::builder().jobs(250).start().await.unwrap()
}

#[tokio::test]
async fn http_status_then_normal_answers() {
    let sandbox = sandbox().await;
    sandbox.inject(Fault::status(LIST, 503).times(2));
    for _ in 0..2 {
        let response = reqwest::get(list_url(&sandbox, &[])).await.unwrap();
        assert_eq!(response.status(), 503);
    }
    assert_eq!(list(&sandbox, &[]).await.ret_code.0, 0);
    assert_eq!(sandbox.faults_served(), 2);
    assert_eq!(sandbox.request_count(LIST), 3);
    assert_eq!(sandbox.request_count("/api/"), 3);
    assert_eq!(sandbox.request_count("/ac/"), 0);
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let sandbox = sandbox().await;
    sandbox.inject(Fault::rate_limited(LIST, 2));
    let response = reqwest::get(list_url(&sandbox, &[])).await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "2");
    assert_eq!(sandbox.faults_served(), 1);
}

#[tokio::test]
async fn ehpc_and_scnet_error_codes() {
    let sandbox = sandbox().await;
    sandbox.inject(Fault::ehpc_code(LIST, 5100));
    let answer = list(&sandbox, &[]).await;
    assert_eq!(answer.ret_code.0, 5100);
    assert!(answer.message.is_some());

    let (platform, _) = login(&sandbox).await;
    sandbox.inject(Fault::scnet_code("/tokens/state", "10012"));
    let url = format!("{}/ac/openapi/v2/tokens/state", sandbox.scnet_portal_url());
    let state: TokenStateResponse = common::get_with_token(url.clone(), &platform)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state.code.as_str(), "10012");
    let state: TokenStateResponse = common::get_with_token(url, &platform)
        .await
        .json()
        .await
        .unwrap();
    assert!(state.code.is_success());
    assert_eq!(sandbox.faults_served(), 2);
}

#[tokio::test]
async fn html_error_page() {
    let sandbox = sandbox().await;
    sandbox.inject(Fault::html(LIST, 502));
    let response = reqwest::get(list_url(&sandbox, &[])).await.unwrap();
    assert_eq!(response.status(), 502);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = response.text().await.unwrap();
    assert!(body.contains("<title>502 Bad Gateway</title>"));
    assert!(serde_json::from_str::<JobListResponse>(&body).is_err());
}

#[tokio::test]
async fn truncated_json_body() {
    let sandbox = sandbox().await;
    sandbox.inject(Fault::truncated_json(LIST));
    let response = reqwest::get(list_url(&sandbox, &[])).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.starts_with('{'));
    let error = serde_json::from_str::<JobListResponse>(&body).unwrap_err();
    assert!(error.is_eof(), "{error}");
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let sandbox = sandbox().await;
    sandbox.inject(Fault::delay(LIST, Duration::from_millis(300)));
    let started = Instant::now();
    assert_eq!(list(&sandbox, &[]).await.ret_code.0, 0);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    sandbox.inject(Fault::delay(LIST, Duration::from_secs(2)));
    let error = client
        .get(list_url(&sandbox, &[]))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(sandbox.faults_served(), 2);
}

#[tokio::test]
async fn dropped_connection_is_a_transport_error() {
    let sandbox = sandbox().await;
    let client = reqwest::Client::new();
    // A pooled connection first, so the drop happens on a reused one too.
    assert!(
        client
            .get(list_url(&sandbox, &[]))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    sandbox.inject(Fault::drop_connection(LIST).times(2));
    for _ in 0..2 {
        let error = client
            .get(list_url(&sandbox, &[]))
            .send()
            .await
            .unwrap_err();
        assert!(error.is_request() || error.is_connect(), "{error:?}");
        assert!(error.status().is_none());
    }
    let answer: JobListResponse = client
        .get(list_url(&sandbox, &[]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer.ret_code.0, 0);
    assert_eq!(sandbox.faults_served(), 2);
    assert_eq!(sandbox.request_count(LIST), 4);
}

#[tokio::test]
async fn total_count_lies() {
    let sandbox = sandbox().await;
    sandbox.inject(Fault::total_count_off_by(LIST, 5));
    sandbox.inject(Fault::total_count_off_by(LIST, -3));
    assert_eq!(list(&sandbox, &[]).await.total_count.unwrap().0, 255);
    let answer = list(&sandbox, &[]).await;
    assert_eq!(answer.total_count.unwrap().0, 247);
    assert_eq!(answer.hpc_job_set.unwrap().len(), 10);
    assert_eq!(list(&sandbox, &[]).await.total_count.unwrap().0, 250);
    assert_eq!(sandbox.faults_served(), 2);
}

#[tokio::test]
async fn page_at_an_offset_comes_back_empty() {
    let sandbox = sandbox().await;
    sandbox.inject(Fault::empty_page(LIST, 100));
    let first = list(&sandbox, &[("limit", "100")]).await;
    assert_eq!(
        first.hpc_job_set.unwrap().len(),
        100,
        "offset 0 does not match"
    );
    let empty = list(&sandbox, &[("limit", "100"), ("offset", "100")]).await;
    assert_eq!(empty.hpc_job_set.unwrap().len(), 0);
    assert_eq!(empty.total_count.unwrap().0, 250);
    let again = list(&sandbox, &[("limit", "100"), ("offset", "100")]).await;
    assert_eq!(again.hpc_job_set.unwrap().len(), 100);
    assert_eq!(sandbox.faults_served(), 1);
}

#[tokio::test]
async fn faults_from_the_builder_and_the_control_endpoint() {
    let sandbox = Sandbox::builder()
        .jobs(10)
        .fault(Fault::status("/api/user/v3/tokens", 500))
        .start()
        .await
        .unwrap();
    let secret = sandbox.credentials().scnet_secret_key.clone();
    let response = common::ak_login_request(&sandbox, &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(sandbox.logins(), 0);

    let control = format!("{}/_sandbox/faults", sandbox.scnet_portal_url());
    let client = reqwest::Client::new();
    let queued = client
        .post(&control)
        .body(r#"[{"path":"/api/job/list","times":2,"fault":"ehpc_code","ret_code":1300},{"path":"/api/job/list","fault":"rate_limited","retry_after_secs":1}]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 200);
    assert_eq!(list(&sandbox, &[]).await.ret_code.0, 1300);
    assert_eq!(list(&sandbox, &[]).await.ret_code.0, 1300);
    client.delete(&control).send().await.unwrap();
    assert_eq!(list(&sandbox, &[]).await.ret_code.0, 0);
    let bad = client.post(&control).body("{}").send().await.unwrap();
    assert_eq!(bad.status(), 400);

    let stats: serde_json::Value = reqwest::get(format!("{}/_sandbox/stats", sandbox.ehpc_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["faults_served"], 3);
    assert_eq!(stats["requests"]["/api/job/list"], 3);
    assert_eq!(sandbox.request_count("/_sandbox"), 0);
}

#[tokio::test]
async fn dropping_the_handle_stops_the_servers() {
    let sandbox = sandbox().await;
    let url = list_url(&sandbox, &[]);
    drop(sandbox);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let error = reqwest::Client::new().get(url).send().await.unwrap_err();
    assert!(error.is_connect(), "{error:?}");
}
