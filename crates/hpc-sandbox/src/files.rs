//! The cluster's file system: absolute cluster paths such as
//! `/public/home/acsandbox/x/std.out.7`, kept under a temporary directory that lives as
//! long as the sandbox. Jobs write their output here; the hpc `file/content` call reads
//! it, and the efile service uploads and downloads through the same methods.
//!
//! Every method streams: files are handed out as [`File`]s, never read whole, because
//! efile serves files of a gigabyte and more.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

/// Under the store's temporary directory: the cluster's `/`, and where staged files are
/// written out of the cluster's sight.
const CLUSTER: &str = "cluster";
const STAGING: &str = "staging";
/// Where efile keeps uploaded chunks until their merge, out of the cluster's sight as
/// the real gateways keep them in their own temporary area.
const CHUNKS: &str = "chunks";

/// The files of the sandbox's cluster, under a temporary directory removed when the
/// sandbox is dropped.
///
/// Paths are cluster paths: absolute, `/`-separated, with no `..` component. Anything
/// else is refused with [`io::ErrorKind::InvalidInput`], so no path reaches outside the
/// store.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let sandbox = hpc_sandbox::Sandbox::builder().start().await?;
/// let files = sandbox.files();
/// files.write("/public/home/acsandbox/in.txt", b"one\ntwo\n")?;
/// assert_eq!(files.len("/public/home/acsandbox/in.txt")?, 8);
/// assert!(files.write("/public/home/../../etc/x", b"").is_err());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct FileStore {
    root: tempfile::TempDir,
}

/// One entry of [`FileStore::list_dir`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The file or directory name, without its directory.
    pub name: String,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Its size in bytes (0 for a directory).
    pub len: u64,
    /// When it was last written, if the host file system says.
    pub modified: Option<SystemTime>,
}

impl FileStore {
    /// An empty store under a fresh temporary directory.
    pub(crate) fn new() -> io::Result<Self> {
        let root = tempfile::Builder::new()
            .prefix("hpc-sandbox-files-")
            .tempdir()?;
        fs::create_dir(root.path().join(CLUSTER))?;
        fs::create_dir(root.path().join(STAGING))?;
        fs::create_dir(root.path().join(CHUNKS))?;
        Ok(Self { root })
    }

    /// Where a cluster path lives on the host, or `InvalidInput` for a path that is not
    /// absolute or has a `..` component.
    pub fn host_path(&self, cluster_path: &str) -> io::Result<PathBuf> {
        let refuse = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not an absolute cluster path without `..`: {cluster_path:?}"),
            )
        };
        if !cluster_path.starts_with('/') || cluster_path.contains('\0') {
            return Err(refuse());
        }
        let mut host = self.root.path().join(CLUSTER);
        for component in Path::new(cluster_path).components() {
            match component {
                Component::RootDir | Component::CurDir => {}
                Component::Normal(name) => host.push(name),
                Component::ParentDir | Component::Prefix(_) => return Err(refuse()),
            }
        }
        Ok(host)
    }

    /// Creates (or empties) a file for writing, with any missing parent directories.
    pub fn create(&self, path: &str) -> io::Result<File> {
        let host = self.host_path(path)?;
        if let Some(parent) = host.parent() {
            fs::create_dir_all(parent)?;
        }
        File::create(host)
    }

    /// Starts writing a file that appears at `path` only when
    /// [`StagedFile::commit`]ted, whole: a reader meanwhile sees the old file (or none),
    /// never a part of the new one.
    pub fn stage(&self, path: &str) -> io::Result<StagedFile> {
        let target = self.host_path(path)?;
        let file = tempfile::NamedTempFile::new_in(self.root.path().join(STAGING))?;
        Ok(StagedFile {
            file: BufWriter::new(file),
            target,
        })
    }

    /// Like [`FileStore::stage`], for a file whose place is known only once it is
    /// written (a multipart upload may send the file before its target directory):
    /// [`StagedFile::commit_to`] puts it in place.
    pub(crate) fn stage_unplaced(&self) -> io::Result<StagedFile> {
        self.stage("/")
    }

    /// An anonymous host file beside the staged ones, gone when closed: room for an
    /// answer built before it is sent (a folder's zip).
    pub(crate) fn scratch_file(&self) -> io::Result<File> {
        tempfile::tempfile_in(self.root.path().join(STAGING))
    }

    /// The host directory efile keeps chunks in, outside the cluster.
    pub(crate) fn chunk_root(&self) -> PathBuf {
        self.root.path().join(CHUNKS)
    }

    /// Opens a file for appending, creating it and its parents if missing: for uploads
    /// that arrive in chunks.
    pub fn append(&self, path: &str) -> io::Result<File> {
        let host = self.host_path(path)?;
        if let Some(parent) = host.parent() {
            fs::create_dir_all(parent)?;
        }
        OpenOptions::new().create(true).append(true).open(host)
    }

    /// Replaces a file's contents with `contents` (parents created as needed).
    pub fn write(&self, path: &str, contents: &[u8]) -> io::Result<()> {
        io::Write::write_all(&mut self.create(path)?, contents)
    }

    /// Opens a file for reading; `NotFound` if it does not exist.
    pub fn open(&self, path: &str) -> io::Result<File> {
        let host = self.host_path(path)?;
        if host.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{path} is a directory"),
            ));
        }
        File::open(host)
    }

    /// A file's size in bytes.
    pub fn len(&self, path: &str) -> io::Result<u64> {
        Ok(fs::metadata(self.host_path(path)?)?.len())
    }

    /// Whether the path names a file or directory; `false` for a refused path.
    pub fn exists(&self, path: &str) -> bool {
        self.host_path(path).is_ok_and(|host| host.exists())
    }

    /// Whether the path names a directory; `false` for a refused path.
    pub fn is_dir(&self, path: &str) -> bool {
        self.host_path(path).is_ok_and(|host| host.is_dir())
    }

    /// Makes a directory; with `parents`, also its missing parents, and an existing
    /// directory is fine (`mkdir -p`). Without, an existing one is `AlreadyExists`.
    pub fn mkdir(&self, path: &str, parents: bool) -> io::Result<()> {
        let host = self.host_path(path)?;
        if parents {
            fs::create_dir_all(host)
        } else {
            fs::create_dir(host)
        }
    }

    /// The entries of a directory, sorted by name.
    pub fn list_dir(&self, path: &str) -> io::Result<Vec<DirEntry>> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(self.host_path(path)?)? {
            let entry = entry?;
            let metadata = entry.metadata()?;
            entries.push(DirEntry {
                name: entry.file_name().to_string_lossy().into_owned(),
                is_dir: metadata.is_dir(),
                len: if metadata.is_dir() { 0 } else { metadata.len() },
                modified: metadata.modified().ok(),
            });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }
}

/// A file being written out of the cluster's sight; from [`FileStore::stage`].
/// Dropped without a commit, it vanishes.
#[derive(Debug)]
pub struct StagedFile {
    file: BufWriter<tempfile::NamedTempFile>,
    target: PathBuf,
}

impl StagedFile {
    /// Puts the file in place at once, replacing any file there (parents created as
    /// needed).
    pub fn commit(self) -> io::Result<()> {
        let target = self.target.clone();
        self.commit_at(&target)
    }

    /// Puts the file in place at cluster path `path` of `store` instead of where it was
    /// staged for; see [`FileStore::stage_unplaced`].
    pub(crate) fn commit_to(self, store: &FileStore, path: &str) -> io::Result<()> {
        let target = store.host_path(path)?;
        self.commit_at(&target)
    }

    fn commit_at(self, target: &Path) -> io::Result<()> {
        let file = self.file.into_inner().map_err(|error| error.into_error())?;
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        file.persist(target)?;
        Ok(())
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn paths_map_under_the_root_and_never_escape_it() {
        let store = FileStore::new().unwrap();
        let host = store
            .host_path("/public/home/acsandbox/x/std.out.7")
            .unwrap();
        let top = store.root.path().join(CLUSTER);
        assert!(host.starts_with(&top));
        assert!(host.ends_with("public/home/acsandbox/x/std.out.7"));
        assert_eq!(store.host_path("/").unwrap(), top);
        for bad in [
            "relative/x",
            "",
            "/public/../etc/passwd",
            "/a/b/..",
            "/..",
            "/a\0b",
        ] {
            let error = store.host_path(bad).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
            assert!(store.create(bad).is_err(), "{bad:?}");
            assert!(store.stage(bad).is_err(), "{bad:?}");
            assert!(!store.exists(bad));
        }
        // `.` is harmless: it stays where it is.
        assert_eq!(
            store.host_path("/a/./b").unwrap(),
            store.host_path("/a/b").unwrap()
        );
    }

    #[test]
    fn files_are_written_listed_and_read_back() {
        let store = FileStore::new().unwrap();
        store.write("/home/u/dir/a.txt", b"hello\n").unwrap();
        io::Write::write_all(&mut store.append("/home/u/dir/a.txt").unwrap(), b"more\n").unwrap();
        store.mkdir("/home/u/dir/sub", false).unwrap();
        assert_eq!(
            store.mkdir("/home/u/dir/sub", false).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        store.mkdir("/home/u/dir/sub", true).unwrap();
        assert_eq!(store.len("/home/u/dir/a.txt").unwrap(), 11);
        assert!(store.is_dir("/home/u/dir"));
        let mut text = String::new();
        store
            .open("/home/u/dir/a.txt")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "hello\nmore\n");
        let names: Vec<(String, bool)> = store
            .list_dir("/home/u/dir")
            .unwrap()
            .into_iter()
            .map(|entry| (entry.name, entry.is_dir))
            .collect();
        assert_eq!(names, [("a.txt".into(), false), ("sub".into(), true)]);
        assert_eq!(
            store.open("/home/u/none").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert!(store.open("/home/u/dir").is_err());
    }

    #[test]
    fn a_staged_file_appears_whole_on_commit_or_not_at_all() {
        let store = FileStore::new().unwrap();
        store.write("/o/out", b"old\n").unwrap();
        let mut staged = store.stage("/o/out").unwrap();
        staged.write_all(b"new\n").unwrap();
        assert_eq!(store.len("/o/out").unwrap(), 4, "not yet");
        staged.commit().unwrap();
        let mut text = String::new();
        store
            .open("/o/out")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "new\n");
        let mut abandoned = store.stage("/p/q/new").unwrap();
        abandoned.write_all(b"x").unwrap();
        drop(abandoned);
        assert!(!store.exists("/p/q/new"));
        assert!(store.list_dir("/").unwrap().iter().all(|e| e.name == "o"));
        let mut nested = store.stage("/p/q/new").unwrap();
        nested.write_all(b"x").unwrap();
        nested.commit().unwrap();
        assert_eq!(store.len("/p/q/new").unwrap(), 1);
    }

    #[test]
    fn the_root_goes_with_the_store() {
        let store = FileStore::new().unwrap();
        let root = store.root.path().to_path_buf();
        store.write("/x", b"1").unwrap();
        drop(store);
        assert!(!root.exists());
    }
}
