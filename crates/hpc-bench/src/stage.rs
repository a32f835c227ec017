//! The transfer section's files and single transfers: sources written once, each
//! transfer timed alone and what it wrote checked and removed, and the child process
//! that runs one transfer for a memory measurement.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hpc_sandbox::Sandbox;

use crate::baseline::BoxError;
use crate::efile_raw::RawEfile;
use crate::payload::{same_bytes, write_pattern};
use crate::rss;

/// The hidden subcommand a child runs:
/// `__transfer <sdk|raw> <upload LOCAL REMOTE_DIR | download REMOTE LOCAL> NAME=value...`;
/// the SDK reads the variables as its environment (`Sandbox::env_lines`), the baseline
/// takes its gateway and token from `EFILE_ORIGIN` and `EFILE_TOKEN`.
pub const CHILD: &str = "__transfer";

/// The name of the file a child writes (remote for an upload, local for a download).
const CHILD_FILE: &str = "rss.bin";
/// The baseline child's configuration: the gateway's origin and the region token.
pub const ORIGIN: &str = "EFILE_ORIGIN";
pub const TOKEN: &str = "EFILE_TOKEN";

/// Who moves the bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Sdk,
    Raw,
}

/// Which way.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Way {
    Up,
    Down,
}

/// The two clients, logged in once.
pub struct Clients {
    pub sdk: hpc_sdk::scnet::Client,
    pub raw: RawEfile,
}

/// The files of a run: sources to upload in a temporary directory (removed when this is
/// dropped), sources to download in the sandbox's store (removed with the sandbox).
/// What a transfer writes is checked and removed right after, so the disk holds one
/// copy of each size plus the file in flight.
pub struct Stage<'a> {
    pub sandbox: &'a Sandbox,
    local: tempfile::TempDir,
    remote_dir: String,
}

impl<'a> Stage<'a> {
    /// Writes a local and a remote source of each size, streamed to disk and flushed
    /// there, so that their write-back does not land in a timed transfer.
    pub fn prepare(sandbox: &'a Sandbox, sizes: &[u64]) -> Result<Self, BoxError> {
        let local = tempfile::Builder::new()
            .prefix("hpc-bench-transfer-")
            .tempdir()?;
        let user = &sandbox.credentials().scnet_cluster_user;
        let stage = Self {
            sandbox,
            local,
            remote_dir: format!("/public/home/{user}/bench"),
        };
        sandbox.files().mkdir(&stage.remote_dir, true)?;
        for &size in sizes {
            let mut local = std::fs::File::create(stage.source(size))?;
            write_pattern(&mut local, size, 1)?;
            local.sync_data()?;
            let mut remote = sandbox.files().create(&stage.remote_source(size))?;
            write_pattern(&mut remote, size, 2)?;
            remote.sync_data()?;
        }
        Ok(stage)
    }

    /// The local file of `size` bytes to upload.
    fn source(&self, size: u64) -> PathBuf {
        self.local.path().join(format!("up-{size}.bin"))
    }

    /// The remote file of `size` bytes to download.
    fn remote_source(&self, size: u64) -> String {
        format!("{}/down-{size}.bin", self.remote_dir)
    }

    fn join(&self, name: &str) -> String {
        format!("{}/{name}", self.remote_dir)
    }

    /// Where a remote file lives on this host.
    fn host(&self, remote: &str) -> Result<PathBuf, BoxError> {
        Ok(self.sandbox.files().host_path(remote)?)
    }

    /// For a transfer of `size` bytes named `name`: the file it reads (on this host)
    /// and the one it writes, the latter removed if an earlier run left it.
    fn ends(&self, way: Way, size: u64, name: &str) -> Result<(PathBuf, PathBuf), BoxError> {
        let (source, written) = match way {
            Way::Up => (self.source(size), self.host(&self.join(name))?),
            Way::Down => (
                self.host(&self.remote_source(size))?,
                self.local.path().join(name),
            ),
        };
        remove(&written)?;
        Ok((source, written))
    }

    /// One transfer of `size` bytes, timed from the call to its answer; what arrived is
    /// checked (byte for byte with `check`) and removed afterwards, untimed.
    pub async fn once(
        &self,
        clients: &Clients,
        side: Side,
        way: Way,
        size: u64,
        check: bool,
    ) -> Result<Duration, BoxError> {
        let name = match side {
            Side::Sdk => "sdk.bin",
            Side::Raw => "raw.bin",
        };
        let (source, written) = self.ends(way, size, name)?;
        let remote = self.remote_source(size);
        quiet_disk();
        let started = Instant::now();
        let moved = match (way, side) {
            (Way::Up, Side::Sdk) => {
                let upload = clients.sdk.files().upload(&source, &self.remote_dir);
                upload.name(name).overwrite(true).send().await?.size
            }
            (Way::Up, Side::Raw) => clients.raw.upload(&source, &self.remote_dir, name).await?,
            (Way::Down, Side::Sdk) => {
                let download = clients.sdk.files().download(remote, &written);
                download.send().await?.bytes
            }
            (Way::Down, Side::Raw) => clients.raw.download(&remote, &written).await?,
        };
        let took = started.elapsed();
        if moved != size {
            return Err(format!("moved {moved} bytes of {size}").into());
        }
        verify(&source, &written, check)?;
        remove(&written)?;
        Ok(took)
    }

    /// The peak RSS (KiB) of a child moving `size` bytes, configured by `config`.
    pub async fn child_peak(
        &self,
        side: Side,
        way: Way,
        size: u64,
        config: &[String],
    ) -> Result<u64, BoxError> {
        let (source, written) = self.ends(way, size, CHILD_FILE)?;
        let side_arg = match side {
            Side::Sdk => "sdk",
            Side::Raw => "raw",
        };
        let mut args = vec![CHILD.to_string(), side_arg.into()];
        match way {
            Way::Up => args.extend(["upload".into(), path_arg(&source)?, self.remote_dir.clone()]),
            Way::Down => args.extend([
                "download".into(),
                self.remote_source(size),
                path_arg(&written)?,
            ]),
        }
        args.extend(config.iter().cloned());
        quiet_disk();
        let peak = rss::child_peak(args).await?;
        verify(&source, &written, false)?;
        remove(&written)?;
        Ok(peak)
    }
}

/// The child: one transfer, then the peak RSS in KiB on stdout.
pub fn child_main(args: &[String]) -> Result<(), BoxError> {
    let usage = || {
        format!(
            "usage: {CHILD} <sdk|raw> <upload LOCAL REMOTE_DIR | download REMOTE LOCAL> NAME=value..."
        )
    };
    let [side, way, from, to, config @ ..] = args else {
        return Err(usage().into());
    };
    let lookup = |name: &str| {
        config.iter().find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match (side.as_str(), way.as_str()) {
            ("sdk", way @ ("upload" | "download")) => {
                let client = hpc_sdk::scnet::ClientBuilder::from_lookup(lookup)?.build()?;
                let files = client.files();
                if way == "upload" {
                    let upload = files.upload(from, to.as_str()).name(CHILD_FILE);
                    upload.overwrite(true).send().await?;
                } else {
                    files.download(from.as_str(), to).send().await?;
                }
            }
            ("raw", way @ ("upload" | "download")) => {
                let origin = lookup(ORIGIN).ok_or_else(usage)?;
                let raw = RawEfile::from_parts(&origin, &lookup(TOKEN).ok_or_else(usage)?);
                if way == "upload" {
                    raw.upload(Path::new(from), to, CHILD_FILE).await?;
                } else {
                    raw.download(from, Path::new(to)).await?;
                }
            }
            _ => return Err(BoxError::from(usage())),
        }
        Ok::<(), BoxError>(())
    })?;
    println!("{}", rss::peak_rss_kib()?);
    Ok(())
}

/// Flushes every dirty page on the machine before a measurement, so that write-back
/// left by the previous one (or a build next door) does not land in this one.
fn quiet_disk() {
    // SAFETY: sync(2) takes no arguments, cannot fail, and touches no memory of ours.
    unsafe { libc::sync() }
}

/// `written` must be as long as `source`, and with `bytes`, the same byte for byte.
fn verify(source: &Path, written: &Path, bytes: bool) -> Result<(), BoxError> {
    let (want, got) = (
        std::fs::metadata(source)?.len(),
        std::fs::metadata(written)?.len(),
    );
    if got != want {
        return Err(format!("{} holds {got} bytes, not {want}", written.display()).into());
    }
    if bytes && !same_bytes(source, written)? {
        return Err(format!("{} differs from {}", written.display(), source.display()).into());
    }
    Ok(())
}

/// Removes a file if it is there.
fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// A path as a child's argument.
fn path_arg(path: &Path) -> Result<String, BoxError> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{} is not UTF-8", path.display()).into())
}
