//! The SDK's one error type.

use std::fmt;
use std::time::Duration;

use crate::classify::{self, RetryAdvice};
use crate::codes::{EhpcCode, ErrorCode, ScnetCode};

/// Which cloud answered.
///
/// ```
/// assert_eq!(hpc_sdk::Platform::Scnet.to_string(), "SCNet");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Platform {
    /// QingCloud EHPC.
    Ehpc,
    /// SCNet / Sugon AC.
    Scnet,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Platform::Ehpc => "EHPC",
            Platform::Scnet => "SCNet",
        })
    }
}

/// Everything that can go wrong calling either cloud. Never holds a secret.
///
/// ```
/// use hpc_sdk::{EhpcCode, Error, ErrorCode, Platform};
///
/// let err = Error::Api {
///     platform: Platform::Ehpc,
///     code: ErrorCode::Ehpc(EhpcCode::ServerBusy),
///     message: "busy".into(),
///     http_status: 200,
/// };
/// assert_eq!(err.to_string(), "EHPC error 5100 (server busy): busy");
/// assert!(err.is_retryable());
/// assert_eq!(err.code(), Some(&ErrorCode::Ehpc(EhpcCode::ServerBusy)));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error code (even with HTTP 200).
    #[error("{platform} error {code} ({meaning}): {message}", meaning = code.meaning())]
    Api {
        /// Which cloud answered.
        platform: Platform,
        /// The platform's code, typed; unknown codes are kept as themselves.
        code: ErrorCode,
        /// The server's message.
        message: String,
        /// The HTTP status the error came with (usually 200).
        http_status: u16,
    },
    /// A non-success HTTP status without a platform error in the body, such as a
    /// gateway's HTML page.
    #[error("HTTP {status}: {body_excerpt}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The first few hundred characters of the body.
        body_excerpt: String,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// The body could not be decoded as the expected JSON.
    #[error("cannot decode the answer (HTTP {status}): {source}; body starts: {body_excerpt}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// The first few hundred characters of the body.
        body_excerpt: String,
        /// What the decoder said (a `serde_json` error, behind `source()`).
        source: BoxError,
    },
    /// The request did not complete: connection refused or reset, DNS, TLS.
    #[error("transport error: {message}")]
    Transport {
        /// What failed.
        message: String,
        /// The underlying error, if any (a `reqwest` error without its URL).
        #[source]
        source: Option<BoxError>,
    },
    /// An attempt or the whole operation ran out of time.
    #[error("timed out after {after:?} ({scope})")]
    Timeout {
        /// The limit that was reached.
        after: Duration,
        /// `"attempt"` or `"operation"`.
        scope: &'static str,
    },
    /// Credentials are missing or were refused before any call could be made.
    #[error("authentication failed: {message}")]
    Auth {
        /// What is wrong, never the secret itself.
        message: String,
    },
    /// The caller passed something the SDK cannot send.
    #[error("invalid input: {message}")]
    InvalidInput {
        /// What is wrong.
        message: String,
    },
    /// An answer was larger than the client's limit (`max_body_bytes`), counted after
    /// decompression; nothing past the limit was kept in memory. Never retried: the
    /// same request would bring the same answer.
    #[error(
        "the answer is larger than the limit of {limit} bytes (raise it with max_body_bytes if the server is trusted)"
    )]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A submit failed in a way that leaves its outcome unknown (a timeout, a 5xx, a
    /// connection closed after the request was sent, an answer that cannot be read): the
    /// job may exist. Never retried; look it up with the values here (EHPC:
    /// `jobs().find_submitted(&error)`), and submit again only if it is not there.
    #[error(
        "the job may have been submitted (name `{name}` on cluster {cluster}, sent at {sent_at}); check before submitting again: {cause}"
    )]
    MaybeSubmitted {
        /// The job name that was sent.
        name: String,
        /// The cluster (EHPC) or scheduler (SCNet) it was sent to.
        cluster: String,
        /// When the request was sent, by the client's clock.
        sent_at: chrono::DateTime<chrono::Utc>,
        /// What went wrong.
        cause: Box<Error>,
    },
    /// A local file could not be read or written (an upload's source, a download's
    /// target): nothing on the server is wrong.
    #[error("{path}: cannot {doing}: {source}", path = path.display())]
    LocalFile {
        /// The file.
        path: std::path::PathBuf,
        /// What the SDK was doing, e.g. `read` or `write`.
        doing: &'static str,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A transfer ended with other bytes than it should have: the server holds another
    /// size than was uploaded, or a download ended short of its announced length.
    #[error("{path}: expected {expected} bytes after the transfer, found {}", found.map_or("none".to_string(), |n| n.to_string()))]
    SizeMismatch {
        /// The remote path (upload) or local path (download).
        path: String,
        /// The size that was sent or announced.
        expected: u64,
        /// The size found, if the file was found at all.
        found: Option<u64>,
    },
    /// A listing's pages contradict each other (an empty page before `total_count`
    /// was reached, twice): the listing is incomplete, not silently truncated.
    #[error("inconsistent listing: {message}")]
    InconsistentListing {
        /// What the pages said.
        message: String,
    },
}

/// An underlying error from a library the SDK uses, reached through
/// [`std::error::Error::source`] so that no third-party type is part of the SDK's API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The SDK's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The platform's error code, for [`Error::Api`].
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the request provably never reached a server (the connection was refused
    /// or the host not found), so that even a submit may be sent again.
    pub fn never_sent(&self) -> bool {
        let Error::Transport {
            source: Some(source),
            ..
        } = self
        else {
            return false;
        };
        source
            .downcast_ref::<reqwest::Error>()
            .is_some_and(|e| e.is_connect() && !e.is_timeout())
    }

    /// Whether a mutation's outcome is unknown: it may have been carried out.
    pub(crate) fn is_ambiguous(&self) -> bool {
        match self {
            Error::Transport { .. } => !self.never_sent(),
            Error::Timeout { .. } | Error::Decode { .. } | Error::BodyTooLarge { .. } => true,
            Error::Http { status, .. } => *status >= 500,
            Error::Api { http_status, .. } if *http_status >= 500 => true,
            // EHPC answers its own failures with HTTP 200: an internal error or a server
            // "busy" (its text: the execution timed out) may come after the job was made.
            Error::Api {
                code: ErrorCode::Ehpc(EhpcCode::InternalError | EhpcCode::ServerBusy),
                ..
            } => true,
            // SCNet's 815005: the scheduler did not answer the portal, which may have
            // handed the job on.
            Error::Api {
                code: ErrorCode::Scnet(ScnetCode::SubmitNoAnswer),
                ..
            } => true,
            _ => false,
        }
    }

    /// Whether a read may succeed if sent again: what the classifiers decide for a
    /// first failure (see [`crate::retry::classify`]).
    pub fn is_retryable(&self) -> bool {
        self.retry_advice(0).is_retry()
    }

    /// The classifiers in order: transport and attempt timeouts, then a busy HTTP status
    /// (whatever envelope it carries, but an expired SCNet token), then the platform
    /// code's class from its table.
    pub(crate) fn retry_advice(&self, retries_so_far: u32) -> RetryAdvice {
        match self {
            Error::Transport { .. }
            | Error::Timeout {
                scope: "attempt", ..
            } => classify::NOW,
            Error::Http {
                status,
                retry_after,
                ..
            } => classify::http_status(*status, *retry_after),
            Error::Api {
                http_status, code, ..
            } if classify::is_busy_status(*http_status)
                && !matches!(code, ErrorCode::Scnet(ScnetCode::PermissionDenied)) =>
            {
                classify::NOW
            }
            Error::Api {
                code: ErrorCode::Ehpc(code),
                ..
            } => classify::code_class(code.retry_class(), retries_so_far),
            Error::Api {
                code: ErrorCode::Scnet(code),
                ..
            } => classify::code_class(code.retry_class(), retries_so_far),
            _ => RetryAdvice::Stop,
        }
    }

    /// The HTTP status the error came with, if a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api { http_status, .. } => Some(*http_status),
            Error::Http { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn ehpc(code: i64, message: impl Into<String>, http_status: u16) -> Self {
        Error::Api {
            platform: Platform::Ehpc,
            code: ErrorCode::Ehpc(EhpcCode::from_code(code)),
            message: crate::scrub::scrub(&message.into()),
            http_status,
        }
    }

    pub(crate) fn scnet(code: &str, message: impl Into<String>, http_status: u16) -> Self {
        Error::Api {
            platform: Platform::Scnet,
            code: ErrorCode::Scnet(ScnetCode::from_code(code)),
            message: crate::scrub::scrub(&message.into()),
            http_status,
        }
    }

    /// The error with every occurrence of `value` (a configured identifier such as an
    /// access key id) in what a server wrote replaced by `[REDACTED]`.
    pub(crate) fn redact(mut self, value: &str) -> Self {
        if value.len() < 4 {
            // Too short to be told from ordinary text.
            return self;
        }
        if let Error::Api { message: text, .. }
        | Error::Http {
            body_excerpt: text, ..
        }
        | Error::Decode {
            body_excerpt: text, ..
        } = &mut self
            && text.contains(value)
        {
            *text = text.replace(value, "[REDACTED]");
        }
        self
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput {
            message: message.into(),
        }
    }

    pub(crate) fn auth(message: impl Into<String>) -> Self {
        Error::Auth {
            message: message.into(),
        }
    }
}
