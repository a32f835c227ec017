//! The platform host's token, discovery and member-job calls.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use scnet_client::types::{
    Center, CenterResponse, ClusterUserInfo, MemberJobsResponse, ServiceUrl, TokenRenewalResponse,
    TokenStateResponse,
};

use super::envelope::{SUCCESS, codes, fail, ok_code, scnet_json};
use super::{claims, live, login, region_claims};
use crate::credentials::SCNET_CLUSTER_NAME;
use crate::state::{Counters, Shared};

/// The version the sandbox's services report.
const SERVICE_VERSION: &str = "5.2.2";

/// `POST /ac/openapi/v2/tokens/next`: a fresh token of the same kind.
pub(crate) async fn renew(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let claims = match claims(&shared, &headers) {
        Ok(claims) => claims,
        Err(rejection) => return fail(rejection),
    };
    let token = login::new_token(&shared, &claims.cluster_id, &claims.user);
    Counters::bump(&shared.counters.renewals);
    scnet_json(&TokenRenewalResponse {
        code: ok_code(),
        data: Some(serde_json::Value::String(token)),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// `GET /ac/openapi/v2/tokens/state`.
pub(crate) async fn state(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(error) = claims(&shared, &headers) {
        return fail(error);
    }
    scnet_json(&TokenStateResponse {
        code: ok_code(),
        data: Some("token is valid".to_owned()),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// `GET /ac/openapi/v2/center`: region token only; the platform token gets 10001.
pub(crate) async fn center(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(error) = region_claims(&shared, &headers, codes::INTERNAL) {
        return fail(error);
    }
    let credentials = &shared.credentials;
    let service = |url: String| ServiceUrl {
        enable: Some("true".to_owned()),
        url: Some(url),
        version: Some(SERVICE_VERSION.to_owned()),
    };
    let hpc = shared.hpc_service_url.clone();
    // The hpc and efile services exist; the others point nowhere useful and say so.
    let disabled = |suffix: &str| ServiceUrl {
        enable: Some("false".to_owned()),
        url: Some(hpc.replace("/hpc", suffix)),
        version: Some(SERVICE_VERSION.to_owned()),
    };
    scnet_json(&CenterResponse {
        code: ok_code(),
        data: Some(Center {
            id: credentials.scnet_cluster_id.parse().ok(),
            name: Some(SCNET_CLUSTER_NAME.to_owned()),
            cluster_user_info: Some(ClusterUserInfo {
                user_name: Some(credentials.scnet_cluster_user.clone()),
                home_path: Some(format!("/public/home/{}", credentials.scnet_cluster_user)),
            }),
            hpc_urls: vec![service(hpc.clone())],
            efile_urls: shared.efile.urls.iter().cloned().map(service).collect(),
            ai_urls: vec![disabled("/ai")],
            ingress_urls: Vec::new(),
            eshell_urls: vec![disabled("/eshell")],
        }),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

/// `GET /ac/openapi/v2/clusters/{clusterId}/groups/{groupId}/clusterUserNames/{u}/jobs`:
/// platform token only.
pub(crate) async fn member_jobs(
    State(shared): State<Arc<Shared>>,
    Path((cluster_id, group_id, user)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let claims = match claims(&shared, &headers) {
        Ok(claims) => claims,
        Err(rejection) => return fail(rejection),
    };
    if !claims.is_platform() {
        return fail(codes::DENIED);
    }
    let credentials = &shared.credentials;
    // Parsed as integers, as the server does: the group id must survive exactly.
    let cluster_ok = cluster_id.parse::<i64>().ok().map(|id| id.to_string())
        == Some(credentials.scnet_cluster_id.clone());
    if !cluster_ok || group_id.parse::<i64>().ok() != Some(credentials.scnet_group_id) {
        return fail(codes::INVALID);
    }
    if user != credentials.scnet_cluster_user {
        return fail(codes::DENIED);
    }
    scnet_json(&MemberJobsResponse {
        code: ok_code(),
        data: Some(live::member_jobs(shared.seed)),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}
