//! EHPC `jobs().watch(uuids)` / `.wait()` against the sandbox's simulated scheduler:
//! one `job/list` page per poll answers every watched job, and no job detail is asked.

mod common;

use std::time::Duration;

use hpc_sandbox::Sandbox;
use std::sync::Arc;

use hpc_sdk::{JobStatus, PollInterval};

#[tokio::test]
async fn one_listing_per_poll_answers_every_watched_job() {
    let sandbox = Sandbox::builder()
        .jobs(250)
        .speed(1000.0)
        .start()
        .await
        .unwrap();
    let sleeps = Arc::new(common::CountingSleep::default());
    let client = hpc_sdk::ehpc::ClientBuilder::from_lookup(|k| sandbox.env(k), None)
        .unwrap()
        .sleep(sleeps.clone())
        .build()
        .unwrap();
    let submit = |name: &'static str, cmd: &'static str| {
        client
            .jobs()
            .submit()
            .name(name)
            .cmd_line(cmd)
            .run_user("usr-vceaHsJu")
            .cores(2)
            .stdout(format!("/public/shanhe/{name}.out"))
            .send()
    };
    let ok = submit("ok", "echo fine").await.unwrap().uuid;
    let bad = submit("bad", "false").await.unwrap().uuid;
    let list_before = sandbox.request_count("/api/job/list");
    let detail_before = sandbox.request_count("/api/job/jobdetail");
    let slept = sleeps.count();
    let ended = client
        .jobs()
        .watch([&ok, &bad])
        .interval(PollInterval::fixed(Duration::from_millis(20)))
        .wait()
        .await
        .unwrap();
    assert_eq!(ended[&ok], JobStatus::Completed);
    assert_eq!(ended[&bad], JobStatus::Failed);
    // 252 jobs on the cluster, but the watched ones are the newest: one page a poll
    // (polls = waits + 1), and no job asked about alone.
    let polls = sleeps.count() - slept + 1;
    assert_eq!(sandbox.request_count("/api/job/list") - list_before, polls);
    assert_eq!(
        sandbox.request_count("/api/job/jobdetail") - detail_before,
        0
    );
}
