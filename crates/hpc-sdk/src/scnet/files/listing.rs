//! `files().list(path)` through the generic pager, `files().mkdir(path)`, and the one
//! entry view both clouds' folder rows become.

use std::sync::Arc;

use futures::TryStreamExt;
use scnet_client::operations as ops;

use super::super::{Client, lenient};
use super::Files;
use crate::error::{Error, Result};
use crate::paging::{FetchPage, ItemStream, Page, PageStream, Paginator, RawPage};
use crate::{ErrorCode, ScnetCode};

/// The entries a page asks for unless told otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The most a page asks for (the efile note of a public client caps `limit` at 1000).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// One file or folder of a listing.
///
/// ```
/// let row: hpc_sdk::scnet::types::FileEntry = serde_json::from_value(serde_json::json!({
///     "name": "in.dat", "path": "/public/home/u/in.dat", "size": "42", "isDirectory": false
/// })).unwrap();
/// let entry = hpc_sdk::scnet::FileEntry::from(row);
/// assert_eq!((entry.name.as_str(), entry.size, entry.is_dir), ("in.dat", Some(42), false));
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct FileEntry {
    /// The entry's name.
    pub name: String,
    /// Its absolute path (the folder's path and the name, when the server gives none).
    pub path: String,
    /// Its size in bytes, when the server gives one.
    pub size: Option<u64>,
    /// Whether it is a folder.
    pub is_dir: bool,
    /// The last change, as the server writes it (e.g. `2021-09-06 15:02:57`, China time).
    pub modified: Option<String>,
    /// Permissions, e.g. `rwxrwxr-x`.
    pub permission: Option<String>,
    /// The owner.
    pub owner: Option<String>,
}

impl From<scnet_client::types::FileEntry> for FileEntry {
    fn from(row: scnet_client::types::FileEntry) -> Self {
        let name = row.name.clone().unwrap_or_default();
        FileEntry {
            path: row.path.clone().unwrap_or_else(|| name.clone()),
            name,
            size: row
                .size
                .as_ref()
                .and_then(lenient::count)
                .and_then(|n| u64::try_from(n).ok()),
            is_dir: row.is_directory.unwrap_or(false)
                || row.type_.as_deref().is_some_and(|t| {
                    t.eq_ignore_ascii_case("directory") || t.eq_ignore_ascii_case("folder")
                }),
            modified: row.last_modified_time,
            permission: row.permission,
            owner: row.owner,
        }
    }
}

/// The filters of a folder listing, kept for every page.
#[derive(Clone, Debug, Default)]
struct Query {
    region: Option<String>,
    path: Option<String>,
    keyword: Option<String>,
}

/// A folder's entries (`GET /efile/openapi/v2/file/list`); nothing is sent until
/// `.send()` is awaited or a stream is polled.
///
/// ```no_run
/// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
/// use futures::TryStreamExt;
/// let entries: Vec<_> = client.files().list("/public/home/u").items().try_collect().await?;
/// for entry in entries {
///     println!("{} {:?}", entry.path, entry.size);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListFiles {
    client: Client,
    query: Query,
    page_size: u32,
    offset: u64,
    prefetch: usize,
}

impl Files {
    /// The entries of the folder `path` (absolute; empty: the cluster user's home).
    ///
    /// ```
    /// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
    /// let request = client.files().list("/public/home/u").keyword(".out").page_size(500);
    /// # let _ = request;
    /// ```
    pub fn list(&self, path: impl Into<String>) -> ListFiles {
        let path: String = path.into();
        ListFiles {
            client: self.client.clone(),
            query: Query {
                region: self.region.clone(),
                path: Some(path).filter(|p| !p.trim().is_empty()),
                keyword: None,
            },
            page_size: DEFAULT_PAGE_SIZE,
            offset: 0,
            prefetch: 0,
        }
    }

    /// Creates the folder `path`; with `.parents(true)` its missing parents too, and
    /// a folder that exists already is success.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// client.files().mkdir("/public/home/u/run/1").parents(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn mkdir(&self, path: impl Into<String>) -> MakeDirectory {
        MakeDirectory {
            client: self.client.clone(),
            region: self.region.clone(),
            path: path.into(),
            parents: false,
        }
    }
}

impl ListFiles {
    /// Only entries whose name contains `word` (`keyWord`).
    pub fn keyword(mut self, word: impl Into<String>) -> Self {
        self.query.keyword = Some(word.into());
        self
    }

    /// Entries per page, clamped to 1..=1000.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Start at this offset.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Fetch up to `pages` pages ahead (0, the default, fetches on demand).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages;
        self
    }

    /// The page at the offset.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let page = scnet.files().list("/public/home/alice").page_size(100).send().await?;
    /// for entry in &page.items {
    ///     println!("{} {:?}", entry.name, entry.size);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Page<FileEntry>> {
        let page = fetch_page(&self.client, &self.query, self.offset, self.page_size).await?;
        Ok(crate::paging::first_page(page, self.offset))
    }

    /// The listing from the offset to the end, page by page.
    pub fn paginator(self) -> Paginator<FileEntry> {
        let (client, query) = (self.client, Arc::new(self.query));
        let fetch: FetchPage<FileEntry> = Arc::new(move |offset, limit| {
            let (client, query) = (client.clone(), query.clone());
            Box::pin(async move { fetch_page(&client, &query, offset, limit).await })
        });
        Paginator::new(fetch, entry_key, self.offset, self.page_size, self.prefetch)
    }

    /// Every page from the offset to the end; an error ends the stream.
    pub fn pages(self) -> PageStream<FileEntry> {
        self.paginator().pages()
    }

    /// Every entry from the offset to the end; an error ends the stream.
    pub fn items(self) -> ItemStream<FileEntry> {
        self.paginator().items()
    }
}

fn entry_key(entry: &FileEntry) -> Option<u64> {
    Some(crate::paging::key_of(&entry.path))
}

/// One page, through the efile pipeline.
async fn fetch_page(
    client: &Client,
    query: &Query,
    offset: u64,
    limit: u32,
) -> Result<RawPage<FileEntry>> {
    let start = crate::paging::offset_param(offset)?;
    let gateway = client.efile_gateway(query.region.as_deref()).await?;
    let answer = client
        .efile_generated(&gateway, &ops::LIST_FILES, |api| async move {
            let mut request = api.list_files().start(start).limit(i64::from(limit));
            if let Some(path) = &query.path {
                request = request.path(path.clone());
            }
            if let Some(word) = &query.keyword {
                request = request.key_word(word.clone());
            }
            request.send().await
        })
        .await?;
    let page = answer.data.unwrap_or_default();
    let folder = page.path.clone().or_else(|| query.path.clone());
    let rows = page.file_list.or(page.children).unwrap_or_default();
    Ok(RawPage {
        total: page.total.as_ref().and_then(lenient::count),
        items: rows
            .into_iter()
            .map(|row| {
                let has_path = row.path.as_deref().is_some_and(|p| p.starts_with('/'));
                let mut entry = FileEntry::from(row);
                if let (false, Some(folder)) = (has_path, &folder) {
                    entry.path = super::join(folder, &entry.name);
                }
                entry
            })
            .collect(),
    })
}

/// The entry named `name` in folder `dir`, if there is one: read through the listing
/// filtered by the name, paged to the end.
pub(crate) async fn find_entry(files: &Files, dir: &str, name: &str) -> Result<Option<FileEntry>> {
    let mut entries = files
        .list(dir)
        .keyword(name)
        .page_size(MAX_PAGE_SIZE)
        .items();
    while let Some(entry) = entries.try_next().await? {
        if entry.name == name {
            return Ok(Some(entry));
        }
    }
    Ok(None)
}

/// Creates a folder (`POST /efile/openapi/v2/file/mkdir`); built by [`Files::mkdir`].
///
/// ```no_run
/// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
/// client.files().mkdir("/public/home/u/inputs").send().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct MakeDirectory {
    client: Client,
    region: Option<String>,
    path: String,
    parents: bool,
}

impl MakeDirectory {
    /// Create missing parents too (`createParents`), and take an existing folder
    /// (`911021`) as success.
    pub fn parents(mut self, parents: bool) -> Self {
        self.parents = parents;
        self
    }

    /// Creates the folder.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// scnet.files().mkdir("/public/home/alice/run-1/input").parents(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<()> {
        let path = super::absolute(&self.path)?;
        let gateway = self.client.efile_gateway(self.region.as_deref()).await?;
        let (path, parents) = (&path, self.parents);
        let sent = self
            .client
            .efile_generated(&gateway, &ops::MAKE_DIRECTORY, |api| async move {
                api.make_directory()
                    .path(path.clone())
                    .create_parents(parents)
                    .send()
                    .await
            })
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(error) if parents && is_exists(&error) => Ok(()),
            Err(error) => Err(error),
        }
    }
}

/// `911021`: the file or folder exists.
pub(crate) fn is_exists(error: &Error) -> bool {
    matches!(error.code(), Some(ErrorCode::Scnet(ScnetCode::FileExists)))
}
