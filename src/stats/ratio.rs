//! Ratio metrics such as revenue per order, where the customer is the unit of
//! randomization but the metric is sum(numerator) / sum(denominator).
//!
//! Per arm the ratio R = mean_num / mean_den has delta-method variance per
//! customer (A. Deng, U. Knoblich, J. Lu, "Applying the delta method in metric
//! analytics", KDD 2018; GrowthBook gbstats `RatioStatistic`)
//! var = s_num^2 / m_den^2 - 2 cov m_num / m_den^3 + m_num^2 s_den^2 / m_den^4,
//! which equals the sample variance of the linearized values
//! (num_i - R den_i) / m_den. The arms are then compared like means
//! ([`compare_moments`]: Welch df, t interval,
//! delta-method relative lift).

use super::result::{Arm, Comparison, NotComputable, Options};
use super::summary::{Moments, RatioStats};
use super::welch::compare_moments;

/// The ratio and its delta-method variance per customer for one arm.
pub fn ratio_moments(stats: &RatioStats, arm: Arm) -> Result<Moments, NotComputable> {
    let num = stats.numerator().moments(arm)?;
    let den = stats.denominator().moments(arm)?;
    if den.mean == 0.0 {
        return Err(NotComputable::ZeroDenominator(arm));
    }
    let n = stats.n() as f64;
    let cov = (-stats.numerator().sum())
        .mul_add(stats.denominator().sum() / n, stats.sum_products())
        / (n - 1.0);
    let (mn, md) = (num.mean, den.mean);
    let r = mn / md;
    let variance = (num.variance - 2.0 * r * cov + r * r * den.variance) / (md * md);
    Ok(Moments {
        n: stats.n(),
        mean: stats.numerator().sum() / stats.denominator().sum(),
        variance: variance.max(0.0),
    })
}

/// Compares a ratio metric between arms (see the module docs).
pub fn compare_ratios(
    control: &RatioStats,
    treatment: &RatioStats,
    opts: &Options,
) -> Result<Comparison, NotComputable> {
    opts.validate()?;
    let c = ratio_moments(control, Arm::Control)?;
    let t = ratio_moments(treatment, Arm::Treatment)?;
    compare_moments(&c, &t, opts)
}
