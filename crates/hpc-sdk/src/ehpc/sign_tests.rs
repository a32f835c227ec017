//! Unit tests of `sign.rs`, kept apart so that the rules stay readable in one screen.
use std::time::{Duration, SystemTime};

use ehpc_client::SignRequest;

use super::*;

struct Fixed;
impl Clock for Fixed {
    fn now(&self) -> SystemTime {
        // 2021-08-19T16:44:40Z, the worked example's time.
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_629_391_480)
    }
}

fn signer(key: &str, secret: &str) -> Signer {
    Signer::new(key, SecretString::from(secret), Arc::new(Fixed))
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `lifecycle.md`, "A worked POST signing example": only the common parameters and
/// `timestamp` in the query, the MD5 of the exact body bytes as the last line.
#[test]
fn the_worked_post_example_signs_the_body_bytes() {
    let body = br#"{"cluster_id": "ehpc-8jqdq0mz", "cmd_line": "sleep 600", "core_limit": 1, "hpcqueue_id": "ehpcq-cq1opkdy", "name": "\u4f5c\u4e1a test", "run_user": "usr-IuZxPyn2", "zone": "jinan1a"}"#;
    assert_eq!(body.len(), 182);
    assert_eq!(
        hex::encode(Md5::digest(body)),
        "29bb0f92a635f04b38c5d3f8ae02d8c4"
    );
    let query = signer("QYACCESSKEYIDEXAMPLE", "SECRETACCESSKEY").signed_query(
        "POST",
        "/api/job/submitJob",
        std::iter::empty::<(&str, &str)>(),
        body,
    );
    assert_eq!(
        query,
        "access_key_id=QYACCESSKEYIDEXAMPLE&signature_method=HmacSHA256&signature_version=1&timestamp=2021-08-19T16%3A44%3A40Z&version=1&signature=J7Z2e%252B62yNGA%252BPdc1BcutNcH7oFfBhhi3leermVLpoE%253D"
    );
}

#[test]
fn the_worked_example_from_the_signing_page() {
    let query = signer("QYACCESSKEYIDEXAMPLE", "SECRETACCESSKEY").signed_query(
        "GET",
        "/api/cluster/list",
        owned(&[("zone", "jinan1a")]),
        b"",
    );
    assert_eq!(
        query,
        "access_key_id=QYACCESSKEYIDEXAMPLE&signature_method=HmacSHA256&signature_version=1&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a&signature=fuaaMdgEpq315d6SJPwhiaw3XantkrjQW4gQOg2FNkI%253D"
    );
}

#[test]
fn spaces_plus_tilde_star_slash_colon_chinese_repeated_and_empty() {
    let query = signer("AK", "SECRET").signed_query(
        "GET",
        "/api/job/list",
        owned(&[
            ("zone", "jinan1a"),
            ("search_word", "a b+c~d*e/f:g"),
            ("job_name", "作业"),
            ("tag", "b"),
            ("tag", "a"),
            ("queue_name", ""),
            // A caller's value for a common parameter is replaced, never signed twice.
            ("timestamp", "1999-01-01T00:00:00Z"),
            ("signature", "stale"),
        ]),
        b"",
    );
    // Computed by hand from docs/api-notes.md §1; the signature with Python's hmac.
    assert_eq!(
        query,
        "access_key_id=AK&job_name=%E4%BD%9C%E4%B8%9A&search_word=a%20b%2Bc~d%2Ae/f%3Ag&signature_method=HmacSHA256&signature_version=1&tag=a&tag=b&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a&signature=YcPVGDFjK6G4K99SPGK1SX8RWJqfFQ1dtGmQLNHubBk%253D"
    );
}

#[test]
fn a_post_body_is_hashed_into_the_signature() {
    let body = "{\"cluster_id\":\"ehpc-1\",\"name\":\"作业\"}".as_bytes();
    assert_eq!(
        hex::encode(Md5::digest(body)),
        "73201688b8f71d949543b36664de81ff"
    );
    let query = signer("AK", "SECRET").signed_query(
        "POST",
        "/api/job/submit",
        owned(&[("zone", "jinan1a")]),
        body,
    );
    assert!(
        query.ends_with("&signature=Eb5tMtgWJQph97QPrlcRIEiChCr8rHRbbmGNNBTCIBA%253D"),
        "{query}"
    );
}

#[test]
fn the_hook_reads_what_reqwest_wrote_and_rewrites_the_query() {
    let mut request = reqwest::Client::new()
        .get("http://127.0.0.1/api/job/list")
        .query(&[
            ("zone", "jinan1a"),
            ("search_word", "a b+c~d*e/f:g"),
            ("job_name", "作业"),
            ("tag", "b"),
            ("tag", "a"),
        ])
        .build()
        .unwrap();
    signer("AK", "SECRET").sign(&mut request).unwrap();
    assert_eq!(
        request.url().query(),
        Some(
            "access_key_id=AK&job_name=%E4%BD%9C%E4%B8%9A&search_word=a%20b%2Bc~d%2Ae/f%3Ag&signature_method=HmacSHA256&signature_version=1&tag=a&tag=b&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a&signature=YcPVGDFjK6G4K99SPGK1SX8RWJqfFQ1dtGmQLNHubBk%253D"
        )
    );
}

#[test]
fn the_hook_hashes_a_buffered_post_body() {
    let body = "{\"cluster_id\":\"ehpc-1\",\"name\":\"作业\"}";
    let mut request = reqwest::Client::new()
        .post("http://127.0.0.1/api/job/submit")
        .query(&[("zone", "jinan1a")])
        .body(body)
        .build()
        .unwrap();
    signer("AK", "SECRET").sign(&mut request).unwrap();
    assert!(
        request
            .url()
            .query()
            .unwrap()
            .ends_with("Eb5tMtgWJQph97QPrlcRIEiChCr8rHRbbmGNNBTCIBA%253D")
    );
}

#[test]
fn the_fast_paths_agree_with_the_general_ones() {
    assert_eq!(hex::encode(Md5::digest(b"")), EMPTY_BODY_MD5);
    assert_eq!(
        string_to_sign("GET", "/a/", "q", b""),
        "GET\n/a/\nq\nd41d8cd98f00b204e9800998ecf8427e"
    );
    // Anything unusual is encoded once, then every `%` once more.
    assert_eq!(signature_in_url("a b%+/="), "a%2520b%2525%252B%252F%253D");
    assert_eq!(canonical_uri("/api/作业"), "/api/%E4%BD%9C%E4%B8%9A/");
    assert_eq!(canonical_uri("/api/a%20b"), "/api/a%20b/");
    assert_eq!(timestamp(Fixed.now()), "2021-08-19T16:44:40Z");
    assert_eq!(
        timestamp(SystemTime::UNIX_EPOCH + Duration::from_millis(1_629_391_480_999)),
        "2021-08-19T16:44:40Z"
    );
}

#[test]
fn debug_hides_the_secret() {
    let shown = format!("{:?}", signer("AK", "TOPSECRET"));
    assert!(
        !shown.contains("TOPSECRET") && shown.contains("[REDACTED]"),
        "{shown}"
    );
}
