//! `hpc scnet files ls | mkdir | put | get`: the cluster's files through efile, with a
//! progress bar (bytes, rate, ETA) on a terminal and nothing extra on a pipe.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use hpc_sdk::scnet::{Downloaded, FileEntry, Files, PART_SUFFIX, Progress, Uploaded};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::{Output, PageArgs, non_blank};
use crate::failure::Failure;
use crate::output::{Record, opt, print_listing, stdout_printer};
use crate::target::Target;

#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// A folder's entries (default: the cluster user's home).
    Ls(LsArgs),
    /// Create a folder.
    Mkdir(MkdirArgs),
    /// Upload local files into a remote folder (large files go in parallel chunks).
    Put(PutArgs),
    /// Download a file (a folder arrives as a zip), streamed to disk.
    Get(GetArgs),
}

/// The region the files are in.
#[derive(Debug, Args)]
pub struct Region {
    /// The region (default: `SCNET_REGION`, else the first with a token).
    #[arg(long, value_parser = non_blank)]
    pub region: Option<String>,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// The remote folder, absolute (default: the cluster user's home).
    pub path: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
    #[command(flatten)]
    pub region: Region,
}

#[derive(Debug, Args)]
pub struct MkdirArgs {
    /// The remote folder, absolute.
    #[arg(value_parser = non_blank)]
    pub path: String,
    /// Create missing parents too; a folder that exists already is fine.
    #[arg(long)]
    pub parents: bool,
    #[command(flatten)]
    pub region: Region,
}

#[derive(Debug, Args)]
#[command(override_usage = "hpc scnet files put [OPTIONS] LOCAL... REMOTE_DIR")]
pub struct PutArgs {
    /// The local files, then the remote folder (absolute) they go into.
    #[arg(required = true, num_args = 2.., value_name = "PATH")]
    pub paths: Vec<String>,
    /// Replace remote files of the same name (default: keep them and fail).
    #[arg(long)]
    pub overwrite: bool,
    /// The chunk size in MiB for large files (1..=75).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=75))]
    pub chunk_mib: Option<u64>,
    /// Chunks in flight at once (1..=16).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub parallel: Option<u64>,
    #[command(flatten)]
    pub region: Region,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The remote file or folder, absolute.
    #[arg(value_parser = non_blank)]
    pub remote: String,
    /// The local file, or an existing folder to put it in.
    pub local: PathBuf,
    /// Go on from the part file (`LOCAL.hpc-part`) a failed download left.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub region: Region,
}

fn files(target: &Target, region: Region) -> Result<Files, Failure> {
    let files = target.scnet()?.files();
    Ok(match region.region {
        Some(region) => files.region(region),
        None => files,
    })
}

pub async fn run(target: &Target, format: Output, command: FilesCommand) -> Result<(), Failure> {
    match command {
        FilesCommand::Ls(args) => {
            let request = files(target, args.region)?
                .list(args.path.unwrap_or_default())
                .page_size(args.page.limit)
                .offset(args.page.offset);
            print_listing(
                format,
                args.page.all,
                request.clone().send(),
                request.items(),
            )
            .await
        }
        FilesCommand::Mkdir(args) => {
            files(target, args.region)?
                .mkdir(args.path)
                .parents(args.parents)
                .send()
                .await?;
            Ok(())
        }
        FilesCommand::Put(args) => put(target, format, args).await,
        FilesCommand::Get(args) => get(target, format, args).await,
    }
}

async fn put(target: &Target, format: Output, mut args: PutArgs) -> Result<(), Failure> {
    let remote_dir = args.paths.pop().unwrap_or_default();
    let files = files(target, args.region)?;
    let mut out = stdout_printer(format);
    for local in &args.paths {
        let bar = transfer_bar(local);
        let mut upload = files.upload(local, &remote_dir).overwrite(args.overwrite);
        if let Some(mib) = args.chunk_mib {
            upload = upload.chunk_size(mib << 20);
        }
        if let Some(parallel) = args.parallel {
            upload = upload.parallel(parallel as usize);
        }
        if let Some(bar) = &bar {
            upload = upload.on_progress(follow(bar));
        }
        let sent = upload.send().await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let sent = sent.map_err(|error| match exists(&error) {
            true => Failure::Hinted(error, "pass --overwrite to replace it".into()),
            false => error.into(),
        })?;
        out.push(&sent)?;
        out.flush()?;
    }
    Ok(out.finish::<Uploaded>()?)
}

async fn get(target: &Target, format: Output, args: GetArgs) -> Result<(), Failure> {
    let files = files(target, args.region)?;
    let bar = transfer_bar(&args.remote);
    let mut download = files
        .download(&args.remote, &args.local)
        .resume(args.resume);
    if let Some(bar) = &bar {
        download = download.on_progress(follow(bar));
    }
    let got = download.send().await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let got = got.map_err(|error| match part_left(&args.local, &args.remote) {
        Some(part) => Failure::Hinted(
            error,
            format!(
                "the bytes so far are in {}: run again with --resume",
                part.display()
            ),
        ),
        None => error.into(),
    })?;
    let mut out = stdout_printer(format);
    out.push(&got)?;
    Ok(out.finish::<Downloaded>()?)
}

/// The part file a failed download left, if any: beside `local`, or in it when it is a
/// folder.
fn part_left(local: &std::path::Path, remote: &str) -> Option<PathBuf> {
    let name = remote
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let base = match local.is_dir() {
        true => local.join(name),
        false => local.to_path_buf(),
    };
    let part = PathBuf::from(format!("{}{PART_SUFFIX}", base.display()));
    part.exists().then_some(part)
}

fn exists(error: &hpc_sdk::Error) -> bool {
    matches!(
        error.code(),
        Some(hpc_sdk::ErrorCode::Scnet(hpc_sdk::ScnetCode::FileExists))
    )
}

/// A bar for a transfer on a terminal's stderr; none on a pipe.
fn transfer_bar(name: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} {bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(crate::inert::inert(name).into_owned());
    Some(bar)
}

/// A progress callback that moves `bar`.
fn follow(bar: &ProgressBar) -> impl Fn(Progress) + Send + Sync + 'static {
    let bar = bar.clone();
    move |progress| {
        if let Some(total) = progress.total {
            bar.set_length(total);
        }
        bar.set_position(progress.done);
    }
}

impl Record for FileEntry {
    fn headers() -> &'static [&'static str] {
        &["NAME", "TYPE", "SIZE", "MODIFIED", "PERMISSION", "PATH"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            if self.is_dir { "dir" } else { "file" }.to_string(),
            opt(&self.size),
            opt(&self.modified),
            opt(&self.permission),
            self.path.clone(),
        ]
    }
}

impl Record for Uploaded {
    fn headers() -> &'static [&'static str] {
        &["REMOTE_PATH", "SIZE", "CHUNKS"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            self.remote_path.clone(),
            self.size.to_string(),
            self.chunks.to_string(),
        ]
    }
}

impl Record for Downloaded {
    fn headers() -> &'static [&'static str] {
        &["PATH", "BYTES", "RESUMED_FROM", "ZIP"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            self.path.display().to_string(),
            self.bytes.to_string(),
            self.resumed_from.to_string(),
            self.zip.to_string(),
        ]
    }
}
