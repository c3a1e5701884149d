//! `pilot plan`: before the pilot starts, how many customers it needs, what
//! it can detect with the customers available, how long it takes, and
//! whether it can detect the lift at which the initiative breaks even.
//!
//! Pure: the caller supplies the number of eligible customers. Sample sizes
//! are R's (`power.prop.test` for rates, `power.t.test` for means, see
//! [`crate::stats::power`]); with sequential analysis they are scaled by the
//! extra customers an always-valid interval needs at that size (the ratio of
//! the sequential to the fixed-horizon normal-approximation sample size,
//! [`crate::analysis::needed`]).

use serde::Serialize;

use crate::analysis::needed::{NeedInputs, sample_need};
use crate::config::{Direction, Experiment, Metric, MetricKind};
use crate::format::{count, number, pct, signed_pct};
use crate::roi::plan_break_even_lift;
use crate::stats::power::{
    Design, mde_means, mde_proportions, sample_size_means, sample_size_proportions,
};

/// The lift at which the rollout's NPV is zero, and what detecting it takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BreakEven {
    /// Absolute lift (metric units, in its sign convention).
    pub absolute_lift: f64,
    /// Relative to the baseline, if the baseline is known and nonzero.
    pub relative_lift: Option<f64>,
    /// Customers per arm needed to detect it (the larger arm).
    pub sample_size_per_arm: Option<u64>,
}

/// The plan for one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricPlan {
    /// Metric name.
    pub name: String,
    /// Metric kind.
    pub kind: &'static str,
    /// Metric role.
    pub role: &'static str,
    /// Planning baseline (rate or mean).
    pub baseline: Option<f64>,
    /// Planning standard deviation (means).
    pub baseline_sd: Option<f64>,
    /// The effect to detect, absolute.
    pub mde_absolute: Option<f64>,
    /// The effect to detect, relative to the baseline.
    pub mde_relative: Option<f64>,
    /// Customers per arm to detect the MDE (the larger arm).
    pub sample_size_per_arm: Option<u64>,
    /// Customers to enroll in total for that, at the configured weights.
    pub customers_to_enroll: Option<u64>,
    /// The smallest effect detectable with the customers available now:
    /// absolute, and relative to the baseline.
    pub detectable_with_available: Option<(f64, Option<f64>)>,
    /// Weeks of enrollment beyond today's customers (0: enough today).
    pub enrollment_weeks: Option<f64>,
    /// Break-even lift (with `[roi]` and a benefit on this metric).
    pub break_even: Option<BreakEven>,
    /// Plain-language advice.
    pub advice: Vec<String>,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanReport {
    /// Experiment name.
    pub experiment: String,
    /// Significance level.
    pub alpha: f64,
    /// Target power.
    pub power: f64,
    /// Sequential analysis planned.
    pub sequential: bool,
    /// Eligible customers today.
    pub eligible_customers: u64,
    /// Of those, enrolled given the coverage.
    pub customers_available: u64,
    /// New eligible customers per week, if declared.
    pub new_per_week: Option<f64>,
    /// Months of behaviour the outcomes need after enrollment (`[roi]
    /// metric_window_months`), if declared.
    pub metric_window_months: Option<f64>,
    /// Per metric with planning inputs, in file order.
    pub metrics: Vec<MetricPlan>,
}

/// Plans `exp` given the number of eligible customers today.
pub fn plan(exp: &Experiment, eligible_customers: u64) -> PlanReport {
    let available = (eligible_customers as f64 * exp.assignment.coverage).floor() as u64;
    let metrics = exp
        .metrics
        .iter()
        .map(|m| plan_metric(exp, m, eligible_customers, available))
        .collect();
    PlanReport {
        experiment: exp.meta.name.clone(),
        alpha: exp.analysis.alpha,
        power: exp.analysis.power,
        sequential: exp.analysis.sequential,
        eligible_customers,
        customers_available: available,
        new_per_week: exp.population.new_per_week,
        metric_window_months: exp.roi.as_ref().map(|r| r.metric_window_months),
        metrics,
    }
}

fn is_rate(kind: MetricKind) -> bool {
    matches!(kind, MetricKind::Binary | MetricKind::Csat)
}

/// The power design of a treatment arm with weight `w_t` against the
/// control's `w_c`.
fn design(exp: &Experiment, w_c: f64, w_t: f64) -> Design {
    Design {
        alpha: exp.analysis.alpha,
        power: exp.analysis.power,
        ratio: w_t / w_c,
    }
}

/// Customers per arm (control, treatment) for an absolute effect `delta`,
/// for the treatment arm with weight `w_t` against the control `w_c`.
fn arm_sizes(
    exp: &Experiment,
    metric: &Metric,
    delta: f64,
    w_c: f64,
    w_t: f64,
) -> Option<(u64, u64)> {
    let baseline = metric.baseline?;
    let design = design(exp, w_c, w_t);
    let size = if is_rate(metric.kind) {
        let target = match metric.direction {
            Direction::Increase => baseline + delta.abs(),
            Direction::Decrease => baseline - delta.abs(),
        };
        sample_size_proportions(baseline, target.clamp(1e-9, 1.0 - 1e-9), &design).ok()?
    } else {
        sample_size_means(delta.abs(), metric.baseline_sd?, &design).ok()?
    };
    let scale = sequential_factor(exp, metric, delta);
    Some((
        (size.control_exact * scale).ceil() as u64,
        (size.control_exact * design.ratio * scale).ceil() as u64,
    ))
}

/// How many times more customers an always-valid analysis needs than a
/// fixed-horizon one for this effect (1 without sequential analysis).
fn sequential_factor(exp: &Experiment, metric: &Metric, delta: f64) -> f64 {
    if !exp.analysis.sequential {
        return 1.0;
    }
    let baseline = metric.baseline.unwrap_or(0.0);
    let sd = if is_rate(metric.kind) {
        (baseline * (1.0 - baseline)).max(0.0).sqrt()
    } else {
        metric.baseline_sd.unwrap_or(0.0)
    };
    let inputs = |tuning| NeedInputs {
        kind: metric.kind,
        control_mean: baseline,
        control_sd: sd,
        treatment_sd: sd,
        current_effect: delta,
        mde: None,
        mde_absolute: Some(delta.abs()),
        alpha: exp.analysis.alpha,
        power: exp.analysis.power,
        sequential_tuning: tuning,
    };
    match (
        sample_need(&inputs(Some(exp.analysis.sequential_tuning))),
        sample_need(&inputs(None)),
    ) {
        (Some(seq), Some(fixed)) if fixed.per_arm > 0 => seq.per_arm as f64 / fixed.per_arm as f64,
        _ => 1.0,
    }
}

/// Over all treatment arms: the largest arm size needed and the customers to
/// enroll so that every arm gets its share.
fn worst_case(exp: &Experiment, metric: &Metric, delta: f64) -> Option<(u64, u64)> {
    let w_c = exp.arms[0].weight;
    let mut per_arm = 0;
    let mut enroll = 0.0_f64;
    for arm in &exp.arms[1..] {
        let (c, t) = arm_sizes(exp, metric, delta, w_c, arm.weight)?;
        per_arm = per_arm.max(c).max(t);
        enroll = enroll.max(c as f64 / w_c).max(t as f64 / arm.weight);
    }
    Some((per_arm, enroll.ceil() as u64))
}

fn plan_metric(exp: &Experiment, metric: &Metric, eligible: u64, available: u64) -> MetricPlan {
    let baseline = metric.baseline;
    let mde_absolute = metric
        .mde_absolute
        .or_else(|| Some(metric.mde? * baseline?.abs()));
    let mde_relative = match (metric.mde, metric.mde_absolute, baseline) {
        (Some(rel), _, _) => Some(rel),
        (None, Some(abs), Some(b)) if b != 0.0 => Some(abs / b.abs()),
        _ => None,
    };
    let needed = mde_absolute.and_then(|d| worst_case(exp, metric, d));
    let weeks = needed.and_then(|(_, enroll)| enrollment_weeks(exp, enroll, available));
    let detectable = detectable(exp, metric, available);
    let break_even = break_even(exp, metric, eligible);
    let mut plan = MetricPlan {
        name: metric.name.clone(),
        kind: metric.kind.as_str(),
        role: metric.role.as_str(),
        baseline,
        baseline_sd: metric.baseline_sd,
        mde_absolute,
        mde_relative,
        sample_size_per_arm: needed.map(|n| n.0),
        customers_to_enroll: needed.map(|n| n.1),
        detectable_with_available: detectable,
        enrollment_weeks: weeks,
        break_even,
        advice: Vec::new(),
    };
    plan.advice = advice(exp, metric, &plan, available);
    plan
}

/// Weeks of enrollment beyond the customers available today; `None` if
/// more are needed and no `new_per_week` is declared.
fn enrollment_weeks(exp: &Experiment, enroll: u64, available: u64) -> Option<f64> {
    if enroll <= available {
        return Some(0.0);
    }
    let per_week = exp.population.new_per_week? * exp.assignment.coverage;
    (per_week > 0.0).then(|| (enroll - available) as f64 / per_week)
}

/// The smallest effect detectable with today's customers, for the smallest
/// treatment arm.
fn detectable(exp: &Experiment, metric: &Metric, available: u64) -> Option<(f64, Option<f64>)> {
    let baseline = metric.baseline?;
    let w_c = exp.arms[0].weight;
    let w_t = exp.arms[1..]
        .iter()
        .map(|a| a.weight)
        .fold(f64::INFINITY, f64::min);
    let n_control = available as f64 * w_c;
    let design = design(exp, w_c, w_t);
    let absolute = if is_rate(metric.kind) {
        let p = match metric.direction {
            Direction::Increase => baseline,
            // A decrease from p is, by symmetry, an increase from 1 - p.
            Direction::Decrease => 1.0 - baseline,
        };
        mde_proportions(p, n_control, &design).ok()?
    } else {
        mde_means(metric.baseline_sd?, n_control, &design).ok()?
    };
    let absolute = absolute * sequential_factor(exp, metric, absolute).sqrt();
    let relative = (baseline != 0.0).then(|| absolute / baseline.abs());
    Some((absolute, relative))
}

fn break_even(exp: &Experiment, metric: &Metric, eligible: u64) -> Option<BreakEven> {
    let roi = exp.roi.as_ref()?;
    roi.benefits.iter().find(|b| b.metric == metric.name)?;
    let customers = roi.customers.unwrap_or(eligible as f64);
    let lift = plan_break_even_lift(roi, customers, &metric.name, metric.direction).ok()??;
    let relative = metric
        .baseline
        .filter(|b| *b != 0.0)
        .map(|b| lift / b.abs());
    Some(BreakEven {
        absolute_lift: lift,
        relative_lift: relative,
        sample_size_per_arm: worst_case(exp, metric, lift).map(|n| n.0),
    })
}

fn advice(exp: &Experiment, metric: &Metric, plan: &MetricPlan, available: u64) -> Vec<String> {
    let mut out = Vec::new();
    let effect = |abs: f64, rel: Option<f64>| {
        let abs_text = if is_rate(metric.kind) {
            crate::format::pp(abs)
        } else {
            crate::format::fmt_sig(abs, 3)
        };
        match rel {
            Some(r) => format!("{abs_text} ({})", signed_pct(r)),
            None => abs_text,
        }
    };
    if metric.baseline.is_none() {
        out.push(format!(
            "Add `baseline` (and `baseline_sd` for averages) to `{}` to get sample sizes.",
            metric.name
        ));
        return out;
    }
    if let (Some(n), Some(enroll)) = (plan.sample_size_per_arm, plan.customers_to_enroll) {
        match plan.enrollment_weeks {
            Some(0.0) => out.push(format!(
                "Detecting {} needs {} per group; the {} available today are enough.",
                effect(plan.mde_absolute.unwrap_or(0.0), plan.mde_relative),
                count(n, "customer", "customers"),
                number(available as f64, 0)
            )),
            Some(w) => out.push(format!(
                "Detecting {} needs {} per group ({} in all); with {} available today, enrollment takes about {} more weeks.",
                effect(plan.mde_absolute.unwrap_or(0.0), plan.mde_relative),
                count(n, "customer", "customers"),
                number(enroll as f64, 0),
                number(available as f64, 0),
                number(w.ceil(), 0)
            )),
            None => out.push(format!(
                "Detecting {} needs {} per group ({} in all), more than the {} available; set `[population] new_per_week` to estimate how long enrollment takes.",
                effect(plan.mde_absolute.unwrap_or(0.0), plan.mde_relative),
                count(n, "customer", "customers"),
                number(enroll as f64, 0),
                number(available as f64, 0)
            )),
        }
    }
    if let Some((abs, rel)) = plan.detectable_with_available {
        out.push(format!(
            "With the customers available today the pilot can detect changes of {} or more.",
            effect(abs, rel)
        ));
    }
    if let Some(be) = plan.break_even {
        let be_text = effect(be.absolute_lift, be.relative_lift);
        let detectable = plan.detectable_with_available.map(|d| d.0);
        let planned = plan.mde_absolute;
        if planned.is_some_and(|p| be.absolute_lift.abs() <= p.abs()) {
            out.push(format!(
                "The initiative pays for itself from a change of {be_text}: an effect of the size you plan to detect would pay."
            ));
        } else if detectable.is_some_and(|d| be.absolute_lift.abs() >= d) {
            out.push(format!(
                "The initiative pays for itself from a change of {be_text}; the pilot can detect a change that size."
            ));
        } else if let Some(n) = be.sample_size_per_arm {
            let per_arm_now = (available as f64 * exp.arms[0].weight) as u64;
            let sharper = if is_rate(metric.kind) {
                "measure a metric closer to the money (revenue per customer instead of a rate)"
            } else if metric.covariate.is_none() {
                "add a pre-period covariate (`covariate`, e.g. last quarter's revenue) so CUPED removes noise"
            } else if metric.cap.is_none() {
                "cap extreme values (`cap = 0.99`) so a few big spenders do not drown the signal"
            } else {
                "choose a metric with less noise relative to the effect"
            };
            out.push(format!(
                "The initiative pays for itself from a change of {be_text}, but the pilot cannot detect a change that small: \
                 that needs {} per group and about {} are available. What would help: run the pilot longer so more customers join, \
                 give the pilot a larger share of customers (coverage, weights), or {sharper}.",
                count(n, "customer", "customers"),
                number(per_arm_now as f64, 0)
            ));
        } else {
            out.push(format!(
                "The initiative pays for itself from a change of {be_text}."
            ));
        }
    }
    if exp.analysis.sequential && plan.sample_size_per_arm.is_some() {
        out.push(format!(
            "Sizes include the extra customers that always-valid (sequential) results need at {} power.",
            pct(exp.analysis.power)
        ));
    }
    out
}
