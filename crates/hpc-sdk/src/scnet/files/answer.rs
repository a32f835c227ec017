//! What a `file/download` answer's head says: the bytes (whole, or the part a `Range`
//! asked for), the error envelope it carries (a JSON `Content-Type`, whatever the HTTP
//! status), or a refusal of the range.

use super::gateway::read_envelope;
use crate::error::{Error, Result};
use crate::response;

/// A download answer whose bytes may be written.
pub(crate) enum Answer {
    /// The bytes from `start`, the whole being `total` when known.
    Bytes {
        response: reqwest::Response,
        start: u64,
        total: Option<u64>,
        /// A zip (a folder's), by its `Content-Type`.
        zip: bool,
    },
    /// 416 to a resume: the remote file is `total` bytes long.
    RangeRefused { total: Option<u64> },
}

/// Reads the head of `response` to a request that asked for the bytes from `from`.
pub(crate) async fn read(response: reqwest::Response, from: u64) -> Result<Answer> {
    let status = response.status().as_u16();
    let content_type = header(&response, reqwest::header::CONTENT_TYPE)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.contains("application/json") {
        return Err(envelope_error(response).await);
    }
    match status {
        200 => {
            let total = response.content_length();
            Ok(Answer::Bytes {
                zip: content_type.contains("zip"),
                response,
                start: 0,
                total,
            })
        }
        206 => {
            let range = header(&response, reqwest::header::CONTENT_RANGE).unwrap_or_default();
            let Some((start, total)) = content_range(&range) else {
                return Err(decode(status, &format!("206 with Content-Range `{range}`")));
            };
            if start != from {
                return Err(decode(
                    status,
                    &format!("asked for the bytes from {from}, got them from {start}"),
                ));
            }
            Ok(Answer::Bytes {
                zip: content_type.contains("zip"),
                response,
                start,
                total,
            })
        }
        416 if from > 0 => {
            let range = header(&response, reqwest::header::CONTENT_RANGE).unwrap_or_default();
            Ok(Answer::RangeRefused {
                total: unsatisfied_total(&range),
            })
        }
        _ => Err(envelope_error(response).await),
    }
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    Some(
        response
            .headers()
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .to_string(),
    )
}

/// The envelope a JSON (or error) answer carries; an HTTP or decode error if none.
async fn envelope_error(response: reqwest::Response) -> Error {
    match read_envelope(response).await {
        Err(error) => error,
        // JSON without an error code is still not the file: it is never written as one.
        Ok((status, body)) => Error::Decode {
            status,
            body_excerpt: response::excerpt(&body),
            source: "the download answered JSON without an error code".into(),
        },
    }
}

fn decode(status: u16, what: &str) -> Error {
    Error::Decode {
        status,
        body_excerpt: String::new(),
        source: what.to_string().into(),
    }
}

/// `bytes a-b/N` (or `bytes a-b/*`): the first byte and the whole length.
fn content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last): (u64, u64) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    if last < first {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    Some((first, total))
}

/// `bytes */N`: the whole length a refused range names.
fn unsatisfied_total(value: &str) -> Option<u64> {
    value.strip_prefix("bytes */")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_are_read_as_the_rfc_writes_them() {
        assert_eq!(content_range("bytes 10-19/100"), Some((10, Some(100))));
        assert_eq!(content_range("bytes 0-0/*"), Some((0, None)));
        for bad in [
            "",
            "bytes 5-4/10",
            "items 0-1/2",
            "bytes x-1/2",
            "bytes 0-1",
        ] {
            assert_eq!(content_range(bad), None, "{bad:?}");
        }
        assert_eq!(unsatisfied_total("bytes */42"), Some(42));
        assert_eq!(unsatisfied_total("bytes 0-1/2"), None);
    }
}
