//! The EHPC job lifecycle through the facade, against httpmock: submit (the body, the
//! query, "maybe submitted" with exactly one request), finding a doubtful submit, the
//! detail, stop and delete (a job already ended or gone is not an error).

mod common;

use std::time::Duration;

use common::*;
use hpc_sdk::{EhpcCode, Error, ErrorCode, JobStatus, RetryPolicy};
use httpmock::HttpMockRequest;
use httpmock::prelude::*;
use serde_json::json;

fn submit(client: &hpc_sdk::ehpc::Client) -> hpc_sdk::ehpc::SubmitJob {
    client
        .jobs()
        .submit()
        .cluster_id("ehpc-8jqdq0mz")
        .name("作业 test")
        .cmd_line("sleep 600")
        .run_user("usr-IuZxPyn2")
        .queue_id("ehpcq-cq1opkdy")
}

#[tokio::test]
async fn a_submit_sends_every_field_in_the_signed_body_and_only_common_parameters_in_the_query() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(POST)
            .path("/api/job/submitJob")
            .header("content-type", "application/json")
            .json_body_includes(r#"{"cluster_id": "ehpc-8jqdq0mz", "zone": "jinan1a", "name": "作业 test", "cmd_line": "sleep 600", "core_limit": 4, "run_user": "usr-IuZxPyn2", "hpcqueue_id": "ehpcq-cq1opkdy", "time_limit": 3600, "submit_type": 1}"#)
            .is_true(|req: &HttpMockRequest| {
                let query = req.uri().query().unwrap_or_default().to_string();
                let keys: Vec<&str> = query.split('&').map(|kv| kv.split('=').next().unwrap()).collect();
                keys == ["access_key_id", "signature_method", "signature_version", "timestamp", "version", "signature"]
            });
        then.status(200).body(
            json!({"action": "HpcJobSubmitJobResponse", "hpcjob_uuid": "hpcjob-bc2n5lyb",
                   "job_id": "1547554", "job_status": "pending", "ret_code": 0})
            .to_string(),
        );
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::default());
    let job = submit(&client)
        .cores(4)
        .time_limit(3600)
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(job.uuid, "hpcjob-bc2n5lyb");
    assert_eq!(job.job_id, Some(1_547_554));
    assert_eq!(job.status, JobStatus::Queued);
}

#[tokio::test]
async fn a_submit_answered_503_is_maybe_submitted_after_exactly_one_request() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.path("/api/job/submitJob");
        then.status(503).body("<html>busy</html>");
    });
    let (client, sleep) = ehpc_mock_client(&server, RetryPolicy::default());
    let err = submit(&client).send().await.unwrap_err();
    mock.assert_calls_async(1).await;
    assert!(sleep.waits().is_empty(), "no retry, so no wait");
    let Error::MaybeSubmitted {
        ref name,
        ref cluster,
        ref cause,
        ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        (name.as_str(), cluster.as_str()),
        ("作业 test", "ehpc-8jqdq0mz")
    );
    assert!(
        matches!(**cause, Error::Http { status: 503, .. }),
        "{cause:?}"
    );
    assert!(
        err.to_string().starts_with(
            "the job may have been submitted (name `作业 test` on cluster ehpc-8jqdq0mz"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_submit_slower_than_the_attempt_timeout_is_maybe_submitted_after_one_request() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.path("/api/job/submitJob");
        then.status(200).delay(Duration::from_secs(3)).body("{}");
    });
    let client = hpc_sdk::ehpc::Client::builder()
        .endpoint(server.base_url())
        .zone("jinan1a")
        .credentials("AK", "SECRET")
        .timeouts(hpc_sdk::Timeouts::default().per_attempt(Duration::from_millis(300)))
        .build()
        .unwrap();
    let err = submit(&client).send().await.unwrap_err();
    assert!(
        matches!(err, Error::MaybeSubmitted { ref cause, .. } if matches!(**cause, Error::Timeout { .. })),
        "{err:?}"
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_submit_refused_by_the_server_is_a_plain_error() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.path("/api/job/submitJob");
        then.status(200)
            .body(r#"{"ret_code": 1400, "message": "no such queue"}"#);
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::default());
    let err = submit(&client).send().await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::Ehpc(EhpcCode::AccessDenied)));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_submit_that_never_left_is_retried_and_not_maybe_submitted() {
    // Nothing listens on this port: every attempt is refused before a byte is sent.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sleep = RecordingSleep::default();
    let client = hpc_sdk::ehpc::Client::builder()
        .endpoint(format!("http://127.0.0.1:{port}"))
        .zone("jinan1a")
        .credentials("AK", "SECRET")
        .sleep(std::sync::Arc::new(sleep.clone()))
        .retry(RetryPolicy::default().max_attempts(3).without_jitter())
        .build()
        .unwrap();
    let err = submit(&client).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.never_sent());
    assert_eq!(sleep.waits().len(), 2, "three attempts, two waits");
}

#[tokio::test]
async fn required_submit_fields_are_checked_before_sending() {
    let server = MockServer::start_async().await;
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::default());
    let err = client
        .jobs()
        .submit()
        .cluster_id("c")
        .name("n")
        .run_user("u")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cmd_line"), "{err}");
    let err = submit(&client).cores(0).send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn a_doubtful_submit_is_found_by_name_and_time() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.path("/api/job/submitJob");
        then.status(502).body("bad gateway");
    });
    let listing = server.mock(|when, then| {
        when.path("/api/job/list")
            .query_param("search_word", "作业 test")
            .query_param("reverse", "1");
        then.status(200).body(
            json!({"ret_code": 0, "total_count": 2, "hpc_job_set": [
                {"hpcjob_uuid": "hpcjob-other", "job_name": "作业 test2", "submitted_time": "2021-08-19T16:44:41Z"},
                {"hpcjob_uuid": "hpcjob-mine", "job_name": "作业 test", "submitted_time": "2021-08-19T16:44:41Z"},
            ]})
            .to_string(),
        );
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::default());
    let doubt = submit(&client).send().await.unwrap_err();
    let found = client.jobs().find_submitted(&doubt).await.unwrap().unwrap();
    assert_eq!(found.hpcjob_uuid.as_deref(), Some("hpcjob-mine"));
    listing.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_detail_stop_and_delete() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/api/job/jobdetail/hpcjob-cz8ngntp").query_param("cluster_id", "c");
        then.status(200).body(
            json!({"ret_code": 0, "hpc_job_set": [{"hpcjob_uuid": "hpcjob-cz8ngntp", "job_status": "finished",
                   "job_id": 7, "run_time": "5", "cpu_usage": 0.5, "job_priorty": 1}]})
            .to_string(),
        );
    });
    let stop = server.mock(|when, then| {
        when.method(POST).path("/api/job/stopJobs").json_body(
            json!({"cluster_id": "c", "job_ids": ["hpcjob-cz8ngntp"], "zone": "jinan1a"}),
        );
        then.status(200)
            .body(r#"{"ret_code": 1400, "message": "the job cannot be stopped"}"#);
    });
    let delete = server.mock(|when, then| {
        when.method(POST).path("/api/job/deleteJobs");
        then.status(200)
            .body(r#"{"ret_code": 0, "action": "HpcJobDeleteJobsResponse"}"#);
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::default());
    let job = client
        .jobs()
        .get("hpcjob-cz8ngntp")
        .cluster_id("c")
        .send()
        .await
        .unwrap();
    assert_eq!(job.job_status.as_deref(), Some("finished"));
    // Stopping a job that has ended: refused with 1400, then confirmed by its detail.
    let stopped = client
        .jobs()
        .stop(["hpcjob-cz8ngntp"])
        .cluster_id("c")
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.unchanged, ["hpcjob-cz8ngntp"]);
    stop.assert_calls_async(1).await;
    let deleted = client
        .jobs()
        .delete(["hpcjob-cz8ngntp"])
        .cluster_id("c")
        .send()
        .await
        .unwrap();
    assert!(deleted.unchanged.is_empty() && deleted.task_id.is_none());
    delete.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_submit_answered_5000_or_5100_with_http_200_is_maybe_submitted() {
    for code in [5000, 5100] {
        let server = MockServer::start_async().await;
        let mock = server.mock(|when, then| {
            when.path("/api/job/submitJob");
            then.status(200)
                .body(json!({"ret_code": code, "message": "execution timed out"}).to_string());
        });
        let (client, _) = ehpc_mock_client(&server, RetryPolicy::default());
        let err = submit(&client).send().await.unwrap_err();
        assert!(
            matches!(err, Error::MaybeSubmitted { .. }),
            "{code}: {err:?}"
        );
        mock.assert_calls_async(1).await;
    }
}
