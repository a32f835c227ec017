//! `cargo xtask`: the project's automation, kept out of the published crates.
//!
//! ```text
//! cargo xtask codegen            # regenerate crates/*-client/src/generated*.rs from spec/
//! cargo xtask codegen --check    # write nothing; fail with a diff if a file is stale
//! cargo xtask codegen --root DIR # work on another checkout (used by the drift test)
//! cargo xtask bench [--quick]    # build hpc-bench in release, run it, write docs/benchmarks.md
//! ```

mod bench;
mod codegen;
mod layers;
mod spec;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask codegen [--check] [--root DIR]\n       cargo xtask bench [--quick]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    if command == "bench" {
        return match rest {
            [] => bench::run(&default_root(), false),
            [flag] if flag == "--quick" => bench::run(&default_root(), true),
            _ => {
                eprintln!("unknown arguments for bench\n{USAGE}");
                Ok(ExitCode::from(2))
            }
        };
    }
    if command != "codegen" {
        eprintln!("unknown command `{command}`\n{USAGE}");
        return Ok(ExitCode::from(2));
    }
    let mut check = false;
    let mut root = default_root();
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => match rest.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => {
                    eprintln!("--root needs a directory\n{USAGE}");
                    return Ok(ExitCode::from(2));
                }
            },
            other => {
                eprintln!("unknown argument `{other}`\n{USAGE}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    let outcome = codegen::run(&root, check)?;
    Ok(if outcome.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The workspace root: the parent of this crate's manifest directory.
fn default_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
