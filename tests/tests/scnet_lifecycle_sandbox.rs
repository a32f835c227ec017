//! The whole SCNet job life through the facade, against the sandbox's simulated
//! scheduler: submit → realtime list → detail → output → history, cancel, failures,
//! "maybe submitted" with exactly one submit request, several schedulers, paged
//! output, and jobs leaving the realtime list after the retention time.

use std::time::Duration;

use futures::TryStreamExt;
use hpc_sandbox::{Fault, Sandbox, SandboxBuilder};
use hpc_sdk::scnet::{Client, JobRecord};
use hpc_sdk::{Error, JobStatus};

const SUBMIT: &str = "/hpc/openapi/v2/apptemplates/BASIC/BASE/job";
const CONTENT: &str = "/hpc/openapi/v2/file/content";

fn scnet(sandbox: &Sandbox) -> Client {
    hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))
        .unwrap()
        .build()
        .unwrap()
}

/// A sandbox whose jobs run a thousand times faster than real time and stay in the
/// realtime list for an hour of scaled time (3.6 s).
fn fast() -> SandboxBuilder {
    Sandbox::builder()
        .speed(1000.0)
        .scnet_realtime_retention(Duration::from_secs(3600))
}

/// Polls the job until its status is final (bounded: the test's jobs are fast).
async fn final_record(client: &Client, id: &str) -> JobRecord {
    for _ in 0..400 {
        if let Some(record) = client.jobs().get(id).send().await.unwrap()
            && record.status().is_final()
        {
            return record;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {id} never ended");
}

#[tokio::test]
async fn submit_list_detail_output_history() {
    let sandbox = fast().start().await.unwrap();
    let client = scnet(&sandbox);
    let job = client
        .jobs()
        .submit()
        .name("hello")
        .command("echo hello")
        .queue("comp")
        .walltime(Duration::from_secs(600))
        .send()
        .await
        .unwrap();
    assert_eq!(sandbox.request_count(SUBMIT), 1);
    assert!(
        job.stdout.ends_with(&format!("std.out.{}", job.id)),
        "{job:?}"
    );
    assert!(job.stdout.starts_with("/public/home/acsandbox"), "{job:?}");

    let record = final_record(&client, &job.id).await;
    assert!(matches!(record, JobRecord::Live(_)), "{record:?}");
    assert_eq!(record.status(), JobStatus::Completed);
    assert_eq!(
        record.output_path(false).as_deref(),
        Some(job.stdout.as_str())
    );

    let listed: Vec<_> = client
        .jobs()
        .list()
        .name("hello")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        hpc_sdk::scnet::realtime_status(&listed[0]),
        JobStatus::Completed
    );
    let job_view = hpc_sdk::Job::from(listed[0].clone());
    assert_eq!(job_view.id, job.id);

    let before = sandbox.request_count(CONTENT);
    let text = client.jobs().output(&job.id).text().await.unwrap();
    assert_eq!(text, "hello\n");
    assert_eq!(sandbox.request_count(CONTENT) - before, 1);

    let history: Vec<_> = client
        .history()
        .list()
        .name("hello")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].job_state.as_deref(), Some("statC"));
    let detail = client.history().get(&job.id).send().await.unwrap().unwrap();
    assert_eq!(detail.job_name.as_deref(), Some("hello"));
    // Never the slow full scan: the accounting time was found first and sent.
    assert_eq!(sandbox.history_scans(), 0);
    // One scheduler lookup for the whole session.
    assert_eq!(sandbox.request_count("/hpc/openapi/v2/cluster"), 1);
    assert_eq!(sandbox.request_count(SUBMIT), 1);
}

#[tokio::test]
async fn failed_and_cancelled_jobs_and_a_second_cancel() {
    let sandbox = fast().start().await.unwrap();
    let client = scnet(&sandbox);
    let submit = |name: &str, cmd: &str| {
        client
            .jobs()
            .submit()
            .name(name)
            .command(cmd)
            .queue("comp")
            .send()
    };
    let failing = submit("boom", "echo start; exit 3").await.unwrap();
    let failed = final_record(&client, &failing.id).await;
    assert_eq!(failed.status(), JobStatus::Failed);
    let stderr = client
        .jobs()
        .output(&failing.id)
        .stderr(true)
        .text()
        .await
        .unwrap();
    assert!(stderr.contains('3'), "{stderr:?}");

    let long = submit("long", "sleep 100000").await.unwrap();
    let before = sandbox.request_count("/hpc/openapi/v2/jobs");
    let outcome = client.jobs().cancel([&long.id]).send().await.unwrap();
    assert!(outcome.unchanged.is_empty(), "{outcome:?}");
    assert!(!outcome.messages.is_empty(), "{outcome:?}");
    // The cancel alone: one DELETE, no lookups.
    assert_eq!(sandbox.request_count("/hpc/openapi/v2/jobs") - before, 1);
    let cancelled = final_record(&client, &long.id).await;
    assert_eq!(cancelled.status(), JobStatus::Cancelled);

    // Cancelling it again, and the failed job: both ended, which is not an error.
    let again = client
        .jobs()
        .cancel([&long.id, &failing.id])
        .send()
        .await
        .unwrap();
    assert_eq!(again.unchanged, [long.id.clone(), failing.id.clone()]);

    let states: Vec<_> = client.history().list().items().try_collect().await.unwrap();
    let state_of = |id: &str| {
        let row = states
            .iter()
            .find(|r| r.job_id.as_ref().and_then(|v| v.as_str()) == Some(id));
        row.and_then(|r| r.job_state.clone())
    };
    assert_eq!(state_of(&failing.id).as_deref(), Some("statD"));
    assert_eq!(state_of(&long.id).as_deref(), Some("statDE"));
}

#[tokio::test]
async fn an_unknown_outcome_is_maybe_submitted_and_found_by_name() {
    let sandbox = fast().start().await.unwrap();
    let client = scnet(&sandbox);
    for (fault, name) in [
        (
            Fault::scnet_code_after_handling(SUBMIT, "815005"),
            "doubt-815005",
        ),
        (Fault::drop_after_handling(SUBMIT), "doubt-dropped"),
    ] {
        let before = sandbox.request_count(SUBMIT);
        sandbox.inject(fault);
        let error = client
            .jobs()
            .submit()
            .name(name)
            .command("sleep 5")
            .queue("comp")
            .send()
            .await
            .unwrap_err();
        assert!(matches!(error, Error::MaybeSubmitted { .. }), "{error:?}");
        // Never repeated on its own.
        assert_eq!(sandbox.request_count(SUBMIT) - before, 1);
        let found = client.jobs().find_submitted(&error).await.unwrap().unwrap();
        assert_eq!(found.name.as_deref(), Some(name));
    }
}

#[tokio::test]
async fn refused_before_sending_and_several_schedulers() {
    let sandbox = fast().scnet_schedulers(2).start().await.unwrap();
    let client = scnet(&sandbox);
    let base = || {
        client
            .jobs()
            .submit()
            .name("n")
            .command("true")
            .queue("comp")
    };
    let both = base()
        .processes(4)
        .processes_per_node(2)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(both, Error::InvalidInput { .. }), "{both:?}");

    let choose = base().send().await.unwrap_err();
    let message = choose.to_string();
    assert!(message.contains("2 schedulers"), "{message}");
    let schedulers = client.schedulers().list().send().await.unwrap();
    let ids: Vec<String> = schedulers.iter().map(|s| s.id.clone().unwrap().0).collect();
    for id in &ids {
        assert!(message.contains(id.as_str()), "{message} lacks {id}");
    }
    assert_eq!(sandbox.request_count(SUBMIT), 0);

    let job = base().scheduler_id(&ids[1]).send().await.unwrap();
    assert_eq!(job.scheduler_id, ids[1]);
    assert_eq!(sandbox.request_count(SUBMIT), 1);
}

#[tokio::test]
async fn long_output_streams_page_by_page() {
    let sandbox = fast().scnet_file_page_lines(1000).start().await.unwrap();
    let client = scnet(&sandbox);
    let job = client
        .jobs()
        .submit()
        .name("seq")
        .command("seq 2500")
        .queue("comp")
        .send();
    let job = job.await.unwrap();
    final_record(&client, &job.id).await;
    let before = sandbox.request_count(CONTENT);
    let chunks: Vec<String> = client
        .jobs()
        .output(&job.id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chunks.len(), 3);
    assert_eq!(sandbox.request_count(CONTENT) - before, 3);
    let expected: String = (1..=2500).map(|n| format!("{n}\n")).collect();
    assert_eq!(chunks.concat(), expected);
}

#[tokio::test]
async fn a_job_leaves_the_realtime_list_and_is_found_in_history() {
    let sandbox = Sandbox::builder()
        .speed(1000.0)
        .scnet_realtime_retention(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let client = scnet(&sandbox);
    let job = client
        .jobs()
        .submit()
        .name("brief")
        .command("echo bye")
        .queue("debug")
        .send();
    let job = job.await.unwrap();
    // 30 s of scaled retention is 30 ms: wait well past it.
    let mut record = None;
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
            record = client.jobs().get(&job.id).send().await.unwrap();
            break;
        }
    }
    let record = record.expect("the job stayed in the realtime list");
    assert!(matches!(record, JobRecord::Finished(_)), "{record:?}");
    assert_eq!(record.status(), JobStatus::Completed);
    assert_eq!(client.jobs().output(&job.id).text().await.unwrap(), "bye\n");
    assert_eq!(sandbox.history_scans(), 0);

    let now = chrono::Utc::now();
    let window = |since, until| {
        client
            .history()
            .list()
            .name("brief")
            .since(since)
            .until(until)
    };
    let hour = chrono::TimeDelta::hours(1);
    let inside = window(now - hour, now + hour).send().await.unwrap();
    assert_eq!(inside.items.len(), 1);
    let before = window(now - hour * 48, now - hour * 24)
        .send()
        .await
        .unwrap();
    assert!(before.items.is_empty(), "{before:?}");
    let backwards = window(now, now - hour).send().await.unwrap_err();
    assert!(matches!(backwards, Error::InvalidInput { .. }));
}

#[tokio::test]
async fn queues_and_their_limits() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = scnet(&sandbox);
    let queues = client.queues().list().send().await.unwrap();
    let names: Vec<_> = queues.iter().filter_map(|q| q.id.clone()).collect();
    assert_eq!(names, ["comp", "debug"]);
    let limits = client.queues().limits().send().await.unwrap();
    assert_eq!(limits.len(), 2);
}
