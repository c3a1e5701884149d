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
//! Welch-Satterthwaite df and t quantile as the absolute effect. The
//! interval of a poorly determined ratio is built on the log of
//! treatment / control instead (see [`LOG_SCALE_ABOVE`]).

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
/// always-valid interval and p-value after `n_total` customers, or with a
/// group-sequential plan the repeated confidence interval
/// `estimate +/- c_k se` and the repeated p-value at the current look.
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
    let (half, p) = if opts.sequential
        && let Some(gs) = &opts.group_sequential
    {
        (gs.boundary() * se, gs.p_value(estimate / se))
    } else if opts.sequential {
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

/// Half-width, in units of treatment / control, above which the relative
/// interval is built on the log of treatment / control rather than as
/// gbstats' symmetric delta-method interval `lift +/- q se`:
/// `exp(ln(1 + lift) +/- q se / (1 + lift)) - 1`, with the p-value for
/// ln(1 + lift) = 0 (q: the t or normal quantile, or the confidence
/// sequence's multiplier; se: the delta-method standard error, which is
/// reported either way).
///
/// Why: se = (1 + lift) sqrt(cv_t^2 + cv_c^2), with cv the standard error of
/// an arm's mean over the mean, so gbstats' half-width is proportional to the
/// estimated ratio: a treatment mean that came out low (or a control mean
/// that came out high) gets an interval too short to reach the truth. Such
/// intervals miss the true lift, from below, far more often than alpha: at
/// a hundred customers per arm, or monitored from the first customers on
/// (the confidence sequence). The log of the ratio has standard
/// error sqrt(cv_t^2 + cv_c^2), without that factor, and an interval that is
/// asymmetric like the ratio's distribution. For a half-width a the two forms
/// differ at each end by about (1 + lift) a^2 / 2, about a tenth of the
/// half-width at the cut-off and less below it; there gbstats' form is kept,
/// and with it agreement with GrowthBook. The log scale needs
/// treatment / control > 0; otherwise the delta-method interval is reported.
pub const LOG_SCALE_ABOVE: f64 = 0.2;

/// The relative lift `lift` = treatment / control - 1 with delta-method
/// variance `variance`, as an [`Effect`]: see [`LOG_SCALE_ABOVE`] for which
/// interval.
pub(crate) fn relative_effect(
    lift: f64,
    variance: f64,
    reference: Reference,
    n_total: f64,
    opts: &Options,
) -> Result<Effect, NotComputable> {
    let delta = effect(lift, variance, reference, n_total, opts)?;
    let ratio = 1.0 + lift;
    if !(ratio > 0.0) {
        return Ok(delta);
    }
    let log_variance = variance / (ratio * ratio);
    let log = match effect(ratio.ln(), log_variance, reference, n_total, opts) {
        Ok(log)
            if log.ci_high - log.estimate > LOG_SCALE_ABOVE && log.ci_high.exp().is_finite() =>
        {
            log
        }
        _ => return Ok(delta),
    };
    Ok(Effect {
        estimate: lift,
        ci_low: log.ci_low.exp_m1(),
        ci_high: log.ci_high.exp_m1(),
        std_error: delta.std_error,
        p_value: log.p_value,
    })
}

/// A percent change needs a positive control average: at zero it is
/// undefined, and below zero (a margin, a net balance) dividing by it flips
/// the sign, so that an improvement from -3.12 to 2.47 would read as -179%.
pub(crate) fn check_relative_base(control_mean: f64) -> Result<(), NotComputable> {
    if control_mean == 0.0 {
        Err(NotComputable::ZeroControlMean)
    } else if control_mean < 0.0 || control_mean.is_nan() {
        Err(NotComputable::NegativeControlMean)
    } else {
        Ok(())
    }
}

/// The relative change (m_t - m_c) / m_c of two arm means whose estimates
/// have variances `var_c`, `var_t`, with the delta-method variance (see
/// [`relative_effect`] for the interval). Where that variance vanishes
/// although the difference has one (a treatment mean of exactly 0 with no
/// spread, change -100%: the delta method's treatment term is zero there
/// and its control term is multiplied by m_t = 0), the variance of the
/// difference over the control mean, (var_c + var_t) / m_c^2, is used
/// instead, which is what the delta method gives at m_t = m_c.
pub(crate) fn relative_change(
    mean_c: f64,
    var_c: f64,
    mean_t: f64,
    var_t: f64,
    reference: Reference,
    n_total: f64,
    opts: &Options,
) -> Result<Effect, NotComputable> {
    check_relative_base(mean_c)?;
    let mut variance = relative_variance(mean_c, var_c, mean_t, var_t);
    if !(variance > 0.0) && var_c + var_t > 0.0 {
        variance = (var_c + var_t) / (mean_c * mean_c);
    }
    relative_effect(
        (mean_t - mean_c) / mean_c,
        variance,
        reference,
        n_total,
        opts,
    )
}

/// Compares two arms given their moments (n, mean, sample variance): Welch's
/// t-test for the difference and the delta-method relative lift (see the
/// module docs; a poorly determined one on the log scale, see
/// [`LOG_SCALE_ABOVE`]), or with `opts.sequential` the always-valid versions.
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
        return Err(if control.mean == treatment.mean {
            NotComputable::NoVariation
        } else {
            NotComputable::NoSpreadWithinArms
        });
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
    let relative = relative_change(
        control.mean,
        vc,
        treatment.mean,
        vt,
        reference,
        n_total,
        opts,
    );
    Ok(Comparison {
        test: if opts.sequential {
            opts.sequential_test()
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
