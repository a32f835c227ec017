//! Submit a job described once for either cloud, follow it to its end, read its output:
//! `cargo run -p hpc-sdk --example submit_and_wait` (against the embedded sandbox).

use std::time::Duration;

use futures::TryStreamExt;
use hpc_sdk::{JobSpec, JobStatus, PollInterval};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = hpc_sandbox::Sandbox::builder().speed(100.0).start().await?;
    let scnet = hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))?.build()?;

    let spec = JobSpec::new("hello", "echo hello from the cluster")
        .queue("comp")
        .walltime(Duration::from_secs(600));
    let job = scnet.jobs().submit().spec(&spec).send().await?;
    println!("submitted {} (stdout: {})", job.id, job.stdout);

    // One realtime listing per poll, however many jobs are watched.
    let mut updates = scnet
        .jobs()
        .watch([job.id.clone()])
        .interval(PollInterval::default().min(Duration::from_millis(100)))
        .stream();
    let mut last = JobStatus::Queued;
    while let Some(update) = updates.try_next().await? {
        println!("{} is {}", update.id, update.status);
        last = update.status;
    }
    if last == JobStatus::Completed {
        print!("{}", scnet.jobs().output(job.id).text().await?);
    }
    Ok(())
}
