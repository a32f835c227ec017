//! The whole EHPC job life against the sandbox, whose scheduler is simulated and whose
//! POST signature check is its own: submit → detail → list → stop → delete, with exact
//! request counts; jobs that finish, fail and are stopped; "maybe submitted" for a
//! submit that created its job and then failed, with exactly one submit request.

mod common;

use std::time::Duration;

use futures::TryStreamExt;
use hpc_sandbox::{Fault, Sandbox};
use hpc_sdk::{Error, JobStatus};

const SUBMIT: &str = "/api/job/submitJob";

fn ehpc(sandbox: &Sandbox) -> hpc_sdk::ehpc::Client {
    hpc_sdk::ehpc::ClientBuilder::from_lookup(|k| sandbox.env(k), None)
        .unwrap()
        .build()
        .unwrap()
}

fn submit(client: &hpc_sdk::ehpc::Client, name: &str, cmd: &str) -> hpc_sdk::ehpc::SubmitJob {
    client
        .jobs()
        .submit()
        .name(name)
        .cmd_line(cmd)
        .run_user("usr-vceaHsJu")
        .cores(2)
        .stdout(format!("/public/shanhe/{name}.out"))
}

async fn status(client: &hpc_sdk::ehpc::Client, uuid: &str) -> String {
    let job = client.jobs().get(uuid).send().await.unwrap();
    job.job_status.unwrap()
}

/// Polls the detail until the job's status is final (bounded: the test's jobs are fast).
async fn final_status(client: &hpc_sdk::ehpc::Client, uuid: &str) -> String {
    for _ in 0..200 {
        let status = status(client, uuid).await;
        if JobStatus::from_ehpc(&status).is_final() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {uuid} never ended");
}

#[tokio::test]
async fn submit_detail_list_stop_delete() {
    let sandbox = Sandbox::builder()
        .jobs(20)
        .speed(1.0)
        .pending_time(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let client = ehpc(&sandbox);
    let job = submit(&client, "relax", "sleep 600").send().await.unwrap();
    assert_eq!(job.status, JobStatus::Queued);
    assert!(job.uuid.starts_with("hpcjob-"), "{job:?}");
    assert_eq!(sandbox.request_count(SUBMIT), 1);

    let detail = client.jobs().get(&job.uuid).send().await.unwrap();
    assert_eq!(detail.job_name.as_deref(), Some("relax"));
    assert_eq!(detail.cmd_line.as_deref(), Some("sleep 600"));
    assert_eq!(detail.job_status.as_deref(), Some("pending"));
    assert_eq!(
        detail.stdout_redirect_path.as_deref(),
        Some("/public/shanhe/relax.out")
    );
    assert_eq!(detail.job_id.map(i64::from), job.job_id);

    // Listed oldest first: the new job comes after the 20 seeded ones.
    let listed: Vec<_> = client.jobs().list().items().try_collect().await.unwrap();
    assert_eq!(listed.len(), 21);
    assert_eq!(
        listed.last().unwrap().hpcjob_uuid.as_deref(),
        Some(job.uuid.as_str())
    );
    let pending: Vec<_> = client
        .jobs()
        .list()
        .status("pending")
        .search_word("relax")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);

    let stopped = client.jobs().stop([&job.uuid]).send().await.unwrap();
    assert!(
        stopped
            .task_id
            .as_deref()
            .is_some_and(|t| t.starts_with("j-")),
        "{stopped:?}"
    );
    assert!(stopped.unchanged.is_empty());
    assert_eq!(status(&client, &job.uuid).await, "stopped");
    // Stopping it again: it has ended, which is not an error.
    let again = client.jobs().stop([&job.uuid]).send().await.unwrap();
    assert_eq!(again.unchanged, std::slice::from_ref(&job.uuid));
    assert_eq!(sandbox.request_count("/api/job/stopJobs"), 2);

    client.jobs().delete([&job.uuid]).send().await.unwrap();
    let gone = client.jobs().get(&job.uuid).send().await.unwrap_err();
    assert_eq!(
        gone.code(),
        Some(&hpc_sdk::ErrorCode::Ehpc(hpc_sdk::EhpcCode::NotFound))
    );
    let deleted_again = client.jobs().delete([&job.uuid]).send().await.unwrap();
    assert_eq!(deleted_again.unchanged, std::slice::from_ref(&job.uuid));
    assert_eq!(sandbox.request_count("/api/job/deleteJobs"), 2);
    assert_eq!(sandbox.request_count(SUBMIT), 1);
}

#[tokio::test]
async fn jobs_finish_or_fail_as_their_commands_say() {
    // 1,000 times faster: `sleep 5` runs for 5 ms after a 2 ms wait.
    let sandbox = Sandbox::builder()
        .jobs(1)
        .speed(1000.0)
        .start()
        .await
        .unwrap();
    let client = ehpc(&sandbox);
    let ok = submit(&client, "ok", "sleep 5").send().await.unwrap();
    let failed = submit(&client, "bad", "sleep 5; exit 3")
        .send()
        .await
        .unwrap();
    let false_job = submit(&client, "false", "false").send().await.unwrap();
    assert_eq!(final_status(&client, &ok.uuid).await, "finished");
    assert_eq!(final_status(&client, &failed.uuid).await, "exited");
    assert_eq!(final_status(&client, &false_job.uuid).await, "exited");
    assert_eq!(JobStatus::from_ehpc("exited"), JobStatus::Failed);
}

#[tokio::test]
async fn a_submit_that_created_its_job_then_failed_is_maybe_submitted_and_found() {
    let sandbox = Sandbox::builder().jobs(5).start().await.unwrap();
    let client = ehpc(&sandbox);
    for (case, fault) in [
        ("503", Fault::status_after_handling(SUBMIT, 503)),
        ("closed", Fault::drop_after_handling(SUBMIT)),
    ] {
        let before = sandbox.request_count(SUBMIT);
        sandbox.inject(fault);
        let name = format!("doubt-{case}");
        let err = submit(&client, &name, "sleep 60").send().await.unwrap_err();
        assert!(
            matches!(err, Error::MaybeSubmitted { .. }),
            "{case}: {err:?}"
        );
        assert_eq!(
            sandbox.request_count(SUBMIT) - before,
            1,
            "{case}: exactly one submit"
        );
        let found = client.jobs().find_submitted(&err).await.unwrap();
        let found = found.unwrap_or_else(|| panic!("{case}: the job exists"));
        assert_eq!(found.job_name.as_deref(), Some(name.as_str()));
    }
    // A submit refused before anything was created is not found, after three looks.
    let sleep = common::RecordingSleep::default();
    let client = hpc_sdk::ehpc::ClientBuilder::from_lookup(|k| sandbox.env(k), None)
        .unwrap()
        .sleep(std::sync::Arc::new(sleep.clone()))
        .build()
        .unwrap();
    let doubt = Error::MaybeSubmitted {
        name: "never-sent".into(),
        cluster: sandbox.env("EHPC_CLUSTER_ID").unwrap(),
        sent_at: chrono::Utc::now(),
        cause: Box::new(Error::Timeout {
            after: Duration::ZERO,
            scope: "attempt",
        }),
    };
    let before = sandbox.request_count("/api/job/list");
    assert!(
        client
            .jobs()
            .find_submitted(&doubt)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(sandbox.request_count("/api/job/list") - before, 3);
    assert_eq!(sleep.waits(), [Duration::from_secs(2); 2]);
}

#[tokio::test]
async fn a_batch_stop_with_an_ended_job_stops_the_others_and_a_wrong_cluster_is_no_success() {
    let sandbox = Sandbox::builder()
        .jobs(1)
        .pending_time(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let client = ehpc(&sandbox);
    let running = submit(&client, "long", "sleep 600").send().await.unwrap();
    let ended = submit(&client, "short", "true").send().await.unwrap();
    client.jobs().stop([&ended.uuid]).send().await.unwrap();
    let outcome = client
        .jobs()
        .stop([&running.uuid, &ended.uuid])
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.unchanged, std::slice::from_ref(&ended.uuid));
    assert!(
        outcome.task_id.is_some(),
        "the running job was stopped: {outcome:?}"
    );
    assert_eq!(status(&client, &running.uuid).await, "stopped");
    // Listed under the filter's name for it.
    let cancelled: Vec<_> = client
        .jobs()
        .list()
        .status("cancelled")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(cancelled.len(), 2);
    // 2100 from a cluster that does not exist is not "already gone".
    let err = client
        .jobs()
        .delete([&running.uuid])
        .cluster_id("ehpc-typo")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&hpc_sdk::ErrorCode::Ehpc(hpc_sdk::EhpcCode::NotFound))
    );
    assert!(
        client.jobs().get(&running.uuid).send().await.is_ok(),
        "the job is still there"
    );
}
