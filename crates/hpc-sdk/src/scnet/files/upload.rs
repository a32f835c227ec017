//! `files().upload(local, remote_dir)`: one multipart request for a small file, chunks
//! and a merge above a threshold (see [`super::chunks`]); the remote size checked at
//! the end either way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::multipart::{Form, Part};
use scnet_client::operations as ops;

use super::body::{Meter, Sent, file_slice, local_error};
use super::gateway::{Gateway, read_answer};
use super::listing::find_entry;
use super::{Files, Progress, ProgressFn, absolute, join};
use crate::error::{Error, Result};

/// A file up to this size goes in one request (clients switch to chunks above 8 to
/// 50 MB; a client note puts the one-request limit near 100 MB).
pub const DEFAULT_CHUNK_THRESHOLD: u64 = 32 << 20;
/// The size of a chunk unless set: well inside the 75 MB a public client measured as
/// safe (79 MB is the limit it found).
pub const DEFAULT_CHUNK_SIZE: u64 = 16 << 20;
/// How many chunks are in flight at once unless set.
pub const DEFAULT_PARALLEL_CHUNKS: usize = 4;
/// The largest chunk the SDK sends: the safe size a public client measured.
pub const MAX_CHUNK_SIZE: u64 = 75 << 20;
/// The smallest chunk the SDK sends.
pub const MIN_CHUNK_SIZE: u64 = 64 << 10;

/// An upload; built by [`Files::upload`]. Nothing is sent until `.send()`.
///
/// ```no_run
/// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
/// let done = client
///     .files()
///     .upload("big.tar", "/public/home/u/inputs")
///     .chunk_size(32 << 20)
///     .parallel(6)
///     .overwrite(true)
///     .on_progress(|p| eprintln!("{} of {:?}", p.done, p.total))
///     .send()
///     .await?;
/// assert_eq!(done.remote_path, "/public/home/u/inputs/big.tar");
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until sent"]
pub struct Upload {
    files: Files,
    local: PathBuf,
    remote_dir: String,
    name: Option<String>,
    overwrite: bool,
    pub(super) chunk_size: u64,
    threshold: u64,
    pub(super) parallel: usize,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("local", &self.local)
            .field("remote_dir", &self.remote_dir)
            .field("name", &self.name)
            .field("overwrite", &self.overwrite)
            .field("chunk_size", &self.chunk_size)
            .field("threshold", &self.threshold)
            .field("parallel", &self.parallel)
            .finish_non_exhaustive()
    }
}

/// What an upload put where.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Uploaded {
    /// The file's remote path.
    pub remote_path: String,
    /// Its size, as sent and as the server's listing shows it.
    pub size: u64,
    /// How many chunks it went in (`0`: one request, no chunks).
    pub chunks: u64,
}

impl Files {
    /// Uploads the local file `local` into the remote folder `remote_dir` (absolute),
    /// under the same name unless [`Upload::name`] says otherwise. An existing remote
    /// file is kept (the upload fails with `911021`) unless [`Upload::overwrite`].
    ///
    /// ```
    /// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
    /// let upload = client.files().upload("in.dat", "/public/home/u").name("input.dat");
    /// # let _ = upload;
    /// ```
    pub fn upload(&self, local: impl AsRef<Path>, remote_dir: impl Into<String>) -> Upload {
        Upload {
            files: self.clone(),
            local: local.as_ref().to_path_buf(),
            remote_dir: remote_dir.into(),
            name: None,
            overwrite: false,
            chunk_size: DEFAULT_CHUNK_SIZE,
            threshold: DEFAULT_CHUNK_THRESHOLD,
            parallel: DEFAULT_PARALLEL_CHUNKS,
            progress: None,
        }
    }
}

impl Upload {
    /// The remote file's name (default: the local file's).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Replace a remote file of the same name (`cover`); default: keep it and fail.
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// The size of a chunk, clamped to 64 KiB..=75 MiB (default 16 MiB).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.clamp(MIN_CHUNK_SIZE, MAX_CHUNK_SIZE);
        self
    }

    /// Files larger than this go in chunks (default 32 MiB); `0` chunks every file.
    pub fn chunk_threshold(mut self, bytes: u64) -> Self {
        self.threshold = bytes;
        self
    }

    /// How many chunks are in flight at once, at least 1 (default 4).
    pub fn parallel(mut self, chunks: usize) -> Self {
        self.parallel = chunks.max(1);
        self
    }

    /// Called as bytes leave, with the bytes sent and the file's size.
    pub fn on_progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Uploads the file, then checks that the remote listing shows its size.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let up = scnet
    ///     .files()
    ///     .upload("input.dat", "/public/home/alice/run-1")
    ///     .overwrite(true)
    ///     .parallel(8)
    ///     .send()
    ///     .await?;
    /// println!("{} ({} bytes, {} chunks)", up.remote_path, up.size, up.chunks);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Uploaded> {
        let remote_dir = absolute(&self.remote_dir)?;
        let size = file_size(&self.local).await?;
        let name = remote_name(&self.local, self.name.as_deref())?;
        let remote_path = join(&remote_dir, &name);
        let meter = Meter::new(Some(size), self.progress.clone());
        let client = &self.files.client;
        let gateway = client.efile_gateway(self.files.region.as_deref()).await?;
        let target = Target {
            gateway: &gateway,
            local: &self.local,
            remote_dir: &remote_dir,
            name: &name,
            size,
            cover: cover(self.overwrite),
            meter: &meter,
        };
        let chunked = size > self.threshold;
        if chunked
            && !self.overwrite
            && find_entry(&self.files, &remote_dir, &name).await?.is_some()
        {
            // Refused before the first chunk: the merge would refuse it after the last.
            return Err(Error::scnet(
                "911021",
                format!("{remote_path} exists; upload with overwrite to replace it"),
                200,
            ));
        }
        let sent = match chunked {
            true => super::chunks::send(&self, &self.files, &target).await,
            false => send_whole(&self.files, &target).await.map(|()| 0),
        };
        let chunks = match sent {
            Ok(chunks) => chunks,
            // An upload or merge that may have been carried out is never sent again; the
            // listing tells whether it was. (With overwrite, an old file of the same
            // size would look the same: the error stands.)
            Err(error) if error.is_ambiguous() && !self.overwrite => {
                match find_entry(&self.files, &remote_dir, &name).await {
                    Ok(Some(entry)) if entry.size == Some(size) => {
                        super::chunks::count(size, self.chunk_size, chunked)
                    }
                    _ => return Err(error),
                }
            }
            Err(error) => return Err(error),
        };
        let found = find_entry(&self.files, &remote_dir, &name).await?;
        let found_size = found.as_ref().and_then(|entry| entry.size);
        if found_size != Some(size) {
            return Err(Error::SizeMismatch {
                path: remote_path,
                expected: size,
                found: found_size,
            });
        }
        Ok(Uploaded {
            remote_path,
            size,
            chunks,
        })
    }
}

/// What every request of one upload shares.
pub(super) struct Target<'a> {
    pub gateway: &'a Gateway,
    pub local: &'a Path,
    pub remote_dir: &'a str,
    pub name: &'a str,
    pub size: u64,
    pub cover: &'static str,
    pub meter: &'a Meter,
}

/// `POST /efile/openapi/v2/file/upload`: the whole file in one multipart request.
async fn send_whole(files: &Files, target: &Target<'_>) -> Result<()> {
    let client = &files.client;
    let url = target.gateway.url(&ops::UPLOAD_FILE);
    client
        .efile_call(
            target.gateway,
            &ops::UPLOAD_FILE,
            target.size,
            |token, limit| {
                let url = url.clone();
                async move {
                    let sent = Sent::default();
                    let result = async {
                        let body =
                            file_slice(target.local, 0, target.size, target.meter, &sent).await?;
                        let form = Form::new()
                            .text("path", target.remote_dir.to_string())
                            .text("cover", target.cover)
                            .part("file", file_part(body, target.size, target.name)?);
                        let request = client
                            .efile_request(reqwest::Method::POST, &url, &token, limit)
                            .multipart(form);
                        let response = request.send().await.map_err(crate::response::transport)?;
                        read_answer(response).await
                    }
                    .await;
                    if result.is_err() {
                        sent.undo(target.meter);
                    }
                    result
                }
            },
        )
        .await
}

/// A file part of `len` bytes streamed from `body`, named `name`.
pub(super) fn file_part(body: reqwest::Body, len: u64, name: &str) -> Result<Part> {
    Part::stream_with_length(body, len)
        .file_name(name.to_string())
        .mime_str("application/octet-stream")
        .map_err(|e| Error::invalid_input(format!("cannot build the upload: {e}")))
}

/// `cover` or `uncover`, as efile spells the overwrite choice.
fn cover(overwrite: bool) -> &'static str {
    if overwrite { "cover" } else { "uncover" }
}

/// The size of a regular local file.
async fn file_size(path: &Path) -> Result<u64> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| local_error(path, "read", e))?;
    if !meta.is_file() {
        return Err(Error::invalid_input(format!(
            "{} is not a file (upload folders file by file)",
            path.display()
        )));
    }
    Ok(meta.len())
}

/// The remote name: `explicit`, else the local file's; one path piece, UTF-8.
fn remote_name(local: &Path, explicit: Option<&str>) -> Result<String> {
    let name = match explicit {
        Some(name) => name.to_string(),
        None => local
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "{} has no UTF-8 file name: give the remote one with .name(...)",
                    local.display()
                ))
            })?
            .to_string(),
    };
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(Error::invalid_input(format!(
            "`{name}` cannot be a remote file name"
        )));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_names_are_one_piece() {
        assert_eq!(remote_name(Path::new("/x/in.dat"), None).unwrap(), "in.dat");
        assert_eq!(remote_name(Path::new("in"), Some("out")).unwrap(), "out");
        for bad in ["", "..", "a/b", "a\0"] {
            assert!(remote_name(Path::new("in"), Some(bad)).is_err(), "{bad:?}");
        }
        assert!(remote_name(Path::new("/"), None).is_err());
    }
}
