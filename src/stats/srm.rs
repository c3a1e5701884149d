//! Sample ratio mismatch: are the arm sizes consistent with the configured
//! split?
//!
//! Pearson's chi-square goodness-of-fit test of the observed arm sizes against
//! expected sizes total * weight (= `scipy.stats.chisquare(counts, f_exp)`,
//! R `chisq.test(counts, p = weights)`), df = arms - 1. A tiny p-value (GrowthBook
//! and Kohavi et al., "Trustworthy Online Controlled Experiments" (2020),
//! ch. 21, use 0.001) means assignment or tracking is broken and effects
//! should not be trusted.

use super::dist;
use super::result::NotComputable;
use serde::Serialize;

/// Sample ratio mismatch is flagged below this p-value (a common choice:
/// strict, because with many customers tiny imbalances are significant and
/// a real mismatch is usually glaring).
pub const SRM_THRESHOLD: f64 = 0.001;

/// Between [`SRM_THRESHOLD`] and this p-value the group sizes are further
/// from the planned split than chance usually makes them: not an alarm
/// (one pilot in twenty lands here by chance), but not "matching" either,
/// so the reports say so in words.
pub const SRM_UNUSUAL: f64 = 0.05;

/// Result of [`sample_ratio_mismatch`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SrmResult {
    /// Pearson's chi-square statistic.
    pub chi_squared: f64,
    /// Degrees of freedom (arms - 1).
    pub degrees_of_freedom: u64,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// Expected size of each arm, in input order.
    pub expected: Vec<f64>,
}

/// Chi-square test of arm sizes `counts` against `weights` (normalized to
/// sum to 1).
pub fn sample_ratio_mismatch(counts: &[u64], weights: &[f64]) -> Result<SrmResult, NotComputable> {
    if counts.len() != weights.len() || counts.len() < 2 {
        return Err(NotComputable::InvalidInput(
            "a sample ratio check needs one weight per arm and at least two arms",
        ));
    }
    if weights.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
        return Err(NotComputable::InvalidInput(
            "arm weights must be positive numbers",
        ));
    }
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return Err(NotComputable::NoData);
    }
    let weight_sum: f64 = weights.iter().sum();
    let expected: Vec<f64> = weights
        .iter()
        .map(|w| total as f64 * w / weight_sum)
        .collect();
    let chi_squared: f64 = counts
        .iter()
        .zip(&expected)
        .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
        .sum();
    let df = (counts.len() - 1) as u64;
    Ok(SrmResult {
        chi_squared,
        degrees_of_freedom: df,
        p_value: dist::chi_squared_sf(chi_squared, df as f64),
        expected,
    })
}
