//! `jobs().watch(ids)` / `.wait()` against the sandbox's simulated SCNet scheduler:
//! every poll is one realtime listing for all the watched jobs, final statuses for jobs
//! that complete, fail and are cancelled, and the history fallback for a job that left
//! the realtime list.

mod common;

use std::time::Duration;

use futures::TryStreamExt;
use hpc_sandbox::Sandbox;
use hpc_sdk::scnet::Client;
use hpc_sdk::{JobStatus, PollInterval};
use std::sync::Arc;

const LIST: &str = "/hpc/openapi/v2/jobs";

fn scnet(sandbox: &Sandbox) -> Client {
    hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))
        .unwrap()
        .build()
        .unwrap()
}

async fn submit(client: &Client, name: &str, cmd: &str) -> String {
    let job = client.jobs().submit().name(name).command(cmd).queue("comp");
    job.send().await.unwrap().id
}

#[tokio::test]
async fn one_listing_per_poll_answers_every_watched_job() {
    let sandbox = Sandbox::builder()
        .speed(1000.0)
        .scnet_realtime_retention(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let sleeps = Arc::new(common::CountingSleep::default());
    let client = hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))
        .unwrap()
        .sleep(sleeps.clone())
        .build()
        .unwrap();
    let ok = submit(&client, "ok", "echo fine").await;
    let bad = submit(&client, "bad", "false").await;
    let long = submit(&client, "long", "sleep 600").await;
    client.jobs().cancel([long.clone()]).send().await.unwrap();

    let before = sandbox.request_count(LIST);
    let slept = sleeps.count();
    let interval = PollInterval::fixed(Duration::from_millis(20));
    let mut updates = client
        .jobs()
        .watch([&ok, &bad, &long])
        .interval(interval)
        .stream();
    let mut last = std::collections::HashMap::new();
    while let Some(update) = updates.try_next().await.unwrap() {
        if let Some(previous) = last.get(&update.id) {
            let previous: &JobStatus = previous;
            assert!(
                previous.may_become(&update.status),
                "{previous} -> {}",
                update.status
            );
        }
        last.insert(update.id, update.status);
    }
    assert_eq!(last[&ok], JobStatus::Completed);
    assert_eq!(last[&bad], JobStatus::Failed);
    assert_eq!(last[&long], JobStatus::Cancelled);
    // Exactly one listing per poll (polls = waits + 1), and no job asked about alone:
    // all three stayed in the realtime list.
    let polls = sleeps.count() - slept + 1;
    assert_eq!(sandbox.request_count(LIST) - before, polls);
    assert_eq!(sandbox.request_count(&format!("{LIST}/{ok}")), 0);
    assert_eq!(sandbox.history_scans(), 0);
}

#[tokio::test]
async fn a_job_that_left_the_realtime_list_is_found_in_history() {
    let sandbox = Sandbox::builder()
        .speed(1000.0)
        .scnet_realtime_retention(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let client = scnet(&sandbox);
    let id = submit(&client, "brief", "echo bye").await;
    // 30 s of scaled retention is 30 ms: wait until the listing forgets the job.
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let listed: Vec<_> = client
            .jobs()
            .list()
            .name("brief")
            .items()
            .try_collect()
            .await
            .unwrap();
        if listed.is_empty() {
            break;
        }
    }
    let ended = client
        .jobs()
        .watch([&id])
        .interval(PollInterval::fixed(Duration::from_millis(10)))
        .wait()
        .await
        .unwrap();
    assert_eq!(ended[&id], JobStatus::Completed);
}
