//! The EHPC queue, user and operation listings: both spellings of each list, the zone
//! sent under both names, `queue_ids` as a repeated key; and against the sandbox, a
//! stop's task in the operation log.

mod common;

use common::*;
use futures::TryStreamExt;
use hpc_sandbox::Sandbox;
use hpc_sdk::RetryPolicy;
use httpmock::prelude::*;
use serde_json::json;

#[tokio::test]
async fn users_and_current_queues_are_read_under_either_name_of_their_list() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.path("/api/user").query_param("cluster_id", "c");
        then.status(200).body(
            json!({"ret_code": 0, "total_count": 1, "user_set": [{"username": "usr-a", "hpcuser_id": "hpcuser-1"}]})
                .to_string(),
        );
    });
    let queues = server.mock(|when, then| {
        when.path("/api/queue/getCurrentQueue")
            .query_param("zone", "jinan1a")
            .query_param("zone_id", "jinan1a");
        then.status(200).body(
            json!({"ret_code": 0, "total_count": 1, "queues_set": [{"hpcqueue_id": "hpcq-1", "scheduler_queue_name": "medium"}]})
                .to_string(),
        );
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
    let users = client.users().list().cluster_id("c").send().await.unwrap();
    assert_eq!(users.items[0].username.as_deref(), Some("usr-a"));
    let current = client
        .queues()
        .current()
        .cluster_id("c")
        .send()
        .await
        .unwrap();
    assert_eq!(
        current.items[0].scheduler_queue_name.as_deref(),
        Some("medium")
    );
    queues.assert_calls_async(1).await;
}

#[tokio::test]
async fn queue_ids_travel_as_a_repeated_key() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/api/queue/ehpc/getQueueList")
            .query_param("queue_ids", "ehpcq-1")
            .query_param("queue_ids", "ehpcq-2+x");
        then.status(200).body(
            json!({"ret_code": 0, "total_count": 2, "hpc_queue_set": [{"hpcqueue_id": "ehpcq-1"}, {"hpcqueue_id": "ehpcq-2+x", "partotion_name": "normal"}]})
                .to_string(),
        );
    });
    let (client, _) = ehpc_mock_client(&server, RetryPolicy::none());
    let page = client
        .queues()
        .list()
        .cluster_id("c")
        .queue_ids(["ehpcq-1", "ehpcq-2+x"])
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[1].partotion_name.as_deref(), Some("normal"));
}

#[tokio::test]
async fn the_sandbox_lists_users_queues_and_the_stop_task() {
    let sandbox = Sandbox::builder().jobs(1).start().await.unwrap();
    let client = hpc_sdk::ehpc::ClientBuilder::from_lookup(|k| sandbox.env(k), None)
        .unwrap()
        .build()
        .unwrap();
    let cluster = sandbox.env("EHPC_CLUSTER_ID").unwrap();
    // The client's cluster (EHPC_CLUSTER_ID) unless a request names one.
    let users: Vec<_> = client
        .users()
        .list()
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 5, "every page followed");
    let queues: Vec<_> = client
        .queues()
        .list()
        .cluster_id(&cluster)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(
        queues
            .iter()
            .any(|q| q.hpcqueue_id.as_deref() == Some("hpcq-df3u98dr"))
    );
    let private = client.queues().current().belong(1).send().await.unwrap();
    assert_eq!(private.items.len(), 2);
    let job = client
        .jobs()
        .submit()
        .name("log me")
        .cmd_line("sleep 600")
        .run_user(users[0].username.clone().unwrap())
        .queue_id("hpcq-df3u98dr")
        .send()
        .await
        .unwrap();
    let stopped = client.jobs().stop([&job.uuid]).send().await.unwrap();
    let task = stopped.task_id.unwrap();
    let log = client.operations().list().jobs(&task).send().await.unwrap();
    assert_eq!(log.items.len(), 1);
    assert_eq!(log.items[0].status.as_deref(), Some("successful"));
    assert_eq!(
        log.items[0].resource_ids.as_deref(),
        Some(job.uuid.as_str())
    );
}
