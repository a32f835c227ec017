//! End to end: a listing whose filters hold any text is signed by the SDK and checked by
//! the sandbox's independent verifier, which must never answer 1200 (or any error).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use hpc_sandbox::Sandbox;
use libfuzzer_sys::fuzz_target;

struct World {
    rt: tokio::runtime::Runtime,
    _sandbox: Sandbox,
    client: hpc_sdk::ehpc::Client,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = rt.block_on(Sandbox::builder().jobs(50).start()).unwrap();
        let c = sandbox.credentials();
        let client = hpc_sdk::ehpc::Client::builder()
            .endpoint(sandbox.ehpc_url())
            .zone(&c.ehpc_zone)
            .cluster_id(&c.ehpc_cluster_id)
            .credentials(&c.ehpc_access_key_id, &c.ehpc_secret_access_key)
            .retry(hpc_sdk::RetryPolicy::none())
            .timeouts(hpc_sdk::Timeouts::default().per_attempt(Duration::from_secs(10)))
            .build()
            .unwrap();
        World {
            rt,
            _sandbox: sandbox,
            client,
        }
    })
}

fuzz_target!(|filters: (String, String, String)| {
    let world = world();
    let (word, queue, user) = filters;
    let request = world
        .client
        .jobs()
        .list()
        .search_word(word)
        .queue(queue)
        .run_user(user)
        .page_size(5);
    if let Err(error) = world.rt.block_on(request.send()) {
        panic!("the sandbox refused a signed request: {error}");
    }
});
