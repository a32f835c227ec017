//! Servers that echo the request back into their answers: a 404 page showing the signed
//! URL, an error message naming the access key, a gateway repeating the headers. No
//! credential reaches an error's text.

use hpc_sdk::{Error, RetryPolicy};
use httpmock::prelude::*;

const AK: &str = "QYACCESSKEYIDECHOED";

fn ehpc(server: &MockServer) -> hpc_sdk::ehpc::Client {
    hpc_sdk::ehpc::Client::builder()
        .endpoint(server.base_url())
        .zone("jinan1a")
        .credentials(AK, "SECRET-NEVER-SENT")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn shown(error: &Error) -> String {
    format!("{error} {error:?}")
}

#[tokio::test]
async fn a_404_page_that_echoes_the_signed_url_shows_no_credential() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.path("/api/job/list");
        then.status(404).body(format!(
            "<html><body>Not Found: /api/job/list?access_key_id={AK}&cluster_id=c\
             &signature_method=HmacSHA256&signature=eGH7NK3aw%252Bcshdb8UMqh9%253D\
             &timestamp=2021-08-19T16%3A44%3A40Z</body></html>"
        ));
    });
    let err = ehpc(&server)
        .jobs()
        .list()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, Error::Http { status: 404, .. }), "{text}");
    assert!(!text.contains(AK), "{text}");
    assert!(!text.contains("eGH7NK3aw"), "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");
}

#[tokio::test]
async fn an_error_message_that_names_the_access_key_shows_it_redacted() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.path("/api/cluster/list");
        then.status(200).body(format!(
            r#"{{"ret_code": 1200, "message": "AuthenticationFailed, access key [{AK}] signature [abc=] not matched"}}"#
        ));
    });
    let err = ehpc(&server).clusters().list().send().await.unwrap_err();
    let text = shown(&err);
    assert!(!text.contains(AK), "{text}");
    assert!(text.contains("AuthenticationFailed"), "{text}");
}

#[tokio::test]
async fn a_scnet_login_error_that_echoes_the_headers_shows_no_credential() {
    let server = MockServer::start_async().await;
    let access_key = "85f96a42b13f4d2c8b760d2775bbcca8";
    server.mock(|when, then| {
        when.path("/api/user/v3/tokens");
        then.status(400).body(format!(
            "bad request\nuser: bob\naccessKey: {access_key}\nsignature: 45a8284\ntimestamp: 1"
        ));
    });
    let client = hpc_sdk::scnet::Client::builder()
        .api_url(server.base_url())
        .portal_url(server.base_url())
        .access_key("bob", access_key, "SK-NEVER-SENT")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.regions().list().send().await.unwrap_err();
    let text = shown(&err);
    assert!(!text.contains(access_key), "{text}");
    assert!(!text.contains("45a8284"), "{text}");
    assert!(!text.contains('\n'), "one line: {text}");
}

#[tokio::test]
async fn a_login_with_only_the_platform_token_is_one_clear_error_after_one_login() {
    let server = MockServer::start_async().await;
    let login = server.mock(|when, then| {
        when.path("/api/user/v3/tokens");
        then.status(200).body(
            r#"{"code":"0","msg":"success","data":[{"clusterId":"0","clusterName":"ac","token":"opaque-platform"},{"clusterId":"11250","clusterName":"西北一区","token":null}]}"#,
        );
    });
    let client = hpc_sdk::scnet::Client::builder()
        .api_url(server.base_url())
        .portal_url(server.base_url())
        .access_key("bob", "85f96a42b13f4d2c8b760d2775bbcca8", "SK")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.usage().walltime().send().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Auth { .. }), "{text}");
    assert!(text.contains("no region token"), "{text}");
    assert!(text.contains("SCNET_CLUSTER_ID"), "{text}");
    assert!(!text.contains("Region("), "{text}");
    login.assert_calls_async(1).await;
    // A region named outright reads as a region, not as a Rust value.
    let err = client
        .usage()
        .walltime()
        .region("11250")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("region 11250: the login answered no token"),
        "{err}"
    );
}
