//! A chunked upload: numbered `file/burst` requests, several in flight, each read from
//! disk as it is sent and retried alone when it fails; then one `file/merge`, all on
//! the one gateway that holds the chunks.

use futures::{StreamExt, TryStreamExt};
use reqwest::multipart::Form;
use scnet_client::operations as ops;

use super::Files;
use super::body::{Sent, file_slice};
use super::gateway::read_answer;
use super::upload::{Target, Upload, file_part};
use crate::error::Result;

/// One chunk: its number (from 1), where it starts and how long it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Chunk {
    number: u64,
    offset: u64,
    len: u64,
}

/// The chunks of a file of `size` bytes cut every `chunk_size` bytes.
fn plan(size: u64, chunk_size: u64) -> Vec<Chunk> {
    let chunk_size = chunk_size.max(1);
    let count = size.div_ceil(chunk_size).max(1);
    (0..count)
        .map(|i| {
            let offset = i * chunk_size;
            Chunk {
                number: i + 1,
                offset,
                len: chunk_size.min(size - offset),
            }
        })
        .collect()
}

/// How many chunks an upload of `size` bytes went in (`0`: not chunked).
pub(super) fn count(size: u64, chunk_size: u64, chunked: bool) -> u64 {
    if chunked {
        size.div_ceil(chunk_size.max(1)).max(1)
    } else {
        0
    }
}

/// The upload's id as clients make it: `<size>-<name without dots>`.
fn identifier(size: u64, name: &str) -> String {
    format!("{size}-{}", name.replace('.', ""))
}

/// Sends every chunk, then the merge; the number of chunks sent.
pub(super) async fn send(upload: &Upload, files: &Files, target: &Target<'_>) -> Result<u64> {
    let chunks = plan(target.size, upload.chunk_size);
    let total = chunks.len() as u64;
    let id = identifier(target.size, target.name);
    // One future per chunk, polled together in this task; the first failure (after
    // its own retries) drops the rest.
    futures::stream::iter(chunks.iter().copied())
        .map(|chunk| send_chunk(files, target, &id, chunk, total, upload.chunk_size))
        .buffer_unordered(upload.parallel)
        .try_collect::<Vec<()>>()
        .await?;
    merge(files, target, &id, total).await?;
    Ok(total)
}

/// `POST /efile/openapi/v2/file/burst` for one chunk; its retries re-read the chunk.
async fn send_chunk(
    files: &Files,
    target: &Target<'_>,
    id: &str,
    chunk: Chunk,
    total: u64,
    chunk_size: u64,
) -> Result<()> {
    let client = &files.client;
    let url = target.gateway.url(&ops::UPLOAD_CHUNK);
    let (url, id) = (&url, id);
    client
        .efile_call(
            target.gateway,
            &ops::UPLOAD_CHUNK,
            chunk.len,
            |token, limit| async move {
                let sent = Sent::default();
                let result = async {
                    let body =
                        file_slice(target.local, chunk.offset, chunk.len, target.meter, &sent)
                            .await?;
                    let form = Form::new()
                        .text("chunkNumber", chunk.number.to_string())
                        .text("totalChunks", total.to_string())
                        .text("totalSize", target.size.to_string())
                        .text("chunkSize", chunk_size.to_string())
                        .text("currentChunkSize", chunk.len.to_string())
                        .text("filename", target.name.to_string())
                        .text("relativePath", target.name.to_string())
                        .text("path", target.remote_dir.to_string())
                        .text("identifier", id.to_string())
                        .text("cover", target.cover)
                        .part("file", file_part(body, chunk.len, target.name)?);
                    let request = client
                        .efile_request(reqwest::Method::POST, url, &token, limit)
                        .multipart(form);
                    let response = request.send().await.map_err(crate::response::transport)?;
                    read_answer(response).await
                }
                .await;
                if result.is_err() {
                    sent.undo(target.meter);
                }
                result
            },
        )
        .await
}

/// `POST /efile/openapi/v2/file/merge`, urlencoded, with the identifier under both of
/// its spellings. The server concatenates the whole file: the request gets the time
/// that many bytes need.
async fn merge(files: &Files, target: &Target<'_>, id: &str, total: u64) -> Result<()> {
    let client = &files.client;
    let url = target.gateway.url(&ops::MERGE_CHUNKS);
    let size = target.size.to_string();
    let total = total.to_string();
    let fields = [
        ("path", target.remote_dir),
        ("relativePath", target.name),
        ("filename", target.name),
        ("identifier", id),
        ("indentifier", id),
        ("cover", target.cover),
        ("totalSize", &size),
        ("totalChunks", &total),
    ];
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let (url, body) = (&url, &body);
    client
        .efile_call(
            target.gateway,
            &ops::MERGE_CHUNKS,
            target.size,
            |token, limit| async move {
                let request = client
                    .efile_request(reqwest::Method::POST, url, &token, limit)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body.clone());
                let response = request.send().await.map_err(crate::response::transport)?;
                read_answer(response).await
            },
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_cut_into_numbered_chunks_that_cover_it() {
        let chunks = plan(10, 4);
        assert_eq!(
            chunks,
            [
                Chunk {
                    number: 1,
                    offset: 0,
                    len: 4
                },
                Chunk {
                    number: 2,
                    offset: 4,
                    len: 4
                },
                Chunk {
                    number: 3,
                    offset: 8,
                    len: 2
                },
            ]
        );
        assert_eq!(plan(8, 4).len(), 2);
        // An empty file is one empty chunk, so the merge has something to put together.
        assert_eq!(
            plan(0, 4),
            [Chunk {
                number: 1,
                offset: 0,
                len: 0
            }]
        );
    }

    #[test]
    fn the_identifier_is_the_size_and_the_name_without_dots() {
        assert_eq!(identifier(42, "a.tar.gz"), "42-atargz");
    }
}
