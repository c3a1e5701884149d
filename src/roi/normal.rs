//! The exact distribution of the NPV under the model.
//!
//! The NPV is `F_H * x - P_H` with `x = sum_m k_m * lift_m`, and the lifts
//! are independent normals, so the NPV is exactly normal with
//! `mean = F_H * sum k_m * est_m - P_H` and `sd = F_H * sqrt(sum (k_m * se_m)^2)`.
//! These closed forms are reported next to the Monte Carlo and serve as its
//! test oracle.

use serde::Serialize;

use super::ExpectedLoss;
use crate::stats::dist::{normal_cdf, normal_pdf};

/// `z` such that `Phi(z) = 0.95` (so `Phi(-z) = 0.05`).
const Z_95: f64 = 1.644_853_626_951_472_2;

/// The NPV's exact normal distribution and what follows from it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NormalNpv {
    /// Mean NPV (equals the point-estimate NPV).
    pub mean: f64,
    /// Standard deviation of the NPV.
    pub sd: f64,
    /// 5th percentile, `mean - 1.645 sd`.
    pub p05: f64,
    /// Median, equal to the mean.
    pub p50: f64,
    /// 95th percentile, `mean + 1.645 sd`.
    pub p95: f64,
    /// `P(NPV > 0) = Phi(mean / sd)`; 1 or 0 when `sd` is 0.
    pub probability_positive: f64,
    /// `E[max(0, -NPV)]` and `E[max(0, NPV)]` by the normal partial
    /// expectation.
    pub expected_loss: ExpectedLoss,
}

impl NormalNpv {
    /// The summary of a `Normal(mean, sd)` NPV; `sd >= 0`.
    pub(super) fn new(mean: f64, sd: f64) -> Self {
        if sd > 0.0 {
            let z = mean / sd;
            let density = sd * normal_pdf(z);
            // Normal partial expectations:
            // E[max(0, X)]  =  mu * Phi(mu/s)  + s * phi(mu/s)
            // E[max(0, -X)] = -mu * Phi(-mu/s) + s * phi(mu/s)
            Self {
                mean,
                sd,
                p05: mean - Z_95 * sd,
                p50: mean,
                p95: mean + Z_95 * sd,
                probability_positive: normal_cdf(z),
                expected_loss: ExpectedLoss {
                    rollout: (-mean * normal_cdf(-z) + density).max(0.0),
                    stop: (mean * normal_cdf(z) + density).max(0.0),
                },
            }
        } else {
            // A point mass: "positive" is strict, like the Monte Carlo's.
            Self {
                mean,
                sd: 0.0,
                p05: mean,
                p50: mean,
                p95: mean,
                probability_positive: if mean > 0.0 { 1.0 } else { 0.0 },
                expected_loss: ExpectedLoss {
                    rollout: (-mean).max(0.0),
                    stop: mean.max(0.0),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The reference values are given to 15 significant digits.
    const TOL: f64 = 1e-14;

    #[test]
    fn cdf_matches_tabulated_values() {
        // Reference values: Phi(1) = 0.841344746068543,
        // Phi(-1.6448536269514722) = 0.05, Phi(-5) = 2.86651571879194e-7.
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.0) - 0.841_344_746_068_543).abs() < TOL);
        assert!((normal_cdf(-Z_95) - 0.05).abs() < TOL * 0.05);
        let tail = 2.866_515_718_791_94e-7;
        assert!((normal_cdf(-5.0) - tail).abs() < TOL * tail);
    }

    #[test]
    fn partial_expectations_match_hand_values() {
        // mean 0, sd 1: E[max(0, X)] = phi(0) = 0.398942280401433 both ways.
        let n = NormalNpv::new(0.0, 1.0);
        assert!((n.expected_loss.stop - 0.398_942_280_401_433).abs() < 1e-14);
        assert!((n.expected_loss.rollout - 0.398_942_280_401_433).abs() < 1e-14);
        assert!((n.probability_positive - 0.5).abs() < 1e-15);

        // mean 1, sd 1: E[max(0, X)] = Phi(1) + phi(1)
        //   = 0.841344746068543 + 0.241970724519143 = 1.083315470587686
        // E[max(0, -X)] = -Phi(-1) + phi(1)
        //   = -0.158655253931457 + 0.241970724519143 = 0.083315470587686
        let n = NormalNpv::new(1.0, 1.0);
        assert!((n.expected_loss.stop - 1.083_315_470_587_686).abs() < TOL);
        assert!((n.expected_loss.rollout - 0.083_315_470_587_686).abs() < TOL);
        // E[max(0,X)] - E[max(0,-X)] = E[X] (Phi(z) + Phi(-z) = 1).
        assert!((n.expected_loss.stop - n.expected_loss.rollout - 1.0).abs() < TOL);
    }

    #[test]
    fn scale_carries_through() {
        // Money scale: mean -2000, sd 1000 is the unit case (z = -2) times 1000.
        // Phi(-2) = 0.022750131948179, phi(2) = 0.053990966513188.
        let n = NormalNpv::new(-2000.0, 1000.0);
        assert!((n.probability_positive - 0.022_750_131_948_179).abs() < TOL);
        // rollout: 2000 * Phi(2) + 1000 * phi(2)
        //   = 2000 * 0.977249868051821 + 1000 * 0.053990966513188 = 2008.490702616830
        assert!((n.expected_loss.rollout - 2_008.490_702_616_83).abs() < 1e-6);
        // stop: -2000 * Phi(-2) + 1000 * phi(2) = -45.500263896358 + 53.990966513188 = 8.490702616830
        assert!((n.expected_loss.stop - 8.490_702_616_83).abs() < 1e-6);
        assert!((n.p05 - (-2000.0 - 1_644.853_626_951_47)).abs() < 1e-9);
    }

    #[test]
    fn point_mass_is_degenerate() {
        let n = NormalNpv::new(5.0, 0.0);
        assert_eq!(n.probability_positive, 1.0);
        assert_eq!(
            n.expected_loss,
            ExpectedLoss {
                rollout: 0.0,
                stop: 5.0
            }
        );
        let n = NormalNpv::new(0.0, 0.0);
        assert_eq!(n.probability_positive, 0.0);
    }
}
