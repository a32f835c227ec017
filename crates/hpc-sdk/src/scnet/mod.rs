//! SCNet (Sugon AC OpenAPI v2): tokens kept fresh, regions discovered, and the
//! documented calls.
//!
//! ```no_run
//! # async fn run() -> hpc_sdk::Result<()> {
//! // SCNET_USER, SCNET_ACCESS_KEY, SCNET_SECRET_KEY (see ClientBuilder::from_env)
//! let client = hpc_sdk::scnet::Client::from_env()?;
//! let counts = client.jobs().state_counts().send().await?;
//! println!("{} running, {} queued", counts.running, counts.queued);
//! # Ok(()) }
//! ```

mod auth;
mod config;
mod discovery;
mod envelope;
mod files;
mod find_submitted;
#[rustfmt::skip]
#[allow(clippy::all, unused_mut)]
mod generated;
mod history;
mod job_ops;
mod lenient;
mod ops;
mod output;
mod pipeline;
mod queues;
mod realtime;
mod record;
mod scheduler;
mod submit;
mod token;
mod watch;

use std::sync::Arc;

use secrecy::SecretString;

pub use config::{ClientBuilder, DEFAULT_API_URL, DEFAULT_PORTAL_URL};
pub use files::{
    DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_THRESHOLD, DEFAULT_PARALLEL_CHUNKS, Download, Downloaded,
    FileEntry, Files, ListFiles, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, MakeDirectory, PART_SUFFIX,
    Progress, Upload, Uploaded,
};
pub use generated::{
    GetJobStateCounts, GetUsedWalltime, Jobs, ListMemberJobs, ListSchedulers, Schedulers, Usage,
};
pub use history::{DEFAULT_HISTORY_WINDOW, GetHistoryJob, History, ListHistoryJobs};
pub use job_ops::{CancelJobs, GetJob, JobsCancelled};
pub use ops::{JobStateCounts, ListRegions, Region, Regions};
pub use output::{JobOutput, OutputStream};
pub use queues::{Queues, QueuesRequest};
pub use realtime::{DEFAULT_PAGE_SIZE, ListJobs, MAX_PAGE_SIZE, realtime_status};
pub use record::JobRecord;
pub use submit::{DEFAULT_WALLTIME, SubmitJob, SubmittedJob, parse_walltime, walltime_text};
/// Token helpers, public only for tests: not part of the supported API.
#[doc(hidden)]
pub use token::{access_key_signature, token_expiry};
pub use watch::WatchJobs;

/// Every type of the SCNet API as the spec describes it (generated), so that a
/// downstream crate names them without depending on `scnet-client`.
pub mod types {
    pub use scnet_client::Code;
    pub use scnet_client::types::*;
}

/// One live job as SCNet describes it (the generated type).
pub type MemberJob = scnet_client::types::MemberJob;

use crate::context::CallContext;
use crate::error::Result;
use auth::{TokenKind, TokenStore};
use discovery::RegionCache;

/// The two fixed hosts, and the connection pool every call shares.
pub(crate) struct Sites {
    /// The AK/SK login host (no token).
    pub api: scnet_client::Client,
    /// The platform host (`/ac/...`) without a token: the password login.
    pub portal: scnet_client::Client,
    portal_url: String,
    http: reqwest::Client,
    /// Bounds every answer's body (see `body_limit`).
    response_filter: scnet_client::ResponseFilter,
}

impl Sites {
    pub fn new(
        api_url: &str,
        portal_url: &str,
        http: reqwest::Client,
        response_filter: scnet_client::ResponseFilter,
    ) -> Self {
        let client = |url: &str| {
            let auth = scnet_client::Auth::none().with_response_filter(response_filter.clone());
            scnet_client::Client::new_with_client(url, http.clone(), auth)
        };
        Self {
            api: client(api_url),
            portal: client(portal_url),
            portal_url: portal_url.to_string(),
            http,
            response_filter,
        }
    }

    /// A generated client for `base_url` whose requests carry `token`.
    pub fn with_token(
        &self,
        base_url: &str,
        token: &secrecy::SecretString,
    ) -> Result<scnet_client::Client> {
        use secrecy::ExposeSecret;
        let auth = scnet_client::Auth::token(token.expose_secret())
            .map_err(|e| crate::Error::auth(e.to_string()))?
            .with_response_filter(self.response_filter.clone());
        Ok(scnet_client::Client::new_with_client(
            base_url,
            self.http.clone(),
            auth,
        ))
    }

    /// The platform host, with `token`.
    pub fn portal_with(&self, token: &secrecy::SecretString) -> Result<scnet_client::Client> {
        self.with_token(&self.portal_url, token)
    }
}

/// An SCNet client. Cheap to clone; clones share tokens, discovered regions and
/// connections, and may be used from many tasks at once.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    sites: Sites,
    tokens: TokenStore,
    regions: RegionCache,
    /// The client's own region and its site, once resolved.
    default_target: tokio::sync::OnceCell<(TokenKind, Arc<discovery::Site>)>,
    settings: config::Settings,
    rt: CallContext,
    /// Per region (`""`: the client's), the one scheduler it has, once listed.
    schedulers: tokio::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("scnet::Client")
            .field("api_url", &self.inner.settings.api_url)
            .field("portal_url", &self.inner.settings.portal_url)
            .field("region", &self.inner.settings.region)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with nothing set.
    ///
    /// ```
    /// let client = hpc_sdk::scnet::Client::builder()
    ///     .access_key("bob", "85f96a42b13f4d2c8b760d2775bbcca8", "SK-EXAMPLE")
    ///     .build()
    ///     .unwrap();
    /// assert!(!format!("{client:?}").contains("SK-EXAMPLE"));
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env()?.build()
    }

    /// The region calls go to: the configured one, else the first with a token.
    async fn region(&self, explicit: Option<&str>) -> Result<String> {
        if let Some(id) = explicit.or(self.inner.settings.region.as_deref()) {
            return Ok(id.to_string());
        }
        self.inner
            .tokens
            .default_region(&self.inner.rt, &self.inner.sites)
            .await
    }

    /// The token kind and site of `explicit`, or of the client's region; the latter is
    /// resolved once and then read without a lock.
    async fn region_target(
        &self,
        explicit: Option<&str>,
    ) -> Result<(TokenKind, Arc<discovery::Site>)> {
        if let Some(region) = explicit {
            return Ok((TokenKind::Region(region.into()), self.site(region).await?));
        }
        let target = self
            .inner
            .default_target
            .get_or_try_init(|| async {
                let region = self.region(None).await?;
                let site = self.site(&region).await?;
                Ok::<_, crate::Error>((TokenKind::Region(region.into()), site))
            })
            .await?;
        Ok(target.clone())
    }

    /// Runs `work` as one user call: logins, discovery, renewals, retries and waits all
    /// under the one per-operation deadline.
    async fn operation<T>(&self, work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        // Boxed here, not only inside: `work` passed on by value would be held twice,
        // in this future and in the next, and nested operations overflowed a test
        // thread's stack in a debug build.
        let work = Box::pin(work);
        self.operation_within(self.inner.rt.timeouts.per_operation, work)
            .await
    }

    /// [`Client::operation`] with a deadline of its own: a file transfer's request may
    /// need longer than a call's.
    async fn operation_within<T>(
        &self,
        per_operation: std::time::Duration,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        // Boxed: operations nest (a submit finds its scheduler, a lookup reads the history),
        // and each level would otherwise carry the whole of the next in its own future.
        let result = crate::deadline::operation(per_operation, Box::pin(work)).await;
        // A server that echoes the login's access key into an error must not show it.
        result.map_err(|error| match self.inner.tokens.access_key() {
            Some(key) => error.redact(key),
            None => error,
        })
    }

    /// Runs `call` with a token of `kind`; on 10008 (an expired token, in practice)
    /// refreshes the token once and runs it once more.
    async fn authorized<T, F, Fut>(&self, kind: TokenKind, call: F) -> Result<T>
    where
        F: Fn(Arc<SecretString>) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let (tokens, rt, sites) = (&self.inner.tokens, &self.inner.rt, &self.inner.sites);
        let token = tokens.token(rt, sites, &kind).await?;
        match call(token.clone()).await {
            Err(error) if is_refused_token(&error) && tokens.can_refresh() => {
                tracing::info!("SCNet refused the token (10008): refreshing it once");
                tokens.refused(&kind, &token).await;
                let token = tokens.token(rt, sites, &kind).await?;
                call(token).await
            }
            other => other,
        }
    }
}

fn is_refused_token(error: &crate::Error) -> bool {
    matches!(
        error.code(),
        Some(crate::ErrorCode::Scnet(crate::ScnetCode::PermissionDenied))
    )
}
