//! Settings shared by both platforms' builders.

use crate::error::{Error, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

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
