//! The hand-written baseline: what a user would write with `reqwest` and `serde_json`
//! alone. It signs EHPC requests with its own signer (docs/api-notes.md §1, written here
//! without looking at the SDK's) and sends the SCNet token it got from one login.

use std::time::SystemTime;

use base64::Engine;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;

/// Encoded in the canonical query: everything but `A-Z a-z 0-9 - _ . ~ /`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// A minimal EHPC signer: common parameters, canonical query, HMAC-SHA256, and the
/// signature encoded twice in the URL.
pub struct EhpcSigner {
    access_key_id: String,
    secret: String,
}

impl EhpcSigner {
    /// A signer for this key pair.
    pub fn new(access_key_id: &str, secret: &str) -> Self {
        Self {
            access_key_id: access_key_id.to_owned(),
            secret: secret.to_owned(),
        }
    }

    /// The signed query string (`...&signature=...`) for a GET of `path` with `params`.
    pub fn signed_query(&self, path: &str, params: &[(&str, &str)], now: SystemTime) -> String {
        let timestamp = chrono::DateTime::<chrono::Utc>::from(now)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let mut all: Vec<(&str, &str)> = params
            .iter()
            .copied()
            .filter(|(_, value)| !value.is_empty())
            .collect();
        all.extend([
            ("access_key_id", self.access_key_id.as_str()),
            ("signature_method", "HmacSHA256"),
            ("signature_version", "1"),
            ("version", "1"),
            ("timestamp", timestamp.as_str()),
        ]);
        all.sort_unstable();
        let mut query = String::with_capacity(256);
        for (index, (key, value)) in all.iter().enumerate() {
            if index > 0 {
                query.push('&');
            }
            query.extend(utf8_percent_encode(key, UNRESERVED));
            query.push('=');
            query.extend(utf8_percent_encode(value, UNRESERVED));
        }
        let mut uri = path.to_owned();
        if !uri.ends_with('/') {
            uri.push('/');
        }
        let body_md5 = hex::encode(Md5::digest(b""));
        let to_sign = format!("GET\n{uri}\n{query}\n{body_md5}");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.secret.as_bytes())
            .expect("HMAC takes any key length");
        mac.update(to_sign.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        // Standard base64 has only `+ / =` besides letters and digits.
        let doubly = signature
            .replace('+', "%252B")
            .replace('/', "%252F")
            .replace('=', "%253D");
        query.push_str("&signature=");
        query.push_str(&doubly);
        query
    }
}

/// The baseline's view of the sandbox: one reused `reqwest::Client`, the EHPC signer,
/// and the SCNet region token from one login.
pub struct Baseline {
    http: reqwest::Client,
    ehpc_url: String,
    signer: EhpcSigner,
    zone: String,
    cluster_id: String,
    walltime_url: String,
    scnet_token: String,
}

/// What a user would decode the walltime answer into.
#[derive(serde::Deserialize)]
struct WalltimeAnswer {
    code: serde_json::Value,
    data: Option<f64>,
}

/// The AK/SK login answer: one token per region.
#[derive(serde::Deserialize)]
struct LoginAnswer {
    data: Vec<RegionToken>,
}

#[derive(serde::Deserialize)]
struct RegionToken {
    #[serde(rename = "clusterId")]
    cluster_id: String,
    token: Option<String>,
}

/// A boxed error, enough for a benchmark.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Baseline {
    /// Logs in to SCNet once and gets ready to call the sandbox.
    pub async fn connect(sandbox: &hpc_sandbox::Sandbox) -> Result<Self, BoxError> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        let c = sandbox.credentials();
        let scnet_token = region_token(&http, sandbox).await?;
        Ok(Self {
            http,
            ehpc_url: sandbox.ehpc_url().to_owned(),
            signer: EhpcSigner::new(&c.ehpc_access_key_id, &c.ehpc_secret_access_key),
            zone: c.ehpc_zone.clone(),
            cluster_id: c.ehpc_cluster_id.clone(),
            walltime_url: format!(
                "{}/hpc/openapi/v2/view/walltime/users/{}",
                sandbox.scnet_hpc_url(),
                c.scnet_cluster_user
            ),
            scnet_token,
        })
    }

    /// One signed `GET /api/job/list` page, decoded; returns how many jobs it held.
    pub async fn list_jobs(&self, offset: u64, limit: u32) -> Result<usize, BoxError> {
        let page = self.list_jobs_body(offset, limit).await?;
        let page: ehpc_client::types::JobListResponse = serde_json::from_slice(&page)?;
        if page.ret_code.0 != 0 {
            return Err(format!("ret_code {}", page.ret_code.0).into());
        }
        Ok(page.hpc_job_set.map_or(0, |jobs| jobs.len()))
    }

    /// The raw body of one job-list page.
    pub async fn list_jobs_body(&self, offset: u64, limit: u32) -> Result<Vec<u8>, BoxError> {
        let (offset, limit) = (offset.to_string(), limit.to_string());
        let params = [
            ("cluster_id", self.cluster_id.as_str()),
            ("limit", limit.as_str()),
            ("offset", offset.as_str()),
            ("zone", self.zone.as_str()),
        ];
        let query = self
            .signer
            .signed_query("/api/job/list", &params, SystemTime::now());
        let url = format!("{}/api/job/list?{query}", self.ehpc_url);
        let response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await?
            .error_for_status()?;
        Ok(response.bytes().await?.to_vec())
    }

    /// One walltime call with the cached region token.
    pub async fn walltime(&self) -> Result<f64, BoxError> {
        let body = self
            .http
            .get(&self.walltime_url)
            .header("token", &self.scnet_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let answer: WalltimeAnswer = serde_json::from_slice(&body)?;
        let ok = match &answer.code {
            serde_json::Value::String(code) => code == "0",
            serde_json::Value::Number(code) => code.as_i64() == Some(0),
            _ => false,
        };
        match (ok, answer.data) {
            (true, Some(data)) => Ok(data),
            _ => Err(format!("walltime answered code {}", answer.code).into()),
        }
    }
}

/// One AK/SK login to the sandbox's SCNet: the token of its cluster's region.
pub async fn region_token(
    http: &reqwest::Client,
    sandbox: &hpc_sandbox::Sandbox,
) -> Result<String, BoxError> {
    let c = sandbox.credentials();
    let timestamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)?
        .as_secs()
        .to_string();
    let message = format!(
        r#"{{"accessKey":"{}","timestamp":"{timestamp}","user":"{}"}}"#,
        c.scnet_access_key, c.scnet_user
    );
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(c.scnet_secret_key.as_bytes())?;
    mac.update(message.as_bytes());
    let login: LoginAnswer = http
        .post(format!("{}/api/user/v3/tokens", sandbox.scnet_api_url()))
        .header("user", &c.scnet_user)
        .header("accessKey", &c.scnet_access_key)
        .header("timestamp", &timestamp)
        .header("signature", hex::encode(mac.finalize().into_bytes()))
        .send()
        .await?
        .json()
        .await?;
    let token = login
        .data
        .into_iter()
        .find(|r| r.cluster_id == c.scnet_cluster_id)
        .and_then(|r| r.token)
        .ok_or("the login answered no token for the region")?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_example_signs_as_documented() {
        let signer = EhpcSigner::new("QYACCESSKEYIDEXAMPLE", "SECRETACCESSKEY");
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_629_391_480);
        let query = signer.signed_query("/api/cluster/list", &[("zone", "jinan1a")], at);
        assert_eq!(
            query,
            "access_key_id=QYACCESSKEYIDEXAMPLE&signature_method=HmacSHA256&signature_version=1\
             &timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a\
             &signature=fuaaMdgEpq315d6SJPwhiaw3XantkrjQW4gQOg2FNkI%253D"
        );
    }
}
