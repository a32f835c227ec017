//! What the SCNet efile gateways keep between requests: their URLs and chunk limit,
//! the requests each one served, and the chunks of uploads not yet merged.
//!
//! Kept apart from `scnet::efile`, which serves the routes, because [`Shared`] holds
//! this state and the routes read [`Shared`]: the state must not import them back.
//!
//! [`Shared`]: crate::state::Shared

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use tempfile::NamedTempFile;

/// How many efile gateways a sandbox runs.
pub(crate) const GATEWAYS: usize = 2;

/// What the efile gateways share beyond the files.
pub(crate) struct Efile {
    /// The gateways' service URLs as `center` lists them (`http://host:port/efile`).
    pub(crate) urls: Vec<String>,
    /// The largest chunk `burst` takes, in bytes.
    pub(crate) max_chunk: u64,
    /// Requests each gateway received (control endpoint aside, faulted ones included).
    pub(crate) served: [AtomicUsize; GATEWAYS],
    /// Chunks uploaded and not yet merged, per gateway.
    pub(crate) uploads: Uploads,
}

impl Efile {
    /// The service for gateways at `urls`, taking chunks up to `max_chunk` bytes.
    pub(crate) fn new(urls: Vec<String>, max_chunk: u64) -> Self {
        Self {
            urls,
            max_chunk,
            served: Default::default(),
            uploads: Uploads::default(),
        }
    }

    /// How many requests each gateway received.
    pub(crate) fn served(&self) -> [usize; GATEWAYS] {
        std::array::from_fn(|gateway| self.served[gateway].load(Ordering::SeqCst))
    }
}

/// How many missing chunk numbers a refused merge names.
const NAMED_MISSING: usize = 10;

/// Which upload a chunk belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct UploadKey {
    pub(crate) gateway: usize,
    /// The target directory.
    pub(crate) path: String,
    /// The file's path under it.
    pub(crate) relative: String,
    pub(crate) identifier: String,
    pub(crate) cover: bool,
}

/// The chunks of one upload so far.
#[derive(Debug)]
pub(crate) struct Upload {
    pub(crate) total_chunks: u64,
    pub(crate) total_size: u64,
    /// Where its chunks are, one file per number.
    pub(crate) dir: PathBuf,
    /// The chunks received: number, bytes.
    pub(crate) chunks: BTreeMap<u64, u64>,
}

impl Upload {
    /// Whether the chunks make the whole file: every number there, the sizes adding up
    /// to `totalSize`. Else the `10004` message naming what is wrong.
    pub(crate) fn check(&self) -> Result<(), String> {
        let mut missing = (1..=self.total_chunks).filter(|n| !self.chunks.contains_key(n));
        let named: Vec<String> = missing
            .by_ref()
            .take(NAMED_MISSING)
            .map(|n| n.to_string())
            .collect();
        if !named.is_empty() {
            let more = if missing.next().is_some() {
                ", …"
            } else {
                ""
            };
            return Err(format!("参数不合法: 缺少分片 {}{more}", named.join(", ")));
        }
        let size: u64 = self.chunks.values().sum();
        if size != self.total_size {
            return Err(format!(
                "参数不合法: 分片共 {size} 字节, totalSize 为 {}",
                self.total_size
            ));
        }
        Ok(())
    }
}

/// Chunks uploaded and not yet merged, on every gateway.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    uploads: Mutex<HashMap<UploadKey, Upload>>,
    /// Numbers the uploads' directories, so an upload begun again never shares one
    /// with a merge of its old self still running.
    serial: AtomicU64,
}

impl Uploads {
    fn lock(&self) -> MutexGuard<'_, HashMap<UploadKey, Upload>> {
        // A panic elsewhere while holding the lock leaves the map itself intact.
        self.uploads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps `chunk` as chunk `number` of upload `key`, replacing one of that number.
    /// Chunks announcing other totals than the upload's begin it again: the client
    /// restarted it for a changed file.
    pub(crate) fn store(
        &self,
        root: &std::path::Path,
        key: UploadKey,
        (total_chunks, total_size): (u64, u64),
        number: u64,
        chunk: NamedTempFile,
    ) -> io::Result<()> {
        let len = chunk.as_file().metadata()?.len();
        let mut uploads = self.lock();
        let upload = uploads.entry(key).or_insert_with(|| Upload {
            total_chunks,
            total_size,
            dir: root.join(self.serial.fetch_add(1, Ordering::SeqCst).to_string()),
            chunks: BTreeMap::new(),
        });
        if (upload.total_chunks, upload.total_size) != (total_chunks, total_size) {
            let _ = fs::remove_dir_all(&upload.dir);
            upload.chunks.clear();
            (upload.total_chunks, upload.total_size) = (total_chunks, total_size);
        }
        fs::create_dir_all(&upload.dir)?;
        chunk.persist(upload.dir.join(number.to_string()))?;
        upload.chunks.insert(number, len);
        Ok(())
    }

    /// Takes upload `key` out for a merge. A merge with no identifier takes the one
    /// upload that matches it but for the identifier, if there is just one: clients
    /// leave it out of the merge while sending it with the chunks.
    pub(crate) fn take(&self, key: &UploadKey) -> Option<(UploadKey, Upload)> {
        let mut uploads = self.lock();
        if let Some(upload) = uploads.remove(key) {
            return Some((key.clone(), upload));
        }
        if !key.identifier.is_empty() {
            return None;
        }
        let alike: Vec<UploadKey> = uploads
            .keys()
            .filter(|other| {
                UploadKey {
                    identifier: String::new(),
                    ..(*other).clone()
                } == *key
            })
            .take(2)
            .cloned()
            .collect();
        match alike.as_slice() {
            [only] => uploads.remove(only).map(|upload| (only.clone(), upload)),
            _ => None,
        }
    }

    /// Puts back an upload a merge refused, for the client to complete it.
    pub(crate) fn put_back(&self, key: UploadKey, upload: Upload) {
        self.lock().insert(key, upload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(gateway: usize, identifier: &str) -> UploadKey {
        UploadKey {
            gateway,
            path: "/d".into(),
            relative: "x".into(),
            identifier: identifier.into(),
            cover: false,
        }
    }

    fn upload(total_chunks: u64, total_size: u64, chunks: &[(u64, u64)]) -> Upload {
        Upload {
            total_chunks,
            total_size,
            dir: PathBuf::from("/nowhere"),
            chunks: chunks.iter().copied().collect(),
        }
    }

    #[test]
    fn a_merge_names_missing_chunks_and_wrong_sizes() {
        assert_eq!(upload(2, 5, &[(1, 3), (2, 2)]).check(), Ok(()));
        let missing = upload(3, 5, &[(2, 5)]).check().unwrap_err();
        assert!(missing.ends_with("缺少分片 1, 3"), "{missing}");
        let many = upload(100, 5, &[]).check().unwrap_err();
        assert!(many.ends_with("10, …"), "{many}");
        let size = upload(1, 5, &[(1, 4)]).check().unwrap_err();
        assert!(size.contains("4") && size.contains("5"), "{size}");
    }

    #[test]
    fn a_merge_without_identifier_takes_the_one_alike_upload() {
        let uploads = Uploads::default();
        uploads.put_back(key(0, "5-x"), upload(1, 1, &[]));
        assert!(uploads.take(&key(1, "")).is_none(), "another gateway");
        assert!(uploads.take(&key(0, "other")).is_none());
        let (found, _) = uploads.take(&key(0, "")).unwrap();
        assert_eq!(found, key(0, "5-x"));
        uploads.put_back(key(0, "a"), upload(1, 1, &[]));
        uploads.put_back(key(0, "b"), upload(1, 1, &[]));
        assert!(uploads.take(&key(0, "")).is_none(), "ambiguous");
    }
}
