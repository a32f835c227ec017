//! How far each SCNet job's output files are written: kept beside the scheduler (not
//! with the SCNet handlers) because the shared state holds it.

use std::collections::HashMap;
use std::sync::Mutex;

/// How far a job's files are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Created empty, as the scheduler does when the job starts.
    Open,
    /// Holding everything the job printed; never written again.
    Written,
}

/// Which jobs' files are written, and how far.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    pub(crate) stages: Mutex<HashMap<u32, Stage>>,
}
