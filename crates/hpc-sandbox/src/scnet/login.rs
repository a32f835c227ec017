//! The two logins: AK/SK on the API host, password on the platform host.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use hmac::{Hmac, Mac};
use scnet_client::Code;
use scnet_client::types::{RegionToken, TokenListResponse};
use serde_json::Value;
use sha2::Sha256;

use super::envelope::{SUCCESS, codes, fail, json_value, ok_code};
use super::jwt::{self, PLATFORM};
use crate::credentials::{
    SCNET_CLUSTER_NAME, SCNET_DISABLED_CLUSTER_ID, SCNET_DISABLED_CLUSTER_NAME,
};
use crate::state::{Counters, Shared};

/// The message an AK/SK signature covers, built by hand as the notes say: keys in this
/// order, no spaces, only `\` and `"` escaped.
pub(crate) fn signed_message(access_key: &str, timestamp: &str, user: &str) -> String {
    let escape = |text: &str| text.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"{{"accessKey":"{}","timestamp":"{}","user":"{}"}}"#,
        escape(access_key),
        escape(timestamp),
        escape(user)
    )
}

/// Whether `signature` is the lowercase hex HMAC-SHA256 of the message, keyed with `secret`.
pub(crate) fn signature_matches(secret: &str, message: &str, signature: &str) -> bool {
    if signature.bytes().any(|b| b.is_ascii_uppercase()) {
        return false;
    }
    let Ok(bytes) = hex::decode(signature) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(message.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty())
}

/// `POST /api/user/v3/tokens`.
pub(crate) async fn access_key_login(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    let (Some(user), Some(access_key), Some(timestamp), Some(signature)) = (
        header(&headers, "user"),
        header(&headers, "accessKey"),
        header(&headers, "timestamp"),
        header(&headers, "signature"),
    ) else {
        return fail(codes::MISSING);
    };
    let credentials = &shared.credentials;
    let message = signed_message(access_key, timestamp, user);
    if user != credentials.scnet_user
        || access_key != credentials.scnet_access_key
        || !signature_matches(&credentials.scnet_secret_key, &message, signature)
    {
        return fail(codes::DENIED);
    }
    logged_in(&shared)
}

/// `POST /ac/openapi/v2/tokens`.
pub(crate) async fn password_login(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    let (Some(user), Some(password), Some(org_id)) = (
        header(&headers, "user"),
        header(&headers, "password"),
        header(&headers, "orgId"),
    ) else {
        return fail(codes::MISSING);
    };
    let credentials = &shared.credentials;
    if user != credentials.scnet_user
        || password != credentials.scnet_password
        || org_id != credentials.scnet_org_id
    {
        return fail(codes::DENIED);
    }
    logged_in(&shared)
}

/// A new token for `user` in region `cluster_id`.
pub(crate) fn new_token(shared: &Shared, cluster_id: &str, user: &str) -> String {
    let serial = Counters::bump(&shared.counters.tokens_issued);
    jwt::issue(
        &shared.token_key,
        cluster_id,
        user,
        shared.token_lifetime,
        serial,
    )
}

fn logged_in(shared: &Shared) -> Response {
    Counters::bump(&shared.counters.logins);
    let user = &shared.credentials.scnet_user;
    let region = |id: &str, name: &str, token: Option<String>| RegionToken {
        cluster_id: Some(Code(id.to_owned())),
        cluster_name: Some(name.to_owned()),
        token,
    };
    let body = TokenListResponse {
        code: ok_code(),
        msg: Some(SUCCESS.to_owned()),
        message: None,
        data: Some(vec![
            region(PLATFORM, "ac", Some(new_token(shared, PLATFORM, user))),
            region(
                &shared.credentials.scnet_cluster_id,
                SCNET_CLUSTER_NAME,
                Some(new_token(
                    shared,
                    &shared.credentials.scnet_cluster_id,
                    user,
                )),
            ),
            region(SCNET_DISABLED_CLUSTER_ID, SCNET_DISABLED_CLUSTER_NAME, None),
        ]),
    };
    let mut value = serde_json::to_value(&body).unwrap_or(Value::Null);
    // The generated type leaves out a missing token; the real server sends `null`.
    if let Some(Value::Array(regions)) = value.get_mut("data") {
        for region in regions.iter_mut().filter_map(Value::as_object_mut) {
            region.entry("token").or_insert(Value::Null);
        }
    }
    json_value(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_from_the_notes() {
        let message = signed_message("85f96a42b13f4d2c8b760d2775bbcca8", "1764597591", "bob");
        assert_eq!(
            message,
            r#"{"accessKey":"85f96a42b13f4d2c8b760d2775bbcca8","timestamp":"1764597591","user":"bob"}"#
        );
        let good = "45a828478da0cfff189d61a3d6553fba34c49beae77101c3cffed7e047fb4477";
        assert!(signature_matches("SK-EXAMPLE", &message, good));
        assert!(!signature_matches(
            "SK-EXAMPLE",
            &message,
            &good.to_uppercase()
        ));
        assert!(!signature_matches("SK-OTHER", &message, good));
        assert!(!signature_matches("SK-EXAMPLE", &message, "zz"));
        assert_eq!(
            signed_message("a\"b", "1", "c\\d"),
            r#"{"accessKey":"a\"b","timestamp":"1","user":"c\\d"}"#
        );
    }
}
