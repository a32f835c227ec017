//! The sandbox as a program: `cargo run -p hpc-sandbox` and `hpc sandbox`.

use std::io::{self, Write};

use crate::sandbox::SandboxBuilder;

/// Serves the sandbox `builder` describes (jobs, port, speed...) until Ctrl-C. Prints
/// the environment lines on stdout first, then on stderr how to stop.
pub async fn run_standalone(builder: SandboxBuilder) -> io::Result<()> {
    let sandbox = builder.start().await?;
    {
        let mut out = io::stdout().lock();
        for line in sandbox.env_lines() {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    eprintln!(
        "hpc-sandbox: serving {} jobs (SCNet hpc host {}); press Ctrl-C to stop",
        sandbox.job_count(),
        sandbox.scnet_hpc_url()
    );
    tokio::signal::ctrl_c().await?;
    drop(sandbox);
    eprintln!("hpc-sandbox: stopped");
    Ok(())
}
