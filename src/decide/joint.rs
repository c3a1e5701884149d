//! The joint model of several metrics' effects: the primary metric and the
//! money (benefit) metrics of one comparison, learned together.
//!
//! Why: the metric that carries the money is often the noisiest one.
//! Revenue per customer is a purchase times an amount, and the amount's
//! spread buries the purchase signal; the purchase rate measures the same
//! change several times more precisely. An initiative that moves purchases
//! by 8% usually moves revenue by about as much, so a prior in which the
//! effects are correlated lets the precise metric inform the money. The
//! estimates are correlated too (the same customers buy and spend), and
//! their sampling covariance comes from the customers' cross-moments
//! ([`crate::analysis::covariance`]); ignoring it would count the same purchases
//! twice.
//!
//! The prior is a mixture of multivariate normals (a one-factor model over
//! the components of the one-metric prior, see [`joint_prior`]), so the
//! posterior is again such a mixture and
//! any linear function of the effects (the NPV) is a normal mixture: every
//! figure stays closed-form except the value of more data, a seeded Monte
//! Carlo like the several-metric case of [`super::money`].

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::linalg::{Cholesky, Matrix, dot, psd_square_root};
use super::mixture::{Component, NormalMixture};
use super::money::{pick, standard_normal, unit_uniform};

/// One multivariate normal component of a prior or posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct JointComponent {
    /// Probability of the component.
    pub weight: f64,
    /// Mean effect per metric.
    pub mean: Vec<f64>,
    /// Covariance of the effects (may be singular: correlation 1).
    pub covariance: Matrix,
}

/// What is known about several metrics' absolute effects in one
/// comparison: their estimates with the sampling covariance, and the prior.
#[derive(Debug, Clone, PartialEq)]
pub struct JointEvidence {
    estimates: Vec<f64>,
    sampling: Matrix,
    prior: Option<Vec<JointComponent>>,
}

impl JointEvidence {
    /// The evidence of `estimates` with sampling covariance `sampling`
    /// under `prior` (`None`: no prior, the data alone). `None` when the
    /// sizes disagree, a figure is not finite or the sampling covariance is
    /// not positive definite (a metric that did not vary has no likelihood
    /// to combine).
    pub fn new(
        estimates: Vec<f64>,
        sampling: Matrix,
        prior: Option<Vec<JointComponent>>,
    ) -> Option<Self> {
        let k = estimates.len();
        let sizes_agree = sampling.size() == k
            && prior.as_ref().is_none_or(|p| {
                !p.is_empty()
                    && p.iter()
                        .all(|c| c.mean.len() == k && c.covariance.size() == k)
            });
        if k == 0 || !sizes_agree || !estimates.iter().all(|e| e.is_finite()) {
            return None;
        }
        Cholesky::of(&sampling)?;
        Some(Self {
            estimates,
            sampling,
            prior,
        })
    }

    /// Metrics in the model.
    pub fn size(&self) -> usize {
        self.estimates.len()
    }

    /// The posterior of the effects, a mixture of multivariate normals.
    pub fn posterior(&self) -> Vec<JointComponent> {
        // No prior (or none that can produce the data): the data alone.
        self.prior
            .as_ref()
            .and_then(|prior| posterior_under(prior, &self.estimates, &self.sampling))
            .unwrap_or_else(|| {
                vec![JointComponent {
                    weight: 1.0,
                    mean: self.estimates.clone(),
                    covariance: self.sampling.clone(),
                }]
            })
    }

    /// The posterior of `offset + coefficients . effects`.
    pub fn linear(&self, offset: f64, coefficients: &[f64]) -> NormalMixture {
        linear_of(&self.posterior(), offset, coefficients)
    }

    /// The posterior of metric `i`'s effect alone.
    pub fn marginal(&self, i: usize) -> NormalMixture {
        let mut unit = vec![0.0; self.size()];
        unit[i] = 1.0;
        self.linear(0.0, &unit)
    }
}

/// `offset + coefficients . x` for `x` from the mixture `components`.
fn linear_of(components: &[JointComponent], offset: f64, coefficients: &[f64]) -> NormalMixture {
    let parts: Vec<Component> = components
        .iter()
        .map(|c| Component {
            weight: c.weight,
            mean: offset + dot(coefficients, &c.mean),
            sd: c.covariance.quadratic(coefficients).max(0.0).sqrt(),
        })
        .collect();
    NormalMixture::new(parts).unwrap_or_else(|| NormalMixture::normal(offset, 0.0))
}

/// A prior component updated on `y ~ N(effect, sampling)`, as the pieces
/// the update and its reuse need.
struct Update {
    /// `(prior covariance + sampling)^-1`.
    precision: Matrix,
    /// `ln det (prior covariance + sampling)`.
    log_determinant: f64,
}

impl Update {
    fn of(component: &JointComponent, sampling: &Matrix) -> Option<Self> {
        let chol = Cholesky::of(&component.covariance.plus(sampling))?;
        Some(Self {
            precision: chol.inverse(),
            log_determinant: chol.log_determinant(),
        })
    }

    /// Log marginal likelihood of `y` (up to a constant shared by all
    /// components) plus the log prior weight.
    fn log_weight(&self, component: &JointComponent, y: &[f64]) -> f64 {
        let k = y.len();
        self.log_weight_into(component, y, &mut vec![0.0; k], &mut vec![0.0; k])
    }

    /// [`Update::log_weight`] with caller-owned buffers of `y`'s size, for
    /// loops that must not allocate (the value of more data's draws).
    fn log_weight_into(
        &self,
        component: &JointComponent,
        y: &[f64],
        residual: &mut [f64],
        product: &mut [f64],
    ) -> f64 {
        for ((r, a), b) in residual.iter_mut().zip(y).zip(&component.mean) {
            *r = a - b;
        }
        self.precision.apply_into(residual, product);
        component.weight.ln() - 0.5 * dot(residual, product) - 0.5 * self.log_determinant
    }
}

/// The posterior of `prior` after `y ~ N(effect, sampling)`: per component
/// the mean `m + P (P + S)^-1 (y - m)` and covariance
/// `P - P (P + S)^-1 P`, written without `P^-1` so that a singular prior
/// covariance (correlation 1) is fine; weights by the marginal likelihood
/// `N(y; m, P + S)`, on the log scale.
fn posterior_under(
    prior: &[JointComponent],
    y: &[f64],
    sampling: &Matrix,
) -> Option<Vec<JointComponent>> {
    let mut updated = posterior_aligned(prior, y, sampling)?;
    updated.retain(|c| c.weight > 0.0);
    Some(updated)
}

/// [`posterior_under`] with one updated component per prior component, in
/// the prior's order, weights of 0 included.
fn posterior_aligned(
    prior: &[JointComponent],
    y: &[f64],
    sampling: &Matrix,
) -> Option<Vec<JointComponent>> {
    let mut log_weights = Vec::with_capacity(prior.len());
    let mut updated = Vec::with_capacity(prior.len());
    for c in prior {
        let u = Update::of(c, sampling)?;
        log_weights.push(u.log_weight(c, y));
        let gain = c.covariance.times(&u.precision);
        let r: Vec<f64> = y.iter().zip(&c.mean).map(|(a, b)| a - b).collect();
        let mean = c
            .mean
            .iter()
            .zip(gain.apply(&r))
            .map(|(m, g)| m + g)
            .collect();
        let shrink = gain.times(&c.covariance);
        let mut covariance = c.covariance.plus(&shrink.scaled(-1.0)).symmetrised();
        for i in 0..covariance.size() {
            // Rounding can leave a variance a hair below 0.
            covariance.set(i, i, covariance.get(i, i).max(0.0));
        }
        updated.push(JointComponent {
            weight: 0.0,
            mean,
            covariance,
        });
    }
    let weights = normalised(&log_weights)?;
    for (c, w) in updated.iter_mut().zip(weights) {
        c.weight = w;
    }
    Some(updated)
}

/// `exp(log_weights)` normalised to sum to 1; `None` when no weight is
/// finite.
fn normalised(log_weights: &[f64]) -> Option<Vec<f64>> {
    let top = log_weights
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return None;
    }
    let raw: Vec<f64> = log_weights.iter().map(|w| (w - top).exp()).collect();
    let total: f64 = raw.iter().sum();
    Some(raw.into_iter().map(|w| w / total).collect())
}

/// The most components [`joint_prior`] builds: `K^(m + 1)` for `m` metrics
/// and a `K`-component one-metric prior (3 metrics of the default prior:
/// 81).
pub const MAX_JOINT_COMPONENTS: usize = 1024;

/// The prior of several metrics' absolute effects from the one-metric
/// prior on the relative effect, as a one-factor model.
///
/// Each metric's relative effect is `mu + sqrt(rho) (f - mu) +
/// sqrt(1 - rho) (e_i - mu)`, where the common factor `f` and each
/// metric's own part `e_i` are independent draws from `relative` (mean
/// `mu`), `rho` is `correlation`, and the factor enters every metric in its
/// direction of improvement (`better_i`, +1 for a metric that should go up,
/// -1 for one that should go down): an initiative that lowers effort (good)
/// is believed to raise revenue (good). Every metric keeps the prior's
/// mean and variance; two improvements correlate by `rho`. Metric `i`'s
/// absolute effect is the relative one times `scales[i]`; `widen`
/// multiplies every effect (the sensitivity check's narrower and wider
/// priors).
///
/// Why a factor and not one correlated normal per component: with a
/// mixture whose components differ in width, pairing the metrics inside
/// each component makes a wide (large-effect) component also expect the
/// metrics to disagree widely, so two estimates that agree closely, as
/// purchases and revenue do, would count as evidence *against* a large
/// effect. With the factor, how much the metrics disagree (the `e_i`) is
/// separate from how large the common effect is (`f`).
///
/// A mixture of `K^(m + 1)` multivariate normals for `m` metrics (`K`
/// when `rho` is 0 or 1, where one part vanishes); `None` beyond
/// [`MAX_JOINT_COMPONENTS`].
pub fn joint_prior(
    relative: &NormalMixture,
    scales: &[f64],
    better: &[f64],
    correlation: f64,
    widen: f64,
) -> Option<Vec<JointComponent>> {
    let m = scales.len();
    let parts = relative.components();
    let mu = relative.mean();
    let rho = correlation.clamp(0.0, 1.0);
    let (load_factor, load_own) = (rho.sqrt(), (1.0 - rho).sqrt());
    // With rho 0 or 1 one part is a constant: draw it from a point at mu.
    let at_mean = [Component {
        weight: 1.0,
        mean: mu,
        sd: 0.0,
    }];
    let factor_parts: &[Component] = if rho == 0.0 { &at_mean } else { parts };
    let own_parts: &[Component] = if rho == 1.0 { &at_mean } else { parts };
    let count = factor_parts
        .len()
        .checked_mul(own_parts.len().checked_pow(u32::try_from(m).ok()?)?)?;
    if count > MAX_JOINT_COMPONENTS {
        return None;
    }
    let mut components = Vec::with_capacity(count);
    let mut own = vec![0usize; m];
    for f in factor_parts {
        loop {
            let mut weight = f.weight;
            let mut mean = Vec::with_capacity(m);
            let mut covariance = Matrix::zeros(m);
            for i in 0..m {
                let e = &own_parts[own[i]];
                weight *= e.weight;
                let relative_mean =
                    mu + load_factor * better[i] * (f.mean - mu) + load_own * (e.mean - mu);
                mean.push(relative_mean * widen * scales[i]);
                for j in 0..m {
                    let mut c = load_factor * load_factor * better[i] * better[j] * f.sd * f.sd;
                    if i == j {
                        c += load_own * load_own * e.sd * e.sd;
                    }
                    covariance.set(i, j, c * widen * widen * scales[i] * scales[j]);
                }
            }
            components.push(JointComponent {
                weight,
                mean,
                covariance,
            });
            // The next combination of the metrics' own parts (odometer).
            let mut digit = 0;
            while digit < m {
                own[digit] += 1;
                if own[digit] < own_parts.len() {
                    break;
                }
                own[digit] = 0;
                digit += 1;
            }
            if digit == m {
                break;
            }
        }
    }
    Some(components)
}

/// Draws of the preposterior.
const MONTE_CARLO_DRAWS: usize = 20_000;

/// One prior component prepared for the update on the estimate from all
/// the data: E[NPV | y, component] = `base + gain . (y - mean)`.
struct Prepared {
    component: JointComponent,
    update: Update,
    base: f64,
    gain: Vec<f64>,
}

/// Posterior weight below which a component is left out of the value of
/// more data.
const NEGLIGIBLE_WEIGHT: f64 = 1e-12;

/// The expected value of sample information with the joint model: what
/// collecting `more_data_ratio` times the data so far (every sampling
/// covariance divided by `1 + ratio` for all the data) is worth before
/// choosing between rolling out, worth `offset + coefficients . effects`,
/// and the best alternative, worth `alternative`.
///
/// `E[max(E[NPV | all data], alternative)] - max(E[NPV], alternative)`,
/// never negative. Monte Carlo over the preposterior: per draw, a
/// posterior component, then the estimate from all the data, which given
/// the component is normal with mean `(y + r m) / (1 + r)` and covariance
/// `(r^2 V + r S) / (1 + r)^2`; the prior's update on it is prepared once
/// per component. Antithetic pairs; seeded.
pub fn value_of_more_data(
    evidence: &JointEvidence,
    offset: f64,
    coefficients: &[f64],
    more_data_ratio: f64,
    alternative: f64,
    seed: u64,
) -> f64 {
    let r = more_data_ratio;
    if r.is_nan() || r <= 0.0 {
        return 0.0;
    }
    // The posterior of each prior component, in the prior's order.
    let aligned = evidence.prior.as_ref().and_then(|prior| {
        Some((
            prior,
            posterior_aligned(prior, &evidence.estimates, &evidence.sampling)?,
        ))
    });
    let posterior: Vec<JointComponent> = match &aligned {
        Some((_, updated)) => updated.iter().filter(|c| c.weight > 0.0).cloned().collect(),
        None => evidence.posterior(),
    };
    let now = linear_of(&posterior, offset, coefficients)
        .mean()
        .max(alternative);
    let all_sampling = evidence.sampling.scaled(1.0 / (1.0 + r));
    // Components the data so far have all but ruled out cannot regain
    // weight from more of the same data: leaving them out keeps a prior of
    // dozens of components (the factor model's) fast, at no visible cost.
    let prior: Option<Vec<JointComponent>> = match &aligned {
        Some((prior, updated)) => Some(
            prior
                .iter()
                .zip(updated)
                .filter(|(_, u)| u.weight >= NEGLIGIBLE_WEIGHT)
                .map(|(c, _)| c.clone())
                .collect(),
        ),
        None => evidence.prior.clone(),
    };
    let posterior: Vec<JointComponent> = {
        let kept: Vec<JointComponent> = posterior
            .into_iter()
            .filter(|c| c.weight >= NEGLIGIBLE_WEIGHT)
            .collect();
        let total: f64 = kept.iter().map(|c| c.weight).sum();
        kept.into_iter()
            .map(|c| JointComponent {
                weight: c.weight / total,
                ..c
            })
            .collect()
    };
    // The prior's update on the estimate from all the data, per component.
    let prepared: Option<Vec<Prepared>> = prior.map(|prior| {
        prior
            .into_iter()
            .filter_map(|component| {
                let update = Update::of(&component, &all_sampling)?;
                let gain = update
                    .precision
                    .apply(&component.covariance.apply(coefficients));
                let base = offset + dot(coefficients, &component.mean);
                Some(Prepared {
                    component,
                    update,
                    base,
                    gain,
                })
            })
            .collect()
    });
    let k = evidence.size();
    // Buffers reused by every draw: residual, its product with a
    // precision, and the components' log weights.
    let mut residual = vec![0.0; k];
    let mut product = vec![0.0; k];
    let mut log_weights: Vec<f64> = Vec::new();
    let mut value_given = |y: &[f64]| -> f64 {
        let Some(prepared) = &prepared else {
            return offset + dot(coefficients, y);
        };
        log_weights.clear();
        let mut top = f64::NEG_INFINITY;
        for p in prepared {
            let lw = p
                .update
                .log_weight_into(&p.component, y, &mut residual, &mut product);
            top = top.max(lw);
            log_weights.push(lw);
        }
        if !top.is_finite() {
            return offset + dot(coefficients, y);
        }
        let (mut total, mut value) = (0.0, 0.0);
        for (p, lw) in prepared.iter().zip(&log_weights) {
            let w = (lw - top).exp();
            let shift: f64 = (0..k)
                .map(|i| p.gain[i] * (y[i] - p.component.mean[i]))
                .sum();
            total += w;
            value += w * (p.base + shift);
        }
        value / total
    };
    let spread: Vec<(f64, Vec<f64>, Option<Matrix>)> = posterior
        .iter()
        .map(|c| {
            let center = evidence
                .estimates
                .iter()
                .zip(&c.mean)
                .map(|(y, m)| (y + r * m) / (1.0 + r))
                .collect();
            let covariance = c
                .covariance
                .scaled(r * r)
                .plus(&evidence.sampling.scaled(r))
                .scaled(1.0 / (1.0 + r).powi(2));
            (c.weight, center, psd_square_root(&covariance))
        })
        .collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut total = 0.0;
    let mut y = vec![0.0; k];
    for _ in 0..MONTE_CARLO_DRAWS / 2 {
        let u = unit_uniform(&mut rng);
        let chosen = &spread[pick(spread.iter().map(|s| s.0), u)];
        let z: Vec<f64> = (0..k).map(|_| standard_normal(&mut rng)).collect();
        let (_, center, root) = chosen;
        let step = root
            .as_ref()
            .map_or_else(|| vec![0.0; k], |l| lower_apply(l, &z));
        for sign in [1.0, -1.0] {
            for i in 0..k {
                y[i] = center[i] + sign * step[i];
            }
            total += value_given(&y).max(alternative);
        }
    }
    let later = total / (2 * (MONTE_CARLO_DRAWS / 2)) as f64;
    (later - now).max(0.0)
}

/// `L z` for a lower-triangular `L`.
fn lower_apply(l: &Matrix, z: &[f64]) -> Vec<f64> {
    (0..l.size())
        .map(|i| (0..=i).map(|j| l.get(i, j) * z[j]).sum())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::money::{LiftEvidence, value_of_more_data as one_metric_value};

    fn default_like() -> NormalMixture {
        NormalMixture::new(vec![
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
        ])
        .unwrap()
    }

    #[test]
    fn one_metric_reduces_to_the_mixture_posterior() {
        let prior = default_like();
        let evidence = JointEvidence::new(
            vec![0.08],
            Matrix::from_rows(&[&[0.06 * 0.06]]),
            joint_prior(&prior, &[1.0], &[1.0], 0.0, 1.0),
        )
        .unwrap();
        let joint = evidence.marginal(0);
        let direct = prior.posterior(0.08, 0.06);
        assert!((joint.mean() - direct.mean()).abs() < 1e-14);
        assert!((joint.sd() - direct.sd()).abs() < 1e-14);
        assert!((joint.sf(0.0) - direct.sf(0.0)).abs() < 1e-13);
    }

    #[test]
    fn bivariate_normal_posterior_matches_the_textbook_formula() {
        // numpy, prior N(0, P), P = [[0.04, 0.03], [0.03, 0.09]] (sd 0.2 and
        // 0.3, correlation 0.5); y = [0.1, 0.3], S = [[0.01, 0.006],
        // [0.006, 0.04]]:
        //   Pi = inv(inv(P) + inv(S)); m = Pi @ inv(S) @ y
        //   m = [0.08262875, 0.20983859]
        //   Pi = [[0.00798616, 0.00521138], [0.00521138, 0.02704842]]
        let relative = NormalMixture::normal(0.0, 1.0);
        let prior = joint_prior(&relative, &[0.2, 0.3], &[1.0, 1.0], 0.5, 1.0).unwrap();
        let sampling = Matrix::from_rows(&[&[0.01, 0.006], &[0.006, 0.04]]);
        let evidence = JointEvidence::new(vec![0.1, 0.3], sampling, Some(prior)).unwrap();
        let post = evidence.posterior();
        assert_eq!(post.len(), 1);
        let want_mean = [0.08262875, 0.20983859];
        let want_cov = [[0.00798616, 0.00521138], [0.00521138, 0.02704842]];
        for i in 0..2 {
            assert!((post[0].mean[i] - want_mean[i]).abs() < 1e-8);
            for (j, want) in want_cov[i].iter().enumerate() {
                assert!((post[0].covariance.get(i, j) - want).abs() < 1e-8);
            }
        }
        // The NPV 100 + 1000 x effect_2 is the second marginal, scaled.
        let npv = evidence.linear(100.0, &[0.0, 1000.0]);
        assert!((npv.mean() - (100.0 + 209.83859)).abs() < 1e-4);
        assert!((npv.sd() - 1000.0 * 0.02704842f64.sqrt()).abs() < 1e-4);
    }

    #[test]
    fn a_precise_correlated_metric_sharpens_the_money_metric() {
        // Correlation 1 (one relative effect) with a singular prior: the
        // noisy money estimate borrows the precise primary's.
        let prior = joint_prior(&default_like(), &[0.2, 10.0], &[1.0, 1.0], 1.0, 1.0).unwrap();
        let sampling = Matrix::from_rows(&[&[0.0001, 0.0], &[0.0, 4.0]]);
        let joint = JointEvidence::new(vec![0.02, 1.0], sampling.clone(), Some(prior)).unwrap();
        let alone = default_like().affine(0.0, 10.0).posterior(1.0, 2.0);
        let money = joint.marginal(1);
        assert!(
            money.sd() < 0.5 * alone.sd(),
            "{} vs {}",
            money.sd(),
            alone.sd()
        );
        // One relative effect: the money metric's posterior is the
        // primary's, on its own scale (10 / 0.2 = 50 times).
        let primary = joint.marginal(0);
        assert!((money.mean() - 50.0 * primary.mean()).abs() < 1e-9);
        assert!((money.sd() - 50.0 * primary.sd()).abs() < 1e-9);
    }

    #[test]
    fn monte_carlo_agrees_with_the_exact_one_metric_value() {
        let prior = default_like();
        let lift = LiftEvidence {
            npv_per_unit: 10_000.0,
            prior: Some(prior.clone()),
            estimate: 0.08,
            std_error: 0.06,
        };
        let exact = one_metric_value(-400.0, std::slice::from_ref(&lift), 1.5, 0.0, 7);
        let evidence = JointEvidence::new(
            vec![0.08],
            Matrix::from_rows(&[&[0.0036]]),
            joint_prior(&prior, &[1.0], &[1.0], 0.0, 1.0),
        )
        .unwrap();
        let mc = value_of_more_data(&evidence, -400.0, &[10_000.0], 1.5, 0.0, 7);
        assert!(exact > 0.0);
        assert!((mc - exact).abs() < 0.03 * exact, "mc {mc} exact {exact}");
    }

    #[test]
    fn the_factor_prior_keeps_each_metric_prior_and_the_correlation() {
        let relative = default_like();
        let prior = joint_prior(&relative, &[0.2, 10.0], &[1.0, -1.0], 0.8, 1.0).unwrap();
        assert_eq!(prior.len(), 2 * 2 * 2);
        let total: f64 = prior.iter().map(|c| c.weight).sum();
        assert!((total - 1.0).abs() < 1e-14);
        // Moments of the mixture: E[x] and E[x x'] summed over components.
        let second = |i: usize, j: usize| {
            prior
                .iter()
                .map(|c| c.weight * (c.covariance.get(i, j) + c.mean[i] * c.mean[j]))
                .sum::<f64>()
        };
        let variance = relative.sd().powi(2);
        assert!((second(0, 0) - variance * 0.04).abs() < 1e-14);
        assert!((second(1, 1) - variance * 100.0).abs() < 1e-12);
        // Improvements correlate by 0.8: the second metric should go down.
        let correlation = second(0, 1) / (second(0, 0) * second(1, 1)).sqrt();
        assert!((correlation + 0.8).abs() < 1e-12, "{correlation}");
        // Too many metrics for a mixture of this size.
        assert!(joint_prior(&relative, &[1.0; 10], &[1.0; 10], 0.5, 1.0).is_none());
    }

    #[test]
    fn agreeing_estimates_are_not_evidence_against_a_large_effect() {
        // Two metrics that both measured +40% (relative SE 11%, sampling
        // correlation 0.9): together they must believe a large effect at
        // least as much as the money metric does alone.
        let relative = default_like();
        let (se_a, se_b) = (0.11, 0.12);
        let sampling = Matrix::from_rows(&[
            &[se_a * se_a, 0.9 * se_a * se_b],
            &[0.9 * se_a * se_b, se_b * se_b],
        ]);
        let prior = joint_prior(&relative, &[1.0, 1.0], &[1.0, 1.0], 0.8, 1.0);
        let joint = JointEvidence::new(vec![0.4, 0.4], sampling, prior).unwrap();
        let alone = relative.posterior(0.4, se_b);
        let money = joint.marginal(1);
        assert!(
            money.mean() >= alone.mean() - 1e-9,
            "joint {} alone {}",
            money.mean(),
            alone.mean()
        );
        assert!(money.sd() <= alone.sd() + 1e-9);
    }

    #[test]
    fn sampling_covariance_must_be_positive_definite() {
        let singular = Matrix::from_rows(&[&[1.0, 1.0], &[1.0, 1.0]]);
        assert!(JointEvidence::new(vec![0.0, 0.0], singular, None).is_none());
        assert!(
            JointEvidence::new(
                vec![0.0],
                Matrix::from_rows(&[&[1.0, 0.0], &[0.0, 1.0]]),
                None
            )
            .is_none()
        );
    }
}
