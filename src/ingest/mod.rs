//! Reading outcome data for analysis: outcome exports, summary statistics,
//! customer attributes, value parsing. Produces per-customer values; turning them into
//! sufficient statistics is the analysis step's job.

pub mod attributes;
pub mod outcomes;
pub mod summary;
pub mod values;
