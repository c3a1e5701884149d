//! Noncentral t distribution function: Lenth's AS 243 (Appl. Statist. 38
//! (1989) 185-189) with the refinements of R's `pnt` (twin series of
//! Guenther 1978 and the Abramowitz & Stegun 26.7.10 normal approximation for
//! df > 4e5). statrs has no noncentral t. Absolute error of the series
//! is below 1e-12, which is what `power.t.test` relies on.

use super::incomplete::beta_reg_both;
use super::loader::stirlerr;
use super::normal;

/// ln(sqrt(pi)).
const LN_SQRT_PI: f64 = 0.572_364_942_924_700_1;
/// sqrt(2 / pi).
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;

/// ln Gamma(b) - ln Gamma(b + 1/2) without cancellation for large b.
fn ln_gamma_ratio_half(b: f64) -> f64 {
    stirlerr(b) - stirlerr(b + 0.5) - 0.5 * b.ln() - b * (0.5 / b).ln_1p() + 0.5
}

/// P(T <= t) for T noncentral t with `df` degrees of freedom and
/// noncentrality `ncp`.
pub(super) fn cdf(t: f64, df: f64, ncp: f64) -> f64 {
    if t.is_nan() || df.is_nan() || ncp.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if ncp == 0.0 {
        return super::student::sf(-t, df);
    }
    if t.is_infinite() {
        return if t < 0.0 { 0.0 } else { 1.0 };
    }
    let (negdel, tt, del) = if t >= 0.0 {
        (false, t, ncp)
    } else {
        if ncp > 40.0 {
            return 0.0;
        }
        (true, -t, -ncp)
    };
    let lower = |p: f64| if negdel { 1.0 - p } else { p };
    if df > 4e5 || del * del > 2.0 * std::f64::consts::LN_2 * 1021.0 {
        let s = 1.0 / (4.0 * df);
        let z = (tt * (1.0 - s) - del) / (1.0 + tt * tt * 2.0 * s).sqrt();
        let (lo, up) = normal::cdf_both(z);
        return if negdel { up } else { lo };
    }
    let x = t * t / (t * t + df);
    let mut tnc = 0.0;
    if x > 0.0 {
        let lambda = del * del;
        let mut p = 0.5 * (-0.5 * lambda).exp();
        if p == 0.0 {
            return 0.0;
        }
        let mut q = SQRT_2_OVER_PI * p * del;
        let mut s = 0.5 - p;
        if s < 1e-7 {
            s = -0.5 * (-0.5 * lambda).exp_m1();
        }
        let mut a = 0.5;
        let b = 0.5 * df;
        let one_minus_x = df / (t * t + df);
        let rxb = one_minus_x.powf(b);
        let albeta = LN_SQRT_PI + ln_gamma_ratio_half(b);
        let mut xodd = beta_reg_both(a, b, x, one_minus_x).0;
        let mut godd = 2.0 * rxb * (a * x.ln() - albeta).exp();
        let bx = b * x;
        let mut xeven = if bx < f64::EPSILON { bx } else { 1.0 - rxb };
        let mut geven = bx * rxb;
        tnc = p * xodd + q * xeven;
        for it in 1..=1000 {
            let it = f64::from(it);
            a += 1.0;
            xodd -= godd;
            xeven -= geven;
            godd *= x * (a + b - 1.0) / a;
            geven *= x * (a + b - 0.5) / (a + 0.5);
            p *= lambda / (2.0 * it);
            q *= lambda / (2.0 * it + 1.0);
            tnc += p * xodd + q * xeven;
            s -= p;
            if s < -1e-10 || (s <= 0.0 && it > 1.0) {
                break;
            }
            let errbd = 2.0 * s * (xodd - godd);
            if errbd.abs() < 1e-12 {
                break;
            }
        }
    }
    tnc += normal::cdf_both(-del).0;
    lower(tnc.min(1.0))
}
