//! Test-side clients: a tiny EHPC signer and SCNet login, written here from
//! docs/api-notes.md and independently of the sandbox's own checks.
#![allow(dead_code)]

pub mod efile;
pub mod scnet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ehpc_client::types::JobListResponse;
use hmac::{Hmac, Mac};
use hpc_sandbox::Sandbox;
use md5::{Digest, Md5};
use scnet_client::types::TokenListResponse;
use sha2::Sha256;

/// Percent-encodes as the notes say: uppercase hex, keeping `A-Z a-z 0-9 - _ . ~`, and
/// `/` too unless `encode_slash`.
pub fn enc(text: &str, encode_slash: bool) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'_' | b'.' | b'~')
            || (byte == b'/' && !encode_slash);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn hmac_sha256(key: &str, message: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// `YYYY-MM-DDThh:mm:ssZ` now, shifted by `offset_secs`.
pub fn timestamp(offset_secs: i64) -> String {
    (chrono::Utc::now() + chrono::TimeDelta::seconds(offset_secs))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A signed query string for `path`: the canonical query, then the doubly encoded
/// signature.
pub fn signed_query(path: &str, params: &[(String, String)], secret: &str) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    sorted.sort();
    let canonical = sorted
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k, false), enc(v, false)))
        .collect::<Vec<_>>()
        .join("&");
    let body_md5 = hex::encode(Md5::digest(b""));
    let to_sign = format!("GET\n{path}/\n{canonical}\n{body_md5}");
    let signature = STANDARD.encode(hmac_sha256(secret, &to_sign));
    format!(
        "{canonical}&signature={}",
        enc(&enc(&signature, true), true)
    )
}

/// The common parameters with the sandbox's demo key, plus `extra`.
pub fn params(sandbox: &Sandbox, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let c = sandbox.credentials();
    let mut params: Vec<(String, String)> = [
        ("access_key_id", c.ehpc_access_key_id.as_str()),
        ("signature_method", "HmacSHA256"),
        ("signature_version", "1"),
        ("version", "1"),
        ("zone", &c.ehpc_zone),
        ("cluster_id", &c.ehpc_cluster_id),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    params.push(("timestamp".into(), timestamp(0)));
    for (k, v) in extra {
        params.retain(|(key, _)| key != k);
        params.push((k.to_string(), v.to_string()));
    }
    params
}

/// The URL of a correctly signed `job/list` with `extra` parameters.
pub fn list_url(sandbox: &Sandbox, extra: &[(&str, &str)]) -> String {
    let query = signed_query(
        "/api/job/list",
        &params(sandbox, extra),
        &sandbox.credentials().ehpc_secret_access_key,
    );
    format!("{}/api/job/list?{query}", sandbox.ehpc_url())
}

/// A correctly signed `job/list`, decoded.
pub async fn list(sandbox: &Sandbox, extra: &[(&str, &str)]) -> JobListResponse {
    reqwest::get(list_url(sandbox, extra))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The AK/SK signature of the notes.
pub fn ak_signature(access_key: &str, timestamp: &str, user: &str, secret: &str) -> String {
    let message =
        format!(r#"{{"accessKey":"{access_key}","timestamp":"{timestamp}","user":"{user}"}}"#);
    hex::encode(hmac_sha256(secret, &message))
}

/// An AK/SK login request with the demo credentials, signed with `secret`.
pub fn ak_login_request(sandbox: &Sandbox, secret: &str) -> reqwest::RequestBuilder {
    let c = sandbox.credentials();
    let ts = chrono::Utc::now().timestamp().to_string();
    reqwest::Client::new()
        .post(format!("{}/api/user/v3/tokens", sandbox.scnet_api_url()))
        .header("user", &c.scnet_user)
        .header("accessKey", &c.scnet_access_key)
        .header("timestamp", &ts)
        .header(
            "signature",
            ak_signature(&c.scnet_access_key, &ts, &c.scnet_user, secret),
        )
}

/// Logs in with AK/SK; answers (platform token, region token).
pub async fn login(sandbox: &Sandbox) -> (String, String) {
    let answer: TokenListResponse =
        ak_login_request(sandbox, &sandbox.credentials().scnet_secret_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert!(answer.code.is_success(), "{answer:?}");
    let tokens = answer.data.unwrap();
    let token = |id: &str| {
        tokens
            .iter()
            .find(|t| t.cluster_id.as_ref().map(|c| c.as_str()) == Some(id))
            .and_then(|t| t.token.clone())
            .unwrap()
    };
    (token("0"), token(&sandbox.credentials().scnet_cluster_id))
}

/// A GET with a token header.
pub async fn get_with_token(url: String, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header("token", token)
        .send()
        .await
        .unwrap()
}
