//! The SCNet servers: logins, tokens, discovery and the hpc calls.

mod common;

use std::time::Duration;

use common::{ak_login_request, get_with_token, login};
use hpc_sandbox::{JobStateKeys, Sandbox};
use scnet_client::types::{
    CenterResponse, JobStateCountsResponse, MemberJobsResponse, TokenListResponse,
    TokenRenewalResponse, TokenStateResponse, WalltimeResponse,
};

async fn sandbox() -> Sandbox {
    Sandbox::builder().jobs(10).start().await.unwrap()
}

fn payload(token: &str) -> serde_json::Value {
    use base64::Engine;
    let part = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn access_key_login_answers_a_token_per_region() {
    let sandbox = sandbox().await;
    let answer: TokenListResponse =
        ak_login_request(&sandbox, &sandbox.credentials().scnet_secret_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(answer.code.as_str(), "0");
    assert_eq!(answer.msg.as_deref(), Some("success"));
    let regions = answer.data.unwrap();
    assert_eq!(regions.len(), 3);
    assert_eq!(regions[0].cluster_id.as_ref().unwrap().as_str(), "0");
    assert_eq!(regions[0].cluster_name.as_deref(), Some("ac"));
    assert_eq!(
        regions[1].cluster_id.as_ref().unwrap().as_str(),
        sandbox.credentials().scnet_cluster_id
    );
    assert!(regions[2].token.is_none());
    let claims = payload(regions[1].token.as_deref().unwrap());
    let expires: u128 = claims["expireTime"].as_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    assert!(expires > now + 23 * 3600 * 1000, "24 h by default");
    assert_eq!(claims["clusterId"], "11112");
    assert_eq!(sandbox.logins(), 1);
}

#[tokio::test]
async fn bad_login_signature_gets_10009() {
    let sandbox = sandbox().await;
    let answer: TokenListResponse = ak_login_request(&sandbox, "SK-WRONG")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer.code.as_str(), "10009");
    assert!(answer.data.is_none());
    let answer: TokenListResponse = reqwest::Client::new()
        .post(format!("{}/api/user/v3/tokens", sandbox.scnet_api_url()))
        .header("user", "x")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer.code.as_str(), "10003");
    assert_eq!(sandbox.logins(), 0);
}

#[tokio::test]
async fn password_login() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    let attempt = |password: String| {
        reqwest::Client::new()
            .post(format!(
                "{}/ac/openapi/v2/tokens",
                sandbox.scnet_portal_url()
            ))
            .header("user", &c.scnet_user)
            .header("password", password)
            .header("orgId", &c.scnet_org_id)
            .send()
    };
    let good: TokenListResponse = attempt(c.scnet_password.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(good.code.is_success());
    assert_eq!(good.data.unwrap().len(), 3);
    let bad: TokenListResponse = attempt("nope".into()).await.unwrap().json().await.unwrap();
    assert_eq!(bad.code.as_str(), "10009");
    assert_eq!(sandbox.logins(), 1);
}

#[tokio::test]
async fn tokens_expire_with_10008_and_renew() {
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_millis(1500))
        .start()
        .await
        .unwrap();
    let (platform, _) = login(&sandbox).await;
    let state_url = format!("{}/ac/openapi/v2/tokens/state", sandbox.scnet_portal_url());
    let state: TokenStateResponse = get_with_token(state_url.clone(), &platform)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state.data.as_deref(), Some("token is valid"));

    let renewed: TokenRenewalResponse = reqwest::Client::new()
        .post(format!(
            "{}/ac/openapi/v2/tokens/next",
            sandbox.scnet_portal_url()
        ))
        .header("token", &platform)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fresh = renewed.data.unwrap().as_str().unwrap().to_owned();
    assert_ne!(fresh, platform);
    assert_eq!(payload(&fresh)["clusterId"], "0");
    assert_eq!(sandbox.renewals(), 1);

    tokio::time::sleep(Duration::from_millis(1600)).await;
    let state: TokenStateResponse = get_with_token(state_url.clone(), &platform)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state.code.as_str(), "10008");
    let state: TokenStateResponse = get_with_token(state_url.clone(), "eyJ.garbage.x")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state.code.as_str(), "10008");
}

#[tokio::test]
async fn center_takes_the_region_token_only() {
    let sandbox = sandbox().await;
    let (platform, region) = login(&sandbox).await;
    let url = format!("{}/ac/openapi/v2/center", sandbox.scnet_portal_url());
    let center: CenterResponse = get_with_token(url.clone(), &region)
        .await
        .json()
        .await
        .unwrap();
    let data = center.data.unwrap();
    assert_eq!(data.id, Some(11112));
    let user = data.cluster_user_info.unwrap().user_name.unwrap();
    assert_eq!(user, sandbox.credentials().scnet_cluster_user);
    let hpc = &data.hpc_urls[0];
    assert_eq!(hpc.enable.as_deref(), Some("true"));
    assert_eq!(
        hpc.url.clone().unwrap(),
        format!("{}/hpc", sandbox.scnet_hpc_url())
    );
    let denied: CenterResponse = get_with_token(url, &platform).await.json().await.unwrap();
    assert_eq!(denied.code.as_str(), "10001");
}

#[tokio::test]
async fn hpc_calls_check_the_user() {
    let sandbox = Sandbox::builder()
        .job_state_keys(JobStateKeys::Documented)
        .start()
        .await
        .unwrap();
    let (platform, region) = login(&sandbox).await;
    let user = sandbox.credentials().scnet_cluster_user.clone();
    let hpc = sandbox.scnet_hpc_url();
    let counts: JobStateCountsResponse = get_with_token(
        format!("{hpc}/hpc/openapi/v2/view/jobs/state?userName={user}"),
        &region,
    )
    .await
    .json()
    .await
    .unwrap();
    let names: Vec<String> = counts
        .data
        .unwrap()
        .into_iter()
        .map(|c| c.name.unwrap())
        .collect();
    assert_eq!(names, ["运行", "排队", "保留", "挂起", "其他"]);
    let wrong: JobStateCountsResponse = get_with_token(
        format!("{hpc}/hpc/openapi/v2/view/jobs/state?userName=someone"),
        &region,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(wrong.code.as_str(), "10009");
    let missing: JobStateCountsResponse =
        get_with_token(format!("{hpc}/hpc/openapi/v2/view/jobs/state"), &region)
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(missing.code.as_str(), "10003");

    let walltime: WalltimeResponse = get_with_token(
        format!("{hpc}/hpc/openapi/v2/view/walltime/users/{user}"),
        &region,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(walltime.data.unwrap() >= 0.0);
    let wrong: WalltimeResponse = get_with_token(
        format!("{hpc}/hpc/openapi/v2/view/walltime/users/other"),
        &region,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(wrong.code.as_str(), "10009");
    let platform_here: WalltimeResponse = get_with_token(
        format!("{hpc}/hpc/openapi/v2/view/walltime/users/{user}"),
        &platform,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(platform_here.code.as_str(), "10009");
}

#[tokio::test]
async fn member_jobs_with_the_big_group_id() {
    let sandbox = sandbox().await;
    let (platform, region) = login(&sandbox).await;
    let c = sandbox.credentials();
    assert!(c.scnet_group_id > 1 << 53);
    let url = |group: String, user: &str| {
        format!(
            "{}/ac/openapi/v2/clusters/{}/groups/{group}/clusterUserNames/{user}/jobs",
            sandbox.scnet_portal_url(),
            c.scnet_cluster_id
        )
    };
    let jobs: MemberJobsResponse = get_with_token(
        url(c.scnet_group_id.to_string(), &c.scnet_cluster_user),
        &platform,
    )
    .await
    .json()
    .await
    .unwrap();
    let jobs = jobs.data.unwrap();
    assert!(!jobs.is_empty());
    assert!(
        jobs.iter()
            .all(|j| j.status.as_deref().unwrap().starts_with("stat"))
    );
    // What a float would make of the id: off by a few, so unknown.
    let rounded = (c.scnet_group_id as f64) as i64 + 1;
    let answer: MemberJobsResponse =
        get_with_token(url(rounded.to_string(), &c.scnet_cluster_user), &platform)
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(answer.code.as_str(), "10004");
    let answer: MemberJobsResponse =
        get_with_token(url(c.scnet_group_id.to_string(), "intruder"), &platform)
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(answer.code.as_str(), "10009");
    let answer: MemberJobsResponse = get_with_token(
        url(c.scnet_group_id.to_string(), &c.scnet_cluster_user),
        &region,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(answer.code.as_str(), "10009");
}

#[tokio::test]
async fn routes_live_on_their_own_host_only() {
    let sandbox = sandbox().await;
    let on_portal = reqwest::Client::new()
        .post(format!("{}/api/user/v3/tokens", sandbox.scnet_portal_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(on_portal.status(), 404);
    let on_api = reqwest::get(format!(
        "{}/hpc/openapi/v2/view/jobs/state",
        sandbox.scnet_api_url()
    ))
    .await
    .unwrap();
    assert_eq!(on_api.status(), 404);
}
