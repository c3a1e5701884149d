//! Pooling one segment column's effects: fixed effect, random effects and
//! empirical-Bayes (shrunken) segment estimates.
//!
//! Input: for each segment i of one segment column (country, plan, device),
//! the estimated effect `y_i` (treatment minus control within the segment)
//! and its sampling variance `v_i` (its standard error squared).
//!
//! * Fixed effect (inverse variance): weights `w_i = 1 / v_i`, mean
//!   `sum w_i y_i / sum w_i`, standard error `sqrt(1 / sum w_i)`, Cochran's
//!   `Q = sum w_i (y_i - mean)^2` with `k - 1` degrees of freedom and its
//!   chi-square p-value, and `I^2 = max(0, (Q - (k - 1)) / Q)` (Higgins &
//!   Thompson 2002), the share of the spread between segments that is not
//!   sampling noise.
//! * Random effects: the true segment effects scatter around a mean `mu`
//!   with between-segment variance `tau^2`; weights `w_i = 1 / (v_i + tau^2)`,
//!   `mu = sum w_i y_i / sum w_i`, `se(mu) = sqrt(1 / sum w_i)`.
//! * Empirical Bayes (BLUP, Raudenbush & Bryk 1985): each segment's effect is
//!   pulled toward `mu` by `b_i = v_i / (v_i + tau^2)`, estimate
//!   `mu + (1 - b_i)(y_i - mu)`, standard error
//!   `sqrt(v_i (1 - b_i) + b_i^2 se(mu)^2)`; the second term carries the
//!   uncertainty of the estimated mean. Noisy segments move most; with
//!   `tau^2 = 0` every segment gets the pooled mean and its standard error.
//!
//! # Which tau^2
//!
//! Both estimators are provided ([`TauSquaredMethod`]); pilot uses
//! **Paule-Mandel** by default. Segment columns have few segments (a handful
//! of countries or plans), and with few studies DerSimonian-Laird
//! underestimates tau^2, which makes the pooled interval too narrow and
//! shrinks segments too hard; Veroniki et al. (2016, Res. Synth. Methods
//! 7(1) 55-79) recommend Paule-Mandel over DerSimonian-Laird, and the
//! simulations of Langan et al. (2019, Res. Synth. Methods 10(1) 83-98) show
//! the same for few studies. Paule-Mandel needs an iterative solution, done
//! here to full precision ([`tau_squared_paule_mandel`]). REML is not
//! provided: it has no independent reference here and would not change the
//! recommendation.
//!
//! Matches statsmodels' `combine_effects` where both define the same
//! quantity (`tests/meta_reference.rs`); differences in its edge cases are
//! explained there and in docs/statistics.md.

use super::dist;
use super::result::NotComputable;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Cochran's Q p-value below which segments are said to differ
/// ([`Heterogeneity::Differs`]). 0.05 is the conventional level; Q has little
/// power with few segments (Higgins & Thompson 2002), so a stricter level
/// would hide most real differences between a handful of segments.
pub const HETEROGENEITY_LEVEL: f64 = 0.05;

/// Plain-words reading of Cochran's Q test: do the segments' effects differ
/// more than sampling noise explains?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Heterogeneity {
    /// Q's p-value is below [`HETEROGENEITY_LEVEL`]: the effect differs
    /// between segments by more than chance alone would make it.
    Differs,
    /// Q's p-value is at or above [`HETEROGENEITY_LEVEL`]: no sign that the
    /// effect differs between segments. With few segments the test misses
    /// real differences easily, so this is not evidence that they are alike.
    NoSign,
}

impl Heterogeneity {
    /// The reading of a Q p-value at [`HETEROGENEITY_LEVEL`].
    pub fn from_p_value(q_p_value: f64) -> Heterogeneity {
        if q_p_value < HETEROGENEITY_LEVEL {
            Heterogeneity::Differs
        } else {
            Heterogeneity::NoSign
        }
    }
}

impl fmt::Display for Heterogeneity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Heterogeneity::Differs => {
                "the effect differs between segments by more than chance alone would explain"
            }
            Heterogeneity::NoSign => {
                "no sign that the effect differs between segments (with few segments a real difference can go unnoticed)"
            }
        })
    }
}

/// Estimator of the between-segment variance tau^2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TauSquaredMethod {
    /// Paule & Mandel (1982): the tau^2 at which the generalized Q equals
    /// its expectation k - 1. The default (see the module documentation).
    #[default]
    PauleMandel,
    /// DerSimonian & Laird (1986): one-step method of moments from
    /// Cochran's Q. Underestimates tau^2 when segments are few.
    DerSimonianLaird,
}

impl fmt::Display for TauSquaredMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TauSquaredMethod::PauleMandel => "Paule-Mandel",
            TauSquaredMethod::DerSimonianLaird => "DerSimonian-Laird",
        })
    }
}

/// Inverse-variance (fixed-effect) pooling and Cochran's Q test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FixedEffect {
    /// Inverse-variance weighted mean of the segment effects.
    pub mean: f64,
    /// Its standard error, sqrt(1 / sum w_i).
    pub std_error: f64,
    /// Cochran's Q, sum w_i (y_i - mean)^2.
    pub q: f64,
    /// Degrees of freedom of Q: segments - 1.
    pub degrees_of_freedom: u64,
    /// P(chi-square with `degrees_of_freedom` > Q).
    pub q_p_value: f64,
    /// I^2 = max(0, (Q - df) / Q), 0 when Q = 0: the share of the spread
    /// between segments beyond sampling noise.
    pub i_squared: f64,
    /// Plain-words reading of `q_p_value`.
    pub heterogeneity: Heterogeneity,
}

/// One segment's empirical-Bayes (BLUP) estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShrunkenSegment {
    /// mu + (1 - b) (y - mu).
    pub estimate: f64,
    /// sqrt(v (1 - b) + b^2 se(mu)^2).
    pub std_error: f64,
    /// b = v / (v + tau^2): 0 keeps the segment's own estimate, 1 replaces
    /// it by the pooled mean.
    pub shrinkage: f64,
}

/// Random-effects pooling at a given tau^2.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RandomEffects {
    /// Between-segment variance used for the weights.
    pub tau_squared: f64,
    /// Weighted mean mu with weights 1 / (v_i + tau^2).
    pub mean: f64,
    /// Its standard error, sqrt(1 / sum w_i).
    pub std_error: f64,
    /// Each segment's shrunken estimate, in input order.
    pub segments: Vec<ShrunkenSegment>,
}

/// Everything [`pool_segments`] reports for one segment column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentPooling {
    /// Estimator that gave `random.tau_squared`.
    pub method: TauSquaredMethod,
    /// Fixed-effect pooling and the heterogeneity test.
    pub fixed: FixedEffect,
    /// Random-effects pooling and the shrunken segment estimates.
    pub random: RandomEffects,
}

/// Pools the segment effects `estimates` with sampling variances `variances`
/// (same order): fixed effect, tau^2 by `method`, random effects and
/// shrunken segment estimates.
pub fn pool_segments(
    estimates: &[f64],
    variances: &[f64],
    method: TauSquaredMethod,
) -> Result<SegmentPooling, NotComputable> {
    let fixed = fixed_effect(estimates, variances)?;
    let tau_squared = match method {
        TauSquaredMethod::PauleMandel => tau_squared_paule_mandel(estimates, variances)?,
        TauSquaredMethod::DerSimonianLaird => tau_squared_dersimonian_laird(estimates, variances)?,
    };
    Ok(SegmentPooling {
        method,
        fixed,
        random: random_effects(estimates, variances, tau_squared)?,
    })
}

/// Inverse-variance pooling of the segment effects and Cochran's Q test.
pub fn fixed_effect(estimates: &[f64], variances: &[f64]) -> Result<FixedEffect, NotComputable> {
    check_segments(estimates, variances)?;
    let pooled = weighted(estimates, variances, 0.0);
    let df = estimates.len() - 1;
    let q_p_value = dist::chi_squared_sf(pooled.q, df as f64);
    let i_squared = if pooled.q > 0.0 {
        ((pooled.q - df as f64) / pooled.q).max(0.0)
    } else {
        0.0
    };
    let std_error = pooled.std_error();
    ensure_finite(&[pooled.mean, std_error, pooled.q, q_p_value])?;
    Ok(FixedEffect {
        mean: pooled.mean,
        std_error,
        q: pooled.q,
        degrees_of_freedom: df as u64,
        q_p_value,
        i_squared,
        heterogeneity: Heterogeneity::from_p_value(q_p_value),
    })
}

/// DerSimonian-Laird tau^2 = max(0, (Q - (k - 1)) / (W - sum w_i^2 / W)),
/// w_i = 1 / v_i, W = sum w_i.
pub fn tau_squared_dersimonian_laird(
    estimates: &[f64],
    variances: &[f64],
) -> Result<f64, NotComputable> {
    check_segments(estimates, variances)?;
    let q = weighted(estimates, variances, 0.0).q;
    let weights: Vec<f64> = variances.iter().map(|v| 1.0 / v).collect();
    let total: f64 = weights.iter().sum();
    // W - sum w_i^2 / W = sum_i w_i (sum_{j != i} w_j / W): summing the
    // other weights directly avoids the cancellation of W - w_i when one
    // segment is much larger than the rest, and dividing by W before
    // multiplying keeps huge weights from overflowing. Segments are few, so
    // O(k^2) is nothing.
    let scale: f64 = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let others: f64 = weights
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, w)| w)
                .sum();
            w * (others / total)
        })
        .sum();
    let df = (estimates.len() - 1) as f64;
    let tau_squared = ((q - df) / scale).max(0.0);
    ensure_finite(&[q, scale, tau_squared])?;
    Ok(tau_squared)
}

/// Paule-Mandel tau^2: the root of Q(tau^2) = k - 1 ([`generalized_q`]),
/// 0 when Q(0) <= k - 1, solved to full double precision.
pub fn tau_squared_paule_mandel(
    estimates: &[f64],
    variances: &[f64],
) -> Result<f64, NotComputable> {
    check_segments(estimates, variances)?;
    let tau_squared = paule_mandel_root(estimates, variances);
    ensure_finite(&[tau_squared])?;
    Ok(tau_squared)
}

/// The generalized Q statistic sum w_i (y_i - mu)^2 with w_i = 1 / (v_i +
/// tau^2) and mu their weighted mean: Cochran's Q at tau^2 = 0, and the
/// estimating function of Paule-Mandel (expectation k - 1 at the true tau^2).
pub fn generalized_q(
    estimates: &[f64],
    variances: &[f64],
    tau_squared: f64,
) -> Result<f64, NotComputable> {
    check_segments(estimates, variances)?;
    check_tau_squared(tau_squared)?;
    let q = weighted(estimates, variances, tau_squared).q;
    ensure_finite(&[q])?;
    Ok(q)
}

/// Random-effects mean and shrunken segment estimates at a given tau^2
/// (from [`tau_squared_paule_mandel`], [`tau_squared_dersimonian_laird`] or
/// elsewhere).
pub fn random_effects(
    estimates: &[f64],
    variances: &[f64],
    tau_squared: f64,
) -> Result<RandomEffects, NotComputable> {
    check_segments(estimates, variances)?;
    check_tau_squared(tau_squared)?;
    let pooled = weighted(estimates, variances, tau_squared);
    let mean_variance = 1.0 / pooled.weight_sum;
    let segments: Vec<ShrunkenSegment> = estimates
        .iter()
        .zip(variances)
        .map(|(&y, &v)| {
            let shrinkage = v / (v + tau_squared);
            // The share of its own deviation a segment keeps, 1 - b, written
            // as tau^2 / (v + tau^2): exactly 0 at tau^2 = 0 (the estimate
            // is then mu and its standard error se(mu)) and free of
            // cancellation when tau^2 is small.
            let kept_share = tau_squared / (v + tau_squared);
            ShrunkenSegment {
                estimate: pooled.mean + kept_share * (y - pooled.mean),
                std_error: (v * kept_share + shrinkage * shrinkage * mean_variance).sqrt(),
                shrinkage,
            }
        })
        .collect();
    let std_error = pooled.std_error();
    ensure_finite(&[pooled.mean, std_error])?;
    for segment in &segments {
        ensure_finite(&[segment.estimate, segment.std_error, segment.shrinkage])?;
    }
    Ok(RandomEffects {
        tau_squared,
        mean: pooled.mean,
        std_error,
        segments,
    })
}

/// Weighted mean and Q of validated segments at one tau^2.
struct Weighted {
    mean: f64,
    weight_sum: f64,
    q: f64,
    /// sum w_i^2 (y_i - mean)^2 = -dQ/dtau^2 (the mean's own derivative
    /// drops out because Q is minimal in it).
    q_slope: f64,
}

impl Weighted {
    fn std_error(&self) -> f64 {
        (1.0 / self.weight_sum).sqrt()
    }
}

fn weighted(estimates: &[f64], variances: &[f64], tau_squared: f64) -> Weighted {
    let weights = variances.iter().map(|v| 1.0 / (v + tau_squared));
    let weight_sum: f64 = weights.clone().sum();
    let mean = weights
        .clone()
        .zip(estimates)
        .map(|(w, y)| w * y)
        .sum::<f64>()
        / weight_sum;
    // Two passes (residuals from the mean) rather than sum w y^2 - (sum w
    // y)^2 / W, which cancels when the effects share a large common part.
    // Both sums go through w r, which stays in range where w^2 alone would
    // overflow (variances near 1e-160).
    let (q, q_slope) = weights
        .zip(estimates)
        .fold((0.0, 0.0), |(q, slope), (w, y)| {
            let weighted_residual = w * (y - mean);
            (
                q + weighted_residual * (y - mean),
                slope + weighted_residual * weighted_residual,
            )
        });
    Weighted {
        mean,
        weight_sum,
        q,
        q_slope,
    }
}

/// Q(tau^2) decreases in tau^2 and is convex (its second derivative is
/// 2 (sum w^3 r^2 - (sum w^2 r)^2 / W) >= 0 by Cauchy-Schwarz), so Newton's
/// method from 0 climbs monotonically to the root. The bracket [lo, hi]
/// guards against rounding: a step that leaves it is replaced by bisection.
fn paule_mandel_root(estimates: &[f64], variances: &[f64]) -> f64 {
    let df = (estimates.len() - 1) as f64;
    let at_zero = weighted(estimates, variances, 0.0);
    if !(at_zero.q > df) {
        return 0.0;
    }
    // Q(t) <= sum (y_i - ybar)^2 / (min v + t) < df at t = that sum / df,
    // since Q is minimal in its mean; only rounding can keep Q(hi) from
    // falling below df, so widen until it does.
    let k = estimates.len() as f64;
    let unweighted_mean = estimates.iter().sum::<f64>() / k;
    let spread: f64 = estimates
        .iter()
        .map(|y| (y - unweighted_mean) * (y - unweighted_mean))
        .sum();
    let mut hi = spread / df;
    for _ in 0..64 {
        if weighted(estimates, variances, hi).q < df {
            break;
        }
        hi *= 2.0;
    }
    let mut lo = 0.0;
    let mut tau_squared = 0.0;
    let mut at = at_zero;
    // Newton converges in under ten steps on ordinary inputs. Where
    // rounding noise in Q stalls it, bisection takes over and needs about
    // 52 + log2(hi / root) halvings, well within the cap.
    for _ in 0..200 {
        let newton = tau_squared + (at.q - df) / at.q_slope;
        let next = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        let step = next - tau_squared;
        tau_squared = next;
        at = weighted(estimates, variances, tau_squared);
        if at.q > df {
            lo = tau_squared;
        } else if at.q < df {
            hi = tau_squared;
        } else {
            break;
        }
        if step.abs() <= 4.0 * f64::EPSILON * tau_squared || hi - lo <= 4.0 * f64::EPSILON * hi {
            break;
        }
    }
    tau_squared
}

fn check_segments(estimates: &[f64], variances: &[f64]) -> Result<(), NotComputable> {
    if estimates.len() != variances.len() {
        return Err(NotComputable::InvalidInput(
            "pooling segments needs one sampling variance per segment effect",
        ));
    }
    if estimates.len() < 2 {
        return Err(NotComputable::TooFewSegments);
    }
    if estimates.iter().any(|y| !y.is_finite()) {
        return Err(NotComputable::InvalidInput(
            "every segment effect must be a finite number",
        ));
    }
    if variances.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(NotComputable::InvalidInput(
            "every segment's sampling variance must be a positive finite number",
        ));
    }
    Ok(())
}

fn check_tau_squared(tau_squared: f64) -> Result<(), NotComputable> {
    if tau_squared.is_finite() && tau_squared >= 0.0 {
        Ok(())
    } else {
        Err(NotComputable::InvalidInput(
            "the between-segment variance tau^2 must be a finite number at least 0",
        ))
    }
}

/// Rejects results that overflowed or underflowed to a non-finite value, so
/// that no NaN or infinity leaves this module.
fn ensure_finite(values: &[f64]) -> Result<(), NotComputable> {
    if values.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(NotComputable::InvalidInput(
            "the segment effects or their variances are too large or too small to pool",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const METHODS: [TauSquaredMethod; 2] = [
        TauSquaredMethod::PauleMandel,
        TauSquaredMethod::DerSimonianLaird,
    ];

    fn close(got: f64, want: f64) {
        assert!(
            (got - want).abs() <= 1e-14 * want.abs(),
            "got {got:e}, want {want:e}"
        );
    }

    #[test]
    fn paule_mandel_is_the_default() {
        assert_eq!(TauSquaredMethod::default(), TauSquaredMethod::PauleMandel);
    }

    #[test]
    fn equal_variances_give_the_closed_form() {
        // v = 1 each, mean 1, sum of squares 14: Q = 14 on 2 df, both
        // estimators give tau^2 = 14 / 2 - 1 = 6, b = 1/7, se(mu) =
        // sqrt(7/3), segment se sqrt(6/7 + 7/3/49) = sqrt(19/21); the
        // chi-square tail with 2 df is exp(-Q/2).
        let (y, v) = ([-1.0, 0.0, 4.0], [1.0; 3]);
        for method in METHODS {
            let pooled = pool_segments(&y, &v, method).unwrap();
            close(pooled.fixed.mean, 1.0);
            close(pooled.fixed.q, 14.0);
            close(pooled.fixed.q_p_value, (-7.0f64).exp());
            close(pooled.fixed.i_squared, 6.0 / 7.0);
            assert_eq!(pooled.fixed.heterogeneity, Heterogeneity::Differs);
            let re = &pooled.random;
            close(re.tau_squared, 6.0);
            close(re.mean, 1.0);
            close(re.std_error, (7.0f64 / 3.0).sqrt());
            for (segment, want) in re.segments.iter().zip([-5.0 / 7.0, 1.0 / 7.0, 25.0 / 7.0]) {
                close(segment.estimate, want);
                close(segment.std_error, (19.0f64 / 21.0).sqrt());
                close(segment.shrinkage, 1.0 / 7.0);
            }
        }
    }

    #[test]
    fn without_heterogeneity_every_segment_gets_the_pooled_mean() {
        // Q = 0.005 < 1 = k - 1: tau^2 = 0, b = 1, and the shrinkage
        // standard error reduces to exactly se(mu).
        let (y, v) = ([0.0, 0.1], [1.0, 1.0]);
        for method in METHODS {
            let pooled = pool_segments(&y, &v, method).unwrap();
            assert_eq!(pooled.fixed.i_squared, 0.0);
            assert_eq!(pooled.fixed.heterogeneity, Heterogeneity::NoSign);
            let re = &pooled.random;
            assert_eq!(re.tau_squared, 0.0);
            assert_eq!(re.mean, pooled.fixed.mean);
            assert_eq!(re.std_error, pooled.fixed.std_error);
            for segment in &re.segments {
                assert_eq!(segment.shrinkage, 1.0);
                assert_eq!(segment.estimate, re.mean);
                assert_eq!(segment.std_error, re.std_error);
            }
        }
    }

    #[test]
    fn identical_effects_have_no_heterogeneity_and_no_nan() {
        let (y, v) = ([0.02; 4], [1e-4, 2e-4, 3e-4, 5e-4]);
        for method in METHODS {
            let pooled = pool_segments(&y, &v, method).unwrap();
            assert_eq!(pooled.fixed.q, 0.0);
            assert_eq!(pooled.fixed.q_p_value, 1.0);
            assert_eq!(pooled.fixed.i_squared, 0.0);
            assert_eq!(pooled.random.tau_squared, 0.0);
            assert!(pooled.random.segments.iter().all(|s| s.estimate == 0.02));
        }
    }

    #[test]
    fn paule_mandel_solves_its_equation_with_unequal_variances() {
        let y = [0.3, -0.1, 0.05, 0.4, 0.0];
        let v = [0.01, 0.04, 0.002, 0.09, 0.005];
        let tau2 = tau_squared_paule_mandel(&y, &v).unwrap();
        assert!(tau2 > 0.0);
        let q = generalized_q(&y, &v, tau2).unwrap();
        assert!((q - 4.0).abs() <= 1e-14 * 4.0, "Q - df = {:e}", q - 4.0);
    }

    #[test]
    fn estimates_scale_with_the_effects() {
        // Effects in cents instead of dollars, or proportions of 1e-100:
        // tau^2 scales with the square, nothing overflows on the way.
        let y = [0.3, -0.1, 0.05, 0.4, 0.0];
        let v = [0.01, 0.04, 0.002, 0.09, 0.005];
        for method in METHODS {
            let base = pool_segments(&y, &v, method).unwrap();
            for c in [1e-100, 1e-60, 1e60, 1e100] {
                let ys: Vec<f64> = y.iter().map(|y| y * c).collect();
                let vs: Vec<f64> = v.iter().map(|v| v * c * c).collect();
                let scaled = pool_segments(&ys, &vs, method).unwrap();
                let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
                assert!(rel(scaled.random.tau_squared / (c * c), base.random.tau_squared) < 1e-12);
                assert!(rel(scaled.random.mean / c, base.random.mean) < 1e-12);
                assert!(rel(scaled.fixed.q, base.fixed.q) < 1e-12);
            }
        }
    }

    #[test]
    fn too_few_segments() {
        for (y, v) in [(&[][..], &[][..]), (&[0.1][..], &[0.01][..])] {
            assert_eq!(fixed_effect(y, v), Err(NotComputable::TooFewSegments));
            for method in METHODS {
                assert_eq!(
                    pool_segments(y, v, method),
                    Err(NotComputable::TooFewSegments)
                );
            }
            assert_eq!(
                tau_squared_paule_mandel(y, v),
                Err(NotComputable::TooFewSegments)
            );
            assert_eq!(
                tau_squared_dersimonian_laird(y, v),
                Err(NotComputable::TooFewSegments)
            );
            assert_eq!(
                random_effects(y, v, 0.0),
                Err(NotComputable::TooFewSegments)
            );
            assert_eq!(generalized_q(y, v, 0.0), Err(NotComputable::TooFewSegments));
        }
    }

    #[test]
    fn invalid_inputs_are_refused_with_a_reason() {
        let y = [0.1, 0.2, 0.3];
        for bad in [0.0, -0.01, f64::NAN, f64::INFINITY] {
            let v = [0.01, bad, 0.02];
            for method in METHODS {
                let err = pool_segments(&y, &v, method).unwrap_err();
                assert_eq!(err.code(), "invalid_input");
                assert!(err.to_string().contains("variance"), "{err}");
            }
        }
        for bad in [f64::NAN, f64::NEG_INFINITY] {
            let err = fixed_effect(&[0.1, bad], &[0.01, 0.01]).unwrap_err();
            assert!(err.to_string().contains("effect"), "{err}");
        }
        let err = fixed_effect(&y, &[0.01, 0.01]).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        for bad in [-1e-9, f64::NAN, f64::INFINITY] {
            let err = random_effects(&y, &[0.01; 3], bad).unwrap_err();
            assert!(err.to_string().contains("tau^2"), "{err}");
            assert!(generalized_q(&y, &[0.01; 3], bad).is_err());
        }
    }

    #[test]
    fn extreme_magnitudes_give_numbers_or_a_reason_never_nan() {
        let cases: [(&[f64], &[f64]); 5] = [
            (&[1e200, -1e200, 0.0], &[1.0, 1.0, 1.0]),
            (&[0.1, 0.2, 0.0], &[1e-320, 1e-300, 1.0]),
            (&[0.1, 0.2, 0.0], &[1e300, 1e308, 1.0]),
            (&[f64::MAX, 0.0], &[f64::MIN_POSITIVE, f64::MAX]),
            (&[1.0, 2.0], &[5e-324, 5e-324]),
        ];
        for (y, v) in cases {
            for method in METHODS {
                if let Ok(p) = pool_segments(y, v, method) {
                    let f = &p.fixed;
                    let r = &p.random;
                    let all = [f.mean, f.std_error, f.q, f.q_p_value, f.i_squared]
                        .into_iter()
                        .chain([r.tau_squared, r.mean, r.std_error])
                        .chain(
                            r.segments
                                .iter()
                                .flat_map(|s| [s.estimate, s.std_error, s.shrinkage]),
                        );
                    for x in all {
                        assert!(x.is_finite(), "{y:?} {v:?} {method}: {p:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn heterogeneity_reading_uses_the_documented_level() {
        assert_eq!(
            Heterogeneity::from_p_value(HETEROGENEITY_LEVEL),
            Heterogeneity::NoSign
        );
        assert_eq!(Heterogeneity::from_p_value(0.0499), Heterogeneity::Differs);
        assert_eq!(Heterogeneity::from_p_value(1.0), Heterogeneity::NoSign);
        assert!(Heterogeneity::Differs.to_string().contains("differs"));
        assert!(Heterogeneity::NoSign.to_string().starts_with("no sign"));
    }
}
