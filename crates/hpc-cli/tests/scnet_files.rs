//! `hpc scnet files ls | mkdir | put | get` against the in-process sandbox: formats,
//! exit codes, a put then get of a chunked file, a failed get that leaves no file under
//! the final name and goes on with `--resume`, and no progress bar on a pipe.

mod common;

use common::Env;
use hpc_sandbox::Fault;

const HOME: &str = "/public/home/acsandbox";

fn json(output: &std::process::Output) -> serde_json::Value {
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn pattern(size: usize) -> Vec<u8> {
    (0..size)
        .map(|i| (i % 251) as u8 ^ (i >> 12) as u8)
        .collect()
}

#[tokio::test]
async fn mkdir_then_ls_in_every_format() {
    let env = Env::start(0).await;
    let dir = format!("{HOME}/runs/1");
    let made = env
        .run(&["scnet", "files", "mkdir", &dir, "--parents"])
        .await;
    assert!(made.status.success(), "{made:?}");
    assert!(made.stdout.is_empty());
    // Existing: fine with --parents, exit 1 without.
    assert!(
        env.run(&["scnet", "files", "mkdir", &dir, "--parents"])
            .await
            .status
            .success()
    );
    let again = env.run(&["scnet", "files", "mkdir", &dir]).await;
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.starts_with("error: SCNet error 911021"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);

    let listed = json(
        &env.run(&[
            "--output",
            "json",
            "scnet",
            "files",
            "ls",
            &format!("{HOME}/runs"),
        ])
        .await,
    );
    assert_eq!(listed[0]["name"], "1");
    assert_eq!(listed[0]["is_dir"], true);
    let table = env
        .run(&["scnet", "files", "ls", &format!("{HOME}/runs"), "--all"])
        .await;
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("NAME") && text.contains("dir"), "{text}");
    let lines = env
        .run(&["--output", "jsonl", "scnet", "files", "ls"])
        .await;
    let text = String::from_utf8(lines.stdout).unwrap();
    assert!(text.lines().any(|l| l.contains("\"runs\"")), "{text}");
    let usage = env.run(&["scnet", "files", "put", "only-one"]).await;
    assert_eq!(usage.status.code(), Some(2));
}

#[tokio::test]
async fn put_then_get_round_trips_a_chunked_file() {
    let env = Env::start(0).await;
    let local = tempfile::tempdir().unwrap();
    let data = pattern(3 << 20);
    let big = local.path().join("big.bin");
    std::fs::write(&big, &data).unwrap();
    let small = local.path().join("small.txt");
    std::fs::write(&small, b"hello\n").unwrap();
    let (big_arg, small_arg) = (big.to_str().unwrap(), small.to_str().unwrap());

    let put = env
        .run(&[
            "--output",
            "json",
            "scnet",
            "files",
            "put",
            small_arg,
            big_arg,
            HOME,
            "--chunk-mib",
            "1",
        ])
        .await;
    let sent = json(&put);
    assert!(
        put.stderr.is_empty(),
        "no bar on a pipe: {:?}",
        String::from_utf8_lossy(&put.stderr)
    );
    assert_eq!(sent[0]["remote_path"], format!("{HOME}/small.txt"));
    assert_eq!(sent[0]["chunks"], 0);
    assert_eq!(sent[1]["size"], data.len() as u64);
    assert_eq!(
        env.sandbox.files().len(&format!("{HOME}/big.bin")).unwrap(),
        data.len() as u64
    );

    let kept = env.run(&["scnet", "files", "put", small_arg, HOME]).await;
    assert_eq!(kept.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&kept.stderr).contains("--overwrite"));
    assert!(
        env.run(&["scnet", "files", "put", small_arg, HOME, "--overwrite"])
            .await
            .status
            .success()
    );

    let back = local.path().join("back.bin");
    let got = json(
        &env.run(&[
            "--output",
            "json",
            "scnet",
            "files",
            "get",
            &format!("{HOME}/big.bin"),
            back.to_str().unwrap(),
        ])
        .await,
    );
    assert_eq!(got[0]["bytes"], data.len() as u64);
    assert_eq!(std::fs::read(&back).unwrap(), data);
}

#[tokio::test]
async fn a_failed_get_leaves_no_file_and_resumes() {
    let env = Env::start(0).await;
    let data = pattern(2 << 20);
    let remote = format!("{HOME}/out.bin");
    env.sandbox.files().write(&remote, &data).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("out.bin");
    let target_arg = target.to_str().unwrap();
    // More cuts than the retry policy's attempts: the call fails.
    env.sandbox
        .inject(Fault::cut_after_bytes("/efile/openapi/v2/file/download", 500_000).times(10));
    let failed = env
        .run(&["scnet", "files", "get", &remote, target_arg])
        .await;
    assert_eq!(failed.status.code(), Some(1), "{failed:?}");
    assert!(!target.exists());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("--resume") && stderr.contains(".hpc-part"),
        "{stderr}"
    );

    env.sandbox.clear_faults();
    let got = json(
        &env.run(&[
            "--output", "json", "scnet", "files", "get", &remote, target_arg, "--resume",
        ])
        .await,
    );
    assert!(got[0]["resumed_from"].as_u64().unwrap() > 0, "{got}");
    assert_eq!(std::fs::read(&target).unwrap(), data);

    let missing = env
        .run(&["scnet", "files", "get", &format!("{HOME}/none"), target_arg])
        .await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("911020"));
    assert_eq!(
        std::fs::read(&target).unwrap(),
        data,
        "an error never replaces the file"
    );
}
