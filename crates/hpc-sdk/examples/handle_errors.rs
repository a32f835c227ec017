//! What each error means for the caller: the platform's code, whether a retry can help,
//! and a submit whose outcome is unknown: `cargo run -p hpc-sdk --example handle_errors`.

use hpc_sandbox::Fault;
use hpc_sdk::{Error, ErrorCode, ScnetCode};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = hpc_sandbox::Sandbox::builder().start().await?;
    let scnet = hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))?.build()?;

    // A code from the server, typed: a missing file is 911020, never retried.
    let missing = scnet
        .files()
        .download(
            "/public/home/acsandbox/nothing",
            std::env::temp_dir().join("nothing"),
        )
        .send()
        .await
        .unwrap_err();
    match missing.code() {
        Some(ErrorCode::Scnet(ScnetCode::FileNotFound)) => println!("not found: {missing}"),
        other => println!("another error ({other:?}): {missing}"),
    }
    println!("retryable? {}", missing.is_retryable());

    // A submit answered with a dropped connection may have created the job: the SDK
    // never sends it again, and says how to look for it.
    sandbox.inject(Fault::drop_after_handling(
        "/hpc/openapi/v2/apptemplates/BASIC/BASE/job",
    ));
    let submit = scnet
        .jobs()
        .submit()
        .name("doubt")
        .command("sleep 60")
        .queue("comp");
    match submit.send().await {
        Err(doubt @ Error::MaybeSubmitted { .. }) => {
            println!("{doubt}");
            let found = scnet.jobs().find_submitted(&doubt).await?;
            println!("looked it up: {found:?}");
        }
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
