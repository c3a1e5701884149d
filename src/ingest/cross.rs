//! Per-arm co-moments of the metrics the decision learns together.
//!
//! The decision model learns the primary metric and the money metrics of
//! `[roi]` jointly (`decide::joint`): a clear rise in purchases says much
//! about a noisy rise in revenue. For that it needs how the two estimates
//! covary, which only the customers themselves tell: per pair of those
//! metrics and per arm, the co-moments of their values (and covariates,
//! for CUPED) over the customers who have both. Pure: values in,
//! statistics out, with the same caps and 0/1 reading as
//! [`aggregate_metric`](super::aggregate::aggregate_metric).

use crate::config::{Experiment, MetricKind, Role};
use crate::ingest::aggregate::{MetricStats, apply_cap, is_success};
use crate::stats::cross::{CROSS_DIM, CrossMoments};

/// Co-moments of two metrics' customer values, per arm.
#[derive(Debug, Clone, PartialEq)]
pub struct PairStats {
    /// Index of the first metric (in experiment order).
    pub first: usize,
    /// Index of the second metric, greater than `first`.
    pub second: usize,
    /// Per arm, in experiment order: quantities 0 and 1 are the first
    /// metric and its covariate, 2 and 3 the second metric and its
    /// covariate (0 without one).
    pub arms: Vec<CrossMoments>,
}

/// One metric's per-customer inputs (what its aggregation read).
#[derive(Debug, Clone, Copy)]
pub struct MetricValues<'a> {
    /// Values per customer, `None` where left out.
    pub values: &'a [Option<f64>],
    /// Covariate values per customer, for CUPED metrics.
    pub covariate: Option<&'a [Option<f64>]>,
}

/// The metrics the decision learns together: the `[roi]` money metrics
/// and the primary metric, when they are customer averages or rates (the
/// kinds whose estimate is a difference of per-customer means).
pub fn linked_metrics(exp: &Experiment) -> Vec<usize> {
    let Some(roi) = &exp.roi else {
        return Vec::new();
    };
    let mut indices: Vec<usize> = exp
        .metrics
        .iter()
        .enumerate()
        .filter(|(_, m)| m.role == Role::Primary || roi.benefits.iter().any(|b| b.metric == m.name))
        .filter(|(_, m)| matches!(m.kind, MetricKind::Binary | MetricKind::Mean))
        .map(|(i, _)| i)
        .collect();
    indices.sort_unstable();
    indices
}

/// Co-moments of every pair of [`linked_metrics`], given each metric's
/// values (`inputs`, in experiment order), its aggregated statistics (for
/// the cap that was applied) and each customer's arm.
pub fn linked_pairs(
    exp: &Experiment,
    inputs: &[MetricValues<'_>],
    stats: &[MetricStats],
    arms: &[u16],
) -> Vec<PairStats> {
    let linked = linked_metrics(exp);
    let mut pairs = Vec::new();
    for (a, &first) in linked.iter().enumerate() {
        for &second in &linked[a + 1..] {
            let side = |i: usize| Side {
                input: inputs[i],
                cap: stats[i].cap_value,
                binary: exp.metrics[i].kind == MetricKind::Binary,
            };
            pairs.push(PairStats {
                first,
                second,
                arms: pair_moments(side(first), side(second), arms, exp.arms.len()),
            });
        }
    }
    pairs
}

/// One metric as its aggregation reads it.
#[derive(Clone, Copy)]
struct Side<'a> {
    input: MetricValues<'a>,
    cap: Option<f64>,
    binary: bool,
}

impl Side<'_> {
    /// Customer `c`'s value and covariate, `None` when the value is left
    /// out; capped and read as 0/1 exactly as the metric's statistics are.
    fn at(&self, c: usize) -> Option<(f64, f64)> {
        let (mut value, _) = apply_cap(self.input.values[c]?, self.cap);
        if self.binary {
            value = f64::from(u8::from(is_success(value)));
        }
        // A missing covariate counts as 0, as in the CUPED statistics.
        let covariate = self.input.covariate.and_then(|x| x[c]).unwrap_or(0.0);
        Some((value, covariate))
    }
}

fn pair_moments(
    first: Side<'_>,
    second: Side<'_>,
    arms: &[u16],
    arm_count: usize,
) -> Vec<CrossMoments> {
    let mut moments = vec![CrossMoments::default(); arm_count];
    for (c, &arm) in arms.iter().enumerate() {
        let (Some((a, xa)), Some((b, xb))) = (first.at(c), second.at(c)) else {
            continue;
        };
        let quantities: [f64; CROSS_DIM] = [a, xa, b, xb];
        moments[usize::from(arm)].push(quantities);
    }
    moments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_reads_binary_values_like_the_aggregation() {
        let bought = [Some(1.0), Some(0.0), Some(0.7), None, Some(1.0)];
        let spent = [Some(40.0), Some(0.0), Some(900.0), Some(5.0), Some(20.0)];
        let first = Side {
            input: MetricValues {
                values: &bought,
                covariate: None,
            },
            cap: None,
            binary: true,
        };
        let second = Side {
            input: MetricValues {
                values: &spent,
                covariate: None,
            },
            cap: Some(100.0),
            binary: false,
        };
        let moments = pair_moments(first, second, &[0, 0, 0, 0, 1], 2);
        // Customer 3 has no purchase value and is left out; 0.7 reads as a
        // purchase; 900 is capped at 100.
        assert_eq!(moments[0].n(), 3);
        assert_eq!(moments[1].n(), 1);
        // R: cov(c(1, 0, 1), c(40, 0, 100)) = 23.33333
        assert!((moments[0].covariance(0, 2).unwrap() - 70.0 / 3.0).abs() < 1e-12);
        assert_eq!(moments[0].covariance(1, 3), Some(0.0));
    }
}
