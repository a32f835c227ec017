//! `hpc-bench`: what users feel, side by side in one run (issue 7). Run it through
//! `cargo xtask bench [--quick]`, which builds it in release mode.
//!
//! ```text
//! hpc-bench [--quick] [--out FILE] [--root DIR] [--xtask BIN] [--command TEXT]
//! ```
//!
//! It prints one markdown table and writes it, with the command, the core count and
//! the date, into `docs/benchmarks.md` (between markers, keeping the rest of the file).

mod alloc;
mod baseline;
mod efile_raw;
mod listing;
mod micro;
mod overhead;
mod payload;
mod report;
mod rss;
mod stage;
mod transfer;
mod watching;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use baseline::{Baseline, BoxError};
use hpc_sandbox::Sandbox;
use report::{Row, RunInfo};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

const USAGE: &str =
    "usage: hpc-bench [--quick] [--out FILE] [--root DIR] [--xtask BIN] [--command TEXT]";

/// What to run, from the command line.
struct Options {
    quick: bool,
    out: Option<PathBuf>,
    root: PathBuf,
    xtask: Option<PathBuf>,
    command: String,
}

/// How much of each measurement a run does.
struct Sizes {
    samples: usize,
    reps: usize,
    sign_iters: usize,
    decode_iters: usize,
    codegen_runs: usize,
}

impl Sizes {
    fn of(quick: bool) -> Self {
        if quick {
            Self {
                samples: 300,
                reps: 1,
                sign_iters: 20_000,
                decode_iters: 200,
                codegen_runs: 3,
            }
        } else {
            Self {
                samples: 2000,
                reps: 3,
                sign_iters: 100_000,
                decode_iters: 1000,
                codegen_runs: 5,
            }
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut options = Options {
        quick: false,
        out: None,
        root,
        xtask: None,
        command: String::from("hpc-bench"),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--out" => options.out = Some(PathBuf::from(value()?)),
            "--root" => options.root = PathBuf::from(value()?),
            "--xtask" => options.xtask = Some(PathBuf::from(value()?)),
            "--command" => options.command = value()?,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((first, rest)) if first == listing::CHILD => listing::child_main(rest),
        Some((first, rest)) if first == transfer::CHILD => transfer::child_main(rest),
        _ => parse(&args)
            .map_err(BoxError::from)
            .and_then(|options| run(&options)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), BoxError> {
    let started = Instant::now();
    let sizes = Sizes::of(options.quick);
    let section = |name: &str| eprintln!("[{:>5.1} s] {name}", started.elapsed().as_secs_f64());
    // The sandbox gets a runtime of its own, as a server in another process would have
    // its own threads; only the client's threads count allocations.
    let server = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("sandbox")
        .build()?;
    section("starting sandboxes (100,000 and 10,000 jobs)");
    let (large, small) = server.block_on(async {
        let large = Sandbox::builder().jobs(100_000).seed(7).start().await?;
        let small = Sandbox::builder().jobs(10_000).seed(7).start().await?;
        Ok::<_, std::io::Error>((large, small))
    })?;
    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("client")
        .on_thread_start(alloc::count_this_thread)
        .build()?;
    alloc::count_this_thread();
    let mut rows: Vec<Row> = Vec::new();
    client.block_on(async {
        section("overhead");
        rows.extend(overhead::run(&large, sizes.samples).await?);
        section("throughput");
        rows.extend(listing::throughput(&large, sizes.reps).await?);
        // Transfers get a sandbox of their own (on the server's runtime), so their
        // gigabytes live and go with it; their memory rows join the others below.
        section("file transfer (throughput, then peak memory)");
        let files = server.spawn(Sandbox::builder().seed(7).start()).await??;
        let plan = transfer::Plan::new(options.quick);
        let transfers = transfer::run(&files, &plan).await?;
        drop(files);
        rows.extend(transfers.throughput);
        section("watching 1,000 jobs");
        let scheduler = Sandbox::builder()
            .jobs(0)
            .speed(watching::SPEED)
            .scnet_realtime_retention(std::time::Duration::from_secs(3600));
        let scheduler = server.spawn(scheduler.start()).await??;
        rows.extend(watching::run(&scheduler, 1000).await?);
        drop(scheduler);
        section("memory");
        rows.extend(listing::memory(&small, &large).await?);
        rows.extend(transfers.memory);

        section("signing and decoding");
        rows.extend(micro::signing(sizes.sign_iters)?);
        let page = Baseline::connect(&large)
            .await?
            .list_jobs_body(50_000, 100)
            .await?;
        rows.extend(micro::decoding(&page, sizes.decode_iters)?);
        Ok::<(), BoxError>(())
    })?;

    let xtask = options
        .xtask
        .clone()
        .unwrap_or_else(|| options.root.join("target/debug/xtask"));
    if xtask.exists() {
        eprintln!("[{:>5.1} s] codegen", started.elapsed().as_secs_f64());
        rows.extend(micro::codegen(&xtask, &options.root, sizes.codegen_runs)?);
    } else {
        eprintln!("no xtask binary at {}: codegen skipped", xtask.display());
    }

    let info = RunInfo {
        command: &options.command,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        took: started.elapsed(),
    };
    println!("{}", report::table(&rows));
    if let Some(out) = &options.out {
        report::write(out, &report::section(&info, &rows))?;
        eprintln!("written to {}", out.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_parse_and_reject_unknowns() {
        let options = parse(&args(&["--quick", "--out", "x.md", "--command", "c"])).unwrap();
        assert!(options.quick);
        assert_eq!(options.out, Some(PathBuf::from("x.md")));
        assert_eq!(options.command, "c");
        assert!(parse(&args(&["--out"])).is_err());
        assert!(parse(&args(&["--fast"])).is_err());
    }
}
