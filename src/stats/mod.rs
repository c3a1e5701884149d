//! The statistics engine: pure functions over mergeable sufficient statistics.
