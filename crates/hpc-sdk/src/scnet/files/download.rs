//! `files().download(remote, local)`: streamed to `<local>.hpc-part` and renamed when
//! complete, so a failure never leaves a short file under the final name. A stream cut
//! midway goes on from where it stopped with `Range`, within the retry policy; with
//! `.resume(true)`, so does a part file left by an earlier run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use scnet_client::operations as ops;
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::answer::{self, Answer};
use super::body::{Meter, local_error};
use super::gateway::Gateway;
use super::{Files, Progress, ProgressFn, absolute};
use crate::error::{Error, Result};

/// The suffix of a download in progress.
pub const PART_SUFFIX: &str = ".hpc-part";

/// How much is written to disk at once.
const WRITE_BUFFER: usize = 1 << 20;

/// The body of a download is read with no limit of its own; only a stall ends it.
const NO_LIMIT: Duration = Duration::from_secs(7 * 24 * 3600);

/// A download; built by [`Files::download`]. Nothing is sent until `.send()`.
///
/// ```no_run
/// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
/// let done = client
///     .files()
///     .download("/public/home/u/run/out.tar", "out.tar")
///     .resume(true)
///     .send()
///     .await?;
/// println!("{} bytes, {} of them fetched before", done.bytes, done.resumed_from);
/// # Ok(()) }
/// ```
#[must_use = "a download does nothing until sent"]
pub struct Download {
    files: Files,
    remote: String,
    local: PathBuf,
    resume: bool,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("remote", &self.remote)
            .field("local", &self.local)
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
}

/// What a download wrote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Downloaded {
    /// The file written.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// The bytes a part file held already when the download began (with `resume`).
    pub resumed_from: u64,
    /// Whether it is a zip: a remote folder arrives as one.
    pub zip: bool,
}

impl Files {
    /// Downloads the remote file or folder `remote` (absolute) to `local`. A folder
    /// arrives as a zip. If `local` is an existing folder, the file lands in it under
    /// the remote name (a folder's zip as `<name>.zip`). A local file of that name is
    /// replaced once the download is complete.
    ///
    /// ```
    /// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
    /// let download = client.files().download("/public/home/u/out.txt", ".");
    /// # let _ = download;
    /// ```
    pub fn download(&self, remote: impl Into<String>, local: impl AsRef<Path>) -> Download {
        Download {
            files: self.clone(),
            remote: remote.into(),
            local: local.as_ref().to_path_buf(),
            resume: false,
            progress: None,
        }
    }
}

impl Download {
    /// Go on from the part file an earlier download left (`<local>.hpc-part`), asking
    /// only for the rest; default: begin again.
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// Called as bytes arrive, with the bytes written and the size when known.
    pub fn on_progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Downloads the file and renames it into place.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let got = scnet
    ///     .files()
    ///     .download("/public/home/alice/run-1/out.dat", "out.dat")
    ///     .resume(true)
    ///     .on_progress(|p| eprintln!("{} of {:?} bytes", p.done, p.total))
    ///     .send()
    ///     .await?;
    /// println!("{} bytes in {}", got.bytes, got.path.display());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Downloaded> {
        let remote = absolute(&self.remote)?;
        let (target, named_here) = target_path(&self.local, &remote).await?;
        let part = PathBuf::from(format!("{}{PART_SUFFIX}", target.display()));
        let client = &self.files.client;
        let gateway = client.efile_gateway(self.files.region.as_deref()).await?;
        let from = match self.resume {
            true => tokio::fs::metadata(&part).await.map_or(0, |m| m.len()),
            false => 0,
        };
        let meter = Meter::new(None, self.progress.clone());
        let mut sink = Sink::open(&part, from).await?;
        meter.start_at(from);
        let zip = match fetch(&self.files, &gateway, &remote, &mut sink, &meter).await {
            Ok(zip) => zip,
            Err(error) => {
                // An empty part file tells nothing to resume from.
                if sink.written == 0 {
                    drop(sink);
                    let _ = tokio::fs::remove_file(&part).await;
                }
                return Err(error);
            }
        };
        let bytes = sink.finish().await?;
        let path = match named_here && zip && !remote.ends_with(".zip") {
            true => PathBuf::from(format!("{}.zip", target.display())),
            false => target,
        };
        tokio::fs::rename(&part, &path)
            .await
            .map_err(|e| local_error(&path, "rename the download into", e))?;
        Ok(Downloaded {
            path,
            bytes,
            resumed_from: from,
            zip,
        })
    }
}

/// Requests and writes until the whole file is in `sink`; whether it is a zip.
async fn fetch(
    files: &Files,
    gateway: &Gateway,
    remote: &str,
    sink: &mut Sink,
    meter: &Meter,
) -> Result<bool> {
    let rt = &files.client.inner.rt;
    let stall = rt.timeouts.per_attempt;
    let mut backoff = rt.retry.backoff();
    loop {
        let from = sink.written;
        match request(files, gateway, remote, from).await? {
            Answer::RangeRefused { total } if total == Some(from) => return Ok(false),
            Answer::RangeRefused { .. } => {
                // The part file is not a beginning of the remote file (which changed or
                // shrank): begin again.
                sink.restart().await?;
                meter.start_at(0);
            }
            Answer::Bytes {
                response,
                start,
                total,
                zip,
            } => {
                if start == 0 && from > 0 {
                    // The server sent the whole file, not the rest.
                    sink.restart().await?;
                    meter.start_at(0);
                }
                meter.set_total(total);
                match copy(response, sink, meter, stall).await {
                    Ok(()) => {
                        return match total {
                            Some(total) if total != sink.written => Err(Error::SizeMismatch {
                                path: sink.path.display().to_string(),
                                expected: total,
                                found: Some(sink.written),
                            }),
                            _ => Ok(zip),
                        };
                    }
                    Err(error @ Error::LocalFile { .. }) => return Err(error),
                    Err(error) => {
                        sink.flush().await?;
                        let Some(delay) = backoff.next() else {
                            return Err(error);
                        };
                        tracing::debug!(%error, written = sink.written, ?delay, "download cut: going on with Range");
                        rt.sleep.sleep(delay).await;
                    }
                }
            }
        }
    }
}

/// `GET /efile/openapi/v2/file/download` from byte `from`, its head read (and retried).
async fn request(files: &Files, gateway: &Gateway, remote: &str, from: u64) -> Result<Answer> {
    let client = &files.client;
    let url = gateway.url(&ops::DOWNLOAD_FILE);
    let url = &url;
    client
        .efile_call(gateway, &ops::DOWNLOAD_FILE, 0, |token, limit| async move {
            let mut request = client
                .efile_request(reqwest::Method::GET, url, &token, limit)
                .query(&[("path", remote)])
                .timeout(NO_LIMIT);
            if from > 0 {
                request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
            }
            let response = request.send().await.map_err(crate::response::transport)?;
            answer::read(response, from).await
        })
        .await
}

/// Writes the body into `sink`; a gap of `stall` between two pieces is a timeout.
async fn copy(
    response: reqwest::Response,
    sink: &mut Sink,
    meter: &Meter,
    stall: Duration,
) -> Result<()> {
    let mut body = response.bytes_stream();
    loop {
        let next = tokio::time::timeout(stall, body.next())
            .await
            .map_err(|_| Error::Timeout {
                after: stall,
                scope: "attempt",
            })?;
        match next {
            None => return Ok(()),
            Some(Err(error)) => return Err(crate::response::transport(error)),
            Some(Ok(piece)) => {
                sink.write(&piece).await?;
                meter.add(piece.len() as u64);
            }
        }
    }
}

/// The part file being written.
struct Sink {
    path: PathBuf,
    file: BufWriter<tokio::fs::File>,
    written: u64,
}

impl Sink {
    /// Opens the part file at `path`, keeping its first `keep` bytes.
    async fn open(path: &Path, keep: u64) -> Result<Self> {
        let local = |e| local_error(path, "write", e);
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(keep == 0)
            .open(path)
            .await
            .map_err(local)?;
        file.set_len(keep).await.map_err(local)?;
        file.seek(std::io::SeekFrom::Start(keep))
            .await
            .map_err(local)?;
        Ok(Self {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(WRITE_BUFFER, file),
            written: keep,
        })
    }

    async fn write(&mut self, piece: &[u8]) -> Result<()> {
        let path = &self.path;
        self.file
            .write_all(piece)
            .await
            .map_err(|e| local_error(path, "write", e))?;
        self.written += piece.len() as u64;
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        let path = &self.path;
        self.file
            .flush()
            .await
            .map_err(|e| local_error(path, "write", e))
    }

    /// Empties the file, to begin again.
    async fn restart(&mut self) -> Result<()> {
        self.flush().await?;
        let path = &self.path;
        let file = self.file.get_mut();
        file.set_len(0)
            .await
            .map_err(|e| local_error(path, "write", e))?;
        file.seek(std::io::SeekFrom::Start(0))
            .await
            .map_err(|e| local_error(path, "write", e))?;
        self.written = 0;
        Ok(())
    }

    /// Flushes the bytes to disk (a rename after a crash never shows a short file);
    /// the size written.
    async fn finish(mut self) -> Result<u64> {
        self.flush().await?;
        let path = &self.path;
        self.file
            .get_mut()
            .sync_data()
            .await
            .map_err(|e| local_error(path, "write", e))?;
        Ok(self.written)
    }
}

/// The final path, and whether the SDK named it (`local` is a folder).
async fn target_path(local: &Path, remote: &str) -> Result<(PathBuf, bool)> {
    if !tokio::fs::metadata(local).await.is_ok_and(|m| m.is_dir()) {
        return Ok((local.to_path_buf(), false));
    }
    let name = remote
        .rsplit('/')
        .find(|piece| !piece.is_empty())
        .ok_or_else(|| {
            Error::invalid_input("download `/` to a file path, not a folder: it has no name")
        })?;
    Ok((local.join(name), true))
}
