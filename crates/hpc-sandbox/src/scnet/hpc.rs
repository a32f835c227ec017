//! The region hpc host's calls: job counts by state and walltime used.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use scnet_client::types::{JobStateCountsResponse, WalltimeResponse};

use super::envelope::{SUCCESS, codes, fail, json_value, ok_code, scnet_json};
use super::{live, region_claims};
use crate::query::parse_raw_query;
use crate::state::Shared;

/// `GET /hpc/openapi/v2/view/jobs/state?userName=U`.
pub(crate) async fn job_state_counts(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    let params: HashMap<String, String> = parse_raw_query(query.as_deref().unwrap_or(""))
        .unwrap_or_default()
        .into_iter()
        .collect();
    let Some(user) = params.get("userName").filter(|user| !user.is_empty()) else {
        return fail(codes::MISSING);
    };
    if *user != shared.credentials.scnet_cluster_user {
        return fail(codes::DENIED);
    }
    scnet_json(&JobStateCountsResponse {
        code: ok_code(),
        data: Some(live::state_counts(shared.seed, shared.job_state_keys)),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// `GET /hpc/openapi/v2/view/walltime/users/{u}`.
pub(crate) async fn walltime(
    State(shared): State<Arc<Shared>>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    if user != shared.credentials.scnet_cluster_user {
        return fail(codes::DENIED);
    }
    scnet_json(&WalltimeResponse {
        code: ok_code(),
        data: Some(live::walltime(shared.seed)),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// A scheduler's name, by its place in the region: `Cluster`, `Cluster2`, ...
pub(crate) fn scheduler_name(index: usize) -> String {
    match index {
        0 => "Cluster".to_owned(),
        n => format!("Cluster{}", n + 1),
    }
}

/// `GET /hpc/openapi/v2/cluster`: the region's schedulers, ids numbers as the vendor
/// documents them (clients also meet them as strings). The first is the same whatever
/// their number, so a client written against one scheduler keeps working.
pub(crate) async fn schedulers(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    let schedulers: Vec<serde_json::Value> = shared
        .scnet
        .scheduler_ids
        .iter()
        .enumerate()
        .map(|(index, id)| {
            serde_json::json!({
                "id": id,
                "text": scheduler_name(index),
                "JobManagerType": "SLURM",
                "JobManagerAddr": format!("10.8.150.{}", 45 + index % 200),
                "JobManagerPort": "9091",
            })
        })
        .collect();
    json_value(&serde_json::json!({
        "code": "0",
        "msg": SUCCESS,
        "data": schedulers,
    }))
}
