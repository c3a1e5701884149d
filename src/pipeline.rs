//! The analysis pipeline after the data is read: compare metrics, check
//! health, project ROI, decide, and assemble the report.
//!
//! Pure: the caller reads the data ([`crate::ingest::dataset::load`]) and
//! supplies the clock; everything here is a function of those values, so it
//! is tested without files.

use crate::analysis::covariance::effect_covariance;
use crate::analysis::health;
use crate::analysis::metrics::{analyze_metric, apply_correction};
use crate::analysis::needed::{NeedInputs, sample_need};
use crate::analysis::result::{ArmComparison, MetricResult, MetricTitles};
use crate::config::{Experiment, Role};
use crate::decide::evidence::{
    arm_money, as_of_day, deadline, effect_posterior, guardrail_checks, linked_evidence,
    shrunken_effect,
};
use crate::decide::mixture::NormalMixture;
use crate::decide::prior::describe;
use crate::decide::segments::centre_on_posterior;
use crate::decide::target::target_input;
use crate::decide::verdict::{ArmEvidence, Decision, DecisionInput, Verdict, decide};
use crate::ingest::dataset::Dataset;
use crate::io::fingerprint::text_fingerprint;
use crate::report::model::{
    AnalysisReport, ArmInfo, ArmRoi, ExperimentInfo, GroupSequentialSettings, SCHEMA_VERSION,
    Settings,
};
use crate::roi::{MetricEffect, project};
use crate::stats::Options;
use crate::stats::group_sequential::GroupSequential;

/// Inputs besides the experiment and its data.
#[derive(Debug, Clone)]
pub struct Context {
    /// The current time, RFC 3339 UTC.
    pub now: String,
    /// Eligible customers today (the ROI's default rollout size), if known.
    pub eligible_customers: Option<u64>,
    /// Customers per arm (control first) at each earlier look recorded in
    /// the history, oldest first: the looks a group-sequential analysis
    /// has already spent part of alpha on.
    pub earlier_looks: Vec<Vec<u64>>,
    /// Customers per arm the pilot is planned to reach (`[analysis]
    /// planned_customers_per_arm`, or derived from a deadline). With
    /// `sequential`, it makes the analysis group-sequential.
    pub planned_customers_per_arm: Option<u64>,
}

/// The group-sequential analysis of this look, when the analysis is
/// sequential and the pilot has a planned size.
///
/// The information fraction of a look is the smallest arm's customers over
/// the planned customers per arm: the variance of a difference is set
/// mostly by the smaller arm, and a plan in customers per arm is met when
/// its smallest arm reaches it. Survey metrics use the same fractions,
/// from customers rather than answers: at a steady response rate the
/// answers grow in proportion, and one set of looks keeps every metric of
/// a look on the same boundaries. Earlier looks count whatever method
/// analysed them (each was a chance to act on the data); looks with no
/// more customers than a later one (a rerun after editing the file) are
/// one look; earlier looks at or beyond the planned size are left out,
/// because the look that reached it spent all that was left and the
/// current look is then treated as the final one again (see
/// docs/statistics.md for what that costs). None when no arm has customers.
fn group_sequential(
    exp: &Experiment,
    customers_per_arm: &[u64],
    ctx: &Context,
    planned: Option<u64>,
) -> Option<GroupSequential> {
    let planned = planned.filter(|&n| n > 0)? as f64;
    if !exp.analysis.sequential {
        return None;
    }
    let fraction = |arms: &[u64]| arms.iter().copied().min().unwrap_or(0) as f64 / planned;
    let current = fraction(customers_per_arm);
    // Without customers (or planned size) there is no look to analyse.
    if current <= 0.0 || !current.is_finite() {
        return None;
    }
    let mut fractions: Vec<f64> = ctx
        .earlier_looks
        .iter()
        .map(|look| fraction(look))
        .filter(|&t| t > 0.0 && t < current.min(1.0))
        .collect();
    fractions.sort_by(f64::total_cmp);
    fractions.dedup();
    fractions.push(current);
    GroupSequential::new(&fractions, exp.analysis.alpha).ok()
}

/// The customers per arm the pilot will have at its deadline: the smallest
/// arm today plus the enrollment rate times the weeks left. `None` when the
/// pilot's start or its enrollment rate is unknown (the analysis then uses
/// an open-ended confidence sequence).
fn planned_by_deadline(exp: &Experiment, data: &Dataset, ctx: &Context) -> Option<u64> {
    let today = crate::dates::parse_day(&ctx.now)?;
    let first = data.enrollment.map(|e| e.first_day);
    let d = deadline(exp, first, as_of_day(exp, today));
    d.date.as_ref()?;
    let smallest = data.customers_per_arm.iter().copied().min()?;
    let per_week = match enrollment_per_arm_per_day(exp, data) {
        Some(r) if r > 0.0 => r * 7.0,
        // Nobody joins any more: the pilot is as large as it will get.
        _ if d.weeks_left == 0 => 0.0,
        _ => return None,
    };
    Some(smallest + (per_week * f64::from(d.weeks_left)).round() as u64)
}

/// The posterior of one metric's effect for one treatment arm, as the
/// decision read it.
struct DecisionPosterior {
    /// Index into the report's metrics.
    metric: usize,
    /// Treatment arm, 0-based among the treatments.
    arm: usize,
    /// The effect's posterior (metric units).
    posterior: NormalMixture,
}

/// The verdict: evidence per treatment arm, then [`decide`]; with it the
/// posteriors of the effects the decision read (primary and benefit
/// metrics), for the segment view to centre on.
fn decide_on(
    exp: &Experiment,
    data: &Dataset,
    ctx: &Context,
    metrics: &[MetricResult],
    blocking: &[String],
    roi_by_arm: &[ArmRoi],
) -> (Decision, Vec<DecisionPosterior>) {
    let Some(p) = exp.metrics.iter().position(|m| m.role == Role::Primary) else {
        let verdict = if blocking.is_empty() {
            Verdict::Continue
        } else {
            Verdict::Investigate
        };
        let why = "The experiment file declares no primary metric, so there is nothing to \
                   decide on."
            .to_string();
        let decision = Decision {
            verdict,
            arm: None,
            headline: why.clone(),
            reasons: vec![why],
            more_customers_per_arm: None,
            more_days: None,
            more_weeks: None,
            prior: describe(exp.decision.prior),
            deadline: None,
            arms: Vec::new(),
            target: None,
        };
        return (decision, Vec::new());
    };
    let primary = &metrics[p];
    let prior = exp.decision.prior;
    let with_outcomes = |arm: usize| {
        data.counts
            .customers_with_outcomes_per_arm
            .get(arm)
            .copied()
    };
    let customers = exp
        .roi
        .as_ref()
        .and_then(|r| r.customers.or(ctx.eligible_customers.map(|n| n as f64)));
    let treated_in_pilot: u64 = data.customers_per_arm.iter().skip(1).sum();
    let mut read: Vec<usize> = vec![p];
    for benefit in exp.roi.iter().flat_map(|r| r.benefits.iter()) {
        if let Some(i) = metrics.iter().position(|m| m.name == benefit.metric)
            && !read.contains(&i)
        {
            read.push(i);
        }
    }
    let mut posteriors = Vec::new();
    let arms: Vec<ArmEvidence<'_>> = (1..exp.arms.len())
        .filter_map(|t| {
            let comparison = primary.comparisons.get(t - 1)?;
            let covariance = |i: usize, j: usize| {
                effect_covariance(&data.cross, &data.metrics, metrics, i, j, t - 1)
            };
            let linked = linked_evidence(
                exp,
                metrics,
                &covariance,
                t - 1,
                prior,
                1.0,
                exp.decision.prior_correlation,
            );
            let money = exp.roi.as_ref().map(|_| {
                match roi_by_arm.get(t - 1).and_then(|r| r.not_computable.clone()) {
                    Some(why) => Err(why),
                    None => match customers {
                        Some(c) => arm_money(
                            exp,
                            metrics,
                            &covariance,
                            linked.as_ref(),
                            t - 1,
                            c,
                            treated_in_pilot as f64,
                        ),
                        None => Err("the number of customers reached is unknown; set [roi] \
                                     customers"
                            .to_string()),
                    },
                }
            });
            posteriors.extend(read.iter().filter_map(|&i| {
                let posterior = effect_posterior(prior, &metrics[i], t - 1, linked.as_ref())?;
                Some(DecisionPosterior {
                    metric: i,
                    arm: t - 1,
                    posterior,
                })
            }));
            let benefit_effects = exp
                .roi
                .iter()
                .flat_map(|r| r.benefits.iter())
                .filter_map(|b| metrics.iter().find(|m| m.name == b.metric))
                .filter_map(|m| shrunken_effect(prior, m, t - 1, linked.as_ref()))
                .collect();
            let target = match (&money, customers) {
                (Some(Ok(m)), Some(c)) => target_input(metrics, &exp.arms[t].name, m, c),
                _ => None,
            };
            Some(ArmEvidence {
                target,
                arm: &exp.arms[t].name,
                customers: data.customers_per_arm[t],
                customers_with_outcomes: with_outcomes(t),
                primary: comparison,
                primary_effect: shrunken_effect(prior, primary, t - 1, linked.as_ref()),
                benefit_effects,
                guardrails: guardrail_checks(exp, metrics, t - 1),
                money,
            })
        })
        .collect();
    let best = arms
        .iter()
        .max_by(|a, b| {
            let score = |e: &ArmEvidence<'_>| e.primary.chance_to_beat_control.unwrap_or(0.0);
            score(a).total_cmp(&score(b))
        })
        .map(|a| a.primary);
    let need = best.and_then(|c| need_for(exp, p, primary, c));
    let today = crate::dates::parse_day(&ctx.now).unwrap_or(i32::MAX);
    let as_of = as_of_day(exp, today);
    let titles = MetricTitles::of(metrics);
    let decision = decide(&DecisionInput {
        primary,
        control: (&exp.arms[0].name, data.customers_per_arm[0]),
        control_with_outcomes: with_outcomes(0),
        arms,
        blocking,
        settings: &exp.decision,
        prior: describe(prior),
        alpha: exp.analysis.alpha,
        deadline: Some(deadline(exp, data.enrollment.map(|e| e.first_day), as_of)),
        new_per_arm_per_week: enrollment_per_arm_per_day(exp, data).map(|d| d * 7.0),
        need,
        currency: exp.roi.as_ref().map_or("$", |r| r.currency.as_str()),
        horizon_months: exp.roi.as_ref().map(|r| r.horizon_months),
        titles: &titles,
    });
    (decision, posteriors)
}

/// Re-centres the segment view of every metric the decision read on the
/// decision's posterior of its effect, so that a segment's likely effect
/// and the verdict's agree ([`crate::decide::segments`]).
fn centre_segments_on_decision(
    metrics: &mut [MetricResult],
    posteriors: &[DecisionPosterior],
    alpha: f64,
) {
    for read in posteriors {
        let metric = &mut metrics[read.metric];
        let Some(arm) = metric.comparisons.get(read.arm).map(|c| c.arm.clone()) else {
            continue;
        };
        for pooled in metric.pooled_segments.iter_mut().filter(|p| p.arm == arm) {
            centre_on_posterior(pooled, &read.posterior, alpha);
        }
    }
}

/// Builds the report of `exp` on `data`.
pub fn build_report(exp: &Experiment, data: &Dataset, ctx: &Context) -> AnalysisReport {
    let planned = ctx
        .planned_customers_per_arm
        .or_else(|| planned_by_deadline(exp, data, ctx));
    let options = Options {
        alpha: exp.analysis.alpha,
        sequential: exp.analysis.sequential,
        tuning: exp.analysis.sequential_tuning,
        group_sequential: group_sequential(exp, &data.customers_per_arm, ctx, planned),
    };
    let arm_names: Vec<String> = exp.arms.iter().map(|a| a.name.clone()).collect();
    let mut metrics: Vec<MetricResult> = exp
        .metrics
        .iter()
        .zip(&data.metrics)
        .map(|(m, s)| analyze_metric(m, s, &arm_names, &options))
        .collect();
    apply_correction(
        &mut metrics,
        &exp.metrics,
        exp.analysis.correction,
        options.alpha,
    );
    let health = health::check(
        exp,
        &data.customers_per_arm,
        &data.counts,
        &data.covariates,
        &metrics,
    );
    let roi_by_arm = project_rois(exp, &metrics, ctx);

    let (decision, posteriors) = decide_on(exp, data, ctx, &metrics, &health.blocking, &roi_by_arm);
    centre_segments_on_decision(&mut metrics, &posteriors, options.alpha);
    let roi = decision
        .arm
        .as_ref()
        .and_then(|arm| roi_by_arm.iter().find(|r| &r.arm == arm))
        .or_else(|| roi_by_arm.first())
        .and_then(|r| r.roi.clone());
    let mut warnings = health.blocking.clone();
    warnings.extend(health.warnings.iter().cloned());
    warnings.extend(roi_by_arm.iter().filter_map(|r| {
        r.not_computable
            .as_ref()
            .map(|why| format!("No ROI projection for {}: {why}", r.arm))
    }));

    AnalysisReport {
        schema_version: SCHEMA_VERSION,
        pilot_version: env!("CARGO_PKG_VERSION").to_string(),
        generated_at: ctx.now.clone(),
        experiment: ExperimentInfo {
            name: exp.meta.name.clone(),
            description: exp.meta.description.clone(),
            file: exp.path.display().to_string(),
            fingerprint: text_fingerprint(&exp.source),
        },
        settings: Settings {
            alpha: options.alpha,
            sequential: options.sequential,
            sequential_tuning: options.tuning,
            correction: exp.analysis.correction,
            group_sequential: options
                .group_sequential
                .as_ref()
                .map(|gs| GroupSequentialSettings {
                    look: gs.look(),
                    information_fraction: gs.fraction(),
                    planned_customers_per_arm: planned.unwrap_or(0),
                    boundary: gs.boundary(),
                }),
        },
        arms: exp
            .arms
            .iter()
            .zip(&data.customers_per_arm)
            .map(|(a, &n)| ArmInfo {
                name: a.name.clone(),
                customers: n,
                weight: a.weight,
            })
            .collect(),
        srm: health.srm,
        data: data.counts.clone(),
        data_fingerprint: data.fingerprint.clone(),
        metrics,
        roi,
        roi_by_arm,
        decision,
        warnings,
        history: None,
    }
}

/// ROI per treatment arm from the fixed-horizon effects of the benefit
/// metrics.
fn project_rois(exp: &Experiment, metrics: &[MetricResult], ctx: &Context) -> Vec<ArmRoi> {
    let Some(roi) = &exp.roi else {
        return Vec::new();
    };
    (1..exp.arms.len())
        .map(|t| {
            let arm = exp.arms[t].name.clone();
            let customers = roi.customers.or(ctx.eligible_customers.map(|n| n as f64));
            let Some(customers) = customers else {
                return ArmRoi {
                    arm,
                    roi: None,
                    not_computable: Some(
                        "the number of customers reached is unknown; set [roi] customers"
                            .to_string(),
                    ),
                };
            };
            let effects: Result<Vec<MetricEffect>, String> = roi
                .benefits
                .iter()
                .map(|b| {
                    let (m, result) = exp
                        .metrics
                        .iter()
                        .zip(metrics)
                        .find(|(m, _)| m.name == b.metric)
                        .ok_or_else(|| format!("metric `{}` is not declared", b.metric))?;
                    let c = &result.comparisons[t - 1];
                    let fixed = c.fixed_horizon.ok_or_else(|| {
                        format!(
                            "`{}` cannot be compared yet ({})",
                            b.metric,
                            c.not_computable.as_deref().unwrap_or("no data")
                        )
                    })?;
                    Ok(MetricEffect {
                        metric: b.metric.clone(),
                        direction: m.direction,
                        lift: fixed.estimate,
                        se: fixed.std_error,
                        control_mean: result.arms.first().and_then(|a| a.mean),
                    })
                })
                .collect();
            match effects.map(|e| project(roi, customers, &e)) {
                Ok(Ok(report)) => ArmRoi {
                    arm,
                    roi: Some(report),
                    not_computable: None,
                },
                Ok(Err(e)) => ArmRoi {
                    arm,
                    roi: None,
                    not_computable: Some(e.message().to_string()),
                },
                Err(why) => ArmRoi {
                    arm,
                    roi: None,
                    not_computable: Some(why),
                },
            }
        })
        .collect()
}

fn need_for(
    exp: &Experiment,
    primary_index: usize,
    primary: &MetricResult,
    c: &ArmComparison,
) -> Option<crate::analysis::needed::SampleNeed> {
    let metric = &exp.metrics[primary_index];
    let control = primary.arms.first()?;
    let treated = primary.arms.iter().find(|a| a.arm == c.arm)?;
    sample_need(&NeedInputs {
        kind: metric.kind,
        control_mean: control.mean?,
        control_sd: control.sd?,
        treatment_sd: treated.sd.or(control.sd)?,
        current_effect: c.absolute.map_or(0.0, |a| a.estimate),
        mde: metric.mde,
        mde_absolute: metric.mde_absolute,
        alpha: exp.analysis.alpha,
        power: exp.analysis.power,
        sequential_tuning: exp
            .analysis
            .sequential
            .then_some(exp.analysis.sequential_tuning),
        weights: crate::analysis::needed::ArmWeights::of(&exp.arms, &c.arm)?,
    })
}

/// New customers per day reaching the smallest arm: from the ledger's dates
/// when enrollment went on for more than a day, else from `[population]
/// new_per_week` and the coverage.
fn enrollment_per_arm_per_day(exp: &Experiment, data: &Dataset) -> Option<f64> {
    let total_per_day = data.enrollment.and_then(|e| e.per_day()).or_else(|| {
        exp.population
            .new_per_week
            .map(|w| w / 7.0 * exp.assignment.coverage)
    })?;
    let smallest = exp
        .arms
        .iter()
        .map(|a| a.weight)
        .fold(f64::INFINITY, f64::min);
    Some(total_per_day * smallest)
}
