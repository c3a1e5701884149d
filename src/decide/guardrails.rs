//! Guardrails as non-inferiority checks: an initiative rolls out only when
//! the data show each guardrail within its margin.
//!
//! A guardrail metric must not get worse by more than its margin (relative
//! to the control mean). The check is one-sided and uses the data alone
//! (the fixed-horizon estimate and its standard error, no prior): the prior
//! says most initiatives move metrics little, which is exactly the belief a
//! guardrail must not lean on. The chance that the true change is beyond
//! the margin is `Phi((estimate - allowed) / se)` when lower is better; an
//! initiative may roll out while it is below `[decision] max_guardrail_risk`
//! (default 10%, the same as a one-sided 90% bound inside the margin), and
//! it is likely harmful (stop) once that chance passes 50%.
//!
//! The margin is turned into the metric's units with the control mean's
//! magnitude, so a guardrail whose control mean is negative (a margin that
//! can be a loss) is still judged in the right direction; with a control
//! mean of exactly 0 the control's standard deviation is used.

use serde::{Deserialize, Serialize};

use crate::config::Direction;
use crate::stats::dist::normal_cdf;

/// Where a guardrail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardrailStatus {
    /// Shown within its margin: the chance it is beyond is below the limit.
    Safe,
    /// Not yet shown within its margin, nor likely beyond it.
    NotYetSafe,
    /// More likely than not beyond its margin.
    LikelyHarmed,
    /// Valued in money through `[[roi.benefits]]`: its harm is in the NPV.
    InNpv,
    /// No estimate (no data, or no variation to judge by).
    NotComputable,
}

/// The check of one guardrail for one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardrailCheck {
    /// Metric name.
    pub metric: String,
    /// The worsening allowed, in the metric's units (always `>= 0`).
    pub allowed_change: Option<f64>,
    /// Chance, from the data alone, that the true change is worse than
    /// allowed.
    pub probability_beyond_margin: Option<f64>,
    /// The verdict on this guardrail.
    pub status: GuardrailStatus,
}

/// What the check reads about one guardrail comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuardrailEvidence {
    /// Which way is better.
    pub direction: Direction,
    /// The relative margin (0 when none is set: no worsening allowed).
    pub margin: f64,
    /// Control mean and standard deviation.
    pub control_mean: Option<f64>,
    /// Control standard deviation.
    pub control_sd: Option<f64>,
    /// Fixed-horizon estimate (treatment minus control) and standard error.
    pub estimate: Option<(f64, f64)>,
}

/// Checks one guardrail against `max_risk`.
pub fn check(metric: &str, evidence: &GuardrailEvidence, max_risk: f64) -> GuardrailCheck {
    let allowed = match (evidence.control_mean, evidence.control_sd) {
        (Some(m), _) if m != 0.0 => Some(evidence.margin * m.abs()),
        (_, Some(sd)) => Some(evidence.margin * sd),
        _ => None,
    };
    let probability = match (allowed, evidence.estimate) {
        (Some(allowed), Some((estimate, se))) => {
            // The change in the bad direction: positive is worse.
            let worse = match evidence.direction {
                Direction::Decrease => estimate,
                Direction::Increase => -estimate,
            };
            Some(if se > 0.0 {
                normal_cdf((worse - allowed) / se)
            } else if worse > allowed {
                1.0
            } else {
                0.0
            })
        }
        _ => None,
    };
    let status = match probability {
        None => GuardrailStatus::NotComputable,
        Some(p) if p > 0.5 => GuardrailStatus::LikelyHarmed,
        Some(p) if p < max_risk => GuardrailStatus::Safe,
        Some(_) => GuardrailStatus::NotYetSafe,
    };
    GuardrailCheck {
        metric: metric.to_string(),
        allowed_change: allowed,
        probability_beyond_margin: probability,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(direction: Direction, mean: f64, estimate: f64, se: f64) -> GuardrailEvidence {
        GuardrailEvidence {
            direction,
            margin: 0.5,
            control_mean: Some(mean),
            control_sd: Some(1.0),
            estimate: Some((estimate, se)),
        }
    }

    #[test]
    fn a_wide_rise_against_a_margin_is_not_safe() {
        // The case: +99.5% against a 50% margin, interval -28% to
        // +456% relative. Control 1.66%, change +1.66 pp with se 0.73 pp.
        let c = check(
            "unsubscribed",
            &evidence(Direction::Decrease, 0.0166, 0.0166, 0.0073),
            0.1,
        );
        assert_eq!(c.status, GuardrailStatus::LikelyHarmed);
        let p = c.probability_beyond_margin.unwrap();
        assert!((p - normal_cdf((0.0166 - 0.0083) / 0.0073)).abs() < 1e-15);
    }

    #[test]
    fn a_clear_improvement_with_a_negative_control_mean_is_safe() {
        // The case: margin went from -2.26 to +1.88, higher is
        // better. Relative lift -183% means nothing; the change is +4.14.
        let c = check(
            "margin",
            &evidence(Direction::Increase, -2.26, 4.14, 0.8),
            0.1,
        );
        assert_eq!(c.status, GuardrailStatus::Safe);
        assert!(c.probability_beyond_margin.unwrap() < 1e-6);
    }

    #[test]
    fn a_small_sample_is_not_yet_safe() {
        let c = check(
            "unsubscribed",
            &evidence(Direction::Decrease, 0.02, 0.0, 0.008),
            0.1,
        );
        assert_eq!(c.status, GuardrailStatus::NotYetSafe);
    }
}
