//! The facade against the sandbox, end to end: real signature checks, paging over 250
//! jobs, login, discovery, token refresh ahead of expiry and after the server refuses.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::TestClock;
use futures::TryStreamExt;
use hpc_sandbox::Sandbox;
use hpc_sdk::{EhpcCode, ErrorCode, Job, JobStatus};

fn ehpc(sandbox: &Sandbox) -> hpc_sdk::ehpc::Client {
    let c = sandbox.credentials();
    hpc_sdk::ehpc::Client::builder()
        .endpoint(sandbox.ehpc_url())
        .zone(&c.ehpc_zone)
        .cluster_id(&c.ehpc_cluster_id)
        .credentials(&c.ehpc_access_key_id, &c.ehpc_secret_access_key)
        .build()
        .unwrap()
}

fn scnet(sandbox: &Sandbox) -> hpc_sdk::scnet::ClientBuilder {
    let c = sandbox.credentials();
    hpc_sdk::scnet::Client::builder()
        .api_url(sandbox.scnet_api_url())
        .portal_url(sandbox.scnet_portal_url())
        .access_key(&c.scnet_user, &c.scnet_access_key, &c.scnet_secret_key)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn paging_over_250_signed_jobs_with_filters() {
    let sandbox = Sandbox::builder().jobs(250).seed(3).start().await.unwrap();
    let client = ehpc(&sandbox);
    let jobs: Vec<_> = client.jobs().list().items().try_collect().await.unwrap();
    assert_eq!(jobs.len(), 250);
    let ids: HashSet<i64> = jobs.iter().map(|j| j.job_id.unwrap().0).collect();
    assert_eq!(ids.len(), 250, "no job twice");
    assert_eq!(sandbox.request_count("/api/job/list"), 3);

    let running: Vec<_> = client
        .jobs()
        .list()
        .status("running")
        .page_size(10)
        .prefetch(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(!running.is_empty());
    assert!(
        running
            .iter()
            .all(|j| Job::from(j.clone()).status == JobStatus::Running)
    );
    let expected = jobs
        .iter()
        .filter(|j| j.job_status.as_deref() == Some("running"))
        .count();
    assert_eq!(running.len(), expected, "the filter held on every page");
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_sandbox() {
    let sandbox = Sandbox::builder().jobs(5).start().await.unwrap();
    let c = sandbox.credentials();
    let client = hpc_sdk::ehpc::Client::builder()
        .endpoint(sandbox.ehpc_url())
        .zone(&c.ehpc_zone)
        .credentials(&c.ehpc_access_key_id, "wrong")
        .build()
        .unwrap();
    let err = client
        .jobs()
        .list()
        .cluster_id(&c.ehpc_cluster_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::Ehpc(EhpcCode::AuthFailed)));
}

#[tokio::test]
async fn login_discovery_and_every_scnet_call() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let c = sandbox.credentials().clone();
    let client = scnet(&sandbox).build().unwrap();
    let walltime = client.usage().walltime().send().await.unwrap();
    assert!(walltime >= 0.0);
    let counts = client.jobs().state_counts().send().await.unwrap();
    assert!(counts.running + counts.queued + counts.held + counts.reserved + counts.other > 0);
    let jobs = client
        .jobs()
        .member_jobs()
        .cluster_id(c.scnet_cluster_id.parse::<i64>().unwrap())
        .group_id(c.scnet_group_id)
        .cluster_user_name(&c.scnet_cluster_user)
        .send()
        .await
        .unwrap();
    assert!(!jobs.is_empty());
    let regions = client.regions().list().send().await.unwrap();
    assert!(
        regions
            .iter()
            .any(|r| r.id == c.scnet_cluster_id && r.has_token)
    );
    assert!(regions.iter().any(|r| !r.has_token));
    assert_eq!(sandbox.logins(), 1, "one login for every call");
    assert_eq!(
        sandbox.request_count("/ac/openapi/v2/center"),
        1,
        "discovery is cached"
    );

    let password = hpc_sdk::scnet::Client::builder()
        .portal_url(sandbox.scnet_portal_url())
        .password(&c.scnet_user, &c.scnet_password, &c.scnet_org_id)
        .build()
        .unwrap();
    assert_eq!(password.usage().walltime().send().await.unwrap(), walltime);
}

#[tokio::test]
async fn a_token_near_its_expire_time_is_renewed_ahead() {
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let clock = TestClock::at(now_secs());
    let client = scnet(&sandbox)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    client.usage().walltime().send().await.unwrap();
    // Within the refresh margin of the token's expireTime, as the client sees it.
    clock.advance(Duration::from_secs(3600 - 60));
    client.usage().walltime().send().await.unwrap();
    assert_eq!((sandbox.logins(), sandbox.renewals()), (1, 1));
}

#[tokio::test]
async fn a_token_the_server_expired_is_refreshed_once_after_10008() {
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    // The client's clock runs an hour behind, so it believes the token is fresh.
    let client = scnet(&sandbox)
        .clock(Arc::new(TestClock::at(now_secs() - 3600)))
        .build()
        .unwrap();
    client.usage().walltime().send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    client.usage().walltime().send().await.unwrap();
    assert_eq!(
        sandbox.logins(),
        2,
        "one refresh after the server refused the token"
    );
}
