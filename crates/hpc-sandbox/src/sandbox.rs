//! Starting, addressing and stopping a sandbox.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::conn::{ConnHandle, KillableListener};
use crate::credentials::Credentials;
use crate::ehpc;
use crate::faults::Fault;
use crate::jobs::JobStore;
use crate::scnet;
use crate::state::JobStateKeys;
use crate::state::{Counters, Shared};
use crate::{control, middleware, rng};

/// Jobs seeded unless [`SandboxBuilder::jobs`] says otherwise.
pub const DEFAULT_JOBS: usize = 1000;
/// Seed used unless [`SandboxBuilder::seed`] says otherwise.
pub const DEFAULT_SEED: u64 = 1;
/// SCNet token lifetime unless [`SandboxBuilder::token_lifetime`] says otherwise: the
/// 24 h seen on the real servers.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How long a submitted job waits before it runs, unless set.
pub const DEFAULT_PENDING: Duration = Duration::from_secs(2);

/// Settings of a sandbox before it starts; from [`Sandbox::builder`].
#[derive(Clone, Debug)]
pub struct SandboxBuilder {
    jobs: usize,
    seed: u64,
    token_lifetime: Duration,
    port: u16,
    faults: Vec<Fault>,
    job_state_keys: JobStateKeys,
    speed: f64,
    pending: Duration,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            jobs: DEFAULT_JOBS,
            seed: DEFAULT_SEED,
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            port: 0,
            faults: Vec::new(),
            job_state_keys: JobStateKeys::default(),
            speed: 1.0,
            pending: DEFAULT_PENDING,
        }
    }
}

impl SandboxBuilder {
    /// How many EHPC jobs to seed (default [`DEFAULT_JOBS`]); 100,000 is fine.
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs;
        self
    }

    /// The seed all generated data follows from (default [`DEFAULT_SEED`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How long SCNet tokens live (default 24 h); short ones let tests see expiry.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// The EHPC server's port; the SCNet API, platform and hpc servers take the next
    /// three. 0 (the default) picks four free ports.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// A fault waiting from the start (see [`Sandbox::inject`]).
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// The state names of `view/jobs/state` (default [`JobStateKeys::Jobview`]).
    pub fn job_state_keys(mut self, keys: JobStateKeys) -> Self {
        self.job_state_keys = keys;
        self
    }

    /// How much faster than real time submitted jobs wait and run (default 1): with
    /// 100, a `sleep 60` runs in 0.6 s. Values that are not positive mean 1; the most
    /// is a million.
    pub fn speed(mut self, factor: f64) -> Self {
        self.speed = factor;
        self
    }

    /// How long a submitted job stays pending before it runs, before the speed factor
    /// (default [`DEFAULT_PENDING`]).
    pub fn pending_time(mut self, pending: Duration) -> Self {
        self.pending = pending;
        self
    }

    /// Binds 127.0.0.1 and starts the four servers on the current tokio runtime.
    pub async fn start(self) -> io::Result<Sandbox> {
        let port_at = |n: u16| match self.port {
            0 => Ok(0),
            port => port
                .checked_add(n)
                .ok_or_else(|| io::Error::other("port out of range")),
        };
        let bind = |port| TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)));
        let listeners = [
            bind(port_at(0)?).await?,
            bind(port_at(1)?).await?,
            bind(port_at(2)?).await?,
            bind(port_at(3)?).await?,
        ];
        let mut urls = Vec::with_capacity(4);
        for listener in &listeners {
            urls.push(format!("http://{}", listener.local_addr()?));
        }
        let [ehpc_url, api_url, portal_url, hpc_url] = <[String; 4]>::try_from(urls)
            .map_err(|_| io::Error::other("four listeners give four URLs"))?;
        let mut token_key = [0u8; 32];
        for chunk in token_key.chunks_mut(8) {
            chunk.copy_from_slice(&rng::unpredictable_u64().to_le_bytes());
        }
        let shared = Arc::new(Shared {
            credentials: Credentials::demo(),
            jobs: JobStore::seeded(self.jobs, self.seed),
            // Submitted jobs are numbered after the seeded ones, so they list last.
            scheduler: crate::scheduler::Scheduler::new(
                self.speed,
                self.pending,
                crate::jobs::FIRST_JOB_ID.saturating_add(self.jobs as u32),
            ),
            seed: self.seed,
            token_lifetime: self.token_lifetime,
            token_key,
            hpc_service_url: format!("{hpc_url}/hpc"),
            job_state_keys: self.job_state_keys,
            faults: Default::default(),
            counters: Counters::default(),
        });
        for fault in self.faults {
            shared.faults.push(fault);
        }
        let (stop, stopped) = watch::channel(());
        let routers = [
            ehpc::router(),
            scnet::api_router(),
            scnet::portal_router(),
            scnet::hpc_router(),
        ];
        for (listener, routes) in listeners.into_iter().zip(routers) {
            serve(listener, app(routes, &shared), stopped.clone());
        }
        Ok(Sandbox {
            ehpc_url,
            api_url,
            portal_url,
            hpc_url,
            shared,
            _stop: stop,
        })
    }
}

fn app(routes: Router<Arc<Shared>>, shared: &Arc<Shared>) -> Router {
    routes
        .merge(control::router())
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 Not Found").into_response() })
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            middleware::count_and_fault,
        ))
        .with_state(shared.clone())
}

fn serve(listener: TcpListener, app: Router, mut stopped: watch::Receiver<()>) {
    let service = app.into_make_service_with_connect_info::<ConnHandle>();
    tokio::spawn(async move {
        // Ends when the handle is dropped, which drops the sender.
        let signal = async move { while stopped.changed().await.is_ok() {} };
        // An accept loop that fails leaves nothing to report to: the handle's owner
        // sees connection errors, which is what a dead server looks like.
        let _ = axum::serve(KillableListener(listener), service)
            .with_graceful_shutdown(signal)
            .await;
    });
}

/// A running sandbox: four servers on loopback. Dropping it stops them.
pub struct Sandbox {
    ehpc_url: String,
    api_url: String,
    portal_url: String,
    hpc_url: String,
    shared: Arc<Shared>,
    _stop: watch::Sender<()>,
}

impl Sandbox {
    /// Settings to start one from.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The EHPC API base URL, e.g. `http://127.0.0.1:40001` (`GET /api/job/list`).
    pub fn ehpc_url(&self) -> &str {
        &self.ehpc_url
    }

    /// The SCNet API host, for the AK/SK login (`POST /api/user/v3/tokens`).
    pub fn scnet_api_url(&self) -> &str {
        &self.api_url
    }

    /// The SCNet platform host (`/ac/openapi/v2/...`).
    pub fn scnet_portal_url(&self) -> &str {
        &self.portal_url
    }

    /// The region's hpc host (`/hpc/openapi/v2/...`); `center` reports `<this>/hpc`.
    pub fn scnet_hpc_url(&self) -> &str {
        &self.hpc_url
    }

    /// The demo credentials the servers accept.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// `NAME=value` lines a shell or a `.env` file takes, in this order: `EHPC_ENDPOINT`,
    /// `EHPC_ZONE`, `EHPC_CLUSTER_ID`, `QY_ACCESS_KEY_ID`, `QY_SECRET_ACCESS_KEY`,
    /// `SCNET_API_URL`, `SCNET_PORTAL_URL`, `SCNET_USER`, `SCNET_ACCESS_KEY`,
    /// `SCNET_SECRET_KEY`. They hold the (demo) secret keys, on purpose.
    pub fn env_lines(&self) -> Vec<String> {
        let c = self.credentials();
        [
            ("EHPC_ENDPOINT", self.ehpc_url.as_str()),
            ("EHPC_ZONE", &c.ehpc_zone),
            ("EHPC_CLUSTER_ID", &c.ehpc_cluster_id),
            ("QY_ACCESS_KEY_ID", &c.ehpc_access_key_id),
            ("QY_SECRET_ACCESS_KEY", &c.ehpc_secret_access_key),
            ("SCNET_API_URL", &self.api_url),
            ("SCNET_PORTAL_URL", &self.portal_url),
            ("SCNET_USER", &c.scnet_user),
            ("SCNET_ACCESS_KEY", &c.scnet_access_key),
            ("SCNET_SECRET_KEY", &c.scnet_secret_key),
        ]
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect()
    }

    /// The value of one of the [`Sandbox::env_lines`] variables: what a client's
    /// production configuration (`from_lookup`) reads, so a test configures its client
    /// exactly as a user's environment would.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = hpc_sandbox::Sandbox::builder().start().await?;
    /// assert!(sandbox.env("EHPC_ENDPOINT").is_some());
    /// assert_eq!(sandbox.env("HOME"), None);
    /// # Ok(()) }
    /// ```
    pub fn env(&self, name: &str) -> Option<String> {
        self.env_lines().into_iter().find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    /// Queue a fault behind those already waiting; the oldest matching one is served first.
    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    /// Forget every fault still waiting.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Requests seen, on any of the servers, whose path contains `path` (faulted or not;
    /// the control endpoint not counted).
    pub fn request_count(&self, path: &str) -> usize {
        self.shared.counters.requests_matching(path)
    }

    /// How many injected faults were served.
    pub fn faults_served(&self) -> usize {
        self.shared.counters.faults_served.load(Ordering::SeqCst)
    }

    /// Successful SCNet logins, AK/SK and password.
    pub fn logins(&self) -> usize {
        self.shared.counters.logins.load(Ordering::SeqCst)
    }

    /// Successful SCNet token renewals.
    pub fn renewals(&self) -> usize {
        self.shared.counters.renewals.load(Ordering::SeqCst)
    }

    /// How many EHPC jobs are seeded.
    pub fn job_count(&self) -> usize {
        self.shared.jobs.len()
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("ehpc_url", &self.ehpc_url)
            .field("scnet_api_url", &self.api_url)
            .field("scnet_portal_url", &self.portal_url)
            .field("scnet_hpc_url", &self.hpc_url)
            .finish_non_exhaustive()
    }
}
