//! Compares every metric, overall and per segment, and applies the
//! multiple-comparison correction.
//!
//! Correction families (documented in the README):
//! - the primary metric across treatment arms (only with two or more);
//! - secondary metrics: every (metric, treatment arm) pair;
//! - segments: per primary or secondary metric and segment column, every
//!   (treatment arm, segment value) pair. One family per breakdown, not one
//!   over every breakdown of every metric: Holm over 21 already
//!   conservative sequential p-values read "p > 0.99" on every row of the
//!   sms example. A breakdown asks one question ("does the effect differ by
//!   region?"), and it is corrected for the values it looks at.
//!
//! Guardrails are not corrected, overall or in segments: a correction would
//! make harm harder to detect, and guardrails exist to catch it.

use crate::analysis::compare::{arm_estimate, compare};
use crate::analysis::result::{
    ArmComparison, ArmFigures, CapInfo, Estimate, FixedHorizon, MetricResult, Outcome,
    SegmentResult,
};
use crate::analysis::segment_pool::pool_metric_segments;
use crate::config::{Correction, Direction, Metric, Missing, Role};
use crate::ingest::aggregate::{GroupStats, LevelStats, MetricStats};
use crate::stats::multiple::{Adjustment, adjust_p_values};
use crate::stats::{Effect, Options};

/// Segment values shown per column; the rest are pooled as `(other)`.
pub const MAX_SEGMENT_VALUES: usize = 20;

/// Label of the pooled remainder of a segment column.
pub const OTHER_SEGMENT: &str = "(other)";

/// Compares one metric across arms (control first) and segments.
pub fn analyze_metric(
    metric: &Metric,
    stats: &MetricStats,
    arm_names: &[String],
    options: &Options,
) -> MetricResult {
    let survey = metric.missing == Missing::Exclude;
    let arms = stats
        .arms
        .iter()
        .zip(arm_names)
        .zip(&stats.assigned)
        .map(|((s, name), &assigned)| {
            ArmFigures::new(
                name,
                arm_estimate(metric.kind, s),
                survey.then_some(assigned),
            )
        })
        .collect();
    // Segments keep the confidence sequence: a segment's share of the
    // planned size is not planned, and segment results are exploratory;
    // the sequence stays valid however often they are looked at.
    let segment_options = Options {
        group_sequential: None,
        ..options.clone()
    };
    let mut cuped = None;
    let comparisons: Vec<ArmComparison> = (1..stats.arms.len())
        .map(|t| {
            let (cmp, info) = compare_arm(
                metric,
                &stats.arms[0],
                &stats.arms[t],
                &arm_names[t],
                options,
            );
            cuped = cuped.or(info);
            cmp
        })
        .collect();
    let segments = stats
        .segments
        .iter()
        .flat_map(|segment| {
            top_levels(&segment.levels).into_iter().map(|level| {
                let comparisons = (1..level.arms.len())
                    .map(|t| {
                        compare_arm(
                            metric,
                            &level.arms[0],
                            &level.arms[t],
                            &arm_names[t],
                            &segment_options,
                        )
                        .0
                    })
                    .collect();
                SegmentResult {
                    column: segment.column.clone(),
                    customers: level.arms.iter().map(GroupStats::n).sum(),
                    value: level.value,
                    comparisons,
                }
            })
        })
        .collect::<Vec<SegmentResult>>();
    let pooled_segments = pool_metric_segments(&segments, &comparisons, options.alpha);
    MetricResult {
        name: metric.name.clone(),
        label: metric.label.clone(),
        kind: metric.kind,
        role: metric.role,
        direction: metric.direction,
        margin: metric.margin,
        arms,
        comparisons,
        segments,
        pooled_segments,
        cuped,
        cap: match (metric.cap, stats.cap_value) {
            (Some(quantile), Some(value)) => Some(CapInfo {
                quantile,
                value,
                customers_capped: stats.capped_customers,
            }),
            _ => None,
        },
    }
}

/// The largest segment values, and the rest pooled as `(other)`.
fn top_levels(levels: &[LevelStats]) -> Vec<LevelStats> {
    // Levels arrive sorted by size, largest first.
    let mut shown: Vec<LevelStats> = levels.iter().take(MAX_SEGMENT_VALUES).cloned().collect();
    let mut rest = levels.iter().skip(MAX_SEGMENT_VALUES);
    if let Some(first) = rest.next() {
        let mut other = LevelStats {
            value: OTHER_SEGMENT.to_string(),
            arms: first.arms.clone(),
        };
        for level in rest {
            for (acc, s) in other.arms.iter_mut().zip(&level.arms) {
                acc.merge(s);
            }
        }
        shown.push(other);
    }
    shown
}

fn compare_arm(
    metric: &Metric,
    control: &GroupStats,
    treatment: &GroupStats,
    arm: &str,
    options: &Options,
) -> (ArmComparison, Option<crate::analysis::compare::CupedInfo>) {
    match compare(
        metric.kind,
        metric.scale,
        metric.direction,
        control,
        treatment,
        options,
    ) {
        Ok(c) => {
            let r = &c.reported;
            let estimate = |e: &Effect| Estimate {
                estimate: e.estimate,
                ci_low: e.ci_low,
                ci_high: e.ci_high,
            };
            let comparison = ArmComparison {
                arm: arm.to_string(),
                test: Some(r.test),
                absolute: Some(estimate(&r.absolute)),
                relative: r.relative.as_ref().ok().map(estimate),
                relative_not_computable: r.relative.as_ref().err().map(ToString::to_string),
                p_value: Some(r.p_value),
                p_value_adjusted: Some(r.p_value),
                outcome: outcome(
                    metric.direction,
                    r.absolute.estimate,
                    r.p_value,
                    options.alpha,
                ),
                chance_to_beat_control: c.chance_to_beat_control,
                fixed_horizon: Some(FixedHorizon {
                    estimate: c.fixed.absolute.estimate,
                    std_error: c.fixed.absolute.std_error,
                }),
                not_computable: None,
                cuped: c.cuped,
            };
            (comparison, c.cuped)
        }
        Err(reason) => (
            ArmComparison {
                arm: arm.to_string(),
                test: None,
                absolute: None,
                relative: None,
                relative_not_computable: None,
                p_value: None,
                p_value_adjusted: None,
                outcome: Outcome::NotComputable,
                chance_to_beat_control: None,
                fixed_horizon: None,
                not_computable: Some(reason.to_string()),
                cuped: None,
            },
            None,
        ),
    }
}

/// Better or worse in the metric's direction when significant.
fn outcome(direction: Direction, estimate: f64, p: f64, alpha: f64) -> Outcome {
    if p >= alpha || estimate == 0.0 {
        return Outcome::Inconclusive;
    }
    match (direction, estimate > 0.0) {
        (Direction::Increase, true) | (Direction::Decrease, false) => Outcome::Better,
        _ => Outcome::Worse,
    }
}

/// Where a comparison sits in the results.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// `results[metric].comparisons[arm]`.
    Overall { metric: usize, arm: usize },
    /// `results[metric].segments[segment].comparisons[arm]`.
    Segment {
        metric: usize,
        segment: usize,
        arm: usize,
    },
}

impl Slot {
    fn metric(self) -> usize {
        match self {
            Slot::Overall { metric, .. } | Slot::Segment { metric, .. } => metric,
        }
    }

    fn get(self, results: &mut [MetricResult]) -> &mut ArmComparison {
        match self {
            Slot::Overall { metric, arm } => &mut results[metric].comparisons[arm],
            Slot::Segment {
                metric,
                segment,
                arm,
            } => &mut results[metric].segments[segment].comparisons[arm],
        }
    }
}

/// Adjusts p-values within each correction family (see the module docs)
/// and re-reads each outcome at the adjusted p-value.
pub fn apply_correction(
    results: &mut [MetricResult],
    metrics: &[Metric],
    correction: Correction,
    alpha: f64,
) {
    let method = match correction {
        Correction::Holm => Adjustment::Holm,
        Correction::BenjaminiHochberg => Adjustment::BenjaminiHochberg,
        Correction::Bonferroni => Adjustment::Bonferroni,
        Correction::None => return,
    };
    let overall = |results: &[MetricResult], role: Role| -> Vec<Slot> {
        results
            .iter()
            .zip(metrics)
            .enumerate()
            .filter(|(_, (_, m))| m.role == role)
            .flat_map(|(metric, (r, _))| {
                (0..r.comparisons.len()).map(move |arm| Slot::Overall { metric, arm })
            })
            .collect()
    };
    let mut families = vec![
        overall(results, Role::Primary),
        overall(results, Role::Secondary),
    ];
    for (metric, (r, m)) in results.iter().zip(metrics).enumerate() {
        if m.role == Role::Guardrail {
            continue;
        }
        // Segments of one column are contiguous (see `analyze_metric`).
        let mut column: Option<&str> = None;
        for (segment, seg) in r.segments.iter().enumerate() {
            if column != Some(seg.column.as_str()) {
                column = Some(seg.column.as_str());
                families.push(Vec::new());
            }
            let family = families.last_mut().expect("pushed above");
            family.extend((0..seg.comparisons.len()).map(|arm| Slot::Segment {
                metric,
                segment,
                arm,
            }));
        }
    }
    for family in &families {
        adjust_family(results, metrics, family, method, alpha);
    }
}

/// Adjusts the computable comparisons of one family together.
fn adjust_family(
    results: &mut [MetricResult],
    metrics: &[Metric],
    family: &[Slot],
    method: Adjustment,
    alpha: f64,
) {
    let members: Vec<(Slot, f64)> = family
        .iter()
        .filter_map(|&slot| slot.get(results).p_value.map(|p| (slot, p)))
        .collect();
    if members.len() < 2 {
        return;
    }
    let p: Vec<f64> = members.iter().map(|&(_, p)| p).collect();
    let Ok(adjusted) = adjust_p_values(&p, method) else {
        return;
    };
    for (&(slot, _), q) in members.iter().zip(adjusted) {
        let direction = metrics[slot.metric()].direction;
        let c = slot.get(results);
        c.p_value_adjusted = Some(q);
        if let Some(abs) = c.absolute {
            c.outcome = outcome(direction, abs.estimate, q, alpha);
        }
    }
}
