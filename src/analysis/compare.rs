//! One treatment arm against the control for one metric: picks the test the
//! metric's kind calls for and adds what the report needs besides it.

use serde::Serialize;

use crate::config::{Direction, MetricKind};
use crate::ingest::aggregate::GroupStats;
use crate::stats::bayes::{BetaPrior, bayes_binary};
use crate::stats::bounds::ParameterSpace;
use crate::stats::nps::{csat_satisfied, nps_scores};
use crate::stats::ratio::ratio_moments;
use crate::stats::{
    Arm, Comparison, NotComputable, Options, TestKind, compare_cuped, compare_means,
    compare_ordinal, compare_proportions, compare_ratios, dist,
};

/// Per arm: size, estimate and spread, in the metric's own units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ArmEstimate {
    /// Customers (or answers, for surveys) measured.
    pub n: u64,
    /// Rate, mean, ratio or score; `None` with no customers.
    pub mean: Option<f64>,
    /// Standard deviation per customer; `None` below two customers.
    pub sd: Option<f64>,
}

/// The arm's estimate for the report. CSAT reports the share of 4-5
/// answers and NPS the score, the quantities the comparisons test.
pub fn arm_estimate(kind: MetricKind, stats: &GroupStats) -> ArmEstimate {
    let n = stats.n();
    let moments = match stats {
        GroupStats::Binary(s) => Ok(s.to_mean_stats()),
        GroupStats::Mean(s) => Ok(*s),
        GroupStats::Cuped(s) => Ok(*s.metric()),
        GroupStats::Ratio(s) => {
            let m = ratio_moments(s, Arm::Control);
            return ArmEstimate {
                n,
                mean: m.as_ref().ok().map(|m| m.mean),
                sd: m.ok().filter(|m| m.n > 1).map(|m| m.variance.sqrt()),
            };
        }
        GroupStats::Ordinal(s) => match kind {
            MetricKind::Nps => nps_scores(s),
            MetricKind::Csat => csat_satisfied(s).map(|b| b.to_mean_stats()),
            _ => Ok(s.to_mean_stats()),
        },
    };
    match moments {
        Ok(m) => ArmEstimate {
            n,
            mean: m.mean(),
            sd: m.variance().map(f64::sqrt),
        },
        Err(_) => ArmEstimate {
            n,
            mean: None,
            sd: None,
        },
    }
}

/// A treatment arm against the control.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    /// The comparison as reported: sequential (always valid) or fixed
    /// horizon, per the analysis settings.
    pub reported: Comparison,
    /// The fixed-horizon comparison: its standard error feeds the ROI
    /// projection and the sample-size estimate.
    pub fixed: Comparison,
    /// Posterior chance that the treatment is better, in the metric's
    /// direction (lower is better for `decrease` metrics).
    pub chance_to_beat_control: Option<f64>,
    /// CUPED: the pooled coefficient and the share of variance removed.
    pub cuped: Option<CupedInfo>,
}

/// What CUPED did for a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct CupedInfo {
    /// Pooled regression coefficient of the metric on its covariate.
    pub theta: f64,
    /// 1 - adjusted variance / unadjusted variance of the difference:
    /// the share of noise the covariate removed, or (negative, when not
    /// `applied`) the share it would have added.
    pub variance_reduction: f64,
    /// Whether the adjustment was used. It is not when it would have made
    /// the difference noisier (very unequal arms whose covariate relations
    /// differ); the comparison is then the plain one on the metric.
    #[serde(default = "applied_by_default")]
    pub applied: bool,
    /// The control's mean when the adjustment was applied: its own, since
    /// both arms are adjusted to the control's pre-period mean; the
    /// treatment's adjusted mean minus it is the reported change.
    #[serde(default)]
    pub control_mean: Option<f64>,
    /// The treatment's mean adjusted the same way (when applied).
    #[serde(default)]
    pub treatment_mean: Option<f64>,
}

/// Reports written before `applied` existed always applied CUPED.
fn applied_by_default() -> bool {
    true
}

/// Where a metric's true change can lie: rates and shares within +/-1, NPS
/// within +/-200, a mean answer within the scale's width; numbers per
/// customer (revenue, ratios) are unbounded.
pub fn parameter_space(kind: MetricKind, scale: Option<(i64, i64)>) -> ParameterSpace {
    match (kind, scale) {
        (MetricKind::Binary | MetricKind::Csat, _) => ParameterSpace::RATE,
        (MetricKind::Nps, _) => ParameterSpace::NPS,
        (MetricKind::Ordinal | MetricKind::Ces, Some((low, high))) => {
            ParameterSpace::scale(low, high)
        }
        _ => ParameterSpace::UNBOUNDED,
    }
}

/// Compares `treatment` with `control` (same variant) for a metric of `kind`
/// answered on `scale` (ordinal metrics), with every interval held inside
/// the metric's [`parameter_space`].
pub fn compare(
    kind: MetricKind,
    scale: Option<(i64, i64)>,
    direction: Direction,
    control: &GroupStats,
    treatment: &GroupStats,
    options: &Options,
) -> Result<Compared, NotComputable> {
    let fixed_options = Options {
        sequential: false,
        group_sequential: None,
        ..options.clone()
    };
    let run = |opts: &Options| -> Result<(Comparison, Option<CupedInfo>), NotComputable> {
        Ok(match (control, treatment) {
            (GroupStats::Binary(c), GroupStats::Binary(t)) => {
                (compare_proportions(c, t, opts)?, None)
            }
            (GroupStats::Mean(c), GroupStats::Mean(t)) => (compare_means(c, t, opts)?, None),
            (GroupStats::Cuped(c), GroupStats::Cuped(t)) => {
                let result = compare_cuped(c, t, opts)?;
                let info = CupedInfo {
                    theta: result.theta,
                    variance_reduction: result.variance_reduction,
                    applied: result.applied,
                    control_mean: result.applied.then_some(result.comparison.control.mean),
                    treatment_mean: result.applied.then_some(result.comparison.treatment.mean),
                };
                (result.comparison, Some(info))
            }
            (GroupStats::Ratio(c), GroupStats::Ratio(t)) => (compare_ratios(c, t, opts)?, None),
            (GroupStats::Ordinal(c), GroupStats::Ordinal(t)) => match kind {
                MetricKind::Nps => (crate::stats::compare_nps(c, t, opts)?, None),
                MetricKind::Csat => (crate::stats::compare_csat(c, t, opts)?, None),
                _ => (compare_scale(c, t, opts)?, None),
            },
            _ => {
                return Err(NotComputable::InvalidInput(
                    "the arms' statistics are of different kinds",
                ));
            }
        })
    };
    let space = parameter_space(kind, scale);
    let (fixed, cuped) = run(&fixed_options)?;
    let fixed = space.bound(&fixed);
    let reported = if options.sequential {
        space.bound(&run(options)?.0)
    } else {
        fixed
    };
    let chance = chance_better(kind, control, treatment, &fixed);
    let chance_to_beat_control = chance.map(|p| match direction {
        Direction::Increase => p,
        Direction::Decrease => 1.0 - p,
    });
    Ok(Compared {
        reported,
        fixed,
        chance_to_beat_control,
        cuped,
    })
}

/// Ordinal scales: the difference in mean answer with its Welch interval
/// (what a reader can picture), and the p-value of the Mann-Whitney U test,
/// which respects that the answers are ranks. Mann-Whitney has no
/// always-valid version, so in sequential mode the p-value comes from the
/// confidence sequence on the mean answer instead.
fn compare_scale(
    control: &crate::stats::OrdinalCounts,
    treatment: &crate::stats::OrdinalCounts,
    opts: &Options,
) -> Result<Comparison, NotComputable> {
    let mut comparison = compare_means(&control.to_mean_stats(), &treatment.to_mean_stats(), opts)?;
    if !opts.sequential {
        let rank = compare_ordinal(control, treatment)?;
        comparison.test = TestKind::MannWhitney;
        comparison.p_value = rank.p_value;
        comparison.absolute.p_value = rank.p_value;
    }
    Ok(comparison)
}

/// P(treatment's true value > control's): exact Beta-Binomial for rates
/// (uniform priors); otherwise, with a flat prior, a Student t posterior
/// with the comparison's Welch degrees of freedom where it has them (the
/// Behrens-Fisher posterior under Jeffreys priors, which the normal
/// approximation overstates at a few customers per arm: at two per arm
/// 96.1% where the t posterior gives 89.0%), the normal one for the
/// large-sample methods (ratios, NPS).
fn chance_better(
    kind: MetricKind,
    control: &GroupStats,
    treatment: &GroupStats,
    fixed: &Comparison,
) -> Option<f64> {
    let prior = BetaPrior { alpha: 1, beta: 1 };
    match (kind, control, treatment) {
        (_, GroupStats::Binary(c), GroupStats::Binary(t)) => bayes_binary(c, t, prior)
            .ok()
            .map(|b| b.chance_to_beat_control),
        (MetricKind::Csat, GroupStats::Ordinal(c), GroupStats::Ordinal(t)) => {
            let (c, t) = (csat_satisfied(c).ok()?, csat_satisfied(t).ok()?);
            bayes_binary(&c, &t, prior)
                .ok()
                .map(|b| b.chance_to_beat_control)
        }
        _ if fixed.absolute.std_error > 0.0 => {
            let z = fixed.absolute.estimate / fixed.absolute.std_error;
            Some(match fixed.degrees_of_freedom {
                Some(df) if df.is_finite() && df > 0.0 => dist::t_cdf(z, df),
                _ => dist::normal_cdf(z),
            })
        }
        _ => None,
    }
}
