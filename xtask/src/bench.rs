//! `cargo xtask bench [--quick]`: builds `hpc-bench` in release mode and runs it, which
//! prints one table and writes it to `docs/benchmarks.md`.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode};

/// The arguments `cargo` gets: build and run the bench binary in release mode, pointing
/// it at this workspace, this `xtask` binary (for the codegen timing) and the report.
pub fn cargo_args(root: &Path, xtask: &Path, quick: bool) -> Vec<OsString> {
    let mut command = String::from("cargo xtask bench");
    if quick {
        command.push_str(" --quick");
    }
    let mut args: Vec<OsString> = [
        "run",
        "--release",
        "--quiet",
        "--package",
        "hpc-bench",
        "--",
        "--command",
    ]
    .map(OsString::from)
    .to_vec();
    args.push(command.into());
    args.push("--root".into());
    args.push(root.into());
    args.push("--xtask".into());
    args.push(xtask.into());
    args.push("--out".into());
    args.push(root.join("docs").join("benchmarks.md").into());
    if quick {
        args.push("--quick".into());
    }
    args
}

/// Runs the benchmarks; the exit code is the bench binary's.
pub fn run(root: &Path, quick: bool) -> anyhow::Result<ExitCode> {
    let xtask = std::env::current_exe()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(cargo_args(root, &xtask, quick))
        .status()?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_runs_in_release_and_writes_the_report() {
        let args = cargo_args(Path::new("/ws"), Path::new("/ws/target/debug/xtask"), true);
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            &args[..5],
            ["run", "--release", "--quiet", "--package", "hpc-bench"]
        );
        let after = |flag: &str| {
            let at = args.iter().position(|a| a == flag).unwrap();
            args[at + 1].clone()
        };
        assert_eq!(after("--command"), "cargo xtask bench --quick");
        assert_eq!(after("--out"), "/ws/docs/benchmarks.md");
        assert_eq!(after("--xtask"), "/ws/target/debug/xtask");
        assert_eq!(args.last().unwrap(), "--quick");
    }
}
