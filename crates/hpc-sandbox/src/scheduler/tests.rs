use super::*;

fn request(cmd: &str) -> JobRequest {
    JobRequest {
        name: "t".into(),
        cmd_line: cmd.into(),
        ..JobRequest::default()
    }
}

#[test]
fn commands_choose_how_long_a_job_runs_and_how_it_ends() {
    assert_eq!(leading_sleep("sleep 30"), Duration::from_secs(30));
    assert_eq!(leading_sleep("sleep 0.5; echo"), Duration::from_millis(500));
    assert_eq!(leading_sleep("echo sleep 3"), Duration::ZERO);
    assert_eq!(exit_code("false"), 1);
    assert_eq!(exit_code("sleep 1; exit 3"), 3);
    assert_eq!(exit_code("echo hello"), 0);
}

#[test]
fn a_job_is_pending_then_running_then_finished_or_failed() {
    // 10,000 times faster: a `sleep 100` takes 10 ms, the pending second 0.1 ms.
    let scheduler = Scheduler::new(10_000.0, Duration::from_secs(1), 1);
    let ok = scheduler.submit(request("sleep 100"));
    let failed = scheduler.submit(request("sleep 100; exit 2"));
    assert_ne!(
        scheduler.get(&ok.uuid).unwrap().phase(10_000.0),
        Phase::Finished
    );
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(
        scheduler.get(&ok.uuid).unwrap().phase(10_000.0),
        Phase::Finished
    );
    assert_eq!(
        scheduler.get(&failed.uuid).unwrap().phase(10_000.0),
        Phase::Failed
    );
    assert_eq!(
        scheduler
            .stop(std::slice::from_ref(&ok.uuid))
            .unwrap_err()
            .0,
        1400
    );
    scheduler.delete(std::slice::from_ref(&ok.uuid)).unwrap();
    assert!(scheduler.get(&ok.uuid).is_none());
    assert_eq!(scheduler.delete(&[ok.uuid]).unwrap_err().0, 2100);
}

#[test]
fn a_deleted_job_s_id_is_never_given_again() {
    let scheduler = Scheduler::new(1.0, Duration::from_secs(60), 1);
    let a = scheduler.submit(request("sleep 1"));
    let b = scheduler.submit(request("sleep 1"));
    scheduler.delete(std::slice::from_ref(&a.uuid)).unwrap();
    let c = scheduler.submit(request("sleep 1"));
    assert_ne!(c.uuid, b.uuid);
    assert_ne!(c.job_id, b.job_id);
}

#[test]
fn a_stopped_job_stays_stopped() {
    let scheduler = Scheduler::new(1.0, Duration::from_secs(60), 1);
    let job = scheduler.submit(request("sleep 1"));
    scheduler.stop(std::slice::from_ref(&job.uuid)).unwrap();
    let job = scheduler.get(&job.uuid).unwrap();
    assert_eq!(job.phase(1.0), Phase::Stopped);
    assert!(job.times(1.0).1.is_some());
}

#[test]
fn cancel_takes_the_live_jobs_and_leaves_the_rest() {
    let scheduler = Scheduler::new(1.0, Duration::ZERO, 40);
    let done = scheduler.submit_scripted(request("echo"), Duration::ZERO, 0);
    let live = scheduler.submit_scripted(request("sleep 60"), Duration::from_secs(60), 0);
    assert_eq!(
        scheduler.cancel(&[done.job_id, live.job_id, 999]),
        vec![live.job_id]
    );
    let live = scheduler.get_by_id(live.job_id).unwrap();
    assert_eq!(live.phase(1.0), Phase::Stopped);
    assert!(matches!(live.stopped_into_run(), Some(Some(_))));
    // A second cancel finds nothing live.
    assert!(scheduler.cancel(&[live.job_id]).is_empty());
    assert_eq!(
        scheduler.get_by_id(done.job_id).unwrap().phase(1.0),
        Phase::Finished
    );
}

#[test]
fn a_job_cancelled_while_pending_never_started() {
    let scheduler = Scheduler::new(1.0, Duration::from_secs(60), 1);
    let job = scheduler.submit_scripted(request("echo"), Duration::ZERO, 0);
    scheduler.cancel(&[job.job_id]);
    let job = scheduler.get_by_id(job.job_id).unwrap();
    assert_eq!(job.stopped_into_run(), Some(None));
    assert_eq!(job.times(1.0).0, None);
}

#[test]
fn scripted_exit_codes_decide_failure_and_scnet_codes() {
    let scheduler = Scheduler::new(1.0, Duration::ZERO, 1);
    let failed = scheduler.submit_scripted(request("x"), Duration::ZERO, 3);
    let failed = scheduler.get_by_id(failed.job_id).unwrap();
    assert_eq!(failed.phase(1.0), Phase::Failed);
    assert_eq!(failed.exit_code(), 3);
    let codes = |p: Phase| (p.scnet_realtime(), p.scnet_history());
    assert_eq!(codes(Phase::Pending), ("statQ", "statQ"));
    assert_eq!(codes(Phase::Running), ("statR", "statR"));
    assert_eq!(codes(Phase::Finished), ("statC", "statC"));
    assert_eq!(codes(Phase::Failed), ("statC", "statD"));
    assert_eq!(codes(Phase::Stopped), ("statC", "statDE"));
}
