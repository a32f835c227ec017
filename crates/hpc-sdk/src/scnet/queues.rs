//! `queues()`: the queues the cluster user may submit to, and their limits.

use scnet_client::operations as ops;
use scnet_client::types::{Queue, QueueLimit};

use super::Client;
use crate::error::Result;

/// The queue operations of a [`Client`].
#[derive(Clone, Debug)]
pub struct Queues {
    client: Client,
}

impl Client {
    /// The queues of a region's scheduler.
    pub fn queues(&self) -> Queues {
        Queues {
            client: self.clone(),
        }
    }
}

/// Which queues request (`list` or `limits`); built by [`Queues`].
///
/// ```
/// let client = hpc_sdk::scnet::Client::builder().token("t").build().unwrap();
/// let request = client.queues().list().scheduler_id("1638523853");
/// # let _ = request;
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until sent"]
pub struct QueuesRequest<T> {
    client: Client,
    region: Option<String>,
    scheduler_id: Option<String>,
    user: Option<String>,
    _answer: std::marker::PhantomData<fn() -> T>,
}

impl Queues {
    /// The queues the cluster user may submit to (`queuenames/users/{user}`), each with
    /// the limits the answer carries (`queMaxPPN`, `queMaxWalltime`, ...).
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// for queue in client.queues().list().send().await? {
    ///     println!("{:?} max {:?} cores per node", queue.id, queue.que_max_ppn);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> QueuesRequest<Queue> {
        self.request()
    }

    /// Every queue's resource limits (`userquotas/queues`).
    ///
    /// ```no_run
    /// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let limits = client.queues().limits().send().await?;
    /// # let _ = limits; Ok(()) }
    /// ```
    pub fn limits(&self) -> QueuesRequest<QueueLimit> {
        self.request()
    }

    fn request<T>(&self) -> QueuesRequest<T> {
        QueuesRequest {
            client: self.client.clone(),
            region: None,
            scheduler_id: None,
            user: None,
            _answer: std::marker::PhantomData,
        }
    }
}

impl<T> QueuesRequest<T> {
    /// Another region than the client's.
    pub fn region(mut self, id: impl Into<String>) -> Self {
        self.region = Some(id.into());
        self
    }

    /// The scheduler (default: the region's only one).
    pub fn scheduler_id(mut self, id: impl Into<String>) -> Self {
        self.scheduler_id = Some(id.into());
        self
    }

    /// The cluster user (default: the client's).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }
}

impl QueuesRequest<Queue> {
    /// Sends the request.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let queues = scnet.queues().list().send().await?;
    /// println!("{} queues", queues.len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Queue>> {
        let (client, region) = (&self.client, self.region.as_deref());
        let work = async {
            let scheduler = client
                .scheduler_for(region, self.scheduler_id.as_deref())
                .await?;
            let user = client.cluster_user(region, self.user.as_deref()).await?;
            let (scheduler, user) = (&scheduler, &user);
            client
                .execute_region(&ops::LIST_QUEUES, region, |api| async move {
                    api.list_queues()
                        .username(user.clone())
                        .str_job_manager_id(scheduler.clone())
                        .send()
                        .await
                })
                .await
        };
        Ok(client.operation(work).await?.data.unwrap_or_default())
    }
}

impl QueuesRequest<QueueLimit> {
    /// Sends the request.
    ///
    /// ```no_run
    /// # async fn demo(scnet: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
    /// let limits = scnet.queues().limits().send().await?;
    /// println!("{limits:?}");
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<QueueLimit>> {
        let (client, region) = (&self.client, self.region.as_deref());
        let work = async {
            let scheduler = client
                .scheduler_for(region, self.scheduler_id.as_deref())
                .await?;
            let scheduler = &scheduler;
            client
                .execute_region(&ops::GET_QUEUE_LIMITS, region, |api| async move {
                    api.get_queue_limits()
                        .str_job_manager_id(scheduler.clone())
                        .send()
                        .await
                })
                .await
        };
        Ok(client.operation(work).await?.data.unwrap_or_default())
    }
}
