//! The region's queues (`queuenames/users/{u}`) and their limits (`userquotas/queues`):
//! the same two on every scheduler, `comp` and `debug`.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use scnet_client::types::{Queue, QueueLimit, QueueLimitsResponse, QueueListResponse};
use serde_json::Value;

use super::envelope::{SUCCESS, codes, fail, json_value, ok_code, scnet_json};
use super::region_claims;
use super::view::{query_params, scheduler_param};
use crate::state::Shared;

/// One queue's shape.
struct QueueDef {
    name: &'static str,
    nodes: u32,
    free_nodes: u32,
    ppn: u32,
    max_nodes: u32,
    max_walltime: &'static str,
    charge_rate: &'static str,
}

/// The queues of every scheduler: a large production partition and a small, short one.
const QUEUES: [QueueDef; 2] = [
    QueueDef {
        name: "comp",
        nodes: 128,
        free_nodes: 37,
        ppn: 64,
        max_nodes: 32,
        max_walltime: "168:00:00",
        charge_rate: "1.0",
    },
    QueueDef {
        name: "debug",
        nodes: 4,
        free_nodes: 2,
        ppn: 64,
        max_nodes: 2,
        max_walltime: "00:30:00",
        charge_rate: "0.5",
    },
];

/// Whether `GAP_QUEUE` names one of the queues.
pub(crate) fn known(name: &str) -> bool {
    QUEUES.iter().any(|queue| queue.name == name)
}

/// A number as the vendor sends it: a string.
fn text(n: u32) -> Option<Value> {
    Some(Value::String(n.to_string()))
}

/// The queue's node names, `<queue>n001,<queue>n002,...`.
fn hosts(queue: &QueueDef) -> String {
    (1..=queue.nodes)
        .map(|n| format!("{}n{n:03}", queue.name))
        .collect::<Vec<_>>()
        .join(",")
}

/// `GET /hpc/openapi/v2/queuenames/users/{username}?strJobManagerID=ID`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Path(user): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    if user != shared.credentials.scnet_cluster_user {
        return fail(codes::DENIED);
    }
    let checked = query_params(query.as_deref())
        .and_then(|params| scheduler_param(&shared, &params, "strJobManagerID"));
    if let Err(error) = checked {
        return fail(error);
    }
    let queues = QUEUES
        .iter()
        .map(|queue| Queue {
            acl_hosts: Some(hosts(queue)),
            id: Some(queue.name.to_owned()),
            text: Some(queue.name.to_owned()),
            queue_name: Some(queue.name.to_owned()),
            que_nodes: text(queue.nodes),
            que_free_nodes: text(queue.free_nodes),
            que_ncpus: text(queue.nodes * queue.ppn),
            que_free_ncpus: text(queue.free_nodes * queue.ppn),
            que_max_ncpus: text(queue.max_nodes * queue.ppn),
            que_max_ppn: text(queue.ppn),
            que_max_nodect: text(queue.max_nodes),
            que_max_walltime: Some(Value::String(queue.max_walltime.to_owned())),
            que_max_gpu_pn: text(0),
            que_max_dcu_pn: text(0),
            que_charge_rate: Some(Value::String(queue.charge_rate.to_owned())),
        })
        .collect();
    scnet_json(&QueueListResponse {
        code: ok_code(),
        data: Some(queues),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// `GET /hpc/openapi/v2/userquotas/queues?strJobManagerID=ID`: in the order of
/// [`list`]. The vendor's table names no key for the queue, so each entry also carries
/// `queueName`, outside the spec's fields, for a reader that wants it.
pub(crate) async fn limits(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    let checked = query_params(query.as_deref())
        .and_then(|params| scheduler_param(&shared, &params, "strJobManagerID"));
    if let Err(error) = checked {
        return fail(error);
    }
    let limits = QUEUES
        .iter()
        .map(|queue| QueueLimit {
            que_nodes: text(queue.nodes),
            que_min_nodect: text(1),
            que_max_ngpus: text(0),
            que_max_ppn: text(queue.ppn),
        })
        .collect();
    let mut answer = serde_json::to_value(QueueLimitsResponse {
        code: ok_code(),
        data: Some(limits),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
    .unwrap_or(Value::Null);
    if let Some(Value::Array(entries)) = answer.get_mut("data") {
        for (entry, queue) in entries.iter_mut().zip(&QUEUES) {
            if let Value::Object(entry) = entry {
                entry.insert("queueName".into(), Value::String(queue.name.to_owned()));
            }
        }
    }
    json_value(&answer)
}
