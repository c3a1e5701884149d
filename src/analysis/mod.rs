//! From per-customer values to compared metrics.

pub mod compare;
pub mod covariance;
pub mod health;
pub mod metrics;
pub mod needed;
pub mod result;
pub mod segment_pool;
