//! The SCNet envelope `{"code": "0", "msg": "success", "data": ...}`, built from the
//! generated types so that it cannot drift from the spec.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use scnet_client::Code;
use scnet_client::types::TokenStateResponse;
use serde::Serialize;
use serde_json::Value;

/// The success message every answer carries.
pub(crate) const SUCCESS: &str = "success";

/// `Code("0")`, for building answers.
pub(crate) fn ok_code() -> Code {
    Code("0".to_owned())
}

/// An answer as JSON, HTTP 200. The generated types leave out an empty `data`; the real
/// servers send `"data": null`, so it is put back.
pub(crate) fn scnet_json<T: Serialize>(body: &T) -> Response {
    let mut value = serde_json::to_value(body).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.entry("data").or_insert(Value::Null);
    }
    json_value(&value)
}

/// A value as a JSON response, HTTP 200.
pub(crate) fn json_value(value: &Value) -> Response {
    let mut response = serde_json::to_vec(value)
        .unwrap_or_default()
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// An error answer: HTTP 200 with a non-zero `code` and `"data": null`.
pub(crate) fn scnet_error(code: &str, msg: &str) -> Response {
    scnet_json(&TokenStateResponse {
        code: Code(code.to_owned()),
        data: None,
        message: None,
        msg: Some(msg.to_owned()),
    })
}

/// Codes the sandbox answers with, and their messages as the servers word them.
pub(crate) mod codes {
    /// Internal error; what the platform token gets from `center`.
    pub(crate) const INTERNAL: (&str, &str) = ("10001", "内部错误");
    /// A required header or parameter is missing.
    pub(crate) const MISSING: (&str, &str) = ("10003", "缺少必要参数");
    /// A parameter is malformed or names nothing.
    pub(crate) const INVALID: (&str, &str) = ("10004", "参数不合法");
    /// Expired or unknown token (documented as "insufficient permission").
    pub(crate) const TOKEN: (&str, &str) = ("10008", "权限不足");
    /// No permission: bad login signature, wrong user for the token, wrong kind of token.
    pub(crate) const DENIED: (&str, &str) = ("10009", "无此接口权限");
    /// A cancel that found no job of its batch still queued or running.
    pub(crate) const NOT_LIVE: (&str, &str) = ("10004", "作业不存在或已结束");
    /// `file/content` of a path where there is no file.
    pub(crate) const NO_FILE: (&str, &str) = ("911020", "文件不存在");
    /// The submit code of an sbatch refusal; its `msg` is sbatch's text.
    pub(crate) const SBATCH: &str = "815007";
}

/// Shorthand for [`scnet_error`] with one of [`codes`].
pub(crate) fn fail((code, msg): (&str, &str)) -> Response {
    scnet_error(code, msg)
}
