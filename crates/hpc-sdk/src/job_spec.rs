//! One job description for both clouds: what to run, where and with what, handed to
//! either submit builder with `.spec(&spec)`.

use std::time::Duration;

/// A cloud-neutral job: command, name, queue, cores (or nodes and processes), wall
/// time, working directory and output paths.
///
/// ```
/// use std::time::Duration;
/// let spec = hpc_sdk::JobSpec::new("relax", "vasp_std")
///     .queue("comp")
///     .cores(64)
///     .walltime(Duration::from_secs(2 * 3600))
///     .stdout("/public/home/u/relax.out");
/// let ehpc = hpc_sdk::ehpc::Client::builder().zone("z").credentials("k", "s").build().unwrap();
/// let request = ehpc.jobs().submit().spec(&spec).cluster_id("ehpc-1").run_user("usr-1");
/// let scnet = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let other = scnet.jobs().submit().spec(&spec);
/// # let _ = (request, other);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobSpec {
    /// The job's name (how a doubtful submit is found again).
    pub name: String,
    /// The command line.
    pub command: String,
    /// The queue: an SCNet queue name, an EHPC queue id.
    pub queue: Option<String>,
    /// Cores in all (SCNet: processes).
    pub cores: Option<u32>,
    /// Nodes (SCNet).
    pub nodes: Option<u32>,
    /// Processes per node (SCNet; with `nodes`, instead of `cores`).
    pub processes_per_node: Option<u32>,
    /// The longest run time.
    pub walltime: Option<Duration>,
    /// The working directory on the cluster (SCNet).
    pub work_dir: Option<String>,
    /// The stdout file on the cluster.
    pub stdout: Option<String>,
    /// The stderr file on the cluster.
    pub stderr: Option<String>,
}

macro_rules! spec_setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: impl Into<$ty>) -> Self {
                self.$name = Some(value.into());
                self
            }
        )*
    };
}

impl JobSpec {
    /// A job named `name` running `command`.
    pub fn new(name: impl Into<String>, command: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            command: command.into(),
            ..Self::default()
        }
    }

    /// Cores in all (SCNet: processes).
    pub fn cores(mut self, cores: u32) -> Self {
        self.cores = Some(cores);
        self
    }

    /// Nodes (SCNet).
    pub fn nodes(mut self, nodes: u32) -> Self {
        self.nodes = Some(nodes);
        self
    }

    /// Processes per node (SCNet).
    pub fn processes_per_node(mut self, processes: u32) -> Self {
        self.processes_per_node = Some(processes);
        self
    }

    /// The longest run time.
    pub fn walltime(mut self, walltime: Duration) -> Self {
        self.walltime = Some(walltime);
        self
    }

    spec_setters! {
        /// The queue: an SCNet queue name, an EHPC queue id.
        queue: String,
        /// The working directory (SCNet).
        work_dir: String,
        /// The stdout file.
        stdout: String,
        /// The stderr file.
        stderr: String,
    }
}
