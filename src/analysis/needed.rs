//! How many customers per arm the primary metric needs to detect the target
//! effect, given the spread seen so far.
//!
//! The target is the metric's planning `mde` (relative to the control) or
//! `mde_absolute`; without either, the effect seen so far, so the answer
//! reads "to confirm an effect as large as the current estimate".
//!
//! Fixed horizon: the usual two-sided power calculation,
//! `target = (z_{1-alpha/2} + z_{power}) * se(n)` with
//! `se(n)^2 = (var_c + var_t) / n` for `n` customers per arm.
//! Sequential: the confidence sequence replaces `z_{1-alpha/2} * se(n)` by
//! its half-width `h(n)` (Waudby-Smith et al., as used by
//! [`crate::stats::sequential::half_width`]), so `n` solves
//! `target = h(n) + z_{power} * se(n)`; it is found by bisection.

use serde::Serialize;

use crate::config::MetricKind;
use crate::stats::dist::normal_isf;
use crate::stats::sequential::half_width;

/// What the estimate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// The metric's planning `mde` or `mde_absolute`.
    PlannedEffect,
    /// The effect estimated so far (no planning input given).
    CurrentEstimate,
}

/// Customers per arm needed to detect the target effect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SampleNeed {
    /// The absolute effect to detect.
    pub target_absolute: f64,
    /// Where the target comes from.
    pub target_source: TargetSource,
    /// Customers per arm needed in total.
    pub per_arm: u64,
}

/// Inputs of the estimate, read off the primary metric's results.
#[derive(Debug, Clone, Copy)]
pub struct NeedInputs {
    /// Metric kind (rates use p(1 - p) variances at the target).
    pub kind: MetricKind,
    /// Control estimate (rate, mean or score).
    pub control_mean: f64,
    /// Control standard deviation per customer.
    pub control_sd: f64,
    /// Treatment standard deviation per customer.
    pub treatment_sd: f64,
    /// Current absolute effect estimate.
    pub current_effect: f64,
    /// Planning: relative MDE.
    pub mde: Option<f64>,
    /// Planning: absolute MDE.
    pub mde_absolute: Option<f64>,
    /// Significance level.
    pub alpha: f64,
    /// Target power.
    pub power: f64,
    /// Sequential tuning size, if the analysis is sequential.
    pub sequential_tuning: Option<f64>,
}

/// The estimate, or `None` if there is no usable target or spread.
pub fn sample_need(inputs: &NeedInputs) -> Option<SampleNeed> {
    let (target, source) = match (inputs.mde_absolute, inputs.mde) {
        (Some(abs), _) => (abs.abs(), TargetSource::PlannedEffect),
        (None, Some(rel)) => (
            rel.abs() * inputs.control_mean.abs(),
            TargetSource::PlannedEffect,
        ),
        (None, None) => (inputs.current_effect.abs(), TargetSource::CurrentEstimate),
    };
    if !(target > 0.0 && target.is_finite()) {
        return None;
    }
    let variance_sum = match inputs.kind {
        // Rates: the variance at the control rate and at the rate the target
        // implies, as in R's power.prop.test.
        MetricKind::Binary | MetricKind::Csat => {
            let pc = inputs.control_mean;
            // The side of the current estimate; the variance barely depends on it.
            let shifted = if inputs.current_effect >= 0.0 {
                pc + target
            } else {
                pc - target
            };
            let pt = shifted.clamp(0.0, 1.0);
            pc * (1.0 - pc) + pt * (1.0 - pt)
        }
        _ => inputs.control_sd.powi(2) + inputs.treatment_sd.powi(2),
    };
    if !(variance_sum > 0.0 && variance_sum.is_finite()) {
        return None;
    }
    let z_power = normal_isf(1.0 - inputs.power);
    let se = |n: f64| (variance_sum / n).sqrt();
    let reach = |n: f64| match inputs.sequential_tuning {
        Some(tuning) => {
            half_width(variance_sum / n, 2.0 * n, inputs.alpha, tuning) + z_power * se(n)
        }
        None => normal_isf(inputs.alpha / 2.0) * se(n) + z_power * se(n),
    };
    // reach(n) falls as n grows; find the smallest n with reach(n) <= target.
    let (mut lo, mut hi) = (2.0_f64, 2.0_f64);
    while reach(hi) > target {
        hi *= 2.0;
        if hi > 1e12 {
            return None;
        }
    }
    for _ in 0..200 {
        if hi - lo <= 0.5 {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if reach(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(SampleNeed {
        target_absolute: target,
        target_source: source,
        per_arm: hi.ceil() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> NeedInputs {
        NeedInputs {
            kind: MetricKind::Mean,
            control_mean: 50.0,
            control_sd: 10.0,
            treatment_sd: 10.0,
            current_effect: 1.0,
            mde: None,
            mde_absolute: Some(2.0),
            alpha: 0.05,
            power: 0.8,
            sequential_tuning: None,
        }
    }

    #[test]
    fn fixed_horizon_matches_the_normal_formula() {
        // n = (1.959964 + 0.841621)^2 * (100 + 100) / 2^2 = 392.4 -> 393
        let need = sample_need(&inputs()).unwrap();
        assert_eq!(need.per_arm, 393);
        assert_eq!(need.target_source, TargetSource::PlannedEffect);
    }

    #[test]
    fn sequential_needs_more_than_fixed() {
        let fixed = sample_need(&inputs()).unwrap().per_arm;
        let seq = sample_need(&NeedInputs {
            sequential_tuning: Some(5000.0),
            ..inputs()
        })
        .unwrap()
        .per_arm;
        assert!(seq > fixed, "{seq} <= {fixed}");
    }

    #[test]
    fn without_a_target_or_spread_there_is_no_estimate() {
        let none = NeedInputs {
            mde_absolute: None,
            current_effect: 0.0,
            ..inputs()
        };
        assert_eq!(sample_need(&none), None);
        let flat = NeedInputs {
            control_sd: 0.0,
            treatment_sd: 0.0,
            ..inputs()
        };
        assert_eq!(sample_need(&flat), None);
    }
}
