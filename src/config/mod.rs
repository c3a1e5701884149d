//! Experiment files: parsing, validation, and the validated types.

pub mod types;

pub use types::*;
