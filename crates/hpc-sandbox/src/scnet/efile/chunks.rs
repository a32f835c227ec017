//! `file/burst` and `file/merge`: a file uploaded in numbered chunks, then put
//! together. Chunks wait on the gateway that received them, in a temporary area keyed by
//! the gateway and the upload's `path`, `relativePath`, `identifier` and `cover`, so a
//! merge finds them only through the same gateway with the same fields.

use std::fs::File;
use std::io::{self, BufWriter};
use std::sync::Arc;

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
use crate::gateways::{Upload, UploadKey};
use crate::scnet::Rejection;
use crate::scnet::envelope::{codes, fail, scnet_error};
use crate::scnet::view::{Params, optional, query_params, required};
use crate::state::Shared;

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
    let _ = std::fs::remove_dir_all(&upload.dir);
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
