//! End-to-end test suites live in `tests/`; this library is empty.
