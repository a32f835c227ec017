//! `docs/guide.md`'s blocks other than Rust (those run as doctests of this crate's
//! library): only languages that something checks; the TOML names this workspace's
//! crates at their versions; the YAML is a config file the SDK reads; every exported
//! variable is one the SDK reads. The `hpc` lines run in `hpc-cli`'s `guide` suite.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

fn of(language: &str) -> Vec<String> {
    hpc_tests::guide_blocks()
        .into_iter()
        .filter(|(l, _)| l == language)
        .map(|(_, body)| body)
        .collect()
}

#[test]
fn every_block_is_in_a_checked_language() {
    let languages: BTreeSet<String> = hpc_tests::guide_blocks()
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    let checked: BTreeSet<String> = ["rust", "sh", "toml", "yaml"].map(String::from).into();
    assert!(
        languages.is_subset(&checked),
        "unchecked blocks: {:?}",
        languages.difference(&checked).collect::<Vec<_>>()
    );
    assert!(of("rust").len() >= 8, "the guide lost its programs");
}

/// `name = "req"` or `name = { version = "req", ... }` lines of a TOML block.
fn requirements(toml: &str) -> Vec<(String, String)> {
    toml.lines()
        .filter(|line| !line.starts_with('[') && !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line.split_once(" = ").expect("a `name = value` line");
            let version = value
                .split('"')
                .nth(1)
                .expect("a quoted version requirement");
            (name.trim().to_string(), version.to_string())
        })
        .collect()
}

/// Whether requirement `req` (`"1"`, `"0.3"`) admits `version` as cargo reads it: the
/// same leftmost non-zero part, and the parts given equal.
fn admits(req: &str, version: &str) -> bool {
    let version: Vec<&str> = version.split('.').collect();
    req.split('.')
        .zip(&version)
        .all(|(want, have)| want == *have)
}

#[test]
fn the_toml_names_the_workspace_crates_at_their_versions() {
    let blocks = of("toml");
    assert_eq!(blocks.len(), 1, "one dependency block");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    for (name, req) in requirements(&blocks[0]) {
        let version = match name.as_str() {
            "hpc-sdk" | "hpc-sandbox" => env!("CARGO_PKG_VERSION").to_string(),
            // A third-party crate: the workspace's own requirement of it.
            other => {
                let line = workspace
                    .lines()
                    .find(|line| line.starts_with(&format!("{other} = ")))
                    .unwrap_or_else(|| panic!("{other} is not a workspace dependency"));
                requirements(line)[0].1.clone()
            }
        };
        assert!(
            admits(&req, &version),
            "{name} = {req:?}, but the workspace has {version}"
        );
    }
}

#[test]
fn the_yaml_is_a_config_file_the_sdk_reads() {
    let blocks = of("yaml");
    assert_eq!(blocks.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, &blocks[0]).unwrap();
    let builder = hpc_sdk::ehpc::ClientBuilder::from_lookup(|_| None, Some(&path)).unwrap();
    let shown = format!("{builder:?}");
    assert!(
        shown.contains("QYACCESSKEYIDEXAMPLE") && shown.contains("jinan1a"),
        "{shown}"
    );
    builder.build().expect("the file alone makes a client");
}

#[test]
fn every_exported_variable_is_one_the_sdk_reads() {
    let read = RefCell::new(BTreeSet::new());
    let lookup = |name: &str| {
        read.borrow_mut().insert(name.to_string());
        None
    };
    hpc_sdk::ehpc::ClientBuilder::from_lookup(lookup, None).unwrap();
    hpc_sdk::scnet::ClientBuilder::from_lookup(lookup).unwrap();
    let read = read.into_inner();
    let exported: Vec<String> = of("sh")
        .iter()
        .flat_map(|body| body.lines())
        .filter_map(|line| line.strip_prefix("export "))
        .map(|rest| rest.split('=').next().unwrap().to_string())
        .collect();
    assert!(exported.len() >= 10, "{exported:?}");
    for name in exported {
        assert!(
            read.contains(&name),
            "the guide exports {name}, which the SDK never reads"
        );
    }
}
