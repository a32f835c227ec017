//! `DELETE /hpc/openapi/v2/jobs` with a form body: SCNet's one call to cancel (and
//! delete) jobs, in a batch.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use scnet_client::types::CancelJobsResponse;

use super::envelope::{SUCCESS, codes, fail, ok_code, scnet_json};
use super::view::{form_params, required};
use super::{Rejection, region_claims};
use crate::state::Shared;

/// The largest body read; a batch of a thousand jobs fits many times over.
const BODY_LIMIT: usize = 1 << 20;

/// One entry of `strJobInfoMap`: `{schedulerId},{clusterUser}:{jobId}:`.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    scheduler_id: u64,
    job_id: String,
}

/// The entries of `strJobInfoMap`, joined by `;` with an optional trailing one: 10004
/// for a malformed entry or an unknown scheduler, 10009 for a user other than the
/// cluster user.
fn entries(shared: &Shared, map: &str) -> Result<Vec<Entry>, Rejection> {
    let map = map.strip_suffix(';').unwrap_or(map);
    map.split(';')
        .map(|entry| {
            let (scheduler, rest) = entry.split_once(',').ok_or(codes::INVALID)?;
            let (user, job_id) = rest
                .strip_suffix(':')
                .and_then(|rest| rest.split_once(':'))
                .filter(|(user, job)| !user.is_empty() && !job.is_empty() && !job.contains(':'))
                .ok_or(codes::INVALID)?;
            let scheduler_id = shared.scnet.scheduler(scheduler).ok_or(codes::INVALID)?;
            if user != shared.credentials.scnet_cluster_user {
                return Err(codes::DENIED);
            }
            Ok(Entry {
                scheduler_id,
                job_id: job_id.to_owned(),
            })
        })
        .collect()
}

/// Cancels the batch's jobs that are still queued or running. At least one must be:
/// a batch of ended or unknown jobs changes nothing and answers 10004.
pub(crate) async fn cancel(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if let Err(error) = region_claims(&shared, request.headers(), codes::DENIED) {
        return fail(error);
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), BODY_LIMIT).await else {
        return fail(codes::INVALID);
    };
    let entries = match form_params(&body).and_then(|params| {
        if required(&params, "jobMethod")? != "5" {
            return Err(codes::INVALID);
        }
        entries(&shared, required(&params, "strJobInfoMap")?)
    }) {
        Ok(entries) => entries,
        Err(error) => return fail(error),
    };
    // A job named with a scheduler that does not run it is as unknown as a missing one.
    let named: Vec<u32> = entries
        .iter()
        .filter_map(|entry| {
            let id = entry.job_id.parse::<u32>().ok()?;
            let job = shared.scnet_scheduler.get_by_id(id)?;
            let runs_it = job.request.scnet.as_ref()?.scheduler_id == entry.scheduler_id;
            runs_it.then_some(id)
        })
        .collect();
    let cancelled = shared.scnet_scheduler.cancel(&named);
    if cancelled.is_empty() {
        return fail(codes::NOT_LIVE);
    }
    let mut by_scheduler: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for entry in &entries {
        if let Ok(id) = entry.job_id.parse::<u32>()
            && cancelled.contains(&id)
        {
            let ids = by_scheduler.entry(entry.scheduler_id).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let ids: Vec<String> = cancelled.iter().map(u32::to_string).collect();
    let task = format!("scnet-cancel-{}", ids.join("-"));
    shared
        .scnet_scheduler
        .record_operation(&task, "ScnetDeleteJobs", "删除作业", &ids);
    let data = by_scheduler
        .into_iter()
        .map(|(scheduler, ids)| {
            let jobs: Vec<String> = ids.iter().map(|id| format!("sandbox:{id}:")).collect();
            let message = format!(
                "jobManagerId : {scheduler}, delete the jobs [{}] successfully!",
                jobs.join(";")
            );
            (scheduler.to_string(), Some(message))
        })
        .collect();
    scnet_json(&CancelJobsResponse {
        code: ok_code(),
        data: Some(data),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_syntax() {
        let shared = crate::state::tests::shared();
        let id = shared.scnet.scheduler_ids[0];
        let parsed = entries(&shared, &format!("{id},acsandbox:7:;{id},acsandbox:8:;")).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[1].job_id, "8");
        assert_eq!(
            entries(&shared, &format!("{id},acsandbox:7:"))
                .unwrap()
                .len(),
            1
        );
        for bad in [
            format!("{id},acsandbox:7"),
            format!("{id}acsandbox:7:"),
            format!("{id},acsandbox::"),
            format!("{id},acsandbox:7:;;{id},acsandbox:8:"),
            format!("{id},acsandbox:7:8:"),
            "1,acsandbox:7:".to_owned(),
            String::new(),
        ] {
            assert_eq!(entries(&shared, &bad), Err(codes::INVALID), "{bad:?}");
        }
        assert_eq!(
            entries(&shared, &format!("{id},bob:7:")),
            Err(codes::DENIED)
        );
    }
}
