//! How many times and how long to retry: attempts, backoff and the total wait budget,
//! kept apart from the classifiers that decide whether to retry at all.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

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
    pub(crate) max_delay: Duration,
    pub(crate) max_total_delay: Duration,
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

    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
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
