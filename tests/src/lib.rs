//! End-to-end test suites live in `tests/`; this library holds no code.
//!
//! It carries `docs/guide.md` as a doc comment, so `cargo test -p hpc-tests --doc`
//! compiles and runs every Rust block of the guide against the embedded sandbox.

/// The user guide, as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/guide.md")]
pub struct UserGuide;
