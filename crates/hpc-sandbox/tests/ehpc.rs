//! The EHPC server: signature checks, errors, filters, sorting and paging.

mod common;

use common::{list, list_url, params, signed_query};
use ehpc_client::types::{HpcJob, JobListResponse};
use hpc_sandbox::Sandbox;

async fn sandbox(jobs: usize) -> Sandbox {
    Sandbox::builder().jobs(jobs).seed(7).start().await.unwrap()
}

async fn get(url: String) -> JobListResponse {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

fn ids(answer: &JobListResponse) -> Vec<i64> {
    jobs(answer).iter().map(|j| j.job_id.unwrap().0).collect()
}

fn jobs(answer: &JobListResponse) -> &[HpcJob] {
    answer.hpc_job_set.as_deref().unwrap_or_default()
}

fn total(answer: &JobListResponse) -> i64 {
    answer.total_count.unwrap().0
}

#[tokio::test]
async fn correctly_signed_request_is_answered() {
    let sandbox = sandbox(250).await;
    let answer = list(&sandbox, &[]).await;
    assert_eq!(answer.ret_code.0, 0, "{answer:?}");
    assert_eq!(answer.action.as_deref(), Some("HpcJobListJobsResponse"));
    assert_eq!(total(&answer), 250);
    assert_eq!(jobs(&answer).len(), 10, "default limit is 10");
    // A value needing encoding (space, plus, Chinese) is signed as the notes say.
    let answer = list(&sandbox, &[("search_word", "作业 +x")]).await;
    assert_eq!(answer.ret_code.0, 0, "{answer:?}");
}

#[tokio::test]
async fn bad_or_missing_signature_or_unknown_key_gets_1200() {
    let sandbox = sandbox(20).await;
    let c = sandbox.credentials();
    let wrong_secret = signed_query("/api/job/list", &params(&sandbox, &[]), "not-the-secret");
    let answer = get(format!(
        "{}/api/job/list?{wrong_secret}",
        sandbox.ehpc_url()
    ))
    .await;
    assert_eq!(answer.ret_code.0, 1200);
    assert!(answer.message.is_some());

    let url = list_url(&sandbox, &[]);
    let unsigned = url.split("&signature=").next().unwrap().to_owned();
    assert_eq!(get(unsigned.clone()).await.ret_code.0, 1200);

    // Encoded once instead of twice.
    let once = url.replace("%25", "%");
    assert_eq!(get(once).await.ret_code.0, 1200);

    // Tampered after signing.
    let tampered = url.replace("version=1", "version=1&limit=50");
    assert_eq!(get(tampered).await.ret_code.0, 1200);

    let other_key = signed_query(
        "/api/job/list",
        &params(&sandbox, &[("access_key_id", "QYUNKNOWNKEY")]),
        &c.ehpc_secret_access_key,
    );
    let answer = get(format!("{}/api/job/list?{other_key}", sandbox.ehpc_url())).await;
    assert_eq!(answer.ret_code.0, 1200);
}

#[tokio::test]
async fn old_or_future_timestamp_gets_1300() {
    let sandbox = sandbox(20).await;
    for offset in [-120, 120] {
        let stamp = common::timestamp(offset);
        let answer = list(&sandbox, &[("timestamp", &stamp)]).await;
        assert_eq!(answer.ret_code.0, 1300, "{offset}: {answer:?}");
    }
    let recent = common::timestamp(-30);
    assert_eq!(
        list(&sandbox, &[("timestamp", &recent)]).await.ret_code.0,
        0
    );
}

#[tokio::test]
async fn missing_parameter_gets_1100_naming_it() {
    let sandbox = sandbox(20).await;
    let secret = sandbox.credentials().ehpc_secret_access_key.clone();
    for missing in [
        "zone",
        "cluster_id",
        "timestamp",
        "access_key_id",
        "signature_method",
        "version",
    ] {
        let mut p = params(&sandbox, &[]);
        p.retain(|(k, _)| k != missing);
        let query = signed_query("/api/job/list", &p, &secret);
        let answer = get(format!("{}/api/job/list?{query}", sandbox.ehpc_url())).await;
        assert_eq!(answer.ret_code.0, 1100, "{missing}");
        assert!(answer.message.unwrap().contains(missing));
    }
    let answer = list(&sandbox, &[("limit", "many")]).await;
    assert_eq!(answer.ret_code.0, 1100);
    let answer = list(&sandbox, &[("sort_key", "colour")]).await;
    assert_eq!(answer.ret_code.0, 1100);
}

#[tokio::test]
async fn unknown_cluster_gets_2100() {
    let sandbox = sandbox(20).await;
    let answer = list(&sandbox, &[("cluster_id", "ehpc-nosuch")]).await;
    assert_eq!(answer.ret_code.0, 2100);
    assert!(answer.message.unwrap().contains("ehpc-nosuch"));
}

#[tokio::test]
async fn filters_apply_and_total_count_is_the_filtered_total() {
    let sandbox = sandbox(250).await;
    let all = list(&sandbox, &[("limit", "100"), ("offset", "0")]).await;
    let mut everything = jobs(&all).to_vec();
    for offset in [100, 200] {
        let page = list(
            &sandbox,
            &[("limit", "100"), ("offset", &offset.to_string())],
        )
        .await;
        everything.extend_from_slice(jobs(&page));
    }
    assert_eq!(everything.len(), 250);

    for status in [
        "finished",
        "running",
        "pending",
        "exited",
        "cancelled",
        "stopped",
    ] {
        let expected = everything
            .iter()
            .filter(|j| j.job_status.as_deref() == Some(status))
            .count();
        assert!(expected > 0, "seed 7 has {status} jobs");
        for name in ["jobs_status", "job_status"] {
            let answer = list(&sandbox, &[(name, status), ("limit", "100")]).await;
            assert_eq!(total(&answer) as usize, expected, "{name}={status}");
            assert!(
                jobs(&answer)
                    .iter()
                    .all(|j| j.job_status.as_deref() == Some(status))
            );
        }
    }
    let queue = everything[0].queue_name.clone().unwrap();
    let answer = list(&sandbox, &[("queue_name", &queue), ("limit", "100")]).await;
    let expected = everything
        .iter()
        .filter(|j| j.queue_name.as_deref() == Some(&queue))
        .count();
    assert_eq!(total(&answer) as usize, expected);

    let user = everything[0].run_user.clone().unwrap();
    let answer = list(
        &sandbox,
        &[("run_user", &user), ("jobs_status", "finished")],
    )
    .await;
    let expected = everything
        .iter()
        .filter(|j| {
            j.run_user.as_deref() == Some(&user) && j.job_status.as_deref() == Some("finished")
        })
        .count();
    assert_eq!(total(&answer) as usize, expected);

    let name = everything[3].job_name.clone().unwrap();
    let answer = list(&sandbox, &[("search_word", &name)]).await;
    assert_eq!(total(&answer), 1);
    assert_eq!(jobs(&answer)[0].job_name.as_deref(), Some(name.as_str()));
    let answer = list(&sandbox, &[("search_word", "mpirun")]).await;
    let expected = everything
        .iter()
        .filter(|j| j.cmd_line.as_deref().unwrap().contains("mpirun"))
        .count();
    assert_eq!(total(&answer) as usize, expected);

    let answer = list(&sandbox, &[("queue_name", "no-such-queue")]).await;
    assert_eq!(
        (answer.ret_code.0, total(&answer), jobs(&answer).len()),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn sorting_paging_and_the_limit_clamp() {
    let sandbox = sandbox(250).await;
    let first = list(&sandbox, &[("limit", "5")]).await;
    assert_eq!(ids(&first), (19001..19006).collect::<Vec<_>>());
    let reversed = list(&sandbox, &[("limit", "5"), ("reverse", "1")]).await;
    assert_eq!(ids(&reversed), (19246..19251).rev().collect::<Vec<_>>());
    let by_time = list(
        &sandbox,
        &[
            ("limit", "5"),
            ("sort_key", "submitted_time"),
            ("reverse", "1"),
        ],
    )
    .await;
    assert_eq!(ids(&by_time), ids(&reversed));

    let clamped = list(&sandbox, &[("limit", "500")]).await;
    assert_eq!(jobs(&clamped).len(), 100);
    assert_eq!(total(&clamped), 250);
    let tail = list(&sandbox, &[("limit", "100"), ("offset", "200")]).await;
    assert_eq!(ids(&tail), (19201..19251).collect::<Vec<_>>());
    let past = list(&sandbox, &[("offset", "900")]).await;
    assert_eq!((total(&past), jobs(&past).len()), (250, 0));

    let by_user = list(&sandbox, &[("limit", "100"), ("sort_key", "run_user")]).await;
    let users: Vec<String> = jobs(&by_user)
        .iter()
        .map(|j| j.run_user.clone().unwrap())
        .collect();
    assert!(users.windows(2).all(|w| w[0] <= w[1]));
    let by_cores = list(
        &sandbox,
        &[
            ("limit", "100"),
            ("sort_key", "core_limit"),
            ("reverse", "1"),
        ],
    )
    .await;
    let cores: Vec<i64> = jobs(&by_cores)
        .iter()
        .map(|j| j.core_limit.unwrap().0)
        .collect();
    assert!(cores.windows(2).all(|w| w[0] >= w[1]));

    // Paging a filtered listing visits each match once.
    let mut seen = Vec::new();
    let total_running = total(&list(&sandbox, &[("jobs_status", "finished")]).await);
    for offset in (0..total_running).step_by(7) {
        let page = list(
            &sandbox,
            &[
                ("jobs_status", "finished"),
                ("limit", "7"),
                ("offset", &offset.to_string()),
            ],
        )
        .await;
        seen.extend(ids(&page));
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(
        (seen.len() as i64, unique.len()),
        (total_running, seen.len())
    );
}

#[tokio::test]
async fn jobs_look_like_the_documented_example() {
    let sandbox = sandbox(250).await;
    let url = list_url(&sandbox, &[("limit", "100"), ("offset", "150")]);
    let raw: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let set = raw["hpc_job_set"].as_array().unwrap();
    for job in set {
        assert_eq!(job.as_object().unwrap().len(), 22, "{job}");
        assert!(job["job_name"].as_str().unwrap().starts_with("作业-"));
        assert!(job["hpcjob_uuid"].as_str().unwrap().starts_with("hpcjob-"));
        let category = job["categories"].as_str().unwrap();
        assert!(category == "share_queue" || category == "dedicated_queue");
    }
    assert!(set.iter().any(|j| j["mem_limit"].is_null()));
}

#[tokio::test]
async fn same_seed_same_jobs_other_seed_other_jobs() {
    let a = Sandbox::builder().jobs(50).seed(7).start().await.unwrap();
    let b = Sandbox::builder().jobs(50).seed(7).start().await.unwrap();
    let c = Sandbox::builder().jobs(50).seed(8).start().await.unwrap();
    let page = |s| async move { list(s, &[("limit", "50")]).await.hpc_job_set.unwrap() };
    assert_eq!(page(&a).await, page(&b).await);
    assert_ne!(page(&a).await, page(&c).await);
}

#[tokio::test]
async fn a_hundred_thousand_jobs_are_fine() {
    let started = std::time::Instant::now();
    let sandbox = sandbox(100_000).await;
    assert!(started.elapsed().as_secs() < 10);
    let answer = list(&sandbox, &[("limit", "100"), ("offset", "99950")]).await;
    assert_eq!(total(&answer), 100_000);
    assert_eq!(ids(&answer), (118_951..119_001).collect::<Vec<_>>());
    let answer = list(&sandbox, &[("limit", "100"), ("sort_key", "job_name")]).await;
    assert_eq!(jobs(&answer).len(), 100);
}

#[tokio::test]
async fn wrong_method_and_unknown_route() {
    let sandbox = sandbox(10).await;
    let answer: JobListResponse = reqwest::Client::new()
        .post(list_url(&sandbox, &[]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer.ret_code.0, 1101);
    let response = reqwest::get(format!("{}/api/nothing", sandbox.ehpc_url()))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}
