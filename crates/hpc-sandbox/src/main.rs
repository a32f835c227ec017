//! `cargo run -p hpc-sandbox -- --jobs N --port P`: the sandbox until Ctrl-C.

use clap::Parser;

/// Fake EHPC and SCNet servers on loopback, with demo credentials.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// How many EHPC jobs to seed.
    #[arg(long, default_value_t = hpc_sandbox::DEFAULT_JOBS)]
    jobs: usize,
    /// The EHPC server's port (the SCNet servers take the next five); 0 for free ports.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// How much faster than real time submitted jobs wait and run.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let builder = hpc_sandbox::Sandbox::builder()
        .jobs(args.jobs)
        .port(args.port)
        .speed(args.speed);
    hpc_sandbox::run_standalone(builder).await
}
