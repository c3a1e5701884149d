//! Comparison of two conversion rates.
//!
//! * Difference of rates with the Newcombe hybrid score interval (R. G.
//!   Newcombe, "Interval estimation for the difference between independent
//!   proportions: comparison of eleven methods", Statistics in Medicine 17
//!   (1998) 873-890, method 10), built from Wilson score intervals;
//!   = statsmodels `confint_proportions_2indep(method = "newcomb")`.
//! * p-value from the pooled two-proportion z-test (= R
//!   `prop.test(correct = FALSE)`, statsmodels `proportions_ztest`), switched
//!   to Fisher's exact test (R `fisher.test`) when any expected cell count is
//!   below 5, where the normal approximation is poor (Cochran's rule).
//! * The Wald interval is available for comparison with other tools.
//! * Relative lift p_t / p_c - 1 with the delta-method variance on the
//!   binomial variances p (1 - p) and a normal quantile (large-sample); when
//!   it is poorly determined, on the log of p_t / p_c (Katz's log interval for
//!   a risk ratio; see [`welch::LOG_SCALE_ABOVE`](super::welch::LOG_SCALE_ABOVE)).
//! * With `Options::sequential`, GrowthBook's treatment of proportions as
//!   means with variance p (1 - p) inside the always-valid confidence
//!   sequence.

use super::dist;
use super::fisher::fisher_exact;
use super::result::{
    Arm, ArmSummary, Comparison, Effect, Interval, NotComputable, Options, TestKind,
};
use super::summary::BinaryStats;
use super::welch::{Reference, effect, relative_change};

/// Smallest expected cell count of the 2x2 table under independence.
pub fn min_expected_cell(control: &BinaryStats, treatment: &BinaryStats) -> f64 {
    let total = (control.n() + treatment.n()) as f64;
    let succ = (control.successes() + treatment.successes()) as f64;
    let fail = total - succ;
    let rows = [control.n() as f64, treatment.n() as f64];
    rows.iter()
        .flat_map(|r| [r * succ / total, r * fail / total])
        .fold(f64::INFINITY, f64::min)
}

/// Pooled two-proportion z statistic (treatment minus control) and its
/// two-sided p-value; undefined when the pooled rate is 0 or 1.
pub fn z_test_pooled(
    control: &BinaryStats,
    treatment: &BinaryStats,
) -> Result<(f64, f64), NotComputable> {
    let (pc, pt) = rates(control, treatment)?;
    let (nc, nt) = (control.n() as f64, treatment.n() as f64);
    let pooled = (control.successes() + treatment.successes()) as f64 / (nc + nt);
    let var = pooled * (1.0 - pooled) * (1.0 / nc + 1.0 / nt);
    if !(var > 0.0) {
        return Err(NotComputable::NoVariation);
    }
    let z = (pt - pc) / var.sqrt();
    Ok((z, dist::normal_two_sided_p(z)))
}

fn rates(control: &BinaryStats, treatment: &BinaryStats) -> Result<(f64, f64), NotComputable> {
    let pc = control
        .rate()
        .ok_or(NotComputable::EmptyArm(Arm::Control))?;
    let pt = treatment
        .rate()
        .ok_or(NotComputable::EmptyArm(Arm::Treatment))?;
    Ok((pc, pt))
}

/// Wilson score interval for one proportion (E. B. Wilson, JASA 22 (1927)),
/// with the lower limit written as x^2 / (n (n + z^2) (centre + half)) so it
/// does not cancel for small counts.
pub fn wilson_interval(successes: u64, n: u64, alpha: f64) -> Interval {
    wilson_with_multiplier(successes, n, dist::normal_isf(alpha / 2.0))
}

/// The Wilson score interval with multiplier `z` in place of the normal
/// quantile (for the sequential tests' wider multipliers).
fn wilson_with_multiplier(successes: u64, n: u64, z: f64) -> Interval {
    let (x, nf) = (successes as f64, n as f64);
    let z2 = z * z;
    let lower = |x: f64| {
        let centre = (x + z2 / 2.0) / (nf + z2);
        let half = z * (x * (nf - x) / nf + z2 / 4.0).sqrt() / (nf + z2);
        x * x / (nf * (nf + z2) * (centre + half))
    };
    Interval {
        estimate: x / nf,
        ci_low: lower(x).clamp(0.0, 1.0),
        ci_high: (1.0 - lower(nf - x)).clamp(0.0, 1.0),
    }
}

/// Newcombe's hybrid score interval (method 10) for p_t - p_c.
pub fn newcombe_interval(
    control: &BinaryStats,
    treatment: &BinaryStats,
    alpha: f64,
) -> Result<Interval, NotComputable> {
    newcombe_with_multiplier(control, treatment, dist::normal_isf(alpha / 2.0))
}

/// Newcombe's interval built from Wilson intervals with multiplier `z`.
fn newcombe_with_multiplier(
    control: &BinaryStats,
    treatment: &BinaryStats,
    z: f64,
) -> Result<Interval, NotComputable> {
    let (pc, pt) = rates(control, treatment)?;
    let wc = wilson_with_multiplier(control.successes(), control.n(), z);
    let wt = wilson_with_multiplier(treatment.successes(), treatment.n(), z);
    let d = pt - pc;
    Ok(Interval {
        estimate: d,
        ci_low: d - ((pt - wt.ci_low).powi(2) + (wc.ci_high - pc).powi(2)).sqrt(),
        ci_high: d + ((wt.ci_high - pt).powi(2) + (pc - wc.ci_low).powi(2)).sqrt(),
    })
}

/// Wald interval p_t - p_c +/- z sqrt(p_c q_c / n_c + p_t q_t / n_t).
pub fn wald_interval(
    control: &BinaryStats,
    treatment: &BinaryStats,
    alpha: f64,
) -> Result<Interval, NotComputable> {
    let (pc, pt) = rates(control, treatment)?;
    let se = unpooled_se(control, treatment, pc, pt);
    let half = dist::normal_isf(alpha / 2.0) * se;
    let d = pt - pc;
    Ok(Interval {
        estimate: d,
        ci_low: d - half,
        ci_high: d + half,
    })
}

/// The sequential interval of a difference of rates as Newcombe's score
/// interval with the sequential test's multiplier (half-width over standard
/// error: the confidence sequence's or the group-sequential boundary's)
/// instead of the normal band `estimate +/- multiplier se`. Why: at a few
/// customers per arm the band is symmetric and runs far beyond +/-1 (2 per
/// arm: -1,040 to +1,140 points), while the score interval stays inside the
/// possible range, leans away from a rate near 0 or 1 as the data do, and
/// approaches the band as the arms grow (the two agree to first order). Used
/// where the normal approximation is poor, when an expected cell count is
/// below 5 (Cochran's rule, the one that switches the fixed-horizon p-value
/// to Fisher's test); above it the band is kept, and with it agreement with
/// GrowthBook (with a large multiplier the score interval is also wider:
/// 12% at the first of ten looks with 10 conversions per arm). The p-value
/// stays the sequential test's.
fn score_interval(
    control: &BinaryStats,
    treatment: &BinaryStats,
    band: Effect,
) -> Result<Effect, NotComputable> {
    let multiplier = (band.ci_high - band.estimate) / band.std_error;
    let score = newcombe_with_multiplier(control, treatment, multiplier)?;
    Ok(Effect {
        ci_low: score.ci_low,
        ci_high: score.ci_high,
        ..band
    })
}

/// Variance of an arm's observed rate: p (1 - p) / n, except at a rate of
/// exactly 0 or 1, where that is zero although a rate measured on n
/// customers is uncertain (0 of 50 is compatible with a true 5%). There the
/// Agresti-Caffo adjustment is used, p~ (1 - p~) / (n + 2) with
/// p~ = (x + 1) / (n + 2) (A. Agresti and B. Caffo, "Simple and effective
/// confidence intervals for proportions and differences of proportions
/// result from adding two successes and two failures", The American
/// Statistician 54 (2000) 280-288). Why: with the plain formula, perfect
/// separation (0 of 50 against 50 of 50) had no variance at all and read as
/// "no variation", and a treatment rate of 0 gave no relative change.
/// Rates strictly between 0 and 1 keep the plain formula, and with it
/// agreement with GrowthBook.
fn rate_variance(stats: &BinaryStats) -> f64 {
    let (x, n) = (stats.successes() as f64, stats.n() as f64);
    if x == 0.0 || x == n {
        let adjusted = (x + 1.0) / (n + 2.0);
        adjusted * (1.0 - adjusted) / (n + 2.0)
    } else {
        let p = x / n;
        p * (1.0 - p) / n
    }
}

fn unpooled_se(control: &BinaryStats, treatment: &BinaryStats, pc: f64, pt: f64) -> f64 {
    (pc * (1.0 - pc) / control.n() as f64 + pt * (1.0 - pt) / treatment.n() as f64).sqrt()
}

/// Compares conversion rates (see the module docs for the methods). The
/// result's `test` says whether the z-test, Fisher's exact test or the
/// sequential test produced the p-value.
pub fn compare_proportions(
    control: &BinaryStats,
    treatment: &BinaryStats,
    opts: &Options,
) -> Result<Comparison, NotComputable> {
    opts.validate()?;
    let (pc, pt) = rates(control, treatment)?;
    if opts.sequential && pc == pt && (pc == 0.0 || pc == 1.0) {
        // Nobody (or everybody) converted in either arm: the confidence
        // sequence has nothing to go on (the fixed-horizon comparison still
        // gives Fisher's p = 1 and Newcombe's interval around zero).
        return Err(NotComputable::NoVariation);
    }
    let (nc, nt) = (control.n() as f64, treatment.n() as f64);
    let (vc, vt) = (rate_variance(control), rate_variance(treatment));
    let n_total = nc + nt;
    let diff = pt - pc;
    let (test, absolute) = if opts.sequential {
        let band = effect(diff, vc + vt, Reference::Normal, n_total, opts)?;
        let absolute = if min_expected_cell(control, treatment) < 5.0 {
            score_interval(control, treatment, band)?
        } else {
            band
        };
        (opts.sequential_test(), absolute)
    } else {
        let (test, p_value) = if min_expected_cell(control, treatment) < 5.0 {
            (TestKind::FisherExact, fisher_exact(control, treatment))
        } else {
            (TestKind::PooledZ, z_test_pooled(control, treatment)?.1)
        };
        let ci = newcombe_interval(control, treatment, opts.alpha)?;
        let absolute = Effect {
            estimate: diff,
            ci_low: ci.ci_low,
            ci_high: ci.ci_high,
            std_error: (vc + vt).sqrt(),
            p_value,
        };
        (test, absolute)
    };
    let relative = relative_change(pc, vc, pt, vt, Reference::Normal, n_total, opts);
    Ok(Comparison {
        test,
        alpha: opts.alpha,
        control: ArmSummary {
            n: control.n(),
            mean: pc,
        },
        treatment: ArmSummary {
            n: treatment.n(),
            mean: pt,
        },
        absolute,
        relative,
        p_value: absolute.p_value,
        degrees_of_freedom: None,
    })
}
