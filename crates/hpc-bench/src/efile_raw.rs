//! The hand-written efile transfers the SDK's are measured against: what a user would
//! write with `reqwest` alone, from the vendor's pages. They are tuned as the SDK is
//! (16 MiB chunks, 4 in flight, 256 KiB reads; a 1 MiB write buffer and `sync_data` for
//! a download), so that a ratio measures the SDK's own code rather than a different
//! strategy: a slower baseline would only hide a slow SDK.

use std::io::SeekFrom;
use std::path::Path;

use futures::{StreamExt, TryStreamExt};
use reqwest::multipart::{Form, Part};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter};
use tokio_util::io::ReaderStream;

use crate::baseline::{BoxError, region_token};

/// The SDK's default chunk size.
pub const CHUNK: u64 = 16 << 20;
/// The SDK's default number of chunks in flight.
pub const PARALLEL: usize = 4;
/// How much of the file one read takes (the SDK's read buffer).
const READ_BUFFER: usize = 256 << 10;
/// How much is written to disk at once (the SDK's write buffer).
const WRITE_BUFFER: usize = 1 << 20;

/// One efile gateway of the sandbox's region, with the region token from one login.
pub struct RawEfile {
    http: reqwest::Client,
    /// `scheme://host:port`: the listed URL without its `/efile`.
    origin: String,
    token: String,
}

/// What every chunk of one upload says about the whole.
struct Whole<'a> {
    local: &'a Path,
    dir: &'a str,
    name: &'a str,
    size: u64,
    chunks: u64,
    identifier: String,
}

impl RawEfile {
    /// Logs in and takes the region's first gateway (the one the SDK starts on). The
    /// client has no overall time limit: a gigabyte may take longer than any default.
    pub async fn connect(sandbox: &hpc_sandbox::Sandbox) -> Result<Self, BoxError> {
        let http = reqwest::Client::new();
        let token = region_token(&http, sandbox).await?;
        let url = sandbox
            .scnet_efile_urls()
            .into_iter()
            .next()
            .ok_or("the sandbox lists no efile gateway")?;
        let origin = url
            .trim_end_matches('/')
            .trim_end_matches("/efile")
            .to_owned();
        Ok(Self {
            http,
            origin,
            token,
        })
    }

    /// The same gateway and token in another process (a memory child), without a login.
    pub fn from_parts(origin: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            origin: origin.to_owned(),
            token: token.to_owned(),
        }
    }

    /// The gateway's origin and the token, for [`RawEfile::from_parts`].
    pub fn parts(&self) -> (&str, &str) {
        (&self.origin, &self.token)
    }

    fn url(&self, call: &str) -> String {
        format!("{}/efile/openapi/v2/file/{call}", self.origin)
    }

    /// Uploads `local` as `dir/name` in chunks, [`PARALLEL`] in flight, then merges them
    /// (overwriting); the file's size.
    pub async fn upload(&self, local: &Path, dir: &str, name: &str) -> Result<u64, BoxError> {
        let size = tokio::fs::metadata(local).await?.len();
        let whole = Whole {
            local,
            dir,
            name,
            size,
            chunks: size.div_ceil(CHUNK).max(1),
            identifier: format!("{size}-{}", name.replace('.', "")),
        };
        futures::stream::iter(1..=whole.chunks)
            .map(|number| self.chunk(&whole, number))
            .buffer_unordered(PARALLEL)
            .try_collect::<Vec<()>>()
            .await?;
        self.merge(&whole).await?;
        Ok(size)
    }

    /// `file/burst`: chunk `number` (from 1), streamed from the file.
    async fn chunk(&self, whole: &Whole<'_>, number: u64) -> Result<(), BoxError> {
        let offset = (number - 1) * CHUNK;
        let len = CHUNK.min(whole.size - offset);
        let mut file = tokio::fs::File::open(whole.local).await?;
        file.seek(SeekFrom::Start(offset)).await?;
        let stream = ReaderStream::with_capacity(file.take(len), READ_BUFFER);
        let part = Part::stream_with_length(reqwest::Body::wrap_stream(stream), len)
            .file_name(whole.name.to_owned());
        let form = Form::new()
            .text("chunkNumber", number.to_string())
            .text("totalChunks", whole.chunks.to_string())
            .text("totalSize", whole.size.to_string())
            .text("chunkSize", CHUNK.to_string())
            .text("currentChunkSize", len.to_string())
            .text("filename", whole.name.to_owned())
            .text("relativePath", whole.name.to_owned())
            .text("path", whole.dir.to_owned())
            .text("identifier", whole.identifier.clone())
            .text("cover", "cover")
            .part("file", part);
        let response = self
            .http
            .post(self.url("burst"))
            .header("token", &self.token)
            .multipart(form)
            .send()
            .await?;
        answer(response).await
    }

    /// `file/merge`, urlencoded (reqwest's `form` feature is not enabled).
    async fn merge(&self, whole: &Whole<'_>) -> Result<(), BoxError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("path", whole.dir),
                ("relativePath", whole.name),
                ("filename", whole.name),
                ("identifier", &whole.identifier),
                ("cover", "cover"),
            ])
            .finish();
        let response = self
            .http
            .post(self.url("merge"))
            .header("token", &self.token)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await?;
        answer(response).await
    }

    /// `file/download` of `remote`, streamed into `local` and flushed to disk; the bytes
    /// written.
    pub async fn download(&self, remote: &str, local: &Path) -> Result<u64, BoxError> {
        let response = self
            .http
            .get(self.url("download"))
            .query(&[("path", remote)])
            .header("token", &self.token)
            .send()
            .await?
            .error_for_status()?;
        let json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("json"));
        if json {
            return Err(format!("download of {remote}: {}", response.text().await?).into());
        }
        let mut out = BufWriter::with_capacity(WRITE_BUFFER, tokio::fs::File::create(local).await?);
        let mut body = response.bytes_stream();
        let mut written = 0u64;
        while let Some(piece) = body.next().await {
            let piece = piece?;
            out.write_all(&piece).await?;
            written += piece.len() as u64;
        }
        out.flush().await?;
        out.get_mut().sync_data().await?;
        Ok(written)
    }
}

/// An efile JSON answer: `Ok` for code `"0"`.
async fn answer(response: reqwest::Response) -> Result<(), BoxError> {
    let status = response.status();
    let body = response.bytes().await?;
    let answer: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        format!(
            "HTTP {status}, not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    })?;
    let ok = match &answer["code"] {
        serde_json::Value::String(code) => code == "0",
        serde_json::Value::Number(code) => code.as_i64() == Some(0),
        _ => false,
    };
    if status.is_success() && ok {
        Ok(())
    } else {
        Err(format!("HTTP {status}: {answer}").into())
    }
}
