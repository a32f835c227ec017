//! `files()`: the cluster's files through the region's efile service. List and mkdir
//! are generated calls; upload and download stream through the SDK's own code, since
//! progenitor builds no multipart body and would hold a download in memory.
//!
//! ```no_run
//! # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
//! let files = client.files();
//! files.mkdir("/public/home/u/run").parents(true).send().await?;
//! let up = files.upload("input.dat", "/public/home/u/run").send().await?;
//! println!("{} bytes at {}", up.size, up.remote_path);
//! files.download("/public/home/u/run/out.txt", "out.txt").send().await?;
//! # Ok(()) }
//! ```

mod answer;
mod body;
mod chunks;
mod download;
mod gateway;
mod listing;
mod upload;

use std::sync::Arc;

pub use download::{Download, Downloaded, PART_SUFFIX};
pub use listing::{FileEntry, ListFiles, MakeDirectory};
pub use upload::{
    DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_THRESHOLD, DEFAULT_PARALLEL_CHUNKS, MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE, Upload, Uploaded,
};

use super::Client;
use crate::error::{Error, Result};

/// The region's files; from [`Client::files`]. Cheap to clone.
///
/// ```
/// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let files = client.files().region("11112");
/// # let _ = files;
/// ```
#[derive(Clone, Debug)]
pub struct Files {
    client: Client,
    region: Option<String>,
}

impl Client {
    /// The cluster's files, through the efile gateway of the client's region.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let page = client.files().list("").send().await?;
    /// println!("{} entries in the home folder", page.total_count);
    /// # Ok(()) }
    /// ```
    pub fn files(&self) -> Files {
        Files {
            client: self.clone(),
            region: None,
        }
    }
}

impl Files {
    /// Another region than the client's.
    pub fn region(mut self, id: impl Into<String>) -> Self {
        self.region = Some(id.into());
        self
    }
}

/// How far a transfer is: bytes done, and the whole size when known.
///
/// ```
/// let progress = hpc_sdk::scnet::Progress::new(25, Some(100));
/// assert_eq!(progress.fraction(), Some(0.25));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes sent or received so far. A request that failed and is sent again takes
    /// its bytes back first, so this may step down.
    pub done: u64,
    /// The whole transfer, when known (a download without `Content-Length` is not).
    pub total: Option<u64>,
}

impl Progress {
    /// `done` bytes of `total`.
    pub fn new(done: u64, total: Option<u64>) -> Self {
        Self { done, total }
    }

    /// `done / total`, when the total is known and not zero.
    pub fn fraction(&self) -> Option<f64> {
        self.total
            .filter(|total| *total > 0)
            .map(|total| self.done as f64 / total as f64)
    }
}

/// A progress callback, shared by a transfer's requests.
pub(crate) type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// A remote path as efile takes it: absolute, without a trailing `/`.
pub(crate) fn absolute(path: &str) -> Result<String> {
    let trimmed = path.trim();
    if !trimmed.starts_with('/') {
        return Err(Error::invalid_input(format!(
            "remote path `{trimmed}` must be absolute (start with /)"
        )));
    }
    if trimmed.split('/').any(|piece| piece == "..") {
        return Err(Error::invalid_input(format!(
            "remote path `{trimmed}` must not contain `..`"
        )));
    }
    let without = trimmed.trim_end_matches('/');
    Ok(if without.is_empty() { "/" } else { without }.to_string())
}

/// `dir/name`, without doubling the `/` of the root.
pub(crate) fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_paths_are_absolute_and_trimmed() {
        assert_eq!(absolute("/a/b/").unwrap(), "/a/b");
        assert_eq!(absolute(" / ").unwrap(), "/");
        assert!(absolute("a/b").is_err());
        assert!(absolute("/a/../b").is_err());
        assert_eq!(join("/", "x"), "/x");
        assert_eq!(join("/a/", "x"), "/a/x");
    }

    #[test]
    fn progress_has_a_fraction_only_with_a_total() {
        let p = |done, total| Progress { done, total };
        assert_eq!(p(5, None).fraction(), None);
        assert_eq!(p(0, Some(0)).fraction(), None);
        assert_eq!(p(1, Some(4)).fraction(), Some(0.25));
    }
}
