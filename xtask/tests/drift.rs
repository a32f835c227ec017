//! `cargo xtask codegen --check` on a temporary copy of the workspace: it passes on the
//! committed state, fails with a readable diff after a spec edit, writes nothing, and a
//! regeneration is byte-identical.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GENERATED: &[&str] = &[
    "crates/ehpc-client/src/generated.rs",
    "crates/ehpc-client/src/generated_httpmock.rs",
    "crates/ehpc-client/src/generated_operations.rs",
    "crates/scnet-client/src/generated.rs",
    "crates/scnet-client/src/generated_httpmock.rs",
    "crates/scnet-client/src/generated_operations.rs",
    "crates/hpc-sdk/src/ehpc/generated.rs",
    "crates/hpc-sdk/src/scnet/generated.rs",
    "crates/hpc-sdk/src/codes/generated_ehpc.rs",
    "crates/hpc-sdk/src/codes/generated_scnet.rs",
];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A copy of `spec/` and the committed generated files under a fresh directory.
fn copy_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = workspace();
    std::fs::create_dir_all(dir.path().join("spec")).unwrap();
    for spec in ["spec/ehpc.yaml", "spec/scnet.yaml"] {
        std::fs::copy(from.join(spec), dir.path().join(spec)).unwrap();
    }
    for file in GENERATED {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from.join(file), to).unwrap();
    }
    dir
}

fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("codegen")
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

fn snapshot(root: &Path) -> Vec<Vec<u8>> {
    GENERATED
        .iter()
        .map(|f| std::fs::read(root.join(f)).unwrap())
        .collect()
}

#[test]
fn check_passes_on_the_committed_files() {
    let dir = copy_workspace();
    let out = xtask(dir.path(), &["--check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_fails_with_a_diff_after_a_spec_edit_and_writes_nothing() {
    let dir = copy_workspace();
    let spec = dir.path().join("spec/ehpc.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let edited = text.replacen(
        "        - name: sort_key\n",
        "        - name: owner_tag\n          in: query\n          required: false\n          description: added by the drift test\n          schema:\n            type: string\n        - name: sort_key\n",
        1,
    );
    assert_ne!(text, edited, "the edit must apply");
    std::fs::write(&spec, edited).unwrap();
    let before = snapshot(dir.path());

    let out = xtask(dir.path(), &["--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stale:      crates/ehpc-client/src/generated.rs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("+") && stderr.contains("owner_tag"),
        "the diff shows the change: {stderr}"
    );
    assert!(stderr.contains("run `cargo xtask codegen`"), "{stderr}");
    assert_eq!(before, snapshot(dir.path()), "--check writes nothing");

    // Regenerating fixes it, and a second run is byte-identical.
    assert!(xtask(dir.path(), &[]).status.success());
    let first = snapshot(dir.path());
    let again = xtask(dir.path(), &[]);
    assert!(again.status.success());
    assert_eq!(first, snapshot(dir.path()));
    assert!(!String::from_utf8_lossy(&again.stdout).contains("wrote:"));
    assert!(xtask(dir.path(), &["--check"]).status.success());
}

#[test]
fn a_broken_spec_is_reported_with_its_file_and_reason() {
    let dir = copy_workspace();
    let spec = dir.path().join("spec/scnet.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        text.replace("operationId: renew_token", "operationId: get_center"),
    )
    .unwrap();
    let out = xtask(dir.path(), &["--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an error, not a panic: {stderr}"
    );
    assert!(stderr.contains("spec/scnet.yaml"), "{stderr}");
    assert!(
        stderr.contains("`operationId: get_center` is used by another operation too"),
        "{stderr}"
    );
}

#[test]
fn a_path_template_without_its_parameter_is_an_error_not_a_panic() {
    let dir = copy_workspace();
    let spec = dir.path().join("spec/ehpc.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    // progenitor itself panics on this one.
    std::fs::write(
        &spec,
        text.replace("  /api/job/list:", "  /api/job/{undeclared}:"),
    )
    .unwrap();
    let out = xtask(dir.path(), &["--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("spec/ehpc.yaml"), "{stderr}");
    assert!(
        stderr.contains("`{undeclared}` has no `in: path` parameter"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("codegen")
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: cargo xtask codegen"));
}

#[test]
fn an_edit_of_an_operations_facts_is_drift_in_the_layers_above_the_client() {
    let dir = copy_workspace();
    let spec = dir.path().join("spec/ehpc.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let edited = text.replacen(
        "items: cluster_set, key: cluster_id, max_limit: 100}",
        "items: cluster_set, key: cluster_id, max_limit: 50}",
        1,
    );
    assert_ne!(text, edited, "the edit must apply");
    std::fs::write(&spec, edited).unwrap();
    let out = xtask(dir.path(), &["--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for stale in [
        "stale:      crates/ehpc-client/src/generated_operations.rs",
        "stale:      crates/hpc-sdk/src/ehpc/generated.rs",
    ] {
        assert!(stderr.contains(stale), "{stale}: {stderr}");
    }
    assert!(stderr.contains("size.clamp(1, 50)"), "{stderr}");
}
