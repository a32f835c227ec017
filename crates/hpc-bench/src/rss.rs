//! Peak memory of a client alone: this binary run again with a hidden subcommand, which
//! does one thing against a sandbox living in the parent and prints its `VmHWM`. A fresh
//! process per measurement, so one cannot inflate the next, and the server's memory is
//! not counted.

use std::process::Command;

use crate::baseline::BoxError;

/// Runs this binary with `args` (a child subcommand and its arguments) and returns the
/// peak RSS in KiB that it prints.
pub async fn child_peak(args: Vec<String>) -> Result<u64, BoxError> {
    let exe = std::env::current_exe()?;
    let what = args.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
    // The sandbox keeps serving on its runtime's workers while a blocking thread waits.
    let output =
        tokio::task::spawn_blocking(move || Command::new(exe).args(args).output()).await??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("the child `{what}` failed: {stdout}{stderr}").into());
    }
    Ok(stdout.trim().parse()?)
}

/// `VmHWM` from `/proc/self/status`, in KiB: what a child prints last.
pub fn peak_rss_kib() -> Result<u64, BoxError> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    let kib = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim();
    Ok(kib.parse()?)
}

/// KiB as MiB for the table.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
