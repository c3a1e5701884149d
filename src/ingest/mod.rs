//! Reading the data of an analysis: the outcome export (or a summary
//! file), customer attributes, and the ledger join, ending in mergeable
//! sufficient statistics per metric, arm and segment.

pub mod aggregate;
pub mod attributes;
pub mod cross;
pub mod dataset;
mod fold;
pub mod outcomes;
pub mod summary;
pub mod values;
