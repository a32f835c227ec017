//! `cluster/list`: the account's clusters, filtered and paged like `job/list`, each in
//! the shape of the vendor's example (the fields nested under `app_cluster`).

use serde_json::{Value, json};

use crate::credentials::Credentials;

/// One cluster of the account.
struct Cluster {
    id: String,
    name: &'static str,
    kind: &'static str,
    status: &'static str,
    nodes: u32,
    created: &'static str,
}

/// The sandbox's clusters: its own EHPC cluster (the one its jobs run on) first.
fn clusters(credentials: &Credentials) -> Vec<Cluster> {
    vec![
        Cluster {
            id: credentials.ehpc_cluster_id.clone(),
            name: "sandbox-ehpc",
            kind: "ehpc",
            status: "active",
            nodes: 4,
            created: "2024-03-01T08:00:00Z",
        },
        Cluster {
            id: "hpc-sandbx02".into(),
            name: "sandbox-hpc",
            kind: "hpc",
            status: "active",
            nodes: 1,
            created: "2024-02-11T09:30:00Z",
        },
        Cluster {
            id: "ehpc-sandbx03".into(),
            name: "sandbox-stopped",
            kind: "ehpc",
            status: "stopped",
            nodes: 2,
            created: "2023-12-24T17:45:00Z",
        },
    ]
}

/// The answer to one `cluster/list` request; `Err` is the 1100 message.
pub(crate) fn list(
    credentials: &Credentials,
    params: &[(String, String)],
) -> Result<Value, String> {
    let value = |key: &str| super::param(params, key);
    let mut matching: Vec<Cluster> = clusters(credentials)
        .into_iter()
        .filter(|c| value("cluster_id").is_none_or(|id| id == c.id))
        .filter(|c| value("cluster_type").is_none_or(|kind| kind == c.kind))
        .filter(|c| value("status").is_none_or(|status| status == c.status))
        .filter(|c| value("search_word").is_none_or(|word| c.name.contains(word)))
        .collect();
    // Newest first by default, as the vendor sorts by creation time.
    matching.sort_by(|a, b| b.created.cmp(a.created));
    let (total, page) = super::directory::page(params, matching.iter().map(render).collect())?;
    Ok(json!({
        "action": "HpcClusterListClusterResponse",
        "cluster_set": page,
        "ret_code": 0,
        "total_count": total,
    }))
}

fn render(cluster: &Cluster) -> Value {
    json!({"app_cluster": {
        "app_cluster_id": format!("cl-{}", &cluster.id[cluster.id.len().saturating_sub(8)..]),
        "cluster_id": cluster.id,
        "cluster_name": cluster.name,
        "cluster_status": cluster.status,
        "cluster_type": cluster.kind,
        "cluster_sw": [],
        "create_time": cluster.created,
        "description": " ",
        "paid_type": "PayForUsed",
        "scheduler_type": "slurm",
        "total_node_count": cluster.nodes,
        "project_info": {"shared_status": "not_shared", "project_role": "none"},
    }})
}
