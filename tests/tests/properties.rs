//! Property tests in the normal test run (the `fuzz/` targets run the same properties for
//! longer): decoding any bytes never panics, signing never panics and the sandbox's own
//! verifier accepts every signature the SDK makes, whatever the parameters hold, and JWT
//! `expireTime` parsing never panics. Each property counts its cases and checks that all
//! of them ran; `--nocapture` prints the counts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use base64::Engine;
use hpc_sandbox::Sandbox;
use hpc_sdk::ehpc::sign;
use hpc_sdk::{Error, RetryPolicy, Timeouts};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use secrecy::{ExposeSecret, SecretString};

/// Runs `test` on `cases` values of `strategy`; every case must pass and be counted.
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let ran = AtomicUsize::new(0);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let result = TestRunner::new(config).run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(value)
    });
    if let Err(failure) = result {
        panic!("{name}: {failure}");
    }
    let ran = ran.into_inner();
    assert!(ran >= cases as usize, "{name}: only {ran} cases ran");
    println!("{name}: {ran} cases, none failed");
}

/// JSON that looks like the platforms' answers: their keys, with values of every type.
fn json_like() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    const KEYS: &[&str] = &[
        "ret_code",
        "message",
        "total_count",
        "hpc_job_set",
        "job_id",
        "job_status",
        "action",
        "code",
        "msg",
        "data",
        "token",
        "clusterId",
        "clusterName",
        "hpcUrls",
        "enable",
        "url",
        "clusterUserInfo",
        "userName",
        "name",
        "y",
        "id",
        "status",
        "groupId",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[0-9]{0,25}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// Arbitrary bytes, answer-shaped JSON, and such JSON cut short.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<Vec<u8>>(),
        json_like().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        (json_like(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let bytes = serde_json::to_vec(&v).unwrap();
            bytes[..cut.index(bytes.len() + 1)].to_vec()
        }),
    ]
}

#[test]
fn decoding_any_bytes_as_any_answer_never_panics() {
    use scnet_client::types as s;
    check("decode", 1000, bodies(), |bytes| {
        let _ = serde_json::from_slice::<ehpc_client::types::JobListResponse>(&bytes);
        let _ = serde_json::from_slice::<s::TokenListResponse>(&bytes);
        let _ = serde_json::from_slice::<s::TokenRenewalResponse>(&bytes);
        let _ = serde_json::from_slice::<s::TokenStateResponse>(&bytes);
        let _ = serde_json::from_slice::<s::CenterResponse>(&bytes);
        let _ = serde_json::from_slice::<s::JobStateCountsResponse>(&bytes);
        let _ = serde_json::from_slice::<s::MemberJobsResponse>(&bytes);
        let _ = serde_json::from_slice::<s::WalltimeResponse>(&bytes);
        Ok(())
    });
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[test]
fn jwt_expire_time_parsing_never_panics_and_reads_milliseconds() {
    let tokens = prop_oneof![
        any::<String>(),
        json_like().prop_map(|v| format!("h.{}.s", b64(&v.to_string()))),
        any::<String>().prop_map(|t| format!("h.{}.s", b64(&format!(r#"{{"expireTime":{t:?}}}"#)))),
    ];
    check("token_expiry", 1000, tokens, |token| {
        let _ = hpc_sdk::scnet::token_expiry(&token);
        Ok(())
    });
    check("token_expiry_millis", 500, any::<u64>(), |millis| {
        let token = format!("h.{}.s", b64(&format!(r#"{{"expireTime":"{millis}"}}"#)));
        let expected = SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(millis));
        prop_assert_eq!(hpc_sdk::scnet::token_expiry(&token), expected);
        Ok(())
    });
}

#[test]
fn canonicalization_and_signing_never_panic() {
    let params = prop::collection::vec((any::<String>(), any::<String>()), 0..8);
    let inputs = (params, any::<String>(), any::<Vec<u8>>(), any::<String>());
    check("sign", 1000, inputs, |(params, path, body, secret)| {
        let query = sign::canonical_query(params.iter().map(|(k, v)| (k, v)));
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.~/%=&".contains(c);
        prop_assert!(query.chars().all(allowed), "{}", query);
        let uri = sign::canonical_uri(&path);
        prop_assert!(uri.ends_with('/'));
        let to_sign = sign::string_to_sign("GET", &uri, &query, &body);
        let signature = sign::signature(&SecretString::from(secret), &to_sign);
        let in_url = sign::signature_in_url(signature.expose_secret());
        prop_assert!(!in_url.contains(['+', '/', '=']), "{}", in_url);
        Ok(())
    });
}

#[test]
fn the_sandbox_accepts_every_signature_for_any_filter_values() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = rt.block_on(Sandbox::builder().jobs(50).start()).unwrap();
    let c = sandbox.credentials();
    let client = hpc_sdk::ehpc::Client::builder()
        .endpoint(sandbox.ehpc_url())
        .zone(&c.ehpc_zone)
        .cluster_id(&c.ehpc_cluster_id)
        .credentials(&c.ehpc_access_key_id, &c.ehpc_secret_access_key)
        .retry(RetryPolicy::none())
        .timeouts(Timeouts::default().per_attempt(Duration::from_secs(10)))
        .build()
        .unwrap();
    let tricky = prop::sample::select(vec![
        " ",
        "+",
        "%",
        "%25",
        "=",
        "&",
        "a b+c~d*e/f:g",
        "作业",
        "😀",
        "\u{0}",
        "\r\n",
        "#?",
    ]);
    let value = prop_oneof![any::<String>(), tricky.prop_map(String::from)];
    let filters = (value.clone(), value.clone(), value);
    check("signed_listing", 300, filters, |(word, queue, user)| {
        let request = client
            .jobs()
            .list()
            .search_word(word)
            .queue(queue)
            .run_user(user)
            .page_size(5);
        let answer = rt.block_on(request.send());
        if let Err(Error::Api { code, message, .. }) = &answer {
            prop_assert!(false, "the sandbox refused: {} {}", code, message);
        }
        prop_assert!(answer.is_ok(), "{:?}", answer.err());
        Ok(())
    });
    // Every case reached the server (none was rejected before sending).
    assert!(sandbox.request_count("/api/job/list") >= 300);
}

#[test]
fn any_answer_through_either_client_is_a_value_or_an_error_never_a_panic() {
    use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start_async());
    let answer: Arc<std::sync::Mutex<(u16, Vec<u8>)>> = Arc::default();
    let served = answer.clone();
    let mock = server.mock(|_, then| {
        then.respond_with(move |_: &HttpMockRequest| {
            let (status, body) = served.lock().unwrap().clone();
            HttpMockResponse::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body)
                .build()
        });
    });
    let fast = Timeouts::default().per_attempt(Duration::from_secs(10));
    let ehpc = hpc_sdk::ehpc::Client::builder()
        .endpoint(server.base_url())
        .zone("z")
        .cluster_id("c")
        .credentials("k", "s")
        .retry(RetryPolicy::none())
        .timeouts(fast)
        .build()
        .unwrap();
    let scnet = hpc_sdk::scnet::Client::builder()
        .portal_url(server.base_url())
        .hpc_url(server.base_url())
        .token("t")
        .region("1")
        .cluster_user("u")
        .retry(RetryPolicy::none())
        .timeouts(fast)
        .build()
        .unwrap();
    let statuses = prop::sample::select(vec![200u16, 400, 403, 404, 429, 500, 502, 503]);
    check(
        "facade_answers",
        300,
        (statuses, bodies()),
        |(status, body)| {
            *answer.lock().unwrap() = (status, body);
            for result in [
                rt.block_on(ehpc.jobs().list().send()).map(|_| ()),
                rt.block_on(scnet.usage().walltime().send()).map(|_| ()),
            ] {
                if let Err(error) = result {
                    // Every error displays; none is a transport failure or timeout.
                    prop_assert!(!error.to_string().is_empty());
                    prop_assert!(
                        !matches!(error, Error::Transport { .. } | Error::Timeout { .. }),
                        "{:?}",
                        error
                    );
                }
            }
            Ok(())
        },
    );
    // Both calls of every case reached the server.
    assert!(mock.calls() >= 600, "{}", mock.calls());
}
