//! The SCNet envelope `{"code": "0", "msg": "success", "data": ...}`: anything but
//! `"0"` becomes an [`Error::Api`], whatever the HTTP status.

use scnet_client::Code;

use crate::error::{Error, Result};

/// The envelope fields every SCNet answer has; implemented for every answer type by
/// `cargo xtask codegen`.
pub(crate) trait Envelope {
    fn code(&self) -> &Code;
    fn message(&self) -> Option<&str>;
}

/// The answer, or its error code as an [`Error::Api`].
pub(crate) fn check<T: Envelope>((answer, status): (T, u16)) -> Result<T> {
    if answer.code().is_success() {
        Ok(answer)
    } else {
        Err(Error::scnet(
            answer.code().as_str(),
            answer.message().unwrap_or_default(),
            status,
        ))
    }
}

/// An error envelope inside an answer with an undocumented HTTP status.
pub(crate) fn from_body(body: &[u8], http_status: u16) -> Option<Error> {
    #[derive(serde::Deserialize)]
    struct Bare {
        code: Code,
        msg: Option<String>,
        message: Option<String>,
    }
    let bare: Bare = serde_json::from_slice(body).ok()?;
    if bare.code.is_success() {
        return None;
    }
    Some(Error::scnet(
        bare.code.as_str(),
        bare.msg.or(bare.message).unwrap_or_default(),
        http_status,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorCode, ScnetCode};
    use scnet_client::types::WalltimeResponse;

    #[test]
    fn a_200_with_an_error_code_is_an_error() {
        let answer: WalltimeResponse =
            serde_json::from_str(r#"{"code":"10004","msg":"参数无效"}"#).unwrap();
        let err = check((answer, 200)).unwrap_err();
        assert_eq!(
            err.code(),
            Some(&ErrorCode::Scnet(ScnetCode::InvalidParameters))
        );
        assert_eq!(
            err.to_string(),
            "SCNet error 10004 (invalid parameters): 参数无效"
        );
    }

    #[test]
    fn error_bodies_of_other_statuses_are_read() {
        let err = from_body(br#"{"code":10012,"message":"interrupted"}"#, 503).unwrap();
        assert_eq!(err.http_status(), Some(503));
        assert!(from_body(b"<html>bad gateway</html>", 502).is_none());
        assert!(from_body(br#"{"code":"0"}"#, 404).is_none());
    }
}
