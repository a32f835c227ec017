//! The realtime calls, `GET /hpc/openapi/v2/jobs` and `GET /hpc/openapi/v2/jobs/{id}`:
//! jobs queued or running, and those that ended less than the retention ago.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;
use scnet_client::types::{JobDetail, JobDetailResponse, JobListItem, JobListResponse, JobPage};
use serde_json::{Value, json};

use super::envelope::{SUCCESS, codes, fail, ok_code, scnet_json};
use super::outputs::settle;
use super::view::{JobView, Params, clock, hms, number_param, optional, query_params, required};
use super::{Rejection, region_claims};
use crate::state::Shared;

/// The most jobs one page holds, whatever `limit` asks (scnet-cli's cap).
const MAX_LIMIT: u64 = 1000;

/// The list's filters, read and checked.
struct Filters {
    schedulers: Vec<u64>,
    owner: Option<String>,
    name: Option<String>,
    id: Option<String>,
    queue: Option<String>,
    status: Option<String>,
    start: u64,
    limit: u64,
}

impl Filters {
    fn read(shared: &Shared, params: &Params) -> Result<Self, Rejection> {
        // One id in every example despite the name; a comma-separated list works too.
        let schedulers = required(params, "strClusterIDList")?
            .split(',')
            .map(|id| shared.scnet.scheduler(id).ok_or(codes::INVALID))
            .collect::<Result<Vec<_>, _>>()?;
        let text = |key: &str| optional(params, key).map(str::to_owned);
        Ok(Self {
            schedulers,
            owner: text("strJobOwner"),
            name: text("strJobName"),
            id: text("strJobId"),
            queue: text("strQueueName"),
            status: text("strJobStat"),
            start: number_param(params, "start", 0)?,
            limit: number_param(params, "limit", 25)?.min(MAX_LIMIT),
        })
    }

    fn admit(&self, view: &JobView<'_>) -> bool {
        let request = &view.job.request;
        let same =
            |filter: &Option<String>, value: &str| filter.as_deref().is_none_or(|f| f == value);
        self.schedulers.contains(&view.details.scheduler_id)
            && same(&self.owner, &request.run_user)
            && same(&self.name, &request.name)
            && same(&self.id, &view.id())
            && same(
                &self.queue,
                request.scheduler_queue.as_deref().unwrap_or_default(),
            )
            && same(&self.status, view.phase.scnet_realtime())
    }
}

/// `GET /hpc/openapi/v2/jobs`: oldest job first.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    let filters = match query_params(query.as_deref()).and_then(|p| Filters::read(&shared, &p)) {
        Ok(filters) => filters,
        Err(error) => return fail(error),
    };
    settle(&shared);
    let now = Utc::now();
    let jobs = shared.scnet_scheduler.snapshot();
    let matching: Vec<JobView<'_>> = jobs
        .iter()
        .filter_map(|job| JobView::new(&shared, job))
        .filter(|view| view.in_realtime(&shared, now) && filters.admit(view))
        .collect();
    let page = matching
        .iter()
        .skip(usize::try_from(filters.start).unwrap_or(usize::MAX))
        .take(usize::try_from(filters.limit).unwrap_or(usize::MAX))
        .map(|view| JobListItem {
            job_id: Some(Value::String(view.id())),
            job_name: Some(view.job.request.name.clone()),
            job_status: Some(view.phase.scnet_realtime().to_owned()),
            queue: view.job.request.scheduler_queue.clone(),
            proc_num_used: Some(json!(view.procs_used())),
            node_used: Some(json!(view.nodes_used())),
            job_start_time: Some(
                view.started
                    .map_or(Value::Null, |at| Value::String(clock(at))),
            ),
            job_run_time: Some(Value::String(hms(view.run_seconds(now)))),
            reason: Some(view.reason().to_owned()),
            exit_code: view.exit_code().map(|code| Value::String(code.to_string())),
        })
        .collect();
    scnet_json(&JobListResponse {
        code: ok_code(),
        data: Some(JobPage {
            total: Some(json!(matching.len())),
            list: Some(page),
            ..JobPage::default()
        }),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// `GET /hpc/openapi/v2/jobs/{jobId}`: a job no longer (or never) in the realtime list
/// answers success with `data: null`, one of the behaviours public clients report.
pub(crate) async fn detail(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    let Ok(Path(job_id)) = path else {
        return fail(codes::INVALID);
    };
    settle(&shared);
    let now = Utc::now();
    let job = job_id
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|id| shared.scnet_scheduler.get_by_id(id));
    let detail = job.as_ref().and_then(|job| {
        let view = JobView::new(&shared, job).filter(|view| view.in_realtime(&shared, now))?;
        let request = &view.job.request;
        let at = |time: Option<chrono::DateTime<Utc>>| {
            Some(time.map_or(Value::Null, |at| Value::String(clock(at))))
        };
        Some(JobDetail {
            app_type: Some(view.details.app.clone()),
            job_id: Some(Value::String(view.id())),
            job_name: Some(request.name.clone()),
            job_status: Some(view.phase.scnet_realtime().to_owned()),
            reason: Some(view.reason().to_owned()),
            exit_code: Some(
                view.exit_code()
                    .map_or(Value::Null, |c| Value::String(c.to_string())),
            ),
            queue: request.scheduler_queue.clone(),
            user: Some(request.run_user.clone()),
            user_name: Some(request.run_user.clone()),
            work_dir: Some(view.details.work_dir.clone()),
            workdir: Some(view.details.work_dir.clone()),
            output_path: Some(view.stdout()),
            error_path: Some(view.stderr()),
            proc_num_req: Some(json!(request.cores)),
            node_num_req: Some(json!(view.details.nodes)),
            proc_num_used: Some(json!(view.procs_used())),
            node_used: Some(json!(view.nodes_used())),
            gpu_num_req: Some(json!(0)),
            dcu_num_req: Some(json!(0)),
            dcu_num_used: Some(json!(0)),
            job_submit_time: at(Some(view.job.submitted)),
            job_queue_time: at(Some(view.job.submitted)),
            job_start_time: at(view.started),
            job_run_time: Some(Value::String(hms(view.run_seconds(now)))),
            ..JobDetail::default()
        })
    });
    scnet_json(&JobDetailResponse {
        code: ok_code(),
        data: detail,
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}
