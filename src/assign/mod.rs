//! Deterministic customer assignment.

pub mod hash;
pub mod split;
pub mod strata;
