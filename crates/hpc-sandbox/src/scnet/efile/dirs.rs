//! `file/list` and `file/mkdir`.

use std::cmp::Ordering;
use std::io;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{EXISTS, authorise, cluster_path, count, done, existing_dir, home, join};
use crate::files::DirEntry;
use crate::scnet::Rejection;
use crate::scnet::envelope::{SUCCESS, codes, fail, json_value};
use crate::scnet::outputs::settle;
use crate::scnet::view::{Params, clock, optional, query_params, required};
use crate::state::Shared;

/// The most entries one `list` answers, whatever `limit` asks: the 1000 clients cite.
const MAX_LIMIT: u64 = 1000;

/// The size a directory reports, as on the cluster's file system.
const DIRECTORY_SIZE: u64 = 4096;

/// How `list` orders its entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OrderBy {
    Name,
    Size,
    Modified,
}

/// `list`'s query, read and checked.
struct Listing {
    path: String,
    start: u64,
    limit: u64,
    descending: bool,
    order_by: OrderBy,
    keyword: String,
}

fn listing(shared: &Shared, params: &Params) -> Result<Listing, Rejection> {
    let start = count(params, "start")?;
    let limit = count(params, "limit")?.min(MAX_LIMIT);
    let path = match optional(params, "path") {
        Some(path) => cluster_path(path)?,
        None => home(shared),
    };
    let descending = match optional(params, "order") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(codes::INVALID),
    };
    let order_by = match optional(params, "orderBy") {
        None | Some("name") => OrderBy::Name,
        Some("size") => OrderBy::Size,
        Some("lastModifiedTime") => OrderBy::Modified,
        Some(_) => return Err(codes::INVALID),
    };
    let keyword = optional(params, "keyWord").unwrap_or_default().to_owned();
    Ok(Listing {
        path,
        start,
        limit,
        descending,
        order_by,
        keyword,
    })
}

fn size(entry: &DirEntry) -> u64 {
    if entry.is_dir {
        DIRECTORY_SIZE
    } else {
        entry.len
    }
}

/// Entries in the asked order; ties go by name, so pages never overlap.
fn sort(entries: &mut [DirEntry], order_by: OrderBy, descending: bool) {
    entries.sort_by(|a, b| {
        let first = match order_by {
            OrderBy::Name => Ordering::Equal,
            OrderBy::Size => size(a).cmp(&size(b)),
            OrderBy::Modified => a.modified.cmp(&b.modified),
        };
        let order = first.then_with(|| a.name.cmp(&b.name));
        if descending { order.reverse() } else { order }
    });
}

/// A stable key per path, a decimal string as some clients type `fileKey`.
fn file_key(path: &str) -> String {
    let digest = Sha256::digest(path.as_bytes());
    let key = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) >> 1;
    key.to_string()
}

/// One `fileList` item. The store keeps no creation time, so `creationTime` is the
/// modification time, as for a file written once.
fn item(shared: &Shared, dir: &str, entry: &DirEntry) -> Value {
    let path = join(dir, &entry.name);
    let time = entry
        .modified
        .map(|at| clock(DateTime::<Utc>::from(at)))
        .unwrap_or_default();
    json!({
        "name": entry.name,
        "path": path,
        "size": size(entry),
        "isDirectory": entry.is_dir,
        "type": if entry.is_dir { "directory" } else { "file" },
        "lastModifiedTime": time,
        "creationTime": time,
        "permission": if entry.is_dir { "rwxr-xr-x" } else { "rw-r--r--" },
        "owner": shared.credentials.scnet_cluster_user,
        "fileKey": file_key(&path),
    })
}

/// `GET /efile/openapi/v2/file/list?path=&start=&limit=&order=&orderBy=&keyWord=`.
pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let checked = authorise(&shared, &headers)
        .and_then(|()| query_params(query.as_deref()))
        .and_then(|params| listing(&shared, &params));
    let listing = match checked {
        Ok(listing) => listing,
        Err(rejection) => return fail(rejection),
    };
    settle(&shared);
    if let Err(rejection) = existing_dir(&shared, &listing.path) {
        return fail(rejection);
    }
    let mut entries = match shared.files.list_dir(&listing.path) {
        Ok(entries) => entries,
        Err(_) => return fail(codes::INTERNAL),
    };
    entries.retain(|entry| entry.name.contains(listing.keyword.as_str()));
    sort(&mut entries, listing.order_by, listing.descending);
    let page: Vec<Value> = entries
        .iter()
        .skip(usize::try_from(listing.start).unwrap_or(usize::MAX))
        .take(usize::try_from(listing.limit).unwrap_or(usize::MAX))
        .map(|entry| item(&shared, &listing.path, entry))
        .collect();
    json_value(&json!({
        "code": "0",
        "msg": SUCCESS,
        "data": {
            "total": entries.len(),
            "path": listing.path,
            "shareEnabled": false,
            "keyword": listing.keyword,
            "fileList": page,
            "children": [],
        },
    }))
}

/// What mkdir does with a checked path: `911021` if it exists, `911020` for a missing
/// parent without `createParents`, `10004` when a file stands in the way.
fn make_dir(shared: &Shared, path: &str, parents: bool) -> Result<(), Rejection> {
    if shared.files.exists(path) {
        return Err(EXISTS);
    }
    if !parents {
        let parent = match path.rfind('/') {
            Some(0) | None => "/",
            Some(at) => &path[..at],
        };
        existing_dir(shared, parent)?;
    }
    shared
        .files
        .mkdir(path, parents)
        .map_err(|error| match error.kind() {
            io::ErrorKind::AlreadyExists => EXISTS,
            io::ErrorKind::NotFound => codes::NO_FILE,
            _ => codes::INVALID,
        })
}

/// `POST /efile/openapi/v2/file/mkdir?path=&createParents=`, parameters in the query.
pub(super) async fn mkdir(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let made = authorise(&shared, &headers)
        .and_then(|()| query_params(query.as_deref()))
        .and_then(|params| {
            let path = cluster_path(required(&params, "path")?)?;
            let parents = match optional(&params, "createParents") {
                None | Some("false") => false,
                Some("true") => true,
                Some(_) => return Err(codes::INVALID),
            };
            make_dir(&shared, &path, parents)
        });
    match made {
        Ok(()) => done(),
        Err(rejection) => fail(rejection),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    fn entry(name: &str, is_dir: bool, len: u64, age: u64) -> DirEntry {
        DirEntry {
            name: name.into(),
            is_dir,
            len,
            modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1000 - age)),
        }
    }

    fn names(entries: &[DirEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn entries_sort_by_each_key_either_way() {
        let mut entries = vec![
            entry("b", false, 10, 1),
            entry("a", false, 5000, 3),
            entry("d", true, 0, 2),
        ];
        sort(&mut entries, OrderBy::Name, false);
        assert_eq!(names(&entries), ["a", "b", "d"]);
        sort(&mut entries, OrderBy::Size, false);
        assert_eq!(names(&entries), ["b", "d", "a"]);
        sort(&mut entries, OrderBy::Modified, true);
        assert_eq!(names(&entries), ["b", "d", "a"]);
        assert_eq!(file_key("/x"), file_key("/x"));
        assert_ne!(file_key("/x"), file_key("/y"));
    }
}
