//! SCNet credentials and tokens as values: the AK/SK login signature and the JWT's
//! `expireTime`. Pure functions; the network side is in `auth.rs`.

use std::time::{Duration, SystemTime};

use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// How the client authenticates. Its `Debug` never shows a secret.
#[derive(Clone)]
#[non_exhaustive]
pub(crate) enum Credentials {
    /// A token obtained elsewhere (`SCNET_TOKEN`); used for every call, never refreshed.
    Token(SecretString),
    /// AK/SK login (recommended).
    AccessKey {
        /// The platform login name.
        user: String,
        /// The access key.
        access_key: String,
        /// The secret key.
        secret_key: SecretString,
    },
    /// Password login (older deployments).
    Password {
        /// The platform login name.
        user: String,
        /// The password.
        password: SecretString,
        /// The organisation id.
        org_id: String,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token([REDACTED])"),
            Credentials::AccessKey {
                user, access_key, ..
            } => f
                .debug_struct("AccessKey")
                .field("user", user)
                .field("access_key", access_key)
                .field("secret_key", &"[REDACTED]")
                .finish(),
            Credentials::Password { user, org_id, .. } => f
                .debug_struct("Password")
                .field("user", user)
                .field("password", &"[REDACTED]")
                .field("org_id", org_id)
                .finish(),
        }
    }
}

/// The AK/SK login signature: lowercase hex HMAC-SHA256, keyed with the secret key, of
/// `{"accessKey":"<AK>","timestamp":"<ts>","user":"<user>"}` built by hand.
///
/// ```
/// use hpc_sdk::scnet::access_key_signature;
/// use secrecy::{ExposeSecret, SecretString};
///
/// let sig = access_key_signature("85f96a42b13f4d2c8b760d2775bbcca8", "1764597591", "bob", &SecretString::from("SK-EXAMPLE"));
/// assert_eq!(sig.expose_secret(), "45a828478da0cfff189d61a3d6553fba34c49beae77101c3cffed7e047fb4477");
/// ```
pub fn access_key_signature(
    access_key: &str,
    timestamp: &str,
    user: &str,
    secret_key: &SecretString,
) -> SecretString {
    let message = format!(
        "{{\"accessKey\":\"{}\",\"timestamp\":\"{}\",\"user\":\"{}\"}}",
        escape(access_key),
        escape(timestamp),
        escape(user)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.expose_secret().as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes()).into()
}

/// Only `\` and `"` are escaped in the signed message; everything else stays raw UTF-8.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// When a token expires, from its JWT payload's `expireTime` (epoch milliseconds, as a
/// string or a number). `None` if the token is not a JWT or says nothing usable.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use hpc_sdk::scnet::token_expiry;
///
/// // {"expireTime":"1685600225615"}
/// let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJleHBpcmVUaW1lIjoiMTY4NTYwMDIyNTYxNSJ9.c2ln";
/// assert_eq!(token_expiry(jwt), Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1_685_600_225_615)));
/// assert_eq!(token_expiry("not a jwt"), None);
/// ```
pub fn token_expiry(jwt: &str) -> Option<SystemTime> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let millis = match claims.get("expireTime")? {
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok()?,
        serde_json::Value::Number(n) => n.as_u64()?,
        _ => return None,
    };
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(millis))
}

/// How long a token just obtained is used whatever its `expireTime` says: a client
/// clock running ahead of the server's would otherwise renew on every call.
pub(crate) const TRUST_NEW_TOKEN_FOR: Duration = Duration::from_secs(60);

/// A token, when it expires, when the client got it, and whether a server refused it.
#[derive(Clone)]
pub(crate) struct Token {
    /// Shared, so handing the token to a call costs a reference count, not a copy.
    pub value: std::sync::Arc<SecretString>,
    pub expires_at: Option<SystemTime>,
    pub obtained_at: SystemTime,
    /// The server answered 10008 to it: replace it by logging in, not by renewing it.
    pub refused: bool,
}

impl Token {
    pub fn new(value: String, now: SystemTime) -> Self {
        let expires_at = token_expiry(&value);
        Self {
            value: std::sync::Arc::new(SecretString::from(value)),
            expires_at,
            obtained_at: now,
            refused: false,
        }
    }

    /// Still good for at least `margin` at `now`. A token of unknown expiry, or one
    /// obtained within [`TRUST_NEW_TOKEN_FOR`], is trusted until the server says otherwise.
    pub fn is_fresh(&self, now: SystemTime, margin: Duration) -> bool {
        if self.refused {
            return false;
        }
        let just_obtained = now
            .duration_since(self.obtained_at)
            .is_ok_and(|age| age < TRUST_NEW_TOKEN_FOR);
        just_obtained
            || self
                .expires_at
                .is_none_or(|at| now.checked_add(margin).is_some_and(|due| due < at))
    }

    pub fn same_as(&self, other: &SecretString) -> bool {
        self.value.expose_secret() == other.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_unicode_in_the_signed_message() {
        // Computed with Python's hmac over {"accessKey":"a\"k","timestamp":"1","user":"张\\三"}.
        let sig = access_key_signature("a\"k", "1", "张\\三", &SecretString::from("sk"));
        assert_eq!(
            sig.expose_secret(),
            "35620a7b2bedc0728d2f7cf434c7e77c79ab1bc1863253e224df7d33e8a9699b"
        );
    }

    #[test]
    fn expiry_accepts_numbers_and_padding_and_rejects_junk() {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE.encode(s);
        let with_number = format!("h.{}.s", b64(r#"{"expireTime":1000}"#));
        assert_eq!(
            token_expiry(&with_number),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1))
        );
        for junk in [
            "",
            "a.b",
            "a.!!!.c",
            &format!("h.{}.s", b64(r#"{"expireTime":"soon"}"#)),
            &format!("h.{}.s", b64("[]")),
        ] {
            assert_eq!(token_expiry(junk), None, "{junk}");
        }
    }

    #[test]
    fn freshness_keeps_a_margin() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let token = |secs| Token {
            obtained_at: SystemTime::UNIX_EPOCH,
            refused: false,
            value: std::sync::Arc::new("t".to_string().into()),
            expires_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)),
        };
        assert!(token(1400).is_fresh(now, Duration::from_secs(300)));
        assert!(!token(1200).is_fresh(now, Duration::from_secs(300)));
        assert!(
            Token {
                obtained_at: SystemTime::UNIX_EPOCH,
                refused: false,
                value: std::sync::Arc::new("t".to_string().into()),
                expires_at: None
            }
            .is_fresh(now, Duration::from_secs(300))
        );
    }

    #[test]
    fn a_new_token_is_trusted_for_a_minute_and_a_refused_one_never() {
        let obtained = SystemTime::UNIX_EPOCH + Duration::from_secs(10_000);
        // Its expireTime lies in the past as this (fast) client clock sees it.
        let mut token = Token::new(String::from("not-a-jwt"), obtained);
        token.expires_at = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(5_000));
        let margin = Duration::from_secs(300);
        assert!(token.is_fresh(obtained + Duration::from_secs(59), margin));
        assert!(!token.is_fresh(obtained + TRUST_NEW_TOKEN_FOR, margin));
        token.refused = true;
        assert!(!token.is_fresh(obtained, margin));
    }

    #[test]
    fn debug_hides_every_secret() {
        let shown = format!(
            "{:?} {:?} {:?}",
            Credentials::Token("TOKSECRET".to_string().into()),
            Credentials::AccessKey {
                user: "u".into(),
                access_key: "ak".into(),
                secret_key: "SKSECRET".to_string().into()
            },
            Credentials::Password {
                user: "u".into(),
                password: "PWSECRET".to_string().into(),
                org_id: "o".into()
            },
        );
        for secret in ["TOKSECRET", "SKSECRET", "PWSECRET"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
