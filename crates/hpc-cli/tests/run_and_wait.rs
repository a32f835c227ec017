//! `hpc run`, `hpc scnet jobs wait`, `hpc ehpc jobs wait` and `submit --wait` against the
//! in-process sandbox: the exit codes 0 completed, 3 failed or cancelled, 4 timed out,
//! 2 a usage error; the job's stdout printed at the end of a run.

mod common;

use std::time::Duration;

use common::Env;
use hpc_sandbox::Sandbox;

async fn env() -> Env {
    Env::with(
        Sandbox::builder()
            .speed(1000.0)
            .scnet_realtime_retention(Duration::from_secs(3600)),
    )
    .await
}

const FAST: [&str; 2] = ["--interval", "0.02"];

fn code(output: &std::process::Output) -> Option<i32> {
    output.status.code()
}

#[tokio::test]
async fn run_exits_with_the_jobs_outcome() {
    let env = env().await;
    let ok = env
        .run(
            &[
                &["run", "--on", "scnet"][..],
                &FAST,
                &["--", "echo", "hello"],
            ]
            .concat(),
        )
        .await;
    assert_eq!(code(&ok), Some(0), "{ok:?}");
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "hello\n");
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert!(
        stderr.contains("completed"),
        "one line per change on a pipe: {stderr}"
    );

    let failed = env
        .run(&[&["run", "--on", "scnet"][..], &FAST, &["--", "false"]].concat())
        .await;
    assert_eq!(code(&failed), Some(3), "{failed:?}");

    let long = ["--timeout", "0.5", "--", "sleep", "100000"];
    let timed_out = env
        .run(&[&["run", "--on", "scnet"][..], &FAST, &long].concat())
        .await;
    assert_eq!(code(&timed_out), Some(4), "{timed_out:?}");
    assert!(String::from_utf8_lossy(&timed_out.stderr).contains("still run"));

    let ehpc = env
        .run(&[&["run", "--on", "ehpc"][..], &FAST, &["--", "echo", "hi"]].concat())
        .await;
    assert_eq!(code(&ehpc), Some(0), "{ehpc:?}");
    let usage = env.run(&["run", "--on", "nowhere", "--", "true"]).await;
    assert_eq!(code(&usage), Some(2));
    let no_command = env.run(&["run", "--on", "scnet"]).await;
    assert_eq!(code(&no_command), Some(2));
}

#[tokio::test]
async fn a_run_whose_job_is_cancelled_exits_3() {
    let env = env().await;
    let mut command = env.command(
        &[
            &["run", "--on", "scnet"][..],
            &FAST,
            &["--", "sleep", "100000"],
        ]
        .concat(),
    );
    let child = tokio::task::spawn_blocking(move || command.output().unwrap());
    let client = hpc_sdk::scnet::ClientBuilder::from_lookup(|k| env.sandbox.env(k))
        .unwrap()
        .build()
        .unwrap();
    // The sandbox numbers SCNet jobs from 1470001.
    for _ in 0..500 {
        if client.jobs().get("1470001").send().await.unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client.jobs().cancel(["1470001"]).send().await.unwrap();
    let output = child.await.unwrap();
    assert_eq!(code(&output), Some(3), "{output:?}");
}

#[tokio::test]
async fn wait_and_submit_wait_use_the_same_exit_codes() {
    let env = env().await;
    let env = &env;
    let submit = |name: &'static str, cmd: &'static str| {
        let args = [
            "--output", "json", "scnet", "jobs", "submit", "--name", name, "--cmd", cmd, "--queue",
            "comp",
        ];
        async move { env.run(&args).await }
    };
    let ok = submit("ok", "echo fine").await;
    let ok: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    let ok = ok[0]["id"].as_str().unwrap().to_string();
    let bad = submit("bad", "false").await;
    let bad: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    let bad = bad[0]["id"].as_str().unwrap().to_string();

    let both = env
        .run(
            &[
                &["--output", "json", "scnet", "jobs", "wait", &ok, &bad][..],
                &FAST,
            ]
            .concat(),
        )
        .await;
    assert_eq!(code(&both), Some(3), "{both:?}");
    let finals: serde_json::Value = serde_json::from_slice(&both.stdout).unwrap();
    assert_eq!(finals[0]["status"], "completed");
    assert_eq!(finals[1]["status"], "failed");
    let one = env
        .run(&[&["scnet", "jobs", "wait", &ok][..], &FAST].concat())
        .await;
    assert_eq!(code(&one), Some(0), "{one:?}");

    let args = [
        "scnet",
        "jobs",
        "submit",
        "--name",
        "w",
        "--cmd",
        "sleep 100000",
        "--queue",
        "comp",
        "--wait",
        "--timeout",
        "0.3",
    ];
    let waited = env.run(&[&args[..], &FAST].concat()).await;
    assert_eq!(code(&waited), Some(4), "{waited:?}");

    let args = [
        "ehpc", "jobs", "submit", "--name", "e", "--cmd", "false", "--wait",
    ];
    let ehpc = env.run(&[&args[..], &FAST].concat()).await;
    assert_eq!(code(&ehpc), Some(3), "{ehpc:?}");
    let usage = env.run(&["scnet", "jobs", "wait"]).await;
    assert_eq!(code(&usage), Some(2));
}

/// Runs `hpc run ... -- sleep 100000`, sends Ctrl-C (SIGINT) once the first status
/// line shows the watch is under way, and returns the exit and stderr.
#[cfg(target_os = "linux")]
async fn interrupted_run(env: &Env, extra: &[&str]) -> (Option<i32>, String) {
    use std::io::{BufRead, BufReader, Read};
    let args = [
        &["run", "--on", "scnet"][..],
        &FAST,
        extra,
        &["--", "sleep", "100000"],
    ]
    .concat();
    let mut command = env.command(&args);
    command.stderr(std::process::Stdio::piped());
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "{seen}");
            seen.push_str(&line);
            if line.contains("queued") || line.contains("running") {
                break;
            }
        }
        let pid = i32::try_from(child.id()).unwrap();
        // SAFETY: a plain signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        stderr.read_to_string(&mut seen).unwrap();
        (child.wait().unwrap().code(), seen)
    })
    .await
    .unwrap()
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn ctrl_c_leaves_the_job_running_or_cancels_it_when_asked() {
    let env = env().await;
    let (code, stderr) = interrupted_run(&env, &[]).await;
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("still runs; cancel it with `hpc scnet jobs cancel 1470001`"),
        "{stderr}"
    );
    let client = hpc_sdk::scnet::ClientBuilder::from_lookup(|k| env.sandbox.env(k))
        .unwrap()
        .build()
        .unwrap();
    let status = |id: &'static str| {
        let client = client.clone();
        async move {
            client
                .jobs()
                .get(id)
                .send()
                .await
                .unwrap()
                .unwrap()
                .status()
        }
    };
    assert!(!status("1470001").await.is_final());

    let (code, stderr) = interrupted_run(&env, &["--cancel-on-interrupt"]).await;
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("job 1470002 cancelled"), "{stderr}");
    let mut cancelled = false;
    for _ in 0..200 {
        if status("1470002").await == hpc_sdk::JobStatus::Cancelled {
            cancelled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(cancelled);
}
