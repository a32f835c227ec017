//! Operations added through the spec alone (`x-hpc` facts, generated builders): EHPC
//! `clusters().list()` and SCNet `schedulers().list()` against the sandbox, configured
//! through the production path (`from_lookup` over the sandbox's environment).

use std::collections::HashSet;

use futures::TryStreamExt;
use hpc_sandbox::{Fault, Sandbox};
use hpc_sdk::{EhpcCode, Error, ErrorCode, ScnetCode};

fn ehpc(sandbox: &Sandbox) -> hpc_sdk::ehpc::Client {
    hpc_sdk::ehpc::ClientBuilder::from_lookup(|k| sandbox.env(k), None)
        .unwrap()
        .build()
        .unwrap()
}

fn scnet(sandbox: &Sandbox) -> hpc_sdk::scnet::Client {
    hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))
        .unwrap()
        .build()
        .unwrap()
}

fn cluster_id(cluster: &hpc_sdk::ehpc::types::HpcCluster) -> String {
    cluster
        .cluster_id
        .clone()
        .or_else(|| cluster.app_cluster.as_ref()?.cluster_id.clone())
        .unwrap()
}

#[tokio::test]
async fn clusters_are_listed_signed_paged_and_filtered() {
    let sandbox = Sandbox::builder().jobs(5).start().await.unwrap();
    let client = ehpc(&sandbox);
    let page = client.clusters().list().send().await.unwrap();
    assert_eq!((page.items.len(), page.total_count, page.offset), (3, 3, 0));
    assert_eq!(
        cluster_id(&page.items[0]),
        sandbox.credentials().ehpc_cluster_id
    );

    // One a page: three pages, every cluster once.
    let all: Vec<_> = client
        .clusters()
        .list()
        .page_size(1)
        .prefetch(1)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: HashSet<String> = all.iter().map(cluster_id).collect();
    assert_eq!(ids.len(), 3);

    // Filters reach the server and hold.
    let hpc = client
        .clusters()
        .list()
        .cluster_type("hpc")
        .send()
        .await
        .unwrap();
    assert_eq!(hpc.items.len(), 1);
    assert_eq!(cluster_id(&hpc.items[0]), "hpc-sandbx02");
    let unset = client
        .clusters()
        .list()
        .cluster_type("hpc")
        .set_cluster_type(None)
        .send()
        .await
        .unwrap();
    assert_eq!(unset.total_count, 3, "set_x(None) unsets x");
}

#[tokio::test]
async fn a_wrong_key_is_refused_on_the_new_route_and_not_retried() {
    let sandbox = Sandbox::builder().jobs(1).start().await.unwrap();
    let client = hpc_sdk::ehpc::ClientBuilder::from_lookup(
        |k| match k {
            "QY_SECRET_ACCESS_KEY" => Some("not-the-secret".into()),
            other => sandbox.env(other),
        },
        None,
    )
    .unwrap()
    .build()
    .unwrap();
    let err = client.clusters().list().send().await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::Ehpc(EhpcCode::AuthFailed)));
    assert_eq!(sandbox.request_count("/api/cluster/list"), 1);
}

#[tokio::test]
async fn a_busy_cluster_listing_is_retried_as_the_spec_marks_it_idempotent() {
    let sandbox = Sandbox::builder().jobs(1).start().await.unwrap();
    sandbox.inject(Fault::ehpc_code("/api/cluster/list", 5100));
    let page = ehpc(&sandbox).clusters().list().send().await.unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(sandbox.request_count("/api/cluster/list"), 2);
}

#[tokio::test]
async fn a_region_lists_its_schedulers_with_the_region_token() {
    let sandbox = Sandbox::builder().jobs(1).start().await.unwrap();
    let client = scnet(&sandbox);
    let schedulers = client.schedulers().list().send().await.unwrap();
    assert_eq!(schedulers.len(), 1);
    let scheduler = &schedulers[0];
    // The vendor's id is a number; it arrives as the string job calls take.
    let id = scheduler.id.as_ref().unwrap().as_str();
    assert!(id.parse::<u64>().is_ok(), "{id}");
    assert_eq!(scheduler.text.as_deref(), Some("Cluster"));
    assert_eq!(sandbox.request_count("/hpc/openapi/v2/cluster"), 1);

    // An expired token (10008) is refreshed once, and the call succeeds.
    sandbox.inject(Fault::scnet_code("/hpc/openapi/v2/cluster", "10008"));
    assert_eq!(client.schedulers().list().send().await.unwrap().len(), 1);

    // A region the login did not answer is an error that says so.
    let err = client
        .schedulers()
        .list()
        .region("99999")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn a_permanent_scheduler_error_is_not_retried() {
    let sandbox = Sandbox::builder().jobs(1).start().await.unwrap();
    let client = scnet(&sandbox);
    sandbox.inject(Fault::scnet_code("/hpc/openapi/v2/cluster", "10004"));
    let err = client.schedulers().list().send().await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::Scnet(ScnetCode::InvalidParameters))
    );
    assert_eq!(sandbox.request_count("/hpc/openapi/v2/cluster"), 1);
}

#[test]
#[allow(clippy::bool_assert_comparison)] // facts read from the spec, compared as data
fn the_facts_of_each_operation_come_from_the_spec() {
    use ehpc_client::operations as ehpc_ops;
    use scnet_client::operations as scnet_ops;
    let clusters = ehpc_ops::LIST_CLUSTERS;
    assert_eq!(
        (clusters.method, clusters.path),
        ("GET", "/api/cluster/list")
    );
    assert_eq!(clusters.idempotent, true);
    assert_eq!(clusters.paging.unwrap().max_limit, 100);
    assert_eq!(clusters.paging.unwrap().items, "cluster_set");
    assert_eq!(scnet_ops::LIST_SCHEDULERS.host, scnet_ops::Host::RegionHpc);
    assert_eq!(
        scnet_ops::LIST_SCHEDULERS.auth,
        scnet_ops::Auth::RegionToken
    );
    // A renewal may have replaced the old token: never repeated.
    assert_eq!(scnet_ops::RENEW_TOKEN.idempotent, false);
    // A submit, a stop or a delete that may have reached the server is never repeated.
    for mutation in [
        ehpc_ops::SUBMIT_JOB,
        ehpc_ops::STOP_JOBS,
        ehpc_ops::DELETE_JOBS,
    ] {
        assert_eq!((mutation.method, mutation.idempotent), ("POST", false));
    }
    assert_eq!(
        ehpc_ops::GET_JOB_DETAIL.path,
        "/api/job/jobdetail/{job_uuid}"
    );
    assert_eq!(ehpc_ops::OPERATIONS.len(), 10);
    for mutation in [scnet_ops::SUBMIT_JOB, scnet_ops::CANCEL_JOBS] {
        assert_eq!(mutation.idempotent, false, "{}", mutation.id);
    }
    assert_eq!(scnet_ops::CANCEL_JOBS.method, "DELETE");
    assert_eq!(scnet_ops::OPERATIONS.len(), 24);
    // The efile calls go to the efile gateway; the streamed ones (multipart uploads, the
    // binary download) keep their facts although progenitor generates no method for them.
    for efile in [
        scnet_ops::LIST_FILES,
        scnet_ops::MAKE_DIRECTORY,
        scnet_ops::UPLOAD_FILE,
        scnet_ops::UPLOAD_CHUNK,
        scnet_ops::MERGE_CHUNKS,
        scnet_ops::DOWNLOAD_FILE,
    ] {
        assert_eq!(efile.host, scnet_ops::Host::RegionEfile, "{}", efile.id);
    }
    assert_eq!(scnet_ops::UPLOAD_FILE.idempotent, false);
    assert_eq!(scnet_ops::MERGE_CHUNKS.idempotent, false);
}

#[tokio::test]
async fn a_missing_or_blank_required_input_is_refused_before_any_request() {
    let sandbox = Sandbox::builder().jobs(1).start().await.unwrap();
    let client = scnet(&sandbox);
    let jobs = || client.jobs().member_jobs().cluster_id(11112).group_id(1);
    for request in [jobs(), jobs().cluster_user_name("  ")] {
        let err = request.send().await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        assert!(err.to_string().contains("`clusterUserName`"), "{err}");
    }
    let err = client
        .jobs()
        .member_jobs()
        .cluster_user_name("u")
        .cluster_id(1)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`groupId`"), "{err}");
    assert_eq!(sandbox.request_count("/clusterUserNames/"), 0);
    assert_eq!(sandbox.logins(), 0, "not even a login");
}
