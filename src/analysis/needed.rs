//! How many customers per arm the primary metric needs to detect the target
//! effect, given the spread seen so far, at the configured arm weights.
//!
//! The target is the metric's planning `mde` (relative to the control) or
//! `mde_absolute`; without either, the effect seen so far, so the answer
//! reads "to confirm an effect as large as the current estimate".
//!
//! Fixed horizon: the usual two-sided power calculation,
//! `target = (z_{1-alpha/2} + z_{power}) * se(n)` with
//! `se(n)^2 = var_c / n + var_t / (k n)` for `n` control customers and
//! `k n` treated ones, `k` the ratio of the arms' weights (1 for equal arms).
//! Sequential: the confidence sequence replaces `z_{1-alpha/2} * se(n)` by
//! its half-width `h(n)` (Waudby-Smith et al., as used by
//! [`crate::stats::sequential::half_width`], over the `(1 + k) n` customers
//! of both arms), so `n` solves `target = h(n) + z_{power} * se(n)`; it is
//! found by bisection.
//!
//! With unequal weights the two arms need different numbers, and they fill
//! at different speeds. [`SampleNeed::per_arm`] is stated for the arm that
//! fills slowest, the one with the smallest weight among all arms: the
//! caller compares it with that arm's customers so far and its enrollment
//! rate, and by the time that arm has `per_arm` customers every arm has its
//! share. [`SampleNeed::control`] and [`SampleNeed::treatment`] give the
//! compared arms' own numbers.

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

/// Customers needed to detect the target effect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SampleNeed {
    /// The absolute effect to detect.
    pub target_absolute: f64,
    /// Where the target comes from.
    pub target_source: TargetSource,
    /// Customers the arm with the smallest weight (among all arms) needs in
    /// total when every arm grows at its weight; with equal weights, the
    /// customers every arm needs.
    pub per_arm: u64,
    /// Customers the control needs in total.
    pub control: u64,
    /// Customers the compared treatment arm needs in total.
    pub treatment: u64,
}

/// The arms' weights as they enter the estimate (any positive scale: only
/// their ratios matter).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmWeights {
    /// The control's weight.
    pub control: f64,
    /// The compared treatment arm's weight.
    pub treatment: f64,
    /// The smallest weight of all arms, control included.
    pub smallest: f64,
}

impl ArmWeights {
    /// Equal arms.
    pub const EQUAL: ArmWeights = ArmWeights {
        control: 1.0,
        treatment: 1.0,
        smallest: 1.0,
    };

    /// The weights of an experiment's control (its first arm) and the arm
    /// named `treatment`; `None` when no arm has that name.
    pub fn of(arms: &[crate::config::Arm], treatment: &str) -> Option<Self> {
        let control = arms.first()?.weight;
        let treated = arms.iter().skip(1).find(|a| a.name == treatment)?.weight;
        let smallest = arms.iter().map(|a| a.weight).fold(f64::INFINITY, f64::min);
        Some(Self {
            control,
            treatment: treated,
            smallest,
        })
    }
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
    /// The arms' weights.
    pub weights: ArmWeights,
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
    let (var_c, var_t) = match inputs.kind {
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
            (pc * (1.0 - pc), pt * (1.0 - pt))
        }
        _ => (inputs.control_sd.powi(2), inputs.treatment_sd.powi(2)),
    };
    let w = inputs.weights;
    let valid_weights = [w.control, w.treatment, w.smallest]
        .iter()
        .all(|x| x.is_finite() && *x > 0.0);
    if !valid_weights {
        return None;
    }
    // Treated customers per control customer.
    let k = w.treatment / w.control;
    // n * se(n)^2, for n control customers.
    let variance_sum = var_c + var_t / k;
    if !(variance_sum > 0.0 && variance_sum.is_finite()) {
        return None;
    }
    let z_power = normal_isf(1.0 - inputs.power);
    let se = |n: f64| (variance_sum / n).sqrt();
    let reach = |n: f64| match inputs.sequential_tuning {
        Some(tuning) => {
            half_width(variance_sum / n, (1.0 + k) * n, inputs.alpha, tuning) + z_power * se(n)
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
    // To well under a customer, so that the treatment's `k` times as many
    // does not round up past its own need.
    for _ in 0..200 {
        if hi - lo <= 1e-9 * hi {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if reach(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // Every arm has its share once the control has `hi`, so the slowest arm
    // then has `hi * smallest / control` (exactly `hi` with equal weights).
    Some(SampleNeed {
        target_absolute: target,
        target_source: source,
        per_arm: (hi * (w.smallest / w.control)).ceil() as u64,
        control: hi.ceil() as u64,
        treatment: (hi * k).ceil() as u64,
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
            weights: ArmWeights::EQUAL,
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

    #[test]
    fn unequal_weights_size_each_arm_for_the_allocation() {
        // One control per three treated: n solves 2 = 2.801585 * se(n) with
        // se(n)^2 = 100 / n + 100 / (3 n), so n = 7.848879 * 133.33 / 4
        // = 261.6 controls and 784.9 treated customers.
        let one_to_three = ArmWeights {
            control: 0.25,
            treatment: 0.75,
            smallest: 0.25,
        };
        let need = sample_need(&NeedInputs {
            weights: one_to_three,
            ..inputs()
        })
        .unwrap();
        assert_eq!((need.control, need.treatment), (262, 785));
        // The control fills slowest, so "per group" is its number, not the
        // 393 of equal arms.
        assert_eq!(need.per_arm, 262);
        // Mirrored, the treatment is the slow arm.
        let three_to_one = ArmWeights {
            control: 0.75,
            treatment: 0.25,
            smallest: 0.25,
        };
        let need = sample_need(&NeedInputs {
            weights: three_to_one,
            ..inputs()
        })
        .unwrap();
        assert_eq!(
            (need.control, need.treatment, need.per_arm),
            (785, 262, 262)
        );
        // Equal arms are unchanged.
        let equal = sample_need(&inputs()).unwrap();
        assert_eq!(
            (equal.control, equal.treatment, equal.per_arm),
            (393, 393, 393)
        );
    }
}
