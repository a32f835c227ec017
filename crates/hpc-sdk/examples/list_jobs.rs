//! List jobs on both clouds, against the embedded sandbox (no account needed):
//! `cargo run -p hpc-sdk --example list_jobs`. With real credentials in the
//! environment, `from_env()` in place of `from_lookup(...)` does the same for real.

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = hpc_sandbox::Sandbox::builder().jobs(250).start().await?;

    let ehpc = hpc_sdk::ehpc::ClientBuilder::from_lookup(|k| sandbox.env(k), None)?.build()?;
    let cluster = sandbox.env("EHPC_CLUSTER_ID").unwrap_or_default();
    // Every page, two fetched ahead, as one stream of jobs.
    let jobs: Vec<_> = ehpc
        .jobs()
        .list()
        .cluster_id(cluster)
        .prefetch(2)
        .items()
        .try_collect()
        .await?;
    println!(
        "EHPC: {} jobs; the first: {:?}",
        jobs.len(),
        jobs.first().and_then(|j| j.job_name.as_deref())
    );

    let scnet = hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))?.build()?;
    let counts = scnet.jobs().state_counts().send().await?;
    println!(
        "SCNet: {} running, {} queued",
        counts.running, counts.queued
    );
    Ok(())
}
