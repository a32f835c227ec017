//! EHPC request signing (docs/api-notes.md §1), as pure functions plus the hook that applies
//! them to every attempt.

use std::sync::Arc;

use base64::Engine;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::context::Clock;

/// Everything but `A-Z a-z 0-9 - _ . ~ /` is encoded in the canonical query.
const CANONICAL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// The first of the signature's two encodings: `+ / =` (and anything else unusual).
const SIGNATURE_ONCE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The parameters the signer owns: any value the caller put there is replaced.
const COMMON: [&str; 6] = [
    "access_key_id",
    "signature_method",
    "signature_version",
    "version",
    "timestamp",
    "signature",
];

/// The MD5 of no bytes, the body hash of every GET.
const EMPTY_BODY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";

/// The canonical query: empty values left out, sorted by key then value (byte order),
/// keys and values percent-encoded with uppercase hex.
///
/// ```
/// use hpc_sdk::ehpc::sign::canonical_query;
/// let params = [("zone", "jinan1a"), ("b", "x y"), ("a", "2"), ("a", "1"), ("empty", "")];
/// assert_eq!(canonical_query(params), "a=1&a=2&b=x%20y&zone=jinan1a");
/// ```
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(
    params: impl IntoIterator<Item = (K, V)>,
) -> String {
    let mut pairs: Vec<(K, V)> = params
        .into_iter()
        .filter(|(_, v)| !v.as_ref().is_empty())
        .collect();
    // Equal pairs are indistinguishable, so an unstable sort gives the same query.
    pairs.sort_unstable_by(|a, b| (a.0.as_ref(), a.1.as_ref()).cmp(&(b.0.as_ref(), b.1.as_ref())));
    // Encoded straight into one buffer: one allocation however many parameters.
    let raw_len: usize = pairs
        .iter()
        .map(|(k, v)| k.as_ref().len() + v.as_ref().len() + 2)
        .sum();
    let mut query = String::with_capacity(raw_len + raw_len / 4);
    for (index, (k, v)) in pairs.iter().enumerate() {
        if index > 0 {
            query.push('&');
        }
        query.extend(utf8_percent_encode(k.as_ref(), CANONICAL));
        query.push('=');
        query.extend(utf8_percent_encode(v.as_ref(), CANONICAL));
    }
    query
}

/// The canonical URI: the path, each segment encoded, always ending in `/`.
///
/// ```
/// use hpc_sdk::ehpc::sign::canonical_uri;
/// assert_eq!(canonical_uri("/api/job/list"), "/api/job/list/");
/// assert_eq!(canonical_uri("/api/a%20b/"), "/api/a%20b/");
/// ```
pub fn canonical_uri(path: &str) -> String {
    // Borrowed, not copied, when the path holds no escapes (the usual case).
    let raw = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut uri = String::with_capacity(raw.len() + 8);
    uri.extend(utf8_percent_encode(&raw, CANONICAL));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// `METHOD \n canonical_uri \n canonical_query \n md5_hex(body)`.
///
/// ```
/// use hpc_sdk::ehpc::sign::string_to_sign;
/// assert_eq!(
///     string_to_sign("GET", "/api/job/list/", "zone=a", b""),
///     "GET\n/api/job/list/\nzone=a\nd41d8cd98f00b204e9800998ecf8427e",
/// );
/// ```
pub fn string_to_sign(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    body: &[u8],
) -> String {
    let hashed;
    let body_md5 = if body.is_empty() {
        EMPTY_BODY_MD5
    } else {
        hashed = hex::encode(Md5::digest(body));
        hashed.as_str()
    };
    let mut text = String::with_capacity(
        method.len() + canonical_uri.len() + canonical_query.len() + body_md5.len() + 3,
    );
    for (index, part) in [method, canonical_uri, canonical_query, body_md5]
        .into_iter()
        .enumerate()
    {
        if index > 0 {
            text.push('\n');
        }
        text.push_str(part);
    }
    text
}

/// base64(HMAC-SHA256(secret, string_to_sign)).
///
/// ```
/// use hpc_sdk::ehpc::sign::signature;
/// use secrecy::{ExposeSecret, SecretString};
///
/// let sts = "GET\n/api/cluster/list/\naccess_key_id=QYACCESSKEYIDEXAMPLE&signature_method=HmacSHA256&signature_version=1&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a\nd41d8cd98f00b204e9800998ecf8427e";
/// let sig = signature(&SecretString::from("SECRETACCESSKEY"), sts);
/// assert_eq!(sig.expose_secret(), "fuaaMdgEpq315d6SJPwhiaw3XantkrjQW4gQOg2FNkI=");
/// ```
pub fn signature(secret: &SecretString, string_to_sign: &str) -> SecretString {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD
        .encode(mac.finalize().into_bytes())
        .into()
}

/// The signature as it travels in the URL: encoded twice (`=` becomes `%253D`).
///
/// ```
/// use hpc_sdk::ehpc::sign::signature_in_url;
/// assert_eq!(signature_in_url("a+b/c="), "a%252Bb%252Fc%253D");
/// ```
pub fn signature_in_url(signature: &str) -> String {
    let mut url = String::with_capacity(signature.len() + 16);
    // Each chunk is either text left as it is or one `%XX` escape, whose `%` is escaped again.
    for chunk in utf8_percent_encode(signature, SIGNATURE_ONCE) {
        match chunk.strip_prefix('%') {
            Some(hex) => {
                url.push_str("%25");
                url.push_str(hex);
            }
            None => url.push_str(chunk),
        }
    }
    url
}

/// `YYYY-MM-DDThh:mm:ssZ`, UTC.
pub(crate) fn timestamp(time: std::time::SystemTime) -> String {
    // The same text as `format("%Y-%m-%dT%H:%M:%SZ")`, without parsing a format string.
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Signs EHPC requests: adds the common parameters with a fresh timestamp and appends
/// the doubly encoded signature. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Signer {
    access_key_id: String,
    secret: SecretString,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl Signer {
    /// A signer for this key pair, reading the time from `clock`.
    pub fn new(
        access_key_id: impl Into<String>,
        secret: SecretString,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret,
            clock,
        }
    }

    /// The query string (signature last) for a request with these parameters.
    pub(crate) fn signed_query<K: AsRef<str>, V: AsRef<str>>(
        &self,
        method: &str,
        path: &str,
        params: impl IntoIterator<Item = (K, V)>,
        body: &[u8],
    ) -> String {
        let timestamp = timestamp(self.clock.now());
        let common = [
            ("access_key_id", self.access_key_id.as_str()),
            ("signature_method", "HmacSHA256"),
            ("signature_version", "1"),
            ("version", "1"),
            ("timestamp", timestamp.as_str()),
        ];
        let params: Vec<(K, V)> = params
            .into_iter()
            .filter(|(k, _)| !COMMON.contains(&k.as_ref()))
            .collect();
        let mut query = canonical_query(
            params
                .iter()
                .map(|(k, v)| (k.as_ref(), v.as_ref()))
                .chain(common),
        );
        let to_sign = string_to_sign(method, &canonical_uri(path), &query, body);
        let signature = signature(&self.secret, &to_sign);
        query.push_str("&signature=");
        query.push_str(&signature_in_url(signature.expose_secret()));
        query
    }
}

impl ehpc_client::SignRequest for Signer {
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), ehpc_client::SignError> {
        let body = match request.body() {
            None => &[][..],
            Some(body) => body
                .as_bytes()
                .ok_or_else(|| ehpc_client::SignError::new("a streaming body cannot be hashed"))?,
        };
        // reqwest wrote the query form-encoded (`+` for a space): read it back the same
        // way, borrowing every pair that holds no escape.
        let query = self.signed_query(
            request.method().as_str(),
            request.url().path(),
            request.url().query_pairs(),
            body,
        );
        request.url_mut().set_query(Some(&query));
        Ok(())
    }
}

#[cfg(test)]
#[path = "sign_tests.rs"]
mod tests;
