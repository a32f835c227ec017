//! Turning what the generated clients return into the SDK's [`Error`], reading the body
//! of an unexpected answer once and never showing a URL (EHPC URLs carry signatures).

use std::time::Duration;

use progenitor_client::{Error as GenError, ResponseValue};

use crate::error::{Error, Result};

/// How much of a body an error shows.
const EXCERPT_CHARS: usize = 300;

/// The first [`EXCERPT_CHARS`] characters of a body, for error messages, on one line:
/// every run of white space (an HTML page's newlines) becomes one space.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = crate::scrub::scrub(&String::from_utf8_lossy(body));
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = text.as_str();
    match trimmed.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_string(),
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// Reads a platform error envelope out of a body, if it holds one.
pub(crate) type EnvelopeReader = fn(body: &[u8], http_status: u16) -> Option<Error>;

/// The decoded value of a successful call, or the SDK error for what went wrong.
pub(crate) async fn value<T>(
    result: std::result::Result<ResponseValue<T>, GenError<()>>,
    envelope: EnvelopeReader,
) -> Result<(T, u16)> {
    match result {
        Ok(response) => {
            let status = response.status().as_u16();
            Ok((response.into_inner(), status))
        }
        Err(error) => Err(from_generated(error, envelope).await),
    }
}

async fn from_generated(error: GenError<()>, envelope: EnvelopeReader) -> Error {
    match error {
        GenError::CommunicationError(e)
        | GenError::ResponseBodyError(e)
        | GenError::InvalidUpgrade(e) => transport(e),
        GenError::InvalidResponsePayload(body, source) => {
            // An error answer whose `data` does not fit the success type is still an error.
            if let Some(error) = envelope(&body, 200) {
                return error;
            }
            if looks_like_html(&body) {
                Error::Http {
                    status: 200,
                    body_excerpt: excerpt(&body),
                    retry_after: None,
                }
            } else {
                Error::Decode {
                    status: 200,
                    body_excerpt: excerpt(&body),
                    source: Box::new(source),
                }
            }
        }
        GenError::UnexpectedResponse(response) => unexpected(response, envelope).await,
        GenError::ErrorResponse(response) => Error::Http {
            status: response.status().as_u16(),
            body_excerpt: String::new(),
            retry_after: None,
        },
        GenError::InvalidRequest(message) => Error::invalid_input(message),
        // The only custom errors come from the EHPC signing hook.
        GenError::Custom(message) => Error::auth(message),
    }
}

/// An answer whose envelope says success but carries no `data` where the operation
/// must have some.
pub(crate) fn no_data(operation: &str) -> Error {
    Error::Decode {
        status: 200,
        body_excerpt: String::new(),
        source: format!("{operation}: the answer has no data").into(),
    }
}

/// The longest URL an HTTP request line can carry here (the `http` crate's limit).
const MAX_URL_BYTES: usize = u16::MAX as usize - 1;

/// A reqwest failure, without its URL. A request that could not even be built (a URL
/// too long, say) never left the machine: it is the caller's input, never retried.
pub(crate) fn transport(error: reqwest::Error) -> Error {
    if error.is_builder() {
        let url_len = error.url().map_or(0, |url| url.as_str().len());
        return Error::invalid_input(if url_len > MAX_URL_BYTES {
            format!(
                "the request's URL would be {url_len} bytes, more than HTTP allows ({MAX_URL_BYTES}): shorten the filters"
            )
        } else {
            format!("the request cannot be built: {}", error.without_url())
        });
    }
    let error = error.without_url();
    if let Some(limit) = crate::body_limit::exceeded(&error) {
        return Error::BodyTooLarge { limit };
    }
    if error.is_timeout() {
        return Error::Timeout {
            after: Duration::ZERO,
            scope: "attempt",
        };
    }
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Transport {
        message,
        source: Some(Box::new(error)),
    }
}

/// A status the spec does not describe: a platform error envelope if the body holds
/// one, otherwise the status with an excerpt of the body.
async fn unexpected(response: reqwest::Response, envelope: EnvelopeReader) -> Error {
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(e) => return transport(e),
    };
    envelope(&body, status).unwrap_or_else(|| Error::Http {
        status,
        body_excerpt: excerpt(&body),
        retry_after,
    })
}

/// `Retry-After` in either of its forms: seconds, or an HTTP date (the wait until then;
/// a date already past is no wait).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_cut_on_a_character_boundary() {
        let body = "作".repeat(1000);
        let cut = excerpt(body.as_bytes());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(b"  {\"a\":1}  "), "{\"a\":1}");
        assert_eq!(
            excerpt(b"<html>\r\n<head><title>502</title></head>\n\n<body>bad</body>"),
            "<html> <head><title>502</title></head> <body>bad</body>"
        );
    }

    #[test]
    fn excerpts_never_carry_a_credential() {
        let body =
            br#"{"code":"0","data":[{"clusterId":"0","token":"eyJhbGciOi.eyJleHAiOjF9.c2ln"}]}"#;
        let cut = excerpt(body);
        assert!(!cut.contains("eyJ"), "{cut}");
        let cut = excerpt(b"GET /api/job/list?access_key_id=AKID&signature=SIG%253D");
        assert!(!cut.contains("AKID") && !cut.contains("SIG"), "{cut}");
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        // An HTTP date in the past is no wait; one ahead is the time until then.
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        let ahead = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        headers.insert(reqwest::header::RETRY_AFTER, ahead.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(80) && wait <= Duration::from_secs(90),
            "{wait:?}"
        );
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
