//! The statistics engine: pure functions over mergeable sufficient statistics.

pub mod dist;
