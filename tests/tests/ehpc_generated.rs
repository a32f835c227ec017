//! The generated EHPC client against httpmock: what goes on the wire, what comes back.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ehpc_client::mock::MockServerExt;
use ehpc_client::types::JobListResponse;
use ehpc_client::{Client, Hooks, LenientInt, SignError, SignRequest};
use httpmock::MockServer;
use serde_json::json;

fn client(server: &MockServer, hooks: Hooks) -> Client {
    Client::new_with_client(&server.base_url(), reqwest::Client::new(), hooks)
}

fn timestamp() -> chrono::DateTime<chrono::Utc> {
    "2021-08-19T16:44:40Z".parse().unwrap()
}

/// The documented example page (api-docs/ehpc-job-list.md), as valid JSON.
fn documented_page() -> serde_json::Value {
    json!({
        "action": "HpcJobListJobsResponse",
        "hpc_job_set": [{
            "cmd_line": "sleep 1000", "core_limit": 1, "exec_cwd": "/public/shanhe/s0723",
            "hpcjob_uuid": "hpcjob-vka21yhq", "hpcqueue_id": "hpcq-df3u98dr",
            "hpq_name": "2222333vis22", "job_id": 19453, "job_name": "作业-cwOOs",
            "job_node_list": "", "job_priority": 1, "job_status": "running", "mem_limit": null,
            "modified_time": "2021-08-19T14:06:41", "name": "2222333vis22",
            "queue_name": "2222333vis22", "run_user": "usr-vceaHsJu",
            "scheduler_queue_name": "vis", "started_time": "2021-08-19T14:06:41",
            "stderr_redirect_path": "HPC-19453.err", "stdout_redirect_path": "HPC-19453.out",
            "submitted_time": "2021-08-19T14:06:21"
        }],
        "ret_code": 0,
        "total_count": 1
    })
}

#[tokio::test]
async fn list_jobs_sends_every_parameter_and_decodes_the_page() {
    let server = MockServer::start_async().await;
    let page: JobListResponse = serde_json::from_value(documented_page()).unwrap();
    let mock = server.list_jobs(|when, then| {
        let when = when
            .cluster_id("ehpc-qmmvigwe")
            .zone("jinan1a")
            .jobs_status("running")
            .job_status("running")
            .limit(100)
            .offset(200)
            .queue_name("vis")
            .reverse(1)
            .run_user("usr-vceaHsJu")
            .search_word("作业 1+1")
            .sort_key("submitted_time");
        // The generated date-time matcher formats differently from the client: match
        // the raw wire value instead.
        when.into_inner()
            .query_param("timestamp", "2021-08-19T16:44:40Z");
        then.ok(&page);
    });

    let answer = client(&server, Hooks::unsigned())
        .list_jobs()
        .timestamp(timestamp())
        .zone("jinan1a")
        .cluster_id("ehpc-qmmvigwe")
        .jobs_status("running")
        .job_status("running")
        .limit(100)
        .offset(200)
        .queue_name("vis")
        .reverse(1)
        .run_user("usr-vceaHsJu")
        .search_word("作业 1+1")
        .sort_key("submitted_time")
        .send()
        .await
        .expect("the mock answers")
        .into_inner();

    mock.assert_calls_async(1).await;
    assert_eq!(answer.ret_code, LenientInt(0));
    assert_eq!(answer.total_count, Some(LenientInt(1)));
    assert_eq!(answer.action.as_deref(), Some("HpcJobListJobsResponse"));
    let jobs = answer.hpc_job_set.expect("a job set");
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.job_id, Some(LenientInt(19453)));
    assert_eq!(job.job_name.as_deref(), Some("作业-cwOOs"));
    assert_eq!(job.job_status.as_deref(), Some("running"));
    assert_eq!(job.mem_limit, None);
    assert_eq!(job.job_node_list.as_deref(), Some(""));
    assert_eq!(job.submitted_time.as_deref(), Some("2021-08-19T14:06:21"));
}

#[tokio::test]
async fn list_jobs_leaves_unset_filters_off_the_wire() {
    let server = MockServer::start_async().await;
    let mock = server.list_jobs(|when, then| {
        let when = when
            .cluster_id("ehpc-1")
            .zone("jinan1a")
            .jobs_status(None)
            .job_status(None)
            .limit(None)
            .offset(None)
            .queue_name(None)
            .reverse(None)
            .run_user(None)
            .search_word(None)
            .sort_key(None);
        when.into_inner().query_param_exists("timestamp");
        then.ok(&serde_json::from_value(json!({"ret_code": 0, "total_count": 0})).unwrap());
    });
    let answer = client(&server, Hooks::unsigned())
        .list_jobs()
        .timestamp(timestamp())
        .zone("jinan1a")
        .cluster_id("ehpc-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    assert_eq!(answer.hpc_job_set, None);
}

#[tokio::test]
async fn a_missing_required_parameter_fails_before_sending() {
    let server = MockServer::start_async().await;
    let mock = server.list_jobs(|_, then| {
        then.ok(&serde_json::from_value(json!({"ret_code": 0})).unwrap());
    });
    let err = client(&server, Hooks::unsigned())
        .list_jobs()
        .timestamp(timestamp())
        .zone("jinan1a")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cluster_id was not initialized"),
        "{err}"
    );
    mock.assert_calls_async(0).await;
}

/// Records how often it ran, and stamps each request with its sequence number.
struct CountingSigner(AtomicUsize);

impl SignRequest for CountingSigner {
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), SignError> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        request
            .url_mut()
            .query_pairs_mut()
            .append_pair("signature", &n.to_string());
        Ok(())
    }
}

#[tokio::test]
async fn the_pre_hook_signs_every_send() {
    let server = MockServer::start_async().await;
    let ok: JobListResponse = serde_json::from_value(json!({"ret_code": 0})).unwrap();
    let first = server.list_jobs(|when, then| {
        when.into_inner().query_param("signature", "1");
        then.ok(&ok);
    });
    let second = server.list_jobs(|when, then| {
        when.into_inner().query_param("signature", "2");
        then.ok(&ok);
    });
    let signer = Arc::new(CountingSigner(AtomicUsize::new(0)));
    let client = client(&server, Hooks::signed_by(signer.clone()));
    for _ in 0..2 {
        client
            .list_jobs()
            .timestamp(timestamp())
            .zone("z")
            .cluster_id("c")
            .send()
            .await
            .unwrap();
    }
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    assert_eq!(signer.0.load(Ordering::SeqCst), 2);
}

struct FailingSigner;

impl SignRequest for FailingSigner {
    fn sign(&self, _: &mut reqwest::Request) -> Result<(), SignError> {
        Err(SignError::new("no key"))
    }
}

#[tokio::test]
async fn a_signing_failure_stops_the_request() {
    let server = MockServer::start_async().await;
    let mock = server.list_jobs(|_, then| {
        then.ok(&serde_json::from_value(json!({"ret_code": 0})).unwrap());
    });
    let err = client(&server, Hooks::signed_by(Arc::new(FailingSigner)))
        .list_jobs()
        .timestamp(timestamp())
        .zone("z")
        .cluster_id("c")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot sign the request: no key"),
        "{err}"
    );
    mock.assert_calls_async(0).await;
}

#[tokio::test]
async fn an_error_answer_with_http_200_decodes() {
    let server = MockServer::start_async().await;
    server.list_jobs(|_, then| {
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .body(r#"{"ret_code":1200,"message":"AuthFailure, signature not matched"}"#);
    });
    let answer = client(&server, Hooks::unsigned())
        .list_jobs()
        .timestamp(timestamp())
        .zone("z")
        .cluster_id("c")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.ret_code, LenientInt(1200));
    assert_eq!(
        answer.message.as_deref(),
        Some("AuthFailure, signature not matched")
    );
}

#[test]
fn unknown_values_and_fields_and_numbers_as_strings_decode() {
    let page: JobListResponse = serde_json::from_value(json!({
        "action": "HpcJobListJobsResponse",
        "ret_code": "0",
        "total_count": "2",
        "brand_new_field": {"nested": true},
        "hpc_job_set": [
            {"job_id": "7", "job_status": "suspended_by_admin", "categories": "gpu_queue",
             "core_limit": 4.0, "job_priority": null, "another_new_field": 1},
            {"job_id": 8, "job_status": null}
        ]
    }))
    .expect("forward compatible decoding");
    assert_eq!(page.ret_code, LenientInt(0));
    assert_eq!(page.total_count, Some(LenientInt(2)));
    let jobs = page.hpc_job_set.unwrap();
    assert_eq!(jobs[0].job_id, Some(LenientInt(7)));
    assert_eq!(jobs[0].job_status.as_deref(), Some("suspended_by_admin"));
    assert_eq!(jobs[0].categories.as_deref(), Some("gpu_queue"));
    assert_eq!(jobs[0].core_limit, Some(LenientInt(4)));
    assert_eq!(jobs[1].job_status, None);
}

#[test]
fn a_non_integer_where_an_integer_belongs_is_a_decode_error() {
    let err = serde_json::from_value::<JobListResponse>(json!({"ret_code": "zero"})).unwrap_err();
    assert!(
        err.to_string()
            .contains("an integer, or a string holding one"),
        "{err}"
    );
}
