//! Single-threaded loops: EHPC signing, page decoding; and the codegen command.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use ehpc_client::SignRequest;
use hpc_sdk::ehpc::sign;
use secrecy::{ExposeSecret, SecretString};

use crate::baseline::{BoxError, EhpcSigner};
use crate::report::{self, Row, Target};

const KEY_ID: &str = "QYSANDBOXACCESSKEY01";
const SECRET: &str = "sandbox-secret-access-key-0123456789abcdef";

/// A job listing's parameters, as the SDK sends them with a status filter.
const PARAMS: [(&str, &str); 6] = [
    ("cluster_id", "ehpc-sandbox1"),
    ("job_status", "running"),
    ("jobs_status", "running"),
    ("limit", "100"),
    ("offset", "41200"),
    ("zone", "jinan1a"),
];

/// Nanoseconds per call of `f`: the median of `batches` batches of `iters` calls.
fn ns_per_call(batches: usize, iters: usize, mut f: impl FnMut()) -> f64 {
    let mut per_call: Vec<f64> = (0..batches)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iters {
                f();
            }
            started.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    report::median(&mut per_call)
}

/// The SDK's pure signing functions end to end, timestamp included.
fn sdk_pure(secret: &SecretString) -> String {
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let common = [
        ("access_key_id", KEY_ID),
        ("signature_method", "HmacSHA256"),
        ("signature_version", "1"),
        ("version", "1"),
        ("timestamp", timestamp.as_str()),
    ];
    let query = sign::canonical_query(PARAMS.iter().copied().chain(common));
    let to_sign = sign::string_to_sign("GET", &sign::canonical_uri("/api/job/list"), &query, b"");
    let signature = sign::signature(secret, &to_sign);
    format!(
        "{query}&signature={}",
        sign::signature_in_url(signature.expose_secret())
    )
}

/// ns per EHPC signature: the SDK's request hook, its pure functions, and the
/// baseline's own signer.
pub fn signing(iters: usize) -> Result<Vec<Row>, BoxError> {
    let secret = SecretString::from(SECRET);
    let signer = sign::Signer::new(KEY_ID, secret.clone(), Arc::new(hpc_sdk::SystemClock));
    let unsigned: String = PARAMS
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let url = format!("http://127.0.0.1:9/api/job/list?{unsigned}").parse()?;
    let mut request = reqwest::Request::new(reqwest::Method::GET, url);
    let mut failed = None;
    let ours = EhpcSigner::new(KEY_ID, SECRET);

    let hook = ns_per_call(5, iters, || {
        request.url_mut().set_query(Some(&unsigned));
        if let Err(e) = signer.sign(&mut request) {
            failed = Some(e);
        }
        black_box(request.url().query());
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    let pure = ns_per_call(5, iters, || {
        black_box(sdk_pure(black_box(&secret)));
    });
    let baseline = ns_per_call(5, iters, || {
        black_box(ours.signed_query("/api/job/list", black_box(&PARAMS), SystemTime::now()));
    });
    let row = |case: &str, ns: f64| Row {
        area: "signing",
        case: case.to_owned(),
        measured: format!("{ns:.0} ns"),
        reference: format!("{baseline:.0} ns bench signer"),
        ratio: Some(ns / baseline),
        target: Target::None,
    };
    Ok(vec![
        row(
            "EHPC signature, SDK request hook (reqwest::Request in place)",
            hook,
        ),
        row("EHPC signature, SDK `sign::*` functions end to end", pure),
    ])
}

/// MB/s decoding `page` (a 100-job page as the sandbox sends it) into the generated type.
pub fn decoding(page: &[u8], iters: usize) -> Result<Vec<Row>, BoxError> {
    let decoded: ehpc_client::types::JobListResponse = serde_json::from_slice(page)?;
    let jobs = decoded.hpc_job_set.map_or(0, |j| j.len());
    let ns = ns_per_call(5, iters, || {
        let page: ehpc_client::types::JobListResponse =
            serde_json::from_slice(black_box(page)).expect("decoded once already");
        black_box(page);
    });
    let mb_per_s = page.len() as f64 / ns * 1e9 / 1e6;
    Ok(vec![Row::context(
        "decoding",
        format!(
            "{jobs}-job page ({:.1} KB) into `JobListResponse`, {:.0} µs/page",
            page.len() as f64 / 1e3,
            ns / 1e3
        ),
        format!("{mb_per_s:.0} MB/s"),
    )])
}

/// The median wall time of `runs` runs of `<xtask> codegen --check --root <root>`.
pub fn codegen(xtask: &Path, root: &Path, runs: usize) -> Result<Vec<Row>, BoxError> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let output = Command::new(xtask)
            .args(["codegen", "--check", "--root"])
            .arg(root)
            .output()?;
        times.push(started.elapsed().as_secs_f64());
        if !output.status.success() {
            return Err(format!(
                "codegen --check failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
    }
    let median = report::median(&mut times);
    Ok(vec![Row::context(
        "codegen",
        format!("`xtask codegen --check`, built binary, median of {runs}"),
        report::duration(std::time::Duration::from_secs_f64(median)),
    )])
}
