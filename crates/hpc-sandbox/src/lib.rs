//! Fake EHPC and SCNet servers (work in progress).
