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
//!
//! Spread of mean and ratio metrics: `baseline_sd` is today's, the control's.
//! An increase of money or counts spreads them out too (a pilot that makes
//! customers spend 20% more makes the amounts 20% larger, so their standard
//! deviation grows 20%), and sizing with today's spread in both arms then
//! misses the target power: about 0.72 instead of 0.80 for revenue at +20%
//! (`docs/calibration.md`). So a planned increase of a mean or
//! ratio metric with a positive baseline assumes the treatment arm's standard
//! deviation grows in proportion to its mean (a constant coefficient of
//! variation) and plans with the effective common spread
//! `sqrt((sd_c^2 + sd_t^2 / k) / (1 + 1 / k))` (k = n_t / n_c), which gives
//! the Welch standard error of the difference. A decrease is not assumed to
//! shrink the spread (today's is kept, on the safe side), and scores on a
//! fixed scale (NPS, ordinal) keep today's spread.

use serde::Serialize;

use crate::analysis::needed::{ArmWeights, NeedInputs, sample_need};
use crate::config::{Direction, Experiment, Metric, MetricKind, Roi};
use crate::decide::prior::{EffectScale, relative_prior};
use crate::decide::test_and_roll::Rollout;
use crate::format::{count, money, number, pct, signed_pct};
use crate::roi::{MetricEffect, linear_npv, plan_break_even_lift};
use crate::stats::power::{
    Design, mde_means, mde_proportions, sample_size_means, sample_size_proportions,
};

/// Customers one group needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmSize {
    /// Arm name.
    pub arm: String,
    /// Customers in that arm.
    pub customers: u64,
}

/// The lift at which the rollout's NPV is zero, and what detecting it takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakEven {
    /// Absolute lift (metric units, in its sign convention).
    pub absolute_lift: f64,
    /// Relative to the baseline, if the baseline is known and nonzero.
    pub relative_lift: Option<f64>,
    /// Customers per arm needed to detect it (the larger arm).
    pub sample_size_per_arm: Option<u64>,
    /// Customers each arm needs to detect it, control first.
    pub sample_size_by_arm: Option<Vec<ArmSize>>,
}

/// The pilot size that maximizes the expected profit of testing and then
/// rolling out only if the test says it pays (Test & Roll, see
/// [`crate::decide::test_and_roll`]).
///
/// Money is the net present value (`[roi]` horizon and discounting) against
/// keeping the status quo for everyone, in `[roi] currency`; it includes what
/// the treated pilot customers earn and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfitOptimal {
    /// Customers the pilot and the rollout share: `[roi] customers`, or the
    /// eligible customers.
    pub population: f64,
    /// Customers in the larger group of the profit-optimal pilot; 0 when no
    /// pilot pays for itself.
    pub sample_size_per_arm: u64,
    /// Customers per group of the profit-optimal pilot, control first (at
    /// the configured weights); all 0 when no pilot pays.
    pub sample_size_by_arm: Vec<ArmSize>,
    /// Expected profit of that pilot followed by rolling out iff the
    /// expected NPV given its result is positive.
    pub expected_profit: f64,
    /// Expected profit of deciding without a pilot: the better of rolling
    /// out blind and keeping the status quo (0).
    pub profit_without_test: f64,
    /// Whether that choice is rolling out.
    pub rolls_out_without_test: bool,
    /// Expected profit of rolling out to everyone without a pilot (negative
    /// when the prior expects a loss).
    pub profit_rolling_out_blind: f64,
    /// Expected profit if the true effect were known: the most any pilot
    /// could earn.
    pub profit_perfect_information: f64,
    /// Expected profit of piloting with the power-based size
    /// (`sample_size_by_arm` of the metric); `None` without a planned
    /// effect, or when that size is more than the population.
    pub profit_at_power_size: Option<f64>,
    /// Currency of the amounts.
    pub currency: String,
}

/// The plan for one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricPlan {
    /// Metric name.
    pub name: String,
    /// The metric's `label`, what the plan calls it (`null`: its name).
    #[serde(default)]
    pub label: Option<String>,
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
    /// Customers each arm needs to detect the MDE, control first (they
    /// differ with unequal weights).
    pub sample_size_by_arm: Option<Vec<ArmSize>>,
    /// Customers to enroll in total for that, at the configured weights.
    pub customers_to_enroll: Option<u64>,
    /// The smallest effect detectable with the customers available now:
    /// absolute, and relative to the baseline.
    pub detectable_with_available: Option<(f64, Option<f64>)>,
    /// Weeks of enrollment beyond today's customers (0: enough today).
    pub enrollment_weeks: Option<f64>,
    /// Break-even lift (with `[roi]` and a benefit on this metric).
    pub break_even: Option<BreakEven>,
    /// The profit-maximizing pilot size (with `[roi]`, a benefit on this
    /// metric, two arms and a prior).
    pub profit_optimal: Option<ProfitOptimal>,
    /// Plain-language advice.
    pub advice: Vec<String>,
}

impl MetricPlan {
    /// What the plan calls the metric: its label, or its name.
    pub fn title(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }
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
        let sd = planning_sd(
            metric.baseline_sd?,
            spread_growth(metric, delta),
            design.ratio,
        );
        sample_size_means(delta.abs(), sd, &design).ok()?
    };
    let scale = sequential_factor(exp, metric, delta, w_c, w_t);
    Some((
        (size.control_exact * scale).ceil() as u64,
        (size.control_exact * design.ratio * scale).ceil() as u64,
    ))
}

/// How many times the treatment arm's standard deviation exceeds today's
/// under an absolute effect `delta` of the metric's planned direction (see
/// the module docs): 1 + |delta| / baseline for an increase of a mean or
/// ratio metric with a positive baseline, else 1.
fn spread_growth(metric: &Metric, delta: f64) -> f64 {
    match metric.baseline {
        Some(b)
            if b > 0.0
                && metric.direction == Direction::Increase
                && matches!(metric.kind, MetricKind::Mean | MetricKind::Ratio) =>
        {
            1.0 + delta.abs() / b
        }
        _ => 1.0,
    }
}

/// The common standard deviation that gives the power functions' pooled
/// test the Welch standard error of arms with spreads `sd` (control) and
/// `sd * growth` (treatment) at allocation `ratio` = n_t / n_c.
fn planning_sd(sd: f64, growth: f64, ratio: f64) -> f64 {
    sd * ((1.0 + growth * growth / ratio) / (1.0 + 1.0 / ratio)).sqrt()
}

/// The smallest increase detectable when the spread grows with the mean,
/// given `common`, the one detectable with today's spread in both arms, for
/// a metric with baseline `baseline` > 0 at allocation `ratio` = k.
///
/// The detectable effect is proportional to the planning spread, so d solves
/// d = common * planning_sd(1, 1 + d / b, k), a quadratic:
/// d^2 (1 - q / (k b^2)) - d 2 q / (k b) - common^2 = 0 with
/// q = common^2 k / (k + 1). `None` when its leading coefficient is not
/// positive: then the noise grows as fast as any effect and no increase
/// reaches the power.
fn detectable_with_growth(common: f64, baseline: f64, ratio: f64) -> Option<f64> {
    let (b, k) = (baseline, ratio);
    let q = common * common * k / (k + 1.0);
    let a = 1.0 - q / (k * b * b);
    if a.is_nan() || a <= 0.0 {
        return None;
    }
    let half_b = q / (k * b);
    Some((half_b + (half_b * half_b + a * common * common).sqrt()) / a)
}

/// How many times more customers an always-valid analysis needs than a
/// fixed-horizon one for this effect, for the treatment arm with weight
/// `w_t` against the control `w_c` (1 without sequential analysis).
fn sequential_factor(exp: &Experiment, metric: &Metric, delta: f64, w_c: f64, w_t: f64) -> f64 {
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
        treatment_sd: sd * spread_growth(metric, delta),
        current_effect: delta,
        mde: None,
        mde_absolute: Some(delta.abs()),
        alpha: exp.analysis.alpha,
        power: exp.analysis.power,
        sequential_tuning: tuning,
        weights: ArmWeights {
            control: w_c,
            treatment: w_t,
            smallest: w_c.min(w_t),
        },
    };
    match (
        sample_need(&inputs(Some(exp.analysis.sequential_tuning))),
        sample_need(&inputs(None)),
    ) {
        (Some(seq), Some(fixed)) if fixed.control > 0 => seq.control as f64 / fixed.control as f64,
        _ => 1.0,
    }
}

/// What detecting one effect takes, over all treatment arms.
struct Needs {
    /// Customers each arm needs, control first (the most any comparison
    /// asks of it).
    by_arm: Vec<ArmSize>,
    /// The largest of them.
    largest: u64,
    /// Customers to enroll so that every arm gets its share at the weights.
    enroll: u64,
}

fn needs(exp: &Experiment, metric: &Metric, delta: f64) -> Option<Needs> {
    let w_c = exp.arms[0].weight;
    let mut control = 0;
    let mut treated = Vec::with_capacity(exp.arms.len() - 1);
    for arm in &exp.arms[1..] {
        let (c, t) = arm_sizes(exp, metric, delta, w_c, arm.weight)?;
        control = control.max(c);
        treated.push(ArmSize {
            arm: arm.name.clone(),
            customers: t,
        });
    }
    let mut by_arm = vec![ArmSize {
        arm: exp.arms[0].name.clone(),
        customers: control,
    }];
    by_arm.extend(treated);
    let enroll = exp
        .arms
        .iter()
        .zip(&by_arm)
        .map(|(a, n)| n.customers as f64 / a.weight)
        .fold(0.0_f64, f64::max);
    Some(Needs {
        largest: by_arm.iter().map(|n| n.customers).max().unwrap_or(0),
        by_arm,
        enroll: enroll.ceil() as u64,
    })
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
    let needed = mde_absolute.and_then(|d| needs(exp, metric, d));
    let weeks = needed
        .as_ref()
        .and_then(|n| enrollment_weeks(exp, n.enroll, available));
    let detectable = detectable(exp, metric, available);
    let break_even = break_even(exp, metric, eligible);
    let power_size = needed.as_ref().map(|n| n.by_arm.as_slice());
    let profit = profit_optimal(exp, metric, eligible, power_size);
    let mut plan = MetricPlan {
        name: metric.name.clone(),
        label: metric.label.clone(),
        kind: metric.kind.as_str(),
        role: metric.role.as_str(),
        baseline,
        baseline_sd: metric.baseline_sd,
        mde_absolute,
        mde_relative,
        sample_size_per_arm: needed.as_ref().map(|n| n.largest),
        sample_size_by_arm: needed.as_ref().map(|n| n.by_arm.clone()),
        customers_to_enroll: needed.as_ref().map(|n| n.enroll),
        detectable_with_available: detectable,
        enrollment_weeks: weeks,
        break_even,
        profit_optimal: profit.as_ref().and_then(|p| p.as_ref().ok()).cloned(),
        advice: Vec::new(),
    };
    plan.advice = advice(exp, metric, &plan, available);
    if let Some(Err(why)) = profit {
        plan.advice.push(why);
    }
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
        let common = mde_means(metric.baseline_sd?, n_control, &design).ok()?;
        if spread_growth(metric, common) > 1.0 {
            detectable_with_growth(common, baseline, design.ratio)?
        } else {
            common
        }
    };
    let absolute = absolute * sequential_factor(exp, metric, absolute, w_c, w_t).sqrt();
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
    let needed = needs(exp, metric, lift);
    Some(BreakEven {
        absolute_lift: lift,
        relative_lift: relative,
        sample_size_per_arm: needed.as_ref().map(|n| n.largest),
        sample_size_by_arm: needed.map(|n| n.by_arm),
    })
}

/// The profit-maximizing pilot for a metric that creates value in `[roi]`:
/// `None` when it does not apply (no `[roi]`, no benefit on this metric, no
/// baseline), else the plan or the plain reason it cannot be made.
///
/// The effect's prior is the decision model's (`[decision] prior`, scaled
/// by the baseline as [`EffectScale`] says); the money per customer and the
/// fixed costs come from the ROI model, whose NPV is linear in the lift and
/// in the customers reached. The treated customers' spread is taken as
/// today's: the profit model does not know the effect in advance.
fn profit_optimal(
    exp: &Experiment,
    metric: &Metric,
    eligible: u64,
    power_size: Option<&[ArmSize]>,
) -> Option<Result<ProfitOptimal, String>> {
    let roi = exp.roi.as_ref()?;
    roi.benefits.iter().find(|b| b.metric == metric.name)?;
    let baseline = metric.baseline?;
    Some(profit_optimal_for(
        exp, roi, metric, baseline, eligible, power_size,
    ))
}

fn profit_optimal_for(
    exp: &Experiment,
    roi: &Roi,
    metric: &Metric,
    baseline: f64,
    eligible: u64,
    power_size: Option<&[ArmSize]>,
) -> Result<ProfitOptimal, String> {
    let name = &metric.name;
    let sd = if is_rate(metric.kind) {
        (baseline * (1.0 - baseline)).max(0.0).sqrt()
    } else {
        metric
            .baseline_sd
            .ok_or_else(|| format!("Add `baseline_sd` to `{name}` to size the pilot for profit."))?
    };
    let [control, treatment] = exp.arms.as_slice() else {
        return Err(format!(
            "Sizing the pilot for profit compares one new option with the control; with {} \
             groups it is not computed.",
            exp.arms.len()
        ));
    };
    let Some(relative) = relative_prior(exp.decision.prior) else {
        return Err(
            "Sizing the pilot for profit needs a prior on the effect, and `[decision] prior = \
             \"none\"` sets none; use the default or a normal prior to see how large a pilot \
             pays for itself."
                .to_string(),
        );
    };
    let scale = EffectScale::of(Some(baseline), Some(sd)).ok_or_else(|| {
        format!(
            "`{name}` has no spread at its baseline, so the size of an effect on it cannot be \
             stated and the pilot is not sized for profit."
        )
    })?;
    let population = roi.customers.unwrap_or(eligible as f64);
    let (value_per_unit, cost_per_customer, fixed_cost) =
        rollout_money(exp, roi, name).map_err(|e| format!("Sizing the pilot for profit: {e}"))?;
    let rollout = Rollout {
        population,
        prior: relative.affine(0.0, scale.value()),
        control_sd: sd,
        treatment_sd: sd,
        treatment_per_control: treatment.weight / control.weight,
        value_per_unit,
        cost_per_customer,
        fixed_cost,
    };
    let best = rollout.plan().map_err(|e| {
        format!("The pilot is not sized for profit: {e} (`[roi] customers` is {population}).")
    })?;
    let profit_at_power_size = match power_size {
        Some([c, t]) => rollout.expected_profit(c.customers as f64, t.customers as f64),
        _ => None,
    };
    let blind = rollout.profit_rolling_out_blind();
    Ok(ProfitOptimal {
        population,
        sample_size_per_arm: best.control.max(best.treatment),
        sample_size_by_arm: vec![
            ArmSize {
                arm: control.name.clone(),
                customers: best.control,
            },
            ArmSize {
                arm: treatment.name.clone(),
                customers: best.treatment,
            },
        ],
        expected_profit: best.expected_profit,
        profit_without_test: rollout.profit_without_test(),
        rolls_out_without_test: blind > 0.0,
        profit_rolling_out_blind: blind,
        profit_perfect_information: rollout.profit_perfect_information(),
        profit_at_power_size,
        currency: roi.currency.clone(),
    })
}

/// The ROI model's money for one treated customer: (NPV per unit of lift of
/// `metric`, present value of the per-customer costs, the costs paid
/// whatever the number of customers).
///
/// Read off [`linear_npv`] with the fixed or the per-customer costs set to
/// zero, so each part is computed directly rather than as a difference.
fn rollout_money(
    exp: &Experiment,
    roi: &Roi,
    metric: &str,
) -> crate::error::Result<(f64, f64, f64)> {
    let mut effects: Vec<MetricEffect> = Vec::new();
    for b in &roi.benefits {
        if effects.iter().any(|e| e.metric == b.metric) {
            continue;
        }
        let direction = exp
            .metrics
            .iter()
            .find(|m| m.name == b.metric)
            .map_or(Direction::Increase, |m| m.direction);
        effects.push(MetricEffect {
            metric: b.metric.clone(),
            direction,
            lift: 0.0,
            se: 0.0,
            control_mean: None,
        });
    }
    let per_customer = Roi {
        one_time_cost: 0.0,
        monthly_cost: 0.0,
        ..roi.clone()
    };
    let fixed = Roi {
        cost_per_customer_month: 0.0,
        ..roi.clone()
    };
    let variable = linear_npv(&per_customer, 1.0, &effects)?;
    let value = variable
        .per_unit_lift
        .iter()
        .find(|(m, _)| m == metric)
        .map_or(0.0, |(_, k)| *k);
    Ok((
        value,
        -variable.at_zero_effect,
        -linear_npv(&fixed, 1.0, &effects)?.at_zero_effect,
    ))
}

/// "173 customers per group" when all groups are the same size, else "100
/// in control and 300 in sms".
fn groups(sizes: &[ArmSize]) -> String {
    match equal_size(sizes) {
        Some(n) => format!("{} per group", count(n, "customer", "customers")),
        None => join_and(
            sizes
                .iter()
                .map(|s| format!("{} in {}", number(s.customers as f64, 0), s.arm))
                .collect(),
        ),
    }
}

/// The common size when every group has the same number of customers.
fn equal_size(sizes: &[ArmSize]) -> Option<u64> {
    let first = sizes.first()?.customers;
    sizes.iter().all(|s| s.customers == first).then_some(first)
}

/// "a", "a and b", "a, b and c".
fn join_and(mut parts: Vec<String>) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

/// The plain-language reading of the profit-optimal pilot.
fn profit_advice(
    exp: &Experiment,
    p: &ProfitOptimal,
    power: Option<&[ArmSize]>,
    available: u64,
) -> Vec<String> {
    let cur = p.currency.as_str();
    let treatment = exp
        .arms
        .last()
        .map_or("the new option", |a| a.name.as_str());
    let without = if p.rolls_out_without_test {
        format!(
            "rolling {treatment} out to everyone without a pilot is expected to earn {}",
            money(p.profit_without_test, cur)
        )
    } else {
        format!(
            "without a pilot the best choice is to keep things as they are ({}; rolling out \
             blind is expected to earn {})",
            money(0.0, cur),
            money(p.profit_rolling_out_blind, cur)
        )
    };
    let at_power = match (power, p.profit_at_power_size) {
        (Some(sizes), Some(v)) => format!(
            "; piloting with the power-based size ({}) is expected to earn {}",
            groups(sizes),
            money(v, cur)
        ),
        (Some(sizes), None) => format!(
            "; the power-based size ({}) needs more than the {} customers there are",
            groups(sizes),
            number(p.population, 0)
        ),
        _ => String::new(),
    };
    let mut out = Vec::new();
    let tested: u64 = p.sample_size_by_arm.iter().map(|s| s.customers).sum();
    if tested == 0 {
        out.push(format!(
            "Sized for profit, no pilot pays for itself: what it could reveal is worth less than \
             what its customers cost (knowing the effect exactly would be worth {}). So \
             {without}{at_power}.",
            money(p.profit_perfect_information, cur)
        ));
    } else {
        let rest = p.population - tested as f64;
        let then = if rest >= 1.0 {
            format!(
                "and then rolling {treatment} out to the other {} customers only if the result \
                 says it pays",
                number(rest, 0)
            )
        } else {
            "(everyone: no customer is left to roll out to)".to_string()
        };
        out.push(format!(
            "Sized for profit: piloting with {} {then} is expected to earn {} (net present value \
             against keeping things as they are); {without}{at_power}. Knowing the effect \
             exactly would be worth {}.",
            groups(&p.sample_size_by_arm),
            money(p.expected_profit, cur),
            money(p.profit_perfect_information, cur)
        ));
        if tested > available {
            out.push(format!(
                "The profit-optimal pilot needs {} customers, more than the {} available today.",
                number(tested as f64, 0),
                number(available as f64, 0)
            ));
        }
    }
    out
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
    if let (Some(sizes), Some(enroll)) = (&plan.sample_size_by_arm, plan.customers_to_enroll) {
        let n = groups(sizes);
        match plan.enrollment_weeks {
            Some(0.0) => out.push(format!(
                "Detecting {} needs {n}; the {} available today are enough.",
                effect(plan.mde_absolute.unwrap_or(0.0), plan.mde_relative),
                number(available as f64, 0)
            )),
            Some(w) => out.push(format!(
                "Detecting {} needs {n} ({} in all); with {} available today, enrollment takes about {} more weeks.",
                effect(plan.mde_absolute.unwrap_or(0.0), plan.mde_relative),
                number(enroll as f64, 0),
                number(available as f64, 0),
                number(w.ceil(), 0)
            )),
            None => out.push(format!(
                "Detecting {} needs {n} ({} in all), more than the {} available; set `[population] new_per_week` to estimate how long enrollment takes.",
                effect(plan.mde_absolute.unwrap_or(0.0), plan.mde_relative),
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
    if let Some(be) = &plan.break_even {
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
        } else if let Some(sizes) = &be.sample_size_by_arm {
            // What each group holds if today's customers are split at the
            // weights, in the same order as the sizes needed.
            let now: Vec<ArmSize> = exp
                .arms
                .iter()
                .map(|a| ArmSize {
                    arm: a.name.clone(),
                    customers: (available as f64 * a.weight) as u64,
                })
                .collect();
            let have = match equal_size(&now) {
                Some(n) => format!("about {} are available", number(n as f64, 0)),
                None => format!("about {} are available", groups(&now)),
            };
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
                 that needs {} and {have}. What would help: run the pilot longer so more customers join, \
                 give the pilot a larger share of customers (coverage, weights), or {sharper}.",
                groups(sizes)
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
    if let Some(p) = &plan.profit_optimal {
        out.extend(profit_advice(
            exp,
            p,
            plan.sample_size_by_arm.as_deref(),
            available,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// An experiment with one metric whose planning lines are `fields`.
    fn experiment(fields: &str, ratio_weights: Option<(f64, f64)>) -> Experiment {
        let (wc, wt) = ratio_weights.unwrap_or((1.0, 1.0));
        let text = format!(
            "[experiment]\nname = \"t\"\n[[arms]]\nname = \"control\"\nweight = {wc}\n\
             [[arms]]\nname = \"pilot\"\nweight = {wt}\n[population]\nfile = \"c.csv\"\n\
             [assignment]\nfile = \"a.csv\"\n[[metrics]]\nname = \"m\"\nrole = \"primary\"\n\
             {fields}\n[analysis]\nsequential = false\n"
        );
        crate::config::parse(Path::new("t.toml"), &text).unwrap()
    }

    #[test]
    fn an_increase_is_sized_for_the_spread_it_adds() {
        let exp = experiment(
            "kind = \"mean\"\ndirection = \"increase\"\nbaseline = 10\nbaseline_sd = 20\nmde = 0.2",
            None,
        );
        let m = &plan(&exp, 1000).metrics[0];
        // Treatment sd 24: the root mean square of 20 and 24.
        let rms = ((20.0f64.powi(2) + 24.0f64.powi(2)) / 2.0).sqrt();
        let expected = sample_size_means(2.0, rms, &Design::default()).unwrap();
        assert_eq!(m.sample_size_per_arm, Some(expected.control));
        // Today's spread in both arms would ask for fewer customers.
        let today = sample_size_means(2.0, 20.0, &Design::default()).unwrap();
        assert!(today.control < expected.control);
    }

    #[test]
    fn a_decrease_and_a_score_keep_todays_spread() {
        for fields in [
            "kind = \"mean\"\ndirection = \"decrease\"\nbaseline = 10\nbaseline_sd = 20\nmde = 0.2",
            "kind = \"ordinal\"\nscale = [1, 7]\ndirection = \"increase\"\nbaseline = 4\nbaseline_sd = 1.5\nmde_absolute = 0.2",
        ] {
            let exp = experiment(fields, None);
            let m = &plan(&exp, 1000).metrics[0];
            let delta = m.mde_absolute.unwrap();
            let sd = m.baseline_sd.unwrap();
            let expected = sample_size_means(delta, sd, &Design::default()).unwrap();
            assert_eq!(m.sample_size_per_arm, Some(expected.control), "{fields}");
        }
    }

    #[test]
    fn the_detectable_increase_inverts_the_sample_size() {
        // Unequal arms too: the growth enters through the allocation ratio.
        for weights in [None, Some((1.0, 3.0))] {
            let exp = experiment(
                "kind = \"ratio\"\ndenominator = \"orders\"\ndirection = \"increase\"\nbaseline = 25\nbaseline_sd = 9\nmde = 0.3",
                weights,
            );
            let m = &plan(&exp, 1000).metrics[0];
            let (d, _) = m.detectable_with_available.unwrap();
            // The size that detects d with the growing spread is the control
            // share of the 1000 customers (up to rounding up).
            let (c, _) = arm_sizes(
                &exp,
                &exp.metrics[0],
                d,
                exp.arms[0].weight,
                exp.arms[1].weight,
            )
            .unwrap();
            let available = 1000.0 * exp.arms[0].weight / (exp.arms[0].weight + exp.arms[1].weight);
            assert!(
                (c as f64 - available).abs() <= 1.0,
                "{weights:?}: {c} vs {available}"
            );
        }
    }

    #[test]
    fn no_increase_is_detectable_when_the_noise_grows_as_fast() {
        // With two customers per arm the common-spread MDE is many times the
        // baseline, and growing the spread with the mean never catches up.
        let exp = experiment(
            "kind = \"mean\"\ndirection = \"increase\"\nbaseline = 1\nbaseline_sd = 5\nmde = 0.2",
            None,
        );
        let common = mde_means(5.0, 2.0, &Design::default()).unwrap();
        assert_eq!(detectable_with_growth(common, 1.0, 1.0), None);
        assert_eq!(plan(&exp, 4).metrics[0].detectable_with_available, None);
        assert_eq!(
            detectable_with_growth(0.1, 1.0, 1.0).map(|d| d > 0.1),
            Some(true)
        );
    }
}
