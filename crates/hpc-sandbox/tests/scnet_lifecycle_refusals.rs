//! What the SCNet job calls refuse, and the faults around them: every refusal is the
//! error envelope (HTTP 200, non-zero `code`, `data: null`) and changes nothing.

mod common;

use std::time::Duration;

use common::scnet::{HOME, Region, eventually, job, region};
use hpc_sandbox::{Fault, Sandbox};
use serde_json::{Value, json};

fn fast() -> hpc_sandbox::SandboxBuilder {
    Sandbox::builder()
        .speed(1000.0)
        .pending_time(Duration::ZERO)
        .scnet_realtime_retention(Duration::from_secs(86_400))
}

/// How many jobs the first scheduler's realtime list shows.
async fn listed(region: &Region) -> Value {
    let answer = region
        .client
        .list_jobs()
        .str_cluster_id_list(region.scheduler.clone());
    answer
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap()
        .total
        .unwrap()
}

fn assert_refused(answer: &Value, code: &str) {
    assert_eq!(answer["code"], code, "{answer}");
    assert_eq!(answer["data"], Value::Null, "{answer}");
}

#[tokio::test]
async fn submits_are_checked_as_sbatch_and_the_service_do() {
    let region = region(fast()).await;
    let mut both_procs = job("x", "echo");
    both_procs.gap_ppn = Some("1".into());
    let mut both_nodes = job("x", "echo");
    both_nodes.gap_node_string = Some("debugn001".into());
    let mut queue = job("x", "echo");
    queue.gap_queue = "gpu".into();
    let mut wall = job("x", "echo");
    wall.gap_wall_time = "10 minutes".into();
    for (info, needle) in [
        (both_procs, "mutually exclusive"),
        (both_nodes, "mutually exclusive"),
        (queue, "sbatch: error: invalid partition specified: gpu"),
        (wall, "sbatch: error: Invalid --time specification"),
    ] {
        let answer = region.submit(info).await;
        assert_eq!(answer.code.as_str(), "815007");
        assert!(
            answer.msg.as_deref().unwrap().contains(needle),
            "{answer:?}"
        );
        assert!(answer.data.is_none());
    }
    let mut nameless = job("x", "echo");
    nameless.gap_job_name = String::new();
    assert_eq!(region.submit(nameless).await.code.as_str(), "10003");
    let mut relative = job("x", "echo");
    relative.gap_work_dir = "work/x".into();
    assert_eq!(region.submit(relative).await.code.as_str(), "10004");
    let mut escaping = job("x", "echo");
    escaping.gap_std_out_file = Some(format!("{HOME}/../../../etc/%j"));
    assert_eq!(region.submit(escaping).await.code.as_str(), "10004");

    let info = |value: Value| {
        json!({"strJobManagerID": region.scheduler, "mapAppJobInfo": {
            "GAP_CMD_FILE": "echo", "GAP_JOB_NAME": "raw", "GAP_QUEUE": "comp",
            "GAP_WORK_DIR": HOME, "GAP_NPROC": value}})
    };
    // The vendor says every value is a string: a number is refused.
    assert_refused(
        &region.submit_raw(info(json!(2)).to_string()).await,
        "10004",
    );
    assert_refused(&region.submit_raw("{not json".into()).await, "10003");
    let body = json!({"strJobManagerID": region.scheduler});
    assert_refused(&region.submit_raw(body.to_string()).await, "10003");
    let mut unknown = info(json!("2"));
    unknown["strJobManagerID"] = json!("42");
    assert_refused(&region.submit_raw(unknown.to_string()).await, "10004");
    assert_eq!(
        listed(&region).await,
        json!(0),
        "no refused submit made a job"
    );
    // The scheduler id may come as a number, as the vendor types it.
    let mut numeric = info(json!("2"));
    numeric["strJobManagerID"] = json!(region.scheduler.parse::<u64>().unwrap());
    let answer = region.submit_raw(numeric.to_string()).await;
    assert_eq!(answer["code"], "0", "{answer}");
    assert!(answer["data"].is_string());
    assert_eq!(listed(&region).await, json!(1));
}

#[tokio::test]
async fn queue_and_list_calls_check_user_and_scheduler() {
    let region = region(fast()).await;
    let queues = |user: &str, id: &str| {
        let call = region
            .client
            .list_queues()
            .username(user.to_owned())
            .str_job_manager_id(id.to_owned());
        async move { call.send().await.unwrap().into_inner() }
    };
    assert_eq!(
        queues("sandbox-user", &region.scheduler)
            .await
            .code
            .as_str(),
        "10009"
    );
    assert_eq!(queues("acsandbox", "1").await.code.as_str(), "10004");
    let get = |path: &str| {
        let request = reqwest::Client::new()
            .get(format!("{}{path}", region.sandbox.scnet_hpc_url()))
            .header("token", &region.token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_refused(
        &get("/hpc/openapi/v2/queuenames/users/acsandbox").await,
        "10003",
    );
    assert_refused(
        &get("/hpc/openapi/v2/userquotas/queues?strJobManagerID=9").await,
        "10004",
    );
    assert_refused(&get("/hpc/openapi/v2/jobs").await, "10003");
    assert_refused(
        &get("/hpc/openapi/v2/jobs?strClusterIDList=9").await,
        "10004",
    );
    let window = "startTime=2024-01-01+00:00:00&endTime=2024-01-02+00:00:00&timeType=CUSTOM&start=0&limit=10";
    let history = format!(
        "/hpc/openapi/v2/historyjobs?strClusterNameList={}&{window}",
        region.scheduler
    );
    assert_refused(&get(&history).await, "10003");
    let answer = get(&format!("{history}&isQueryByQueueTime=false")).await;
    assert_eq!(answer["data"]["total"], 0, "{answer}");
    let other_form = history.replace("2024-01-01+00:00:00", "2024/01/01");
    assert_refused(
        &get(&format!("{other_form}&isQueryByQueueTime=false")).await,
        "10004",
    );
    let detail = "/hpc/openapi/v2/historyjobs/9/1?acctTime=2024-01-01T00:00:00";
    assert_refused(&get(detail).await, "10004");
    // A platform token is not a region token.
    let (platform, _) = common::login(&region.sandbox).await;
    let answer = reqwest::Client::new()
        .get(format!(
            "{}/hpc/openapi/v2/jobs?strClusterIDList={}",
            region.sandbox.scnet_hpc_url(),
            region.scheduler
        ))
        .header("token", platform)
        .send()
        .await
        .unwrap();
    assert_refused(&answer.json::<Value>().await.unwrap(), "10009");
}

#[tokio::test]
async fn a_cancel_needs_a_live_job_and_takes_only_the_live_ones() {
    let region = region(fast()).await;
    let done = region.submit_ok(job("done", "echo done")).await;
    eventually("ended", || async {
        (region.history(Some(&done)).await.total == Some(json!(1))).then_some(())
    })
    .await;
    let answer = region.cancel(&[region.entry(&done)]).await;
    assert_eq!(answer.code.as_str(), "10004");
    assert_eq!(answer.msg.as_deref(), Some("作业不存在或已结束"));
    assert!(answer.data.is_none());
    let unknown = region.cancel(&[region.entry("999")]).await;
    assert_eq!(unknown.code.as_str(), "10004");

    let live = region.submit_ok(job("live", "sleep 100000")).await;
    let batch = [region.entry(&done), region.entry(&live), String::new()];
    let answer = region.cancel(&batch).await;
    assert_eq!(answer.code.as_str(), "0", "{answer:?}");
    let message = answer.data.unwrap()[&region.scheduler].clone().unwrap();
    assert!(message.starts_with(&format!(
        "jobManagerId : {}, delete the jobs [",
        region.scheduler
    )));
    assert!(
        message.contains(&format!("sandbox:{live}:")) && !message.contains(&done),
        "{message}"
    );
    assert_eq!(
        region.realtime(&live).await.unwrap().reason.as_deref(),
        Some("Cancelled")
    );
    assert_eq!(
        region.realtime(&done).await.unwrap().reason.as_deref(),
        Some("None")
    );
    assert_eq!(
        region.cancel(&[region.entry(&live)]).await.code.as_str(),
        "10004"
    );

    let another = region.submit_ok(job("another", "sleep 100000")).await;
    let other_user = format!("{},sandbox-user:{another}:", region.scheduler);
    assert_eq!(region.cancel(&[other_user]).await.code.as_str(), "10009");
    let malformed = format!("{},acsandbox:{another}", region.scheduler);
    assert_eq!(region.cancel(&[malformed]).await.code.as_str(), "10004");
    let form = |body: String| {
        let request = reqwest::Client::new()
            .delete(format!(
                "{}/hpc/openapi/v2/jobs",
                region.sandbox.scnet_hpc_url()
            ))
            .header("token", &region.token)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let entry = region
        .entry(&another)
        .replace(',', "%2C")
        .replace(':', "%3A");
    assert_refused(
        &form(format!("jobMethod=4&strJobInfoMap={entry}")).await,
        "10004",
    );
    assert_refused(&form(format!("strJobInfoMap={entry}")).await, "10003");
    assert_refused(&form("jobMethod=5".into()).await, "10003");
    assert_eq!(
        region
            .realtime(&another)
            .await
            .unwrap()
            .job_status
            .as_deref(),
        Some("statR")
    );
    assert_eq!(
        form(format!("jobMethod=5&strJobInfoMap={entry}%3B")).await["code"],
        "0"
    );
}

#[tokio::test]
async fn faults_after_handling_leave_the_job_behind() {
    let region = region(Sandbox::builder()).await;
    region
        .sandbox
        .inject(Fault::scnet_code_after_handling("/apptemplates/", "815005"));
    let answer = region.submit(job("maybe", "sleep 10")).await;
    assert_eq!(answer.code.as_str(), "815005");
    assert_eq!(answer.msg.as_deref(), Some("作业提交失败(调度系统没返回)"));
    assert!(answer.data.is_none());
    let by_name = |name: &str| {
        let call = region
            .client
            .list_jobs()
            .str_cluster_id_list(region.scheduler.clone())
            .str_job_name(name.to_owned());
        async move {
            call.send()
                .await
                .unwrap()
                .into_inner()
                .data
                .unwrap()
                .list
                .unwrap()
        }
    };
    let found = by_name("maybe").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].job_status.as_deref(), Some("statQ"));

    region
        .sandbox
        .inject(Fault::drop_after_handling("/apptemplates/"));
    let dropped = region
        .client
        .submit_job()
        .apptype("BASIC")
        .appname("BASE")
        .body(scnet_client::types::SubmitJobRequest {
            map_app_job_info: job("dropped", "sleep 10"),
            str_job_manager_id: region.scheduler.clone().into(),
        })
        .send()
        .await;
    assert!(dropped.is_err());
    assert_eq!(by_name("dropped").await.len(), 1);
    region
        .sandbox
        .inject(Fault::status_after_handling("/apptemplates/", 503));
    let answer = reqwest::Client::new()
        .post(format!("{}/hpc/openapi/v2/apptemplates/BASIC/BASE/job", region.sandbox.scnet_hpc_url()))
        .header("token", &region.token)
        .json(&json!({"strJobManagerID": region.scheduler, "mapAppJobInfo": {
            "GAP_CMD_FILE": "sleep 10", "GAP_JOB_NAME": "busy", "GAP_QUEUE": "comp", "GAP_WORK_DIR": HOME}}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 503);
    assert_eq!(by_name("busy").await.len(), 1);
    assert_eq!(
        region
            .sandbox
            .request_count("/hpc/openapi/v2/apptemplates/"),
        3
    );
    assert_eq!(region.sandbox.faults_served(), 3);

    // The control endpoint takes the new fault as JSON.
    let queued: Value = reqwest::Client::new()
        .post(format!(
            "{}/_sandbox/faults",
            region.sandbox.scnet_hpc_url()
        ))
        .body(
            r#"{"path": "/apptemplates/", "fault": "scnet_code_after_handling", "code": "815005"}"#,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queued["queued"], 1);
    assert_eq!(
        region.submit(job("again", "sleep 10")).await.code.as_str(),
        "815005"
    );
    assert_eq!(by_name("again").await.len(), 1);
}

#[tokio::test]
async fn file_reads_stay_inside_the_cluster() {
    let region = region(fast()).await;
    let files = region.sandbox.files();
    files
        .write(&format!("{HOME}/in.txt"), b"one\ntwo\nthree")
        .unwrap();
    let (code, page) = region.read(&format!("{HOME}/in.txt"), 1, false).await;
    assert_eq!(code, "0");
    let page = page.unwrap();
    assert_eq!(page.data.as_deref(), Some("one\ntwo\nthree"));
    assert_eq!(page.all_line_total, Some(json!(3)));
    let missing = region.read(&format!("{HOME}/none.txt"), 1, true).await;
    assert_eq!((missing.0.as_str(), missing.1), ("911020", None));
    for path in [
        format!("{HOME}/../../../etc/passwd"),
        "in.txt".to_owned(),
        HOME.to_owned(),
    ] {
        assert_eq!(region.read(&path, 1, true).await.0, "10004", "{path}");
    }
    assert!(files.write("/public/../../escape", b"x").is_err());
    let post = |body: String| {
        let request = reqwest::Client::new()
            .post(format!(
                "{}/hpc/openapi/v2/file/content",
                region.sandbox.scnet_hpc_url()
            ))
            .header("token", &region.token)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let path = "dirPath=%2Fpublic%2Fhome%2Facsandbox%2Fin.txt";
    let no_host = post(format!("{path}&triggerNum=1&rollDirection=UP")).await;
    assert_refused(&no_host, "10003");
    let bad_page = post(format!("hostName=&{path}&triggerNum=0&rollDirection=UP")).await;
    assert_refused(&bad_page, "10004");
    let bad_way = post(format!("hostName=&{path}&triggerNum=1&rollDirection=LEFT")).await;
    assert_refused(&bad_way, "10004");
    let good = post(format!("hostName=&{path}&triggerNum=1&rollDirection=DOWN")).await;
    assert_eq!(good["data"]["totalTriggerTimes"], 1, "{good}");
}
