//! The fake EHPC server: `GET /api/job/list`, signed as docs/api-notes.md §1 describes.

pub(crate) mod clusters;
pub(crate) mod directory;
pub(crate) mod lifecycle;
pub(crate) mod list;
pub(crate) mod signature;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use chrono::{NaiveDateTime, Utc};
use ehpc_client::LenientInt;
use ehpc_client::types::JobListResponse;

use crate::faults::ListingFault;
use crate::query::parse_raw_query;
use crate::state::Shared;
use list::ListQuery;

/// How far a request's `timestamp` may be from the server's clock.
const MAX_SKEW_SECS: i64 = 60;
/// Parameters every request must carry, checked in this order; `signature` is checked
/// apart, since a missing one is an authentication failure (1200).
const REQUIRED: [&str; 6] = [
    "access_key_id",
    "signature_method",
    "signature_version",
    "version",
    "timestamp",
    "zone",
];

/// The EHPC routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/job/list", any(list_jobs))
        .route("/api/cluster/list", any(list_clusters))
        .route("/api/job/submitJob", any(lifecycle::submit))
        .route("/api/job/jobdetail/{job_uuid}", any(lifecycle::detail))
        .route("/api/job/stopJobs", any(lifecycle::stop))
        .route("/api/job/deleteJobs", any(lifecycle::delete))
        .route("/api/user", any(directory::users))
        .route("/api/queue/ehpc/getQueueList", any(directory::ehpc_queues))
        .route("/api/queue/getCurrentQueue", any(directory::current_queues))
        .route("/api/operation", any(directory::operations))
}

/// An EHPC error: HTTP 200 with `{"ret_code": N, "message": "..."}`.
pub(crate) fn ehpc_error(ret_code: i64, message: &str) -> Response {
    let body = JobListResponse {
        action: None,
        hpc_job_set: None,
        message: Some(message.to_owned()),
        ret_code: LenientInt(ret_code),
        total_count: None,
    };
    json_response(serde_json::to_vec(&body).unwrap_or_default())
}

fn json_response(body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// What every signed GET handler checks first: the method, the body, the query, the
/// signature. `Err` is the error answer to send.
async fn signed_get(
    shared: &Shared,
    request: Request,
    action: &str,
) -> Result<(axum::http::request::Parts, Vec<(String, String)>), Response> {
    let (parts, body) = request.into_parts();
    if parts.method != Method::GET {
        return Err(ehpc_error(
            1101,
            &format!("MethodNotAllowed, {action} takes GET"),
        ));
    }
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return Err(ehpc_error(1100, "ParameterError, request body too large"));
    };
    let params = parse_query(&parts).map_err(|(code, message)| ehpc_error(code, &message))?;
    authenticate(shared, "GET", parts.uri.path(), &params, &body, None)
        .map_err(|(code, message)| ehpc_error(code, &message))?;
    Ok((parts, params))
}

/// The query's parameters, decoded; `Err` is the code and message to answer.
fn parse_query(parts: &axum::http::request::Parts) -> Result<Vec<(String, String)>, (i64, String)> {
    parse_raw_query(parts.uri.query().unwrap_or("")).map_err(|piece| {
        (
            1100,
            format!("ParameterError, [{piece}] is not valid UTF-8"),
        )
    })
}

async fn list_jobs(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, params) = match signed_get(&shared, request, "job/list").await {
        Ok(checked) => checked,
        Err(answer) => return answer,
    };
    if let Err((code, message)) = known_cluster(&shared, &params) {
        return ehpc_error(code, &message);
    }
    let query = match ListQuery::from_params(&params) {
        Ok(query) => query,
        Err(message) => return ehpc_error(1100, &message),
    };
    let fault = parts.extensions.get::<ListingFault>().copied();
    let submitted = shared
        .scheduler
        .snapshot()
        .iter()
        .filter(|job| {
            lifecycle::matches(
                &shared,
                job,
                &query.statuses,
                query.queue_name.as_deref(),
                query.run_user.as_deref(),
                query.search_word.as_deref(),
            )
        })
        .map(|job| lifecycle::list_json(&shared, job))
        .collect();
    json_response(list::render_with_submitted(
        &shared.jobs,
        &query,
        submitted,
        fault,
    ))
}

async fn list_clusters(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let params = match signed_get(&shared, request, "cluster/list").await {
        Ok((_, params)) => params,
        Err(answer) => return answer,
    };
    match clusters::list(&shared.credentials, &params) {
        Ok(answer) => json_response(serde_json::to_vec(&answer).unwrap_or_default()),
        Err(message) => ehpc_error(1100, &message),
    }
}

fn param<'p>(params: &'p [(String, String)], key: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

/// The checks of a real server, cheapest first: parameters, key, clock, signature,
/// then the resources named. `body_zone`: a POST's zone, which travels in its body.
fn authenticate(
    shared: &Shared,
    method: &str,
    path: &str,
    params: &[(String, String)],
    body: &Bytes,
    body_zone: Option<&str>,
) -> Result<(), (i64, String)> {
    let missing = REQUIRED.iter().find(|key| match (**key, body_zone) {
        ("zone", Some(zone)) => zone.is_empty(),
        (key, _) => param(params, key).is_none(),
    });
    if let Some(missing) = missing {
        return Err((
            1100,
            format!("MissingParameter, parameter [{missing}] should not be empty"),
        ));
    }
    let value = |key| param(params, key).unwrap_or_default();
    for (key, wanted) in [
        ("signature_method", "HmacSHA256"),
        ("signature_version", "1"),
        ("version", "1"),
    ] {
        if value(key) != wanted {
            return Err((
                1100,
                format!("ParameterError, parameter [{key}] must be [{wanted}]"),
            ));
        }
    }
    let credentials = &shared.credentials;
    if value("access_key_id") != credentials.ehpc_access_key_id {
        return Err((
            1200,
            "AuthenticationFailed, access key not found".to_owned(),
        ));
    }
    let Some(signature) = param(params, "signature") else {
        return Err((
            1200,
            "AuthenticationFailed, signature is missing".to_owned(),
        ));
    };
    let timestamp = value("timestamp");
    let Ok(sent) = NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%SZ") else {
        return Err((
            1100,
            format!("ParameterError, invalid value [{timestamp}] of parameter [timestamp]"),
        ));
    };
    let skew = (Utc::now().naive_utc() - sent).num_seconds().abs();
    if skew > MAX_SKEW_SECS {
        return Err((
            1300,
            format!("RequestExpired, timestamp [{timestamp}] is out of date"),
        ));
    }
    let query = signature::canonical_query(params);
    let to_sign = signature::string_to_sign(method, path, &query, body);
    if !signature::verify(&credentials.ehpc_secret_access_key, &to_sign, signature) {
        return Err((
            1200,
            "AuthenticationFailed, signature not matched".to_owned(),
        ));
    }
    let zone = body_zone.unwrap_or_else(|| value("zone"));
    if zone != credentials.ehpc_zone {
        return Err((2100, format!("ResourceNotFound, zone [{zone}] not found")));
    }
    Ok(())
}

/// A job call names the sandbox's cluster.
fn known_cluster(shared: &Shared, params: &[(String, String)]) -> Result<(), (i64, String)> {
    match param(params, "cluster_id") {
        None => Err((
            1100,
            "MissingParameter, parameter [cluster_id] should not be empty".to_owned(),
        )),
        Some(id) if id != shared.credentials.ehpc_cluster_id => {
            Err((2100, format!("ResourceNotFound, cluster [{id}] not found")))
        }
        Some(_) => Ok(()),
    }
}

/// Server-side page building, for the benchmark: the same functions the handler calls.
#[doc(hidden)]
pub struct BenchJobs(crate::jobs::JobStore);

impl BenchJobs {
    /// `count` seeded jobs.
    pub fn seeded(count: usize, seed: u64) -> Self {
        Self(crate::jobs::JobStore::seeded(count, seed))
    }

    /// The JSON body of the page at `offset` of `limit` jobs (no filters).
    pub fn page_json(&self, offset: u64, limit: u64, reverse: bool) -> Vec<u8> {
        let query = ListQuery {
            offset,
            limit: limit.min(list::MAX_LIMIT),
            reverse,
            ..ListQuery::default()
        };
        list::render(&self.0, &list::select(&self.0, &query), None)
    }
}
