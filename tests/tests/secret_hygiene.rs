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
            .items
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
        let _ = client.regions().list().send().await;
        client.jobs().state_counts().send().await.unwrap();
        client
            .jobs()
            .member_jobs()
            .cluster_id(1)
            .group_id(2)
            .cluster_user_name("u")
            .send()
            .await
            .unwrap();
        let err = client.usage().walltime().send().await.unwrap_err();
        shown.push(format!("{err} {err:?}"));
    }

    // Against the sandbox: renewal, every error variant, a refused login.
    shown.extend(sandbox_operations().await);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The sandbox's tokens are JWTs this test never sees: none may reach the logs.
    assert!(!logs.contains("eyJhbGci"), "a JWT reached the logs");
    assert!(
        !shown.join("\n").contains("eyJhbGci"),
        "a JWT was displayed"
    );
    assert!(logs.contains("renewed an SCNet token"), "the renewal ran");
    assert!(
        logs.contains("hpc.operation"),
        "spans are logged: {}",
        &logs[..logs.len().min(2000)]
    );
    assert!(logs.contains("hpc.attempt"));
    let demo = hpc_sandbox::Credentials::demo();
    let mut secrets: Vec<String> = vec![
        EHPC_SECRET.into(),
        SCNET_SECRET.into(),
        PASSWORD.into(),
        demo.ehpc_secret_access_key,
        demo.scnet_secret_key,
        demo.scnet_password,
    ];
    secrets.extend(tokens);
    secrets.extend(
        seen_secrets
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.len() > 20)
            .cloned(),
    );
    assert!(secrets.len() > 10, "the EHPC signatures were seen");
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

/// Operations and failures against the sandbox; what their errors and clients display.
async fn sandbox_operations() -> Vec<String> {
    use std::time::Duration;

    use hpc_sandbox::{Fault, Sandbox};
    use hpc_sdk::Timeouts;

    let sandbox = Sandbox::builder()
        .jobs(30)
        .token_lifetime(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    let mut shown = Vec::new();
    let quick = Timeouts::default().per_attempt(Duration::from_millis(300));
    let ehpc = hpc_sdk::ehpc::Client::builder()
        .endpoint(sandbox.ehpc_url())
        .zone(&c.ehpc_zone)
        .cluster_id(&c.ehpc_cluster_id)
        .credentials(&c.ehpc_access_key_id, &c.ehpc_secret_access_key)
        .retry(RetryPolicy::none())
        .timeouts(quick)
        .page_size(10)
        .build()
        .unwrap();
    let list = "/api/job/list";
    sandbox.inject(Fault::truncated_json(list)); // Decode
    sandbox.inject(Fault::drop_connection(list)); // Transport
    sandbox.inject(Fault::delay(list, Duration::from_secs(2))); // Timeout
    sandbox.inject(Fault::rate_limited(list, 1)); // Http
    for _ in 0..4 {
        let err = ehpc.jobs().list().send().await.unwrap_err();
        shown.push(format!("{err} {err:?}"));
    }
    for (shown, variant) in shown.iter().zip(["Decode", "Transport", "Timeout", "Http"]) {
        assert!(
            shown.contains(&format!(" {variant} {{")),
            "{variant}: {shown}"
        );
    }
    sandbox.inject(Fault::empty_page(list, 10).times(2)); // InconsistentListing
    let results: Vec<_> = futures::StreamExt::collect::<Vec<_>>(ehpc.jobs().list().items()).await;
    let err = results.into_iter().find_map(Result::err).unwrap();
    assert!(matches!(err, hpc_sdk::Error::InconsistentListing { .. }));
    shown.push(format!("{err} {err:?}"));

    // AK/SK login, discovery, renewal ahead of expiry, InvalidInput, Auth.
    let clock = TestClock::at(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    );
    let scnet = hpc_sdk::scnet::Client::builder()
        .api_url(sandbox.scnet_api_url())
        .portal_url(sandbox.scnet_portal_url())
        .access_key(&c.scnet_user, &c.scnet_access_key, &c.scnet_secret_key)
        .clock(std::sync::Arc::new(clock.clone()))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    scnet.usage().walltime().send().await.unwrap();
    clock.advance(Duration::from_secs(3600 - 60));
    scnet.usage().walltime().send().await.unwrap();
    assert_eq!(sandbox.renewals(), 1);
    let err = scnet
        .jobs()
        .member_jobs()
        .cluster_id(1)
        .group_id(2)
        .cluster_user_name(" ")
        .send()
        .await
        .unwrap_err();
    shown.push(format!("{err} {err:?}"));
    let err = scnet
        .usage()
        .walltime()
        .region(hpc_sandbox::credentials::SCNET_DISABLED_CLUSTER_ID)
        .send()
        .await
        .unwrap_err();
    shown.push(format!("{err} {err:?} {scnet:?}"));
    // A refused login (wrong secret key), by AK/SK and by password.
    for builder in [
        hpc_sdk::scnet::Client::builder()
            .api_url(sandbox.scnet_api_url())
            .access_key(&c.scnet_user, &c.scnet_access_key, PASSWORD),
        hpc_sdk::scnet::Client::builder()
            .portal_url(sandbox.scnet_portal_url())
            .password(&c.scnet_user, SCNET_SECRET, &c.scnet_org_id),
    ] {
        let client = builder.retry(RetryPolicy::none()).build().unwrap();
        let err = client.regions().list().send().await.unwrap_err();
        shown.push(format!("{err} {err:?} {client:?}"));
    }
    shown
}
