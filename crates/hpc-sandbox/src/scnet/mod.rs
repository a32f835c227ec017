//! The fake SCNet servers: the API host (AK/SK login), the platform host (`/ac/...`),
//! the region's hpc host (`/hpc/...`), as docs/api-notes.md §2 describes, and the
//! region's two efile gateways (`/efile/...`).

mod cancel;
mod content;
pub(crate) mod efile;
pub(crate) mod envelope;
mod history;
mod hpc;
pub(crate) mod jwt;
mod live;
pub(crate) mod login;
pub(crate) mod outputs;
mod platform;
mod queues;
mod realtime;
mod submit;
mod view;

use std::sync::Arc;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};

pub use crate::state::JobStateKeys;
use crate::state::Shared;
use envelope::codes;

/// An SCNet error answer to give: `(code, msg)`, one of [`codes`].
pub(crate) type Rejection = (&'static str, &'static str);
use jwt::Claims;

/// Routes of the API host.
pub(crate) fn api_router() -> Router<Arc<Shared>> {
    Router::new().route("/api/user/v3/tokens", post(login::access_key_login))
}

/// Routes of the platform host.
pub(crate) fn portal_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/ac/openapi/v2/tokens", post(login::password_login))
        .route("/ac/openapi/v2/tokens/next", post(platform::renew))
        .route("/ac/openapi/v2/tokens/state", get(platform::state))
        .route("/ac/openapi/v2/center", get(platform::center))
        .route(
            "/ac/openapi/v2/clusters/{cluster_id}/groups/{group_id}/clusterUserNames/{user}/jobs",
            get(platform::member_jobs),
        )
}

/// Routes of the region's hpc host.
pub(crate) fn hpc_router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/hpc/openapi/v2/view/jobs/state",
            get(hpc::job_state_counts),
        )
        .route("/hpc/openapi/v2/cluster", get(hpc::schedulers))
        .route(
            "/hpc/openapi/v2/view/walltime/users/{user}",
            get(hpc::walltime),
        )
        .route("/hpc/openapi/v2/queuenames/users/{user}", get(queues::list))
        .route("/hpc/openapi/v2/userquotas/queues", get(queues::limits))
        .route(
            "/hpc/openapi/v2/apptemplates/{apptype}/{appname}/job",
            post(submit::submit),
        )
        .route(
            "/hpc/openapi/v2/jobs",
            get(realtime::list).delete(cancel::cancel),
        )
        .route("/hpc/openapi/v2/jobs/{job_id}", get(realtime::detail))
        .route("/hpc/openapi/v2/historyjobs", get(history::list))
        .route(
            "/hpc/openapi/v2/historyjobs/{jobmanager_id}/{job_id}",
            get(history::detail),
        )
        .route("/hpc/openapi/v2/file/content", post(content::read))
}

/// The id of the region's first scheduler; the others count up from it.
pub(crate) fn first_scheduler_id(seed: u64) -> u64 {
    1_638_523_853 + seed % 1000
}

/// The claims of the request's `token` header, or the error answer: 10003 when there is
/// none, 10008 when it is expired, garbled or not the sandbox's.
pub(crate) fn claims(shared: &Shared, headers: &HeaderMap) -> Result<Claims, Rejection> {
    let token = headers
        .get("token")
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty())
        .ok_or(codes::MISSING)?;
    jwt::verify(&shared.token_key, token).ok_or(codes::TOKEN)
}

/// The claims of a region token for the sandbox's region; a platform token gets
/// `wrong_kind`.
pub(crate) fn region_claims(
    shared: &Shared,
    headers: &HeaderMap,
    wrong_kind: Rejection,
) -> Result<Claims, Rejection> {
    let claims = claims(shared, headers)?;
    if claims.cluster_id != shared.credentials.scnet_cluster_id {
        return Err(wrong_kind);
    }
    Ok(claims)
}
