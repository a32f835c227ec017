//! One deadline per user call. A public `send()` (or one page of a stream) opens an
//! operation; everything it does on the way (a login, region discovery, a token renewal,
//! the call itself, a 10008 refresh, every retry and the waits between them) runs under
//! the one deadline the operation set, not under deadlines of their own.
//!
//! The deadline travels as a task-local, so the nested steps need no extra argument; a
//! step that opens an operation inside another one joins the outer deadline.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Result;

tokio::task_local! {
    /// When the current operation must be over.
    static DEADLINE: Instant;
}

/// A limit too large to add is as good as none (about 34 years from now).
fn far_future(from: Instant) -> Instant {
    from + Duration::from_secs(1 << 30)
}

/// Runs `work` as one user operation limited to `per_operation` in all. Inside another
/// operation, `work` runs under the outer deadline instead.
///
/// No timer of its own: every step that can take time enforces the deadline itself. The
/// retry loop arms a timer at the deadline whenever it comes before an attempt's own
/// limit (and then fails with [`crate::Error::Timeout`], `scope: "operation"`), and never starts
/// a wait that would end past it. A healthy call thus pays for no timer beyond the HTTP
/// client's own (one timer per call cost the SCNet walltime benchmark about 0.02×).
pub(crate) async fn operation<T>(
    per_operation: Duration,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    if DEADLINE.try_with(|_| ()).is_ok() {
        return work.await;
    }
    let now = Instant::now();
    let deadline = now
        .checked_add(per_operation)
        .unwrap_or_else(|| far_future(now));
    // On the heap: an operation's steps nest deeply, and their state would otherwise sit
    // on the caller's stack (a debug build overflowed a test thread's).
    DEADLINE.scope(deadline, Box::pin(work)).await
}

/// The deadline of the operation this task is in, if any.
pub(crate) fn current() -> Option<Instant> {
    DEADLINE.try_with(|at| *at).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::CallContext;
    use crate::error::Error;
    use crate::retry::{self, Call};

    /// A step of `secs` seconds through the retry loop, as logins and calls are.
    async fn step(rt: &CallContext, secs: u64) -> Result<()> {
        let call = Call {
            platform: crate::Platform::Scnet,
            operation: "step",
            idempotent: true,
        };
        retry::run(rt, call, |_| async move {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            Ok(())
        })
        .await
    }

    #[tokio::test(start_paused = true)]
    async fn every_step_shares_the_outer_deadline() {
        let rt = CallContext::default();
        let started = Instant::now();
        let result = operation(Duration::from_secs(4), async {
            // Two steps of 3 s each, the second nested in an operation of its own:
            // neither may restart the clock.
            step(&rt, 3).await?;
            assert_eq!(current(), Some(started + Duration::from_secs(4)));
            operation(Duration::from_secs(120), step(&rt, 3)).await
        })
        .await;
        assert!(
            matches!(
                result,
                Err(Error::Timeout {
                    scope: "operation",
                    ..
                })
            ),
            "{result:?}"
        );
        assert_eq!(started.elapsed(), Duration::from_secs(4));
        assert_eq!(current(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_limit_does_not_overflow() {
        let value = operation(Duration::MAX, async { Ok(7) }).await.unwrap();
        assert_eq!(value, 7);
        assert!(current().is_none());
    }
}
