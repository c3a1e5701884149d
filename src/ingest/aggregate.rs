//! Per-customer values to mergeable sufficient statistics per arm and segment.
//!
//! Pure: takes values already read and returns statistics. The same
//! [`GroupStats`] come out of a pre-aggregated summary file, so everything
//! downstream works the same whichever way the data arrived.

use crate::config::{Metric, MetricKind};
use crate::stats::summary::{CovariateAccumulator, MeanAccumulator, RatioAccumulator};
use crate::stats::{BinaryStats, CovariateStats, MeanStats, OrdinalCounts, RatioStats};

/// Sufficient statistics of one metric for one group of customers (an arm,
/// or an arm within a segment value). They add exactly across shards.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupStats {
    /// 0/1 outcomes.
    Binary(BinaryStats),
    /// Numeric outcomes.
    Mean(MeanStats),
    /// Numeric outcomes with a pre-period covariate (CUPED).
    Cuped(CovariateStats),
    /// Numerator and denominator per customer.
    Ratio(RatioStats),
    /// Answers on a scale (NPS, CSAT, ordinal).
    Ordinal(OrdinalCounts),
}

impl GroupStats {
    /// Statistics of no customers, of the variant a metric of `kind` uses
    /// (`cuped`: the metric has a covariate).
    pub fn empty(kind: MetricKind, cuped: bool) -> Self {
        match kind {
            MetricKind::Binary => GroupStats::Binary(BinaryStats::default()),
            MetricKind::Mean if cuped => GroupStats::Cuped(CovariateStats::default()),
            MetricKind::Mean => GroupStats::Mean(MeanStats::default()),
            MetricKind::Ratio => GroupStats::Ratio(RatioStats::default()),
            MetricKind::Nps | MetricKind::Csat | MetricKind::Ordinal | MetricKind::Ces => {
                GroupStats::Ordinal(OrdinalCounts::default())
            }
        }
    }

    /// Customers (or answers) in the group.
    pub fn n(&self) -> u64 {
        match self {
            GroupStats::Binary(s) => s.n(),
            GroupStats::Mean(s) => s.n(),
            GroupStats::Cuped(s) => s.n(),
            GroupStats::Ratio(s) => s.n(),
            GroupStats::Ordinal(s) => s.n(),
        }
    }

    /// Adds `other` (same variant) into `self`; mismatched variants are a
    /// programming error and leave `self` unchanged.
    pub fn merge(&mut self, other: &GroupStats) {
        match (self, other) {
            (GroupStats::Binary(a), GroupStats::Binary(b)) => a.merge(b),
            (GroupStats::Mean(a), GroupStats::Mean(b)) => a.merge(b),
            (GroupStats::Cuped(a), GroupStats::Cuped(b)) => a.merge(b),
            (GroupStats::Ratio(a), GroupStats::Ratio(b)) => a.merge(b),
            (GroupStats::Ordinal(a), GroupStats::Ordinal(b)) => a.merge(b),
            _ => debug_assert!(false, "merging statistics of different kinds"),
        }
    }
}

/// Builds [`GroupStats`] from customers one at a time, with compensated sums.
#[derive(Debug, Clone)]
enum Accumulator {
    Binary(BinaryStats),
    Mean(MeanAccumulator),
    Cuped(CovariateAccumulator),
    Ratio(RatioAccumulator),
    Ordinal(OrdinalCounts),
}

impl Accumulator {
    fn new(kind: MetricKind, cuped: bool) -> Self {
        match GroupStats::empty(kind, cuped) {
            GroupStats::Binary(s) => Accumulator::Binary(s),
            GroupStats::Mean(_) => Accumulator::Mean(MeanAccumulator::default()),
            GroupStats::Cuped(_) => Accumulator::Cuped(CovariateAccumulator::default()),
            GroupStats::Ratio(_) => Accumulator::Ratio(RatioAccumulator::default()),
            GroupStats::Ordinal(s) => Accumulator::Ordinal(s),
        }
    }

    fn push(&mut self, value: f64, denominator: f64, covariate: f64) {
        match self {
            Accumulator::Binary(s) => s.push(is_success(value)),
            Accumulator::Mean(s) => s.push(value),
            Accumulator::Cuped(s) => s.push(value, covariate),
            Accumulator::Ratio(s) => s.push(value, denominator),
            // Scale answers were checked to be whole numbers when read.
            Accumulator::Ordinal(s) => s.push(value as i64),
        }
    }

    fn finish(&self) -> GroupStats {
        match self {
            Accumulator::Binary(s) => GroupStats::Binary(*s),
            Accumulator::Mean(s) => GroupStats::Mean(s.finish()),
            Accumulator::Cuped(s) => GroupStats::Cuped(s.finish()),
            Accumulator::Ratio(s) => GroupStats::Ratio(s.finish()),
            Accumulator::Ordinal(s) => GroupStats::Ordinal(s.clone()),
        }
    }
}

/// One segment value's statistics, per arm.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelStats {
    /// The segment value.
    pub value: String,
    /// Per arm, in experiment order.
    pub arms: Vec<GroupStats>,
}

/// One segment column's statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentStats {
    /// Population column.
    pub column: String,
    /// Values with at least one customer, largest first.
    pub levels: Vec<LevelStats>,
}

/// Everything the comparisons need for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricStats {
    /// Per arm, in experiment order.
    pub arms: Vec<GroupStats>,
    /// Per segment column.
    pub segments: Vec<SegmentStats>,
    /// Customers assigned per arm (the denominators of response rates).
    pub assigned: Vec<u64>,
    /// The winsorizing threshold applied, if the metric has a cap.
    pub cap_value: Option<f64>,
    /// Customers whose value was lowered to `cap_value`.
    pub capped_customers: u64,
}

/// One customer's inputs to the aggregation.
pub struct CustomerView<'a> {
    /// Arm of each customer (index into the experiment's arms).
    pub arms: &'a [u16],
    /// Per segment column: its name, value labels, and each customer's code.
    pub segments: &'a [(String, &'a [String], &'a [u32])],
}

/// Aggregates one metric's per-customer values.
///
/// `values[c]` is `None` for customers left out (survey non-response).
/// `denominators` is given for ratio metrics, `covariate` for CUPED
/// (missing covariate values count as 0: the adjustment stays unbiased for
/// any pre-period quantity, it only removes less noise).
pub fn aggregate_metric(
    metric: &Metric,
    values: &[Option<f64>],
    denominators: Option<&[Option<f64>]>,
    covariate: Option<&[Option<f64>]>,
    customers: &CustomerView<'_>,
    arm_count: usize,
) -> MetricStats {
    let cap_value = metric.cap.and_then(|q| upper_quantile(values, q));
    let cuped = covariate.is_some() && metric.kind == MetricKind::Mean;
    let fresh = || vec![Accumulator::new(metric.kind, cuped); arm_count];
    let mut overall = fresh();
    let mut by_level: Vec<Vec<Vec<Accumulator>>> = customers
        .segments
        .iter()
        .map(|(_, labels, _)| (0..labels.len()).map(|_| fresh()).collect())
        .collect();
    let mut assigned = vec![0u64; arm_count];
    let mut capped_customers = 0;
    for (c, value) in values.iter().enumerate() {
        let arm = customers.arms[c] as usize;
        assigned[arm] += 1;
        let Some(value) = *value else { continue };
        let (value, capped) = apply_cap(value, cap_value);
        capped_customers += u64::from(capped);
        let denominator = denominators.and_then(|d| d[c]).unwrap_or(0.0);
        let covariate_value = covariate.and_then(|x| x[c]).unwrap_or(0.0);
        overall[arm].push(value, denominator, covariate_value);
        for (s, (_, _, codes)) in customers.segments.iter().enumerate() {
            by_level[s][codes[c] as usize][arm].push(value, denominator, covariate_value);
        }
    }
    let segments = customers
        .segments
        .iter()
        .zip(by_level)
        .map(|((column, labels, _), levels)| {
            let mut levels: Vec<LevelStats> = labels
                .iter()
                .zip(levels)
                .map(|(label, accs)| LevelStats {
                    value: label.clone(),
                    arms: accs.iter().map(Accumulator::finish).collect(),
                })
                .filter(|level| level.arms.iter().any(|a| a.n() > 0))
                .collect();
            levels.sort_by_key(|level| {
                std::cmp::Reverse(level.arms.iter().map(GroupStats::n).sum::<u64>())
            });
            SegmentStats {
                column: column.clone(),
                levels,
            }
        })
        .collect();
    MetricStats {
        arms: overall.iter().map(Accumulator::finish).collect(),
        segments,
        assigned,
        cap_value,
        capped_customers,
    }
}

/// Whether a binary metric's per-customer value counts as a success (0.5
/// and above); every reader of binary values goes through it, so that the
/// rate and its co-moments count the same customers.
pub(crate) fn is_success(value: f64) -> bool {
    value >= 0.5
}

/// `value` lowered to `cap` when above it, and whether it was.
pub(crate) fn apply_cap(value: f64, cap: Option<f64>) -> (f64, bool) {
    match cap {
        Some(cap) if value > cap => (cap, true),
        _ => (value, false),
    }
}

/// The `q` quantile of the present values, pooled over arms (R's default
/// type 7: linear interpolation between order statistics). Pooling keeps
/// the threshold blind to the arms, so capping cannot favour one of them.
fn upper_quantile(values: &[Option<f64>], q: f64) -> Option<f64> {
    let mut present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return None;
    }
    let h = (present.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (_, &mut low, rest) = present.select_nth_unstable_by(lo, f64::total_cmp);
    let high = rest.iter().copied().min_by(f64::total_cmp).unwrap_or(low);
    Some(low + (h - lo as f64) * (high - low))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_matches_r_type_7() {
        // R: quantile(c(1, 2, 3, 4, 10), 0.9) = 7.6
        let v: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0, 10.0].into_iter().map(Some).collect();
        assert!((upper_quantile(&v, 0.9).unwrap() - 7.6).abs() < 1e-12);
        // R: quantile(c(5), 0.99) = 5
        assert_eq!(upper_quantile(&[Some(5.0), None], 0.99), Some(5.0));
        assert_eq!(upper_quantile(&[None], 0.99), None);
    }
}
