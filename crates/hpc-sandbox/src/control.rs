//! `/_sandbox/...` on every server: queue faults and read counters over HTTP, for tests
//! written in another language or a sandbox started with `cargo run`.
//!
//! - `POST /_sandbox/faults` with one [`Fault`] or an array of them, as JSON;
//! - `DELETE /_sandbox/faults` forgets the waiting ones;
//! - `GET /_sandbox/stats` answers `{"faults_served", "history_scans", "logins",
//!   "renewals", "requests"}`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::faults::Fault;
use crate::state::Shared;

/// One fault or several.
#[derive(Deserialize)]
#[serde(untagged)]
enum Faults {
    One(Fault),
    Many(Vec<Fault>),
}

/// The control routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sandbox/faults", post(add_faults).delete(clear_faults))
        .route("/_sandbox/stats", get(stats))
}

async fn add_faults(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let faults = match serde_json::from_slice::<Faults>(&body) {
        Ok(Faults::One(fault)) => vec![fault],
        Ok(Faults::Many(faults)) => faults,
        Err(error) => {
            return (StatusCode::BAD_REQUEST, format!("not a fault: {error}")).into_response();
        }
    };
    let queued = faults.len();
    for fault in faults {
        shared.faults.push(fault);
    }
    Json(json!({ "queued": queued })).into_response()
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    let counters = &shared.counters;
    Json(json!({
        "faults_served": counters.faults_served.load(Ordering::SeqCst),
        "history_scans": counters.history_scans.load(Ordering::SeqCst),
        "logins": counters.logins.load(Ordering::SeqCst),
        "renewals": counters.renewals.load(Ordering::SeqCst),
        "requests": counters.snapshot(),
    }))
    .into_response()
}
