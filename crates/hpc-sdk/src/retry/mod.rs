//! The retry strategy: the classifiers' advice gated by idempotency, attempts counted,
//! backoff and its budget from [`RetryPolicy`], all inside the operation's deadline.

use std::time::Duration;

use tracing::Instrument;

pub use crate::classify::RetryAdvice;
use crate::context::CallContext;
use crate::error::{Error, Result};
pub use crate::retry_policy::RetryPolicy;

/// Whether to send a failed call again: the classifiers of [`Error`] for a call that
/// may be repeated, `Stop` for one that must not be. `retries_so_far` counts the retries already made for this operation;
/// `idempotent` is false for calls that must never be repeated, unless the attempt
/// provably never left (connection refused, host not found).
///
/// ```
/// use hpc_sdk::retry::{classify, RetryAdvice};
/// use hpc_sdk::Error;
///
/// let busy = Error::Http { status: 503, body_excerpt: String::new(), retry_after: None };
/// assert!(classify(&busy, 0, true).is_retry());
/// assert_eq!(classify(&busy, 0, false), RetryAdvice::Stop);
/// ```
pub fn classify(error: &Error, retries_so_far: u32, idempotent: bool) -> RetryAdvice {
    // A call that must not be repeated may still be sent again when the first attempt
    // provably never reached a server.
    if !idempotent && !error.never_sent() {
        return RetryAdvice::Stop;
    }
    error.retry_advice(retries_so_far)
}

/// What the loop needs to know about the call.
#[derive(Clone, Copy)]
pub(crate) struct Call {
    pub platform: crate::Platform,
    pub operation: &'static str,
    pub idempotent: bool,
}

/// Runs `attempt` until it succeeds, [`classify`] says stop, the backoff runs out, or
/// the operation's time is up. Each attempt gets its own timeout and tracing span.
pub(crate) async fn run<T, F, Fut>(rt: &CallContext, call: Call, mut attempt: F) -> Result<T>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let span =
        tracing::info_span!("hpc.operation", platform = %call.platform, operation = call.operation);
    let per_attempt = rt.timeouts.per_attempt;
    let per_operation = rt.timeouts.per_operation;
    // One timer per attempt, at whichever limit comes first: the attempt's own or the
    // operation's. The first attempt of a healthy call pays for a single timer.
    let started_at = tokio::time::Instant::now();
    // The user's call set the deadline (see `deadline`); a loop run outside one (a test)
    // gets its own. A limit too large to add is as good as none.
    let operation_deadline = crate::deadline::current().unwrap_or_else(|| {
        started_at
            .checked_add(per_operation)
            .unwrap_or_else(|| started_at + Duration::from_secs(1 << 30))
    });
    let all = async {
        let mut backoff = rt.retry.backoff();
        let mut retries = 0;
        let mut number = 0u32;
        loop {
            number += 1;
            let attempt_span = tracing::debug_span!(
                "hpc.attempt",
                attempt = number,
                status = tracing::field::Empty,
                code = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let started = tokio::time::Instant::now();
            let attempt_deadline = started
                .checked_add(per_attempt)
                .unwrap_or(operation_deadline);
            let (limit, timeout) = if attempt_deadline <= operation_deadline {
                (
                    attempt_deadline,
                    Error::Timeout {
                        after: per_attempt,
                        scope: "attempt",
                    },
                )
            } else {
                (
                    operation_deadline,
                    Error::Timeout {
                        after: per_operation,
                        scope: "operation",
                    },
                )
            };
            let attempt_future = attempt(number).instrument(attempt_span.clone());
            let result = if rt.http_times_attempts && attempt_deadline <= operation_deadline {
                // reqwest enforces the attempt's limit; a second timer would only cost.
                attempt_future.await
            } else {
                tokio::time::timeout_at(limit, attempt_future)
                    .await
                    .unwrap_or(Err(timeout))
            };
            let result = result.map_err(|error| match error {
                // reqwest's own per-attempt timeout does not say how long it was.
                Error::Timeout {
                    after,
                    scope: "attempt",
                } if after.is_zero() => Error::Timeout {
                    after: per_attempt,
                    scope: "attempt",
                },
                other => other,
            });
            attempt_span.record("latency_ms", started.elapsed().as_millis() as u64);
            let error = match result {
                Ok(value) => {
                    attempt_span.record("status", "ok");
                    return Ok(value);
                }
                Err(error) => error,
            };
            if let Some(status) = error.http_status() {
                attempt_span.record("status", status);
            }
            if let Some(code) = error.code() {
                attempt_span.record("code", tracing::field::display(code));
            }
            let RetryAdvice::Retry { at_least } = classify(&error, retries, call.idempotent) else {
                tracing::debug!(parent: &attempt_span, error = %error, "giving up");
                return Err(error);
            };
            // A server asking for a longer wait than the policy allows gets the error back.
            if at_least > rt.retry.max_delay {
                return Err(error);
            }
            let Some(delay) = backoff.next() else {
                return Err(error);
            };
            let delay = delay.max(at_least);
            if tokio::time::Instant::now() + delay >= operation_deadline {
                // No time left for another attempt: the last error says more than a timeout.
                return Err(error);
            }
            tracing::debug!(parent: &attempt_span, error = %error, ?delay, "retrying");
            retries += 1;
            rt.sleep.sleep(delay).await;
        }
    };
    all.instrument(span).await
}

#[cfg(test)]
mod tests;
