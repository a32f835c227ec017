//! The cluster's users (`/api/user`), queues (`queue/ehpc/getQueueList`,
//! `queue/getCurrentQueue`) and operation log (`/api/operation`), filtered and paged
//! like the other listings, each in the shape of the vendor's example.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::list::MAX_LIMIT;
use super::{ehpc_error, json_response, param, signed_get};
use crate::state::Shared;

/// Pages `items` by the request's `offset`, `limit` and `reverse`; `Err` is the 1100 message.
pub(crate) fn page(
    params: &[(String, String)],
    mut items: Vec<Value>,
) -> Result<(usize, Vec<Value>), String> {
    let number = |key: &str, default: u64| -> Result<u64, String> {
        param(params, key).map_or(Ok(default), |text| {
            text.parse()
                .map_err(|_| format!("ParameterError, invalid value [{text}] of parameter [{key}]"))
        })
    };
    let offset = usize::try_from(number("offset", 0)?).unwrap_or(usize::MAX);
    let limit = number("limit", 10)?.min(MAX_LIMIT) as usize;
    match param(params, "reverse") {
        None | Some("0") => {}
        Some("1") => items.reverse(),
        Some(other) => {
            return Err(format!(
                "ParameterError, invalid value [{other}] of parameter [reverse]"
            ));
        }
    }
    let total = items.len();
    Ok((total, items.into_iter().skip(offset).take(limit).collect()))
}

/// A listing for the sandbox's own cluster: the signature, the cluster, then `build`.
async fn listing(
    shared: &Shared,
    request: Request,
    action: &str,
    cluster_required: bool,
    build: impl FnOnce(&[(String, String)]) -> Result<Value, String>,
) -> Response {
    let params = match signed_get(shared, request, action).await {
        Ok((_, params)) => params,
        Err(answer) => return answer,
    };
    match param(&params, "cluster_id") {
        None if cluster_required => {
            return ehpc_error(
                1100,
                "MissingParameter, parameter [cluster_id] should not be empty",
            );
        }
        Some(id) if id != shared.credentials.ehpc_cluster_id => {
            return ehpc_error(2100, &format!("ResourceNotFound, cluster [{id}] not found"));
        }
        _ => {}
    }
    match build(&params) {
        Ok(answer) => json_response(answer.to_string().into_bytes()),
        Err(message) => ehpc_error(1100, &message),
    }
}

pub(crate) async fn users(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let cluster = shared.credentials.ehpc_cluster_id.clone();
    listing(&shared, request, "user", false, |params| {
        let word = param(params, "search_word");
        let user_id = param(params, "user_id");
        let items = crate::jobs::users()
            .enumerate()
            .filter(|(_, (name, _))| word.is_none_or(|w| name.contains(w)))
            .filter(|(_, (name, _))| user_id.is_none_or(|id| id == *name))
            .map(|(i, (name, home))| {
                json!({"cluster_id": cluster, "create_time": "2024-03-01T08:05:00Z",
                       "gid_number": (41522 + i).to_string(), "hpcuser_id": format!("hpcuser-sbx{i:05}"),
                       "mod": null, "nas_mount_point": home, "role": if i == 0 { "admin" } else { "member" },
                       "uid_number": (41522 + i).to_string(), "update_time": "2024-03-01T08:05:00Z",
                       "user_id": name, "username": name})
            })
            .collect();
        let (total, page) = page(params, items)?;
        // The example's spelling of the list.
        Ok(json!({"action": "HpcUserListUsersResponse", "ret_code": 0, "total_count": total, "users_set": page}))
    })
    .await
}

pub(crate) async fn ehpc_queues(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let cluster = shared.credentials.ehpc_cluster_id.clone();
    listing(&shared, request, "queue/ehpc/getQueueList", true, |params| {
        let word = param(params, "search_word").or(param(params, "name"));
        let wanted: Vec<&str> = params
            .iter()
            .filter(|(k, v)| k == "queue_ids" && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect();
        let items = crate::jobs::queues()
            .enumerate()
            .filter(|(_, (name, ..))| word.is_none_or(|w| name.contains(w)))
            .filter(|(_, (_, id, ..))| wanted.is_empty() || wanted.contains(id))
            .map(|(i, (name, id, scheduler, _))| {
                json!({"cluster_id": cluster, "console_id": "qingcloud", "create_time": "2024-03-01T08:00:00Z",
                       "default_queue": i32::from(i == 0), "hpcqueue_id": id, "name": name,
                       "node_info": [{"status": "active", "server_id": i + 1, "name": format!("node-{}", i + 1), "hpcqueue_id": id}],
                       "nodelist": [i + 1], "partition_name": scheduler,
                       "spec_detail": {"cpu_num": 64, "mem_size": 256, "gpu_num": 0, "name": name},
                       "transition_status": "", "update_time": "2024-03-01T08:00:00Z", "user_group": "",
                       "user_id": crate::scheduler::OWNER})
            })
            .collect();
        let (total, page) = page(params, items)?;
        Ok(json!({"action": "HpcQueueGetEhpcQueueListResponse", "hpc_queue_set": page, "ret_code": 0, "total_count": total}))
    })
    .await
}

pub(crate) async fn current_queues(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Response {
    listing(&shared, request, "queue/getCurrentQueue", false, |params| {
        let belong = param(params, "belong").unwrap_or("-1");
        let items = crate::jobs::queues()
            .map(|(name, id, scheduler, category)| {
                let private = category == "dedicated_queue";
                json!({"belong": i32::from(private), "categories": if private { "private_queue" } else { "share_queue" },
                       "cluster_id": null, "create_time": "2024-03-01T08:00:00Z", "duration": 0, "hpcqueue_id": id,
                       "is_auto_renewal": 0, "is_bind": 0, "name": name, "paid_type": "PayForUsed", "price": 0,
                       "rent_end_time": null, "rent_start_time": null, "scheduler_queue_name": scheduler,
                       "spec_detail": {"cpu_num": 64, "gpu_num": 0, "mem_size": 256, "node_num": 4, "name": name}})
            })
            .filter(|queue| belong == "-1" || queue["belong"].as_i64().map(|b| b.to_string()).as_deref() == Some(belong))
            .collect();
        let (total, page) = page(params, items)?;
        Ok(json!({"action": "HpcQueueGetCurrentQueueResponse", "queues_set": page, "ret_code": 0, "total_count": total}))
    })
    .await
}

pub(crate) async fn operations(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let recorded = shared.scheduler.operations();
    listing(&shared, request, "operation", false, |params| {
        let field = |entry: &Value, key: &str| entry[key].as_str().unwrap_or_default().to_owned();
        let items = recorded
            .into_iter()
            .filter(|op| param(params, "jobs").is_none_or(|id| field(op, "job_id") == id))
            .filter(|op| param(params, "status").is_none_or(|s| field(op, "status") == s))
            .filter(|op| param(params, "job_action").is_none_or(|a| field(op, "job_action") == a))
            .filter(|op| {
                param(params, "resource_ids")
                    .is_none_or(|r| field(op, "resource_ids").split(' ').any(|id| id == r))
            })
            .collect();
        let (total, page) = page(params, items)?;
        Ok(json!({"action": "HpcOperationListOperationResponse", "data": {}, "job_set": page, "ret_code": 0, "total_count": total}))
    })
    .await
}
