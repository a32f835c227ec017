//! EHPC request signatures, checked as docs/api-notes.md §1 describes, written independently
//! of the SDK's signer so that a bug there cannot verify itself here.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;

use crate::query::decode;

/// Everything but `A-Z a-z 0-9 - _ . ~ /` is encoded (uppercase hex).
const KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

fn encode(text: &str) -> String {
    utf8_percent_encode(text, KEEP).to_string()
}

/// Every parameter but `signature`, empty values left out, sorted by key then value,
/// each key and value percent-encoded.
pub(crate) fn canonical_query(params: &[(String, String)]) -> String {
    let mut signed: Vec<(&str, &str)> = params
        .iter()
        .filter(|(key, value)| key != "signature" && !value.is_empty())
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    signed.sort_unstable();
    let pairs: Vec<String> = signed
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect();
    pairs.join("&")
}

/// The path as the signer saw it: each segment encoded, always ending in `/`.
pub(crate) fn canonical_uri(raw_path: &str) -> String {
    let mut uri: String = raw_path
        .split('/')
        .map(|segment| encode(&decode(segment).unwrap_or_else(|_| segment.to_owned())))
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// `METHOD \n canonical_uri \n canonical_query \n md5_hex(body)`.
pub(crate) fn string_to_sign(method: &str, raw_path: &str, query: &str, body: &[u8]) -> String {
    let body_md5 = hex::encode(Md5::digest(body));
    format!("{method}\n{}\n{query}\n{body_md5}", canonical_uri(raw_path))
}

fn mac(secret: &str, string_to_sign: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(string_to_sign.as_bytes());
    mac
}

/// base64(HMAC-SHA256(secret, string_to_sign)); the server only verifies, so only tests sign.
#[cfg(test)]
pub(crate) fn sign(secret: &str, string_to_sign: &str) -> String {
    STANDARD.encode(mac(secret, string_to_sign).finalize().into_bytes())
}

/// Checks the `signature` parameter as it reads after the one URL-decoding every query
/// parameter gets. The client encoded it twice, so it must still be percent-encoded
/// here: a bare `+` or `=` means it was encoded only once, which the real server
/// rejects too.
pub(crate) fn verify(secret: &str, string_to_sign: &str, once_decoded: &str) -> bool {
    if once_decoded.contains(['+', '=']) {
        return false;
    }
    let Ok(base64_text) = decode(once_decoded) else {
        return false;
    };
    let Ok(bytes) = STANDARD.decode(base64_text.as_bytes()) else {
        return false;
    };
    mac(secret, string_to_sign).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn worked_example_from_the_notes() {
        let params = pairs(&[
            ("zone", "jinan1a"),
            ("version", "1"),
            ("timestamp", "2021-08-19T16:44:40Z"),
            ("signature_version", "1"),
            ("signature_method", "HmacSHA256"),
            ("access_key_id", "QYACCESSKEYIDEXAMPLE"),
            ("signature", "ignored"),
            ("empty", ""),
        ]);
        let query = canonical_query(&params);
        assert_eq!(
            query,
            "access_key_id=QYACCESSKEYIDEXAMPLE&signature_method=HmacSHA256&signature_version=1&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a"
        );
        let to_sign = string_to_sign("GET", "/api/cluster/list", &query, b"");
        assert!(to_sign.ends_with("\nd41d8cd98f00b204e9800998ecf8427e"));
        assert!(to_sign.starts_with("GET\n/api/cluster/list/\n"));
        let signature = sign("SECRETACCESSKEY", &to_sign);
        assert_eq!(signature, "fuaaMdgEpq315d6SJPwhiaw3XantkrjQW4gQOg2FNkI=");
        // After the server's one URL-decoding, `%253D` reads `%3D`.
        assert!(verify(
            "SECRETACCESSKEY",
            &to_sign,
            "fuaaMdgEpq315d6SJPwhiaw3XantkrjQW4gQOg2FNkI%3D"
        ));
        // Encoded only once, it reads `=` here: rejected.
        assert!(!verify("SECRETACCESSKEY", &to_sign, &signature));
        assert!(!verify(
            "OTHERSECRET",
            &to_sign,
            "fuaaMdgEpq315d6SJPwhiaw3XantkrjQW4gQOg2FNkI%3D"
        ));
    }

    #[test]
    fn repeated_keys_and_unicode() {
        let params = pairs(&[("b", "2"), ("a", "作业 x+*"), ("b", "1")]);
        assert_eq!(
            canonical_query(&params),
            "a=%E4%BD%9C%E4%B8%9A%20x%2B%2A&b=1&b=2"
        );
    }
}
