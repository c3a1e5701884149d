//! Bayesian summaries: chance to beat control and expected loss.
//!
//! Binary metrics: independent Beta posteriors (Beta(1, 1) prior by default)
//! and the exact probability P(p_t > p_c), no Monte Carlo. For integer
//! parameters this is E. Miller's closed-form sum ("Formulas for Bayesian A/B
//! testing", 2014), here evaluated as a tail of a negative hypergeometric
//! distribution: p_c and p_t are order statistics of uniforms, and
//! p_t > p_c exactly when fewer than alpha_t of the treatment's uniforms fall
//! below the alpha_c-th of the control's. Terms come from Loader's
//! hypergeometric density (relative error ~1e-14 at n = 1e6) and are summed
//! from the tail's anchor outward by the exact term ratio, so the cost is
//! O(sqrt(n)) and the result keeps relative accuracy in both tails.
//!
//! Expected loss of shipping treatment: E[max(p_c - p_t, 0)] =
//! m_c P(p_c+ > p_t) - m_t P(p_c > p_t+), where m = alpha / (alpha + beta) is
//! a posterior mean and x+ ~ Beta(alpha + 1, beta) (C. Stucchio, "Bayesian
//! A/B testing at VWO", 2015); symmetrically for shipping control.
//!
//! Mean metrics: flat prior and normal approximation, D = m_t - m_c ~ N(d, s^2)
//! with s^2 = v_c / n_c + v_t / n_t; chance to beat = Phi(d / s), losses
//! s phi(d / s) - d Phi(-d / s) (treatment) and s phi(d / s) + d Phi(d / s)
//! (control).

use super::dist;
use super::result::{Arm, NotComputable};
use super::summary::{BinaryStats, Moments};
use super::welch::check_sizes;
use serde::Serialize;

/// Beta prior with whole-number pseudo-counts (the exact sum needs integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BetaPrior {
    /// Prior successes (>= 1).
    pub alpha: u64,
    /// Prior failures (>= 1).
    pub beta: u64,
}

impl Default for BetaPrior {
    /// The uniform prior Beta(1, 1).
    fn default() -> Self {
        BetaPrior { alpha: 1, beta: 1 }
    }
}

/// Bayesian decision summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BayesSummary {
    /// Posterior probability that treatment is better than control.
    pub chance_to_beat_control: f64,
    /// Expected shortfall if treatment is shipped but control is better.
    pub expected_loss_treatment: f64,
    /// Expected shortfall if control is kept but treatment is better.
    pub expected_loss_control: f64,
}

/// P(X2 > X1) for X1 ~ Beta(a1, b1), X2 ~ Beta(a2, b2), whole-number
/// parameters >= 1, computed exactly (see the module docs).
pub fn prob_beta_greater(a1: u64, b1: u64, a2: u64, b2: u64) -> f64 {
    // Y = number of X2-uniforms below the a1-th X1-uniform;
    // P(X2 > X1) = P(Y <= a2 - 1).
    let (a1f, b1f) = (a1 as f64, b1 as f64);
    let n1 = (a1 + b1 - 1) as f64;
    let n2 = (a2 + b2 - 1) as f64;
    let total = n1 + n2;
    let ln_pmf = |i: f64| {
        dist::hypergeometric_ln_pmf(a1f - 1.0, n1, n2, a1f - 1.0 + i)
            + (b1f / (total - a1f - i + 1.0)).ln()
    };
    // P(Y = i + 1) / P(Y = i), decreasing in i, so Y is unimodal.
    let ratio = |i: f64| (a1f + i) * (n2 - i) / ((i + 1.0) * (b1f - 1.0 + n2 - i));
    let (mut lo, mut hi) = (0.0_f64, n2);
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if ratio(mid) >= 1.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let mode = if ratio(lo) >= 1.0 { hi } else { lo };
    let k = (a2 - 1) as f64;
    if k < mode {
        walk(k, ln_pmf(k), 0.0, |i| 1.0 / ratio(i - 1.0), -1.0)
    } else if k >= n2 {
        1.0
    } else {
        1.0 - walk(k + 1.0, ln_pmf(k + 1.0), n2, ratio, 1.0)
    }
}

/// Sums the probabilities from `start` to `end` moving by `step`; `next(i)`
/// is P(i + step) / P(i). Terms shrink away from the mode.
fn walk<F: Fn(f64) -> f64>(start: f64, ln_start: f64, end: f64, next: F, step: f64) -> f64 {
    let mut term = ln_start.exp();
    let mut sum = term;
    let mut i = start;
    while i != end {
        term *= next(i);
        i += step;
        if term <= sum * 1e-17 {
            break;
        }
        sum += term;
    }
    sum
}

/// Chance to beat control and expected losses for a conversion metric with
/// Beta posteriors (see the module docs).
pub fn bayes_binary(
    control: &BinaryStats,
    treatment: &BinaryStats,
    prior: BetaPrior,
) -> Result<BayesSummary, NotComputable> {
    if prior.alpha == 0 || prior.beta == 0 {
        return Err(NotComputable::InvalidInput(
            "Beta prior counts must be at least 1",
        ));
    }
    if control.n() == 0 {
        return Err(NotComputable::EmptyArm(Arm::Control));
    }
    if treatment.n() == 0 {
        return Err(NotComputable::EmptyArm(Arm::Treatment));
    }
    let (ac, bc) = (
        prior.alpha + control.successes(),
        prior.beta + control.n() - control.successes(),
    );
    let (at, bt) = (
        prior.alpha + treatment.successes(),
        prior.beta + treatment.n() - treatment.successes(),
    );
    let mean = |a: u64, b: u64| a as f64 / (a + b) as f64;
    let (mc, mt) = (mean(ac, bc), mean(at, bt));
    let loss_treatment =
        mc * prob_beta_greater(at, bt, ac + 1, bc) - mt * prob_beta_greater(at + 1, bt, ac, bc);
    let loss_control =
        mt * prob_beta_greater(ac, bc, at + 1, bt) - mc * prob_beta_greater(ac + 1, bc, at, bt);
    Ok(BayesSummary {
        chance_to_beat_control: prob_beta_greater(ac, bc, at, bt),
        expected_loss_treatment: loss_treatment.max(0.0),
        expected_loss_control: loss_control.max(0.0),
    })
}

/// Chance to beat control and expected losses for a mean metric (normal
/// approximation, flat prior; see the module docs).
pub fn bayes_means(control: &Moments, treatment: &Moments) -> Result<BayesSummary, NotComputable> {
    check_sizes(control.n, treatment.n)?;
    let s2 = control.variance / control.n as f64 + treatment.variance / treatment.n as f64;
    if !(s2 > 0.0) {
        return Err(NotComputable::NoVariation);
    }
    let s = s2.sqrt();
    let d = treatment.mean - control.mean;
    let z = d / s;
    let phi = dist::normal_pdf(z);
    Ok(BayesSummary {
        chance_to_beat_control: dist::normal_cdf(z),
        expected_loss_treatment: (s * phi - d * dist::normal_cdf(-z)).max(0.0),
        expected_loss_control: (s * phi + d * dist::normal_cdf(z)).max(0.0),
    })
}
