//! The SCNet call pipeline every operation goes through: identity (the token store),
//! endpoint (the region's hpc site, moving to the next URL after a transport failure),
//! the `token` header, the envelope, the classifiers and backoff, and one 10008 refresh,
//! all under the operation's one deadline.

use std::future::Future;

use progenitor_client::{Error as GenError, ResponseValue};
use scnet_client::operations::Operation;

use super::auth::TokenKind;
use super::discovery::Site;
use super::{Client, envelope};
use crate::error::{Error, Result};
use crate::retry::{self, Call};
use crate::{Platform, response};

/// What an attempt answers: the generated client's result.
type Sent<T> = std::result::Result<ResponseValue<T>, GenError<()>>;

fn call(operation: &Operation) -> Call {
    Call {
        platform: Platform::Scnet,
        operation: operation.id,
        idempotent: operation.idempotent,
    }
}

impl Client {
    /// Sends `operation` to a region's hpc host with the region's token: `region`, or
    /// the client's. `attempt` gets the hpc client (the token set), once per attempt.
    pub(crate) async fn execute_region<T, F, Fut>(
        &self,
        operation: &Operation,
        region: Option<&str>,
        attempt: F,
    ) -> Result<T>
    where
        T: envelope::Envelope,
        F: Fn(scnet_client::Client) -> Fut,
        Fut: Future<Output = Sent<T>>,
    {
        let work = async {
            let (kind, site) = self.region_target(region).await?;
            self.send_to_site(operation, kind, &site, &attempt).await
        };
        self.operation(work).await
    }

    /// [`Client::execute_region`] as a cluster user: `user`, or the one discovery found
    /// for the region. `attempt` also gets the user.
    pub(crate) async fn execute_region_as<T, F, Fut>(
        &self,
        operation: &Operation,
        region: Option<&str>,
        user: Option<&str>,
        attempt: F,
    ) -> Result<T>
    where
        T: envelope::Envelope,
        F: Fn(scnet_client::Client, String) -> Fut,
        Fut: Future<Output = Sent<T>>,
    {
        let work = async {
            let (kind, site) = self.region_target(region).await?;
            let user = user
                .map(str::to_string)
                .or_else(|| site.cluster_user.clone())
                .filter(|u| !u.trim().is_empty())
                .ok_or_else(|| {
                    Error::invalid_input(
                        "no cluster user name: discovery found none; pass .user(...)",
                    )
                })?;
            let user = &user;
            let attempt = |hpc| attempt(hpc, user.clone());
            self.send_to_site(operation, kind, &site, &attempt).await
        };
        self.operation(work).await
    }

    /// The region's token, retries, and the move to the site's next hpc URL after a
    /// transport failure, for a site already resolved.
    async fn send_to_site<T, F, Fut>(
        &self,
        operation: &Operation,
        kind: TokenKind,
        site: &Site,
        attempt: &F,
    ) -> Result<T>
    where
        T: envelope::Envelope,
        F: Fn(scnet_client::Client) -> Fut,
        Fut: Future<Output = Sent<T>>,
    {
        let rt = &self.inner.rt;
        self.authorized(kind, |token| async move {
            retry::run(rt, call(operation), |_| async {
                let (index, origin) = site.hpc();
                let hpc = self.inner.sites.with_token(origin, &token)?;
                let sent = attempt(hpc).await;
                let result = response::value(sent, envelope::from_body).await;
                if matches!(result, Err(Error::Transport { .. } | Error::Timeout { .. })) {
                    site.failed(index);
                }
                envelope::check(result?)
            })
            .await
        })
        .await
    }

    /// Sends `operation` to the platform host with the platform token.
    pub(crate) async fn execute_platform<T, F, Fut>(
        &self,
        operation: &Operation,
        attempt: F,
    ) -> Result<T>
    where
        T: envelope::Envelope,
        F: Fn(scnet_client::Client) -> Fut,
        Fut: Future<Output = Sent<T>>,
    {
        let (rt, sites, attempt) = (&self.inner.rt, &self.inner.sites, &attempt);
        let work = self.authorized(TokenKind::Platform, |token| async move {
            retry::run(rt, call(operation), |_| async {
                let sent = attempt(sites.portal_with(&token)?).await;
                envelope::check(response::value(sent, envelope::from_body).await?)
            })
            .await
        });
        self.operation(work).await
    }
}
