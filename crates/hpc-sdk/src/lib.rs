//! The facade (work in progress).
