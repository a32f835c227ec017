//! The sandbox's tokens: real JWTs (HS256, base64url), so clients can read `expireTime`
//! from the payload as they must from the real ones.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The region id of the platform token.
pub(crate) const PLATFORM: &str = "0";

/// What a token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claims {
    /// `"0"` for the platform token, else the region id.
    #[serde(rename = "clusterId")]
    pub(crate) cluster_id: String,
    /// The platform login name.
    pub(crate) user: String,
    /// Epoch milliseconds, as a string, as the real tokens carry it.
    #[serde(rename = "expireTime")]
    pub(crate) expire_time: String,
    /// Makes every token unique, even two issued in the same millisecond.
    pub(crate) jti: String,
}

impl Claims {
    /// Whether this is the platform token.
    pub(crate) fn is_platform(&self) -> bool {
        self.cluster_id == PLATFORM
    }
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

fn mac(key: &[u8], signed: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(signed.as_bytes());
    mac
}

/// A token for `user` in region `cluster_id` that expires `lifetime` from now.
pub(crate) fn issue(
    key: &[u8],
    cluster_id: &str,
    user: &str,
    lifetime: Duration,
    serial: usize,
) -> String {
    let claims = Claims {
        cluster_id: cluster_id.to_owned(),
        user: user.to_owned(),
        expire_time: (now_ms() + lifetime.as_millis()).to_string(),
        jti: serial.to_string(),
    };
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let signed = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(mac(key, &signed).finalize().into_bytes());
    format!("{signed}.{signature}")
}

/// The claims of a token this sandbox issued and that has not expired; `None` for
/// anything else.
pub(crate) fn verify(key: &[u8], token: &str) -> Option<Claims> {
    let (signed, signature) = token.rsplit_once('.')?;
    let (_, payload) = signed.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    mac(key, signed).verify_slice(&signature).ok()?;
    let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let expires: u128 = claims.expire_time.parse().ok()?;
    (expires > now_ms()).then_some(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_until_they_expire() {
        let key = b"k";
        let token = issue(key, "11112", "bob", Duration::from_secs(60), 1);
        let claims = verify(key, &token).unwrap();
        assert_eq!(claims.cluster_id, "11112");
        assert_eq!(claims.user, "bob");
        assert!(verify(b"other", &token).is_none());
        assert!(verify(key, "garbage").is_none());
        assert!(verify(key, &token.replace('.', "")).is_none());
        let expired = issue(key, "0", "bob", Duration::ZERO, 2);
        assert!(verify(key, &expired).is_none());
    }
}
