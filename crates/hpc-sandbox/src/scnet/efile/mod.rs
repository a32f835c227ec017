//! The region's efile service: list, mkdir, upload (whole and in chunks, then merged)
//! and download the cluster's files, as `scnet-efile-*.md` and lifecycle.md describe.
//!
//! Two gateways serve it over the same [`FileStore`](crate::files::FileStore), as the
//! real region lists several `efileUrls`. They share the files but not the chunks of an
//! upload in progress: those stay on the gateway that received them, so a merge sent to
//! the other one finds nothing (`911030`), as clients report of the real service.
//!
//! Nothing is held in memory whole: uploads stream to staged files, downloads stream
//! from disk, a folder's zip is built in a temporary file first.

mod chunks;
mod dirs;
mod download;
mod form;
mod upload;
mod zip;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::envelope::{SUCCESS, codes, json_value};
use super::view::{Params, required};
use super::{Rejection, region_claims};
use crate::state::Shared;

use crate::gateways::GATEWAYS;

/// The largest chunk `burst` takes unless set: the 79 MB clients measured.
pub const DEFAULT_MAX_CHUNK: u64 = 79 << 20;

/// The file exists already (and `cover` was not asked for), or mkdir's directory does.
const EXISTS: Rejection = ("911021", "文件已存在");
/// A merge found no chunks for its upload on this gateway.
const NO_CHUNKS: Rejection = ("911030", "找不到临时文件");
/// A chunk larger than the gateway takes.
const TOO_LARGE: Rejection = ("911501", "分片过大");

/// Which gateway a request came through; put on each request by [`on_gateway`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Gateway(pub(crate) usize);

/// The efile routes, the same on every gateway. Uploads are large, so axum's default
/// body limit is off; `burst` enforces its own.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/efile/openapi/v2/file/list", get(dirs::list))
        .route("/efile/openapi/v2/file/mkdir", post(dirs::mkdir))
        .route("/efile/openapi/v2/file/upload", post(upload::upload))
        .route("/efile/openapi/v2/file/burst", post(chunks::burst))
        .route("/efile/openapi/v2/file/merge", post(chunks::merge))
        .route("/efile/openapi/v2/file/download", get(download::download))
        .layer(DefaultBodyLimit::disable())
}

/// `app` as gateway number `gateway`: its requests are counted and tagged with a
/// [`Gateway`]. Meant as the outermost layer, so that faulted requests count too: a
/// test checking that a client stays on one gateway must see its retries.
pub(crate) fn on_gateway(app: Router, gateway: usize, shared: Arc<Shared>) -> Router {
    app.layer(axum::middleware::from_fn(
        move |mut request: Request, next: Next| {
            let shared = shared.clone();
            async move {
                if !request.uri().path().starts_with("/_sandbox") {
                    shared.efile.served[gateway % GATEWAYS].fetch_add(1, Ordering::SeqCst);
                }
                request.extensions_mut().insert(Gateway(gateway));
                next.run(request).await
            }
        },
    ))
}

/// The region token's check, as on the hpc host.
fn authorise(shared: &Shared, headers: &HeaderMap) -> Result<(), Rejection> {
    region_claims(shared, headers, codes::DENIED).map(|_| ())
}

/// `{"code":"0","msg":"success","data":null}`.
fn done() -> Response {
    json_value(&json!({"code": "0", "msg": SUCCESS, "data": null}))
}

/// The cluster user's home, where `list` looks without a `path`.
fn home(shared: &Shared) -> String {
    format!("/public/home/{}", shared.credentials.scnet_cluster_user)
}

/// A client's path as the store takes it: absolute, `.` and empty pieces and a trailing
/// `/` dropped; a relative path, a `..` or a NUL is `10004`.
fn cluster_path(text: &str) -> Result<String, Rejection> {
    if !text.starts_with('/') {
        return Err(codes::INVALID);
    }
    let mut path = String::new();
    for piece in text.split('/') {
        match piece {
            "" | "." => {}
            ".." => return Err(codes::INVALID),
            _ if piece.contains('\0') => return Err(codes::INVALID),
            _ => {
                path.push('/');
                path.push_str(piece);
            }
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    Ok(path)
}

/// A path relative to a directory (`relativePath`): pieces as in [`cluster_path`], at
/// least one, none `..`.
fn relative_path(text: &str) -> Result<String, Rejection> {
    let absolute = cluster_path(&format!("/{text}"))?;
    if absolute == "/" {
        return Err(codes::INVALID);
    }
    Ok(absolute[1..].to_owned())
}

/// A number parameter that must be there (`10003`) and be a count (`10004`).
fn count(params: &Params, key: &str) -> Result<u64, Rejection> {
    required(params, key)?
        .trim()
        .parse()
        .map_err(|_| codes::INVALID)
}

/// `dir/name`, without doubling the `/` of the root.
fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

/// The last piece of a path, or the path itself for the root.
fn base_name(path: &str) -> &str {
    path.rsplit('/')
        .find(|piece| !piece.is_empty())
        .unwrap_or("")
}

/// `cover`: `cover` overwrites, `uncover` (the default, also when empty) does not;
/// anything else is `10004`.
fn cover(value: Option<&str>) -> Result<bool, Rejection> {
    match value.map(str::trim) {
        None | Some("") | Some("uncover") => Ok(false),
        Some("cover") => Ok(true),
        Some(_) => Err(codes::INVALID),
    }
}

/// `directory` must be an existing directory: `911020` if missing, `10004` if a file.
fn existing_dir(shared: &Shared, directory: &str) -> Result<(), Rejection> {
    if shared.files.is_dir(directory) {
        Ok(())
    } else if shared.files.exists(directory) {
        Err(codes::INVALID)
    } else {
        Err(codes::NO_FILE)
    }
}

/// Runs file work that may take long (a merge of a gigabyte, a folder's zip) off the
/// async threads; a task that dies is `10001`.
async fn blocking<T, F>(work: F) -> Result<T, Rejection>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, Rejection> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or(Err(codes::INTERNAL))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_or_refused() {
        assert_eq!(cluster_path("/a//b/./c/").unwrap(), "/a/b/c");
        assert_eq!(cluster_path("/").unwrap(), "/");
        for bad in ["", "a/b", "/a/../b", "/..", "/a\0"] {
            assert_eq!(cluster_path(bad), Err(codes::INVALID), "{bad:?}");
        }
        assert_eq!(relative_path("d/x.bin").unwrap(), "d/x.bin");
        assert!(relative_path("").is_err() && relative_path("../x").is_err());
        assert_eq!(join("/", "x"), "/x");
        assert_eq!(join("/a", "x"), "/a/x");
        assert_eq!(base_name("/a/b.txt"), "b.txt");
        assert_eq!(base_name("/"), "");
    }

    #[test]
    fn cover_reads_the_two_words() {
        assert_eq!(cover(None), Ok(false));
        assert_eq!(cover(Some("uncover")), Ok(false));
        assert_eq!(cover(Some("cover")), Ok(true));
        assert_eq!(cover(Some("yes")), Err(codes::INVALID));
    }
}
