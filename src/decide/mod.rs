//! The decision model: prior -> posterior -> money -> verdict.
//!
//! Pure: takes the statistics' estimates and the ROI model's linear NPV and
//! returns values; no files, no clock, no global RNG.

pub mod evidence;
pub mod guardrails;
pub mod joint;
pub mod linalg;
pub mod mixture;
pub mod money;
pub mod preposterior;
pub mod prior;
pub mod segments;
pub mod target;
pub mod test_and_roll;
pub mod verdict;
pub mod waiting;
