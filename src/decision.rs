//! The verdict: roll out, keep piloting, stop, or investigate, with reasons
//! in plain sentences.
//!
//! Pure: reads compared metrics, health findings and ROI summaries. Rules,
//! per treatment arm against the control:
//! - **stop** if the primary metric is significantly worse, a guardrail is
//!   harmed (significantly worse beyond its margin), or the primary metric
//!   improved but the rollout clearly does not pay (chance of a positive NPV
//!   below `1 - min_probability_positive_npv`);
//! - **rollout** if the primary metric is significantly better, no guardrail
//!   is harmed, every arm compared has at least `min_customers_per_arm`
//!   customers, and (with `[roi]`) the chance of a positive NPV is at least
//!   `min_probability_positive_npv`;
//! - otherwise **continue**.
//!
//! Overall: **investigate** if a health check blocks; else **rollout** with
//! the best qualifying arm (largest chance of a positive NPV, then largest
//! primary effect); **stop** if every treatment arm is a stop; else
//! **continue**, with the customers (and days) still needed.

use serde::Serialize;

use crate::analysis::needed::{SampleNeed, TargetSource};
use crate::analysis::result::{ArmComparison, MetricResult, Outcome};
use crate::config::{Direction, MetricKind};
use crate::format::{days, fmt_sig, money, number, p_value, pct, pp, probability, signed_pct};

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Roll the initiative out to everyone.
    Rollout,
    /// Keep piloting: the evidence is not there yet.
    Continue,
    /// Stop: it harms, or it does not pay.
    Stop,
    /// Something is wrong with the data or the split; fix it first.
    Investigate,
}

impl Verdict {
    /// The verdict as written in reports (`rollout`, `continue`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Rollout => "rollout",
            Verdict::Continue => "continue",
            Verdict::Stop => "stop",
            Verdict::Investigate => "investigate",
        }
    }
}

/// ROI figures the decision reads for one treatment arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoiEvidence {
    /// Chance that the rollout's NPV is positive.
    pub probability_positive: f64,
    /// Median NPV.
    pub npv_median: f64,
}

/// One treatment arm's evidence.
#[derive(Debug, Clone)]
pub struct ArmEvidence<'a> {
    /// Arm name.
    pub arm: &'a str,
    /// Customers in the arm.
    pub customers: u64,
    /// The primary metric's comparison for this arm.
    pub primary: &'a ArmComparison,
    /// Guardrail metrics and their comparison for this arm.
    pub guardrails: Vec<(&'a MetricResult, &'a ArmComparison)>,
    /// ROI of rolling this arm out, if `[roi]` is configured.
    pub roi: Option<RoiEvidence>,
}

/// Everything the decision reads.
#[derive(Debug, Clone)]
pub struct DecisionInput<'a> {
    /// The primary metric (its overall results).
    pub primary: &'a MetricResult,
    /// Control arm name and customers.
    pub control: (&'a str, u64),
    /// Per treatment arm.
    pub arms: Vec<ArmEvidence<'a>>,
    /// Blocking health findings.
    pub blocking: &'a [String],
    /// `[decision] min_customers_per_arm`.
    pub min_customers_per_arm: u64,
    /// `[decision] min_probability_positive_npv`.
    pub min_probability_positive_npv: f64,
    /// Significance level (for "95% interval" wording).
    pub alpha: f64,
    /// Customers per arm needed for the primary metric, if estimable.
    pub need: Option<SampleNeed>,
    /// New customers per day per arm (smallest arm), if known.
    pub enrollment_per_arm_per_day: Option<f64>,
    /// Currency of money amounts (`[roi] currency`).
    pub currency: &'a str,
}

/// The verdict with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Decision {
    /// `rollout`, `continue`, `stop` or `investigate`.
    pub verdict: Verdict,
    /// The treatment arm the verdict is about (the one to roll out, or the
    /// best candidate), if any.
    pub arm: Option<String>,
    /// Plain sentences, most important first.
    pub reasons: Vec<String>,
    /// With `continue`: customers per arm still needed.
    pub more_customers_per_arm: Option<u64>,
    /// With `continue`: days that takes at the current enrollment rate.
    pub more_days: Option<f64>,
}

/// Per-arm call before combining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArmCall {
    Rollout,
    Continue,
    Stop,
}

/// Decides.
pub fn decide(input: &DecisionInput<'_>) -> Decision {
    if !input.blocking.is_empty() {
        return Decision {
            verdict: Verdict::Investigate,
            arm: None,
            reasons: input.blocking.to_vec(),
            more_customers_per_arm: None,
            more_days: None,
        };
    }
    let calls: Vec<(ArmCall, Vec<String>)> = input.arms.iter().map(|a| judge(input, a)).collect();
    let best_rollout = input
        .arms
        .iter()
        .zip(&calls)
        .filter(|(_, (call, _))| *call == ArmCall::Rollout)
        .max_by(|(a, _), (b, _)| rank(a).total_cmp(&rank(b)));
    if let Some((arm, (_, reasons))) = best_rollout {
        return Decision {
            verdict: Verdict::Rollout,
            arm: Some(arm.arm.to_string()),
            reasons: reasons.clone(),
            more_customers_per_arm: None,
            more_days: None,
        };
    }
    if !calls.is_empty() && calls.iter().all(|(call, _)| *call == ArmCall::Stop) {
        let reasons = if calls.len() == 1 {
            calls[0].1.clone()
        } else {
            input
                .arms
                .iter()
                .zip(&calls)
                .flat_map(|(a, (_, r))| r.iter().map(move |r| format!("{}: {r}", a.arm)))
                .collect()
        };
        return Decision {
            verdict: Verdict::Stop,
            arm: None,
            reasons,
            more_customers_per_arm: None,
            more_days: None,
        };
    }
    // Continue: speak about the most promising arm still in the running.
    let candidate = input
        .arms
        .iter()
        .zip(&calls)
        .filter(|(_, (call, _))| *call == ArmCall::Continue)
        .max_by(|(a, _), (b, _)| rank(a).total_cmp(&rank(b)));
    let mut reasons = Vec::new();
    let mut arm_name = None;
    if let Some((arm, (_, why))) = candidate {
        arm_name = Some(arm.arm.to_string());
        reasons.extend(why.iter().cloned());
    }
    for (arm, (call, why)) in input.arms.iter().zip(&calls) {
        if *call == ArmCall::Stop {
            reasons.push(format!("{} is out: {}", arm.arm, why.join(" ")));
        }
    }
    let smallest = input
        .arms
        .iter()
        .map(|a| a.customers)
        .chain(std::iter::once(input.control.1))
        .min()
        .unwrap_or(0);
    let (more, more_days) = match input.need {
        Some(need) => {
            let more = need.per_arm.saturating_sub(smallest);
            let more_days = input
                .enrollment_per_arm_per_day
                .filter(|r| *r > 0.0 && more > 0)
                .map(|r| more as f64 / r);
            reasons.push(need_sentence(input, &need, more, more_days));
            (Some(more), more_days)
        }
        None => (None, None),
    };
    Decision {
        verdict: Verdict::Continue,
        arm: arm_name,
        reasons,
        more_customers_per_arm: more,
        more_days,
    }
}

/// Preference among arms: chance of a positive NPV, then the primary effect
/// in its good direction.
fn rank(arm: &ArmEvidence<'_>) -> f64 {
    let effect = arm.primary.chance_to_beat_control.unwrap_or(0.0);
    arm.roi.map_or(0.0, |r| r.probability_positive) * 10.0 + effect
}

fn judge(input: &DecisionInput<'_>, arm: &ArmEvidence<'_>) -> (ArmCall, Vec<String>) {
    let primary = input.primary;
    let mut reasons = vec![effect_sentence(primary, arm.primary, input.alpha, arm.arm)];
    let harmed: Vec<String> = arm
        .guardrails
        .iter()
        .filter(|(m, c)| guardrail_harmed(m, c))
        .map(|(m, c)| harm_sentence(m, c))
        .collect();
    if !harmed.is_empty() {
        reasons.extend(harmed);
        return (ArmCall::Stop, reasons);
    }
    match arm.primary.outcome {
        Outcome::Worse => return (ArmCall::Stop, reasons),
        Outcome::Better => {}
        Outcome::Inconclusive | Outcome::NotComputable => {
            if let Some(roi) = arm.roi {
                reasons.push(roi_sentence(roi, input.currency));
            }
            return (ArmCall::Continue, reasons);
        }
    }
    if !arm.guardrails.is_empty() {
        reasons.push("No guardrail metric got worse beyond its margin.".to_string());
    }
    if let Some(roi) = arm.roi {
        reasons.push(roi_sentence(roi, input.currency));
        if roi.probability_positive < 1.0 - input.min_probability_positive_npv {
            reasons.push(
                "It works, but it does not pay for itself: rolling it out would most likely lose money."
                    .to_string(),
            );
            return (ArmCall::Stop, reasons);
        }
        if roi.probability_positive < input.min_probability_positive_npv {
            reasons.push(format!(
                "Roll-out needs a chance of at least {} that it pays off; keep piloting to narrow the range.",
                pct(input.min_probability_positive_npv)
            ));
            return (ArmCall::Continue, reasons);
        }
    }
    let fewest = arm.customers.min(input.control.1);
    if fewest < input.min_customers_per_arm {
        reasons.push(format!(
            "The decision waits for at least {} customers per group (the smallest has {}).",
            number(input.min_customers_per_arm as f64, 0),
            number(fewest as f64, 0)
        ));
        return (ArmCall::Continue, reasons);
    }
    (ArmCall::Rollout, reasons)
}

/// A guardrail is harmed when its whole interval lies on the bad side of
/// the margin: relative change below `-margin` (higher is better) or above
/// `+margin` (lower is better). Metrics without a relative change use the
/// absolute interval and the margin times the control value.
fn guardrail_harmed(metric: &MetricResult, c: &ArmComparison) -> bool {
    let margin = metric.margin.unwrap_or(0.0);
    let lower_is_better = metric.direction == Direction::Decrease;
    let (interval, allowed) = match (c.relative, c.absolute) {
        (Some(rel), _) => (rel, margin),
        (None, Some(abs)) => {
            let base = metric
                .arms
                .first()
                .and_then(|a| a.mean)
                .unwrap_or(0.0)
                .abs();
            (abs, margin * base)
        }
        (None, None) => return false,
    };
    if lower_is_better {
        interval.ci_low > allowed
    } else {
        interval.ci_high < -allowed
    }
}

/// How a value of this metric reads: rates as percentages, changes of rates
/// in percentage points, other values with three significant digits.
fn is_rate(metric: &MetricResult) -> bool {
    matches!(metric.kind, MetricKind::Binary | MetricKind::Csat)
}

fn value(metric: &MetricResult, x: f64) -> String {
    if is_rate(metric) {
        pct(x)
    } else {
        fmt_sig(x, 3)
    }
}

fn change(metric: &MetricResult, x: f64) -> String {
    if is_rate(metric) {
        pp(x)
    } else {
        let s = fmt_sig(x, 3);
        if x > 0.0 { format!("+{s}") } else { s }
    }
}

fn effect_sentence(metric: &MetricResult, c: &ArmComparison, alpha: f64, arm: &str) -> String {
    let Some(abs) = c.absolute else {
        return format!(
            "{} cannot be compared yet: {}.",
            metric.name,
            c.not_computable.as_deref().unwrap_or("not enough data")
        );
    };
    let control = metric.arms.first().and_then(|a| a.mean);
    let treated = metric
        .arms
        .iter()
        .find(|a| a.arm == arm)
        .and_then(|a| a.mean);
    let level = format!("{:.0}%", (1.0 - alpha) * 100.0);
    let moved = match (control, treated) {
        (Some(c0), Some(t0)) => format!("from {} to {}", value(metric, c0), value(metric, t0)),
        _ => String::new(),
    };
    let relative = c
        .relative
        .map(|r| format!(", {}", signed_pct(r.estimate)))
        .unwrap_or_default();
    let p = c
        .p_value_adjusted
        .or(c.p_value)
        .map(p_value)
        .unwrap_or_default();
    let interval = format!(
        "{level} interval {} to {}",
        change(metric, abs.ci_low),
        change(metric, abs.ci_high)
    );
    match c.outcome {
        Outcome::Better => format!(
            "{arm} improved {} {moved} ({}{relative}; {interval}; {p}).",
            metric.name,
            change(metric, abs.estimate)
        ),
        Outcome::Worse => format!(
            "{arm} made {} worse: {moved} ({}{relative}; {interval}; {p}).",
            metric.name,
            change(metric, abs.estimate)
        ),
        _ => format!(
            "The effect of {arm} on {} is not clear yet: {} ({interval}; {p}).",
            metric.name,
            change(metric, abs.estimate)
        ),
    }
}

fn harm_sentence(metric: &MetricResult, c: &ArmComparison) -> String {
    let margin = metric.margin.unwrap_or(0.0);
    let what = match c.relative {
        Some(r) => format!(
            "{} ({} to {})",
            signed_pct(r.estimate),
            signed_pct(r.ci_low),
            signed_pct(r.ci_high)
        ),
        None => c
            .absolute
            .map(|a| change(metric, a.estimate))
            .unwrap_or_default(),
    };
    if margin > 0.0 {
        format!(
            "Guardrail {} got worse beyond its {} margin: {what}.",
            metric.name,
            pct(margin)
        )
    } else {
        format!("Guardrail {} got significantly worse: {what}.", metric.name)
    }
}

fn roi_sentence(roi: RoiEvidence, currency: &str) -> String {
    format!(
        "Rolled out to everyone, the chance that it pays off is {} (median net present value {}).",
        probability(roi.probability_positive),
        money(roi.npv_median, currency)
    )
}

fn need_sentence(
    input: &DecisionInput<'_>,
    need: &SampleNeed,
    more: u64,
    more_days: Option<f64>,
) -> String {
    let metric = input.primary;
    let target = match need.target_source {
        TargetSource::PlannedEffect => format!(
            "the target change of {}",
            change(metric, need.target_absolute)
        ),
        TargetSource::CurrentEstimate => format!(
            "a change as large as the current estimate ({})",
            change(metric, need.target_absolute)
        ),
    };
    if more == 0 {
        return format!(
            "The groups are already large enough to detect {target} in {}; if it is there, it should show soon.",
            metric.name
        );
    }
    let when = more_days
        .map(|d| format!(", {} at the current enrollment rate", days(d)))
        .unwrap_or_default();
    format!(
        "To detect {target} in {}, about {} customers per group are needed: {} more{when}.",
        metric.name,
        number(need.per_arm as f64, 0),
        number(more as f64, 0)
    )
}
