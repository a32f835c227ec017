//! The `token` header every SCNet call but the logins carries, added by the pre-hook the
//! generated client calls on every `send()`.

use std::convert::Infallible;
use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};

/// The generated client's inner value: the token its requests carry, if any. Its
/// `Debug` never shows the token, and the header is marked sensitive.
///
/// ```
/// use scnet_client::Auth;
/// let auth = Auth::token("eyJhbGciOiJIUzI1NiJ9.e30.c2ln").unwrap();
/// assert_eq!(format!("{auth:?}"), "Auth { token: Some([REDACTED]) }");
/// assert!(Auth::token("two\nlines").is_err());
/// assert_eq!(format!("{:?}", Auth::none()), "Auth { token: None }");
/// ```
#[derive(Clone, Default)]
pub struct Auth {
    token: Option<HeaderValue>,
    response_filter: Option<ResponseFilter>,
}

/// Wraps every response before the generated code reads its body: the `hpc-sdk` facade
/// bounds the body's size here, since the generated `send()` reads it whole.
///
/// ```
/// let keep: scnet_client::ResponseFilter = std::sync::Arc::new(|response| response);
/// let auth = scnet_client::Auth::none().with_response_filter(keep);
/// # let _ = auth;
/// ```
pub type ResponseFilter =
    std::sync::Arc<dyn Fn(reqwest::Response) -> reqwest::Response + Send + Sync>;

/// A token that cannot travel in an HTTP header (a control character, say).
///
/// ```
/// let err = scnet_client::Auth::token("a\u{7f}b").unwrap_err();
/// assert_eq!(err.to_string(), "the token is not a valid HTTP header value");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidToken;

impl fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the token is not a valid HTTP header value")
    }
}

impl std::error::Error for InvalidToken {}

impl Auth {
    /// Requests carry no token (the logins).
    pub fn none() -> Self {
        Self::default()
    }

    /// Requests carry `token`.
    pub fn token(token: &str) -> Result<Self, InvalidToken> {
        let mut value = HeaderValue::from_str(token).map_err(|_| InvalidToken)?;
        value.set_sensitive(true);
        Ok(Self {
            token: Some(value),
            response_filter: None,
        })
    }

    /// Passes every response through `filter` before its body is read.
    pub fn with_response_filter(mut self, filter: ResponseFilter) -> Self {
        self.response_filter = Some(filter);
        self
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = if self.token.is_some() {
            "Some([REDACTED])"
        } else {
            "None"
        };
        write!(f, "Auth {{ token: {token} }}")
    }
}

/// The pre-hook (`with_pre_hook_async` in the xtask): sets header `token`, if any.
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use scnet_client::{add_token, Auth};
///
/// let mut request = reqwest::Request::new(reqwest::Method::GET, "http://x/ac/openapi/v2/center".parse().unwrap());
/// let auth = Auth::token("t").unwrap();
/// {
///     let mut hook = std::pin::pin!(add_token(&auth, &mut request));
///     let polled = hook.as_mut().poll(&mut Context::from_waker(Waker::noop()));
///     assert!(matches!(polled, Poll::Ready(Ok(()))));
/// }
/// assert_eq!(request.headers()["token"], "t");
/// ```
pub async fn add_token(auth: &Auth, request: &mut reqwest::Request) -> Result<(), Infallible> {
    if let Some(token) = &auth.token {
        request
            .headers_mut()
            .insert(HeaderName::from_static("token"), token.clone());
    }
    Ok(())
}

/// Sends each request and hands the response to the filter, if any, before the
/// generated code reads the body.
impl progenitor_client::ClientHooks<Auth> for crate::Client {
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
