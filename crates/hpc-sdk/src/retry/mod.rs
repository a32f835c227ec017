//! When to send again, as one pure function, and the loop that applies it.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use tracing::Instrument;

use crate::codes::{EhpcCode, ErrorCode, ScnetCode};
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// How many times and how long to retry.
///
/// ```
/// use std::time::Duration;
/// let policy = hpc_sdk::RetryPolicy::default().max_attempts(2);
/// assert_eq!(policy.attempts(), 2);
/// assert!(hpc_sdk::RetryPolicy::none().attempts() == 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    min_delay: Duration,
    max_delay: Duration,
    max_total_delay: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_total_delay: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first wait; later waits double, with jitter.
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// The longest single wait; also the longest `Retry-After` honoured.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The most time spent waiting across all retries of one operation.
    pub fn max_total_delay(mut self, delay: Duration) -> Self {
        self.max_total_delay = delay;
        self
    }

    /// Turn jitter off (for tests that assert exact delays).
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// Attempts in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        let mut builder = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .with_total_delay(Some(self.max_total_delay));
        if self.jitter {
            builder = builder.with_jitter();
        }
        builder.build()
    }
}

/// What [`classify`] advises after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAdvice {
    /// Give up and return the error.
    Stop,
    /// Send again, waiting at least this long (a `Retry-After`, or a long backoff).
    Retry {
        /// The least wait before the next attempt.
        at_least: Duration,
    },
}

impl RetryAdvice {
    /// Whether to send again.
    pub fn is_retry(self) -> bool {
        matches!(self, RetryAdvice::Retry { .. })
    }
}

const NOW: RetryAdvice = RetryAdvice::Retry {
    at_least: Duration::ZERO,
};

/// Whether to send a failed call again: the whole retry policy of api-notes.md in one
/// pure function. `retries_so_far` counts the retries already made for this operation;
/// `idempotent` is false for calls that must never be repeated.
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
    if !idempotent {
        return RetryAdvice::Stop;
    }
    match error {
        Error::Transport { .. }
        | Error::Timeout {
            scope: "attempt", ..
        } => NOW,
        Error::Http {
            status: 429 | 500 | 502 | 503 | 504,
            retry_after,
            ..
        } => RetryAdvice::Retry {
            at_least: retry_after.unwrap_or_default(),
        },
        // A gateway's 429 or 5xx carrying a platform envelope is still a busy server.
        Error::Api {
            http_status: 429 | 500 | 502 | 503 | 504,
            code,
            ..
        } if !matches!(code, ErrorCode::Scnet(ScnetCode::PermissionDenied)) => NOW,
        Error::Api {
            code: ErrorCode::Ehpc(code),
            ..
        } => match code {
            EhpcCode::InternalError | EhpcCode::ServerBusy | EhpcCode::ServiceUpdating => NOW,
            // Re-signed with a fresh timestamp by the next attempt; once is enough.
            EhpcCode::RequestExpired if retries_so_far == 0 => NOW,
            EhpcCode::InsufficientResources if retries_so_far == 0 => RetryAdvice::Retry {
                at_least: Duration::from_secs(5),
            },
            _ => RetryAdvice::Stop,
        },
        Error::Api {
            code: ErrorCode::Scnet(code),
            ..
        } => match code {
            ScnetCode::ConnectionInterrupted | ScnetCode::OperationTimedOut => NOW,
            ScnetCode::InternalError if retries_so_far < 2 => NOW,
            // 10008 is the token layer's business (refresh once, retry once).
            _ => RetryAdvice::Stop,
        },
        _ => RetryAdvice::Stop,
    }
}

/// What the loop needs to know about the call.
pub(crate) struct Call {
    pub platform: crate::Platform,
    pub operation: &'static str,
    pub idempotent: bool,
}

/// Runs `attempt` until it succeeds, [`classify`] says stop, the backoff runs out, or
/// the operation's time is up. Each attempt gets its own timeout and tracing span.
pub(crate) async fn run<T, F, Fut>(rt: &Runtime, call: Call, mut attempt: F) -> Result<T>
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
