//! Pools one metric's segment comparisons per segment column: how much the
//! effect really differs between segments, and each segment's likely
//! effect once its noise is allowed for.
//!
//! A segment of 77 customers that shows +17 pp is mostly noise; read alone,
//! it is the segment a shop owner would pick, and the winner's curse makes
//! it disappoint. The random-effects model of [`crate::stats::meta`]
//! (Paule-Mandel tau^2) estimates how far true segment effects scatter
//! around their pooled mean and pulls each segment's measured effect
//! toward the others by as much as its noise warrants.
//!
//! Reports read the segments against the whole pilot: a segment's *likely*
//! effect is the pilot's overall effect plus the segment's shrunken
//! difference from it, `(1 - b_i)(y_i - y_bar)` with `b_i = v_i / (v_i +
//! tau^2)`, re-centred so that, weighted by customers, the differences sum
//! to zero. So the segments of a table average to its "all" row, which is
//! the overall measured effect here and the verdict's posterior for the
//! metrics the decision reads ([`crate::decide::segments`]). The likely
//! effect's variance is the overall effect's plus `(1 - b_i) v_i`, the
//! random-effects variance of a segment around the level. When segments
//! do not differ (`tau^2 = 0`) each reads the overall effect; when they
//! clearly differ their differences survive. The measured per-segment
//! comparisons stay beside them.
//!
//! The input is each segment's fixed-horizon estimate and standard error
//! (treatment minus control, in the metric's units), one treatment arm at a
//! time. A segment without an estimate, or with a standard error of 0 (no
//! variation in either group), cannot be weighed and is left out, named in
//! [`PooledSegments::left_out`]; a column with fewer than two segments left
//! is not pooled.

use serde::{Deserialize, Serialize};

use crate::analysis::result::{ArmComparison, Estimate, FixedHorizon, SegmentResult};
use crate::stats::dist::normal_quantile;
use crate::stats::meta::{Heterogeneity, TauSquaredMethod, pool_segments};

/// One segment column's segments, pooled for one treatment arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PooledSegments {
    /// Population column.
    pub column: String,
    /// Treatment arm.
    pub arm: String,
    /// Estimator of the between-segment variance.
    pub method: TauSquaredMethod,
    /// Between-segment variance of the true effects (metric units squared).
    pub tau_squared: f64,
    /// Random-effects mean of the segment effects (the typical segment's
    /// effect, each segment weighted by its precision) with its interval.
    pub pooled: Estimate,
    /// Standard error of the random-effects mean.
    pub pooled_std_error: f64,
    /// The whole pilot's effect the segments are read against, with its
    /// interval: as measured, or as the verdict reads it (see `centre`).
    pub all: Estimate,
    /// Standard error (or posterior standard deviation) of `all`.
    pub all_std_error: f64,
    /// Cochran's Q of the measured segment effects.
    pub q: f64,
    /// Its degrees of freedom: segments pooled - 1.
    pub q_degrees_of_freedom: u64,
    /// P(chi-square > Q): small when segments differ beyond noise.
    pub q_p_value: f64,
    /// I^2: the share of the spread between segments that is not noise.
    pub i_squared: f64,
    /// The plain-words reading of the Q test.
    pub heterogeneity: Heterogeneity,
    /// The pooled segments, in the report's segment order.
    pub segments: Vec<PooledSegment>,
    /// Segment values that could not be weighed (no estimate, or no
    /// variation in either group).
    pub left_out: Vec<String>,
    /// What the segments are pulled toward: the segments' own pooled mean,
    /// or the decision's posterior of the whole pilot's effect.
    #[serde(default)]
    pub centre: SegmentCentre,
}

/// What segment effects are shrunk toward.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentCentre {
    /// The pilot's overall measured effect (fixed horizon): the data
    /// alone, with no prior.
    #[default]
    Data,
    /// The decision model's posterior of the pilot's effect (prior and
    /// data), so that segment and verdict read the same likely effect.
    Decision,
}

/// One segment's measured and likely effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PooledSegment {
    /// Segment value.
    pub value: String,
    /// Customers in the segment, all arms (answers, for surveys).
    pub customers: u64,
    /// The segment's own fixed-horizon estimate and standard error.
    pub measured: FixedHorizon,
    /// The likely (shrunken, empirical-Bayes) effect and its interval.
    pub likely: Estimate,
    /// Standard error of the likely effect.
    pub likely_std_error: f64,
    /// How far the segment's difference from the others was shrunk:
    /// 0 kept, 1 removed.
    pub shrinkage: f64,
}

/// A segment's place relative to the whole pilot's effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentDifference {
    /// Added to the overall effect: the shrunken, re-centred difference.
    pub shift: f64,
    /// The segment's own variance around the level, `(1 - b) v`.
    pub own_variance: f64,
}

impl PooledSegments {
    /// Each segment's shrunken difference from the segments'
    /// customer-weighted mean, in segment order. Weighted by customers the
    /// shifts sum to zero, so the segments average to whatever level they
    /// are added to.
    pub fn differences(&self) -> Vec<SegmentDifference> {
        let customers: f64 = self.segments.iter().map(|s| s.customers as f64).sum();
        let count = self.segments.len() as f64;
        let weight = |s: &PooledSegment| {
            if customers > 0.0 {
                s.customers as f64 / customers
            } else {
                1.0 / count
            }
        };
        let mean: f64 = self
            .segments
            .iter()
            .map(|s| weight(s) * s.measured.estimate)
            .sum();
        // What the shrinkage takes from the differences, weighted: added
        // back so the weighted shifts sum to zero.
        let recentre: f64 = self
            .segments
            .iter()
            .map(|s| weight(s) * s.shrinkage * (s.measured.estimate - mean))
            .sum();
        self.segments
            .iter()
            .map(|s| {
                let kept = 1.0 - s.shrinkage;
                SegmentDifference {
                    shift: kept * (s.measured.estimate - mean) + recentre,
                    own_variance: kept * s.measured.std_error * s.measured.std_error,
                }
            })
            .collect()
    }
}

/// Pools `segments` (one metric's, all columns) for every treatment arm
/// and segment column, read against `overall` (the metric's whole-pilot
/// comparisons), with intervals at `1 - alpha`. An arm without an overall
/// fixed-horizon estimate is not pooled.
pub fn pool_metric_segments(
    segments: &[SegmentResult],
    overall: &[ArmComparison],
    alpha: f64,
) -> Vec<PooledSegments> {
    let arms = segments
        .iter()
        .map(|s| s.comparisons.len())
        .max()
        .unwrap_or(0);
    let mut columns: Vec<&str> = Vec::new();
    for s in segments {
        if !columns.contains(&s.column.as_str()) {
            columns.push(&s.column);
        }
    }
    let z = normal_quantile(1.0 - alpha / 2.0);
    let mut out = Vec::new();
    for column in columns {
        let members: Vec<&SegmentResult> = segments.iter().filter(|s| s.column == column).collect();
        for arm in 0..arms {
            let Some(mut pooled) = pool_arm(column, &members, arm, z) else {
                continue;
            };
            let Some(comparison) = overall.iter().find(|c| c.arm == pooled.arm) else {
                continue;
            };
            let level = comparison
                .fixed_horizon
                .filter(|f| f.estimate.is_finite() && f.std_error.is_finite());
            if let Some(level) = level {
                centre_on_measured(&mut pooled, level, z);
                // The "all" row repeats the metric's own table, interval
                // included (group-sequential or exact where the table's is).
                if let Some(absolute) = comparison.absolute {
                    pooled.all = absolute;
                }
                out.push(pooled);
            }
        }
    }
    out
}

/// Reads `pooled`'s segments against the overall measured effect `level`:
/// normal, mean `level + shift`, variance `level`'s plus the segment's own.
fn centre_on_measured(pooled: &mut PooledSegments, level: FixedHorizon, z: f64) {
    let differences = pooled.differences();
    for (segment, difference) in pooled.segments.iter_mut().zip(differences) {
        let estimate = level.estimate + difference.shift;
        let std_error = (level.std_error * level.std_error + difference.own_variance).sqrt();
        segment.likely = Estimate {
            estimate,
            ci_low: estimate - z * std_error,
            ci_high: estimate + z * std_error,
        };
        segment.likely_std_error = std_error;
    }
    pooled.all = Estimate {
        estimate: level.estimate,
        ci_low: level.estimate - z * level.std_error,
        ci_high: level.estimate + z * level.std_error,
    };
    pooled.all_std_error = level.std_error;
    pooled.centre = SegmentCentre::Data;
}

/// One column's segments for treatment arm `arm` (0-based), or `None` when
/// fewer than two can be weighed or the pooling is not computable.
fn pool_arm(
    column: &str,
    members: &[&SegmentResult],
    arm: usize,
    z: f64,
) -> Option<PooledSegments> {
    let mut weighed: Vec<(&SegmentResult, FixedHorizon)> = Vec::new();
    let mut left_out = Vec::new();
    let mut arm_name = None;
    for segment in members {
        let Some(comparison) = segment.comparisons.get(arm) else {
            continue;
        };
        arm_name.get_or_insert_with(|| comparison.arm.clone());
        match comparison.fixed_horizon {
            Some(f) if f.estimate.is_finite() && f.std_error.is_finite() && f.std_error > 0.0 => {
                weighed.push((segment, f));
            }
            _ => left_out.push(segment.value.clone()),
        }
    }
    if weighed.len() < 2 {
        return None;
    }
    let estimates: Vec<f64> = weighed.iter().map(|(_, f)| f.estimate).collect();
    let variances: Vec<f64> = weighed
        .iter()
        .map(|(_, f)| f.std_error * f.std_error)
        .collect();
    let pooling = pool_segments(&estimates, &variances, TauSquaredMethod::PauleMandel).ok()?;
    let interval = |estimate: f64, se: f64| Estimate {
        estimate,
        ci_low: estimate - z * se,
        ci_high: estimate + z * se,
    };
    let random = &pooling.random;
    Some(PooledSegments {
        column: column.to_string(),
        arm: arm_name?,
        method: pooling.method,
        tau_squared: random.tau_squared,
        pooled: interval(random.mean, random.std_error),
        pooled_std_error: random.std_error,
        // Set by the centring, which reads the overall effect.
        all: interval(random.mean, random.std_error),
        all_std_error: random.std_error,
        q: pooling.fixed.q,
        q_degrees_of_freedom: pooling.fixed.degrees_of_freedom,
        q_p_value: pooling.fixed.q_p_value,
        i_squared: pooling.fixed.i_squared,
        heterogeneity: pooling.fixed.heterogeneity,
        segments: weighed
            .iter()
            .zip(&random.segments)
            .map(|((segment, measured), shrunk)| PooledSegment {
                value: segment.value.clone(),
                customers: segment.customers,
                measured: *measured,
                likely: interval(shrunk.estimate, shrunk.std_error),
                likely_std_error: shrunk.std_error,
                shrinkage: shrunk.shrinkage,
            })
            .collect(),
        left_out,
        centre: SegmentCentre::Data,
    })
}

/// Treatment arm `sms`'s comparison with `fixed_horizon` as its estimate,
/// for the tests of this module and of [`crate::decide::segments`].
#[cfg(test)]
pub(crate) fn test_comparison(fixed_horizon: Option<FixedHorizon>) -> ArmComparison {
    use crate::analysis::result::Outcome;
    ArmComparison {
        arm: "sms".to_string(),
        test: None,
        absolute: None,
        relative: None,
        relative_not_computable: None,
        p_value: None,
        p_value_adjusted: None,
        outcome: Outcome::Inconclusive,
        chance_to_beat_control: None,
        fixed_horizon,
        not_computable: None,
        cuped: None,
    }
}

/// A one-arm segment of 100 customers with `fixed_horizon` as its
/// estimate.
#[cfg(test)]
pub(crate) fn test_segment(
    column: &str,
    value: &str,
    fixed_horizon: Option<FixedHorizon>,
) -> SegmentResult {
    SegmentResult {
        column: column.to_string(),
        value: value.to_string(),
        customers: 100,
        comparisons: vec![test_comparison(fixed_horizon)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(column: &str, value: &str, estimate: Option<(f64, f64)>) -> SegmentResult {
        let fixed = estimate.map(|(estimate, std_error)| FixedHorizon {
            estimate,
            std_error,
        });
        test_segment(column, value, fixed)
    }

    fn overall(estimate: f64, std_error: f64) -> Vec<ArmComparison> {
        vec![test_comparison(Some(FixedHorizon {
            estimate,
            std_error,
        }))]
    }

    #[test]
    fn a_noisy_segments_difference_shrinks_more_than_a_precise_ones() {
        let mut segments = [
            segment("region", "north", Some((0.02, 0.01))),
            segment("region", "south", Some((0.08, 0.01))),
            segment("region", "east", Some((0.30, 0.15))),
        ];
        segments[2].customers = 20;
        let pooled = pool_metric_segments(&segments, &overall(0.06, 0.007), 0.05);
        assert_eq!(pooled.len(), 1);
        let p = &pooled[0];
        assert_eq!((p.column.as_str(), p.arm.as_str()), ("region", "sms"));
        assert!(p.tau_squared > 0.0);
        let east = &p.segments[2];
        assert!(east.shrinkage > p.segments[0].shrinkage);
        // North and south keep most of their difference; east's +30 pp
        // from 20 customers keeps little of it.
        let (north, south) = (&p.segments[0], &p.segments[1]);
        assert!(south.likely.estimate - north.likely.estimate > 0.04);
        assert!(east.likely.estimate < 0.15, "{}", east.likely.estimate);
        // The interval is the estimate +/- z se; the se adds the level's.
        let z = normal_quantile(0.975);
        assert!(
            (east.likely.ci_high - east.likely.estimate - z * east.likely_std_error).abs() < 1e-12
        );
        assert!(north.likely_std_error > 0.007);
        assert_eq!(p.all.estimate, 0.06);
        assert_eq!(p.centre, SegmentCentre::Data);
    }

    #[test]
    fn segments_weighted_by_customers_average_to_the_overall_effect() {
        let mut segments = [
            segment("region", "north", Some((0.01, 0.01))),
            segment("region", "south", Some((0.09, 0.012))),
            segment("region", "east", Some((0.04, 0.03))),
        ];
        for (s, customers) in segments.iter_mut().zip([900, 600, 80]) {
            s.customers = customers;
        }
        let p = &pool_metric_segments(&segments, &overall(0.045, 0.008), 0.05)[0];
        let total: f64 = p.segments.iter().map(|s| s.customers as f64).sum();
        let average: f64 = p
            .segments
            .iter()
            .map(|s| s.customers as f64 / total * s.likely.estimate)
            .sum();
        assert!((average - 0.045).abs() < 1e-12, "{average}");
    }

    #[test]
    fn segments_that_do_not_differ_each_read_the_overall_effect() {
        let segments = [
            segment("region", "north", Some((0.05, 0.02))),
            segment("region", "south", Some((0.055, 0.02))),
        ];
        let p = &pool_metric_segments(&segments, &overall(0.052, 0.014), 0.05)[0];
        assert_eq!(p.tau_squared, 0.0);
        for s in &p.segments {
            assert!((s.likely.estimate - 0.052).abs() < 1e-15);
            assert!((s.likely_std_error - 0.014).abs() < 1e-15);
        }
    }

    #[test]
    fn segments_that_cannot_be_weighed_are_named_and_one_left_is_not_pooled() {
        let segments = [
            segment("plan", "basic", Some((0.05, 0.02))),
            segment("plan", "pro", Some((0.01, 0.0))),
            segment("plan", "team", None),
            segment("region", "north", Some((0.05, 0.02))),
            segment("region", "south", Some((0.02, 0.02))),
        ];
        let pooled = pool_metric_segments(&segments, &overall(0.03, 0.01), 0.05);
        assert_eq!(pooled.len(), 1, "plan has one segment left");
        assert_eq!(pooled[0].column, "region");
        assert!(pooled[0].left_out.is_empty());

        let segments = [
            segment("plan", "basic", Some((0.05, 0.02))),
            segment("plan", "pro", Some((0.01, 0.0))),
            segment("plan", "team", Some((0.03, 0.02))),
        ];
        let pooled = pool_metric_segments(&segments, &overall(0.03, 0.01), 0.05);
        assert_eq!(pooled[0].left_out, ["pro"]);
        assert_eq!(pooled[0].segments.len(), 2);
        // Without an overall estimate to read them against, no pooling.
        assert!(pool_metric_segments(&segments, &[test_comparison(None)], 0.05).is_empty());
    }
}
