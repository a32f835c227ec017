//! Settings shared by both platforms' builders.

use crate::error::{Error, Result};

/// The setters both platforms' builders share: retry policy, timeouts, clock, sleep.
/// The builder keeps them in a `rt: CallContext` field.
macro_rules! runtime_setters {
    () => {
        /// The retry policy.
        pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
            self.rt.retry = policy;
            self
        }

        /// The time limits.
        pub fn timeouts(mut self, timeouts: $crate::Timeouts) -> Self {
            self.rt.timeouts = timeouts;
            self
        }

        /// The most bytes one answer may have, counted after decompression (default
        /// [`DEFAULT_MAX_BODY_BYTES`](crate::DEFAULT_MAX_BODY_BYTES)); a larger answer
        /// fails the call with [`Error::BodyTooLarge`](crate::Error::BodyTooLarge).
        pub fn max_body_bytes(mut self, limit: u64) -> Self {
            self.rt.max_body_bytes = limit;
            self
        }

        /// The clock used for timestamps and token expiry (tests).
        pub fn clock(mut self, clock: std::sync::Arc<dyn $crate::Clock>) -> Self {
            self.rt.clock = clock;
            self
        }

        /// How to wait between retries (tests).
        pub fn sleep(mut self, sleep: std::sync::Arc<dyn $crate::Sleep>) -> Self {
            self.rt.sleep = sleep;
            self
        }
    };
}
pub(crate) use runtime_setters;

/// A base URL, checked: `http` or `https`, with a host; no trailing slash.
pub(crate) fn base_url(raw: &str, what: &str) -> Result<String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed)
        .map_err(|e| Error::invalid_input(format!("{what} `{trimmed}` is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::invalid_input(format!(
            "{what} `{trimmed}` must be an http(s) URL with a host"
        )));
    }
    Ok(trimmed.to_string())
}

/// `scheme://host:port` of a checked base URL: `center` lists hpc URLs ending in
/// `/hpc`, and the job paths start with `/hpc` again.
pub(crate) fn origin(base: &str) -> String {
    url::Url::parse(base).map_or_else(|_| base.to_string(), |u| u.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hpc_url_as_center_lists_it_becomes_its_origin() {
        assert_eq!(origin("https://host:65051/hpc"), "https://host:65051");
        assert_eq!(origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(base_url("https://a.b/ ", "x").unwrap(), "https://a.b");
        assert!(
            base_url("ftp://a.b", "x")
                .unwrap_err()
                .to_string()
                .contains("must be an http(s) URL")
        );
        assert!(
            base_url("nope", "EHPC endpoint")
                .unwrap_err()
                .to_string()
                .contains("EHPC endpoint `nope`")
        );
    }
}
