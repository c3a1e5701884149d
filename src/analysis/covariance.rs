//! How two metrics' estimated effects covary.
//!
//! Measured on the same customers, purchases and revenue move together: a
//! lucky draw of buyers raises both estimates at once. The joint decision
//! model needs that sampling covariance so it does not count the same
//! customers twice. With arms independent, the covariance of two
//! differences of means is the sum over the two arms of
//! `n_both cov(x, y) / (n_x n_y)`, where `cov` is over the customers with
//! both values and `n_x`, `n_y` are the customers each mean is over. For a
//! CUPED metric the value is `y - theta x` with the comparison's `theta`.

use crate::analysis::result::MetricResult;
use crate::ingest::aggregate::MetricStats;
use crate::ingest::cross::PairStats;

/// The largest correlation the estimate may claim: the co-moments use the
/// n - 1 denominator and a rate's variance the n one, so in tiny arms the
/// ratio can round past 1, which no covariance matrix allows.
const MAX_CORRELATION: f64 = 0.999;

/// The sampling covariance of metric `i`'s and metric `j`'s estimated
/// effects in comparison `t` (0-based treatment index), from the per-arm
/// co-moments `pairs`; `None` when the pair was not measured (summary
/// input, metrics of other kinds) or a metric has no estimate.
pub fn effect_covariance(
    pairs: &[PairStats],
    stats: &[MetricStats],
    results: &[MetricResult],
    i: usize,
    j: usize,
    t: usize,
) -> Option<f64> {
    let (first, second) = (i.min(j), i.max(j));
    let pair = pairs
        .iter()
        .find(|p| p.first == first && p.second == second)?;
    let standard_error = |m: usize| {
        results
            .get(m)?
            .comparisons
            .get(t)?
            .fixed_horizon
            .map(|f| f.std_error)
    };
    let theta = |m: usize| {
        results[m].comparisons[t]
            .cuped
            .filter(|c| c.applied)
            .map_or(0.0, |c| c.theta)
    };
    let (se_first, se_second) = (standard_error(first)?, standard_error(second)?);
    let (theta_first, theta_second) = (theta(first), theta(second));
    let mut covariance = 0.0;
    for arm in [0, t + 1] {
        let moments = pair.arms.get(arm)?;
        let n_first = stats[first].arms.get(arm)?.n() as f64;
        let n_second = stats[second].arms.get(arm)?.n() as f64;
        if n_first == 0.0 || n_second == 0.0 {
            return None;
        }
        // Fewer than two customers with both values: too few to covary.
        let Some(value_value) = moments.covariance(0, 2) else {
            continue;
        };
        let per_customer = value_value
            - theta_second * moments.covariance(0, 3)?
            - theta_first * moments.covariance(1, 2)?
            + theta_first * theta_second * moments.covariance(1, 3)?;
        covariance += per_customer * moments.n() as f64 / (n_first * n_second);
    }
    let bound = MAX_CORRELATION * se_first * se_second;
    Some(covariance.clamp(-bound, bound))
}
