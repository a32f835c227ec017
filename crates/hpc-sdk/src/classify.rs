//! Classifiers: whether a failed attempt may be sent again. Generic ones for transport
//! failures and HTTP statuses here; each platform's codes carry their own class from
//! the spec's code table ([`crate::codes`]). [`crate::Error::retry_advice`] runs them
//! in order; the retry loop ([`crate::retry`]) adds idempotency, attempts and backoff.

use std::time::Duration;

use crate::codes::RetryClass;

/// What a classifier advises after a failed attempt.
///
/// ```
/// use std::time::Duration;
/// use hpc_sdk::retry::RetryAdvice;
/// assert!(RetryAdvice::Retry { at_least: Duration::ZERO }.is_retry());
/// assert!(!RetryAdvice::Stop.is_retry());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

pub(crate) const NOW: RetryAdvice = RetryAdvice::Retry {
    at_least: Duration::ZERO,
};

/// A statuses that says "busy, try later", whatever the body holds.
pub(crate) fn is_busy_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// An HTTP status without a platform code: busy statuses are retried, honouring
/// `Retry-After`; every other status is final.
pub(crate) fn http_status(status: u16, retry_after: Option<Duration>) -> RetryAdvice {
    if is_busy_status(status) {
        RetryAdvice::Retry {
            at_least: retry_after.unwrap_or_default(),
        }
    } else {
        RetryAdvice::Stop
    }
}

/// A platform code's class, given how many retries this operation already made.
pub(crate) fn code_class(class: RetryClass, retries_so_far: u32) -> RetryAdvice {
    match class {
        RetryClass::Backoff => NOW,
        RetryClass::Once if retries_so_far == 0 => NOW,
        RetryClass::Twice if retries_so_far < 2 => NOW,
        RetryClass::OnceAfter(wait) if retries_so_far == 0 => RetryAdvice::Retry { at_least: wait },
        RetryClass::Never
        | RetryClass::Once
        | RetryClass::Twice
        | RetryClass::OnceAfter(_)
        | RetryClass::RefreshToken => RetryAdvice::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_count_the_retries_made() {
        assert_eq!(code_class(RetryClass::Once, 0), NOW);
        assert_eq!(code_class(RetryClass::Once, 1), RetryAdvice::Stop);
        assert_eq!(code_class(RetryClass::Twice, 1), NOW);
        assert_eq!(code_class(RetryClass::Twice, 2), RetryAdvice::Stop);
        let five = Duration::from_secs(5);
        assert_eq!(
            code_class(RetryClass::OnceAfter(five), 0),
            RetryAdvice::Retry { at_least: five }
        );
        assert_eq!(code_class(RetryClass::RefreshToken, 0), RetryAdvice::Stop);
        assert_eq!(code_class(RetryClass::Backoff, 9), NOW);
    }

    #[test]
    fn only_busy_statuses_are_retried() {
        let wait = Some(Duration::from_secs(3));
        assert_eq!(
            http_status(429, wait),
            RetryAdvice::Retry {
                at_least: Duration::from_secs(3)
            }
        );
        assert_eq!(http_status(503, None), NOW);
        for status in [400, 401, 403, 404, 301, 501] {
            assert_eq!(http_status(status, None), RetryAdvice::Stop, "{status}");
        }
    }
}
