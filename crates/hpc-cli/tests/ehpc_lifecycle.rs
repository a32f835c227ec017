//! `hpc ehpc jobs submit | show | stop | delete` against the in-process sandbox, in
//! every output format, and "maybe submitted" as one line and exit 1.

mod common;

use std::time::Duration;

use common::Env;
use hpc_sandbox::{Fault, Sandbox};

const SUBMIT: [&str; 9] = [
    "ehpc",
    "jobs",
    "submit",
    "--name",
    "demo",
    "--cmd",
    "sleep 600",
    "--run-user",
    "usr-vceaHsJu",
];

fn json<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--output", "json"][..], args].concat()
}

fn stdout(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

async fn env() -> Env {
    Env::with(
        Sandbox::builder()
            .jobs(3)
            .pending_time(Duration::from_secs(600)),
    )
    .await
}

#[tokio::test]
async fn submit_show_stop_delete_in_every_format() {
    let env = env().await;
    let submitted: serde_json::Value = serde_json::from_str(&stdout(
        &env.run(&json(&[&SUBMIT[..], &["--cores", "4"]].concat()))
            .await,
    ))
    .unwrap();
    let uuid = submitted[0]["hpcjob_uuid"].as_str().unwrap().to_string();
    assert_eq!(submitted[0]["job_status"], "queued");
    assert!(submitted[0]["job_id"].is_i64(), "{submitted}");

    let table = stdout(&env.run(&["ehpc", "jobs", "show", &uuid]).await);
    assert!(table.starts_with("UUID"), "{table}");
    assert!(
        table.contains(&uuid) && table.contains("pending") && table.contains("demo"),
        "{table}"
    );
    let line = stdout(
        &env.run(&["--output", "jsonl", "ehpc", "jobs", "show", &uuid])
            .await,
    );
    let detail: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(detail["cmd_line"], "sleep 600");

    let stopped = stdout(&env.run(&json(&["ehpc", "jobs", "stop", &uuid])).await);
    let stopped: serde_json::Value = serde_json::from_str(&stopped).unwrap();
    assert_eq!(stopped[0]["outcome"], "stopping");
    assert!(stopped[0]["task_id"].as_str().unwrap().starts_with("j-"));
    let again = stdout(&env.run(&["ehpc", "jobs", "stop", &uuid]).await);
    assert!(again.contains("already ended"), "{again}");

    let deleted = stdout(
        &env.run(&["--output", "jsonl", "ehpc", "jobs", "delete", &uuid])
            .await,
    );
    assert!(deleted.contains(r#""outcome":"deleted""#), "{deleted}");
    let gone = env.run(&["ehpc", "jobs", "show", &uuid]).await;
    assert_eq!(gone.status.code(), Some(1));
    assert_eq!(env.sandbox.request_count("/api/job/submitJob"), 1);
    env.assert_no_secret(&gone);
}

#[tokio::test]
async fn a_doubtful_submit_is_one_line_exit_1_and_one_request() {
    let env = env().await;
    env.sandbox
        .inject(Fault::status_after_handling("/api/job/submitJob", 503));
    let output = env.run(&SUBMIT).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: the job may have been submitted (name `demo`"),
        "{stderr}"
    );
    assert!(stderr.contains("--search NAME"), "{stderr}");
    assert_eq!(env.sandbox.request_count("/api/job/submitJob"), 1);
}

#[tokio::test]
async fn submit_flags_are_checked_before_anything_is_sent() {
    let env = env().await;
    for bad in [
        &[&SUBMIT[..], &["--cores", "0"]].concat()[..],
        &[
            "ehpc",
            "jobs",
            "submit",
            "--name",
            " ",
            "--cmd",
            "true",
            "--run-user",
            "u",
        ],
        &["ehpc", "jobs", "stop"],
        &["sandbox", "--speed", "1e18"],
    ] {
        let output = env.run(bad).await;
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {output:?}");
    }
    assert_eq!(env.sandbox.request_count("/api/job/"), 0);
}

#[tokio::test]
async fn queues_and_users_in_every_format_and_the_default_run_user() {
    let env = env().await;
    let table = stdout(&env.run(&["ehpc", "queues", "list"]).await);
    assert!(
        table.starts_with("ID") && table.contains("hpcq-df3u98dr"),
        "{table}"
    );
    let users: serde_json::Value = serde_json::from_str(&stdout(
        &env.run(&json(&["ehpc", "users", "list", "--all", "--limit", "2"]))
            .await,
    ))
    .unwrap();
    assert_eq!(users.as_array().unwrap().len(), 5);
    let first = users[0]["username"].as_str().unwrap().to_string();
    let lines = stdout(
        &env.run(&[
            "--output", "jsonl", "ehpc", "users", "list", "--search", &first,
        ])
        .await,
    );
    assert_eq!(lines.lines().count(), 1, "{lines}");
    // Without --run-user, the cluster's first user runs the job.
    let submitted: serde_json::Value = serde_json::from_str(&stdout(
        &env.run(&json(&[
            "ehpc", "jobs", "submit", "--name", "n", "--cmd", "true",
        ]))
        .await,
    ))
    .unwrap();
    let uuid = submitted[0]["hpcjob_uuid"].as_str().unwrap();
    let detail = stdout(
        &env.run(&["--output", "jsonl", "ehpc", "jobs", "show", uuid])
            .await,
    );
    let detail: serde_json::Value = serde_json::from_str(detail.trim()).unwrap();
    assert_eq!(detail["run_user"], first.as_str());
}
