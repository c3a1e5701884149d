//! A targeted rollout: the segments of one column to roll an arm out to,
//! when rolling out to them alone is expected to earn more than rolling out
//! to everyone.
//!
//! The NPV of rolling out to everyone is `a + L`: `a` minus the present
//! value of the costs, `L` the effect part, whose posterior the decision
//! model gives ([`super::money`]). The costs split into a fixed part `F`
//! (one-time and monthly costs, paid once whoever is reached) and a part
//! `p c` per customer reached. A segment `j` holds a share `s_j` of the
//! customers and its effect on each money metric `m` is the level (the
//! whole pilot's, under the prior) plus the segment's shrunken difference
//! `d_jm` with its own noise `e_jm` ([`crate::analysis::segment_pool`],
//! [`super::segments`]). Since the NPV is linear in the effects, rolling
//! out to a set `S` of segments earns
//!
//! `NPV_S = -F - p c s_S + s_S L + sum_{j in S} sum_m b_m s_j (d_jm + e_jm)`
//!
//! with `s_S` the set's share and `b_m` the NPV per unit of metric `m`'s
//! lift at full rollout. The level's posterior is shared by every segment
//! (scaling `L` keeps the joint learning of the money metrics with the
//! primary); the noise terms are independent normals. So `NPV_S` is a
//! normal mixture again and its figures are closed-form.
//!
//! The best set of a column is every segment whose own expected gain,
//! `s_j (E[L] - p c + sum_m b_m d_jm)`, is positive; a column whose best
//! set is all its segments or none offers no target. When segments do not
//! differ (`tau^2 = 0`) every `d_jm` is 0, every segment has the same sign,
//! and no target is offered: targeting is only proposed where the data
//! show a difference that survives shrinkage.

use serde::{Deserialize, Serialize};

use super::mixture::NormalMixture;
use super::money::{MoneyOutlook, outlook};
use super::verdict::ArmMoney;
use crate::analysis::result::MetricResult;
use crate::analysis::segment_pool::{PooledSegments, SegmentDifference};

/// How clearly a column's segments must differ (Cochran's Q p-value, for
/// some money metric) before a targeted rollout is considered: tau^2 from
/// a handful of segments is too poorly determined for its plug-in
/// shrinkage to carry a decision alone. In the calibration
/// (`tests/segment_calibration.rs`, docs/calibration.md "Segments"), at
/// 0.05 targeting cost 1-2% of the profit when segments did not differ; at
/// 0.01 it costs under 1% and keeps most of the gain where they do.
pub const TARGETING_LEVEL: f64 = 0.01;

/// One segment of a column, as the money needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentInput {
    /// Segment value.
    pub value: String,
    /// Its share of the customers reached (shares of a column sum to 1).
    pub share: f64,
    /// Per money metric (in the order of `TargetInput::npv_per_unit`), the
    /// segment's shrunken difference from the level.
    pub differences: Vec<SegmentDifference>,
}

/// One segment column's segments.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnInput {
    /// Population column.
    pub column: String,
    /// Its segments.
    pub segments: Vec<SegmentInput>,
}

/// What the targeting reads for one arm.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInput {
    /// Present value of the costs that do not depend on how many customers
    /// are reached (one-time and monthly costs): `F`.
    pub fixed_costs: f64,
    /// Present value of the per-customer costs of reaching everyone: `p c`.
    pub customer_costs: f64,
    /// Posterior of the NPV's effect part when everyone is reached: `L`.
    pub lift: NormalMixture,
    /// NPV per unit of each money metric's lift at full rollout: `b_m`.
    pub npv_per_unit: Vec<f64>,
    /// Customers reached by rolling out to everyone.
    pub customers: f64,
    /// The segment columns whose segments are known for every money
    /// metric.
    pub columns: Vec<ColumnInput>,
}

/// One segment's money if it alone were reached, the fixed costs shared by
/// customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentMoney {
    /// Segment value.
    pub value: String,
    /// Customers it holds in the rollout.
    pub customers: f64,
    /// Its expected NPV with its customer share of the fixed costs.
    pub expected_npv: f64,
    /// Chance that NPV is positive.
    pub probability_positive: f64,
    /// Whether the target includes it.
    pub included: bool,
}

/// The best targeted rollout of one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Segment column.
    pub column: String,
    /// Segment values to roll out to.
    pub values: Vec<String>,
    /// Customers reached.
    pub customers: f64,
    /// The money of rolling out to them alone.
    #[serde(flatten)]
    pub money: MoneyOutlook,
    /// Expected NPV of rolling out to everyone, for comparison.
    pub everyone_expected_npv: f64,
    /// Every segment of the column, included or not.
    pub segments: Vec<SegmentMoney>,
}

/// The targeting input of `arm` from the metrics' pooled segments: every
/// segment column that every money metric of `money` pooled for `arm`,
/// with the same segments, and whose segments differ clearly (Cochran's Q
/// p-value below [`TARGETING_LEVEL`]) for at least one of them. The customers' shares are the pilot's (its
/// customers are drawn from the population the rollout reaches).
pub fn target_input(
    metrics: &[MetricResult],
    arm: &str,
    money: &ArmMoney,
    customers: f64,
) -> Option<TargetInput> {
    let pooled_of = |metric: &str| -> Vec<&PooledSegments> {
        metrics
            .iter()
            .find(|m| m.name == metric)
            .map(|m| m.pooled_segments.iter().filter(|p| p.arm == arm).collect())
            .unwrap_or_default()
    };
    let first = money.money_metrics.first()?;
    let columns: Vec<ColumnInput> = pooled_of(first)
        .into_iter()
        .filter_map(|lead| {
            let values: Vec<&str> = lead.segments.iter().map(|s| s.value.as_str()).collect();
            let differs = money.money_metrics.iter().any(|m| {
                pooled_of(m)
                    .into_iter()
                    .any(|p| p.column == lead.column && p.q_p_value < TARGETING_LEVEL)
            });
            if !differs {
                return None;
            }
            let per_metric: Vec<Vec<SegmentDifference>> = money
                .money_metrics
                .iter()
                .map(|m| {
                    let pooled = pooled_of(m).into_iter().find(|p| p.column == lead.column)?;
                    let same = pooled
                        .segments
                        .iter()
                        .map(|s| s.value.as_str())
                        .eq(values.iter().copied());
                    same.then(|| pooled.differences())
                })
                .collect::<Option<_>>()?;
            let total: f64 = lead.segments.iter().map(|s| s.customers as f64).sum();
            (total > 0.0).then(|| ColumnInput {
                column: lead.column.clone(),
                segments: lead
                    .segments
                    .iter()
                    .enumerate()
                    .map(|(j, s)| SegmentInput {
                        value: s.value.clone(),
                        share: s.customers as f64 / total,
                        differences: per_metric.iter().map(|d| d[j]).collect(),
                    })
                    .collect(),
            })
        })
        .collect();
    (!columns.is_empty()).then(|| TargetInput {
        fixed_costs: money.fixed_costs,
        customer_costs: money.customer_costs,
        lift: money.model.distribution(0.0),
        npv_per_unit: money.npv_per_unit.clone(),
        customers,
        columns,
    })
}

/// The targeted rollout with the highest expected NPV across `input`'s
/// columns, if one beats rolling out to everyone by more than `material`.
pub fn best_target(input: &TargetInput, material: f64) -> Option<Target> {
    let everyone = input.lift.mean() - input.fixed_costs - input.customer_costs;
    input
        .columns
        .iter()
        .filter_map(|column| column_target(input, column, everyone))
        .filter(|t| t.money.expected_npv > everyone + material)
        .max_by(|a, b| a.money.expected_npv.total_cmp(&b.money.expected_npv))
}

/// The best set of one column's segments, or `None` when it is all of
/// them or none.
fn column_target(input: &TargetInput, column: &ColumnInput, everyone: f64) -> Option<Target> {
    let level = input.lift.mean();
    let gain = |s: &SegmentInput| {
        let difference: f64 = input
            .npv_per_unit
            .iter()
            .zip(&s.differences)
            .map(|(b, d)| b * d.shift)
            .sum();
        s.share * (level - input.customer_costs + difference)
    };
    let included: Vec<bool> = column.segments.iter().map(|s| gain(s) > 0.0).collect();
    let count = included.iter().filter(|&&i| i).count();
    if count == 0 || count == column.segments.len() {
        return None;
    }
    let chosen: Vec<&SegmentInput> = column
        .segments
        .iter()
        .zip(&included)
        .filter(|(_, i)| **i)
        .map(|(s, _)| s)
        .collect();
    let npv = set_npv(input, &chosen, input.fixed_costs);
    let share: f64 = chosen.iter().map(|s| s.share).sum();
    let segments = column
        .segments
        .iter()
        .zip(&included)
        .map(|(s, &included)| {
            let alone = outlook(&set_npv(input, &[s], input.fixed_costs * s.share));
            SegmentMoney {
                value: s.value.clone(),
                customers: input.customers * s.share,
                expected_npv: alone.expected_npv,
                probability_positive: alone.probability_positive,
                included,
            }
        })
        .collect();
    Some(Target {
        column: column.column.clone(),
        values: chosen.iter().map(|s| s.value.clone()).collect(),
        customers: input.customers * share,
        money: outlook(&npv),
        everyone_expected_npv: everyone,
        segments,
    })
}

/// The NPV's posterior of reaching `segments`, paying `fixed_costs`.
fn set_npv(input: &TargetInput, segments: &[&SegmentInput], fixed_costs: f64) -> NormalMixture {
    let share: f64 = segments.iter().map(|s| s.share).sum();
    let mut offset = -fixed_costs - input.customer_costs * share;
    let mut noise_variance = 0.0;
    for s in segments {
        for (b, d) in input.npv_per_unit.iter().zip(&s.differences) {
            offset += b * s.share * d.shift;
            noise_variance += (b * s.share).powi(2) * d.own_variance;
        }
    }
    let npv = input.lift.affine(offset, share);
    if noise_variance > 0.0 {
        npv.convolve(&NormalMixture::normal(0.0, noise_variance.sqrt()))
    } else {
        npv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(value: &str, share: f64, shift: f64, own_variance: f64) -> SegmentInput {
        SegmentInput {
            value: value.to_string(),
            share,
            differences: vec![SegmentDifference {
                shift,
                own_variance,
            }],
        }
    }

    /// 1,000 customers, $500 fixed, $1 each; revenue worth $1,000 per unit
    /// of lift at full rollout; level lift part worth $2,000 +/- $400.
    fn input(segments: Vec<SegmentInput>) -> TargetInput {
        TargetInput {
            fixed_costs: 500.0,
            customer_costs: 1000.0,
            lift: NormalMixture::normal(2000.0, 400.0),
            npv_per_unit: vec![1000.0],
            customers: 1000.0,
            columns: vec![ColumnInput {
                column: "region".to_string(),
                segments,
            }],
        }
    }

    #[test]
    fn segments_that_do_not_differ_offer_no_target() {
        let t = input(vec![
            segment("north", 0.5, 0.0, 0.0),
            segment("south", 0.5, 0.0, 0.0),
        ]);
        assert_eq!(best_target(&t, 0.0), None);
    }

    #[test]
    fn a_losing_segment_is_left_out_and_the_money_is_the_closed_form() {
        // North's lift is 1 unit above the level, south's 3 below (the
        // model takes the shifts as given).
        let t = input(vec![
            segment("north", 0.6, 1.0, 0.01),
            segment("south", 0.4, -3.0, 0.04),
        ]);
        // Gains: north 0.6 (2000 - 1000 + 1000) = 1200; south 0.4 (2000 -
        // 1000 - 3000) = -800.
        let target = best_target(&t, 0.0).expect("a target");
        assert_eq!(target.values, ["north"]);
        let mean = -500.0 - 1000.0 * 0.6 + 0.6 * 2000.0 + 1000.0 * 0.6 * 1.0;
        let sd = ((0.6f64 * 400.0).powi(2) + (1000.0f64 * 0.6).powi(2) * 0.01).sqrt();
        assert!((target.money.expected_npv - mean).abs() < 1e-9);
        let z = (0.0 - mean) / sd;
        let p = 1.0 - crate::stats::dist::normal_cdf(z);
        assert!((target.money.probability_positive - p).abs() < 1e-12);
        assert!((target.everyone_expected_npv - 500.0).abs() < 1e-12);
        assert!((target.customers - 600.0).abs() < 1e-12);
        let south = &target.segments[1];
        assert!(!south.included && south.expected_npv < 0.0);
        // A materiality above the gain withdraws the target.
        let gain = target.money.expected_npv - target.everyone_expected_npv;
        assert_eq!(best_target(&t, gain + 1.0), None);
    }

    #[test]
    fn when_every_segment_pays_everyone_is_the_rollout() {
        let t = input(vec![
            segment("north", 0.5, 0.3, 0.01),
            segment("south", 0.5, -0.3, 0.01),
        ]);
        assert_eq!(best_target(&t, 0.0), None);
    }
}
