//! From per-customer values to compared metrics.

pub mod aggregate;
pub mod compare;
pub mod metrics;
pub mod result;
