//! Where calls go: the real clouds, configured from the environment, or the embedded
//! sandbox, configured from the environment it hands out. Both go through the SDK's
//! production configuration path (`from_env` / `from_lookup`).

use crate::failure::Failure;

/// The embedded fake clouds, in a build with the `sandbox` feature.
#[cfg(feature = "sandbox")]
type Embedded = hpc_sandbox::Sandbox;

/// No embedded fake clouds: a build without the `sandbox` feature has none to start.
#[cfg(not(feature = "sandbox"))]
enum Embedded {}

#[cfg(not(feature = "sandbox"))]
impl Embedded {
    fn env(&self, _name: &str) -> Option<String> {
        match *self {}
    }
}

/// Why `--sandbox` cannot work in this build (a usage error, exit 2).
#[cfg(not(feature = "sandbox"))]
pub fn no_sandbox() -> Failure {
    Failure::Usage("this hpc was built without the sandbox (cargo feature `sandbox`)".into())
}

/// Where calls go, and the limits every call of this command runs under.
pub struct Target {
    sandbox: Option<Embedded>,
    timeouts: hpc_sdk::Timeouts,
}

impl Target {
    /// `deadline`: the most seconds one call may take in all (`--deadline`).
    pub async fn new(use_sandbox: bool, deadline: f64) -> Result<Self, Failure> {
        let sandbox = if use_sandbox {
            Some(start_sandbox().await?)
        } else {
            None
        };
        let per_operation = std::time::Duration::from_secs_f64(deadline);
        let defaults = hpc_sdk::Timeouts::default();
        let timeouts = defaults
            .per_operation(per_operation)
            .per_attempt(defaults.per_attempt.min(per_operation));
        Ok(Self { sandbox, timeouts })
    }

    /// The EHPC client, configured as in production.
    pub fn ehpc(&self) -> Result<hpc_sdk::ehpc::Client, Failure> {
        let builder = match &self.sandbox {
            Some(sandbox) => hpc_sdk::ehpc::ClientBuilder::from_lookup(|k| sandbox.env(k), None)?,
            None => hpc_sdk::ehpc::ClientBuilder::from_env()?,
        };
        Ok(builder.timeouts(self.timeouts).build()?)
    }

    /// The SCNet client, configured as in production.
    pub fn scnet(&self) -> Result<hpc_sdk::scnet::Client, Failure> {
        let builder = match &self.sandbox {
            Some(sandbox) => hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))?,
            None => hpc_sdk::scnet::ClientBuilder::from_env()?,
        };
        Ok(builder.timeouts(self.timeouts).build()?)
    }

    /// The sandbox's EHPC cluster, when the sandbox is in use.
    pub fn sandbox_cluster(&self) -> Option<String> {
        self.sandbox.as_ref()?.env("EHPC_CLUSTER_ID")
    }

    /// The EHPC cluster a command works on: `--cluster-id` (or `EHPC_CLUSTER_ID`), else
    /// the sandbox's; a usage error when there is neither.
    pub fn ehpc_cluster(&self, given: Option<String>) -> Result<String, Failure> {
        given.or_else(|| self.sandbox_cluster()).ok_or_else(|| {
            Failure::Usage("--cluster-id is required (or set EHPC_CLUSTER_ID)".into())
        })
    }
}

#[cfg(feature = "sandbox")]
async fn start_sandbox() -> Result<Embedded, Failure> {
    Ok(hpc_sandbox::Sandbox::builder().start().await?)
}

#[cfg(not(feature = "sandbox"))]
async fn start_sandbox() -> Result<Embedded, Failure> {
    Err(no_sandbox())
}
