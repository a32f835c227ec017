//! The settings a sandbox starts from, and starting it: binding the six servers and
//! building the state they share.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::Sandbox;
use crate::conn::{ConnHandle, KillableListener};
use crate::credentials::Credentials;
use crate::ehpc;
use crate::faults::Fault;
use crate::files::FileStore;
use crate::jobs::JobStore;
use crate::scnet;
use crate::state::JobStateKeys;
use crate::state::{Counters, ScnetSettings, Shared};
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

/// How long an ended SCNet job stays in the realtime list unless set: the vendor's five
/// minutes (before the speed factor).
pub const DEFAULT_SCNET_REALTIME_RETENTION: Duration = Duration::from_secs(300);

/// Lines per SCNet `file/content` page unless set: the vendor's 1000.
pub const DEFAULT_SCNET_FILE_PAGE_LINES: usize = 1000;

/// The largest chunk an SCNet efile gateway takes unless
/// [`SandboxBuilder::scnet_efile_max_chunk`] says otherwise: the 79 MiB clients measured.
pub const DEFAULT_SCNET_EFILE_MAX_CHUNK: u64 = scnet::efile::DEFAULT_MAX_CHUNK;

/// The first SCNet job id; later ones count up from it and are never reused.
const SCNET_FIRST_JOB_ID: u32 = 1_470_001;

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
    scnet_schedulers: usize,
    scnet_realtime_retention: Duration,
    scnet_file_page_lines: usize,
    scnet_efile_max_chunk: u64,
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
            scnet_schedulers: 1,
            scnet_realtime_retention: DEFAULT_SCNET_REALTIME_RETENTION,
            scnet_file_page_lines: DEFAULT_SCNET_FILE_PAGE_LINES,
            scnet_efile_max_chunk: DEFAULT_SCNET_EFILE_MAX_CHUNK,
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
    /// three, and the two SCNet efile gateways the two after. 0 (the default) picks six
    /// free ports.
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

    /// How many schedulers the SCNet region has (default 1; at least 1). Their ids count
    /// up from the first one's, their names are `Cluster`, `Cluster2`, ...; every job
    /// call must name one of them.
    pub fn scnet_schedulers(mut self, n: usize) -> Self {
        self.scnet_schedulers = n.max(1);
        self
    }

    /// How long an ended SCNet job stays in the realtime list (`jobs`, `jobs/{id}`),
    /// before the speed factor (default [`DEFAULT_SCNET_REALTIME_RETENTION`]). It is
    /// in history from the moment it ends either way.
    pub fn scnet_realtime_retention(mut self, retention: Duration) -> Self {
        self.scnet_realtime_retention = retention;
        self
    }

    /// Lines per SCNet `file/content` page (default
    /// [`DEFAULT_SCNET_FILE_PAGE_LINES`]; at least 1), so tests can page small outputs.
    pub fn scnet_file_page_lines(mut self, lines: usize) -> Self {
        self.scnet_file_page_lines = lines.max(1);
        self
    }

    /// The largest chunk an SCNet efile gateway takes in `file/burst`, in bytes
    /// (default [`DEFAULT_SCNET_EFILE_MAX_CHUNK`]); a larger one is refused with
    /// `911501`. Small values let tests see the refusal without sending megabytes.
    pub fn scnet_efile_max_chunk(mut self, bytes: u64) -> Self {
        self.scnet_efile_max_chunk = bytes;
        self
    }

    /// What the servers share, the faults aside; the hpc service at `hpc_service_url`,
    /// the efile gateways at `efile_urls`.
    pub(crate) fn shared(
        &self,
        hpc_service_url: String,
        efile_urls: Vec<String>,
    ) -> io::Result<Shared> {
        let mut token_key = [0u8; 32];
        for chunk in token_key.chunks_mut(8) {
            chunk.copy_from_slice(&rng::unpredictable_u64().to_le_bytes());
        }
        let scheduler =
            |first_job_id| crate::scheduler::Scheduler::new(self.speed, self.pending, first_job_id);
        let credentials = Credentials::demo();
        let files = FileStore::new()?;
        // The cluster user's home is there from the start, as on a real cluster.
        files.mkdir(
            &format!("/public/home/{}", credentials.scnet_cluster_user),
            true,
        )?;
        Ok(Shared {
            credentials,
            jobs: JobStore::seeded(self.jobs, self.seed),
            // Submitted jobs are numbered after the seeded ones, so they list last.
            scheduler: scheduler(crate::jobs::FIRST_JOB_ID.saturating_add(self.jobs as u32)),
            scnet_scheduler: scheduler(SCNET_FIRST_JOB_ID),
            scnet: ScnetSettings {
                scheduler_ids: (0..self.scnet_schedulers as u64)
                    .map(|n| scnet::first_scheduler_id(self.seed) + n)
                    .collect(),
                realtime_retention: self.scnet_realtime_retention,
                page_lines: self.scnet_file_page_lines as u64,
            },
            files,
            outputs: Default::default(),
            seed: self.seed,
            token_lifetime: self.token_lifetime,
            token_key,
            hpc_service_url,
            efile: crate::gateways::Efile::new(efile_urls, self.scnet_efile_max_chunk),
            job_state_keys: self.job_state_keys,
            faults: Default::default(),
            counters: Counters::default(),
        })
    }

    /// Binds 127.0.0.1 and starts the six servers on the current tokio runtime.
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
        let efile_listeners = [bind(port_at(4)?).await?, bind(port_at(5)?).await?];
        let mut urls = Vec::with_capacity(4);
        for listener in &listeners {
            urls.push(format!("http://{}", listener.local_addr()?));
        }
        let [ehpc_url, api_url, portal_url, hpc_url] = <[String; 4]>::try_from(urls)
            .map_err(|_| io::Error::other("four listeners give four URLs"))?;
        let mut efile_urls = Vec::with_capacity(efile_listeners.len());
        for listener in &efile_listeners {
            efile_urls.push(format!("http://{}/efile", listener.local_addr()?));
        }
        let shared = Arc::new(self.shared(format!("{hpc_url}/hpc"), efile_urls)?);
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
        for (gateway, listener) in efile_listeners.into_iter().enumerate() {
            let gateway_app = app(scnet::efile::router(), &shared);
            let gateway_app = scnet::efile::on_gateway(gateway_app, gateway, shared.clone());
            serve(listener, gateway_app, stopped.clone());
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
