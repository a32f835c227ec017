//! End-to-end test suites live in `tests/`. This library holds what two crates' suites
//! share: the blocks of `docs/guide.md`.
//!
//! It also carries the guide as a doc comment, so `cargo test -p hpc-tests --doc`
//! compiles and runs every Rust block of the guide against the embedded sandbox.

use std::path::Path;

/// The user guide, as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/guide.md")]
pub struct UserGuide;

/// The fenced blocks of `docs/guide.md`, as (language, body), in order.
///
/// ```
/// let blocks = hpc_tests::guide_blocks();
/// assert!(blocks.iter().any(|(language, _)| language == "rust"));
/// ```
pub fn guide_blocks() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/guide.md");
    let text = std::fs::read_to_string(path).expect("docs/guide.md");
    let mut found = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(language)) => open = Some((language.trim().to_string(), String::new())),
            (Some(_), Some("")) => found.extend(open.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed block in docs/guide.md");
    found
}
