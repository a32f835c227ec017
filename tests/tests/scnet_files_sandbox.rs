//! SCNet files through the facade against the sandbox's two efile gateways: list and
//! mkdir, small and chunked uploads with exact request counts, a chunk failing once,
//! downloads cut and resumed, the JSON envelope on HTTP 200, folders as zips.

use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::TryStreamExt;
use hpc_sandbox::{Fault, Sandbox};
use hpc_sdk::scnet::{Client, Progress};
use hpc_sdk::{ErrorCode, RetryPolicy, ScnetCode};
use sha2::{Digest, Sha256};

const HOME: &str = "/public/home/acsandbox";
const UPLOAD: &str = "/efile/openapi/v2/file/upload";
const BURST: &str = "/efile/openapi/v2/file/burst";
const MERGE: &str = "/efile/openapi/v2/file/merge";
const DOWNLOAD: &str = "/efile/openapi/v2/file/download";
const LIST: &str = "/efile/openapi/v2/file/list";

fn builder(sandbox: &Sandbox) -> hpc_sdk::scnet::ClientBuilder {
    hpc_sdk::scnet::ClientBuilder::from_lookup(|k| sandbox.env(k)).unwrap()
}

fn scnet(sandbox: &Sandbox) -> Client {
    builder(sandbox).build().unwrap()
}

/// `size` bytes that are not all alike, so that a misplaced chunk shows.
fn bytes(size: usize) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31) ^ (i >> 13) as u8)
        .collect()
}

fn sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn file_sha256(path: &Path) -> String {
    sha256(&std::fs::read(path).unwrap())
}

fn scnet_code(error: &hpc_sdk::Error) -> Option<ScnetCode> {
    match error.code() {
        Some(ErrorCode::Scnet(code)) => Some(code.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn mkdir_and_list_page_through_a_folder() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let files = scnet(&sandbox).files();
    let dir = format!("{HOME}/runs/1");
    files.mkdir(&dir).parents(true).send().await.unwrap();
    // Existing already: success with parents, 911021 without.
    files.mkdir(&dir).parents(true).send().await.unwrap();
    let again = files.mkdir(&dir).send().await.unwrap_err();
    assert_eq!(scnet_code(&again), Some(ScnetCode::FileExists), "{again}");
    assert!(sandbox.files().is_dir(&dir));

    for i in 0..25 {
        sandbox
            .files()
            .write(&format!("{dir}/f{i:02}.txt"), format!("{i}").as_bytes())
            .unwrap();
    }
    let before = sandbox.request_count(LIST);
    let entries: Vec<_> = files
        .list(&dir)
        .page_size(10)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(entries.len(), 25);
    assert_eq!(sandbox.request_count(LIST) - before, 3, "three pages of 10");
    let first = entries.iter().find(|e| e.name == "f00.txt").unwrap();
    assert_eq!(first.path, format!("{dir}/f00.txt"));
    assert_eq!((first.size, first.is_dir), (Some(1), false));

    let home: Vec<_> = files.list("").items().try_collect().await.unwrap();
    assert!(
        home.iter().any(|e| e.name == "runs" && e.is_dir),
        "{home:?}"
    );
    let relative = files.mkdir("runs/2").send().await.unwrap_err();
    assert!(
        matches!(relative, hpc_sdk::Error::InvalidInput { .. }),
        "{relative}"
    );
}

#[tokio::test]
async fn a_small_file_goes_in_one_request_and_is_kept_unless_overwritten() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let files = scnet(&sandbox).files();
    let local = tempfile::tempdir().unwrap();
    let path = local.path().join("in.dat");
    std::fs::write(&path, bytes(100_000)).unwrap();

    let up = files.upload(&path, HOME).send().await.unwrap();
    assert_eq!(up.remote_path, format!("{HOME}/in.dat"));
    assert_eq!((up.size, up.chunks), (100_000, 0));
    assert_eq!(sandbox.request_count(UPLOAD), 1);
    assert_eq!(sandbox.request_count(BURST), 0);

    std::fs::write(&path, b"changed").unwrap();
    let kept = files.upload(&path, HOME).send().await.unwrap_err();
    assert_eq!(scnet_code(&kept), Some(ScnetCode::FileExists), "{kept}");
    assert_eq!(
        sandbox.files().len(&format!("{HOME}/in.dat")).unwrap(),
        100_000
    );
    let replaced = files
        .upload(&path, HOME)
        .overwrite(true)
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.size, 7);
    assert_eq!(sandbox.files().len(&format!("{HOME}/in.dat")).unwrap(), 7);
}

#[tokio::test]
async fn a_chunked_put_then_get_round_trips_on_one_gateway() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let files = scnet(&sandbox).files();
    let local = tempfile::tempdir().unwrap();
    let data = bytes(3 * 512 * 1024 + 1234);
    let path = local.path().join("big.bin");
    std::fs::write(&path, &data).unwrap();

    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let sink = seen.clone();
    let up = files
        .upload(&path, HOME)
        .chunk_threshold(0)
        .chunk_size(512 * 1024)
        .parallel(3)
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .send()
        .await
        .unwrap();
    assert_eq!((up.size, up.chunks), (data.len() as u64, 4));
    assert_eq!(sandbox.request_count(BURST), 4);
    assert_eq!(sandbox.request_count(MERGE), 1);
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!(last.done, data.len() as u64);
    assert_eq!(last.total, Some(data.len() as u64));
    // Every efile request of the session (lists, chunks, merge) went to one gateway.
    let by_gateway = sandbox.efile_requests_by_gateway();
    assert!(by_gateway.contains(&0), "{by_gateway:?}");

    let back = local.path().join("back.bin");
    let got = files.download(&up.remote_path, &back).send().await.unwrap();
    assert_eq!(got.bytes, data.len() as u64);
    assert!(!got.zip);
    assert_eq!(file_sha256(&back), sha256(&data));
    assert!(!local.path().join("back.bin.hpc-part").exists());
}

#[tokio::test]
async fn a_chunk_failing_once_costs_exactly_one_more_chunk_request() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let files = scnet(&sandbox).files();
    let local = tempfile::tempdir().unwrap();
    let data = bytes(5 * 256 * 1024);
    let path = local.path().join("five.bin");
    std::fs::write(&path, &data).unwrap();
    sandbox.inject(Fault::status(BURST, 500).times(1));
    let up = files
        .upload(&path, HOME)
        .chunk_threshold(0)
        .chunk_size(256 * 1024)
        .send()
        .await
        .unwrap();
    assert_eq!(up.chunks, 5);
    assert_eq!(sandbox.request_count(BURST), 6);
    assert_eq!(sandbox.request_count(MERGE), 1);
    let mut merged = Vec::new();
    std::io::Read::read_to_end(
        &mut sandbox.files().open(&up.remote_path).unwrap(),
        &mut merged,
    )
    .unwrap();
    assert_eq!(sha256(&merged), sha256(&data));
}

#[tokio::test]
async fn a_cut_download_goes_on_with_a_range() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let data = bytes(2 << 20);
    let remote = format!("{HOME}/out.bin");
    sandbox.files().write(&remote, &data).unwrap();
    let local = tempfile::tempdir().unwrap();

    // Within one call: the cut stream is picked up where it stopped.
    sandbox.inject(Fault::cut_after_bytes(DOWNLOAD, 300_000).times(1));
    let target = local.path().join("auto.bin");
    let got = scnet(&sandbox)
        .files()
        .download(&remote, &target)
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes, data.len() as u64);
    assert_eq!(sandbox.request_count(DOWNLOAD), 2);
    assert_eq!(file_sha256(&target), sha256(&data));

    // Without retries the call fails: nothing under the final name, the part kept;
    // a second call with resume asks only for the rest.
    let once = builder(&sandbox)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    sandbox.inject(Fault::cut_after_bytes(DOWNLOAD, 700_000).times(1));
    let target = local.path().join("resumed.bin");
    let error = once
        .files()
        .download(&remote, &target)
        .send()
        .await
        .unwrap_err();
    assert!(!target.exists(), "{error}");
    let part = local.path().join("resumed.bin.hpc-part");
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept > 0 && kept <= 700_000, "{kept}");
    let got = once
        .files()
        .download(&remote, &target)
        .resume(true)
        .send()
        .await
        .unwrap();
    assert_eq!((got.resumed_from, got.bytes), (kept, data.len() as u64));
    assert_eq!(file_sha256(&target), sha256(&data));
    assert!(!part.exists());
}

#[tokio::test]
async fn a_missing_file_is_the_envelope_on_200_and_never_written() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("nothing.txt");
    let error = scnet(&sandbox)
        .files()
        .download(format!("{HOME}/nothing.txt"), &target)
        .send()
        .await
        .unwrap_err();
    assert_eq!(scnet_code(&error), Some(ScnetCode::FileNotFound), "{error}");
    assert_eq!(error.http_status(), Some(200));
    assert_eq!(std::fs::read_dir(local.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn a_folder_arrives_as_a_zip_named_after_it() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    sandbox
        .files()
        .write(&format!("{HOME}/res/a.txt"), b"a")
        .unwrap_or_else(|_| {
            sandbox.files().mkdir(&format!("{HOME}/res"), true).unwrap();
            sandbox
                .files()
                .write(&format!("{HOME}/res/a.txt"), b"a")
                .unwrap();
        });
    let local = tempfile::tempdir().unwrap();
    let got = scnet(&sandbox)
        .files()
        .download(format!("{HOME}/res"), local.path())
        .send()
        .await
        .unwrap();
    assert!(got.zip);
    assert_eq!(got.path, local.path().join("res.zip"));
    assert!(std::fs::read(&got.path).unwrap().starts_with(b"PK\x03\x04"));
}

#[tokio::test]
async fn a_failed_gateway_moves_the_next_operation_to_the_other() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let files = builder(&sandbox)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .files();
    files.list("").send().await.unwrap();
    let before = sandbox.efile_requests_by_gateway();
    sandbox.inject(Fault::drop_connection(LIST).times(1));
    files.list("").send().await.unwrap_err();
    files.list("").send().await.unwrap();
    let after = sandbox.efile_requests_by_gateway();
    assert_eq!(
        [after[0] - before[0], after[1] - before[1]],
        [1, 1],
        "the failed request on the first, the next on the second"
    );
}
