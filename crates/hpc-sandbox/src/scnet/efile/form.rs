//! Reading the efile calls' bodies: multipart forms whose `file` part streams to disk,
//! and the urlencoded form `merge` also takes.

use std::io::Write;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

use super::TOO_LARGE;
use crate::scnet::Rejection;
use crate::scnet::envelope::codes;
use crate::scnet::view::{Params, form_params, query_params};

/// The part that carries the file's bytes.
const FILE_FIELD: &str = "file";

/// The most a text field (or a whole urlencoded form) may hold: names and numbers.
const TEXT_LIMIT: usize = 64 << 10;

/// A multipart form read: its text fields, and its `file` part as written to a sink.
pub(super) struct Form<W> {
    /// The text fields by name; of a repeated name, the last.
    pub(super) fields: Params,
    /// The `file` part, if one came.
    pub(super) file: Option<FilePart<W>>,
}

/// The `file` part of a form, already written.
pub(super) struct FilePart<W> {
    /// Where its bytes went.
    pub(super) sink: W,
    /// The part's `filename`, if it had one.
    pub(super) file_name: Option<String>,
    /// How many bytes it had.
    pub(super) len: u64,
}

/// Whether the request says it is multipart.
pub(super) fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Reads a multipart form, fields in any order. The `file` part goes to the sink `open`
/// makes, piece by piece as it arrives; a second one is `10004`. With `max_len`, a file
/// part longer than that is `911501`, and the rest of the body is read and dropped
/// first, so the client gets to read the answer instead of a reset connection.
pub(super) async fn read_multipart<W, F>(
    request: Request,
    open: F,
    max_len: Option<u64>,
) -> Result<Form<W>, Rejection>
where
    W: Write,
    F: FnOnce() -> std::io::Result<W>,
{
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| codes::INVALID)?;
    let mut open = Some(open);
    let mut form = Form {
        fields: Params::new(),
        file: None,
    };
    let mut too_large = false;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // Whatever follows a chunk too large, that is the answer.
            Err(_) if too_large => break,
            Err(_) => return Err(codes::INVALID),
        };
        if too_large {
            while let Ok(Some(_)) = field.chunk().await {}
            continue;
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name != FILE_FIELD {
            let mut text = Vec::new();
            while let Some(bytes) = field.chunk().await.map_err(|_| codes::INVALID)? {
                if text.len() + bytes.len() > TEXT_LIMIT {
                    return Err(codes::INVALID);
                }
                text.extend_from_slice(&bytes);
            }
            let text = String::from_utf8(text).map_err(|_| codes::INVALID)?;
            form.fields.insert(name, text);
            continue;
        }
        let open = open.take().ok_or(codes::INVALID)?;
        let mut sink = open().map_err(|_| codes::INTERNAL)?;
        let file_name = field.file_name().map(str::to_owned);
        let mut len = 0u64;
        while let Some(bytes) = field.chunk().await.map_err(|_| codes::INVALID)? {
            len += bytes.len() as u64;
            if max_len.is_some_and(|max| len > max) {
                too_large = true;
                while let Ok(Some(_)) = field.chunk().await {}
                break;
            }
            // A local disk write of one network chunk (tens of KiB): quick enough to do
            // here, as the other file calls of the sandbox do.
            sink.write_all(&bytes).map_err(|_| codes::INTERNAL)?;
        }
        sink.flush().map_err(|_| codes::INTERNAL)?;
        form.file = Some(FilePart {
            sink,
            file_name,
            len,
        });
    }
    if too_large {
        return Err(TOO_LARGE);
    }
    Ok(form)
}

/// The parameters of a urlencoded form body, over those of the query string (a body
/// value wins): `merge` as scnet-cli, lql341 and urchin send it.
pub(super) async fn read_urlencoded(request: Request) -> Result<Params, Rejection> {
    let mut params = query_params(request.uri().query())?;
    let body = axum::body::to_bytes(request.into_body(), TEXT_LIMIT)
        .await
        .map_err(|_| codes::INVALID)?;
    params.extend(form_params(&body)?);
    Ok(params)
}
