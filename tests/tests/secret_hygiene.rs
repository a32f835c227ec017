//! Every facade operation, succeeding and failing, run with TRACE logging captured from
//! every crate: no secret key, password, token or signature shows up in the logs, in
//! `Debug` or in `Display`.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use hpc_sdk::RetryPolicy;
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse};
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const EHPC_SECRET: &str = "EHPC-SECRET-abc123";
const SCNET_SECRET: &str = "SCNET-SECRET-def456";
const PASSWORD: &str = "PASSWORD-ghi789";

fn ok(data: serde_json::Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(200)
        .body(json!({"code": "0", "msg": "success", "data": data}).to_string())
        .build()
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_reaches_logs_debug_or_display() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        // Everything at TRACE but the mock server's own logs, which show what it received.
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,httpmock=off"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let server = MockServer::start_async().await;
    let seen_secrets: Arc<Mutex<Vec<String>>> = Arc::default();

    // EHPC: one success, one refused signature, one 503.
    let seen = seen_secrets.clone();
    server.mock(|when, then| {
        when.path("/api/job/list").query_param("cluster_id", "ok");
        then.respond_with(move |req: &HttpMockRequest| {
            let query = req.uri().query().unwrap_or_default().to_string();
            let signature = query
                .rsplit("signature=")
                .next()
                .unwrap_or_default()
                .to_string();
            seen.lock().unwrap().push(signature.replace("%25", "%"));
            HttpMockResponse::builder()
                .status(200)
                .body(ehpc_page(0, 2, 2))
                .build()
        });
    });
    server.mock(|when, then| {
        when.path("/api/job/list")
            .query_param("cluster_id", "denied");
        then.status(200)
            .body(r#"{"ret_code":1200,"message":"signature not matched"}"#);
    });
    server.mock(|when, then| {
        when.path("/api/job/list").query_param("cluster_id", "down");
        then.status(503).body("<html>down</html>");
    });
    let ehpc = hpc_sdk::ehpc::Client::builder()
        .endpoint(server.base_url())
        .zone("z")
        .credentials("AKID", EHPC_SECRET)
        .retry(RetryPolicy::default().max_attempts(2))
        .sleep(Arc::new(RecordingSleep::default()))
        .build()
        .unwrap();
    let mut shown = vec![format!("{ehpc:?}")];
    assert_eq!(
        ehpc.jobs()
            .list()
            .cluster_id("ok")
            .send()
            .await
            .unwrap()
            .jobs
            .len(),
        2
    );
    for cluster in ["denied", "down"] {
        let err = ehpc
            .jobs()
            .list()
            .cluster_id(cluster)
            .send()
            .await
            .unwrap_err();
        shown.push(format!("{err} {err:?}"));
    }

    // SCNet: AK/SK and password logins, discovery, a refused token, renewal failure.
    let tokens: Vec<String> = (0..4)
        .map(|n| jwt(&format!("TOKEN{n}"), EXAMPLE_TIME + 3600))
        .collect();
    let login_tokens = tokens.clone();
    server.mock(|when, then| {
        when.method(POST)
            .path_includes("tokens")
            .header_exists("user");
        then.respond_with(move |_: &HttpMockRequest| {
            ok(
                json!([{"clusterId": "0", "clusterName": "ac", "token": login_tokens[0]},
                      {"clusterId": "11112", "clusterName": "r", "token": login_tokens[1]}]),
            )
        });
    });
    let base = server.base_url();
    server.mock(|when, then| {
        when.path("/ac/openapi/v2/center");
        then.respond_with(move |_: &HttpMockRequest| ok(json!({"clusterUserInfo": {"userName": "acct"}, "hpcUrls": [{"enable": "true", "url": format!("{base}/hpc")}]})));
    });
    server.mock(|when, then| {
        when.path_includes("/walltime/");
        then.status(200)
            .body(r#"{"code":"10008","msg":"权限不足"}"#);
    });
    server.mock(|when, then| {
        when.path_includes("/jobs/state");
        then.respond_with(|_: &HttpMockRequest| ok(json!([{"name": "运行", "y": 1}])));
    });
    server.mock(|when, then| {
        when.path_includes("/groups/");
        then.respond_with(|_: &HttpMockRequest| ok(json!([{"id": "1", "status": "statR"}])));
    });
    for client in [
        hpc_sdk::scnet::Client::builder()
            .api_url(server.base_url())
            .portal_url(server.base_url())
            .access_key("bob", "AK1", SCNET_SECRET),
        hpc_sdk::scnet::Client::builder()
            .portal_url(server.base_url())
            .password("bob", PASSWORD, "org"),
        hpc_sdk::scnet::Client::builder()
            .portal_url(server.base_url())
            .token(tokens[3].clone())
            .region("11112"),
    ] {
        let client = client.retry(RetryPolicy::none()).build().unwrap();
        shown.push(format!("{client:?}"));
        let _ = client.regions().send().await;
        client.job_state().send().await.unwrap();
        client.member_jobs(1, 2, "u").send().await.unwrap();
        let err = client.walltime().send().await.unwrap_err();
        shown.push(format!("{err} {err:?}"));
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("hpc.operation"),
        "spans are logged: {}",
        &logs[..logs.len().min(2000)]
    );
    assert!(logs.contains("hpc.attempt"));
    let mut secrets: Vec<String> = vec![EHPC_SECRET.into(), SCNET_SECRET.into(), PASSWORD.into()];
    secrets.extend(tokens);
    secrets.extend(
        seen_secrets
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.len() > 20)
            .cloned(),
    );
    assert!(secrets.len() > 7, "the EHPC signatures were seen");
    let everything = format!("{logs}\n{}", shown.join("\n"));
    for secret in &secrets {
        // Signatures are compared without their URL encoding too.
        let plain = secret
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=");
        let found = everything
            .find(secret.as_str())
            .or_else(|| everything.find(&plain));
        if let Some(at) = found {
            let context: String = everything[at.saturating_sub(300)..]
                .chars()
                .take(400)
                .collect();
            panic!("a secret leaked: {secret} in ...{context}...");
        }
    }
}
