//! The specs stay true to the vendors' docs: every response example in `spec/` decodes
//! into the generated types, and the documented names are all there.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

fn spec(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../spec")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap()
}

/// Every `(operationId, status, example)` under `paths`.
fn examples(spec: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap().to_string();
            for (status, response) in op["responses"].as_object().unwrap() {
                for media in response["content"]
                    .as_object()
                    .into_iter()
                    .flat_map(|c| c.values())
                {
                    if let Some(example) = media.get("example") {
                        found.push((id.clone(), status.clone(), example.clone()));
                    }
                }
            }
        }
    }
    found
}

// The operation → answer type table is generated from the spec with the client
// (`operations::decode_example`), so a new operation cannot be left out of this test.
type Decoder = fn(&str, &Value) -> Option<Result<(), serde_json::Error>>;

fn check_all(file: &str, decode: Decoder, documented: &[&str]) {
    let spec = spec(file);
    let found = examples(&spec);
    let with_examples: BTreeSet<&str> = found.iter().map(|(id, _, _)| id.as_str()).collect();
    for op in documented {
        assert!(
            with_examples.contains(op),
            "{file}: {op} has no response example"
        );
    }
    for (op, status, example) in &found {
        match decode(op, example) {
            None => panic!("{file}: {op} has an example but this test has no type for it"),
            Some(Err(e)) => panic!("{file}: the {status} example of {op} does not decode: {e}"),
            Some(Ok(())) => {}
        }
    }
}

#[test]
fn every_ehpc_example_decodes() {
    check_all(
        "ehpc.yaml",
        ehpc_client::operations::decode_example,
        &["list_jobs", "list_clusters"],
    );
}

#[test]
fn every_scnet_example_decodes() {
    check_all(
        "scnet.yaml",
        scnet_client::operations::decode_example,
        &[
            "get_job_state_counts",
            "list_member_jobs",
            "get_used_walltime",
            "list_schedulers",
        ],
    );
}

fn property_names(spec: &Value, schema: &str) -> BTreeSet<String> {
    spec["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {schema} has no properties"))
        .keys()
        .cloned()
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ehpc_spec_holds_every_documented_name() {
    let spec = spec("ehpc.yaml");
    let item = property_names(&spec, "HpcJob");
    let documented = set(&[
        "categories",
        "cmd_line",
        "core_limit",
        "exec_cwd",
        "hpcjob_uuid",
        "hpcqueue_id",
        "hpq_name",
        "job_id",
        "job_name",
        "job_node_list",
        "job_priority",
        "job_status",
        "mem_limit",
        "modified_time",
        "name",
        "queue_name",
        "run_user",
        "scheduler_queue_name",
        "started_time",
        "stderr_redirect_path",
        "stdout_redirect_path",
        "submitted_time",
    ]);
    assert_eq!(documented.len(), 22);
    assert_eq!(item, documented);
    let envelope = property_names(&spec, "JobListResponse");
    assert_eq!(
        envelope,
        set(&[
            "action",
            "hpc_job_set",
            "message",
            "ret_code",
            "total_count"
        ])
    );

    let params: Vec<&Value> = spec["paths"]["/api/job/list"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let by_name = |name: &str| {
        *params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("parameter {name} missing"))
    };
    for (name, required, ty) in [
        ("timestamp", true, "string"),
        ("zone", true, "string"),
        ("cluster_id", true, "string"),
        ("jobs_status", false, "string"),
        ("job_status", false, "string"),
        ("limit", false, "integer"),
        ("offset", false, "integer"),
        ("queue_name", false, "string"),
        ("reverse", false, "integer"),
        ("run_user", false, "string"),
        ("search_word", false, "string"),
        ("sort_key", false, "string"),
    ] {
        let p = by_name(name);
        assert_eq!(p["in"], "query", "{name}");
        assert_eq!(p["required"].as_bool().unwrap_or(false), required, "{name}");
        assert!(
            p["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{name}"
        );
        assert_eq!(p["schema"]["type"], ty, "{name}");
    }
    assert_eq!(by_name("timestamp")["schema"]["format"], "date-time");
    assert_eq!(by_name("limit")["schema"]["default"], 10);
    assert_eq!(by_name("limit")["schema"]["maximum"], 100);

    let ret_codes = spec["components"]["schemas"]["RetCode"]["description"]
        .as_str()
        .unwrap();
    for code in [
        "1100", "1200", "1300", "1400", "2100", "2500", "5000", "5100", "5200", "5300",
    ] {
        assert!(
            ret_codes.contains(&format!("| {code}")),
            "ret_code table lacks {code}"
        );
    }
    let common = spec["components"]["parameters"].as_object().unwrap();
    let common: BTreeSet<&str> = common
        .values()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        common,
        [
            "access_key_id",
            "signature",
            "signature_method",
            "signature_version",
            "version"
        ]
        .into_iter()
        .collect()
    );
}

#[test]
fn scnet_spec_holds_every_documented_endpoint_and_header() {
    let spec = spec("scnet.yaml");
    let expected = [
        ("/hpc/openapi/v2/view/jobs/state", "get"),
        (
            "/ac/openapi/v2/clusters/{clusterId}/groups/{groupId}/clusterUserNames/{clusterUserName}/jobs",
            "get",
        ),
        ("/hpc/openapi/v2/view/walltime/users/{username}", "get"),
        ("/api/user/v3/tokens", "post"),
        ("/ac/openapi/v2/tokens", "post"),
        ("/ac/openapi/v2/tokens/next", "post"),
        ("/ac/openapi/v2/tokens/state", "get"),
        ("/ac/openapi/v2/center", "get"),
        ("/hpc/openapi/v2/cluster", "get"),
        ("/hpc/openapi/v2/queuenames/users/{username}", "get"),
        ("/hpc/openapi/v2/userquotas/queues", "get"),
        (
            "/hpc/openapi/v2/apptemplates/{apptype}/{appname}/job",
            "post",
        ),
        ("/hpc/openapi/v2/jobs", "get"),
        ("/hpc/openapi/v2/jobs/{jobId}", "get"),
        ("/hpc/openapi/v2/historyjobs", "get"),
        ("/hpc/openapi/v2/historyjobs/{jobmanagerId}/{jobId}", "get"),
        ("/hpc/openapi/v2/file/content", "post"),
        ("/efile/openapi/v2/file/list", "get"),
        ("/efile/openapi/v2/file/mkdir", "post"),
        ("/efile/openapi/v2/file/upload", "post"),
        ("/efile/openapi/v2/file/burst", "post"),
        ("/efile/openapi/v2/file/merge", "post"),
        ("/efile/openapi/v2/file/download", "get"),
    ];
    // The cancel is a DELETE on the realtime list's path.
    assert!(spec["paths"]["/hpc/openapi/v2/jobs"]["delete"].is_object());
    for (path, method) in expected {
        assert!(
            spec["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    assert_eq!(spec["paths"].as_object().unwrap().len(), expected.len());
    let group = &spec["paths"][expected[1].0]["get"]["parameters"];
    let group = group
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "groupId")
        .unwrap();
    assert_eq!(group["schema"]["type"], "integer");
    assert_eq!(group["schema"]["format"], "int64");
    assert_eq!(spec["components"]["schemas"]["Code"]["type"], "string");
    // The token header is declared once, as the spec's security scheme, not per operation.
    let token = &spec["components"]["securitySchemes"]["token"];
    assert_eq!(
        (&token["in"], &token["name"]),
        (&"header".into(), &"token".into())
    );
    assert_eq!(spec["security"][0]["token"], serde_json::json!([]));
    for path in spec["paths"].as_object().unwrap().values() {
        for op in path.as_object().unwrap().values() {
            let params = op["parameters"].as_array().into_iter().flatten();
            assert!(params.clone().all(|p| p["name"] != "token"), "{op}");
        }
    }
    assert_eq!(
        property_names(&spec, "MemberJob"),
        set(&[
            "id",
            "name",
            "status",
            "nodeNumReq",
            "cpuCore",
            "procNumReq",
            "gpuNum",
            "gpuNumReq",
            "dcuNumUsed",
            "dcuNumReq"
        ])
    );
}

#[test]
fn generated_types_describe_themselves_as_json_schema() {
    let schema = schemars::schema_for!(ehpc_client::types::JobListResponse);
    let text = serde_json::to_string(&schema).unwrap();
    assert!(
        text.contains("hpc_job_set") && text.contains("submitted_time"),
        "{text}"
    );
    let schema = schemars::schema_for!(scnet_client::types::MemberJobsResponse);
    let text = serde_json::to_string(&schema).unwrap();
    assert!(text.contains("dcuNumUsed"), "{text}");
}
