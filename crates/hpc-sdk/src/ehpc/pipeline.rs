//! The EHPC call pipeline every operation goes through: the signer (the generated
//! client's pre-hook, so each attempt is signed afresh), the `ret_code` envelope, the
//! classifiers and backoff, all under the operation's one deadline.

use std::future::Future;

use ehpc_client::operations::Operation;
use progenitor_client::{Error as GenError, ResponseValue};

use super::Client;
use crate::error::{Error, Result};
use crate::retry::{self, Call};
use crate::{Platform, deadline, response};

/// An EHPC answer: `ret_code` 0 is success, anything else an error even with HTTP 200.
/// Implemented for every answer type by `cargo xtask codegen`.
pub(crate) trait Answer {
    fn ret_code(&self) -> i64;
    fn message(&self) -> Option<&str>;
}

impl Client {
    /// Sends `operation` built by `attempt` (called once per attempt), with retries
    /// when the spec says it is idempotent; answers the value or its `ret_code` error.
    pub(crate) async fn execute<T, F, Fut>(&self, operation: &Operation, attempt: F) -> Result<T>
    where
        T: Answer,
        F: Fn() -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, GenError<()>>>,
    {
        let rt = &self.inner.rt;
        let call = Call {
            platform: Platform::Ehpc,
            operation: operation.id,
            idempotent: operation.idempotent,
        };
        let attempts = retry::run(rt, call, |_| async {
            let (answer, status) = response::value(attempt().await, envelope).await?;
            match answer.ret_code() {
                0 => Ok(answer),
                code => Err(Error::ehpc(
                    code,
                    answer.message().unwrap_or_default(),
                    status,
                )),
            }
        });
        deadline::operation(rt.timeouts.per_operation, attempts)
            .await
            .map_err(|error| error.redact(&self.inner.access_key_id))
    }

    /// The generated client (its pre-hook signs).
    pub(crate) fn api(&self) -> &ehpc_client::Client {
        &self.inner.api
    }

    /// The client's zone.
    pub(crate) fn zone(&self) -> &str {
        &self.inner.zone
    }

    /// The cluster requests name unless they say otherwise (`EHPC_CLUSTER_ID`).
    pub(crate) fn default_cluster(&self) -> Option<String> {
        self.inner.cluster_id.clone()
    }

    /// Items per page unless a request says otherwise.
    pub(crate) fn page_size(&self) -> u32 {
        self.inner.page_size
    }

    /// A timestamp for a request; the signer replaces it with the time of each attempt.
    pub(crate) fn timestamp(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::<chrono::Utc>::from(self.inner.rt.clock.now())
    }
}

/// An EHPC error envelope in an answer with an undocumented HTTP status.
fn envelope(body: &[u8], http_status: u16) -> Option<Error> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        ret_code: ehpc_client::LenientInt,
        message: Option<String>,
    }
    let parsed: Envelope = serde_json::from_slice(body).ok()?;
    (parsed.ret_code.0 != 0).then(|| {
        Error::ehpc(
            parsed.ret_code.0,
            parsed.message.unwrap_or_default(),
            http_status,
        )
    })
}
