//! The `hpc` binary against servers that send what they should not: escape codes and
//! newlines in job names, a multi-line gateway page, a listing that fails midway; and
//! flags that cannot work. Exit codes, one error line, nothing that drives a terminal.

use std::process::{Command, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use httpmock::prelude::*;

const SECRET: &str = "SECRET-ACCESS-KEY-for-hostile-tests";

fn hpc(server: &MockServer, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::cargo_bin("hpc")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .env("EHPC_ENDPOINT", server.base_url())
        .env("EHPC_ZONE", "jinan1a")
        .env("QY_ACCESS_KEY_ID", "QYACCESSKEYIDEXAMPLE")
        .env("QY_SECRET_ACCESS_KEY", SECRET)
        .args(["--deadline", "20"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn page(names: &[&str], total: usize) -> String {
    let jobs: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| serde_json::json!({"job_id": 100 + i, "job_name": name, "job_status": "running"}))
        .collect();
    serde_json::json!({"ret_code": 0, "total_count": total, "hpc_job_set": jobs}).to_string()
}

fn assert_inert(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the terminal: {text:?}"
    );
    assert!(!text.contains(SECRET), "the secret was printed");
}

#[test]
fn escape_codes_and_newlines_in_job_names_stay_inert_in_the_table() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(200).body(page(
            &["\u{1b}]0;owned\u{7}\u{1b}[2J", "two\nlines 19999 forged"],
            2,
        ));
    });
    let output = hpc(&server, &["ehpc", "jobs", "list", "--cluster-id", "c"]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 3, "a header and two rows: {stdout}");
    assert_inert(&stdout);
    assert!(stdout.contains("\\u{1b}]0;owned"), "{stdout}");
    // JSON keeps the server's text, escaped as JSON does.
    let json = hpc(
        &server,
        &[
            "--output",
            "json",
            "ehpc",
            "jobs",
            "list",
            "--cluster-id",
            "c",
        ],
    );
    let jobs: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(jobs[1]["job_name"], "two\nlines 19999 forged");
}

#[test]
fn a_multi_line_gateway_page_is_one_inert_error_line() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(403).body(
            "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n\
             <center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n\
             \u{1b}[31m</body>\r\n</html>\r\n",
        );
    });
    let output = hpc(&server, &["ehpc", "jobs", "list", "--cluster-id", "c"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: HTTP 403"), "{stderr}");
    assert_inert(&stderr);
}

#[test]
fn a_listing_that_fails_midway_still_leaves_a_json_array() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/api/job/list").query_param("offset", "0");
        then.status(200).body(page(&["a"], 3));
    });
    server.mock(|when, then| {
        when.path("/api/job/list").query_param("offset", "1");
        then.status(200)
            .body(r#"{"ret_code": 1400, "message": "access denied"}"#);
    });
    let output = hpc(
        &server,
        &[
            "--output",
            "json",
            "ehpc",
            "jobs",
            "list",
            "--cluster-id",
            "c",
            "--limit",
            "1",
            "--all",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let jobs: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(jobs.len(), 1);
}

#[test]
fn offsets_past_int64_and_blank_cluster_ids_are_usage_errors() {
    let server = MockServer::start();
    let listing = server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(200).body(page(&[], 0));
    });
    for args in [
        &[
            "ehpc",
            "jobs",
            "list",
            "--cluster-id",
            "c",
            "--offset",
            "18446744073709551615",
            "--all",
        ][..],
        &[
            "ehpc",
            "jobs",
            "list",
            "--cluster-id",
            "c",
            "--offset",
            "9223372036854775808",
        ],
        &["ehpc", "jobs", "list", "--cluster-id", ""],
        &["ehpc", "jobs", "list", "--cluster-id", "  "],
        &[
            "ehpc",
            "clusters",
            "list",
            "--offset",
            "9223372036854775808",
        ],
    ] {
        let output = hpc(&server, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    }
    listing.assert_calls(0);
    // The largest offset the API takes is sent as it is.
    let output = hpc(
        &server,
        &[
            "ehpc",
            "jobs",
            "list",
            "--cluster-id",
            "c",
            "--offset",
            "9223372036854775807",
        ],
    );
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn a_server_that_ignores_the_offset_ends_the_listing_with_an_error() {
    let server = MockServer::start();
    let names: Vec<String> = (0..100).map(|i| format!("job-{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    for total in [1_000_000_000_i64, -1] {
        let body = serde_json::json!({"ret_code": 0, "total_count": total, "hpc_job_set":
            names.iter().enumerate().map(|(i, n)| serde_json::json!({"job_id": i, "job_name": n})).collect::<Vec<_>>()})
        .to_string();
        let mut listing = server.mock(|when, then| {
            when.path("/api/job/list");
            then.status(200).body(&body);
        });
        let output = hpc(
            &server,
            &[
                "--output",
                "jsonl",
                "ehpc",
                "jobs",
                "list",
                "--cluster-id",
                "c",
                "--all",
            ],
        );
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("inconsistent listing"), "{stderr}");
        assert_eq!(
            String::from_utf8(output.stdout).unwrap().lines().count(),
            100
        );
        // Two pages, plus what `--all`'s prefetch had in flight: no endless loop.
        assert!(listing.calls() <= 4, "{} requests", listing.calls());
        listing.delete();
    }
}

#[test]
fn an_over_long_search_word_is_refused_before_anything_is_sent() {
    let server = MockServer::start();
    let listing = server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(200).body(page(&[], 0));
    });
    let word = "x".repeat(70_000);
    let output = hpc(
        &server,
        &[
            "ehpc",
            "jobs",
            "list",
            "--cluster-id",
            "c",
            "--search",
            &word,
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: invalid input: the request's URL would be"),
        "{stderr}"
    );
    assert!(stderr.contains("shorten the filters"), "{stderr}");
    listing.assert_calls(0);
}
