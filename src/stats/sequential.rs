//! Always-valid inference: the asymptotic confidence sequence of
//! I. Waudby-Smith, D. Arbour, R. Sinha, E. H. Kennedy and A. Ramdas,
//! "Time-uniform central limit theory and asymptotic confidence sequences"
//! (Annals of Statistics, 2024; arXiv:2103.06476v7, eq. 9 for the interval,
//! eq. 155 for the e-value p-value, eq. 161 for the mixing parameter), in the
//! parameterization of GrowthBook's gbstats `SequentialTwoSidedTTest`.
//!
//! With N customers in total, an estimate with variance V (so that
//! s^2 = V N is the per-customer variance) and
//! rho^2 = (-2 ln alpha + ln(1 - 2 ln alpha)) / N*, the interval is
//! estimate +/- sqrt(s^2) sqrt(2 (N rho^2 + 1) ln(sqrt(N rho^2 + 1) / alpha) / (N rho)^2)
//! and the p-value is min(1, sqrt(N rho^2 + 1) exp(-rho^2 N (estimate^2 / V) / (2 (N rho^2 + 1)))),
//! with V = s^2 / N the variance of the estimate (not the per-customer s^2).
//! The interval is narrowest when N is near the tuning size N*. Both stay
//! valid however often the experiment is looked at.

/// Squared mixing parameter rho^2 for level `alpha` and tuning size `tuning`.
fn rho_squared(alpha: f64, tuning: f64) -> f64 {
    let l = -2.0 * alpha.ln();
    (l + (1.0 + l).ln()) / tuning
}

/// Half-width of the confidence sequence for an estimate with variance
/// `variance` after `n_total` customers.
pub fn half_width(variance: f64, n_total: f64, alpha: f64, tuning: f64) -> f64 {
    let r2 = rho_squared(alpha, tuning);
    let s2 = variance * n_total;
    let nr2p1 = n_total * r2 + 1.0;
    let width2 = 2.0 * nr2p1 * (nr2p1.sqrt() / alpha).ln() / (n_total * n_total * r2);
    (s2 * width2).sqrt()
}

/// Always-valid p-value 1 / e-value (eq. 155), capped at 1, computed on the
/// log scale so that it underflows gracefully instead of overflowing.
pub fn p_value(estimate: f64, variance: f64, n_total: f64, alpha: f64, tuning: f64) -> f64 {
    let r2 = rho_squared(alpha, tuning);
    let nr2p1 = n_total * r2 + 1.0;
    // estimate^2 N / s^2 with s^2 = variance * N.
    let st2 = estimate * estimate / variance;
    let ln_p = 0.5 * nr2p1.ln() - r2 * n_total * st2 / (2.0 * nr2p1);
    ln_p.min(0.0).exp()
}
