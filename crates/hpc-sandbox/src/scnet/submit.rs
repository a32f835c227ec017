//! `POST /hpc/openapi/v2/apptemplates/{apptype}/{appname}/job`: a JSON body whose
//! `mapAppJobInfo` holds only strings, checked as the real service and sbatch do, then
//! queued on the region's simulated scheduler.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use scnet_client::types::SubmitJobResponse;
use serde_json::Value;

use super::envelope::{SUCCESS, codes, fail, ok_code, scnet_error, scnet_json};
use super::{Rejection, queues, region_claims};
use crate::scheduler::{JobRequest, ScnetDetails};
use crate::script::Script;
use crate::state::Shared;

/// The largest body read; a submit is a few hundred bytes.
const BODY_LIMIT: usize = 1 << 20;

/// The `GAP_*` keys a submit cannot do without (10003 when missing or empty).
const REQUIRED: [&str; 4] = ["GAP_CMD_FILE", "GAP_JOB_NAME", "GAP_QUEUE", "GAP_WORK_DIR"];

/// The answer to a submit.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Response {
    if let Err(error) = region_claims(&shared, request.headers(), codes::DENIED) {
        return fail(error);
    }
    let Ok(Path((_apptype, appname))) = path else {
        return fail(codes::INVALID);
    };
    let Ok(body) = axum::body::to_bytes(request.into_body(), BODY_LIMIT).await else {
        return fail(codes::INVALID);
    };
    let request = match job_request(&shared, &appname, &body) {
        Ok(request) => request,
        Err(Refused::Code(rejection)) => return fail(rejection),
        Err(Refused::Sbatch(msg)) => return scnet_error(codes::SBATCH, &msg),
    };
    let script = Script::parse(&request.cmd_line);
    let job =
        shared
            .scnet_scheduler
            .submit_scripted(request, script.run_time(), script.exit_code());
    scnet_json(&SubmitJobResponse {
        code: ok_code(),
        data: Some(Value::String(job.job_id.to_string())),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// Why a submit is refused.
enum Refused {
    /// One of the service's own codes.
    Code(Rejection),
    /// sbatch's refusal (815007), its text in `msg` as public clients report.
    Sbatch(String),
}

impl From<Rejection> for Refused {
    fn from(rejection: Rejection) -> Self {
        Refused::Code(rejection)
    }
}

fn sbatch(msg: &str) -> Refused {
    Refused::Sbatch(msg.to_owned())
}

/// The job a body asks for, or why not.
fn job_request(shared: &Shared, appname: &str, body: &[u8]) -> Result<JobRequest, Refused> {
    let body: Value = serde_json::from_slice(body).map_err(|_| codes::MISSING)?;
    let info = body
        .get("mapAppJobInfo")
        .filter(|info| !info.is_null())
        .ok_or(codes::MISSING)?;
    let info = info.as_object().ok_or(codes::INVALID)?;
    // The vendor types every value a string, numbers too; anything else is refused so
    // that a client sending `1` for `"1"` finds out here, not on the real service.
    if info.values().any(|value| !value.is_string()) {
        return Err(codes::INVALID.into());
    }
    let scheduler_id = match body.get("strJobManagerID") {
        None | Some(Value::Null) => return Err(codes::MISSING.into()),
        Some(Value::String(id)) => shared.scnet.scheduler(id),
        Some(Value::Number(id)) => id
            .as_u64()
            .and_then(|id| shared.scnet.scheduler(&id.to_string())),
        Some(_) => None,
    }
    .ok_or(codes::INVALID)?;
    let get = |key: &str| {
        info.get(key)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty())
    };
    if REQUIRED.iter().any(|key| get(key).is_none()) {
        return Err(codes::MISSING.into());
    }
    let queue = get("GAP_QUEUE").unwrap_or_default();
    if !queues::known(queue) {
        return Err(sbatch(&format!(
            "sbatch: error: invalid partition specified: {queue}"
        )));
    }
    if get("GAP_NPROC").is_some() && get("GAP_PPN").is_some() {
        return Err(sbatch(
            "sbatch: error: --ntasks (GAP_NPROC) and --ntasks-per-node (GAP_PPN) are mutually exclusive",
        ));
    }
    if get("GAP_NNODE").is_some() && get("GAP_NODE_STRING").is_some() {
        return Err(sbatch(
            "sbatch: error: --nodes (GAP_NNODE) and --nodelist (GAP_NODE_STRING) are mutually exclusive",
        ));
    }
    let count = |key: &str| -> Result<Option<i64>, Refused> {
        get(key)
            .map(|text| {
                text.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| {
                        sbatch(&format!(
                            "sbatch: error: Invalid numeric value \"{text}\" for {key}"
                        ))
                    })
            })
            .transpose()
    };
    let nodes = match get("GAP_NODE_STRING") {
        Some(list) => list
            .split(',')
            .filter(|n| !n.trim().is_empty())
            .count()
            .max(1) as i64,
        None => count("GAP_NNODE")?.unwrap_or(1),
    };
    let cores = match (count("GAP_NPROC")?, count("GAP_PPN")?) {
        (Some(total), _) => total,
        (None, Some(per_node)) => per_node.saturating_mul(nodes),
        (None, None) => 1,
    };
    let time_limit = match get("GAP_WALL_TIME") {
        Some(text) => Some(
            wall_seconds(text)
                .ok_or_else(|| sbatch("sbatch: error: Invalid --time specification"))?,
        ),
        None => None,
    };
    let work_dir = get("GAP_WORK_DIR").unwrap_or_default();
    // Cluster paths must be absolute and stay inside the cluster; `%j` is checked as a
    // job id would stand there.
    let paths = [
        Some(work_dir),
        get("GAP_STD_OUT_FILE"),
        get("GAP_STD_ERR_FILE"),
    ];
    if paths
        .iter()
        .flatten()
        .any(|path| shared.files.host_path(&path.replace("%j", "1")).is_err())
    {
        return Err(codes::INVALID.into());
    }
    Ok(JobRequest {
        name: get("GAP_JOB_NAME").unwrap_or_default().to_owned(),
        cmd_line: get("GAP_CMD_FILE").unwrap_or_default().to_owned(),
        run_user: shared.credentials.scnet_cluster_user.clone(),
        cores,
        scheduler_queue: Some(queue.to_owned()),
        time_limit,
        stdout: get("GAP_STD_OUT_FILE").map(str::to_owned),
        stderr: get("GAP_STD_ERR_FILE").map(str::to_owned),
        scnet: Some(Box::new(ScnetDetails {
            scheduler_id,
            nodes,
            work_dir: work_dir.to_owned(),
            app: get("GAP_APPNAME").unwrap_or(appname).to_owned(),
            raw: info.clone(),
        })),
        ..JobRequest::default()
    })
}

/// `HH:MM:SS` as seconds: any number of hours, minutes and seconds below 60.
fn wall_seconds(text: &str) -> Option<i64> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let field = |part: &str, width: Option<usize>| {
        let ok = !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && width.is_none_or(|w| part.len() == w);
        ok.then(|| part.parse::<i64>().ok()).flatten()
    };
    let (h, m, s) = (field(h, None)?, field(m, Some(2))?, field(s, Some(2))?);
    (m < 60 && s < 60).then(|| h.saturating_mul(3600) + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_times_are_hh_mm_ss() {
        assert_eq!(wall_seconds("24:00:00"), Some(86_400));
        assert_eq!(wall_seconds("0:01:30"), Some(90));
        assert_eq!(wall_seconds("168:00:00"), Some(604_800));
        for bad in [
            "1:00",
            "01:60:00",
            "01:00:60",
            "a:00:00",
            "01:0:00",
            "1:00:00:00",
            "",
        ] {
            assert_eq!(wall_seconds(bad), None, "{bad:?}");
        }
    }
}
