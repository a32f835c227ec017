//! What a client needs besides HTTP: the time, a way to wait, and its limits. Clock and
//! sleep are injectable so tests of retries and token expiry run in milliseconds.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::retry_policy::RetryPolicy;

/// The source of the current time (EHPC timestamps, SCNet token expiry).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use hpc_sdk::Clock;
///
/// struct Fixed(SystemTime);
/// impl Clock for Fixed {
///     fn now(&self) -> SystemTime { self.0 }
/// }
/// let clock = Fixed(SystemTime::UNIX_EPOCH + Duration::from_secs(1_629_391_480));
/// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(1_629_391_480));
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The real clock.
///
/// ```
/// use hpc_sdk::{Clock, SystemClock};
/// assert!(SystemClock.now() > std::time::SystemTime::UNIX_EPOCH);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A boxed future, as returned by [`Sleep::sleep`].
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Waits between retries.
///
/// ```
/// use std::time::Duration;
/// use hpc_sdk::{BoxFuture, Sleep};
///
/// /// Never waits: for tests.
/// struct NoWait;
/// impl Sleep for NoWait {
///     fn sleep(&self, _: Duration) -> BoxFuture { Box::pin(async {}) }
/// }
/// ```
pub trait Sleep: Send + Sync + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture;
}

/// Sleeps on the tokio timer.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use hpc_sdk::{Sleep, TokioSleep};
/// TokioSleep.sleep(std::time::Duration::from_millis(1)).await;
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Time limits. None is infinite.
///
/// ```
/// use std::time::Duration;
/// let timeouts = hpc_sdk::Timeouts::default();
/// assert_eq!(timeouts.per_attempt, Duration::from_secs(30));
/// assert_eq!(timeouts.per_operation, Duration::from_secs(120));
/// let quick = timeouts.per_operation(Duration::from_secs(4));
/// assert_eq!(quick.per_operation, Duration::from_secs(4));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// One HTTP attempt, connection to last body byte.
    pub per_attempt: Duration,
    /// One user call in all: logins, discovery, renewals, attempts and waits.
    pub per_operation: Duration,
    /// Establishing a connection.
    pub connect: Duration,
}

impl Timeouts {
    /// One HTTP attempt, connection to last body byte.
    pub fn per_attempt(mut self, limit: Duration) -> Self {
        self.per_attempt = limit;
        self
    }

    /// One user call in all: logins, discovery, renewals, every attempt and the waits
    /// between them.
    pub fn per_operation(mut self, limit: Duration) -> Self {
        self.per_operation = limit;
        self
    }

    /// Establishing a connection.
    pub fn connect(mut self, limit: Duration) -> Self {
        self.connect = limit;
        self
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            per_attempt: Duration::from_secs(30),
            per_operation: Duration::from_secs(120),
            connect: Duration::from_secs(10),
        }
    }
}

/// The shared, injectable parts of a client.
#[derive(Clone)]
pub(crate) struct CallContext {
    pub clock: Arc<dyn Clock>,
    pub sleep: Arc<dyn Sleep>,
    pub retry: RetryPolicy,
    pub timeouts: Timeouts,
    /// The most bytes an answer may have, after decompression.
    pub max_body_bytes: u64,
    /// The HTTP client enforces `timeouts.per_attempt` itself (the SDK built it), so
    /// the retry loop need not arm a timer of its own for a healthy first attempt.
    pub http_times_attempts: bool,
}

impl Default for CallContext {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            sleep: Arc::new(TokioSleep),
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            max_body_bytes: crate::body_limit::DEFAULT_MAX_BODY_BYTES,
            http_times_attempts: false,
        }
    }
}

impl CallContext {
    /// What both generated clients run on every answer before reading its body.
    pub fn response_filter(
        &self,
    ) -> std::sync::Arc<dyn Fn(reqwest::Response) -> reqwest::Response + Send + Sync> {
        crate::body_limit::filter(self.max_body_bytes)
    }

    /// A connection-pooling HTTP client honouring the timeouts; one per SDK client, so
    /// connections are reused across calls.
    pub fn http_client(&self) -> crate::Result<reqwest::Client> {
        let tls = crate::tls::client_config().map_err(|e| crate::Error::Transport {
            message: format!("cannot set up TLS: {e}"),
            source: None,
        })?;
        reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(self.timeouts.connect)
            .timeout(self.timeouts.per_attempt)
            .user_agent(concat!("hpc-sdk/", env!("CARGO_PKG_VERSION")))
            // Tokens, passwords and signatures travel in custom headers that reqwest
            // would carry to whatever host a redirect names: follow none; a 3xx is an error.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| crate::Error::Transport {
                message: format!("cannot build the HTTP client: {}", e.without_url()),
                source: None,
            })
    }
}
