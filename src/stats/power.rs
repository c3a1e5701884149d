//! Sample size and minimum detectable effect for two-sided tests.
//!
//! Allocation: `ratio` k = n_treatment / n_control (1 = equal arms); results
//! give both arm sizes. With k = 1 the formulas are exactly those of R
//! (`strict = FALSE`, i.e. ignoring the far rejection tail):
//!
//! * Binary (R `power.prop.test`, normal approximation):
//!   power = Phi((|p_t - p_c| sqrt(n_c) - z_{a/2} sqrt(pbar qbar (1 + 1/k)))
//!   / sqrt(p_c q_c + p_t q_t / k)), pbar = (p_c + k p_t) / (1 + k),
//!   solved for n_c in closed form.
//! * Mean (R `power.t.test`, pooled two-sample t with common sd):
//!   df = n_c (1 + k) - 2, ncp = delta sqrt(n_c) / (sd sqrt(1 + 1/k)),
//!   power = P(T'(df, ncp) > t_{1 - a/2, df}) with the noncentral t
//!   (Lenth, AS 243), solved for n_c by bracketing and bisection/secant to
//!   1e-10 relative (R's `uniroot` stops at an absolute 1.2e-4).
//!
//! The minimum detectable effect inverts the same power functions for the
//! effect at a given n_c.

use super::dist;
use super::result::NotComputable;
use serde::Serialize;

/// Error rates and allocation of a planned experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Design {
    /// Two-sided significance level. Default 0.05.
    pub alpha: f64,
    /// Desired probability of detecting the effect. Default 0.8.
    pub power: f64,
    /// n_treatment / n_control. Default 1.
    pub ratio: f64,
}

impl Default for Design {
    fn default() -> Self {
        Design {
            alpha: 0.05,
            power: 0.8,
            ratio: 1.0,
        }
    }
}

impl Design {
    fn validate(&self) -> Result<(), NotComputable> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(NotComputable::InvalidInput(
                "the significance level alpha must be between 0 and 1",
            ));
        }
        if !(self.power > 0.0 && self.power < 1.0) {
            return Err(NotComputable::InvalidInput(
                "the power must be between 0 and 1",
            ));
        }
        if !(self.ratio > 0.0 && self.ratio.is_finite()) {
            return Err(NotComputable::InvalidInput(
                "the allocation ratio must be a positive number",
            ));
        }
        Ok(())
    }
}

/// Customers needed per arm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SampleSize {
    /// Control arm size before rounding (what R reports as `n`).
    pub control_exact: f64,
    /// Control arm size, rounded up.
    pub control: u64,
    /// Treatment arm size, rounded up.
    pub treatment: u64,
}

fn sample_size(control_exact: f64, ratio: f64) -> SampleSize {
    SampleSize {
        control_exact,
        control: control_exact.ceil() as u64,
        treatment: (control_exact * ratio).ceil() as u64,
    }
}

fn check_rate(p: f64) -> Result<(), NotComputable> {
    if p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(NotComputable::InvalidInput(
            "conversion rates must be strictly between 0 and 1",
        ))
    }
}

/// Power of the two-proportion test with `n_control` control customers.
pub fn power_proportions(p_control: f64, p_treatment: f64, n_control: f64, design: &Design) -> f64 {
    let k = design.ratio;
    let (pc, pt) = (p_control, p_treatment);
    let pbar = (pc + k * pt) / (1.0 + k);
    let za = dist::normal_isf(design.alpha / 2.0);
    let num =
        (pt - pc).abs() * n_control.sqrt() - za * (pbar * (1.0 - pbar) * (1.0 + 1.0 / k)).sqrt();
    dist::normal_cdf(num / (pc * (1.0 - pc) + pt * (1.0 - pt) / k).sqrt())
}

/// Customers per arm to detect a change of conversion rate from `p_control`
/// to `p_treatment` (= R `power.prop.test` for ratio 1).
pub fn sample_size_proportions(
    p_control: f64,
    p_treatment: f64,
    design: &Design,
) -> Result<SampleSize, NotComputable> {
    design.validate()?;
    check_rate(p_control)?;
    check_rate(p_treatment)?;
    if p_control == p_treatment {
        return Err(NotComputable::NoEffect);
    }
    let k = design.ratio;
    let (pc, pt) = (p_control, p_treatment);
    let pbar = (pc + k * pt) / (1.0 + k);
    let za = dist::normal_isf(design.alpha / 2.0);
    let zb = dist::normal_isf(1.0 - design.power);
    let root = (za * (pbar * (1.0 - pbar) * (1.0 + 1.0 / k)).sqrt()
        + zb * (pc * (1.0 - pc) + pt * (1.0 - pt) / k).sqrt())
        / (pt - pc).abs();
    Ok(sample_size(root * root, k))
}

/// Power of the two-sample t-test for a difference `delta` with common
/// standard deviation `sd` and `n_control` control customers.
pub fn power_means(delta: f64, sd: f64, n_control: f64, design: &Design) -> f64 {
    let k = design.ratio;
    let df = n_control * (1.0 + k) - 2.0;
    if !(df > 0.0) {
        return 0.0;
    }
    let ncp = delta.abs() * n_control.sqrt() / (sd * (1.0 + 1.0 / k).sqrt());
    dist::noncentral_t_sf(dist::t_isf(design.alpha / 2.0, df), df, ncp)
}

/// Solves increasing `f(x) = target` on `[lo, hi]` (f(lo) < target <= f(hi))
/// by bisection refined with secant steps, to relative tolerance `tol`.
fn solve_increasing<F: Fn(f64) -> f64>(
    f: F,
    target: f64,
    mut lo: f64,
    mut hi: f64,
    tol: f64,
) -> f64 {
    let (mut flo, mut fhi) = (f(lo) - target, f(hi) - target);
    for _ in 0..200 {
        let secant = lo - flo * (hi - lo) / (fhi - flo);
        let mid = 0.5 * (lo + hi);
        // Use the secant point unless it is too close to an end.
        let x = if secant.is_finite()
            && secant > lo + 0.01 * (hi - lo)
            && secant < hi - 0.01 * (hi - lo)
        {
            secant
        } else {
            mid
        };
        let fx = f(x) - target;
        if fx < 0.0 {
            lo = x;
            flo = fx;
        } else {
            hi = x;
            fhi = fx;
        }
        if hi - lo <= tol * hi.abs() {
            break;
        }
    }
    if flo.abs() < fhi.abs() { lo } else { hi }
}

/// Customers per arm to detect a difference in means `delta` with common
/// standard deviation `sd` (= R `power.t.test` for ratio 1).
pub fn sample_size_means(
    delta: f64,
    sd: f64,
    design: &Design,
) -> Result<SampleSize, NotComputable> {
    design.validate()?;
    if !(sd > 0.0 && sd.is_finite() && delta.is_finite()) {
        return Err(NotComputable::InvalidInput(
            "the standard deviation must be a positive number",
        ));
    }
    if delta == 0.0 {
        return Err(NotComputable::NoEffect);
    }
    let k = design.ratio;
    let power = |n: f64| power_means(delta, sd, n, design);
    // The normal approximation is a lower bound; grow until power is reached.
    let z = dist::normal_isf(design.alpha / 2.0) + dist::normal_isf(1.0 - design.power);
    let n_normal = (z * sd / delta).powi(2) * (1.0 + 1.0 / k);
    let lo = (2.0 / (1.0 + k)) * (1.0 + 1e-9);
    let mut hi = n_normal.max(lo) * 1.1 + 2.0;
    while power(hi) < design.power {
        hi *= 2.0;
    }
    Ok(sample_size(
        solve_increasing(power, design.power, lo, hi, 1e-12),
        k,
    ))
}

/// Minimum detectable increase of a conversion rate from `p_control` with
/// `n_control` control customers: the p_t - p_c at which the test reaches
/// the design power.
pub fn mde_proportions(
    p_control: f64,
    n_control: f64,
    design: &Design,
) -> Result<f64, NotComputable> {
    design.validate()?;
    check_rate(p_control)?;
    if !(n_control > 0.0) {
        return Err(NotComputable::EmptyArm(super::result::Arm::Control));
    }
    let power = |pt: f64| power_proportions(p_control, pt, n_control, design);
    let hi = 1.0 - 1e-12;
    if power(hi) < design.power {
        return Err(NotComputable::Unreachable);
    }
    let pt = solve_increasing(power, design.power, p_control, hi, 1e-13);
    Ok(pt - p_control)
}

/// Minimum detectable difference in means with common standard deviation
/// `sd` and `n_control` control customers.
pub fn mde_means(sd: f64, n_control: f64, design: &Design) -> Result<f64, NotComputable> {
    design.validate()?;
    if !(sd > 0.0 && sd.is_finite()) {
        return Err(NotComputable::InvalidInput(
            "the standard deviation must be a positive number",
        ));
    }
    if !(n_control * (1.0 + design.ratio) > 2.0) {
        return Err(NotComputable::Unreachable);
    }
    let power = |d: f64| power_means(d, sd, n_control, design);
    let z = dist::normal_isf(design.alpha / 2.0) + dist::normal_isf(1.0 - design.power);
    let mut hi = z * sd * ((1.0 + 1.0 / design.ratio) / n_control).sqrt() * 1.5;
    while power(hi) < design.power {
        hi *= 2.0;
        if !hi.is_finite() {
            return Err(NotComputable::Unreachable);
        }
    }
    Ok(solve_increasing(power, design.power, 0.0, hi, 1e-13))
}
