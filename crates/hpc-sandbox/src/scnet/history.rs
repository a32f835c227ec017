//! The history calls, `GET /hpc/openapi/v2/historyjobs` and
//! `GET /hpc/openapi/v2/historyjobs/{jobmanagerId}/{jobId}`: every job that has ended,
//! from the moment it ends.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, SubsecRound, Utc};
use scnet_client::types::{
    HistoryJobDetail, HistoryJobDetailResponse, HistoryJobListItem, HistoryJobListResponse,
    HistoryJobPage,
};
use serde_json::{Value, json};

use super::envelope::{SUCCESS, codes, fail, ok_code, scnet_json};
use super::outputs::settle;
use super::view::{
    JobView, Params, clock, iso, number_param, optional, parse_clock, query_params, required,
    scheduler_param,
};
use super::{Rejection, region_claims};
use crate::state::{Counters, Shared};

/// The most jobs one page holds, as in the realtime list.
const MAX_LIMIT: u64 = 1000;

/// The list's window and filters, read and checked.
struct Query {
    scheduler: u64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    by_queue_time: bool,
    ascending: bool,
    start: u64,
    limit: u64,
    filters: [(&'static str, Option<String>); 5],
}

impl Query {
    fn read(shared: &Shared, params: &Params) -> Result<Self, Rejection> {
        const REQUIRED: [&str; 7] = [
            "strClusterNameList",
            "startTime",
            "endTime",
            "timeType",
            "start",
            "limit",
            "isQueryByQueueTime",
        ];
        for key in REQUIRED {
            required(params, key)?;
        }
        let time = |key| {
            required(params, key)
                .map(parse_clock)?
                .ok_or(codes::INVALID)
        };
        if required(params, "timeType")? != "CUSTOM" {
            return Err(codes::INVALID);
        }
        let by_queue_time = match required(params, "isQueryByQueueTime")? {
            "true" => true,
            "false" => false,
            _ => return Err(codes::INVALID),
        };
        let ascending = match optional(params, "sort")
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("DESC") => false,
            Some("ASC") => true,
            Some(_) => return Err(codes::INVALID),
        };
        let text = |key: &'static str| (key, optional(params, key).map(str::to_owned));
        Ok(Self {
            scheduler: scheduler_param(shared, params, "strClusterNameList")?,
            from: time("startTime")?,
            to: time("endTime")?,
            by_queue_time,
            ascending,
            start: number_param(params, "start", 0)?,
            limit: number_param(params, "limit", 25)?.min(MAX_LIMIT),
            filters: [
                text("jobId"),
                text("jobName"),
                text("jobState"),
                text("queue"),
                text("strUser"),
            ],
        })
    }

    fn admit(&self, view: &JobView<'_>) -> bool {
        let Some(ended) = view.acct_time() else {
            return false;
        };
        let at = if self.by_queue_time {
            view.job.submitted.trunc_subsecs(0)
        } else {
            ended
        };
        let request = &view.job.request;
        let value = |key: &str| match key {
            "jobId" => view.id(),
            "jobName" => request.name.clone(),
            "jobState" => view.phase.scnet_history().to_owned(),
            "queue" => request.scheduler_queue.clone().unwrap_or_default(),
            _ => request.run_user.clone(),
        };
        view.details.scheduler_id == self.scheduler
            && self.from <= at
            && at <= self.to
            && self
                .filters
                .iter()
                .all(|(key, wanted)| wanted.as_ref().is_none_or(|w| *w == value(key)))
    }
}

/// A time as the history writes it, `null` when there is none.
fn at(time: Option<DateTime<Utc>>) -> Option<Value> {
    Some(time.map_or(Value::Null, |at| Value::String(clock(at))))
}

/// `GET /hpc/openapi/v2/historyjobs`: by job id, newest first unless `sort=ASC`
/// (`orderBy` is read as `jobId` whatever it says).
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    let query = match query_params(query.as_deref()).and_then(|p| Query::read(&shared, &p)) {
        Ok(query) => query,
        Err(error) => return fail(error),
    };
    settle(&shared);
    let jobs = shared.scnet_scheduler.snapshot();
    let mut matching: Vec<JobView<'_>> = jobs
        .iter()
        .filter_map(|job| JobView::new(&shared, job))
        .filter(|view| query.admit(view))
        .collect();
    if !query.ascending {
        matching.reverse();
    }
    let page = matching
        .iter()
        .skip(usize::try_from(query.start).unwrap_or(usize::MAX))
        .take(usize::try_from(query.limit).unwrap_or(usize::MAX))
        .map(|view| HistoryJobListItem {
            job_id: Some(Value::String(view.id())),
            job_name: Some(view.job.request.name.clone()),
            job_state: Some(view.phase.scnet_history().to_owned()),
            queue: view.job.request.scheduler_queue.clone(),
            job_proc_num: Some(json!(view.job.request.cores)),
            nodect: Some(json!(view.details.nodes)),
            job_start_time: at(view.started),
            job_end_time: at(view.ended),
            job_walltime_used: Some(json!(view.run_seconds(Utc::now()))),
            acct_time: view.acct_time().map(iso),
        })
        .collect();
    scnet_json(&HistoryJobListResponse {
        code: ok_code(),
        data: Some(HistoryJobPage {
            total: Some(json!(matching.len())),
            list: Some(page),
        }),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// `GET /hpc/openapi/v2/historyjobs/{jobmanagerId}/{jobId}?acctTime=...`: an ended job,
/// or `data: null` for one unknown, still live, or whose end is not `acctTime`.
pub(crate) async fn detail(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::DENIED) {
        return fail(error);
    }
    let Ok(Path((scheduler, job_id))) = path else {
        return fail(codes::INVALID);
    };
    let params = match query_params(query.as_deref()) {
        Ok(params) => params,
        Err(error) => return fail(error),
    };
    let Some(scheduler) = shared.scnet.scheduler(&scheduler) else {
        return fail(codes::INVALID);
    };
    let acct_time = match optional(&params, "acctTime") {
        None => {
            // The real server scans every record without it; tests count these.
            Counters::bump(&shared.counters.history_scans);
            None
        }
        Some(text) => match parse_clock(text) {
            Some(at) => Some(at),
            None => return fail(codes::INVALID),
        },
    };
    settle(&shared);
    let job = job_id
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|id| shared.scnet_scheduler.get_by_id(id));
    let detail = job.as_ref().and_then(|job| {
        let view = JobView::new(&shared, job)?;
        let ended = view.acct_time()?;
        if view.details.scheduler_id != scheduler || acct_time.is_some_and(|at| at != ended) {
            return None;
        }
        Some(detail_of(&shared, &view, ended))
    });
    scnet_json(&HistoryJobDetailResponse {
        code: ok_code(),
        data: detail,
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

fn detail_of(shared: &Shared, view: &JobView<'_>, ended: DateTime<Utc>) -> HistoryJobDetail {
    let request = &view.job.request;
    let index = shared
        .scnet
        .scheduler_ids
        .iter()
        .position(|id| *id == view.details.scheduler_id)
        .unwrap_or(0);
    let wait = view.started.unwrap_or(ended) - view.job.submitted;
    let seconds = |n: i64| Some(json!(n.max(0)));
    HistoryJobDetail {
        acct_time: Some(iso(ended)),
        app_type: Some(view.details.app.clone()),
        job_id: Some(view.id()),
        jobmanager_id: Some(json!(view.details.scheduler_id)),
        jobmanager_name: Some(super::hpc::scheduler_name(index)),
        user_name: Some(request.run_user.clone()),
        group_name: Some(request.run_user.clone()),
        owner: Some(request.run_user.clone()),
        job_name: Some(request.name.clone()),
        queue: request.scheduler_queue.clone(),
        job_state: Some(view.phase.scnet_history().to_owned()),
        job_exit_status: Some(json!(view.exit_code().unwrap_or(0))),
        workdir: Some(view.details.work_dir.clone()),
        stdout: Some(view.stdout()),
        stderr: Some(view.stderr()),
        job_queue_time: at(Some(view.job.submitted)),
        job_start_time: at(view.started),
        job_end_time: at(view.ended),
        job_wait_time: seconds(wait.num_seconds()),
        job_walltime_used: seconds(view.run_seconds(ended)),
        walltime: Some(request.time_limit.map_or(Value::Null, |limit| json!(limit))),
        nodect: Some(json!(view.details.nodes)),
        need_nodes: Some(json!(view.details.nodes)),
        job_proc_num: Some(json!(request.cores)),
        job_req_cpu: Some(json!(request.cores)),
        job_req_gpu: Some(json!(0)),
        job_gpu_num: Some(json!(0)),
        is_singlejob: Some(json!(true)),
        job_ext_attr: Some(Value::Object(view.details.raw.clone())),
        ..HistoryJobDetail::default()
    }
}
