//! Request bodies read from disk as they are sent, and the byte meter behind progress.
//! A chunk of 16 MiB in flight holds one read buffer, not 16 MiB.

use std::io::SeekFrom;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::io::{Read, Seek};

use futures::StreamExt;

use super::{Progress, ProgressFn};
use crate::error::{Error, Result};

/// How much of the file one read takes.
const READ_BUFFER: usize = 256 << 10;
/// How many read buffers may wait for the socket.
const READ_AHEAD: usize = 2;

/// Counts a transfer's bytes and tells the progress callback, if there is one.
#[derive(Clone)]
pub(crate) struct Meter {
    done: Arc<AtomicU64>,
    /// The whole size; [`UNKNOWN`] until known.
    total: Arc<AtomicU64>,
    callback: Option<ProgressFn>,
}

/// A total not known (yet).
const UNKNOWN: u64 = u64::MAX;

impl Meter {
    pub fn new(total: Option<u64>, callback: Option<ProgressFn>) -> Self {
        Self {
            done: Arc::new(AtomicU64::new(0)),
            total: Arc::new(AtomicU64::new(total.unwrap_or(UNKNOWN))),
            callback,
        }
    }

    /// The whole size, once a download's headers tell it.
    pub fn set_total(&self, total: Option<u64>) {
        self.total
            .store(total.unwrap_or(UNKNOWN), Ordering::Relaxed);
    }

    /// Starts the count at `done` (a resumed download) and reports it.
    pub fn start_at(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
        self.report(done);
    }

    pub fn add(&self, bytes: u64) {
        let done = self.done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.report(done);
    }

    /// Takes back the bytes of an attempt that failed.
    pub fn take_back(&self, bytes: u64) {
        let done = self.done.fetch_sub(bytes, Ordering::Relaxed) - bytes;
        self.report(done);
    }

    fn report(&self, done: u64) {
        if let Some(callback) = &self.callback {
            let total = self.total.load(Ordering::Relaxed);
            callback(Progress {
                done,
                total: (total != UNKNOWN).then_some(total),
            });
        }
    }
}

/// What one attempt sent, so that a failure can take it back from the meter.
#[derive(Clone, Default)]
pub(crate) struct Sent(Arc<AtomicU64>);

impl Sent {
    /// Takes this attempt's bytes back from `meter`.
    pub fn undo(&self, meter: &Meter) {
        meter.take_back(self.0.swap(0, Ordering::Relaxed));
    }
}

/// Bytes `offset..offset + len` of the file at `path` as a streamed body, counted on
/// `meter` and `sent` as they leave. One blocking thread reads the whole slice ahead of
/// the socket by at most [`READ_AHEAD`] buffers: a read per tokio blocking call would
/// spread a chunk over many pool threads, and glibc keeps a malloc arena for each (the
/// 1 GiB upload's peak grew a third before this). A file that shrank under it ends the
/// body early: the request fails rather than send less than it announced.
pub(crate) async fn file_slice(
    path: &Path,
    offset: u64,
    len: u64,
    meter: &Meter,
    sent: &Sent,
) -> Result<reqwest::Body> {
    let mut file = std::fs::File::open(path).map_err(|e| local_error(path, "open", e))?;
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| local_error(path, "read", e))?;
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(READ_AHEAD);
    tokio::task::spawn_blocking(move || read_into(file.take(len), &tx));
    let (meter, sent) = (meter.clone(), sent.clone());
    let pieces = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    });
    let stream = pieces.map(move |piece| {
        if let Ok(piece) = &piece {
            let n = piece.len() as u64;
            sent.0.fetch_add(n, Ordering::Relaxed);
            meter.add(n);
        }
        piece
    });
    Ok(reqwest::Body::wrap_stream(stream))
}

/// Reads `reader` to its end in [`READ_BUFFER`] pieces into `tx`; stops when the body
/// is dropped (the request ended).
fn read_into(mut reader: impl Read, tx: &tokio::sync::mpsc::Sender<std::io::Result<bytes::Bytes>>) {
    loop {
        let mut buffer = vec![0; READ_BUFFER];
        let piece = match reader.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => {
                buffer.truncate(n);
                Ok(bytes::Bytes::from(buffer))
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => Err(error),
        };
        let failed = piece.is_err();
        if tx.blocking_send(piece).is_err() || failed {
            return;
        }
    }
}

/// A local file problem, naming the file.
pub(crate) fn local_error(path: &Path, doing: &'static str, error: std::io::Error) -> Error {
    Error::LocalFile {
        path: path.to_path_buf(),
        doing,
        source: error,
    }
}
