//! Two-sample comparison of means: Welch's t-test with the Welch-Satterthwaite
//! degrees of freedom and the delta-method relative lift.
//!
//! Absolute effect: B. L. Welch, "The generalization of Student's problem
//! when several different population variances are involved", Biometrika 34
//! (1947) 28-35; identical to R `t.test(var.equal = FALSE)` and
//! `scipy.stats.ttest_ind_from_stats(equal_var = FALSE)`.
//!
//! Relative lift (treatment / control - 1): delta method as in GrowthBook's
//! gbstats `TwoSidedTTest(difference_type = "relative")`,
//! var = s_t^2 / (m_c^2 n_t) + s_c^2 m_t^2 / (m_c^4 n_c), with the same
//! Welch-Satterthwaite df and t quantile as the absolute effect.

use super::dist;
use super::result::{Arm, ArmSummary, Comparison, Effect, NotComputable, Options, TestKind};
use super::sequential;
use super::summary::{MeanStats, Moments};

/// Reference distribution of an estimate divided by its standard error.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reference {
    /// Student t with the given df.
    T(f64),
    /// Standard normal.
    Normal,
}

/// Builds an [`Effect`] for `estimate` with variance `variance`: a t or
/// normal interval and two-sided p-value, or with `opts.sequential` the
/// always-valid interval and p-value after `n_total` customers.
pub(crate) fn effect(
    estimate: f64,
    variance: f64,
    reference: Reference,
    n_total: f64,
    opts: &Options,
) -> Result<Effect, NotComputable> {
    if !(variance > 0.0) || !variance.is_finite() || !estimate.is_finite() {
        return Err(NotComputable::NoVariation);
    }
    let se = variance.sqrt();
    let (half, p) = if opts.sequential {
        (
            sequential::half_width(variance, n_total, opts.alpha, opts.tuning),
            sequential::p_value(estimate, variance, n_total, opts.alpha, opts.tuning),
        )
    } else {
        let z = estimate / se;
        match reference {
            Reference::T(df) => (
                dist::t_isf(opts.alpha / 2.0, df) * se,
                dist::t_two_sided_p(z, df),
            ),
            Reference::Normal => (
                dist::normal_isf(opts.alpha / 2.0) * se,
                dist::normal_two_sided_p(z),
            ),
        }
    };
    Ok(Effect {
        estimate,
        ci_low: estimate - half,
        ci_high: estimate + half,
        std_error: se,
        p_value: p,
    })
}

/// Welch-Satterthwaite degrees of freedom for per-customer variances `vc`,
/// `vt` and sizes `nc`, `nt`.
pub(crate) fn welch_df(vc: f64, nc: f64, vt: f64, nt: f64) -> f64 {
    let a = vc / nc;
    let b = vt / nt;
    (a + b) * (a + b) / (a * a / (nc - 1.0) + b * b / (nt - 1.0))
}

/// Both arms need at least two customers for a variance.
pub(crate) fn check_sizes(nc: u64, nt: u64) -> Result<(), NotComputable> {
    for (n, arm) in [(nc, Arm::Control), (nt, Arm::Treatment)] {
        match n {
            0 => return Err(NotComputable::EmptyArm(arm)),
            1 => return Err(NotComputable::SingleCustomer(arm)),
            _ => {}
        }
    }
    Ok(())
}

/// Delta-method variance of mean_t / base_c - 1 for uncorrelated arms
/// (gbstats `variance_of_ratios` with zero covariance).
pub(crate) fn relative_variance(
    base_c: f64,
    var_c_of_mean: f64,
    mean_t: f64,
    var_t_of_mean: f64,
) -> f64 {
    let b2 = base_c * base_c;
    var_t_of_mean / b2 + var_c_of_mean * mean_t * mean_t / (b2 * b2)
}

/// Compares two arms given their moments (n, mean, sample variance): Welch's
/// t-test for the difference and the delta-method relative lift (see the
/// module docs), or with `opts.sequential` the always-valid versions.
pub fn compare_moments(
    control: &Moments,
    treatment: &Moments,
    opts: &Options,
) -> Result<Comparison, NotComputable> {
    opts.validate()?;
    check_sizes(control.n, treatment.n)?;
    let (nc, nt) = (control.n as f64, treatment.n as f64);
    let (vc, vt) = (control.variance / nc, treatment.variance / nt);
    if !(vc + vt > 0.0) {
        return Err(NotComputable::NoVariation);
    }
    let df = welch_df(control.variance, nc, treatment.variance, nt);
    let reference = Reference::T(df);
    let n_total = nc + nt;
    let absolute = effect(
        treatment.mean - control.mean,
        vc + vt,
        reference,
        n_total,
        opts,
    )?;
    let relative = if control.mean == 0.0 {
        Err(NotComputable::ZeroControlMean)
    } else {
        effect(
            (treatment.mean - control.mean) / control.mean,
            relative_variance(control.mean, vc, treatment.mean, vt),
            reference,
            n_total,
            opts,
        )
    };
    Ok(Comparison {
        test: if opts.sequential {
            TestKind::Sequential
        } else {
            TestKind::Welch
        },
        alpha: opts.alpha,
        control: ArmSummary {
            n: control.n,
            mean: control.mean,
        },
        treatment: ArmSummary {
            n: treatment.n,
            mean: treatment.mean,
        },
        absolute,
        relative,
        p_value: absolute.p_value,
        degrees_of_freedom: (!opts.sequential).then_some(df),
    })
}

/// Compares a mean metric between arms ([`compare_moments`] on the arms'
/// sufficient statistics).
pub fn compare_means(
    control: &MeanStats,
    treatment: &MeanStats,
    opts: &Options,
) -> Result<Comparison, NotComputable> {
    opts.validate()?;
    let c = control.moments(Arm::Control)?;
    let t = treatment.moments(Arm::Treatment)?;
    compare_moments(&c, &t, opts)
}
