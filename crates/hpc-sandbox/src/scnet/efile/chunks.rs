//! `file/burst` and `file/merge`: a file uploaded in numbered chunks, then put
//! together. Chunks wait on the gateway that received them, in a temporary area keyed by
//! the gateway and the upload's `path`, `relativePath`, `identifier` and `cover`, so a
//! merge finds them only through the same gateway with the same fields.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Extension;
use axum::extract::{Request, State};
use axum::response::Response;
use tempfile::NamedTempFile;

use super::form::{Form, is_multipart, read_multipart, read_urlencoded};
use super::{
    EXISTS, Gateway, NO_CHUNKS, authorise, cluster_path, count, cover, done, existing_dir, join,
    relative_path,
};
use crate::files::FileStore;
use crate::scnet::Rejection;
use crate::scnet::envelope::{codes, fail, scnet_error};
use crate::scnet::view::{Params, optional, query_params, required};
use crate::state::Shared;

/// How many missing chunk numbers a refused merge names.
const NAMED_MISSING: usize = 10;

/// Which upload a chunk belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct UploadKey {
    gateway: usize,
    /// The target directory.
    path: String,
    /// The file's path under it.
    relative: String,
    identifier: String,
    cover: bool,
}

/// The chunks of one upload so far.
#[derive(Debug)]
struct Upload {
    total_chunks: u64,
    total_size: u64,
    /// Where its chunks are, one file per number.
    dir: PathBuf,
    /// The chunks received: number, bytes.
    chunks: BTreeMap<u64, u64>,
}

impl Upload {
    /// Whether the chunks make the whole file: every number there, the sizes adding up
    /// to `totalSize`. Else the `10004` message naming what is wrong.
    fn check(&self) -> Result<(), String> {
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
    fn store(
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
    fn take(&self, key: &UploadKey) -> Option<(UploadKey, Upload)> {
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
    fn put_back(&self, key: UploadKey, upload: Upload) {
        self.lock().insert(key, upload);
    }
}

/// The directory and relative path of an upload: `path`, and `relativePath` (or
/// `filename` when it is left out).
fn place(fields: &Params) -> Result<(String, String), Rejection> {
    let directory = cluster_path(required(fields, "path")?)?;
    let relative = optional(fields, "relativePath")
        .or_else(|| optional(fields, "filename"))
        .ok_or(codes::MISSING)?;
    Ok((directory, relative_path(relative)?))
}

/// A chunk's form, checked; the chunk kept.
fn accept_chunk(
    shared: &Shared,
    gateway: usize,
    form: Form<BufWriter<NamedTempFile>>,
) -> Result<(), Rejection> {
    let fields = &form.fields;
    let number = count(fields, "chunkNumber")?;
    let total_chunks = count(fields, "totalChunks")?;
    let total_size = count(fields, "totalSize")?;
    if number == 0 || number > total_chunks {
        return Err(codes::INVALID);
    }
    if optional(fields, "chunkSize").is_some() {
        count(fields, "chunkSize")?;
    }
    let (path, relative) = place(fields)?;
    let cover = cover(optional(fields, "cover"))?;
    let part = form.file.ok_or(codes::MISSING)?;
    if optional(fields, "currentChunkSize").is_some()
        && count(fields, "currentChunkSize")? != part.len
    {
        return Err(codes::INVALID);
    }
    existing_dir(shared, &path)?;
    let key = UploadKey {
        gateway,
        path,
        relative,
        identifier: optional(fields, "identifier")
            .unwrap_or_default()
            .to_owned(),
        cover,
    };
    let chunk = part.sink.into_inner().map_err(|_| codes::INTERNAL)?;
    let root = shared.files.chunk_root();
    (shared.efile.uploads)
        .store(&root, key, (total_chunks, total_size), number, chunk)
        .map_err(|_| codes::INTERNAL)
}

/// `POST /efile/openapi/v2/file/burst`, multipart: one chunk and its upload's fields.
/// The chunk streams to a temporary file and is kept only once the form checks out; a
/// chunk over the gateway's limit is `911501`.
pub(super) async fn burst(
    State(shared): State<Arc<Shared>>,
    Extension(Gateway(gateway)): Extension<Gateway>,
    request: Request,
) -> Response {
    if let Err(rejection) = authorise(&shared, request.headers()) {
        return fail(rejection);
    }
    let root = shared.files.chunk_root();
    let open = || NamedTempFile::new_in(&root).map(BufWriter::new);
    let form = read_multipart(request, open, Some(shared.efile.max_chunk)).await;
    match form.and_then(|form| accept_chunk(&shared, gateway, form)) {
        Ok(()) => done(),
        Err(rejection) => fail(rejection),
    }
}

/// Writes the chunks in order into the target, file to file, then drops them.
fn concatenate(store: &FileStore, upload: &Upload, target: &str) -> io::Result<()> {
    let mut staged = store.stage_unplaced()?;
    for number in 1..=upload.total_chunks {
        let mut chunk = File::open(upload.dir.join(number.to_string()))?;
        io::copy(&mut chunk, &mut staged)?;
    }
    staged.commit_to(store, target)?;
    let _ = fs::remove_dir_all(&upload.dir);
    Ok(())
}

/// `POST /efile/openapi/v2/file/merge`, urlencoded or multipart: puts the chunks this
/// gateway holds for the upload together at `path/relativePath`. The identifier is read
/// under either spelling, `identifier` or the documented `indentifier`.
pub(super) async fn merge(
    State(shared): State<Arc<Shared>>,
    Extension(Gateway(gateway)): Extension<Gateway>,
    request: Request,
) -> Response {
    if let Err(rejection) = authorise(&shared, request.headers()) {
        return fail(rejection);
    }
    let params = if is_multipart(&request) {
        let query = query_params(request.uri().query());
        let form = read_multipart(request, || Ok(io::sink()), None).await;
        query.and_then(|mut params| {
            params.extend(form?.fields);
            Ok(params)
        })
    } else {
        read_urlencoded(request).await
    };
    let wanted = params.and_then(|params| {
        let (path, relative) = place(&params)?;
        let identifier = optional(&params, "identifier")
            .or_else(|| optional(&params, "indentifier"))
            .unwrap_or_default()
            .to_owned();
        let cover = cover(optional(&params, "cover"))?;
        Ok(UploadKey {
            gateway,
            path,
            relative,
            identifier,
            cover,
        })
    });
    let wanted = match wanted {
        Ok(key) => key,
        Err(rejection) => return fail(rejection),
    };
    let uploads = &shared.efile.uploads;
    let Some((key, upload)) = uploads.take(&wanted) else {
        return fail(NO_CHUNKS);
    };
    if let Err(message) = upload.check() {
        uploads.put_back(key, upload);
        return scnet_error(codes::INVALID.0, &message);
    }
    let target = join(&key.path, &key.relative);
    let refused = existing_dir(&shared, &key.path).and_then(|()| {
        let taken = shared.files.exists(&target) && !key.cover;
        if shared.files.is_dir(&target) || taken {
            Err(EXISTS)
        } else {
            Ok(())
        }
    });
    if let Err(rejection) = refused {
        uploads.put_back(key, upload);
        return fail(rejection);
    }
    let worker = shared.clone();
    let merged = tokio::task::spawn_blocking(move || {
        let merged = concatenate(&worker.files, &upload, &target);
        (merged, upload)
    })
    .await;
    match merged {
        Ok((Ok(()), _)) => done(),
        Ok((Err(_), upload)) => {
            uploads.put_back(key, upload);
            fail(codes::INTERNAL)
        }
        Err(_) => fail(codes::INTERNAL),
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
