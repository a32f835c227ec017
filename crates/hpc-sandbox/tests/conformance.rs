//! Every kind of answer the sandbox gives, success and error, decoded by the clients
//! generated from the specs: if the sandbox drifted from `spec/*.yaml`, this fails.

mod common;

use std::sync::Arc;
use std::time::Duration;

use ehpc_client::{Hooks, SignError, SignRequest};
use hpc_sandbox::{Credentials, Fault, JobStateKeys, Sandbox};

/// Signs what the generated EHPC client built, with the test-side signer.
struct TestSigner(Credentials);

impl SignRequest for TestSigner {
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), SignError> {
        let c = &self.0;
        let mut params: Vec<(String, String)> = request
            .url()
            .query_pairs()
            .filter(|(k, _)| k != "timestamp" && k != "signature")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for (k, v) in [
            ("access_key_id", c.ehpc_access_key_id.as_str()),
            ("signature_method", "HmacSHA256"),
            ("signature_version", "1"),
            ("version", "1"),
        ] {
            params.push((k.into(), v.into()));
        }
        params.push(("timestamp".into(), common::timestamp(0)));
        let path = request.url().path().to_owned();
        let query = common::signed_query(&path, &params, &c.ehpc_secret_access_key);
        request.url_mut().set_query(Some(&query));
        Ok(())
    }
}

fn ehpc(sandbox: &Sandbox) -> ehpc_client::Client {
    let signer = Arc::new(TestSigner(sandbox.credentials().clone()));
    ehpc_client::Client::new_with_client(
        sandbox.ehpc_url(),
        reqwest::Client::new(),
        Hooks::signed_by(signer),
    )
}

/// `client`'s host, with requests that carry `token` (the spec's security scheme).
fn with_token(client: &scnet_client::Client, token: &str) -> scnet_client::Client {
    use scnet_client::ClientInfo;
    scnet_client::Client::new_with_client(
        client.baseurl(),
        client.client().clone(),
        scnet_client::Auth::token(token).unwrap(),
    )
}

#[tokio::test]
async fn ehpc_answers_decode() {
    let sandbox = Sandbox::builder().jobs(250).start().await.unwrap();
    let client = ehpc(&sandbox);
    let c = sandbox.credentials();
    let request = || {
        client
            .list_jobs()
            .zone(c.ehpc_zone.as_str())
            .timestamp(chrono::Utc::now())
    };

    let page = request()
        .cluster_id(c.ehpc_cluster_id.as_str())
        .limit(100)
        .offset(200)
        .send()
        .await
        .unwrap();
    assert_eq!(page.ret_code.0, 0);
    assert_eq!(page.total_count.unwrap().0, 250);
    assert_eq!(page.hpc_job_set.as_ref().unwrap().len(), 50);
    let filtered = request()
        .cluster_id(c.ehpc_cluster_id.as_str())
        .jobs_status("running")
        .job_status("running")
        .search_word("作业")
        .sort_key("submitted_time")
        .reverse(1)
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.ret_code.0, 0);
    assert!(
        filtered
            .hpc_job_set
            .as_ref()
            .unwrap()
            .iter()
            .all(|j| j.job_status.as_deref() == Some("running"))
    );

    let missing = request().cluster_id("ehpc-nosuch").send().await.unwrap();
    assert_eq!(
        (missing.ret_code.0, missing.hpc_job_set.is_none()),
        (2100, true)
    );
    for code in [5100, 1300] {
        sandbox.inject(Fault::ehpc_code("/api/job/list", code));
        let error = request()
            .cluster_id(c.ehpc_cluster_id.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(error.ret_code.0, code);
    }
    sandbox.inject(Fault::total_count_off_by("/api/job/list", 3));
    let lying = request()
        .cluster_id(c.ehpc_cluster_id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(lying.total_count.unwrap().0, 253);
}

#[tokio::test]
async fn scnet_answers_decode() {
    let sandbox = Sandbox::builder().jobs(10).start().await.unwrap();
    let c = sandbox.credentials().clone();
    let http = reqwest::Client::new();
    let api = scnet_client::Client::new_with_client(
        sandbox.scnet_api_url(),
        http.clone(),
        scnet_client::Auth::none(),
    );
    let portal = scnet_client::Client::new_with_client(
        sandbox.scnet_portal_url(),
        http.clone(),
        scnet_client::Auth::none(),
    );

    // Logins, good and bad.
    let ts = chrono::Utc::now().timestamp().to_string();
    let signature =
        common::ak_signature(&c.scnet_access_key, &ts, &c.scnet_user, &c.scnet_secret_key);
    let login = |signature: String| {
        api.login_with_access_key()
            .access_key(c.scnet_access_key.as_str())
            .timestamp(ts.as_str())
            .user(c.scnet_user.as_str())
            .signature(signature)
            .send()
    };
    let tokens = login(signature).await.unwrap().into_inner();
    assert!(tokens.code.is_success());
    let bad = login("00".repeat(32)).await.unwrap().into_inner();
    assert_eq!((bad.code.as_str(), bad.data.is_none()), ("10009", true));
    let by_password = portal
        .login_with_password()
        .user(c.scnet_user.as_str())
        .password(c.scnet_password.as_str())
        .org_id(c.scnet_org_id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(by_password.code.is_success());
    let data = tokens.data.unwrap();
    let platform = data[0].token.clone().unwrap();
    let region = data[1].token.clone().unwrap();
    assert!(data[2].token.is_none());

    // Tokens.
    let renewed = with_token(&portal, platform.as_str())
        .renew_token()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(renewed.data.unwrap().is_string());
    let state = with_token(&portal, platform.as_str())
        .get_token_state()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state.data.as_deref(), Some("token is valid"));
    let expired = with_token(&portal, "x.y.z")
        .get_token_state()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(expired.code.as_str(), "10008");

    // Discovery, then the region's hpc host as `center` names it.
    let center = with_token(&portal, region.as_str())
        .get_center()
        .send()
        .await
        .unwrap()
        .into_inner();
    let center = center.data.unwrap();
    let wrong_token = with_token(&portal, platform.as_str())
        .get_center()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(wrong_token.code.as_str(), "10001");
    let hpc_url = center
        .hpc_urls
        .iter()
        .find(|u| u.enable.as_deref() == Some("true"))
        .unwrap();
    let origin = hpc_url
        .url
        .as_deref()
        .unwrap()
        .trim_end_matches("/hpc")
        .to_owned();
    let hpc =
        scnet_client::Client::new_with_client(&origin, http.clone(), scnet_client::Auth::none());
    let user = center.cluster_user_info.unwrap().user_name.unwrap();

    let counts = with_token(&hpc, region.as_str())
        .get_job_state_counts()
        .user_name(user.as_str())
        .send()
        .await
        .unwrap();
    let names: Vec<String> = counts
        .into_inner()
        .data
        .unwrap()
        .into_iter()
        .map(|c| c.name.unwrap())
        .collect();
    assert_eq!(names[0], "jobview_status_run");
    let denied = with_token(&hpc, region.as_str())
        .get_job_state_counts()
        .user_name("other")
        .send()
        .await
        .unwrap();
    assert_eq!(denied.into_inner().code.as_str(), "10009");
    let walltime = with_token(&hpc, region.as_str())
        .get_used_walltime()
        .username(user.as_str())
        .send()
        .await
        .unwrap();
    assert!(walltime.into_inner().data.is_some());
    let jobs = with_token(&portal, platform.as_str())
        .list_member_jobs()
        .cluster_id(c.scnet_cluster_id.parse::<i64>().unwrap())
        .group_id(c.scnet_group_id)
        .cluster_user_name(user.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!jobs.data.unwrap().is_empty());

    // An injected code arrives as any other error envelope.
    sandbox.inject(Fault::scnet_code("/view/walltime", "10012"));
    let faulted = with_token(&hpc, region.as_str())
        .get_used_walltime()
        .username(user.as_str())
        .send()
        .await
        .unwrap();
    let faulted = faulted.into_inner();
    assert_eq!((faulted.code.as_str(), faulted.data), ("10012", None));
}

#[tokio::test]
async fn documented_state_keys_and_expired_region_token_decode() {
    let sandbox = Sandbox::builder()
        .job_state_keys(JobStateKeys::Documented)
        .token_lifetime(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let (_, region) = common::login(&sandbox).await;
    let hpc = scnet_client::Client::new_with_client(
        sandbox.scnet_hpc_url(),
        reqwest::Client::new(),
        scnet_client::Auth::none(),
    );
    let user = sandbox.credentials().scnet_cluster_user.clone();
    let counts = with_token(&hpc, region.as_str())
        .get_job_state_counts()
        .user_name(user.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        counts.into_inner().data.unwrap()[0].name.as_deref(),
        Some("运行")
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired = with_token(&hpc, region.as_str())
        .get_used_walltime()
        .username(user.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(expired.into_inner().code.as_str(), "10008");
}
