//! The generated EHPC client's lifecycle and directory operations against its own typed
//! httpmock helpers: the body a POST sends, the path and query a GET sends, the
//! vendor's example answers decoded.

use ehpc_client::mock::MockServerExt;
use ehpc_client::types::{
    JobDetailResponse, JobIdsRequest, JobTaskResponse, SubmitJobRequest, SubmitJobResponse,
    UserListResponse,
};
use ehpc_client::{Client, Hooks, LenientInt};
use httpmock::MockServer;
use serde_json::json;

fn client(server: &MockServer) -> Client {
    Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        Hooks::unsigned(),
    )
}

fn timestamp() -> chrono::DateTime<chrono::Utc> {
    "2021-08-19T16:44:40Z".parse().unwrap()
}

#[tokio::test]
async fn submit_job_posts_its_body_and_reads_a_string_job_id() {
    let server = MockServer::start_async().await;
    let body = SubmitJobRequest {
        cluster_id: "ehpc-8jqdq0mz".into(),
        cmd_line: "sleep 600".into(),
        cmd_line_type: Some("input".into()),
        core_limit: Some(1),
        hpcqueue_id: Some("ehpcq-cq1opkdy".into()),
        input_file: None,
        mem_limit: None,
        name: "zz1".into(),
        priority: Some(1),
        resource_limit: None,
        run_user: "usr-IuZxPyn2".into(),
        scheduler_queue_name: None,
        stderr_redirect_path: None,
        stdout_redirect_path: None,
        submit_type: Some(1),
        time_limit: None,
        zone: "jn1a".into(),
    };
    let answer: SubmitJobResponse = serde_json::from_value(json!({"action": "HpcJobSubmitJobResponse",
        "hpcjob_uuid": "hpcjob-bc2n5lyb", "job_id": "1547554", "job_status": "pending", "ret_code": 0}))
    .unwrap();
    let mock = server.submit_job(|when, then| {
        when.body(&body);
        then.ok(&answer);
    });
    let got = client(&server)
        .submit_job()
        .timestamp(timestamp())
        .body(body.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;
    assert_eq!(got.job_id, Some(LenientInt(1_547_554)));
    assert_eq!(got.hpcjob_uuid.as_deref(), Some("hpcjob-bc2n5lyb"));
}

#[tokio::test]
async fn the_detail_takes_the_uuid_in_its_path_and_stop_and_delete_their_body() {
    let server = MockServer::start_async().await;
    let detail: JobDetailResponse = serde_json::from_value(json!({"ret_code": 0, "hpc_job_set": [{
        "hpcjob_uuid": "hpcjob-cz8ngntp", "job_id": 7, "run_time": "5", "slots_num": "1",
        "job_priorty": 1, "exec_swd": "/public/testing_abcd", "cpu_usage": 0.0}]}))
    .unwrap();
    let detail_mock = server.get_job_detail(|when, then| {
        when.job_uuid("hpcjob-cz8ngntp").cluster_id("ehpc-2i6bsme6");
        then.ok(&detail);
    });
    let ids = JobIdsRequest {
        cluster_id: "ehpc-8jqdq0mz".into(),
        job_ids: vec!["hpcjob-bp6rj09f".into()],
        zone: "jn1a".into(),
    };
    let task: JobTaskResponse = serde_json::from_value(json!({"action": "HpcJobStopJobsResponse",
        "custom_cmd_result": ["{\"job_ids\": \"5\", \"ret_code\": 0}"], "job_uuid": "j-942yi1ah8hd", "ret_code": 0}))
    .unwrap();
    let stop = server.stop_jobs(|when, then| {
        when.body(&ids);
        then.ok(&task);
    });
    let delete = server.delete_jobs(|when, then| {
        when.body(&ids);
        then.ok(&JobTaskResponse {
            job_uuid: None,
            custom_cmd_result: None,
            ..task.clone()
        });
    });
    let api = client(&server);
    let got = api
        .get_job_detail()
        .job_uuid("hpcjob-cz8ngntp")
        .cluster_id("ehpc-2i6bsme6")
        .timestamp(timestamp())
        .zone("jinan1a")
        .send()
        .await
        .unwrap()
        .into_inner();
    let job = &got.hpc_job_set.unwrap()[0];
    assert_eq!(job.run_time, Some(LenientInt(5)));
    assert_eq!(job.job_priorty, Some(LenientInt(1)));
    assert_eq!(job.exec_swd.as_deref(), Some("/public/testing_abcd"));
    let stopped = api
        .stop_jobs()
        .timestamp(timestamp())
        .body(ids.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.job_uuid.as_deref(), Some("j-942yi1ah8hd"));
    api.delete_jobs()
        .timestamp(timestamp())
        .body(ids)
        .send()
        .await
        .unwrap();
    detail_mock.assert_async().await;
    stop.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn users_queues_and_operations_send_their_filters() {
    let server = MockServer::start_async().await;
    let users: UserListResponse = serde_json::from_value(json!({"ret_code": 0, "total_count": 1,
        "users_set": [{"username": "usr-vceaHsJu", "gid_number": "41522"}]}))
    .unwrap();
    let users_mock = server.list_users(|when, then| {
        when.cluster_id("hpc-qig9xu97").search_word("usr").limit(10);
        then.ok(&users);
    });
    let queues_mock = server.list_ehpc_queues(|when, then| {
        when.cluster_id("ehpc-qmmvigwe")
            .queue_ids(&vec!["ehpcq-1".to_string(), "ehpcq-2".to_string()]);
        then.ok(&serde_json::from_value(
            json!({"ret_code": 0, "total_count": 0, "hpc_queue_set": []}),
        )
        .unwrap());
    });
    let current_mock = server.list_current_queues(|when, then| {
        when.cluster_id("hpc-n2yopbte")
            .belong(-1)
            .zone_id("jinan1a");
        then.ok(
            &serde_json::from_value(json!({"ret_code": 0, "total_count": 0, "queue_set": []}))
                .unwrap(),
        );
    });
    let operations_mock = server.list_operations(|when, then| {
        when.jobs("j-942yi1ah8hd").status("successful");
        then.ok(
            &serde_json::from_value(json!({"ret_code": 0, "total_count": 0, "job_set": []}))
                .unwrap(),
        );
    });
    let api = client(&server);
    let got = api
        .list_users()
        .cluster_id("hpc-qig9xu97")
        .search_word("usr")
        .limit(10)
        .timestamp(timestamp())
        .zone("jinan1a")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.users_set.as_ref().unwrap()[0].gid_number.as_deref(),
        Some("41522")
    );
    api.list_ehpc_queues()
        .cluster_id("ehpc-qmmvigwe")
        .queue_ids(vec!["ehpcq-1".to_string(), "ehpcq-2".to_string()])
        .timestamp(timestamp())
        .zone("jinan1a")
        .send()
        .await
        .unwrap();
    api.list_current_queues()
        .cluster_id("hpc-n2yopbte")
        .belong(-1)
        .zone("jinan1a")
        .zone_id("jinan1a")
        .timestamp(timestamp())
        .send()
        .await
        .unwrap();
    api.list_operations()
        .jobs("j-942yi1ah8hd")
        .status("successful")
        .timestamp(timestamp())
        .zone("jinan1a")
        .send()
        .await
        .unwrap();
    for mock in [users_mock, queues_mock, current_mock, operations_mock] {
        mock.assert_async().await;
    }
}
