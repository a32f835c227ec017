//! Many tasks through one client: 200 SCNet calls across a token expiry take exactly one
//! renewal (or one login) and all succeed; 200 EHPC listings all list exactly the jobs a
//! lone listing does.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::TestClock;
use futures::TryStreamExt;
use futures::future::join_all;
use hpc_sandbox::Sandbox;

const CALLS: usize = 200;
const WALLTIME: &str = "/view/walltime/users/";

fn scnet(sandbox: &Sandbox) -> hpc_sdk::scnet::ClientBuilder {
    let c = sandbox.credentials();
    hpc_sdk::scnet::Client::builder()
        .api_url(sandbox.scnet_api_url())
        .portal_url(sandbox.scnet_portal_url())
        .access_key(&c.scnet_user, &c.scnet_access_key, &c.scnet_secret_key)
}

async fn walltimes(client: &hpc_sdk::scnet::Client) -> Vec<f64> {
    let calls = (0..CALLS).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.usage().walltime().send().await })
    });
    let answers = tokio::time::timeout(Duration::from_secs(120), join_all(calls))
        .await
        .expect("the calls hung");
    answers
        .into_iter()
        .map(|joined| joined.expect("no task panicked").expect("no call failed"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_across_a_token_about_to_expire_share_one_renewal() {
    // The client's clock jumps to a minute before the token's expireTime: every call
    // finds it due, and the renewed token (an hour from the server's now) is fresh.
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let clock = TestClock::at(now.as_secs());
    let client = scnet(&sandbox)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let expected = client.usage().walltime().send().await.unwrap();
    clock.advance(Duration::from_secs(3600 - 60));
    let answers = walltimes(&client).await;
    assert!(answers.iter().all(|&w| w == expected));
    assert_eq!(
        (sandbox.logins(), sandbox.renewals()),
        (1, 1),
        "one login at the start, one renewal for all 200 calls"
    );
    assert_eq!(sandbox.request_count(WALLTIME), 1 + CALLS, "none refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_with_a_token_the_server_expired_share_one_login() {
    // The client's clock stands still, so only the server's 10008 reveals the expiry.
    let sandbox = Sandbox::builder()
        // Long enough that 200 calls on a loaded machine finish inside one lifetime.
        .token_lifetime(Duration::from_secs(3))
        .start()
        .await
        .unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let client = scnet(&sandbox)
        .clock(Arc::new(TestClock::at(now.as_secs())))
        .refresh_ahead(Duration::ZERO)
        .build()
        .unwrap();
    let expected = client.usage().walltime().send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let answers = walltimes(&client).await;
    assert!(answers.iter().all(|&w| w == expected));
    assert_eq!(
        (sandbox.logins(), sandbox.renewals()),
        (2, 0),
        "one login at the start, one more for all 200 refused calls"
    );
    // Each call sent once, and again at most once after a 10008.
    let sent = sandbox.request_count(WALLTIME) - 1;
    assert!((CALLS + 1..=2 * CALLS).contains(&sent), "{sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_listings_each_list_exactly_the_right_jobs() {
    let sandbox = Sandbox::builder().jobs(250).seed(3).start().await.unwrap();
    let c = sandbox.credentials();
    let client = hpc_sdk::ehpc::Client::builder()
        .endpoint(sandbox.ehpc_url())
        .zone(&c.ehpc_zone)
        .cluster_id(&c.ehpc_cluster_id)
        .credentials(&c.ehpc_access_key_id, &c.ehpc_secret_access_key)
        .build()
        .unwrap();
    type Variant = fn(hpc_sdk::ehpc::ListJobs) -> hpc_sdk::ehpc::ListJobs;
    let variants: [Variant; 4] = [
        |l| l,
        |l| l.status("running"),
        |l| l.queue("debug").reverse(true),
        |l| l.page_size(30).prefetch(2),
    ];
    let ids = |variant: Variant| {
        let client = client.clone();
        async move {
            let jobs: Vec<_> = variant(client.jobs().list())
                .items()
                .try_collect()
                .await
                .expect("no listing failed");
            jobs.iter()
                .map(|j| j.job_id.unwrap().0)
                .collect::<Vec<i64>>()
        }
    };
    let mut expected = Vec::new();
    for variant in variants {
        expected.push(ids(variant).await);
    }
    assert_eq!(expected[0].len(), 250);
    assert!(
        expected[1..3]
            .iter()
            .all(|e| !e.is_empty() && e.len() < 250)
    );
    let listings = (0..CALLS).map(|n| tokio::spawn(ids(variants[n % 4])));
    let results = tokio::time::timeout(Duration::from_secs(120), join_all(listings))
        .await
        .expect("the listings hung");
    for (n, result) in results.into_iter().enumerate() {
        assert_eq!(result.unwrap(), expected[n % 4], "listing {n}");
    }
}
