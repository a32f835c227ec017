//! The documented SCNet calls, as builders ending in `.send()`.

use progenitor_client::{Error as GenError, ResponseValue};

use super::{Client, MemberJob, envelope};
use crate::Platform;
use crate::error::{Error, Result};

/// The `.user()` and `.region()` setters of the calls that go to a region's hpc host.
macro_rules! region_target_setters {
    () => {
        /// The cluster user (default: the one discovered for the region).
        pub fn user(mut self, user: impl Into<String>) -> Self {
            self.target.user = Some(user.into());
            self
        }

        /// The region (default: the client's).
        pub fn region(mut self, cluster_id: impl Into<String>) -> Self {
            self.target.region = Some(cluster_id.into());
            self
        }
    };
}

fn no_data(operation: &str) -> Error {
    Error::Decode {
        status: 200,
        body_excerpt: String::new(),
        source: format!("{operation}: the answer has no data").into(),
    }
}

/// Job counts by state, both naming schemes folded into one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobStateCounts {
    /// 运行 / `jobview_status_run`.
    pub running: i64,
    /// 排队 / `jobview_status_queue`.
    pub queued: i64,
    /// 保留 / `jobview_status_reserve`.
    pub reserved: i64,
    /// 挂起 / `jobview_status_hung`.
    pub held: i64,
    /// 其他 / `jobview_status_other`.
    pub other: i64,
    /// States under names the SDK does not know, as sent.
    pub unknown: Vec<(String, i64)>,
}

impl JobStateCounts {
    /// Folds the server's `{name, y}` entries.
    ///
    /// ```
    /// use hpc_sdk::scnet::JobStateCounts;
    /// let counts = JobStateCounts::from_pairs([("运行", 2), ("jobview_status_queue", 3), ("新", 1)]);
    /// assert_eq!((counts.running, counts.queued), (2, 3));
    /// assert_eq!(counts.unknown, [("新".to_string(), 1)]);
    /// ```
    pub fn from_pairs<S: AsRef<str>>(pairs: impl IntoIterator<Item = (S, i64)>) -> Self {
        let mut counts = Self::default();
        for (name, count) in pairs {
            let slot = match name.as_ref().trim() {
                "运行" | "jobview_status_run" => &mut counts.running,
                "排队" | "jobview_status_queue" => &mut counts.queued,
                "保留" | "jobview_status_reserve" => &mut counts.reserved,
                "挂起" | "jobview_status_hung" => &mut counts.held,
                "其他" | "jobview_status_other" => &mut counts.other,
                other => {
                    counts.unknown.push((other.to_string(), count));
                    continue;
                }
            };
            *slot += count;
        }
        counts
    }
}

/// `view/jobs/state`; built by [`Client::job_state`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct JobState {
    client: Client,
    target: RegionTarget,
}

impl JobState {
    pub(super) fn new(client: Client) -> Self {
        Self {
            client,
            target: RegionTarget::default(),
        }
    }

    region_target_setters!();

    /// Sends the request.
    pub async fn send(self) -> Result<JobStateCounts> {
        let client = self.client.clone();
        client.operation(self.send_now()).await
    }

    async fn send_now(self) -> Result<JobStateCounts> {
        let answer = self
            .target
            .call(
                &self.client,
                &scnet_client::operations::GET_JOB_STATE_COUNTS,
                |hpc, user| async move { hpc.get_job_state_counts().user_name(user).send().await },
            )
            .await?;
        let data = answer.data.ok_or_else(|| no_data("job_state"))?;
        Ok(JobStateCounts::from_pairs(
            data.into_iter()
                .map(|c| (c.name.unwrap_or_default(), c.y.unwrap_or(0))),
        ))
    }
}

/// `view/walltime/users/{u}`; built by [`Client::walltime`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct Walltime {
    client: Client,
    target: RegionTarget,
}

impl Walltime {
    pub(super) fn new(client: Client) -> Self {
        Self {
            client,
            target: RegionTarget::default(),
        }
    }

    region_target_setters!();

    /// The CPU time used, as the server's raw number. **Its unit is disputed**: the
    /// vendor's page says machine-hours (机时), one client measured core-seconds. The
    /// SDK never converts it.
    pub async fn send(self) -> Result<f64> {
        let client = self.client.clone();
        client.operation(self.send_now()).await
    }

    async fn send_now(self) -> Result<f64> {
        let answer = self
            .target
            .call(
                &self.client,
                &scnet_client::operations::GET_USED_WALLTIME,
                |hpc, user| async move { hpc.get_used_walltime().username(user).send().await },
            )
            .await?;
        answer.data.ok_or_else(|| no_data("walltime"))
    }
}

/// A group member's live jobs; built by [`Client::member_jobs`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct MemberJobs {
    client: Client,
    cluster_id: i64,
    group_id: i64,
    cluster_user: String,
}

impl MemberJobs {
    pub(super) fn new(
        client: Client,
        cluster_id: i64,
        group_id: i64,
        cluster_user: String,
    ) -> Self {
        Self {
            client,
            cluster_id,
            group_id,
            cluster_user,
        }
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Vec<MemberJob>> {
        let client = self.client.clone();
        client.operation(self.send_now()).await
    }

    async fn send_now(self) -> Result<Vec<MemberJob>> {
        if self.cluster_user.trim().is_empty() {
            return Err(Error::invalid_input(
                "member_jobs needs a cluster user name",
            ));
        }
        let this = &self;
        let answer = self
            .client
            .execute_platform(
                &scnet_client::operations::LIST_MEMBER_JOBS,
                |portal| async move {
                    portal
                        .list_member_jobs()
                        .cluster_id(this.cluster_id)
                        .group_id(this.group_id)
                        .cluster_user_name(this.cluster_user.clone())
                        .send()
                        .await
                },
            )
            .await?;
        Ok(answer.data.unwrap_or_default())
    }
}

/// A region as the login answered it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Region {
    /// The region (cluster) id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether the login answered a token for it (`false`: the account is disabled there).
    pub has_token: bool,
}

/// The regions of a login; built by [`Client::regions`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct Regions {
    client: Client,
}

impl Regions {
    pub(super) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Logs in if needed and lists the regions (empty for a static token).
    pub async fn send(self) -> Result<Vec<Region>> {
        let inner = &self.client.inner;
        let regions = self
            .client
            .operation(inner.tokens.regions(&inner.rt, &inner.sites))
            .await?;
        Ok(regions
            .into_iter()
            .map(|r| Region {
                id: r.id,
                name: r.name,
                has_token: r.token.is_some(),
            })
            .collect())
    }
}

/// A call to a region's hpc host as its cluster user: discovery, the region token with
/// its 10008 refresh, retries, and moving to the next hpc URL on transport errors.
#[derive(Clone, Debug, Default)]
struct RegionTarget {
    region: Option<String>,
    user: Option<String>,
}

impl RegionTarget {
    async fn call<T, F, Fut>(
        self,
        client: &Client,
        operation: &scnet_client::operations::Operation,
        send: F,
    ) -> Result<T>
    where
        T: envelope::Envelope,
        F: Fn(scnet_client::Client, String) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<ResponseValue<T>, GenError<()>>>,
    {
        let (_, site) = client.region_target(self.region.as_deref()).await?;
        let user = cluster_user(self.user, &site)?;
        let (user, send) = (&user, &send);
        client
            .execute_region(operation, self.region.as_deref(), |hpc| {
                send(hpc, user.clone())
            })
            .await
    }
}

fn cluster_user(explicit: Option<String>, site: &super::discovery::Site) -> Result<String> {
    explicit
        .or_else(|| site.cluster_user.clone())
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            Error::invalid_input("no cluster user name: discovery found none; pass .user(...)")
        })
}

impl From<MemberJob> for crate::Job {
    fn from(job: MemberJob) -> Self {
        let raw = serde_json::to_value(&job).unwrap_or_default();
        crate::Job {
            platform: Platform::Scnet,
            id: job.id.unwrap_or_default(),
            name: job.name,
            status: crate::JobStatus::from_scnet(job.status.as_deref().unwrap_or("")),
            queue: None,
            user: None,
            cores: job.cpu_core,
            submitted: None,
            started: None,
            raw,
        }
    }
}
