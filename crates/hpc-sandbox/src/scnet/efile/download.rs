//! `file/download`: a file's bytes, or a folder's zip, streamed from disk, with
//! `Range` for resuming and parallel parts.

use std::io::{self, SeekFrom};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::zip::zip_dir;
use super::{authorise, base_name, blocking, cluster_path};
use crate::scnet::Rejection;
use crate::scnet::envelope::{codes, fail};
use crate::scnet::outputs::settle;
use crate::scnet::view::{query_params, required};
use crate::state::Shared;

/// How much of the file each piece of the answer carries.
const PIECE: usize = 64 << 10;

/// What a `Range` header asks of a body of some length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wanted {
    /// No range, or one the server may ignore (malformed, several ranges): all of it.
    Whole,
    /// Bytes `first..=last`.
    Part(u64, u64),
    /// A range starting past the end: 416.
    Unsatisfiable,
}

/// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n` against a body of `total` bytes.
fn wanted(range: Option<&str>, total: u64) -> Wanted {
    let Some(spec) = range.and_then(|range| range.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Wanted::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return match last.parse::<u64>() {
            Ok(0) => Wanted::Unsatisfiable,
            Ok(_) if total == 0 => Wanted::Unsatisfiable,
            Ok(n) => Wanted::Part(total - n.min(total), total - 1),
            Err(_) => Wanted::Whole,
        };
    }
    let Ok(first) = first.parse::<u64>() else {
        return Wanted::Whole;
    };
    let last = match last {
        "" => u64::MAX,
        last => match last.parse::<u64>() {
            Ok(last) if last >= first => last,
            _ => return Wanted::Whole,
        },
    };
    if first >= total {
        Wanted::Unsatisfiable
    } else {
        Wanted::Part(first, last.min(total - 1))
    }
}

/// An error answer as the download gives it: the envelope, HTTP 200, with the charset
/// the real gateway names, so a client must test the type by substring.
fn refuse(rejection: Rejection) -> Response {
    let mut response = fail(rejection);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

/// `attachment; filename="<name>"`; a name that is not plain ASCII goes percent-encoded
/// there and in `filename*`, since header values carry no UTF-8.
fn disposition(name: &str) -> HeaderValue {
    let plain = name
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
    let value = if plain {
        format!("attachment; filename=\"{name}\"")
    } else {
        let encoded = utf8_percent_encode(name, NON_ALPHANUMERIC).to_string();
        format!("attachment; filename=\"{encoded}\"; filename*=UTF-8''{encoded}")
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Streams `file` (or the asked part of it) with the download's headers.
async fn send(
    file: std::fs::File,
    name: &str,
    content_type: &'static str,
    range: Option<&str>,
) -> io::Result<Response> {
    let total = file.metadata()?.len();
    let (status, first, len) = match wanted(range, total) {
        Wanted::Whole => (StatusCode::OK, 0, total),
        Wanted::Part(first, last) => (StatusCode::PARTIAL_CONTENT, first, last - first + 1),
        Wanted::Unsatisfiable => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            let unsatisfied = HeaderValue::from_str(&format!("bytes */{total}"));
            if let Ok(value) = unsatisfied {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(response);
        }
    };
    let mut file = tokio::fs::File::from_std(file);
    if first > 0 {
        file.seek(SeekFrom::Start(first)).await?;
    }
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(len), PIECE));
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(header::CONTENT_DISPOSITION, disposition(name));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if status == StatusCode::PARTIAL_CONTENT {
        let last = first + len - 1;
        let value = HeaderValue::from_str(&format!("bytes {first}-{last}/{total}"));
        if let Ok(value) = value {
            headers.insert(header::CONTENT_RANGE, value);
        }
    }
    Ok(response)
}

/// `GET /efile/openapi/v2/file/download?path=`: a file as `application/octet-stream`,
/// a folder as `<name>.zip`; a missing path is the `911020` envelope with HTTP 200.
pub(super) async fn download(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let path = authorise(&shared, &headers)
        .and_then(|()| query_params(query.as_deref()))
        .and_then(|params| cluster_path(required(&params, "path")?));
    let path = match path {
        Ok(path) => path,
        Err(rejection) => return refuse(rejection),
    };
    settle(&shared);
    let range = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let name = match base_name(&path) {
        "" => "root".to_owned(),
        name => name.to_owned(),
    };
    let (file, name, content_type) = if shared.files.is_dir(&path) {
        let worker = shared.clone();
        let (dir, top) = (path.clone(), name.clone());
        let zipped =
            blocking(move || zip_dir(&worker.files, &dir, &top).map_err(|_| codes::INTERNAL)).await;
        match zipped {
            Ok(file) => (file, format!("{name}.zip"), "application/zip"),
            Err(rejection) => return refuse(rejection),
        }
    } else {
        match shared.files.open(&path) {
            Ok(file) => (file, name, "application/octet-stream"),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return refuse(codes::NO_FILE);
            }
            Err(_) => return refuse(codes::INVALID),
        }
    };
    send(file, &name, content_type, range.as_deref())
        .await
        .unwrap_or_else(|_| refuse(codes::INTERNAL))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_the_rfc_says() {
        assert_eq!(wanted(None, 10), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=2-5"), 10), Wanted::Part(2, 5));
        assert_eq!(wanted(Some("bytes=2-"), 10), Wanted::Part(2, 9));
        assert_eq!(wanted(Some("bytes=2-99"), 10), Wanted::Part(2, 9));
        assert_eq!(wanted(Some("bytes=-3"), 10), Wanted::Part(7, 9));
        assert_eq!(wanted(Some("bytes=-30"), 10), Wanted::Part(0, 9));
        assert_eq!(wanted(Some("bytes=10-"), 10), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=0-"), 0), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=5-2"), 10), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=0-1,4-5"), 10), Wanted::Whole);
        assert_eq!(wanted(Some("items=0-1"), 10), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=x-1"), 10), Wanted::Whole);
    }

    #[test]
    fn odd_names_are_encoded_in_the_disposition() {
        assert_eq!(disposition("a b.txt"), "attachment; filename=\"a b.txt\"");
        let chinese = disposition("作业.out");
        let chinese = chinese.to_str().unwrap();
        assert!(chinese.contains("filename*=UTF-8''%E4%BD%9C"), "{chinese}");
    }
}
