//! `jobs().submit()`: the documented `{strJobManagerID, mapAppJobInfo}` body, every
//! value a string.
//!
//! A submit is never repeated blindly: SCNet has no idempotency key, so `815005` (the
//! scheduler did not answer), a timeout, or a connection closed after sending ends in
//! [`Error::MaybeSubmitted`], and [`Jobs::find_submitted`](super::Jobs::find_submitted)
//! looks the job up by name.

use std::collections::BTreeMap;
use std::time::Duration;

use scnet_client::types::{SubmitJobInfo, SubmitJobRequest};

use super::{Client, lenient};
use crate::error::{Error, Result};

/// The `mapAppJobInfo` keys the builder sets itself: an extra key may not repeat one.
const TYPED_KEYS: [&str; 12] = [
    "GAP_CMD_FILE",
    "GAP_NNODE",
    "GAP_NODE_STRING",
    "GAP_SUBMIT_TYPE",
    "GAP_JOB_NAME",
    "GAP_WORK_DIR",
    "GAP_QUEUE",
    "GAP_NPROC",
    "GAP_PPN",
    "GAP_WALL_TIME",
    "GAP_STD_OUT_FILE",
    "GAP_STD_ERR_FILE",
];

/// The wall-time limit sent when none is set.
pub const DEFAULT_WALLTIME: Duration = Duration::from_secs(3600);

/// What the server answered for a new job.
///
/// ```
/// fn describe(job: &hpc_sdk::scnet::SubmittedJob) -> String {
///     format!("job {} on scheduler {}, stdout in {}", job.id, job.scheduler_id, job.stdout)
/// }
/// # let _ = describe;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubmittedJob {
    /// The job id that `get`, `cancel` and `output` take.
    pub id: String,
    /// The scheduler it was submitted to.
    pub scheduler_id: String,
    /// Its name.
    pub name: String,
    /// Where its stdout goes (`%j` replaced by the id).
    pub stdout: String,
    /// Where its stderr goes (`%j` replaced by the id).
    pub stderr: String,
}

/// A job submission (`POST /hpc/openapi/v2/apptemplates/BASIC/BASE/job`); nothing is
/// sent until `.send()`.
///
/// ```
/// use std::time::Duration;
/// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let request = client
///     .jobs()
///     .submit()
///     .name("relax")
///     .command("mpirun ./vasp")
///     .queue("comp")
///     .nodes(2)
///     .processes_per_node(32)
///     .walltime(Duration::from_secs(4 * 3600))
///     .extra("GAP_JOB_MEM", "4G");
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct SubmitJob {
    client: Client,
    region: Option<String>,
    scheduler_id: Option<String>,
    name: Option<String>,
    command: Option<String>,
    queue: Option<String>,
    nodes: Option<u32>,
    processes: Option<u32>,
    processes_per_node: Option<u32>,
    walltime: Option<Duration>,
    work_dir: Option<String>,
    stdout: Option<String>,
    stderr: Option<String>,
    extra: BTreeMap<String, String>,
}

macro_rules! setters {
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

impl SubmitJob {
    pub(super) fn new(client: Client) -> Self {
        Self {
            client,
            region: None,
            scheduler_id: None,
            name: None,
            command: None,
            queue: None,
            nodes: None,
            processes: None,
            processes_per_node: None,
            walltime: None,
            work_dir: None,
            stdout: None,
            stderr: None,
            extra: BTreeMap::new(),
        }
    }

    setters! {
        /// Another region than the client's.
        region: String,
        /// The scheduler (default: the region's only one; required when it has several).
        scheduler_id: String,
        /// The job's name (required, `GAP_JOB_NAME`); also how a doubtful submit is found.
        name: String,
        /// The command line (required, `GAP_CMD_FILE`); lines joined with `\n`.
        command: String,
        /// The queue (required, `GAP_QUEUE`), e.g. `comp`.
        queue: String,
        /// The working directory (`GAP_WORK_DIR`, absolute; default the cluster user's home).
        work_dir: String,
        /// The stdout file (`GAP_STD_OUT_FILE`; default `<work dir>/std.out.%j`).
        stdout: String,
        /// The stderr file (`GAP_STD_ERR_FILE`; default `<work dir>/std.err.%j`).
        stderr: String,
    }

    /// Takes every field of a cloud-neutral [`JobSpec`](crate::JobSpec): cores become
    /// processes.
    pub fn spec(mut self, spec: &crate::JobSpec) -> Self {
        self.name = Some(spec.name.clone());
        self.command = Some(spec.command.clone());
        self.queue = spec.queue.clone().or(self.queue);
        self.nodes = spec.nodes.or(self.nodes);
        self.processes = spec.cores.or(self.processes);
        self.processes_per_node = spec.processes_per_node.or(self.processes_per_node);
        self.walltime = spec.walltime.or(self.walltime);
        self.work_dir = spec.work_dir.clone().or(self.work_dir);
        self.stdout = spec.stdout.clone().or(self.stdout);
        self.stderr = spec.stderr.clone().or(self.stderr);
        self
    }

    /// Nodes (`GAP_NNODE`, default 1).
    pub fn nodes(mut self, nodes: u32) -> Self {
        self.nodes = Some(nodes);
        self
    }

    /// Processes in all (`GAP_NPROC`); excludes [`Self::processes_per_node`].
    pub fn processes(mut self, processes: u32) -> Self {
        self.processes = Some(processes);
        self
    }

    /// Processes per node (`GAP_PPN`); excludes [`Self::processes`].
    pub fn processes_per_node(mut self, processes: u32) -> Self {
        self.processes_per_node = Some(processes);
        self
    }

    /// The longest run time (`GAP_WALL_TIME`, default one hour), whole seconds.
    pub fn walltime(mut self, walltime: Duration) -> Self {
        self.walltime = Some(walltime);
        self
    }

    /// Another `GAP_*` key, sent as given (e.g. `GAP_NGPU`, `GAP_SCHEDULER_OPT_WEB`).
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// The inputs, checked before anything is sent.
    fn check(&self) -> Result<()> {
        for (value, what) in [
            (&self.name, "name"),
            (&self.command, "command"),
            (&self.queue, "queue"),
        ] {
            if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                return Err(Error::invalid_input(format!(
                    "a submit needs a {what}: call .{what}(...)"
                )));
            }
        }
        if self.processes.is_some() && self.processes_per_node.is_some() {
            return Err(Error::invalid_input(
                "processes and processes_per_node exclude each other (GAP_NPROC, GAP_PPN): set one",
            ));
        }
        if [self.nodes, self.processes, self.processes_per_node].contains(&Some(0)) {
            return Err(Error::invalid_input(
                "nodes and processes must be at least 1",
            ));
        }
        if self.walltime.is_some_and(|w| w < Duration::from_secs(1)) {
            return Err(Error::invalid_input(
                "a wall time must be at least one second",
            ));
        }
        if let Some(dir) = self.work_dir.as_deref().filter(|d| !d.starts_with('/')) {
            return Err(Error::invalid_input(format!(
                "the working directory must be absolute: {dir}"
            )));
        }
        for key in self.extra.keys() {
            if !key.starts_with("GAP_") {
                return Err(Error::invalid_input(format!(
                    "extra key {key}: mapAppJobInfo keys start with GAP_"
                )));
            }
            if TYPED_KEYS.contains(&key.as_str()) {
                return Err(Error::invalid_input(format!(
                    "extra key {key} is set by the builder's own method"
                )));
            }
        }
        Ok(())
    }

    /// The body, with every value a string.
    fn body(&self, scheduler_id: &str, work_dir: &str) -> SubmitJobRequest {
        let text = |n: Option<u32>| n.map(|n| n.to_string());
        let file = |set: &Option<String>, stem: &str| {
            set.clone()
                .unwrap_or_else(|| format!("{}/{stem}.%j", work_dir.trim_end_matches('/')))
        };
        let (nproc, ppn) = match (self.processes, self.processes_per_node) {
            (None, None) => (Some("1".to_string()), None),
            (nproc, ppn) => (text(nproc), text(ppn)),
        };
        SubmitJobRequest {
            str_job_manager_id: serde_json::Value::String(scheduler_id.to_string()),
            map_app_job_info: SubmitJobInfo {
                gap_appname: "BASE".into(),
                gap_cmd_file: self.command.clone().unwrap_or_default(),
                gap_job_name: self.name.clone().unwrap_or_default(),
                gap_nnode: self.nodes.unwrap_or(1).to_string(),
                gap_node_string: Some(String::new()),
                gap_nproc: nproc,
                gap_ppn: ppn,
                gap_queue: self.queue.clone().unwrap_or_default(),
                gap_submit_type: "cmd".into(),
                gap_wall_time: walltime_text(self.walltime.unwrap_or(DEFAULT_WALLTIME)),
                gap_work_dir: work_dir.to_string(),
                gap_std_out_file: Some(file(&self.stdout, "std.out")),
                gap_std_err_file: Some(file(&self.stderr, "std.err")),
                gap_exclusive: None,
                gap_job_mem: None,
                gap_multi_sub: None,
                gap_ndcu: None,
                gap_ngpu: None,
                extra: self.extra.clone().into_iter().collect(),
            },
        }
    }

    /// Submits the job: its id, or [`Error::MaybeSubmitted`] when the outcome is unknown.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let job = scnet
    ///     .jobs()
    ///     .submit()
    ///     .name("hello")
    ///     .command("echo hello")
    ///     .queue("comp")
    ///     .walltime(std::time::Duration::from_secs(600))
    ///     .send()
    ///     .await?;
    /// println!("{} on scheduler {}, stdout in {}", job.id, job.scheduler_id, job.stdout);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<SubmittedJob> {
        self.check()?;
        let client = self.client.clone();
        client.operation(self.submit()).await
    }

    async fn submit(self) -> Result<SubmittedJob> {
        let client = &self.client;
        let region = self.region.as_deref();
        let scheduler_id = client
            .scheduler_for(region, self.scheduler_id.as_deref())
            .await?;
        let work_dir = match &self.work_dir {
            Some(dir) => dir.clone(),
            None => home_dir(client, region).await?,
        };
        let body = self.body(&scheduler_id, &work_dir);
        let info = &body.map_app_job_info;
        let name = info.gap_job_name.clone();
        let (stdout, stderr) = (
            info.gap_std_out_file.clone().unwrap_or_default(),
            info.gap_std_err_file.clone().unwrap_or_default(),
        );
        let sent_at = chrono::DateTime::<chrono::Utc>::from(client.inner.rt.clock.now());
        let doubt = |cause: Error| Error::MaybeSubmitted {
            name: name.clone(),
            cluster: scheduler_id.clone(),
            sent_at,
            cause: Box::new(cause),
        };
        let body = &body;
        let answer = client
            .execute_region(
                &scnet_client::operations::SUBMIT_JOB,
                region,
                |api| async move {
                    api.submit_job()
                        .apptype("BASIC")
                        .appname("BASE")
                        .body(body.clone())
                        .send()
                        .await
                },
            )
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(cause) if cause.is_ambiguous() => return Err(doubt(cause)),
            Err(error) => return Err(error),
        };
        let id = answer
            .data
            .as_ref()
            .and_then(lenient::text)
            .ok_or_else(|| doubt(crate::response::no_data("submit_job")))?;
        Ok(SubmittedJob {
            stdout: stdout.replace("%j", &id),
            stderr: stderr.replace("%j", &id),
            id,
            scheduler_id,
            name,
        })
    }
}

/// The cluster user's home: `center`'s `homePath`, else `/public/home/<user>`, the
/// layout of every vendor example.
async fn home_dir(client: &Client, region: Option<&str>) -> Result<String> {
    let site = client.site_of(region).await?;
    if let Some(home) = &site.home {
        return Ok(home.clone());
    }
    let user = client.cluster_user(region, None).await?;
    Ok(format!("/public/home/{user}"))
}

/// A wall time as `GAP_WALL_TIME` takes it: `HH:MM:SS`, hours beyond 24 allowed,
/// a part second rounded up.
///
/// ```
/// # use std::time::Duration;
/// # use hpc_sdk::scnet::walltime_text;
/// assert_eq!(walltime_text(Duration::from_secs(90)), "00:01:30");
/// assert_eq!(walltime_text(Duration::from_secs(100 * 3600)), "100:00:00");
/// assert_eq!(walltime_text(Duration::from_millis(1500)), "00:00:02");
/// ```
pub fn walltime_text(walltime: Duration) -> String {
    let secs = walltime.as_secs() + u64::from(walltime.subsec_nanos() > 0);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Parses `HH:MM:SS` (or `MM:SS`, or seconds) into a wall time.
///
/// ```
/// # use std::time::Duration;
/// # use hpc_sdk::scnet::parse_walltime;
/// assert_eq!(parse_walltime("01:30:00"), Some(Duration::from_secs(5400)));
/// assert_eq!(parse_walltime("90"), Some(Duration::from_secs(90)));
/// assert_eq!(parse_walltime("1:99:00"), None);
/// ```
pub fn parse_walltime(text: &str) -> Option<Duration> {
    let parts: Vec<u64> = text
        .trim()
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let secs = match parts.as_slice() {
        [s] => *s,
        [m, s] if *s < 60 => m.checked_mul(60)?.checked_add(*s)?,
        [h, m, s] if *m < 60 && *s < 60 => h.checked_mul(3600)?.checked_add(m * 60 + s)?,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder().token("t").build().unwrap()
    }

    #[test]
    fn every_value_of_the_body_is_a_string() {
        let request = client()
            .jobs()
            .submit()
            .name("n")
            .command("echo hi")
            .queue("comp")
            .nodes(2)
            .processes_per_node(8)
            .walltime(Duration::from_secs(7200))
            .extra("GAP_NGPU", "1");
        request.check().unwrap();
        let body = serde_json::to_value(request.body("1638523853", "/public/home/u/")).unwrap();
        assert_eq!(body["strJobManagerID"], "1638523853");
        let info = body["mapAppJobInfo"].as_object().unwrap();
        assert!(info.values().all(serde_json::Value::is_string), "{info:?}");
        assert_eq!(info["GAP_NNODE"], "2");
        assert_eq!(info["GAP_PPN"], "8");
        assert!(info.get("GAP_NPROC").is_none());
        assert_eq!(info["GAP_WALL_TIME"], "02:00:00");
        assert_eq!(info["GAP_STD_OUT_FILE"], "/public/home/u/std.out.%j");
        assert_eq!(info["GAP_NGPU"], "1");
    }

    #[test]
    fn conflicting_or_missing_inputs_are_refused_before_sending() {
        let base = || client().jobs().submit().name("n").command("c").queue("q");
        let message = |r: SubmitJob| r.check().unwrap_err().to_string();
        assert!(message(base().processes(4).processes_per_node(2)).contains("exclude"));
        assert!(message(client().jobs().submit().command("c").queue("q")).contains("name"));
        assert!(message(base().nodes(0)).contains("at least 1"));
        assert!(message(base().work_dir("rel/dir")).contains("absolute"));
        assert!(message(base().extra("GAP_QUEUE", "x")).contains("own method"));
        assert!(message(base().extra("NOT_GAP", "x")).contains("GAP_"));
    }
}
