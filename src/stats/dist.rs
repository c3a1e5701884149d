//! Distribution functions: the single entry point for every probability the
//! engine computes, and the only module that calls `statrs`.
//!
//! Where statrs 0.19 falls short we use our own implementations (submodules),
//! each checked against high-precision values in `tests/stats_dist.rs`:
//!
//! | need | statrs problem | used instead |
//! |---|---|---|
//! | normal cdf / tails | `Normal::cdf` has ~5e-11 relative error (erf constants), upper tail only as `1 - cdf` | Cody's ANORM on the normal scale ([`normal_sf`]) |
//! | normal quantile | via `erfc_inv`, no tail input | Wichura AS 241 ([`normal_isf`]) |
//! | t tails | `1 - cdf`, ln_gamma prefactor | incomplete beta with Loader prefactor ([`t_sf`]) |
//! | t quantile | `StudentsT::inverse_cdf` wrong at large df (1.8266 vs 1.95996 at df = 1e7) | Hill + safeguarded Newton ([`t_isf`]) |
//! | chi-square tail | `1 - cdf` | upper incomplete gamma ([`chi_squared_sf`]) |
//! | Beta quantile | `Beta::inverse_cdf` can panic or hang for tiny p | not needed: Bayesian probabilities are exact sums |
//! | Mann-Whitney | exact path slow and wrong for unequal groups | our asymptotic test from counts (`rank.rs`) |
//! | noncentral t | missing | AS 243 / R `pnt` ([`noncentral_t_cdf`]) |
//!
//! statrs is still used for `ln_gamma` at small arguments (Lanczos, about
//! 1e-15 absolute error), where it is accurate.
//!
//! Tail probabilities are always computed from the complementary function
//! (`*_sf`), never as `1 - cdf`, so p-values such as 1e-280 keep their
//! relative accuracy.

// Published coefficients (Cody, Wichura) and mpmath constants are kept with
// all their digits so that they can be compared with the sources.
#![allow(clippy::excessive_precision)]

mod incomplete;
mod loader;
mod noncentral_t;
mod normal;
mod student;

/// ln Gamma(x) for x > 0 (statrs' Lanczos approximation).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

/// Standard normal distribution function P(Z <= x) (Cody's ANORM).
pub fn normal_cdf(x: f64) -> f64 {
    normal::cdf_both(x).0
}

/// Standard normal upper tail P(Z > x), with full relative accuracy down to
/// about 1e-300 (Cody's ANORM).
pub fn normal_sf(x: f64) -> f64 {
    normal::cdf_both(x).1
}

/// Standard normal density.
pub fn normal_pdf(x: f64) -> f64 {
    normal::INV_SQRT_2PI * normal::half_gauss_exp(x)
}

/// Two-sided normal p-value 2 P(Z > |z|), at most 1.
pub fn normal_two_sided_p(z: f64) -> f64 {
    (2.0 * normal_sf(z.abs())).min(1.0)
}

/// The z with P(Z > z) = q (inverse survival function, AS 241). Pass the
/// tail probability itself (e.g. alpha / 2) so that small values stay exact.
pub fn normal_isf(q: f64) -> f64 {
    if q.is_nan() || !(0.0..=1.0).contains(&q) {
        return f64::NAN;
    }
    if q == 0.0 {
        return f64::INFINITY;
    }
    if q == 1.0 {
        return f64::NEG_INFINITY;
    }
    if q <= 0.5 {
        normal::upper_tail_quantile(q)
    } else {
        -normal::upper_tail_quantile(1.0 - q)
    }
}

/// The z with P(Z <= z) = p (AS 241).
pub fn normal_quantile(p: f64) -> f64 {
    -normal_isf(p)
}

/// Student t distribution function P(T <= t) for real df > 0.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    student::sf(-t, df)
}

/// Student t upper tail P(T > t), computed directly (no `1 - cdf`).
pub fn t_sf(t: f64, df: f64) -> f64 {
    student::sf(t, df)
}

/// Two-sided t p-value 2 P(T > |t|), at most 1.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    (2.0 * student::sf(t.abs(), df)).min(1.0)
}

/// Student t density.
pub fn t_pdf(t: f64, df: f64) -> f64 {
    student::pdf(t, df)
}

/// The t with P(T > t) = q (inverse survival function), exact to ~1e-15
/// relative for any df > 0, including df = 1e7 where statrs fails.
pub fn t_isf(q: f64, df: f64) -> f64 {
    student::isf(q, df)
}

/// The t with P(T <= t) = p.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    -student::isf(p, df)
}

/// Chi-square upper tail P(X > x) with `df` degrees of freedom.
pub fn chi_squared_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    incomplete::gamma_reg_both(0.5 * df, 0.5 * x).1
}

/// Regularized incomplete beta I_x(a, b) and its complement, given both
/// x and y = 1 - x (pass whichever is small computed without cancellation).
pub fn beta_reg_both(a: f64, b: f64, x: f64, y: f64) -> (f64, f64) {
    incomplete::beta_reg_both(a, b, x, y)
}

/// Natural log of the hypergeometric probability of `k` successes in `draws`
/// draws without replacement from `successes` successes and `failures`
/// failures (= R `dhyper(k, successes, failures, draws, log = TRUE)`), with
/// about 1e-14 relative accuracy for populations in the millions.
pub fn hypergeometric_ln_pmf(k: f64, successes: f64, failures: f64, draws: f64) -> f64 {
    loader::ln_dhyper(k, successes, failures, draws)
}

/// Noncentral t distribution function P(T <= t) (AS 243 / R `pnt`; absolute
/// error below 1e-12).
pub fn noncentral_t_cdf(t: f64, df: f64, ncp: f64) -> f64 {
    noncentral_t::cdf(t, df, ncp)
}

/// Noncentral t upper tail P(T > t) = 1 - [`noncentral_t_cdf`]; absolute
/// accuracy 1e-12, which is what power calculations need.
pub fn noncentral_t_sf(t: f64, df: f64, ncp: f64) -> f64 {
    1.0 - noncentral_t::cdf(t, df, ncp)
}
