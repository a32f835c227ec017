//! The compound parts of the SCNet facade that no spec operation describes alone: job
//! counts folded across both naming schemes, the regions of a login, and the one job
//! view of a member job. The request builders themselves are generated (`generated.rs`).

use super::{Client, MemberJob};
use crate::Platform;
use crate::error::Result;

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

impl From<Vec<scnet_client::types::JobStateCount>> for JobStateCounts {
    fn from(data: Vec<scnet_client::types::JobStateCount>) -> Self {
        Self::from_pairs(
            data.into_iter()
                .map(|c| (c.name.unwrap_or_default(), c.y.unwrap_or(0))),
        )
    }
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
            // A state counted under both of its names, or a hostile count, never wraps.
            *slot = slot.saturating_add(count);
        }
        counts
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

/// The regions of a login (no spec operation of its own: the login answers them).
#[derive(Clone, Debug)]
pub struct Regions {
    client: Client,
}

impl Client {
    /// The regions of the login.
    pub fn regions(&self) -> Regions {
        Regions {
            client: self.clone(),
        }
    }
}

impl Regions {
    /// The regions the login answered, and which have a token.
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// for region in client.regions().list().send().await? {
    ///     println!("{} {} {}", region.id, region.name, region.has_token);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListRegions {
        ListRegions {
            client: self.client.clone(),
        }
    }
}

/// The regions of a login; built by [`Regions::list`].
///
/// ```no_run
/// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
/// let regions = client.regions().list().send().await?;
/// # let _ = regions; Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct ListRegions {
    client: Client,
}

impl ListRegions {
    /// Logs in if needed and lists the regions (empty for a static token).
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// for region in scnet.regions().list().send().await? {
    ///     println!("{} {} (token: {})", region.id, region.name, region.has_token);
    /// }
    /// # Ok(()) }
    /// ```
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
