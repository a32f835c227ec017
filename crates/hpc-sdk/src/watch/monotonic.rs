//! Reported statuses only move forward: queued → running → a final state, the partial
//! order of the PSI/J job states. A stale answer (a listing cached a moment longer than
//! the detail, a second gateway behind the first) never takes a job back.

use crate::JobStatus;

impl JobStatus {
    /// Where the status stands in the job's life: 0 waiting (or not known), 1 running,
    /// 2 ended.
    fn stage(&self) -> u8 {
        match self {
            JobStatus::Queued | JobStatus::Other(_) => 0,
            JobStatus::Running => 1,
            JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled => 2,
        }
    }

    /// Whether a job known to be `self` may be reported as `next`: a later stage, or
    /// another status of the same stage before the end (an unknown status while
    /// queued). Nothing follows a final status.
    ///
    /// ```
    /// use hpc_sdk::JobStatus;
    /// assert!(JobStatus::Running.may_become(&JobStatus::Completed));
    /// assert!(!JobStatus::Running.may_become(&JobStatus::Queued));
    /// assert!(!JobStatus::Failed.may_become(&JobStatus::Completed));
    /// assert!(JobStatus::Queued.may_become(&JobStatus::Other("statW".into())));
    /// ```
    pub fn may_become(&self, next: &JobStatus) -> bool {
        if self == next || self.is_final() {
            return false;
        }
        next.stage() > self.stage() || (next.stage() == self.stage() && next.stage() == 0)
    }
}

/// The status last reported for one job.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tracked {
    status: Option<JobStatus>,
}

impl Tracked {
    /// Takes an answer; the status to report if it moves the job forward.
    pub fn observe(&mut self, answer: JobStatus) -> Option<JobStatus> {
        let moves = match &self.status {
            None => true,
            Some(known) => known.may_become(&answer),
        };
        if !moves {
            return None;
        }
        self.status = Some(answer.clone());
        Some(answer)
    }

    pub fn is_final(&self) -> bool {
        self.status.as_ref().is_some_and(JobStatus::is_final)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_answers_never_move_a_job_back() {
        let mut job = Tracked::default();
        assert_eq!(job.observe(JobStatus::Queued), Some(JobStatus::Queued));
        assert_eq!(job.observe(JobStatus::Queued), None);
        assert_eq!(job.observe(JobStatus::Running), Some(JobStatus::Running));
        assert_eq!(job.observe(JobStatus::Queued), None, "stale");
        assert_eq!(job.observe(JobStatus::Other("statW".into())), None);
        assert_eq!(job.observe(JobStatus::Failed), Some(JobStatus::Failed));
        assert_eq!(job.observe(JobStatus::Completed), None, "final stays final");
        assert_eq!(job.observe(JobStatus::Running), None);
        assert!(job.is_final());
    }

    #[test]
    fn a_first_answer_may_be_any_status() {
        let mut job = Tracked::default();
        assert_eq!(
            job.observe(JobStatus::Completed),
            Some(JobStatus::Completed)
        );
        let mut job = Tracked::default();
        assert_eq!(
            job.observe(JobStatus::Other("x".into())),
            Some(JobStatus::Other("x".into()))
        );
        assert_eq!(job.observe(JobStatus::Queued), Some(JobStatus::Queued));
    }
}
