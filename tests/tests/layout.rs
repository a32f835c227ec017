//! The layout tells the truth: no import circle between the top-level modules of
//! `hpc-sdk` or `hpc-sandbox` (a `use crate::x` in module `y` and one of `y` in `x`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level module a file belongs to (`error`, `scnet`, ...); `None` for `lib.rs`.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// `module -> modules it imports`, from `crate::x` paths outside comments and tests.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = top_module(src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for piece in line.split("crate::").skip(1) {
                let target: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let is_module = target
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase());
                if is_module && target != module {
                    graph.entry(module.clone()).or_default().insert(target);
                }
            }
        }
    }
    graph
}

fn circles(crate_dir: &str) -> Vec<(String, String)> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("src");
    let graph = imports(&src);
    assert!(graph.len() > 3, "{crate_dir}: too few modules read");
    let mut found = Vec::new();
    for (from, targets) in &graph {
        for to in targets {
            if from < to && graph.get(to).is_some_and(|back| back.contains(from)) {
                found.push((from.clone(), to.clone()));
            }
        }
    }
    found
}

#[test]
fn the_sdk_has_no_import_circle() {
    assert_eq!(circles("crates/hpc-sdk"), []);
}

#[test]
fn the_sandbox_has_no_import_circle() {
    assert_eq!(circles("crates/hpc-sandbox"), []);
}
