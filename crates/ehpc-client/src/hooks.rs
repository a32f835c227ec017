//! The pre-send hook the generated client calls on every request.

use std::fmt;
use std::sync::Arc;

/// Signs a request in place just before it is sent.
///
/// The generated client calls it on every `send()`, so each attempt of a retried call
/// carries a fresh timestamp and signature. The `hpc-sdk` facade provides the EHPC
/// signer; tests can provide their own.
///
/// ```
/// use ehpc_client::{SignError, SignRequest};
///
/// struct AddZone;
/// impl SignRequest for AddZone {
///     fn sign(&self, request: &mut reqwest::Request) -> Result<(), SignError> {
///         request.url_mut().query_pairs_mut().append_pair("zone", "jinan1a");
///         Ok(())
///     }
/// }
/// ```
pub trait SignRequest: Send + Sync {
    /// Adds the authentication parameters to `request`.
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), SignError>;
}

/// Why a request could not be signed. Never holds a secret.
///
/// ```
/// let err = ehpc_client::SignError::new("the request body is a stream");
/// assert_eq!(err.to_string(), "cannot sign the request: the request body is a stream");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignError(String);

impl SignError {
    /// An error with this reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot sign the request: {}", self.0)
    }
}

impl std::error::Error for SignError {}

/// Wraps every response before the generated code reads its body: the `hpc-sdk` facade
/// bounds the body's size here, since the generated `send()` reads it whole.
///
/// ```
/// let keep: ehpc_client::ResponseFilter = std::sync::Arc::new(|response| response);
/// # let _ = keep;
/// ```
pub type ResponseFilter = Arc<dyn Fn(reqwest::Response) -> reqwest::Response + Send + Sync>;

/// The generated client's inner value: the signer and the response filter, if any.
///
/// ```
/// use ehpc_client::Hooks;
/// assert_eq!(format!("{:?}", Hooks::unsigned()), "Hooks { signer: None, response_filter: None }");
/// ```
#[derive(Clone, Default)]
pub struct Hooks {
    signer: Option<Arc<dyn SignRequest>>,
    response_filter: Option<ResponseFilter>,
}

impl Hooks {
    /// Sends requests as built, unsigned (for tests and mocks).
    pub fn unsigned() -> Self {
        Self::default()
    }

    /// Signs every request with `signer`.
    pub fn signed_by(signer: Arc<dyn SignRequest>) -> Self {
        Self {
            signer: Some(signer),
            response_filter: None,
        }
    }

    /// Passes every response through `filter` before its body is read.
    pub fn with_response_filter(mut self, filter: ResponseFilter) -> Self {
        self.response_filter = Some(filter);
        self
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signer holds a secret key: show only whether there is one.
        let shown = |set: bool| if set { "Some(..)" } else { "None" };
        write!(
            f,
            "Hooks {{ signer: {}, response_filter: {} }}",
            shown(self.signer.is_some()),
            shown(self.response_filter.is_some())
        )
    }
}

/// The pre-hook (`with_pre_hook_async` in the xtask): signs `request` if a signer is set.
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use ehpc_client::{before_send, Hooks};
///
/// let mut request = reqwest::Request::new(reqwest::Method::GET, "http://x/api/job/list".parse().unwrap());
/// let hooks = Hooks::unsigned();
/// let mut hook = std::pin::pin!(before_send(&hooks, &mut request));
/// // Signing never waits, so the future is ready on its first poll.
/// let mut context = Context::from_waker(Waker::noop());
/// let polled = hook.as_mut().poll(&mut context);
/// assert!(matches!(polled, Poll::Ready(Ok(()))));
/// ```
pub async fn before_send(hooks: &Hooks, request: &mut reqwest::Request) -> Result<(), SignError> {
    match &hooks.signer {
        Some(signer) => signer.sign(request),
        None => Ok(()),
    }
}

/// Sends each request and hands the response to the filter, if any, before the
/// generated code reads the body.
impl progenitor_client::ClientHooks<Hooks> for crate::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        use progenitor_client::ClientInfo;
        let response = self.client().execute(request).await?;
        Ok(match &self.inner().response_filter {
            Some(filter) => filter(response),
            None => response,
        })
    }
}
