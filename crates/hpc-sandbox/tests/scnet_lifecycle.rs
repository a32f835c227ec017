//! The SCNet job lifecycle through the generated client: submit, the realtime list and
//! detail, output files, history, paging, failures, cancels and retention.

mod common;

use std::time::{Duration, Instant};

use common::scnet::{HOME, eventually, job, region};
use hpc_sandbox::Sandbox;
use serde_json::json;

/// A day: long enough that an ended job stays in the realtime list for a whole test.
const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn a_job_goes_from_the_queue_to_history_with_its_output() {
    // 1000 times faster: the pending 1000 s take 1 s, the `sleep 3000` 3 s.
    let builder = Sandbox::builder()
        .speed(1000.0)
        .pending_time(Duration::from_secs(1000))
        .scnet_realtime_retention(DAY);
    let region = region(builder).await;
    let schedulers = region.client.list_schedulers().send().await.unwrap();
    let schedulers = schedulers.into_inner().data.unwrap();
    assert_eq!(schedulers.len(), 1);
    assert_eq!(
        schedulers[0].id.as_ref().unwrap().as_str(),
        region.scheduler
    );
    assert_eq!(schedulers[0].text.as_deref(), Some("Cluster"));
    let queues = region
        .client
        .list_queues()
        .username("acsandbox")
        .str_job_manager_id(region.scheduler.clone())
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap();
    let names: Vec<_> = queues.iter().map(|q| q.id.clone().unwrap()).collect();
    assert_eq!(names, ["comp", "debug"]);
    assert_eq!(queues[0].que_max_ppn, Some(json!("64")));
    let limits = region
        .client
        .get_queue_limits()
        .str_job_manager_id(region.scheduler.clone())
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap();
    assert_eq!(limits.len(), 2);
    assert_eq!(limits[1].que_max_ppn, Some(json!("64")));

    let id = region
        .submit_ok(job("hello", "sleep 3000; echo hello"))
        .await;
    let queued = region.realtime(&id).await.unwrap();
    assert_eq!(queued.job_status.as_deref(), Some("statQ"));
    assert_eq!(queued.job_name.as_deref(), Some("hello"));
    assert_eq!(queued.proc_num_used, Some(json!(0)));
    let running = eventually("statR", || async {
        let row = region.realtime(&id).await?;
        (row.job_status.as_deref() == Some("statR")).then_some(row)
    })
    .await;
    assert_eq!(running.proc_num_used, Some(json!(2)));
    assert_eq!(running.node_used, Some(json!(1)));
    assert_eq!(running.queue.as_deref(), Some("debug"));
    let detail = region
        .client
        .get_job()
        .job_id(id.clone())
        .send()
        .await
        .unwrap();
    let detail = detail.into_inner().data.unwrap();
    let stdout = format!("{HOME}/hello/std.out.{id}");
    let stderr = format!("{HOME}/hello/std.err.{id}");
    assert_eq!(detail.job_id, Some(json!(id)));
    assert_eq!(detail.job_status.as_deref(), Some("statR"));
    assert_eq!(detail.output_path.as_deref(), Some(stdout.as_str()));
    assert_eq!(detail.error_path.as_deref(), Some(stderr.as_str()));
    assert_eq!(detail.work_dir, Some(format!("{HOME}/hello")));
    assert_eq!(detail.user_name.as_deref(), Some("acsandbox"));
    assert_eq!(
        (detail.proc_num_req, detail.node_num_req),
        (Some(json!(2)), Some(json!(1)))
    );
    let submitted = detail.job_submit_time.unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(submitted.as_str().unwrap(), "%Y-%m-%d %H:%M:%S")
            .is_ok(),
        "{submitted}"
    );
    assert!(detail.job_start_time.unwrap().is_string());
    // While it runs, its files exist and are empty.
    let (code, page) = region.read(&stdout, 1, true).await;
    assert_eq!(code, "0");
    let page = page.unwrap();
    assert_eq!(
        (page.data.as_deref(), page.all_line_total),
        (Some(""), Some(json!(0)))
    );

    let ended = eventually("statC", || async {
        let row = region.realtime(&id).await?;
        (row.job_status.as_deref() == Some("statC")).then_some(row)
    })
    .await;
    assert_eq!(ended.reason.as_deref(), Some("None"));
    assert_eq!(ended.exit_code, Some(json!("0")));
    let page = region.read(&stdout, 1, true).await.1.unwrap();
    assert_eq!(page.data.as_deref(), Some("hello\n"));
    assert_eq!(
        (page.all_line_total, page.total_trigger_times),
        (Some(json!(1)), Some(json!(1)))
    );
    assert_eq!(
        region
            .read(&stderr, 1, true)
            .await
            .1
            .unwrap()
            .data
            .as_deref(),
        Some("")
    );
    assert_eq!(region.sandbox.files().len(&stdout).unwrap(), 6);

    let history = region.history(Some(&id)).await;
    assert_eq!(history.total, Some(json!(1)));
    let row = &history.list.unwrap()[0];
    assert_eq!(row.job_state.as_deref(), Some("statC"));
    assert_eq!(
        (row.job_proc_num.clone(), row.nodect.clone()),
        (Some(json!(2)), Some(json!(1)))
    );
    assert!(row.job_walltime_used.as_ref().unwrap().is_number());
    let acct = row.acct_time.clone().unwrap();
    assert_eq!(acct.len(), "2021-11-03T13:56:56".len());
    let history_detail = |acct: Option<String>| {
        let mut call = region
            .client
            .get_history_job()
            .jobmanager_id(region.scheduler.clone())
            .job_id(id.clone());
        if let Some(acct) = acct {
            call = call.acct_time(acct);
        }
        async move { call.send().await.unwrap().into_inner() }
    };
    let found = history_detail(Some(acct.clone())).await.data.unwrap();
    assert_eq!(found.job_state.as_deref(), Some("statC"));
    assert_eq!(found.stdout.as_deref(), Some(stdout.as_str()));
    assert_eq!(found.workdir, Some(format!("{HOME}/hello")));
    assert_eq!(found.job_exit_status, Some(json!(0)));
    assert_eq!(found.walltime, Some(json!(600)));
    assert_eq!(found.acct_time.as_deref(), Some(acct.as_str()));
    // The other documented form of the same second finds it too; another second not.
    assert!(
        history_detail(Some(acct.replace('T', " ")))
            .await
            .data
            .is_some()
    );
    assert!(
        history_detail(Some("2001-01-01 00:00:00".into()))
            .await
            .data
            .is_none()
    );
    assert_eq!(
        region.sandbox.history_scans(),
        0,
        "every call so far sent acctTime"
    );
    assert!(history_detail(None).await.data.is_some());
    assert_eq!(region.sandbox.history_scans(), 1);
    region.history(None).await;
    assert_eq!(region.sandbox.history_scans(), 1, "lists are no scans");
}

#[tokio::test]
async fn seq_2500_reads_in_three_pages_from_either_end() {
    let builder = Sandbox::builder()
        .speed(1e6)
        .pending_time(Duration::ZERO)
        .scnet_realtime_retention(DAY);
    let region = region(builder).await;
    let id = region.submit_ok(job("seq", "seq 2500")).await;
    eventually("history", || async {
        (region.history(Some(&id)).await.total == Some(json!(1))).then_some(())
    })
    .await;
    let out = format!("{HOME}/seq/std.out.{id}");
    let lines = |from: u32, to: u32| (from..=to).map(|n| format!("{n}\n")).collect::<String>();
    let first = region.read(&out, 1, true).await.1.unwrap();
    assert_eq!(first.data, Some(lines(1, 1000)));
    assert_eq!(
        (first.all_line_total, first.total_trigger_times),
        (Some(json!(2500)), Some(json!(3)))
    );
    assert_eq!(
        region.read(&out, 3, true).await.1.unwrap().data,
        Some(lines(2001, 2500))
    );
    assert_eq!(
        region.read(&out, 1, false).await.1.unwrap().data,
        Some(lines(1501, 2500))
    );
    assert_eq!(
        region.read(&out, 3, false).await.1.unwrap().data,
        Some(lines(1, 500))
    );
    let past = region.read(&out, 4, true).await.1.unwrap();
    assert_eq!(past.data.as_deref(), Some(""));
    assert_eq!(
        (past.all_line_total, past.total_trigger_times),
        (Some(json!(2500)), Some(json!(3)))
    );
}

#[tokio::test]
async fn small_pages_and_output_paths_of_their_own() {
    let builder = Sandbox::builder()
        .speed(1e6)
        .pending_time(Duration::ZERO)
        .scnet_realtime_retention(DAY)
        .scnet_file_page_lines(2);
    let region = region(builder).await;
    let mut info = job("own", "echo 'a  b'; echo \"c\" && echo d\necho e");
    info.gap_std_out_file = Some(format!("{HOME}/logs/%j.out"));
    let id = region.submit_ok(info).await;
    let out = format!("{HOME}/logs/{id}.out");
    let detail = region
        .client
        .get_job()
        .job_id(id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        detail.into_inner().data.unwrap().output_path,
        Some(out.clone())
    );
    let page = region.read(&out, 2, true).await.1.unwrap();
    assert_eq!(page.data.as_deref(), Some("d\ne\n"));
    assert_eq!(
        (page.all_line_total, page.total_trigger_times),
        (Some(json!(4)), Some(json!(2)))
    );
    assert_eq!(
        region.read(&out, 1, true).await.1.unwrap().data.as_deref(),
        Some("a  b\nc\n")
    );
}

#[tokio::test]
async fn failed_and_cancelled_jobs_in_both_lists() {
    let builder = Sandbox::builder()
        .speed(1000.0)
        .pending_time(Duration::ZERO)
        .scnet_realtime_retention(DAY);
    let region = region(builder).await;
    let failed = region.submit_ok(job("f", "false")).await;
    let exited = region
        .submit_ok(job("k", "echo before; exit 3; echo after"))
        .await;
    let cancelled = region
        .submit_ok(job("c", "echo started; sleep 100000; echo never"))
        .await;
    eventually("statR", || async {
        let row = region.realtime(&cancelled).await?;
        (row.job_status.as_deref() == Some("statR")).then_some(())
    })
    .await;
    let answer = region.cancel(&[region.entry(&cancelled)]).await;
    assert_eq!(answer.code.as_str(), "0", "{answer:?}");
    let message = answer.data.unwrap()[&region.scheduler].clone().unwrap();
    assert!(
        message.contains(&format!("sandbox:{cancelled}:")),
        "{message}"
    );
    eventually("three ended jobs", || async {
        (region.history(None).await.total == Some(json!(3))).then_some(())
    })
    .await;
    for (id, reason, code, history) in [
        (&failed, "NonZeroExitCode", "1", "statD"),
        (&exited, "NonZeroExitCode", "3", "statD"),
        (&cancelled, "Cancelled", "0", "statDE"),
    ] {
        let row = region.realtime(id).await.unwrap();
        assert_eq!(row.job_status.as_deref(), Some("statC"), "{id}");
        assert_eq!(row.reason.as_deref(), Some(reason), "{id}");
        assert_eq!(row.exit_code, Some(json!(code)), "{id}");
        let rows = region.history(Some(id)).await.list.unwrap();
        assert_eq!(rows[0].job_state.as_deref(), Some(history), "{id}");
    }
    let text = |path: String| {
        let region = &region;
        async move { region.read(&path, 1, true).await.1.unwrap().data.unwrap() }
    };
    assert_eq!(
        text(format!("{HOME}/k/std.err.{exited}")).await,
        "exit status 3\n"
    );
    assert_eq!(text(format!("{HOME}/k/std.out.{exited}")).await, "before\n");
    assert_eq!(
        text(format!("{HOME}/f/std.err.{failed}")).await,
        "exit status 1\n"
    );
    assert_eq!(
        text(format!("{HOME}/c/std.out.{cancelled}")).await,
        "started\n"
    );
    assert_eq!(text(format!("{HOME}/c/std.err.{cancelled}")).await, "");
    // History, newest first unless asked otherwise.
    let ids: Vec<_> = region
        .history(None)
        .await
        .list
        .unwrap()
        .into_iter()
        .map(|r| r.job_id.unwrap())
        .collect();
    assert_eq!(ids, [json!(cancelled), json!(exited), json!(failed)]);
}

#[tokio::test]
async fn an_ended_job_leaves_the_realtime_list_after_the_retention_but_stays_in_history() {
    // 2000 s of retention at 1000 times: two real seconds.
    let builder = Sandbox::builder()
        .speed(1000.0)
        .pending_time(Duration::ZERO)
        .scnet_realtime_retention(Duration::from_secs(2000));
    let region = region(builder).await;
    let before = Instant::now();
    let id = region.submit_ok(job("brief", "echo x")).await;
    let row = region
        .realtime(&id)
        .await
        .expect("just ended: still listed");
    assert_eq!(row.job_status.as_deref(), Some("statC"));
    eventually("gone from realtime", || async {
        region.realtime(&id).await.is_none().then_some(())
    })
    .await;
    assert!(
        before.elapsed() >= Duration::from_secs(2),
        "{:?}",
        before.elapsed()
    );
    let detail = region
        .client
        .get_job()
        .job_id(id.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((detail.code.as_str(), detail.data), ("0", None));
    let history = region.history(Some(&id)).await;
    assert_eq!(history.list.unwrap()[0].job_state.as_deref(), Some("statC"));
}
