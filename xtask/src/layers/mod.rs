//! The layers above the progenitor client that the spec's vendor extensions describe:
//! each operation's facts (`x-hpc`), the facade's request builders, and the error-code
//! enums (`x-hpc-codes`). Hand-written code remains for compound behaviour only.

pub mod answers;
pub mod builders;
pub mod codes;
pub mod model;
pub mod operations;
