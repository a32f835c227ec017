//! A folder's download: a zip of its tree, written into an anonymous temporary file
//! and streamed from there, never held in memory.

use std::fs::File;
use std::io::{self, BufWriter, Seek};

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::join;
use crate::files::{DirEntry, FileStore};

/// Zips the tree under cluster directory `dir`, every entry under `top/`, so that it
/// unpacks into a folder of the same name. Files go in deflated, zip64 where one is
/// 4 GiB or more. Answers the zip, read from its start.
pub(super) fn zip_dir(store: &FileStore, dir: &str, top: &str) -> io::Result<File> {
    let mut zip = ZipWriter::new(BufWriter::new(store.scratch_file()?));
    let mut pending = vec![(dir.to_owned(), top.to_owned())];
    while let Some((dir, prefix)) = pending.pop() {
        zip.add_directory(format!("{prefix}/"), options(None).unix_permissions(0o755))
            .map_err(io::Error::other)?;
        for entry in store.list_dir(&dir)? {
            let path = join(&dir, &entry.name);
            let name = format!("{prefix}/{}", entry.name);
            if entry.is_dir {
                pending.push((path, name));
                continue;
            }
            zip.start_file(name, options(Some(&entry)).unix_permissions(0o644))
                .map_err(io::Error::other)?;
            io::copy(&mut store.open(&path)?, &mut zip)?;
        }
    }
    let mut file = zip
        .finish()
        .map_err(io::Error::other)?
        .into_inner()
        .map_err(|error| error.into_error())?;
    file.rewind()?;
    Ok(file)
}

/// Deflated, with the entry's time (China time, as the cluster's clocks) when known.
fn options(entry: Option<&DirEntry>) -> SimpleFileOptions {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(entry.is_some_and(|entry| entry.len >= u64::from(u32::MAX)));
    match entry.and_then(|entry| entry.modified).and_then(zip_time) {
        Some(time) => options.last_modified_time(time),
        None => options,
    }
}

fn zip_time(at: std::time::SystemTime) -> Option<zip::DateTime> {
    let china = FixedOffset::east_opt(8 * 3600)?;
    let at = DateTime::<Utc>::from(at).with_timezone(&china);
    zip::DateTime::from_date_and_time(
        u16::try_from(at.year()).ok()?,
        u8::try_from(at.month()).ok()?,
        u8::try_from(at.day()).ok()?,
        u8::try_from(at.hour()).ok()?,
        u8::try_from(at.minute()).ok()?,
        u8::try_from(at.second()).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_tree_zips_under_its_folder_name() {
        let store = FileStore::new().unwrap();
        store.write("/d/a.txt", b"alpha").unwrap();
        store.write("/d/sub/b.txt", b"beta").unwrap();
        store.mkdir("/d/empty", false).unwrap();
        let mut archive = zip::ZipArchive::new(zip_dir(&store, "/d", "d").unwrap()).unwrap();
        let mut names: Vec<String> = archive
            .file_names()
            .map(|name| name.unwrap().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["d/", "d/a.txt", "d/empty/", "d/sub/", "d/sub/b.txt"]
        );
        let mut text = String::new();
        archive
            .by_name("d/sub/b.txt")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "beta");
    }
}
