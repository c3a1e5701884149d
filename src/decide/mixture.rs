//! Finite mixtures of normal distributions: the one family the decision
//! model needs.
//!
//! A scale mixture of normals is heavy-tailed yet stays closed under the two
//! operations a decision takes: updating on a normal likelihood (the
//! posterior of a mixture prior is a mixture) and linear maps (an NPV that is
//! linear in the effects is a mixture). Every expectation a decision reads,
//! `P(X > 0)`, `E[max(X, 0)]`, `E[max(-X, 0)]`, is a closed-form sum over the
//! components, so a single-component mixture reproduces the normal-normal
//! formulas exactly (checked against `decision_normal.json`).

use crate::stats::dist::{normal_cdf, normal_pdf, normal_sf};

/// One normal component: weight, mean and standard deviation.
///
/// A standard deviation of 0 is a point mass at `mean`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Component {
    /// Probability of this component; the weights of a mixture sum to 1.
    pub weight: f64,
    /// Mean.
    pub mean: f64,
    /// Standard deviation, `>= 0`.
    pub sd: f64,
}

/// A finite mixture of normal distributions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NormalMixture {
    components: Vec<Component>,
}

/// The most components a convolution keeps before merging the lightest.
///
/// Sums of several mixtures multiply their component counts; beyond this
/// many the lightest components (total weight far below any printed digit)
/// are merged by moments.
const MAX_COMPONENTS: usize = 243;

impl NormalMixture {
    /// A single normal `N(mean, sd^2)`.
    pub fn normal(mean: f64, sd: f64) -> Self {
        Self {
            components: vec![Component {
                weight: 1.0,
                mean,
                sd: sd.max(0.0),
            }],
        }
    }

    /// A mixture of `components`; weights are normalised to sum to 1.
    ///
    /// `None` when there is no component with positive weight, or a weight,
    /// mean or standard deviation is not finite or negative.
    pub fn new(components: Vec<Component>) -> Option<Self> {
        let valid = components.iter().all(|c| {
            c.weight.is_finite()
                && c.weight >= 0.0
                && c.mean.is_finite()
                && c.sd.is_finite()
                && c.sd >= 0.0
        });
        let total: f64 = components.iter().map(|c| c.weight).sum();
        if !valid || total <= 0.0 || !total.is_finite() {
            return None;
        }
        Some(Self {
            components: components
                .into_iter()
                .filter(|c| c.weight > 0.0)
                .map(|c| Component {
                    weight: c.weight / total,
                    ..c
                })
                .collect(),
        })
    }

    /// The components, weights summing to 1.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// Mean.
    pub fn mean(&self) -> f64 {
        self.components.iter().map(|c| c.weight * c.mean).sum()
    }

    /// Standard deviation (law of total variance).
    pub fn sd(&self) -> f64 {
        let mean = self.mean();
        self.components
            .iter()
            .map(|c| c.weight * (c.sd * c.sd + (c.mean - mean).powi(2)))
            .sum::<f64>()
            .max(0.0)
            .sqrt()
    }

    /// `P(X <= x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        self.components
            .iter()
            .map(|c| {
                c.weight
                    * if c.sd > 0.0 {
                        normal_cdf((x - c.mean) / c.sd)
                    } else if c.mean <= x {
                        1.0
                    } else {
                        0.0
                    }
            })
            .sum::<f64>()
            .clamp(0.0, 1.0)
    }

    /// `P(X > x)`, from the upper tails (keeps small probabilities exact).
    pub fn sf(&self, x: f64) -> f64 {
        self.components
            .iter()
            .map(|c| {
                c.weight
                    * if c.sd > 0.0 {
                        normal_sf((x - c.mean) / c.sd)
                    } else if c.mean > x {
                        1.0
                    } else {
                        0.0
                    }
            })
            .sum::<f64>()
            .clamp(0.0, 1.0)
    }

    /// `E[max(X, 0)]`: the normal partial expectation
    /// `mu Phi(mu / s) + s phi(mu / s)` per component.
    pub fn positive_part(&self) -> f64 {
        self.components
            .iter()
            .map(|c| c.weight * positive_part(c.mean, c.sd))
            .sum::<f64>()
            .max(0.0)
    }

    /// `E[max(-X, 0)]`.
    pub fn negative_part(&self) -> f64 {
        self.components
            .iter()
            .map(|c| c.weight * positive_part(-c.mean, c.sd))
            .sum::<f64>()
            .max(0.0)
    }

    /// The `p` quantile (`0 < p < 1`), by bisection on the cdf to about
    /// 1e-12 of the distribution's spread.
    pub fn quantile(&self, p: f64) -> f64 {
        let lo_start = self
            .components
            .iter()
            .map(|c| c.mean - 40.0 * c.sd)
            .fold(f64::INFINITY, f64::min);
        let hi_start = self
            .components
            .iter()
            .map(|c| c.mean + 40.0 * c.sd)
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut lo, mut hi) = (lo_start, hi_start);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if self.cdf(mid) < p {
                lo = mid
            } else {
                hi = mid
            }
        }
        0.5 * (lo + hi)
    }

    /// The distribution of `offset + scale * X`.
    pub fn affine(&self, offset: f64, scale: f64) -> Self {
        Self {
            components: self
                .components
                .iter()
                .map(|c| Component {
                    weight: c.weight,
                    mean: offset + scale * c.mean,
                    sd: scale.abs() * c.sd,
                })
                .collect(),
        }
    }

    /// The distribution of `X + Y` for independent `X` (self) and `Y`.
    pub fn convolve(&self, other: &Self) -> Self {
        let mut components = Vec::with_capacity(self.components.len() * other.components.len());
        for a in &self.components {
            for b in &other.components {
                components.push(Component {
                    weight: a.weight * b.weight,
                    mean: a.mean + b.mean,
                    sd: a.sd.hypot(b.sd),
                });
            }
        }
        Self {
            components: merge_lightest(components),
        }
    }

    /// The posterior after observing `estimate ~ N(effect, std_error^2)`.
    ///
    /// Each component is updated by the normal-normal formulas and reweighted
    /// by its marginal likelihood of the estimate (computed on the log scale,
    /// so a component that explains the data `e^-800` times worse gets weight
    /// 0 instead of a NaN). `std_error` of 0 is an exact observation.
    pub fn posterior(&self, estimate: f64, std_error: f64) -> Self {
        let se2 = std_error * std_error;
        let mut log_weights = Vec::with_capacity(self.components.len());
        let mut updated = Vec::with_capacity(self.components.len());
        for c in &self.components {
            let prior_var = c.sd * c.sd;
            let marginal_var = prior_var + se2;
            let log_like = if marginal_var > 0.0 {
                let z = (estimate - c.mean) / marginal_var.sqrt();
                -0.5 * z * z - 0.5 * marginal_var.ln()
            } else if estimate == c.mean {
                0.0
            } else {
                f64::NEG_INFINITY
            };
            log_weights.push(c.weight.ln() + log_like);
            let (mean, sd) = if prior_var == 0.0 {
                (c.mean, 0.0)
            } else if se2 == 0.0 {
                (estimate, 0.0)
            } else {
                let var = 1.0 / (1.0 / prior_var + 1.0 / se2);
                (var * (c.mean / prior_var + estimate / se2), var.sqrt())
            };
            updated.push(Component {
                weight: 0.0,
                mean,
                sd,
            });
        }
        let top = log_weights
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        if !top.is_finite() {
            // No component can produce the estimate (point masses elsewhere
            // and an exact observation): the data decide alone.
            return Self::normal(estimate, std_error);
        }
        for (c, lw) in updated.iter_mut().zip(&log_weights) {
            c.weight = (lw - top).exp();
        }
        Self::new(updated).unwrap_or_else(|| Self::normal(estimate, std_error))
    }
}

/// `E[max(N(mu, s^2), 0)]`.
fn positive_part(mu: f64, s: f64) -> f64 {
    if s > 0.0 {
        let z = mu / s;
        mu * normal_cdf(z) + s * normal_pdf(z)
    } else {
        mu.max(0.0)
    }
}

/// Keeps at most [`MAX_COMPONENTS`], merging the lightest into one
/// component with the same mean and variance.
fn merge_lightest(mut components: Vec<Component>) -> Vec<Component> {
    if components.len() <= MAX_COMPONENTS {
        return components;
    }
    components.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let rest = components.split_off(MAX_COMPONENTS - 1);
    let weight: f64 = rest.iter().map(|c| c.weight).sum();
    if weight > 0.0 {
        let mean = rest.iter().map(|c| c.weight * c.mean).sum::<f64>() / weight;
        let var = rest
            .iter()
            .map(|c| c.weight * (c.sd * c.sd + (c.mean - mean).powi(2)))
            .sum::<f64>()
            / weight;
        components.push(Component {
            weight,
            mean,
            sd: var.max(0.0).sqrt(),
        });
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_component_is_the_normal_normal_posterior() {
        // Prior N(0, 2^2), estimate 3 with se 1: precision 1/4 + 1 = 1.25,
        // mean 3 / 1.25 = 2.4, sd sqrt(0.8).
        let post = NormalMixture::normal(0.0, 2.0).posterior(3.0, 1.0);
        assert!((post.mean() - 2.4).abs() < 1e-15);
        assert!((post.sd() - 0.8f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn mixture_weights_follow_the_marginal_likelihood() {
        // Two components N(0, 0) and N(0, 1), estimate 2 with se 1:
        // marginals N(0, 1) and N(0, 2); weights phi(2) : phi(2/sqrt2)/sqrt2.
        let prior = NormalMixture::new(vec![
            Component {
                weight: 0.5,
                mean: 0.0,
                sd: 0.0,
            },
            Component {
                weight: 0.5,
                mean: 0.0,
                sd: 1.0,
            },
        ])
        .unwrap();
        let post = prior.posterior(2.0, 1.0);
        let a = normal_pdf(2.0);
        let b = normal_pdf(2.0f64.sqrt()) / 2.0f64.sqrt();
        let w_slab = b / (a + b);
        // Slab posterior: N(1, 0.5); spike stays at 0.
        assert!((post.mean() - w_slab * 1.0).abs() < 1e-15);
    }

    #[test]
    fn partial_expectations_add_up_to_the_mean() {
        let m = NormalMixture::new(vec![
            Component {
                weight: 0.3,
                mean: -1.0,
                sd: 0.5,
            },
            Component {
                weight: 0.7,
                mean: 2.0,
                sd: 3.0,
            },
        ])
        .unwrap();
        assert!((m.positive_part() - m.negative_part() - m.mean()).abs() < 1e-14);
        assert!((m.cdf(0.4) + m.sf(0.4) - 1.0).abs() < 1e-15);
        let q = m.quantile(0.3);
        assert!((m.cdf(q) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn convolution_of_normals_is_normal() {
        let sum = NormalMixture::normal(1.0, 3.0).convolve(&NormalMixture::normal(2.0, 4.0));
        assert_eq!(sum.components().len(), 1);
        assert!((sum.mean() - 3.0).abs() < 1e-15);
        assert!((sum.sd() - 5.0).abs() < 1e-15);
    }

    #[test]
    fn extreme_estimates_do_not_make_nan() {
        let prior = NormalMixture::new(vec![
            Component {
                weight: 0.9,
                mean: 0.0,
                sd: 1e-3,
            },
            Component {
                weight: 0.1,
                mean: 0.0,
                sd: 1.0,
            },
        ])
        .unwrap();
        let post = prior.posterior(1e6, 1e-3);
        assert!(post.mean().is_finite());
        assert!((post.mean() - 1e6).abs() < 1.0);
        let exact = NormalMixture::normal(0.0, 0.0).posterior(5.0, 0.0);
        assert_eq!(exact.mean(), 5.0);
    }
}
