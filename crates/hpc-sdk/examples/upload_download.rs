//! Move files through SCNet's efile service: upload (in parallel chunks above 32 MiB),
//! list, download with progress: `cargo run -p hpc-sdk --example upload_download`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = hpc_sandbox::Sandbox::builder().start().await?;
    let scnet = hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k))?.build()?;
    let files = scnet.files();
    let local = tempfile::tempdir()?;
    let input = local.path().join("input.dat");
    std::fs::write(&input, vec![7u8; 40 << 20])?;

    let dir = "/public/home/acsandbox/run-1";
    files.mkdir(dir).parents(true).send().await?;
    let up = files
        .upload(&input, dir)
        .on_progress(|p| {
            if p.done == p.total.unwrap_or(0) {
                eprintln!("sent {} bytes", p.done);
            }
        })
        .send()
        .await?;
    println!(
        "uploaded {} ({} bytes, {} chunks)",
        up.remote_path, up.size, up.chunks
    );

    let page = files.list(dir).send().await?;
    for entry in &page.items {
        println!("{} {:?}", entry.name, entry.size);
    }
    let back = local.path().join("back.dat");
    let got = files.download(&up.remote_path, &back).send().await?;
    assert_eq!(std::fs::read(&back)?, std::fs::read(&input)?);
    println!("downloaded {} bytes to {}", got.bytes, got.path.display());
    Ok(())
}
