//! Money under the posterior: the NPV of rolling out, what each choice is
//! expected to lose, and what more data is worth.
//!
//! The ROI model makes the NPV linear in the true lifts,
//! `NPV = a + sum_m b_m * lift_m` ([`crate::roi::LinearNpv`]); the lifts'
//! posteriors are normal mixtures ([`super::mixture`]), so the NPV's
//! posterior is a normal mixture and every figure here is a closed-form sum,
//! except the value of more data with two or more benefit metrics, which is
//! a seeded Monte Carlo (see [`value_of_more_data`]).

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::joint::{self, JointEvidence};
use super::mixture::NormalMixture;
use super::preposterior::{crossing, value_beyond};

/// What is known about the lifts an arm's NPV is linear in.
#[derive(Debug, Clone, PartialEq)]
pub enum NpvModel {
    /// Each benefit metric's lift learned from its own estimate, the lifts
    /// independent.
    Independent(Vec<LiftEvidence>),
    /// The lifts learned jointly with the primary metric
    /// ([`super::joint`]): `npv_per_unit[i]` is the NPV per unit of
    /// coordinate `i`'s lift (0 for a metric that carries no money).
    Joint {
        /// Estimates, sampling covariance and prior of every coordinate.
        evidence: JointEvidence,
        /// NPV per unit of each coordinate's absolute lift.
        npv_per_unit: Vec<f64>,
    },
}

impl NpvModel {
    /// The NPV's posterior, `at_zero_effect` plus the lifts' part.
    pub fn distribution(&self, at_zero_effect: f64) -> NormalMixture {
        match self {
            NpvModel::Independent(lifts) => npv_distribution(at_zero_effect, lifts),
            NpvModel::Joint {
                evidence,
                npv_per_unit,
            } => evidence.linear(at_zero_effect, npv_per_unit),
        }
    }

    /// What `more_data_ratio` times the data so far is worth (see
    /// [`value_of_more_data`] and [`joint::value_of_more_data`]).
    pub fn value_of_more_data(
        &self,
        at_zero_effect: f64,
        more_data_ratio: f64,
        alternative: f64,
        seed: u64,
    ) -> f64 {
        match self {
            NpvModel::Independent(lifts) => {
                value_of_more_data(at_zero_effect, lifts, more_data_ratio, alternative, seed)
            }
            NpvModel::Joint {
                evidence,
                npv_per_unit,
            } => joint::value_of_more_data(
                evidence,
                at_zero_effect,
                npv_per_unit,
                more_data_ratio,
                alternative,
                seed,
            ),
        }
    }
}

/// One benefit metric's lift: its prior and what the data say.
#[derive(Debug, Clone, PartialEq)]
pub struct LiftEvidence {
    /// NPV per unit of absolute lift (`b_m`).
    pub npv_per_unit: f64,
    /// Prior of the absolute lift; `None`: no prior (data alone).
    pub prior: Option<NormalMixture>,
    /// Estimated lift (treatment minus control).
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
}

impl LiftEvidence {
    /// The posterior of the lift.
    pub fn posterior(&self) -> NormalMixture {
        posterior_of(self.prior.as_ref(), self.estimate, self.std_error)
    }
}

fn posterior_of(prior: Option<&NormalMixture>, estimate: f64, std_error: f64) -> NormalMixture {
    match prior {
        Some(p) => p.posterior(estimate, std_error),
        None => NormalMixture::normal(estimate, std_error),
    }
}

/// The money figures of rolling one arm out.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MoneyOutlook {
    /// Expected NPV of rolling out (stopping is worth 0).
    pub expected_npv: f64,
    /// 5th percentile of the NPV.
    pub npv_p05: f64,
    /// 95th percentile of the NPV.
    pub npv_p95: f64,
    /// Chance that rolling out earns money (NPV > 0).
    pub probability_positive: f64,
    /// `E[max(-NPV, 0)]`: money expected to be lost by rolling out.
    pub expected_loss_rollout: f64,
    /// `E[max(NPV, 0)]`: money expected to be forgone by stopping.
    pub expected_loss_stop: f64,
}

/// The NPV's posterior: `a + sum_m b_m * lift_m` with independent lifts.
pub fn npv_distribution(at_zero_effect: f64, lifts: &[LiftEvidence]) -> NormalMixture {
    lifts
        .iter()
        .fold(NormalMixture::normal(at_zero_effect, 0.0), |acc, lift| {
            acc.convolve(&lift.posterior().affine(0.0, lift.npv_per_unit))
        })
}

/// The money figures of an NPV distribution.
pub fn outlook(npv: &NormalMixture) -> MoneyOutlook {
    let spread = npv.sd() > 0.0;
    MoneyOutlook {
        expected_npv: npv.mean(),
        npv_p05: if spread {
            npv.quantile(0.05)
        } else {
            npv.mean()
        },
        npv_p95: if spread {
            npv.quantile(0.95)
        } else {
            npv.mean()
        },
        probability_positive: npv.sf(0.0),
        expected_loss_rollout: npv.negative_part(),
        expected_loss_stop: npv.positive_part(),
    }
}

/// Draws for the value of more data with several benefit metrics.
const MONTE_CARLO_DRAWS: usize = 20_000;

/// The expected value of sample information: what collecting
/// `more_data_ratio` times the data so far (same design, so every standard
/// error shrinks by `sqrt(1 + ratio)`) is worth before deciding between
/// rolling out and the best alternative, worth `alternative` (0 for
/// stopping; another arm's expected NPV with several arms).
///
/// `E[max(E[NPV | all data], alternative)] - max(E[NPV], alternative)`,
/// never negative. With one benefit metric it is exact: the posterior mean
/// after the new data is increasing in the new estimate, so the decision
/// switches at one breakpoint `c`, and by the tower property
/// `E[(NPV - alt) 1{new estimate beyond c}]` is a sum of normal partial
/// expectations. With several metrics it is a seeded Monte Carlo over the
/// preposterior (20,000 draws).
pub fn value_of_more_data(
    at_zero_effect: f64,
    lifts: &[LiftEvidence],
    more_data_ratio: f64,
    alternative: f64,
    seed: u64,
) -> f64 {
    if more_data_ratio.is_nan() || more_data_ratio <= 0.0 || lifts.is_empty() {
        return 0.0;
    }
    let now = npv_distribution(at_zero_effect, lifts)
        .mean()
        .max(alternative);
    let later = match lifts {
        [single] => single_metric_later(at_zero_effect - alternative, single, more_data_ratio)
            .map(|v| v + alternative),
        _ => Some(monte_carlo_later(
            at_zero_effect,
            lifts,
            more_data_ratio,
            alternative,
            seed,
        )),
    };
    later.map_or(0.0, |later| (later - now).max(0.0))
}

/// `E[max(a + b E[lift | all data], 0)]` for one metric, or `None` when the
/// decision cannot switch (no breakpoint: the data cannot change the choice).
fn single_metric_later(a: f64, lift: &LiftEvidence, ratio: f64) -> Option<f64> {
    let b = lift.npv_per_unit;
    let se = lift.std_error;
    if b == 0.0 || se.is_nan() || se <= 0.0 {
        return None;
    }
    // The new data alone: estimate ~ N(lift, se^2 / ratio).
    let new_se = se / ratio.sqrt();
    let all_se = se / (1.0 + ratio).sqrt();
    let current = lift.posterior();
    // The lift's posterior mean once the new estimate y is in; rolling out
    // is then better exactly when it is beyond -a / b.
    let after = |y: f64| {
        let combined = (lift.estimate + ratio * y) / (1.0 + ratio);
        posterior_of(lift.prior.as_ref(), combined, all_se).mean()
    };
    let c = crossing(&after, -a / b, current.sd().max(new_se))?;
    Some(value_beyond(&current, new_se, a, b, c).max(0.0))
}

/// `E[max(E[NPV | all data], alternative)]` by Monte Carlo: draw the true
/// lifts from the posterior, the new estimates given them, and update.
/// Antithetic pairs of normal draws halve the variance for smooth parts.
fn monte_carlo_later(
    at_zero_effect: f64,
    lifts: &[LiftEvidence],
    ratio: f64,
    alternative: f64,
    seed: u64,
) -> f64 {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let posteriors: Vec<NormalMixture> = lifts.iter().map(LiftEvidence::posterior).collect();
    let mut total = 0.0;
    for _ in 0..MONTE_CARLO_DRAWS / 2 {
        let draws: Vec<(f64, f64, f64)> = posteriors
            .iter()
            .map(|p| {
                let u = unit_uniform(&mut rng);
                let chosen = p.components()[pick(p.components().iter().map(|k| k.weight), u)];
                (chosen.mean, chosen.sd, standard_normal(&mut rng))
            })
            .collect();
        let noise: Vec<f64> = lifts.iter().map(|_| standard_normal(&mut rng)).collect();
        for sign in [1.0, -1.0] {
            let mut npv = at_zero_effect;
            for ((lift, &(mean, sd, z)), e) in lifts.iter().zip(&draws).zip(&noise) {
                let truth = mean + sign * sd * z;
                let new_estimate = truth + sign * e * lift.std_error / ratio.sqrt();
                let combined = (lift.estimate + ratio * new_estimate) / (1.0 + ratio);
                let all_se = lift.std_error / (1.0 + ratio).sqrt();
                npv +=
                    lift.npv_per_unit * posterior_of(lift.prior.as_ref(), combined, all_se).mean();
            }
            total += npv.max(alternative);
        }
    }
    total / (2 * (MONTE_CARLO_DRAWS / 2)) as f64
}

/// The index of the component a uniform draw `u` falls in, by cumulative
/// weight; the last one when rounding leaves the weights' sum below `u`.
pub(crate) fn pick(weights: impl ExactSizeIterator<Item = f64>, u: f64) -> usize {
    let last = weights.len().saturating_sub(1);
    let mut cumulative = 0.0;
    for (i, w) in weights.enumerate() {
        cumulative += w;
        if u < cumulative {
            return i;
        }
    }
    last
}

/// Uniform on [0, 1) from the top 53 bits.
pub(crate) fn unit_uniform(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A standard normal draw (Box-Muller; one of the pair is enough here).
pub(crate) fn standard_normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u1 = 1.0 - unit_uniform(rng);
    let u2 = unit_uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::mixture::Component;
    use crate::stats::dist::{normal_cdf, normal_pdf};

    #[test]
    fn flat_prior_value_of_more_data_is_the_normal_formula() {
        // No prior: E[NPV | all] ~ N(mu, (b se)^2 r / (1 + r)).
        let lift = LiftEvidence {
            npv_per_unit: 1000.0,
            prior: None,
            estimate: 0.5,
            std_error: 1.0,
        };
        let r = 3.0;
        let got = value_of_more_data(-200.0, &[lift], r, 0.0, 1);
        let mu: f64 = -200.0 + 500.0;
        let s = 1000.0 * (r / (1.0 + r)).sqrt();
        let expected = mu * normal_cdf(mu / s) + s * normal_pdf(mu / s) - mu.max(0.0);
        assert!(
            (got - expected).abs() < 1e-9 * expected,
            "{got} vs {expected}"
        );
    }

    #[test]
    fn monte_carlo_agrees_with_the_exact_single_metric_value() {
        // Two metrics where the second carries no money reduce to one.
        let prior = NormalMixture::new(vec![
            Component {
                weight: 0.6,
                mean: 0.0,
                sd: 0.03,
            },
            Component {
                weight: 0.4,
                mean: 0.0,
                sd: 0.3,
            },
        ]);
        let lift = LiftEvidence {
            npv_per_unit: 10_000.0,
            prior: prior.clone(),
            estimate: 0.08,
            std_error: 0.06,
        };
        let exact = value_of_more_data(-400.0, std::slice::from_ref(&lift), 1.5, 0.0, 7);
        let idle = LiftEvidence {
            npv_per_unit: 0.0,
            ..lift.clone()
        };
        let mc = value_of_more_data(-400.0, &[lift, idle], 1.5, 0.0, 7);
        assert!(exact > 0.0);
        assert!((mc - exact).abs() < 0.05 * exact, "mc {mc} exact {exact}");
    }

    #[test]
    fn no_switch_means_no_value() {
        // Costs so large that no plausible lift pays: more data cannot help.
        let lift = LiftEvidence {
            npv_per_unit: 1.0,
            prior: Some(NormalMixture::normal(0.0, 0.01)),
            estimate: 0.0,
            std_error: 0.01,
        };
        assert_eq!(value_of_more_data(-1e9, &[lift], 2.0, 0.0, 1), 0.0);
    }
}
