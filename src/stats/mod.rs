//! The statistics engine: pure functions over mergeable sufficient statistics.
//!
//! Per arm (and segment) and metric, the caller accumulates sufficient
//! statistics ([`summary`]) that add exactly across shards, then asks for a
//! comparison of treatment against control:
//!
//! | metric | statistics | comparison |
//! |---|---|---|
//! | mean (revenue, minutes) | [`MeanStats`] | [`compare_means`] (Welch) |
//! | conversion | [`BinaryStats`] | [`compare_proportions`] (z-test or Fisher, Newcombe CI) |
//! | mean with pre-period covariate | [`CovariateStats`] | [`compare_cuped`] |
//! | ratio (revenue per order) | [`RatioStats`] | [`compare_ratios`] (delta method) |
//! | ordinal scale (CSAT, effort) | [`OrdinalCounts`] | [`compare_ordinal`] (Mann-Whitney), [`compare_csat`] |
//! | NPS (0-10) | [`OrdinalCounts`] | [`compare_nps`] |
//! | time to churn (censored) | [`survival::SurvivalCounts`] | [`survival`]: Kaplan-Meier, restricted mean, log-rank, Cox |
//!
//! plus Bayesian summaries ([`bayes`]), sample ratio mismatch ([`srm`]),
//! multiplicity adjustment ([`multiple`]), sample sizes ([`power`]) and the
//! pooling and shrinkage of one segment column's effects ([`meta`]).
//!
//! Nothing here does I/O, reads a clock or draws random numbers. Results that
//! are undefined for the data (an empty arm, no variation, a zero baseline)
//! come back as [`NotComputable`], which renders as a plain sentence; no output
//! is ever NaN.

#![deny(missing_docs)]
// `!(x > 0.0)` is used on purpose: it also rejects NaN, which `x <= 0.0`
// would let through.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod bayes;
pub mod bounds;
pub mod cross;
pub mod cuped;
pub mod dist;
pub mod fisher;
pub mod group_sequential;
pub mod meta;
pub mod multiple;
pub mod nps;
pub mod power;
pub mod proportions;
pub mod rank;
pub mod ratio;
pub mod sequential;
pub mod srm;
pub mod summary;
pub mod survival;
pub mod welch;

mod result;

pub use cuped::{CupedComparison, compare_cuped};
pub use nps::{compare_csat, compare_nps};
pub use proportions::compare_proportions;
pub use rank::{RankComparison, compare_ordinal};
pub use ratio::compare_ratios;
pub use result::{Arm, ArmSummary, Comparison, Effect, Interval, NotComputable, Options, TestKind};
pub use summary::{BinaryStats, CovariateStats, MeanStats, Moments, OrdinalCounts, RatioStats};
pub use welch::{compare_means, compare_moments};
