//! Rows, the markdown table, and `docs/benchmarks.md`.

use std::path::Path;
use std::time::Duration;

/// Where the generated part of `docs/benchmarks.md` starts; text outside the markers
/// (such as the history of fixes) is kept when the file is rewritten.
const START: &str =
    "<!-- bench:start (written by `cargo xtask bench`; edit outside these markers) -->";
/// Where it ends.
const END: &str = "<!-- bench:end -->";

/// How a ratio is judged.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// No target: context only.
    None,
    /// The ratio must be at most this.
    AtMost(f64),
    /// The ratio must be at least this.
    AtLeast(f64),
    /// An absolute limit, the row's reference: the ratio (measured over the limit) must
    /// be at most 1. Shown as the limit itself, e.g. `≤ 64 MiB`.
    Budget(&'static str),
}

/// One line of the table.
#[derive(Clone, Debug)]
pub struct Row {
    /// The section, e.g. "overhead".
    pub area: &'static str,
    /// What was measured.
    pub case: String,
    /// The SDK's (or the subject's) number, formatted.
    pub measured: String,
    /// What it is compared with, formatted; empty for none.
    pub reference: String,
    /// measured / reference, in the sense the target reads.
    pub ratio: Option<f64>,
    /// The target for the ratio.
    pub target: Target,
}

impl Row {
    /// A row with no comparison.
    pub fn context(area: &'static str, case: impl Into<String>, measured: String) -> Self {
        Self {
            area,
            case: case.into(),
            measured,
            reference: String::new(),
            ratio: None,
            target: Target::None,
        }
    }

    fn verdict(&self) -> &'static str {
        match (self.ratio, self.target) {
            (Some(r), Target::AtMost(limit)) if r <= limit => "met",
            (Some(r), Target::AtLeast(limit)) if r >= limit => "met",
            (Some(r), Target::Budget(_)) if r <= 1.0 => "met",
            (Some(_), Target::AtMost(_) | Target::AtLeast(_) | Target::Budget(_)) => "**missed**",
            _ => "",
        }
    }

    fn target_text(&self) -> String {
        match self.target {
            Target::None => String::new(),
            Target::AtMost(limit) => format!("≤ {limit:.2}×"),
            Target::AtLeast(limit) => format!("≥ {limit:.2}×"),
            Target::Budget(limit) => format!("≤ {limit}"),
        }
    }
}

/// The rows as one markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| area | case | measured | compared with | ratio | target | verdict |\n\
         |---|---|---:|---:|---:|---|---|\n",
    );
    for row in rows {
        let ratio = row.ratio.map(|r| format!("{r:.2}×")).unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            row.area,
            row.case,
            row.measured,
            row.reference,
            ratio,
            row.target_text(),
            row.verdict()
        ));
    }
    out
}

/// What the report says about the run besides the table.
pub struct RunInfo<'a> {
    /// The command that produced it.
    pub command: &'a str,
    /// `std::thread::available_parallelism`.
    pub cores: usize,
    /// When, UTC.
    pub date: String,
    /// How long the whole run took.
    pub took: Duration,
}

const HOW_TO_READ: &str = "**How to read it.** Every ratio compares two things measured in \
the same run on the same machine, interleaved where it matters, so drift and a busy \
neighbour hit both sides alike: ratios are the headline, absolute times are context and \
move from machine to machine. *Overhead* rows compare the SDK (`hpc_sdk`) with a \
hand-written `reqwest` + `serde_json` client that signs EHPC requests itself and reuses one \
connection pool, both calling the same in-process sandbox on loopback (on a tokio runtime \
of its own, as a server would have its own threads); 1.00× means the SDK costs nothing \
extra. p99 rests on the slowest 1% of samples and is the noisiest row on a shared machine. \
Allocation counts cover only the client's threads and barely move between runs. \
*Throughput* rows list 100,000 jobs through `.items()`, with the latency per page \
injected by the sandbox; the file rows move one file to or from a sandbox of their own \
(MB/s, decimal), the SDK against a hand-written `reqwest` transfer tuned as the SDK is \
(16 MiB chunks, 4 in flight; a 1 MiB write buffer and `sync_data` for a download), timed \
from the call to its answer after every dirty page on the machine was flushed, so that \
neither side pays for the other's write-back; a download's time is largely the disk's. \
*Memory* rows are the peak resident set (`VmHWM`) of a fresh \
child process that only runs the client; the sandbox serving it lives in the parent. \
*Watching* rows submit 1,000 SCNet `sleep` jobs to a sandbox running 100× real time \
(each ends 3 to 6 s later) and watch them all with one `jobs().watch(ids)`: listings per \
poll (polls counted as the client's sleeps plus one), against the one request per job \
per interval of per-job polling; the delay runs from a job's end (known from its run \
time) to its final status reaching the caller. \
*Signing* and *decoding* are single-threaded loops. *Codegen* runs the already built \
`xtask` binary (dev profile, as `cargo xtask` builds it). `cargo xtask bench --quick` \
runs fewer samples and moves 256 MiB where a full run moves 1 GiB (about 35 s; a full \
run takes about 2 minutes, 80 s of it file transfer).";

/// The generated section: command, machine, how to read, the table.
pub fn section(info: &RunInfo<'_>, rows: &[Row]) -> String {
    format!(
        "{START}\n\n\
         - command: `{}`\n\
         - cores (`available_parallelism`): {}\n\
         - date: {}\n\
         - whole run: {:.0} s\n\n\
         {HOW_TO_READ}\n\n\
         {}\n{END}",
        info.command,
        info.cores,
        info.date,
        info.took.as_secs_f64(),
        table(rows)
    )
}

/// Writes `section` into `path`, replacing an earlier generated section and keeping
/// everything else; a new file gets a title.
pub fn write(path: &Path, section: &str) -> std::io::Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(START), old.find(END)) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{section}{}", &old[..start], &old[end + END.len()..])
        }
        _ if old.trim().is_empty() => format!("# Benchmarks\n\n{section}\n"),
        _ => format!("{}\n\n{section}\n", old.trim_end()),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, new)
}

/// A duration for humans: µs below a millisecond, else ms.
pub fn duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1000.0 {
        format!("{micros:.0} µs")
    } else {
        format!("{:.2} ms", micros / 1000.0)
    }
}

/// The median of some numbers (0 for none).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The `p`th percentile (0..=100) of sorted durations, nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewriting_keeps_text_outside_the_markers() {
        let dir = std::env::temp_dir().join(format!("hpc-bench-report-{}", std::process::id()));
        let path = dir.join("benchmarks.md");
        write(&path, &format!("{START}\none\n{END}")).unwrap();
        let first = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{first}\n## Fixes\nkept\n")).unwrap();
        write(&path, &format!("{START}\ntwo\n{END}")).unwrap();
        let second = std::fs::read_to_string(&path).unwrap();
        assert!(
            second.contains("two") && !second.contains("one"),
            "{second}"
        );
        assert!(second.contains("## Fixes\nkept"), "{second}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&sorted[..1], 99.0), Duration::from_millis(1));
    }

    #[test]
    fn verdicts_follow_the_target() {
        let mut row = Row::context("a", "b", "1".into());
        row.ratio = Some(1.04);
        row.target = Target::AtMost(1.05);
        assert_eq!(row.verdict(), "met");
        row.target = Target::AtLeast(2.0);
        assert_eq!(row.verdict(), "**missed**");
        row.target = Target::Budget("64 MiB");
        assert_eq!(row.verdict(), "**missed**");
        assert_eq!(row.target_text(), "≤ 64 MiB");
        row.ratio = Some(0.5);
        assert_eq!(row.verdict(), "met");
    }
}
