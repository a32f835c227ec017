//! SCNet jobs' stdout and stderr files. Nothing ticks in the sandbox, so the files are
//! written lazily: [`settle`] runs before every realtime, history and file answer and
//! brings every job's files up to where its phase says they are.

use std::io;

use crate::scheduler::output_stages::Stage;
use crate::scheduler::{Phase, ScnetDetails, SimJob};
use crate::script::Script;
use crate::state::Shared;

/// `pattern` with `%j` as the job id, or `<work_dir>/<name>.<id>` without one.
fn resolve(pattern: Option<&str>, work_dir: &str, name: &str, job_id: u32) -> String {
    match pattern.filter(|p| !p.is_empty()) {
        Some(pattern) => pattern.replace("%j", &job_id.to_string()),
        None => format!("{}/{name}.{job_id}", work_dir.trim_end_matches('/')),
    }
}

/// The job's stdout file: `GAP_STD_OUT_FILE`, else `<workdir>/std.out.<id>`.
pub(crate) fn stdout_path(job: &SimJob, details: &ScnetDetails) -> String {
    let pattern = job.request.stdout.as_deref();
    resolve(pattern, &details.work_dir, "std.out", job.job_id)
}

/// The job's stderr file: `GAP_STD_ERR_FILE`, else `<workdir>/std.err.<id>`.
pub(crate) fn stderr_path(job: &SimJob, details: &ScnetDetails) -> String {
    let pattern = job.request.stderr.as_deref();
    resolve(pattern, &details.work_dir, "std.err", job.job_id)
}

/// Brings every SCNet job's files up to date: a running job's exist (empty), an ended
/// job's hold all it printed (a cancelled one's what it printed before the cancel, so
/// nothing if it never started). Callable from any service that reads cluster files.
///
/// A file that cannot be written is left as it is: the read that follows then reports
/// it missing, which is what a client of a broken cluster would see.
pub(crate) fn settle(shared: &Shared) {
    let mut stages = shared
        .outputs
        .stages
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let speed = shared.scnet_scheduler.speed;
    for job in shared.scnet_scheduler.snapshot() {
        let Some(details) = job.request.scnet.as_deref() else {
            continue;
        };
        let stage = stages.get(&job.job_id).copied();
        match job.phase(speed) {
            Phase::Pending => {}
            Phase::Running if stage.is_none() => {
                let opened = shared
                    .files
                    .create(&stdout_path(&job, details))
                    .and_then(|_| shared.files.create(&stderr_path(&job, details)));
                if opened.is_ok() {
                    stages.insert(job.job_id, Stage::Open);
                }
            }
            Phase::Running => {}
            _ if stage == Some(Stage::Written) => {}
            _ => {
                if write_final(shared, &job, details).is_ok() {
                    stages.insert(job.job_id, Stage::Written);
                }
            }
        }
    }
}

/// Writes an ended job's stdout and stderr, streamed (a `seq 1000000` never sits in
/// memory whole) and staged, so that a read racing this write sees the files before or
/// after it, never half written.
fn write_final(shared: &Shared, job: &SimJob, details: &ScnetDetails) -> io::Result<()> {
    let mut stdout = shared.files.stage(&stdout_path(job, details))?;
    let mut stderr = shared.files.stage(&stderr_path(job, details))?;
    match job.stopped_into_run() {
        // Cancelled before it started: it printed nothing.
        Some(None) => {}
        ran => Script::parse(&job.request.cmd_line).write_output(
            ran.flatten(),
            &mut stdout,
            &mut stderr,
        )?,
    }
    stdout.commit()?;
    stderr.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_follow_the_pattern_or_the_work_dir() {
        assert_eq!(resolve(None, "/w/", "std.out", 7), "/w/std.out.7");
        assert_eq!(resolve(Some(""), "/w", "std.err", 7), "/w/std.err.7");
        assert_eq!(
            resolve(Some("/o/%j/out.%j"), "/w", "std.out", 12),
            "/o/12/out.12"
        );
    }
}
