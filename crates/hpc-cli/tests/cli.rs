//! The `hpc` binary against the in-process sandbox: every command and output format,
//! paging, a retried 503, a permanent error, usage errors, secrets kept out.

mod common;

use std::process::{Command, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;

use common::Env;
use hpc_sandbox::Fault;

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_in_every_format() {
    let env = Env::start(30).await;
    let commands: [&[&str]; 5] = [
        &["ehpc", "jobs", "list", "--limit", "7"],
        &["scnet", "jobs", "state"],
        &[
            "scnet",
            "jobs",
            "members",
            "--cluster-id",
            "11112",
            "--group-id",
            "533686286955839488",
            "--user",
            "acsandbox",
        ],
        &["scnet", "walltime"],
        &["scnet", "regions"],
    ];
    for args in commands {
        for format in ["table", "json", "jsonl"] {
            let mut full = vec!["--output", format];
            full.extend_from_slice(args);
            let output = env.run(&full).await;
            env.assert_no_secret(&output);
            let text = stdout(&output);
            match format {
                "json" => {
                    let parsed: serde_json::Value = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"));
                    assert!(!parsed.as_array().unwrap().is_empty(), "{args:?}");
                }
                "jsonl" => {
                    for line in text.lines() {
                        serde_json::from_str::<serde_json::Value>(line)
                            .unwrap_or_else(|e| panic!("{args:?}: {e}: {line}"));
                    }
                    assert!(text.lines().count() >= 1);
                }
                _ => assert!(text.lines().count() >= 2, "a header and rows: {text}"),
            }
        }
    }
    let list = stdout(
        &env.run(&["--output", "json", "ehpc", "jobs", "list", "--limit", "7"])
            .await,
    );
    let jobs: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    assert_eq!(jobs.len(), 7);
    assert!(
        jobs[0].get("hpcjob_uuid").is_some() && jobs[0].get("submitted_time").is_some(),
        "the API's field names"
    );
    let regions = stdout(&env.run(&["scnet", "regions"]).await);
    assert!(
        regions.contains("11250") && regions.contains("no"),
        "{regions}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_follows_every_page_of_250_jobs() {
    let env = Env::start(250).await;
    for format in ["json", "jsonl"] {
        let text = stdout(
            &env.run(&["--output", format, "ehpc", "jobs", "list", "--all"])
                .await,
        );
        let jobs: Vec<serde_json::Value> = match format {
            "json" => serde_json::from_str(&text).unwrap(),
            _ => text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
        };
        let mut ids: Vec<i64> = jobs.iter().map(|j| j["job_id"].as_i64().unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 250, "{format}");
    }
    let table = stdout(
        &env.run(&["ehpc", "jobs", "list", "--all", "--status", "running"])
            .await,
    );
    assert!(
        table.lines().skip(1).all(|l| l.contains("running")),
        "the filter holds on every page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_503_is_retried() {
    let env = Env::start(20).await;
    env.sandbox.inject(Fault::status("/api/job/list", 503));
    let text = stdout(
        &env.run(&["--output", "jsonl", "ehpc", "jobs", "list", "--limit", "5"])
            .await,
    );
    assert_eq!(text.lines().count(), 5);
    assert_eq!(env.sandbox.faults_served(), 1);
    assert_eq!(env.sandbox.request_count("/api/job/list"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_error_exits_1_with_one_line_and_a_hint() {
    let env = Env::start(5).await;
    let mut command = env.command(&["ehpc", "jobs", "list"]);
    command.env("QY_SECRET_ACCESS_KEY", "not-the-secret");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: EHPC error 1200"), "{stderr}");
    assert!(
        stderr.contains("hint: the key pair was refused"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-the-secret"));
    assert_eq!(
        env.sandbox.request_count("/api/job/list"),
        1,
        "1200 is not retried"
    );

    let output = env
        .run(&["ehpc", "jobs", "list", "--cluster-id", "ehpc-nope"])
        .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("EHPC error 2100"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_and_usage_errors() {
    let env = Env::start(5).await;
    let mut command = env.command(&["scnet", "walltime"]);
    command.env_remove("SCNET_ACCESS_KEY");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no SCNet credentials"));
    for args in [
        &["ehpc", "jobs", "list", "--limit", "0"][..],
        &["ehpc", "jobs", "list", "--output", "xml"],
        &["scnet", "jobs", "members"],
        &["nope"],
    ] {
        let output = env.run(args).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    let mut command = env.command(&["ehpc", "jobs", "list"]);
    command.env_remove("EHPC_CLUSTER_ID");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--cluster-id is required"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_flag_needs_no_environment_and_verbose_logs_no_secret() {
    let env = Env::start(1).await;
    let mut command = Command::cargo_bin("hpc").unwrap();
    command.env_clear().env("HOME", env.home.path()).args([
        "--sandbox",
        "-vvv",
        "ehpc",
        "jobs",
        "list",
        "--limit",
        "3",
    ]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 4, "{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("hpc.operation"), "tracing on stderr");
    assert!(!stderr.contains(hpc_sandbox::credentials::EHPC_SECRET_ACCESS_KEY));
    assert!(
        !stderr.contains("signature=") || !stderr.contains("%253D"),
        "no signed URL in the logs"
    );

    let mut command = Command::cargo_bin("hpc").unwrap();
    command.env_clear().env("HOME", env.home.path()).args([
        "--sandbox",
        "--output",
        "json",
        "scnet",
        "walltime",
    ]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(stdout(&output).contains("walltime"));
}

#[test]
fn hpc_sandbox_prints_its_environment_and_serves_until_killed() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::cargo_bin("hpc")
        .unwrap()
        .args(["sandbox", "--jobs", "5", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let names: Vec<String> = (0..10)
        .map(|_| {
            lines
                .next()
                .unwrap()
                .unwrap()
                .split('=')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        names,
        [
            "EHPC_ENDPOINT",
            "EHPC_ZONE",
            "EHPC_CLUSTER_ID",
            "QY_ACCESS_KEY_ID",
            "QY_SECRET_ACCESS_KEY",
            "SCNET_API_URL",
            "SCNET_PORTAL_URL",
            "SCNET_USER",
            "SCNET_ACCESS_KEY",
            "SCNET_SECRET_KEY"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_deadline_covers_the_login_discovery_and_the_call() {
    let env = Env::start(5).await;
    // Each step alone fits in 4 s; the login and `center` together do not.
    for path in ["/api/user/v3/tokens", "/ac/openapi/v2/center"] {
        env.sandbox.inject(Fault {
            path: path.into(),
            times: 1,
            kind: hpc_sandbox::FaultKind::Delay { millis: 3_000 },
        });
    }
    let started = std::time::Instant::now();
    let output = env.run(&["--deadline", "4", "scnet", "walltime"]).await;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("timed out after 4s (operation)"),
        "{stderr}"
    );
    // The contract: the command is over within 5 s, not 4 s per step.
    assert!(elapsed < std::time::Duration::from_secs(5), "{elapsed:?}");
    env.assert_no_secret(&output);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_that_is_not_a_positive_number_is_a_usage_error() {
    let env = Env::start(1).await;
    for bad in ["0", "-1", "soon", "inf"] {
        let output = env.run(&["--deadline", bad, "scnet", "walltime"]).await;
        assert_eq!(output.status.code(), Some(2), "--deadline {bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clusters_and_schedulers_in_every_format() {
    let env = Env::start(5).await;
    let table = stdout(&env.run(&["ehpc", "clusters", "list"]).await);
    let mut lines = table.lines();
    assert!(lines.next().unwrap().starts_with("CLUSTER_ID"), "{table}");
    assert_eq!(lines.count(), 3, "{table}");
    let json = stdout(
        &env.run(&["--output", "json", "ehpc", "clusters", "list"])
            .await,
    );
    let clusters: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(clusters.len(), 3);
    let jsonl = stdout(
        &env.run(&[
            "--output", "jsonl", "ehpc", "clusters", "list", "--type", "ehpc", "--limit", "1",
            "--all",
        ])
        .await,
    );
    assert_eq!(jsonl.lines().count(), 2, "{jsonl}");

    let table = stdout(&env.run(&["scnet", "schedulers"]).await);
    assert!(table.starts_with("ID"), "{table}");
    assert!(table.contains("SLURM"), "{table}");
    let json = stdout(&env.run(&["--output", "json", "scnet", "schedulers"]).await);
    let schedulers: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(schedulers[0]["text"], "Cluster");
    let jsonl = stdout(&env.run(&["--output", "jsonl", "scnet", "schedulers"]).await);
    assert_eq!(jsonl.lines().count(), 1);
    let output = env.run(&["scnet", "schedulers"]).await;
    env.assert_no_secret(&output);
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_hpc()"),
        ("zsh", "#compdef hpc"),
        ("fish", "complete -c hpc"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = Command::cargo_bin("hpc")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}: {output:?}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains(marker), "{shell}");
        assert!(
            script.contains("submit"),
            "{shell}: the subcommands are completed"
        );
    }
    let output = Command::cargo_bin("hpc")
        .unwrap()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
