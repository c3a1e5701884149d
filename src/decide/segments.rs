//! Segment effects centred on the decision's posterior.
//!
//! [`crate::analysis::segment_pool`] pulls each segment's measured effect
//! toward the segments' pooled mean, estimated from the data alone. The
//! verdict reads the pilot's effect through a prior, and with a
//! sceptical prior its likely effect is smaller than the data's: a report
//! whose segments all read +5.9 pp beside a verdict that reads +3.2 pp
//! contradicts itself. For the metrics the decision reads, the segments
//! are therefore re-centred on the decision's posterior.
//!
//! The prior is on the level of the effect (the overall, customer-weighted
//! change); the segments say how the effect differs around that level. So
//! a segment's likely effect is the decision's posterior plus the
//! segment's shrunken difference
//! ([`PooledSegments::differences`]), and its spread is the posterior's
//! widened by the segment's own noise around the level: a mixture again,
//! whose mean and quantiles are the likely effect and its interval.
//! Weighted by customers, the segments average to the verdict's likely
//! change exactly.
//!
//! Two approximations, documented in `docs/decision.md`: `tau^2` and the
//! shrinkages stay the data's Paule-Mandel estimates, and the covariance
//! between the level and a segment's difference is ignored.

use crate::analysis::result::Estimate;
use crate::analysis::segment_pool::{PooledSegments, SegmentCentre};

use super::mixture::NormalMixture;

/// Re-centres `pooled` on `posterior`, the decision's distribution of the
/// pilot's effect (metric units), with intervals at `1 - alpha`.
pub fn centre_on_posterior(pooled: &mut PooledSegments, posterior: &NormalMixture, alpha: f64) {
    let interval = |m: &NormalMixture| Estimate {
        estimate: m.mean(),
        ci_low: m.quantile(alpha / 2.0),
        ci_high: m.quantile(1.0 - alpha / 2.0),
    };
    let differences = pooled.differences();
    for (segment, difference) in pooled.segments.iter_mut().zip(differences) {
        let mut likely = posterior.affine(difference.shift, 1.0);
        if difference.own_variance > 0.0 {
            let own = NormalMixture::normal(0.0, difference.own_variance.sqrt());
            likely = likely.convolve(&own);
        }
        segment.likely = interval(&likely);
        segment.likely_std_error = likely.sd();
    }
    pooled.all = interval(posterior);
    pooled.all_std_error = posterior.sd();
    pooled.centre = SegmentCentre::Decision;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::result::{FixedHorizon, SegmentResult};
    use crate::analysis::segment_pool::{pool_metric_segments, test_comparison, test_segment};
    use crate::decide::mixture::Component;
    use crate::stats::dist::normal_quantile;

    fn pooled(segments: &[(f64, f64)]) -> PooledSegments {
        let results: Vec<SegmentResult> = segments
            .iter()
            .enumerate()
            .map(|(i, &(estimate, std_error))| {
                test_segment(
                    "region",
                    &format!("r{i}"),
                    Some(FixedHorizon {
                        estimate,
                        std_error,
                    }),
                )
            })
            .collect();
        let overall = test_comparison(Some(FixedHorizon {
            estimate: 0.05,
            std_error: 0.01,
        }));
        pool_metric_segments(&results, &[overall], 0.05).remove(0)
    }

    #[test]
    fn segments_that_do_not_differ_read_the_decisions_posterior() {
        // Q below its degrees of freedom: tau^2 = 0, every shrinkage 1.
        let mut p = pooled(&[(0.05, 0.02), (0.06, 0.02), (0.055, 0.02)]);
        assert_eq!(p.tau_squared, 0.0);
        let posterior = NormalMixture::normal(0.03, 0.01);
        centre_on_posterior(&mut p, &posterior, 0.05);
        assert_eq!(p.centre, SegmentCentre::Decision);
        let z = normal_quantile(0.975);
        for s in &p.segments {
            assert!((s.likely.estimate - 0.03).abs() < 1e-12);
            assert!((s.likely_std_error - 0.01).abs() < 1e-12);
            assert!((s.likely.ci_high - (0.03 + z * 0.01)).abs() < 1e-9);
        }
        assert!((p.all.estimate - 0.03).abs() < 1e-12);
    }

    #[test]
    fn a_normal_posterior_gives_the_closed_form_mean_and_variance() {
        // Segments that clearly differ: tau^2 > 0, shrinkages below 1.
        let mut p = pooled(&[(0.01, 0.01), (0.10, 0.01), (0.20, 0.05)]);
        assert!(p.tau_squared > 0.0);
        let before: Vec<(f64, f64, f64, f64)> = p
            .segments
            .iter()
            .map(|s| {
                let w = s.customers as f64;
                (s.measured.estimate, s.measured.std_error, s.shrinkage, w)
            })
            .collect();
        let total: f64 = before.iter().map(|b| b.3).sum();
        let overall: f64 = before.iter().map(|b| b.3 / total * b.0).sum();
        let recentre: f64 = before
            .iter()
            .map(|b| b.3 / total * b.2 * (b.0 - overall))
            .sum();
        let (m, sd) = (0.04, 0.015);
        centre_on_posterior(&mut p, &NormalMixture::normal(m, sd), 0.05);
        for (s, (y, se, b, _)) in p.segments.iter().zip(before) {
            let mean = m + (1.0 - b) * (y - overall) + recentre;
            let variance = (1.0 - b) * se * se + sd * sd;
            assert!((s.likely.estimate - mean).abs() < 1e-12);
            assert!((s.likely_std_error - variance.sqrt()).abs() < 1e-12);
            assert!(s.likely.ci_low < mean && mean < s.likely.ci_high);
        }
    }

    #[test]
    fn segments_weighted_by_customers_average_to_the_verdicts_change() {
        let mut p = pooled(&[(-0.03, 0.015), (0.01, 0.02), (0.04, 0.03)]);
        for (s, customers) in p.segments.iter_mut().zip([1547, 975, 210]) {
            s.customers = customers;
        }
        assert!(p.tau_squared > 0.0);
        let posterior = NormalMixture::new(vec![
            Component {
                weight: 0.7,
                mean: -0.005,
                sd: 0.004,
            },
            Component {
                weight: 0.3,
                mean: -0.012,
                sd: 0.01,
            },
        ])
        .unwrap();
        centre_on_posterior(&mut p, &posterior, 0.05);
        let total: f64 = p.segments.iter().map(|s| s.customers as f64).sum();
        let average: f64 = p
            .segments
            .iter()
            .map(|s| s.customers as f64 / total * s.likely.estimate)
            .sum();
        assert!((average - posterior.mean()).abs() < 1e-12, "{average}");
        // The segments keep their order: the differences survive.
        let likely: Vec<f64> = p.segments.iter().map(|s| s.likely.estimate).collect();
        assert!(likely[0] < likely[1] && likely[1] < likely[2], "{likely:?}");
    }
}
