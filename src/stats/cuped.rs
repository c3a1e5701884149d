//! CUPED: regression adjustment on a pre-period covariate.
//!
//! A. Deng, Y. Xu, R. Kohavi, T. Walker, "Improving the sensitivity of online
//! controlled experiments by utilizing pre-experiment data", WSDM 2013; in the
//! form of GrowthBook's gbstats `RegressionAdjustedStatistic`:
//!
//! * theta = cov(post, pre) / var(pre), pooled over both arms (the union of
//!   customers), so the adjustment itself cannot create a difference;
//! * adjusted values post - theta pre per arm, with per-customer variance
//!   var(post) + theta^2 var(pre) - 2 theta cov(post, pre);
//! * absolute effect: Welch on the adjusted means and variances;
//! * relative effect: (adjusted difference) / (unadjusted control mean), with
//!   the delta-method variance of gbstats 0.8's `frequentist_variance`:
//!   v_t / (n_t m_c^2) + v_c m_t^2 / (n_c m_c^4), adjusted variances v and
//!   unadjusted post-period means m. (Later gbstats versions add covariance
//!   terms between the adjusted difference and the control mean; the
//!   difference is about 2e-5 relative in the standard error.) A poorly
//!   determined relative effect gets its interval on the log scale, see
//!   [`welch::LOG_SCALE_ABOVE`](super::welch::LOG_SCALE_ABOVE).
//!
//! If the covariate (or the metric) does not vary at all, theta is 0 and the
//! result is the unadjusted comparison, as in gbstats.
//!
//! Three things go beyond gbstats:
//!
//! * **Adjusted means on the metric's scale.** The control's mean is its
//!   own; the treatment's is `mean(post) - theta (mean(pre) - control's
//!   mean(pre))`, its average as if its customers had started where the
//!   control's did, so both are values of the metric, the control's is the
//!   one shown in its row whichever arm it is compared with, and their
//!   difference is the adjusted effect. (gbstats' `mean(post) - theta
//!   mean(pre)` has the same difference but is not a value of the metric.)
//! * **No adjustment that hurts.** The pooled theta minimises the variance
//!   of the pooled customers, not of the difference: with very unequal arms
//!   whose covariate relations differ, it can make the difference noisier.
//!   Then the comparison is the plain Welch one on the metric, marked as
//!   not applied, with the variance reduction (negative) it would have had.
//! * **A covariate far from zero.** Covariate means are compared against
//!   one reference near the data (the control's covariate shift, see
//!   [`CovariateStats`]), so a large common offset cancels exactly instead
//!   of rounding the difference away.

use super::result::{Arm, ArmSummary, Comparison, NotComputable, Options, TestKind};
use super::summary::CovariateStats;
use super::welch::{
    Reference, check_relative_base, check_sizes, compare_means, effect, relative_effect,
    relative_variance, welch_df,
};
use serde::Serialize;

/// A CUPED comparison with the adjustment it used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CupedComparison {
    /// The comparison as it should be reported. When `applied`, the
    /// adjusted one: arm means are the adjusted means (see the module docs)
    /// and the absolute effect is their difference. Otherwise Welch on the
    /// metric alone, with the arms' plain means.
    pub comparison: Comparison,
    /// The pooled regression coefficient of the metric on the covariate.
    pub theta: f64,
    /// 1 - (variance of the adjusted difference) / (variance of the
    /// unadjusted difference): the share of noise the covariate removed, or
    /// (negative) the share it would have added when not `applied`.
    pub variance_reduction: f64,
    /// Whether the adjustment was used: false when it would have made the
    /// variance of the difference larger than without it.
    pub applied: bool,
}

struct ArmParts {
    n: f64,
    post_mean: f64,
    /// Covariate mean minus the comparison's reference value.
    pre_mean: f64,
    post_var: f64,
    pre_var: f64,
    cov: f64,
}

fn parts(stats: &CovariateStats, arm: Arm, reference: f64) -> Result<ArmParts, NotComputable> {
    let post = stats.metric().moments(arm)?;
    let pre = stats.covariate().moments(arm)?;
    let n = stats.n() as f64;
    Ok(ArmParts {
        n,
        post_mean: post.mean,
        pre_mean: stats
            .covariate_mean_from(reference)
            .ok_or(NotComputable::EmptyArm(arm))?,
        post_var: post.variance,
        pre_var: pre.variance,
        cov: covariance(
            stats.sum_products(),
            stats.metric().sum(),
            stats.covariate().sum(),
            n,
        ),
    })
}

fn covariance(sum_xy: f64, sum_x: f64, sum_y: f64, n: f64) -> f64 {
    (-sum_x).mul_add(sum_y / n, sum_xy) / (n - 1.0)
}

/// theta from the pooled statistics of both arms; 0 when either the metric or
/// the covariate has no variance.
pub fn pooled_theta(control: &CovariateStats, treatment: &CovariateStats) -> f64 {
    let joint = *control + *treatment;
    let n = joint.n() as f64;
    match (joint.metric().variance(), joint.covariate().variance()) {
        (Some(vy), Some(vx)) if vy > 0.0 && vx > 0.0 => {
            covariance(
                joint.sum_products(),
                joint.metric().sum(),
                joint.covariate().sum(),
                n,
            ) / vx
        }
        _ => 0.0,
    }
}

/// CUPED comparison of a metric with a pre-period covariate (see module docs).
pub fn compare_cuped(
    control: &CovariateStats,
    treatment: &CovariateStats,
    opts: &Options,
) -> Result<CupedComparison, NotComputable> {
    opts.validate()?;
    check_sizes(control.n(), treatment.n())?;
    let reference = control.covariate_shift();
    let a = parts(control, Arm::Control, reference)?;
    let b = parts(treatment, Arm::Treatment, reference)?;
    let theta = pooled_theta(control, treatment);
    let adj_var =
        |p: &ArmParts| (p.post_var + theta * theta * p.pre_var - 2.0 * theta * p.cov).max(0.0);
    let (va, vb) = (adj_var(&a), adj_var(&b));
    // Both arms are adjusted to the control's pre-period mean, so the
    // control keeps its own average and the treatment's is what it would
    // have been had its customers started where the control's did.
    let (ma, mb) = (a.post_mean, b.post_mean - theta * (b.pre_mean - a.pre_mean));
    let var_diff = va / a.n + vb / b.n;
    if !(var_diff > 0.0) {
        return Err(NotComputable::NoVariation);
    }
    let unadjusted = a.post_var / a.n + b.post_var / b.n;
    let variance_reduction = if unadjusted > 0.0 {
        1.0 - var_diff / unadjusted
    } else {
        0.0
    };
    if var_diff > unadjusted {
        return Ok(CupedComparison {
            comparison: compare_means(control.metric(), treatment.metric(), opts)?,
            theta,
            variance_reduction,
            applied: false,
        });
    }
    let df = welch_df(va, a.n, vb, b.n);
    let reference = Reference::T(df);
    let n_total = a.n + b.n;
    let absolute = effect(mb - ma, var_diff, reference, n_total, opts)?;
    let relative = if let Err(why) = check_relative_base(a.post_mean) {
        Err(why)
    } else {
        let base = a.post_mean;
        let var = relative_variance(base, va / a.n, b.post_mean, vb / b.n);
        relative_effect((mb - ma) / base, var, reference, n_total, opts)
    };
    let comparison = Comparison {
        test: if opts.sequential {
            opts.sequential_test()
        } else {
            TestKind::Welch
        },
        alpha: opts.alpha,
        control: ArmSummary {
            n: control.n(),
            mean: ma,
        },
        treatment: ArmSummary {
            n: treatment.n(),
            mean: mb,
        },
        absolute,
        relative,
        p_value: absolute.p_value,
        degrees_of_freedom: (!opts.sequential).then_some(df),
    };
    Ok(CupedComparison {
        comparison,
        theta,
        variance_reduction,
        applied: true,
    })
}
