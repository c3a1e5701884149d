//! Turns the compared metrics and the ROI model into what the verdict reads:
//! effects under the prior, guardrail checks, the NPV's linear form per arm,
//! and the pilot's deadline.
//!
//! Pure: values in, values out. The caller supplies the analysis date.

use super::guardrails::{self, GuardrailCheck, GuardrailEvidence, GuardrailStatus};
use super::joint::{JointEvidence, joint_prior};
use super::linalg::Matrix;
use super::mixture::NormalMixture;
use super::money::{LiftEvidence, NpvModel};
use super::prior::{EffectScale, relative_prior};
use super::verdict::{ArmMoney, Deadline, ShrunkenEffect};
use super::waiting::WEEKS_PER_MONTH;
use crate::analysis::result::MetricResult;
use crate::config::{Direction, Experiment, Prior, Role};
use crate::roi::{MetricEffect, linear_npv};

/// The prior of one metric's absolute effect, from its control arm.
pub fn metric_prior(prior: Prior, result: &MetricResult) -> Option<NormalMixture> {
    let control = result.arms.first()?;
    let scale = EffectScale::of(control.mean, control.sd)?;
    relative_prior(prior).map(|p| p.affine(0.0, scale.value()))
}

/// A metric's effect for arm `t` (0-based treatment index), raw and under
/// the prior; `None` when the metric has no fixed-horizon estimate. With
/// `linked` holding the metric, its posterior is the joint model's.
pub fn shrunken_effect(
    prior: Prior,
    result: &MetricResult,
    t: usize,
    linked: Option<&Linked>,
) -> Option<ShrunkenEffect> {
    let fixed = result.comparisons.get(t)?.fixed_horizon?;
    let posterior = effect_posterior(prior, result, t, linked)?;
    let spread = posterior.sd() > 0.0;
    let probability_better = match result.direction {
        Direction::Increase => posterior.sf(0.0),
        Direction::Decrease => posterior.cdf(0.0) - point_mass_at_zero(&posterior),
    };
    Some(ShrunkenEffect {
        metric: result.name.clone(),
        estimate: fixed.estimate,
        std_error: fixed.std_error,
        shrunken: posterior.mean(),
        lower: if spread {
            posterior.quantile(0.025)
        } else {
            posterior.mean()
        },
        upper: if spread {
            posterior.quantile(0.975)
        } else {
            posterior.mean()
        },
        probability_better,
    })
}

/// The posterior of a metric's absolute effect for arm `t` (0-based
/// treatment index): the joint model's marginal when `linked` holds the
/// metric, else the metric's prior updated by its fixed-horizon estimate
/// (the sampling distribution without a prior). `None` when the metric has
/// no estimate for the arm.
pub fn effect_posterior(
    prior: Prior,
    result: &MetricResult,
    t: usize,
    linked: Option<&Linked>,
) -> Option<NormalMixture> {
    let comparison = result.comparisons.get(t)?;
    // A comparison that is not computable (no variation, no data) has no
    // effect to shrink, even if a fixed-horizon zero is on record.
    comparison.absolute?;
    let fixed = comparison.fixed_horizon?;
    let joint = linked.and_then(|l| {
        let i = l.metrics.iter().position(|m| *m == result.name)?;
        Some(l.evidence.marginal(i))
    });
    Some(match (joint, metric_prior(prior, result)) {
        (Some(joint), _) => joint,
        (None, Some(p)) => p.posterior(fixed.estimate, fixed.std_error),
        (None, None) => NormalMixture::normal(fixed.estimate, fixed.std_error),
    })
}

/// Several metrics of one comparison learned together: the primary metric
/// and the money metrics ([`super::joint`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Linked {
    /// The metrics, in the evidence's order: the money metrics first, then
    /// the primary when it carries no money.
    pub metrics: Vec<String>,
    /// Their estimates, sampling covariance and joint prior.
    pub evidence: JointEvidence,
}

/// The joint evidence of arm `t`'s primary and money metrics under `prior`
/// with every effect multiplied by `widen` and the stated `correlation`
/// between improvements; `covariance(i, j)` is the sampling covariance of
/// metric `i`'s and metric `j`'s estimates (indices into `metrics`).
///
/// `None`, so that each metric is learned alone, when there is nothing to
/// link (no `[roi]`, a single metric, correlation 0, no prior), when a
/// metric has no estimate or no scale for the prior, or when a sampling
/// covariance is not known (summary input, ratio or scale metrics): two
/// correlated estimates taken as independent would count the same
/// customers twice.
pub fn linked_evidence(
    exp: &Experiment,
    metrics: &[MetricResult],
    covariance: &dyn Fn(usize, usize) -> Option<f64>,
    t: usize,
    prior: Prior,
    widen: f64,
    correlation: f64,
) -> Option<Linked> {
    let roi = exp.roi.as_ref()?;
    let relative = relative_prior(prior)?;
    if correlation <= 0.0 {
        return None;
    }
    let mut indices: Vec<usize> = Vec::new();
    for b in &roi.benefits {
        let i = metrics.iter().position(|m| m.name == b.metric)?;
        if !indices.contains(&i) {
            indices.push(i);
        }
    }
    if let Some(p) = metrics.iter().position(|m| m.role == Role::Primary)
        && !indices.contains(&p)
    {
        indices.push(p);
    }
    if indices.len() < 2 {
        return None;
    }
    let mut estimates = Vec::with_capacity(indices.len());
    let mut std_errors = Vec::with_capacity(indices.len());
    let mut scales = Vec::with_capacity(indices.len());
    let mut better = Vec::with_capacity(indices.len());
    for &i in &indices {
        let result = &metrics[i];
        let comparison = result.comparisons.get(t)?;
        comparison.absolute?;
        let fixed = comparison.fixed_horizon?;
        let control = result.arms.first()?;
        estimates.push(fixed.estimate);
        std_errors.push(fixed.std_error);
        scales.push(EffectScale::of(control.mean, control.sd)?.value());
        better.push(match result.direction {
            Direction::Increase => 1.0,
            Direction::Decrease => -1.0,
        });
    }
    let mut sampling = Matrix::zeros(indices.len());
    for (a, &i) in indices.iter().enumerate() {
        for (b, &j) in indices.iter().enumerate() {
            let value = if a == b {
                std_errors[a].powi(2)
            } else {
                covariance(i.min(j), i.max(j))?
            };
            sampling.set(a, b, value);
        }
    }
    let evidence = JointEvidence::new(
        estimates,
        sampling,
        Some(joint_prior(
            &relative,
            &scales,
            &better,
            correlation,
            widen,
        )?),
    )?;
    Some(Linked {
        metrics: indices.iter().map(|&i| metrics[i].name.clone()).collect(),
        evidence,
    })
}

/// The weight of point-mass components sitting exactly at 0 ("no change"
/// is not an improvement either way).
fn point_mass_at_zero(m: &NormalMixture) -> f64 {
    m.components()
        .iter()
        .filter(|c| c.sd == 0.0 && c.mean == 0.0)
        .map(|c| c.weight)
        .sum()
}

/// The guardrail checks of arm `t`.
pub fn guardrail_checks(
    exp: &Experiment,
    metrics: &[MetricResult],
    t: usize,
) -> Vec<GuardrailCheck> {
    let in_npv = |name: &str| {
        exp.roi
            .as_ref()
            .is_some_and(|r| r.benefits.iter().any(|b| b.metric == name))
    };
    metrics
        .iter()
        .filter(|m| m.role == Role::Guardrail)
        .filter_map(|m| {
            let c = m.comparisons.get(t)?;
            if in_npv(&m.name) {
                return Some(GuardrailCheck {
                    metric: m.name.clone(),
                    allowed_change: None,
                    probability_beyond_margin: None,
                    status: GuardrailStatus::InNpv,
                });
            }
            let control = m.arms.first();
            Some(guardrails::check(
                &m.name,
                &GuardrailEvidence {
                    direction: m.direction,
                    margin: m.margin.unwrap_or(0.0),
                    control_mean: control.and_then(|a| a.mean),
                    control_sd: control.and_then(|a| a.sd),
                    estimate: c.fixed_horizon.map(|f| (f.estimate, f.std_error)),
                },
                exp.decision.max_guardrail_risk,
            ))
        })
        .collect()
}

/// The money of rolling out arm `t` (0-based treatment index) to
/// `customers`, with `treated_in_pilot` customers getting it during the
/// pilot; `Err` with the reason when it cannot be computed. `covariance`
/// is as for [`linked_evidence`]; `linked` is what [`linked_evidence`]
/// gave for this arm under the experiment's prior (computed once by the
/// caller, which also needs it for the shrunken effects).
pub fn arm_money(
    exp: &Experiment,
    metrics: &[MetricResult],
    covariance: &dyn Fn(usize, usize) -> Option<f64>,
    linked: Option<&Linked>,
    t: usize,
    customers: f64,
    treated_in_pilot: f64,
) -> Result<ArmMoney, String> {
    let Some(roi) = &exp.roi else {
        return Err("there is no [roi] section".to_string());
    };
    let mut effects = Vec::new();
    let mut results = Vec::new();
    for b in &roi.benefits {
        let (m, result) = exp
            .metrics
            .iter()
            .zip(metrics)
            .find(|(m, _)| m.name == b.metric)
            .ok_or_else(|| format!("metric `{}` is not declared", b.metric))?;
        let c = result
            .comparisons
            .get(t)
            .ok_or_else(|| format!("`{}` has no comparison for this arm", b.metric))?;
        let fixed = c.fixed_horizon.ok_or_else(|| {
            format!(
                "`{}` cannot be compared ({})",
                b.metric,
                c.not_computable.as_deref().unwrap_or("no data")
            )
        })?;
        if !effects.iter().any(|e: &MetricEffect| e.metric == b.metric) {
            effects.push(MetricEffect {
                metric: b.metric.clone(),
                direction: m.direction,
                lift: fixed.estimate,
                se: fixed.std_error,
                control_mean: result.arms.first().and_then(|a| a.mean),
            });
            results.push((result, fixed));
        }
    }
    let linear = linear_npv(roi, customers, &effects).map_err(|e| e.message().to_string())?;
    // The costs' split into what is paid whoever is reached and what is
    // paid per customer: the NPV at no effect is linear in the customers.
    let at_half = linear_npv(roi, customers / 2.0, &effects)
        .map_or(linear.at_zero_effect, |l| l.at_zero_effect);
    let customer_costs = 2.0 * (at_half - linear.at_zero_effect);
    let fixed_costs = -linear.at_zero_effect - customer_costs;
    let independent = |prior: Option<Prior>, widen: f64| -> NpvModel {
        NpvModel::Independent(
            linear
                .per_unit_lift
                .iter()
                .zip(&results)
                .map(|((_, per_unit), (result, fixed))| LiftEvidence {
                    npv_per_unit: *per_unit,
                    prior: prior
                        .and_then(|p| metric_prior(p, result))
                        .map(|p| p.affine(0.0, widen)),
                    estimate: fixed.estimate,
                    std_error: fixed.std_error,
                })
                .collect(),
        )
    };
    let correlation = exp.decision.prior_correlation;
    // The joint model of linked metrics, and the metrics without money it
    // learned the money metrics with.
    let joint_model = |linked: Linked| -> (NpvModel, Vec<String>) {
        let per_unit = |name: &str| {
            linear
                .per_unit_lift
                .iter()
                .find(|(m, _)| m == name)
                .map(|(_, b)| *b)
        };
        let npv_per_unit = linked
            .metrics
            .iter()
            .map(|name| per_unit(name).unwrap_or(0.0))
            .collect();
        let without_money = linked
            .metrics
            .iter()
            .filter(|name| per_unit(name).is_none())
            .cloned()
            .collect();
        (
            NpvModel::Joint {
                evidence: linked.evidence,
                npv_per_unit,
            },
            without_money,
        )
    };
    // The model under a prior, its effects multiplied by `widen`.
    let model_under = |prior: Prior, widen: f64| -> (NpvModel, Vec<String>) {
        match linked_evidence(exp, metrics, covariance, t, prior, widen, correlation) {
            Some(linked) => joint_model(linked),
            None => (independent(Some(prior), widen), Vec::new()),
        }
    };
    let prior = exp.decision.prior;
    let (model, linked_with) = match linked {
        Some(linked) => joint_model(linked.clone()),
        None => (independent(Some(prior), 1.0), Vec::new()),
    };
    let mut alternatives = vec![(
        "the data alone (no prior)".to_string(),
        independent(None, 1.0),
    )];
    match prior {
        Prior::Flat => alternatives.push((
            "pilot's default prior".to_string(),
            model_under(Prior::Default, 1.0).0,
        )),
        _ => {
            alternatives.push((
                "a prior half as wide".to_string(),
                model_under(prior, 0.5).0,
            ));
            alternatives.push((
                "a prior twice as wide".to_string(),
                model_under(prior, 2.0).0,
            ));
            if matches!(model, NpvModel::Joint { .. }) {
                alternatives.push((
                    "money metrics learned alone".to_string(),
                    independent(Some(prior), 1.0),
                ));
            }
        }
    }
    Ok(ArmMoney {
        at_zero_effect: linear.at_zero_effect,
        model,
        money_metrics: effects.iter().map(|e| e.metric.clone()).collect(),
        linked_with,
        alternatives,
        horizon_months: f64::from(roi.horizon_months),
        pilot_cost_per_week: (roi.monthly_cost + roi.cost_per_customer_month * treated_in_pilot)
            / WEEKS_PER_MONTH,
        pilot_share_per_week: if customers > 0.0 {
            treated_in_pilot / (customers * f64::from(roi.horizon_months) * WEEKS_PER_MONTH)
        } else {
            0.0
        },
        seed: roi.seed,
        fixed_costs,
        customer_costs,
        npv_per_unit: linear.per_unit_lift.iter().map(|(_, b)| *b).collect(),
    })
}

/// The pilot's deadline as seen on `as_of_day`: the `deadline` date, or
/// `max_weeks` after the first assignment. When neither a date nor the
/// first assignment's day is known, the pilot is treated as just begun
/// (`max_weeks` left), and the report asks for a `deadline`.
pub fn deadline(exp: &Experiment, first_assignment_day: Option<i32>, as_of_day: i32) -> Deadline {
    let set = exp
        .decision
        .deadline
        .as_deref()
        .and_then(crate::dates::parse_day);
    let (day, source) = match (set, first_assignment_day) {
        (Some(day), _) => (day, "deadline"),
        (None, Some(first)) => (
            first + (exp.decision.max_weeks * 7.0).round() as i32,
            "max_weeks",
        ),
        (None, None) => {
            return Deadline {
                date: None,
                weeks_left: exp.decision.max_weeks.ceil() as u32,
                source: "unknown_start".to_string(),
            };
        }
    };
    let weeks_left = if day > as_of_day {
        ((day - as_of_day) / 7) as u32
    } else {
        0
    };
    Deadline {
        date: Some(crate::dates::day_text(day)),
        weeks_left,
        source: source.to_string(),
    }
}

/// The day the analysis speaks for: the end of the outcome window when it
/// lies before today (the data cannot know more), else today.
pub fn as_of_day(exp: &Experiment, today: i32) -> i32 {
    exp.outcomes
        .as_ref()
        .and_then(|o| o.to.as_deref())
        .and_then(crate::dates::parse_day)
        .map_or(today, |to| to.min(today))
}
