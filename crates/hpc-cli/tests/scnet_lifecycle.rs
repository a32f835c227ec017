//! `hpc scnet queues` and `hpc scnet jobs submit | list | show | cancel | history | logs`
//! against the in-process sandbox, in every output format; "maybe submitted" as one
//! line and exit 1.

mod common;

use std::time::Duration;

use common::Env;
use hpc_sandbox::{Fault, Sandbox};

const SUBMIT_PATH: &str = "/hpc/openapi/v2/apptemplates/BASIC/BASE/job";

fn stdout(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn env() -> Env {
    Env::with(
        Sandbox::builder()
            .speed(1000.0)
            .scnet_realtime_retention(Duration::from_secs(3600)),
    )
    .await
}

/// Submits through the CLI; the job id.
async fn submit(env: &Env, name: &str, cmd: &str) -> String {
    let args = [
        "--output", "json", "scnet", "jobs", "submit", "--name", name, "--cmd", cmd,
    ];
    let out = stdout(
        &env.run(&[&args[..], &["--queue", "comp", "--walltime", "00:10:00"]].concat())
            .await,
    );
    let submitted = json(&out);
    submitted[0]["id"].as_str().unwrap().to_string()
}

/// Waits until `show` reports a final status; the JSON record.
async fn ended(env: &Env, id: &str) -> serde_json::Value {
    for _ in 0..200 {
        let shown = json(&stdout(
            &env.run(&["--output", "json", "scnet", "jobs", "show", id])
                .await,
        ));
        let status = shown[0]["status"].as_str().unwrap().to_string();
        if ["completed", "failed", "cancelled"].contains(&status.as_str()) {
            return shown[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {id} never ended");
}

#[tokio::test]
async fn submit_list_show_logs_history_in_every_format() {
    let env = env().await;
    let id = submit(&env, "greet", "echo hello").await;
    assert_eq!(env.sandbox.request_count(SUBMIT_PATH), 1);
    let shown = ended(&env, &id).await;
    assert_eq!(shown["status"], "completed");
    assert_eq!(shown["found_in"], "realtime");
    assert_eq!(shown["record"]["jobName"], "greet");

    let table = stdout(&env.run(&["scnet", "jobs", "list", "--name", "greet"]).await);
    assert!(table.starts_with("JOB_ID"), "{table}");
    assert!(
        table.contains(&id) && table.contains("completed"),
        "{table}"
    );
    let lines = stdout(
        &env.run(&["--output", "jsonl", "scnet", "jobs", "list", "--all"])
            .await,
    );
    let rows: Vec<serde_json::Value> = lines.lines().map(json).collect();
    assert!(rows.iter().any(|r| r["jobId"] == id.as_str()), "{lines}");

    let logs = env.run(&["scnet", "jobs", "logs", &id]).await;
    assert_eq!(stdout(&logs), "hello\n");

    let history = stdout(
        &env.run(&[
            "--output",
            "json",
            "scnet",
            "jobs",
            "history",
            "--status",
            "completed",
        ])
        .await,
    );
    let history = json(&history);
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["jobId"] == id.as_str()),
        "{history}"
    );
    let table = stdout(
        &env.run(&[
            "scnet",
            "jobs",
            "history",
            "--since",
            "2000-01-01",
            "--name",
            "greet",
        ])
        .await,
    );
    assert!(table.contains(&id), "{table}");
    let nothing = stdout(
        &env.run(&[
            "--output",
            "json",
            "scnet",
            "jobs",
            "history",
            "--until",
            "2000-01-02",
        ])
        .await,
    );
    assert_eq!(json(&nothing), serde_json::json!([]));
    env.assert_no_secret(&logs);
}

#[tokio::test]
async fn cancel_twice_and_queues() {
    let env = env().await;
    let id = submit(&env, "long", "sleep 100000").await;
    let first = json(&stdout(
        &env.run(&["--output", "json", "scnet", "jobs", "cancel", &id])
            .await,
    ));
    assert_eq!(first[0]["outcome"], "cancelling");
    assert_eq!(ended(&env, &id).await["status"], "cancelled");
    let again = stdout(&env.run(&["scnet", "jobs", "cancel", &id]).await);
    assert!(again.contains("already ended"), "{again}");

    let queues = stdout(&env.run(&["scnet", "queues"]).await);
    assert!(
        queues.starts_with("QUEUE") && queues.contains("comp") && queues.contains("debug"),
        "{queues}"
    );
    let queues = json(&stdout(
        &env.run(&["--output", "json", "scnet", "queues"]).await,
    ));
    assert_eq!(queues.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn usage_errors_and_unknown_jobs() {
    let env = env().await;
    let both = env
        .run(&[
            "scnet", "jobs", "submit", "--name", "n", "--cmd", "true", "--queue", "comp",
            "--procs", "2", "--ppn", "2",
        ])
        .await;
    assert_eq!(both.status.code(), Some(2), "{both:?}");
    let walltime = env
        .run(&[
            "scnet",
            "jobs",
            "submit",
            "--name",
            "n",
            "--cmd",
            "true",
            "--queue",
            "comp",
            "--walltime",
            "1h",
        ])
        .await;
    assert_eq!(walltime.status.code(), Some(2), "{walltime:?}");
    assert_eq!(env.sandbox.request_count(SUBMIT_PATH), 0);

    let unknown = env.run(&["scnet", "jobs", "show", "999999999"]).await;
    assert_eq!(unknown.status.code(), Some(1), "{unknown:?}");
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("no job 999999999"), "{stderr}");
}

#[tokio::test]
async fn maybe_submitted_is_one_line_and_exit_1() {
    let env = env().await;
    env.sandbox
        .inject(Fault::scnet_code_after_handling(SUBMIT_PATH, "815005"));
    let output = env
        .run(&[
            "scnet", "jobs", "submit", "--name", "doubt", "--cmd", "sleep 5", "--queue", "comp",
        ])
        .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("hpc scnet jobs list --name 'doubt'"),
        "{stderr}"
    );
    assert_eq!(env.sandbox.request_count(SUBMIT_PATH), 1);
}
