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

use crate::error::{Error, Result};

tokio::task_local! {
    static DEADLINE: Limit;
}

/// When the current operation must be over, and the limit the caller set.
#[derive(Clone, Copy, Debug)]
struct Limit {
    at: Instant,
    after: Duration,
}

/// A limit too large to add is as good as none (about 34 years from now).
fn far_future(from: Instant) -> Instant {
    from + Duration::from_secs(1 << 30)
}

/// Runs `work` as one user operation limited to `per_operation` in all: it fails with
/// [`Error::Timeout`] (`scope: "operation"`) when the time is up, whatever step it was in.
/// Inside another operation, `work` runs under the outer deadline instead.
pub(crate) async fn operation<T>(
    per_operation: Duration,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    if DEADLINE.try_with(|_| ()).is_ok() {
        return work.await;
    }
    let now = Instant::now();
    let limit = Limit {
        at: now
            .checked_add(per_operation)
            .unwrap_or_else(|| far_future(now)),
        after: per_operation,
    };
    // On the heap: an operation's steps nest deeply, and their state would otherwise sit
    // on the caller's stack (a debug build overflowed a test thread's).
    let work = Box::pin(work);
    DEADLINE
        .scope(limit, async move {
            match tokio::time::timeout_at(limit.at, work).await {
                Ok(result) => result,
                Err(_) => Err(Error::Timeout {
                    after: limit.after,
                    scope: "operation",
                }),
            }
        })
        .await
}

/// The deadline of the operation this task is in, if any.
pub(crate) fn current() -> Option<Instant> {
    DEADLINE.try_with(|limit| limit.at).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn every_step_shares_the_outer_deadline() {
        let started = Instant::now();
        let result: Result<()> = operation(Duration::from_secs(4), async {
            // Two nested steps of 3 s each: neither may restart the clock.
            operation(Duration::from_secs(120), async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                Ok(())
            })
            .await?;
            assert_eq!(current(), Some(started + Duration::from_secs(4)));
            operation(Duration::from_secs(120), async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                Ok(())
            })
            .await
        })
        .await;
        assert!(matches!(
            result,
            Err(Error::Timeout {
                scope: "operation",
                after
            }) if after == Duration::from_secs(4)
        ));
        assert_eq!(started.elapsed(), Duration::from_secs(4));
        assert_eq!(current(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_limit_does_not_overflow() {
        let value = operation(Duration::MAX, async { Ok(7) }).await.unwrap();
        assert_eq!(value, 7);
    }
}
