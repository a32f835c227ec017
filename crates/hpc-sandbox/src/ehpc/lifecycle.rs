//! `submitJob`, `jobdetail`, `stopJobs`, `deleteJobs`: signed POSTs whose body bytes
//! are part of the signature, over the simulated scheduler.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::Method;
use axum::response::Response;
use serde_json::{Value, json};

use super::{authenticate, ehpc_error, json_response, param, parse_query, signed_get};
use crate::scheduler::{JobRequest, SimJob};
use crate::state::Shared;

/// The checks of a signed POST: the method, the query (common parameters and
/// `timestamp` only), the body's JSON, the signature over its bytes, the zone and the
/// cluster it names. The body's fields, or the error answer.
async fn signed_post(shared: &Shared, request: Request, action: &str) -> Result<Value, Response> {
    let (parts, body) = request.into_parts();
    if parts.method != Method::POST {
        return Err(ehpc_error(
            1101,
            &format!("MethodNotAllowed, {action} takes POST"),
        ));
    }
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return Err(ehpc_error(1100, "ParameterError, request body too large"));
    };
    let params = parse_query(&parts).map_err(|(code, message)| ehpc_error(code, &message))?;
    let fields: Value = serde_json::from_slice(&body)
        .map_err(|e| ehpc_error(1100, &format!("ParameterError, the body is not JSON: {e}")))?;
    let zone = fields
        .get("zone")
        .and_then(Value::as_str)
        .unwrap_or_default();
    authenticate(shared, "POST", parts.uri.path(), &params, &body, Some(zone))
        .map_err(|(code, message)| ehpc_error(code, &message))?;
    let cluster = fields.get("cluster_id").and_then(Value::as_str);
    match cluster {
        None | Some("") => Err(ehpc_error(
            1100,
            "MissingParameter, parameter [cluster_id] should not be empty",
        )),
        Some(id) if id != shared.credentials.ehpc_cluster_id => Err(ehpc_error(
            2100,
            &format!("ResourceNotFound, cluster [{id}] not found"),
        )),
        Some(_) => Ok(fields),
    }
}

fn text(fields: &Value, key: &str) -> Option<String> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn number(fields: &Value, key: &str) -> Option<i64> {
    fields.get(key).and_then(Value::as_i64)
}

pub(crate) async fn submit(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let fields = match signed_post(&shared, request, "job/submitJob").await {
        Ok(fields) => fields,
        Err(answer) => return answer,
    };
    let required = ["name", "cmd_line", "run_user"];
    if let Some(missing) = required.iter().find(|key| text(&fields, key).is_none()) {
        return ehpc_error(
            1100,
            &format!("MissingParameter, parameter [{missing}] should not be empty"),
        );
    }
    let cores = number(&fields, "core_limit").unwrap_or(1);
    if cores < 1 {
        return ehpc_error(
            1100,
            "ParameterError, parameter [core_limit] must be at least 1",
        );
    }
    let job = shared.scheduler.submit(JobRequest {
        name: text(&fields, "name").unwrap_or_default(),
        cmd_line: text(&fields, "cmd_line").unwrap_or_default(),
        run_user: text(&fields, "run_user").unwrap_or_default(),
        cores,
        queue_id: text(&fields, "hpcqueue_id"),
        scheduler_queue: text(&fields, "scheduler_queue_name"),
        mem_limit: number(&fields, "mem_limit"),
        time_limit: number(&fields, "time_limit"),
        stdout: text(&fields, "stdout_redirect_path"),
        stderr: text(&fields, "stderr_redirect_path"),
        input_file: text(&fields, "input_file"),
        priority: number(&fields, "priority"),
        scnet: None,
    });
    let phase = job.phase(shared.scheduler.speed);
    // `job_id` as a string, as the vendor's table types it.
    json_response(
        json!({"action": "HpcJobSubmitJobResponse", "hpcjob_uuid": job.uuid,
               "job_id": job.job_id.to_string(), "job_status": phase.ehpc(), "ret_code": 0})
        .to_string()
        .into_bytes(),
    )
}

pub(crate) async fn detail(
    State(shared): State<Arc<Shared>>,
    Path(uuid): Path<String>,
    request: Request,
) -> Response {
    let params = match signed_get(&shared, request, "job/jobdetail").await {
        Ok((_, params)) => params,
        Err(answer) => return answer,
    };
    if let Some(id) = param(&params, "cluster_id")
        && id != shared.credentials.ehpc_cluster_id
    {
        return ehpc_error(2100, &format!("ResourceNotFound, cluster [{id}] not found"));
    }
    let Some(job) = shared.scheduler.get(&uuid) else {
        return ehpc_error(2100, &format!("ResourceNotFound, job [{uuid}] not found"));
    };
    let detail = detail_json(&shared, &job);
    json_response(
        json!({"action": "HpcJobGetJobDetailResponse", "hpc_job_set": [detail], "ret_code": 0})
            .to_string()
            .into_bytes(),
    )
}

pub(crate) async fn stop(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    change(&shared, request, "job/stopJobs").await
}

pub(crate) async fn delete(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    change(&shared, request, "job/deleteJobs").await
}

async fn change(shared: &Shared, request: Request, action: &str) -> Response {
    let fields = match signed_post(shared, request, action).await {
        Ok(fields) => fields,
        Err(answer) => return answer,
    };
    let uuids: Vec<String> = match fields.get("job_ids").and_then(Value::as_array) {
        Some(ids) if !ids.is_empty() => ids
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => {
            return ehpc_error(
                1100,
                "MissingParameter, parameter [job_ids] should not be empty",
            );
        }
    };
    let stopping = action == "job/stopJobs";
    let outcome = if stopping {
        shared.scheduler.stop(&uuids)
    } else {
        shared.scheduler.delete(&uuids)
    };
    if let Err((code, message)) = outcome {
        return ehpc_error(code, &message);
    }
    let answer = if stopping {
        let task = format!(
            "j-{:011x}",
            crate::rng::unpredictable_u64() & 0xfff_ffff_ffff
        );
        shared
            .scheduler
            .record_operation(&task, "HpcJobStopJobs", "停止作业", &uuids);
        json!({"action": "HpcJobStopJobsResponse", "job_uuid": task, "ret_code": 0})
    } else {
        json!({"action": "HpcJobDeleteJobsResponse", "ret_code": 0})
    };
    json_response(answer.to_string().into_bytes())
}

fn time(at: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    at.map_or(Value::Null, |at| {
        Value::String(at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    })
}

/// The working directory of a run user, as the seeded jobs have it.
fn exec_cwd(run_user: &str) -> String {
    format!("/public/shanhe/{run_user}")
}

/// A submitted job as `job/list` shows it.
pub(crate) fn list_json(shared: &Shared, job: &SimJob) -> Value {
    let speed = shared.scheduler.speed;
    let (started, _) = job.times(speed);
    let request = &job.request;
    json!({
        "categories": "share_queue",
        "cmd_line": request.cmd_line,
        "core_limit": request.cores,
        "exec_cwd": exec_cwd(&request.run_user),
        "hpcjob_uuid": job.uuid,
        "hpcqueue_id": request.queue_id,
        "hpq_name": request.scheduler_queue,
        "job_id": job.job_id,
        "job_name": request.name,
        "job_node_list": if started.is_some() { "node-1" } else { "" },
        "job_priority": request.priority.unwrap_or(1),
        "job_status": job.phase(speed).ehpc(),
        "mem_limit": request.mem_limit.map(|mb| format!("{mb}M")),
        "modified_time": time(Some(chrono::Utc::now())),
        "name": request.scheduler_queue,
        "queue_name": request.scheduler_queue,
        "run_user": request.run_user,
        "scheduler_queue_name": request.scheduler_queue,
        "started_time": time(started),
        "stderr_redirect_path": request.stderr.clone().unwrap_or_else(|| format!("HPC-{}.err", job.job_id)),
        "stdout_redirect_path": request.stdout.clone().unwrap_or_else(|| format!("HPC-{}.out", job.job_id)),
        "submitted_time": time(Some(job.submitted)),
    })
}

/// A submitted job as `job/jobdetail` shows it: every documented field, consistent with
/// the listing.
fn detail_json(shared: &Shared, job: &SimJob) -> Value {
    let speed = shared.scheduler.speed;
    let phase = job.phase(speed);
    let (started, ended) = job.times(speed);
    let run_time = match (started, ended) {
        (Some(s), Some(e)) => (e - s).num_seconds(),
        (Some(s), None) => (chrono::Utc::now() - s).num_seconds(),
        _ => 0,
    };
    let mut detail = list_json(shared, job);
    let owner = crate::scheduler::OWNER;
    let extra = json!({
        "cluster_id": shared.credentials.ehpc_cluster_id,
        "cluster_type": "ehpc",
        "cmd_line_type": "input",
        "console_id": "qingcloud",
        "controller": "self",
        "end_status": if phase.is_final() { Value::from(if phase == crate::scheduler::Phase::Finished { "0" } else { "1" }) } else { Value::Null },
        "end_time": time(ended),
        "host_name": if started.is_some() { "node-1" } else { "" },
        "input_file": job.request.input_file.clone().unwrap_or_default(),
        "is_delete": 0,
        "mem_limit": job.request.mem_limit,
        "output_dir": exec_cwd(&job.request.run_user),
        "owner": owner,
        "queue_type": "share_queue",
        "reason": if phase == crate::scheduler::Phase::Pending { "Resources" } else { "" },
        "resource_limit": "",
        "resources": "{}",
        "root_user_id": owner,
        "run_time": run_time.max(0).to_string(),
        "scheduler_jobid": job.job_id.to_string(),
        "slots_num": job.request.cores.to_string(),
        "software_list": "",
        "stderr_redirect_path_type": "select",
        "stdout_redirect_path_type": "select",
        "submit_type": 1,
        "sw_param": "",
        "time_limit": job.request.time_limit,
        "user_id": owner,
    });
    if let (Some(detail), Some(extra)) = (detail.as_object_mut(), extra.as_object()) {
        detail.extend(extra.clone());
    }
    detail
}

/// Whether a submitted job passes `job/list`'s filters.
pub(crate) fn matches(
    shared: &Shared,
    job: &SimJob,
    statuses: &[String],
    queue: Option<&str>,
    run_user: Option<&str>,
    word: Option<&str>,
) -> bool {
    let status = job.phase(shared.scheduler.speed).ehpc();
    // The filter's documented values name a stopped job `cancelled`.
    statuses
        .iter()
        .all(|s| s == status || (s == "cancelled" && status == "stopped"))
        && queue.is_none_or(|q| job.request.scheduler_queue.as_deref() == Some(q))
        && run_user.is_none_or(|u| job.request.run_user == u)
        && word.is_none_or(|w| job.request.name.contains(w) || job.request.cmd_line.contains(w))
}
