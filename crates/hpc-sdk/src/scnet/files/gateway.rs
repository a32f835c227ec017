//! The efile leg of the SCNet pipeline: one gateway per file operation, the region
//! token (refreshed once on 10008), retries as the operation's idempotency allows, and
//! time limits sized to the bytes a request carries.
//!
//! A region lists several efile gateways. Chunks wait on the gateway that took them,
//! so an upload's chunks and its merge must all go to one: a [`Gateway`] is chosen once
//! per operation and never changed under it. A transport failure moves the *next*
//! operations of the region to the next gateway.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use scnet_client::operations::Operation;
use secrecy::{ExposeSecret, SecretString};

use super::super::auth::TokenKind;
use super::super::discovery::Site;
use super::super::{Client, envelope};
use crate::error::{Error, Result};
use crate::retry::{self, Call};
use crate::{Platform, response};

/// The slowest a transfer request may move before it counts as stalled: a request
/// carrying `n` bytes may take its attempt limit plus `n` at this rate.
const SLOWEST_BYTES_PER_SECOND: u64 = 256 << 10;

/// The most an efile JSON answer may hold; anything longer is not an envelope.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// The efile gateway a file operation uses from start to end.
pub(crate) struct Gateway {
    kind: TokenKind,
    site: Arc<Site>,
    index: usize,
    /// `scheme://host:port`; the routes are `/efile/openapi/v2/file/...` under it.
    pub origin: String,
}

impl Gateway {
    /// The URL of an efile route (`path` from the operation's facts).
    pub fn url(&self, operation: &Operation) -> String {
        format!("{}{}", self.origin, operation.path)
    }
}

impl Client {
    /// The region's efile gateway in use now: `region`, or the client's.
    pub(crate) async fn efile_gateway(&self, region: Option<&str>) -> Result<Gateway> {
        let work = async {
            let (kind, site) = self.region_target(region).await?;
            let region = self.region(region).await?;
            let (index, origin) = {
                let origins = self.efile_origins(&region, &site).await?;
                let (index, origin) = origins.current();
                (index, origin.to_string())
            };
            Ok(Gateway {
                kind,
                site,
                index,
                origin,
            })
        };
        self.operation(work).await
    }

    /// Runs one efile request on `gateway` as an operation of its own. `bytes` is what
    /// the request carries (or `0`): each attempt may take the client's attempt limit
    /// plus the time those bytes need at [`SLOWEST_BYTES_PER_SECOND`]. `attempt` gets
    /// the token and that limit, and sends the request once.
    pub(crate) async fn efile_call<T, F, Fut>(
        &self,
        gateway: &Gateway,
        operation: &Operation,
        bytes: u64,
        attempt: F,
    ) -> Result<T>
    where
        F: Fn(Arc<SecretString>, Duration) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut rt = self.inner.rt.clone();
        let limit = transfer_limit(rt.timeouts.per_attempt, bytes);
        rt.timeouts.per_attempt = limit;
        // The request sets its own timeout to `limit` (the HTTP client's is shorter).
        rt.http_times_attempts = false;
        let per_operation = rt.timeouts.per_operation.max(
            limit
                .saturating_mul(rt.retry.attempts())
                .saturating_add(rt.retry.max_total_delay),
        );
        let call = Call {
            platform: Platform::Scnet,
            operation: operation.id,
            idempotent: operation.idempotent,
        };
        let (rt, attempt) = (&rt, &attempt);
        let work = self.authorized(gateway.kind.clone(), |token| async move {
            retry::run(rt, call, |_| async {
                let result = attempt(token.clone(), limit).await;
                if matches!(result, Err(Error::Transport { .. } | Error::Timeout { .. })) {
                    gateway.site.efile_failed(gateway.index);
                }
                result
            })
            .await
        });
        self.operation_within(per_operation, work).await
    }

    /// A generated efile call (list, mkdir) on `gateway`, its envelope checked.
    pub(crate) async fn efile_generated<T, F, Fut>(
        &self,
        gateway: &Gateway,
        operation: &Operation,
        attempt: F,
    ) -> Result<T>
    where
        T: envelope::Envelope,
        F: Fn(scnet_client::Client) -> Fut,
        Fut: Future<
            Output = std::result::Result<
                progenitor_client::ResponseValue<T>,
                progenitor_client::Error<()>,
            >,
        >,
    {
        let attempt = &attempt;
        self.efile_call(gateway, operation, 0, |token, _| async move {
            let api = self.inner.sites.with_token(&gateway.origin, &token)?;
            let sent = attempt(api).await;
            envelope::check(response::value(sent, envelope::from_body).await?)
        })
        .await
    }

    /// A request to `url` with the token, the client's connections and `limit`.
    pub(crate) fn efile_request(
        &self,
        method: reqwest::Method,
        url: &str,
        token: &SecretString,
        limit: Duration,
    ) -> reqwest::RequestBuilder {
        self.inner
            .sites
            .http
            .request(method, url)
            .header("token", token.expose_secret())
            .timeout(limit)
    }
}

/// The attempt limit for a request carrying `bytes`.
pub(crate) fn transfer_limit(per_attempt: Duration, bytes: u64) -> Duration {
    per_attempt.saturating_add(Duration::from_secs(bytes / SLOWEST_BYTES_PER_SECOND))
}

/// Reads an efile JSON answer (upload, chunk, merge): `Ok` for code `"0"`, the
/// envelope's error for any other, an HTTP or decode error for anything else.
pub(crate) async fn read_answer(response: reqwest::Response) -> Result<()> {
    let (status, body) = read_envelope(response).await?;
    #[derive(serde::Deserialize)]
    struct Bare {
        #[allow(dead_code)]
        code: scnet_client::Code,
    }
    match serde_json::from_slice::<Bare>(&body) {
        Ok(_) => Ok(()),
        Err(source) => Err(Error::Decode {
            status,
            body_excerpt: response::excerpt(&body),
            source: Box::new(source),
        }),
    }
}

/// The status and body of a short efile answer, or the error it carries: its envelope's
/// (whatever the HTTP status), else an HTTP error for a status other than 2xx.
pub(crate) async fn read_envelope(response: reqwest::Response) -> Result<(u16, Vec<u8>)> {
    let status = response.status().as_u16();
    let retry_after = response::retry_after(response.headers());
    let body = read_bounded(response, MAX_ANSWER_BYTES).await?;
    if let Some(error) = envelope::from_body(&body, status) {
        return Err(error);
    }
    if !(200..300).contains(&status) {
        return Err(Error::Http {
            status,
            body_excerpt: response::excerpt(&body),
            retry_after,
        });
    }
    Ok((status, body))
}

/// The body of a short answer, at most `limit` bytes of it kept.
pub(crate) async fn read_bounded(response: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(piece) = stream.next().await {
        let piece = piece.map_err(response::transport)?;
        if body.len() + piece.len() > limit {
            return Err(Error::BodyTooLarge {
                limit: limit as u64,
            });
        }
        body.extend_from_slice(&piece);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_gets_time_for_its_bytes() {
        let base = Duration::from_secs(30);
        assert_eq!(transfer_limit(base, 0), base);
        assert_eq!(transfer_limit(base, 16 << 20), Duration::from_secs(30 + 64));
        assert_eq!(transfer_limit(Duration::MAX, u64::MAX), Duration::MAX);
    }
}
