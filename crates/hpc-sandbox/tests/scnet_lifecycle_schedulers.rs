//! Several SCNet schedulers in one region: each lists, pages and cancels only its own
//! jobs, through the generated client.

mod common;

use std::time::Duration;

use common::scnet::{job, region};
use hpc_sandbox::Sandbox;
use serde_json::json;

#[tokio::test]
async fn each_scheduler_lists_only_its_jobs_and_pages_oldest_first() {
    let builder = Sandbox::builder()
        .scnet_schedulers(2)
        .pending_time(Duration::from_secs(3600));
    let mut region = region(builder).await;
    let schedulers = region
        .client
        .list_schedulers()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap();
    let ids: Vec<_> = schedulers
        .iter()
        .map(|s| s.id.clone().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(ids, region.sandbox.scnet_scheduler_ids());
    assert_eq!(
        ids[1].parse::<u64>().unwrap(),
        ids[0].parse::<u64>().unwrap() + 1
    );
    assert_eq!(schedulers[1].text.as_deref(), Some("Cluster2"));
    let on_first: Vec<String> = [
        region.submit_ok(job("a", "sleep 1")).await,
        region.submit_ok(job("b", "sleep 1")).await,
        region.submit_ok(job("c", "sleep 1")).await,
    ]
    .into();
    region.scheduler = ids[1].clone();
    let on_second = region.submit_ok(job("d", "sleep 1")).await;
    assert!(region.realtime(&on_second).await.is_some());
    assert!(region.realtime(&on_first[0]).await.is_none());
    // The second scheduler cannot cancel the first one's jobs.
    assert_eq!(
        region
            .cancel(&[region.entry(&on_first[0])])
            .await
            .code
            .as_str(),
        "10004"
    );
    let page = |start: i64| {
        let call = region
            .client
            .list_jobs()
            .str_cluster_id_list(ids[0].clone())
            .start(start)
            .limit(2);
        async move { call.send().await.unwrap().into_inner().data.unwrap() }
    };
    let first = page(0).await;
    let listed: Vec<_> = first
        .list
        .unwrap()
        .into_iter()
        .map(|r| r.job_id.unwrap())
        .collect();
    assert_eq!(first.total, Some(json!(3)));
    assert_eq!(listed, [json!(on_first[0]), json!(on_first[1])]);
    assert_eq!(
        page(2).await.list.unwrap()[0].job_id,
        Some(json!(on_first[2]))
    );
    let queued = region
        .client
        .list_jobs()
        .str_cluster_id_list(ids[0].clone())
        .str_job_stat("statQ")
        .str_job_name("b")
        .str_job_owner("acsandbox")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(queued.data.unwrap().total, Some(json!(1)));
    let ids_grow: Vec<u64> = [&on_first[0], &on_first[1], &on_first[2], &on_second]
        .iter()
        .map(|id| id.parse().unwrap())
        .collect();
    assert!(ids_grow.windows(2).all(|pair| pair[0] < pair[1]));
}
