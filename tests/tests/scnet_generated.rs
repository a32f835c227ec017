//! The generated SCNet client against httpmock: every operation's method, path,
//! parameters and headers as sent, and its decoded answer.

use httpmock::MockServer;
use scnet_client::mock::MockServerExt;
use scnet_client::{Auth, Client, Code};
use serde::de::DeserializeOwned;
use serde_json::json;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHBpcmVUaW1lIjoiMTc2NDY4Mzk5MTAwMCJ9.c2ln";

/// A client for the logins: no token.
fn client(server: &MockServer) -> Client {
    Client::new_with_client(&server.base_url(), reqwest::Client::new(), Auth::none())
}

/// A client whose requests carry `TOKEN` in header `token` (the spec's security scheme).
fn tokened(server: &MockServer) -> Client {
    Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        Auth::token(TOKEN).unwrap(),
    )
}

fn typed<T: DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("the test's answer fits the generated type")
}

#[tokio::test]
async fn login_with_access_key_sends_the_signed_headers() {
    let server = MockServer::start_async().await;
    let mock = server.login_with_access_key(|when, then| {
        when.user("bob")
            .access_key("85f96a42b13f4d2c8b760d2775bbcca8")
            .timestamp("1764597591")
            .signature("45a828478da0cfff189d61a3d6553fba34c49beae77101c3cffed7e047fb4477");
        then.ok(&typed(json!({"code": "0", "msg": "success", "data": [
            {"clusterId": "0", "clusterName": "ac", "token": TOKEN},
            {"clusterId": 11112, "clusterName": "华东一区【昆山】", "token": TOKEN},
            {"clusterId": "11250", "clusterName": "西北一区【西安】", "token": null}
        ]})));
    });
    let answer = client(&server)
        .login_with_access_key()
        .user("bob")
        .access_key("85f96a42b13f4d2c8b760d2775bbcca8")
        .timestamp("1764597591")
        .signature("45a828478da0cfff189d61a3d6553fba34c49beae77101c3cffed7e047fb4477")
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    assert!(answer.code.is_success());
    let tokens = answer.data.unwrap();
    assert_eq!(tokens.len(), 3);
    assert_eq!(tokens[0].cluster_id, Some(Code::from("0")));
    assert_eq!(
        tokens[1].cluster_id,
        Some(Code::from("11112")),
        "a numeric id decodes too"
    );
    assert_eq!(tokens[1].token.as_deref(), Some(TOKEN));
    assert_eq!(tokens[2].token, None, "a disabled region has a null token");
}

#[tokio::test]
async fn login_with_password_sends_user_password_and_org() {
    let server = MockServer::start_async().await;
    let mock = server.login_with_password(|when, then| {
        when.user("bob").password("p@ss word").org_id("org-1");
        then.ok(&typed(json!({"code": "0", "msg": "success", "data": [
            {"clusterId": "0", "clusterName": "ac", "token": TOKEN}
        ]})));
    });
    let answer = client(&server)
        .login_with_password()
        .user("bob")
        .password("p@ss word")
        .org_id("org-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    assert_eq!(answer.data.unwrap()[0].cluster_name.as_deref(), Some("ac"));
}

#[tokio::test]
async fn renew_token_sends_the_old_token_and_keeps_any_data_shape() {
    let server = MockServer::start_async().await;
    let mock = server.renew_token(|when, then| {
        when.into_inner().header("token", TOKEN);
        then.ok(&typed(
            json!({"code": "0", "msg": "success", "data": {"token": "new"}}),
        ));
    });
    let answer = tokened(&server)
        .renew_token()
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    assert_eq!(answer.data, Some(json!({"token": "new"})));
}

#[tokio::test]
async fn get_token_state_sends_the_token() {
    let server = MockServer::start_async().await;
    let mock = server.get_token_state(|when, then| {
        when.into_inner().header("token", TOKEN);
        then.ok(&typed(
            json!({"code": "0", "msg": "success", "data": "token is valid"}),
        ));
    });
    let answer = tokened(&server)
        .get_token_state()
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    assert_eq!(answer.data.as_deref(), Some("token is valid"));
}

#[tokio::test]
async fn get_center_decodes_the_region() {
    let server = MockServer::start_async().await;
    let mock = server.get_center(|when, then| {
        when.into_inner().header("token", TOKEN);
        then.ok(&typed(json!({"code": "0", "msg": "success", "data": {
            "id": 11112, "name": "华东一区【昆山】",
            "clusterUserInfo": {"userName": "acct", "homePath": "/public/home/acct"},
            "hpcUrls": [{"enable": "false", "url": "https://a:65051/hpc", "version": "5.2.2"},
                        {"enable": "true", "url": "https://b:65051/hpc", "version": "5.2.2"}],
            "efileUrls": [], "aiUrls": [], "ingressUrls": [], "eshellUrls": []
        }})));
    });
    let answer = tokened(&server)
        .get_center()
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    let center = answer.data.unwrap();
    assert_eq!(center.id, Some(11112));
    assert_eq!(
        center.cluster_user_info.unwrap().user_name.as_deref(),
        Some("acct")
    );
    assert_eq!(center.hpc_urls[1].enable.as_deref(), Some("true"));
    assert_eq!(
        center.hpc_urls[1].url.as_deref(),
        Some("https://b:65051/hpc")
    );
}

#[tokio::test]
async fn get_job_state_counts_sends_user_name_and_token() {
    let server = MockServer::start_async().await;
    let mock = server.get_job_state_counts(|when, then| {
        when.user_name("acct").into_inner().header("token", TOKEN);
        then.ok(&typed(json!({"code": "0", "msg": "success", "data": [
            {"name": "运行", "y": 1}, {"name": "jobview_status_queue", "y": 3}
        ]})));
    });
    let answer = tokened(&server)
        .get_job_state_counts()
        .user_name("acct")
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    let counts = answer.data.unwrap();
    assert_eq!(counts[0].name.as_deref(), Some("运行"));
    assert_eq!(counts[1].y, Some(3));
}

#[tokio::test]
async fn list_member_jobs_keeps_a_group_id_above_2_pow_53_exact() {
    let server = MockServer::start_async().await;
    let group_id: i64 = 533686286955839488;
    let mock = server.list_member_jobs(|when, then| {
        let when = when
            .cluster_id(11112)
            .group_id(group_id)
            .cluster_user_name("test");
        // The typed matcher is a regex; pin the exact path too.
        when.into_inner().header("token", TOKEN).path(
            "/ac/openapi/v2/clusters/11112/groups/533686286955839488/clusterUserNames/test/jobs",
        );
        then.ok(&typed(json!({"code": "0", "msg": "success", "data": [{
            "id": "1466591", "name": "COMSOL_GUI_1031_103150", "status": "statBrandNew",
            "nodeNumReq": 1, "cpuCore": 2, "procNumReq": 1, "gpuNumReq": 0, "gpuNum": 0,
            "dcuNumReq": 0, "dcuNumUsed": 0, "someNewField": "x"
        }]})));
    });
    let answer = tokened(&server)
        .list_member_jobs()
        .cluster_id(11112)
        .group_id(group_id)
        .cluster_user_name("test")
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    let job = &answer.data.unwrap()[0];
    assert_eq!(job.id.as_deref(), Some("1466591"));
    assert_eq!(
        job.status.as_deref(),
        Some("statBrandNew"),
        "an unknown status is kept"
    );
    assert_eq!(job.cpu_core, Some(2));
}

#[tokio::test]
async fn get_used_walltime_puts_the_user_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server.get_used_walltime(|when, then| {
        let when = when.username("test");
        when.into_inner()
            .header("token", TOKEN)
            .path("/hpc/openapi/v2/view/walltime/users/test");
        then.ok(&typed(
            json!({"code": "0", "msg": "success", "data": 0.4219444444444444}),
        ));
    });
    let answer = tokened(&server)
        .get_used_walltime()
        .username("test")
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_calls_async(1).await;
    assert_eq!(answer.data, Some(0.4219444444444444));
}

#[test]
fn error_envelopes_decode_with_a_numeric_code_null_data_and_message() {
    let answer: scnet_client::types::WalltimeResponse =
        typed(json!({"code": 10008, "message": "权限不足", "data": null}));
    assert_eq!(answer.code, Code::from("10008"));
    assert!(!answer.code.is_success());
    assert_eq!(answer.message.as_deref(), Some("权限不足"));
    assert_eq!(answer.data, None);
}
