//! True priors of a portfolio's effects, and posterior means under them.
//!
//! A portfolio draws every pilot's true relative effect from an
//! [`EffectPrior`]: a mixture of point masses, normals and scaled Student-t
//! distributions, restricted to [`EFFECT_MIN`]..=[`EFFECT_MAX`] (draws
//! outside are redrawn, so the prior *is* the mixture density cut to that
//! range). The Bayes-optimal rule needs `E[effect | data]` under that same
//! prior; [`EffectPrior::posterior_mean_with`] computes it for any
//! log-likelihood by Gauss-Legendre quadrature over panels placed where the
//! prior and the likelihood have their mass, plus the point masses exactly.
//! Everything is computed in log space, so a likelihood far from the prior
//! does not underflow to 0 / 0.

use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::simulate::{SimRng, normal, uniform};
use crate::stats::dist::ln_gamma;

/// Smallest relative effect drawn: -90%, so a rate never reaches 0.
pub const EFFECT_MIN: f64 = -0.9;
/// Largest relative effect drawn: +150%, so a base rate of at most 40%
/// stays a probability (0.4 * 2.5 = 1).
pub const EFFECT_MAX: f64 = 1.5;

/// Gauss-Legendre points per panel: exact for polynomials of degree 39,
/// far more than the smooth integrands on panels of about one standard
/// deviation need.
const NODES: usize = 20;
/// Uniform panels over the whole range, so that no region is left to one
/// wide panel whatever the data say.
const UNIFORM_PANELS: usize = 64;
/// Panel edges at `centre + j * width` for `j` in `-SPREAD..=SPREAD`
/// around each component and around the likelihood's peak.
const SPREAD: i32 = 8;
/// Draws of one effect tried before giving up on the range and clamping
/// (a component whose mass lies outside the range is rejected by
/// [`EffectPrior::new`], so this is never reached in practice).
const MAX_TRIES: usize = 10_000;

/// One mixture component of an [`EffectPrior`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Component {
    /// Exactly this effect (`0`: the initiative does nothing).
    PointMass {
        /// The effect.
        at: f64,
    },
    /// Normal.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation, > 0.
        sd: f64,
    },
    /// `location + scale * T` with `T` Student-t with `df` degrees of
    /// freedom: heavy tails (rare large effects) for small `df`.
    StudentT {
        /// Degrees of freedom, >= 1 (whole, so that draws are sums of
        /// squared normals and portable).
        df: u32,
        /// Centre.
        location: f64,
        /// Scale, > 0.
        scale: f64,
    },
}

impl Component {
    /// Centre and width, for placing quadrature panels; `None` for a point
    /// mass (handled exactly, not integrated).
    fn centre_width(&self) -> Option<(f64, f64)> {
        match *self {
            Component::PointMass { .. } => None,
            Component::Normal { mean, sd } => Some((mean, sd)),
            Component::StudentT {
                location, scale, ..
            } => Some((location, scale)),
        }
    }

    /// Log density at `x` (continuous components only).
    fn ln_density(&self, x: f64) -> f64 {
        match *self {
            Component::PointMass { .. } => f64::NEG_INFINITY,
            Component::Normal { mean, sd } => {
                let z = (x - mean) / sd;
                -0.5 * z * z - sd.ln() - 0.5 * std::f64::consts::TAU.ln()
            }
            Component::StudentT {
                df,
                location,
                scale,
            } => {
                let nu = f64::from(df);
                let z = (x - location) / scale;
                ln_gamma((nu + 1.0) / 2.0)
                    - ln_gamma(nu / 2.0)
                    - 0.5 * (nu * std::f64::consts::PI).ln()
                    - scale.ln()
                    - (nu + 1.0) / 2.0 * (z * z / nu).ln_1p()
            }
        }
    }

    fn draw(&self, rng: &mut SimRng) -> f64 {
        match *self {
            Component::PointMass { at } => at,
            Component::Normal { mean, sd } => mean + sd * normal(rng),
            Component::StudentT {
                df,
                location,
                scale,
            } => {
                let z = normal(rng);
                let chi2: f64 = (0..df).map(|_| normal(rng).powi(2)).sum();
                location + scale * z / (chi2 / f64::from(df)).sqrt()
            }
        }
    }

    fn describe(&self) -> String {
        let p = |x: f64| format!("{}%", crate::format::fmt_sig(100.0 * x, 2));
        match *self {
            Component::PointMass { at } => format!("exactly {}", p(at)),
            Component::Normal { mean, sd } => format!("normal(mean {}, sd {})", p(mean), p(sd)),
            Component::StudentT {
                df,
                location,
                scale,
            } => format!("{} + {} x Student-t({df} df)", p(location), p(scale)),
        }
    }
}

/// The true distribution of a relative effect across a portfolio's pilots:
/// a mixture, cut to [`EFFECT_MIN`]..=[`EFFECT_MAX`].
#[derive(Debug, Clone, PartialEq)]
pub struct EffectPrior {
    /// Components with weights summing to 1.
    components: Vec<(f64, Component)>,
}

impl EffectPrior {
    /// A mixture of `components` with the given weights (normalized here).
    /// Errors when a weight is not positive and finite, a standard
    /// deviation or scale is not positive, a point mass or centre lies
    /// outside the effect range, or there is no component.
    pub fn new(components: Vec<(f64, Component)>) -> Result<Self> {
        if components.is_empty() {
            return Err(Error::input("an effect prior needs at least one component"));
        }
        let in_range = |x: f64| (EFFECT_MIN..=EFFECT_MAX).contains(&x);
        for (w, c) in &components {
            let ok = w.is_finite()
                && *w > 0.0
                && match *c {
                    Component::PointMass { at } => in_range(at),
                    Component::Normal { mean, sd } => in_range(mean) && sd.is_finite() && sd > 0.0,
                    Component::StudentT {
                        df,
                        location,
                        scale,
                    } => df >= 1 && in_range(location) && scale.is_finite() && scale > 0.0,
                };
            if !ok {
                return Err(Error::input(format!(
                    "invalid effect prior component {c:?} with weight {w}: weights must be \
                     positive, spreads positive and centres within {EFFECT_MIN}..={EFFECT_MAX}"
                )));
            }
        }
        let total: f64 = components.iter().map(|(w, _)| w).sum();
        Ok(Self {
            components: components
                .into_iter()
                .map(|(w, c)| (w / total, c))
                .collect(),
        })
    }

    /// Normal with this mean and standard deviation.
    pub fn normal(mean: f64, sd: f64) -> Result<Self> {
        Self::new(vec![(1.0, Component::Normal { mean, sd })])
    }

    /// `scale` times a Student-t with `df` degrees of freedom, centred at 0.
    pub fn student_t(df: u32, scale: f64) -> Result<Self> {
        Self::new(vec![(
            1.0,
            Component::StudentT {
                df,
                location: 0.0,
                scale,
            },
        )])
    }

    /// The components and their normalized weights.
    pub fn components(&self) -> &[(f64, Component)] {
        &self.components
    }

    /// One line for the docs: `60%: exactly 0%; 25%: normal(mean 10%, sd 5%)`.
    pub fn describe(&self) -> String {
        if let [(_, c)] = self.components.as_slice() {
            return c.describe();
        }
        self.components
            .iter()
            .map(|(w, c)| {
                format!(
                    "{}%: {}",
                    crate::format::fmt_sig(100.0 * w, 2),
                    c.describe()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Draws one effect: a component by its weight, then a value from it;
    /// values outside the effect range are redrawn from the start.
    pub fn draw(&self, rng: &mut SimRng) -> f64 {
        let mut last = 0.0;
        for _ in 0..MAX_TRIES {
            let u = uniform(rng);
            let mut acc = 0.0;
            let mut chosen = self.components[self.components.len() - 1].1;
            for (w, c) in &self.components {
                acc += w;
                if u < acc {
                    chosen = *c;
                    break;
                }
            }
            last = chosen.draw(rng);
            if (EFFECT_MIN..=EFFECT_MAX).contains(&last) {
                return last;
            }
        }
        last.clamp(EFFECT_MIN, EFFECT_MAX)
    }

    /// The prior mean (within the effect range).
    pub fn mean(&self) -> f64 {
        // With a flat likelihood every weight is finite: the components
        // were checked to have finite parameters and positive weights.
        self.integrate(|x| (0.0, x), None).unwrap_or(0.0)
    }

    /// `E[effect | estimate]` for an estimate with a normal likelihood of
    /// standard error `se` (the textbook case; with a normal prior it is the
    /// conjugate `(estimate / se^2 + mean / sd^2) / (1 / se^2 + 1 / sd^2)`).
    /// A standard error that is not positive and finite carries no
    /// information: the prior mean.
    pub fn posterior_mean(&self, estimate: f64, se: f64) -> f64 {
        if !(se.is_finite() && se > 0.0 && estimate.is_finite()) {
            return self.mean();
        }
        self.posterior_mean_with(
            |x| {
                let z = (x - estimate) / se;
                -0.5 * z * z
            },
            Some((estimate, se)),
        )
    }

    /// `E[effect | data]` for the log-likelihood `ln_likelihood(effect)`
    /// (up to a constant). `peak` is where the likelihood has its mass,
    /// `(centre, width)`, so that quadrature panels are placed there too.
    /// Returns the prior mean when the likelihood is nowhere finite.
    pub fn posterior_mean_with(
        &self,
        ln_likelihood: impl Fn(f64) -> f64,
        peak: Option<(f64, f64)>,
    ) -> f64 {
        self.integrate(|x| (ln_likelihood(x), x), peak)
            .unwrap_or_else(|| self.mean())
    }

    /// `E[value(effect) | data]` for the log-likelihood `ln_likelihood`, as
    /// [`EffectPrior::posterior_mean_with`]; `None` when the likelihood is
    /// nowhere finite.
    /// `likelihood_and_value(effect)` returns both at once, for likelihoods
    /// that are themselves integrals (the value is computed on the way).
    pub fn posterior_mean_of(
        &self,
        likelihood_and_value: impl Fn(f64) -> (f64, f64),
        peak: Option<(f64, f64)>,
    ) -> Option<f64> {
        self.integrate(likelihood_and_value, peak)
    }

    /// The posterior mean of the value, where `likelihood_and_value(effect)`
    /// is `(ln likelihood, value)`; `None` when no point has a finite
    /// weight.
    fn integrate(
        &self,
        likelihood_and_value: impl Fn(f64) -> (f64, f64),
        peak: Option<(f64, f64)>,
    ) -> Option<f64> {
        // (log weight, value) of every quadrature point and point mass.
        let mut terms: Vec<(f64, f64)> = Vec::new();
        for (w, c) in &self.components {
            if let Component::PointMass { at } = *c {
                let (ln_likelihood, value) = likelihood_and_value(at);
                terms.push((w.ln() + ln_likelihood, value));
            }
        }
        let continuous: Vec<(f64, Component)> = self
            .components
            .iter()
            .filter(|(_, c)| c.centre_width().is_some())
            .copied()
            .collect();
        if !continuous.is_empty() {
            let edges = panel_edges(&continuous, peak);
            for pair in edges.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let half = 0.5 * (b - a);
                let mid = 0.5 * (a + b);
                for &(t, wt) in gauss_legendre() {
                    let x = mid + half * t;
                    let ln_prior =
                        ln_sum_exp(continuous.iter().map(|(w, c)| w.ln() + c.ln_density(x)));
                    let (ln_likelihood, value) = likelihood_and_value(x);
                    terms.push(((wt * half).ln() + ln_prior + ln_likelihood, value));
                }
            }
        }
        let (ln_total, mean) = weighted_mean(&terms);
        ln_total.is_finite().then_some(mean)
    }
}

/// From `(ln weight, value)` terms: `(ln of the summed weights, weighted
/// mean of the values)`; minus infinity and 0 when no weight is finite.
/// A weight of NaN or +infinity (a broken likelihood) is left out rather
/// than poisoning the sums.
pub(super) fn weighted_mean(terms: &[(f64, f64)]) -> (f64, f64) {
    let top = terms
        .iter()
        .map(|t| t.0)
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return (f64::NEG_INFINITY, 0.0);
    }
    let (mut total, mut weighted) = (0.0, 0.0);
    for &(lw, v) in terms.iter().filter(|t| t.0.is_finite()) {
        let w = (lw - top).exp();
        total += w;
        weighted += w * v;
    }
    (top + total.ln(), weighted / total)
}

/// `ln(sum exp(v))` without overflow or underflow.
fn ln_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let top = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + values.map(|v| (v - top).exp()).sum::<f64>().ln()
}

/// Panel edges over the effect range: uniform ones, plus edges one width
/// apart around every continuous component, every conjugate (normal x
/// normal-likelihood) posterior, and the likelihood's peak.
fn panel_edges(continuous: &[(f64, Component)], peak: Option<(f64, f64)>) -> Vec<f64> {
    let mut centres: Vec<(f64, f64)> = continuous
        .iter()
        .filter_map(|(_, c)| c.centre_width())
        .collect();
    if let Some((at, width)) = peak.filter(|(a, w)| a.is_finite() && w.is_finite() && *w > 0.0) {
        centres.push((at, width));
        // Where a normal component and a likelihood of that width overlap,
        // the posterior sits between them and is narrower than both.
        for (_, c) in continuous {
            if let Component::Normal { mean, sd } = *c {
                let precision = 1.0 / (sd * sd) + 1.0 / (width * width);
                let centre = (mean / (sd * sd) + at / (width * width)) / precision;
                centres.push((centre, precision.sqrt().recip()));
            }
        }
    }
    let span = EFFECT_MAX - EFFECT_MIN;
    let mut edges: Vec<f64> = (0..=UNIFORM_PANELS)
        .map(|i| EFFECT_MIN + span * i as f64 / UNIFORM_PANELS as f64)
        .collect();
    for (centre, width) in centres {
        for j in -SPREAD..=SPREAD {
            let x = centre + f64::from(j) * width;
            if x > EFFECT_MIN && x < EFFECT_MAX {
                edges.push(x);
            }
        }
    }
    edges.sort_by(f64::total_cmp);
    // Panels narrower than this add nothing but rounding.
    edges.dedup_by(|b, a| *b - *a < 1e-12 * span);
    edges
}

/// Gauss-Legendre points and weights on [-1, 1] ([`NODES`] of them), by
/// Newton's method on the Legendre polynomial; computed once.
pub fn gauss_legendre() -> &'static [(f64, f64)] {
    static TABLE: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let n = NODES;
        (0..n)
            .map(|i| {
                // Tricomi's initial guess for the i-th root.
                let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
                let mut derivative = 1.0;
                for _ in 0..100 {
                    let (mut p0, mut p1) = (1.0, x);
                    for k in 2..=n {
                        let k = k as f64;
                        let p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
                        p0 = p1;
                        p1 = p2;
                    }
                    derivative = n as f64 * (x * p1 - p0) / (x * x - 1.0);
                    let step = p1 / derivative;
                    x -= step;
                    if step.abs() < 1e-16 {
                        break;
                    }
                }
                (x, 2.0 / ((1.0 - x * x) * derivative * derivative))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::dist::{normal_cdf, t_cdf};
    use rand::SeedableRng;

    #[test]
    fn gauss_legendre_integrates_polynomials_exactly() {
        let nodes = gauss_legendre();
        assert_eq!(nodes.len(), NODES);
        for k in 0..(2 * NODES as i32) {
            let integral: f64 = nodes.iter().map(|&(x, w)| w * x.powi(k)).sum();
            let exact = if k % 2 == 0 {
                2.0 / f64::from(k + 1)
            } else {
                0.0
            };
            assert!(
                (integral - exact).abs() < 1e-14,
                "x^{k}: {integral} vs {exact}"
            );
        }
    }

    #[test]
    fn densities_integrate_to_one() {
        for c in [
            Component::Normal {
                mean: 0.1,
                sd: 0.05,
            },
            Component::StudentT {
                df: 3,
                location: 0.0,
                scale: 0.05,
            },
        ] {
            let prior = EffectPrior::new(vec![(1.0, c)]).unwrap();
            let edges = panel_edges(prior.components(), None);
            let mut mass = 0.0;
            for pair in edges.windows(2) {
                let half = 0.5 * (pair[1] - pair[0]);
                let mid = 0.5 * (pair[0] + pair[1]);
                for &(t, w) in gauss_legendre() {
                    mass += w * half * c.ln_density(mid + half * t).exp();
                }
            }
            // The exact mass inside the effect range.
            let (centre, width) = c.centre_width().unwrap();
            let z = |x: f64| (x - centre) / width;
            let inside = match c {
                Component::StudentT { df, .. } => {
                    let df = f64::from(df);
                    t_cdf(z(EFFECT_MAX), df) - t_cdf(z(EFFECT_MIN), df)
                }
                _ => normal_cdf(z(EFFECT_MAX)) - normal_cdf(z(EFFECT_MIN)),
            };
            assert!((mass - inside).abs() < 1e-12, "{c:?}: {mass} vs {inside}");
        }
    }

    #[test]
    fn draws_follow_the_prior() {
        let prior = EffectPrior::new(vec![
            (0.6, Component::PointMass { at: 0.0 }),
            (
                0.4,
                Component::Normal {
                    mean: 0.1,
                    sd: 0.05,
                },
            ),
        ])
        .unwrap();
        let mut rng = SimRng::seed_from_u64(3);
        let n = 100_000;
        let draws: Vec<f64> = (0..n).map(|_| prior.draw(&mut rng)).collect();
        let zeros = draws.iter().filter(|&&d| d == 0.0).count() as f64 / n as f64;
        let mean = draws.iter().sum::<f64>() / n as f64;
        assert!((zeros - 0.6).abs() < 0.005, "{zeros}");
        assert!((mean - prior.mean()).abs() < 0.001, "{mean}");
        assert!((prior.mean() - 0.04).abs() < 1e-12);
    }

    #[test]
    fn rejects_invalid_components() {
        assert!(EffectPrior::new(Vec::new()).is_err());
        assert!(EffectPrior::normal(0.0, 0.0).is_err());
        assert!(EffectPrior::normal(5.0, 0.1).is_err());
        assert!(EffectPrior::student_t(0, 0.1).is_err());
        assert!(EffectPrior::new(vec![(f64::NAN, Component::PointMass { at: 0.0 })]).is_err());
    }

    #[test]
    fn far_away_likelihood_does_not_underflow() {
        let prior = EffectPrior::normal(0.0, 0.01).unwrap();
        let m = prior.posterior_mean(1.4, 0.001);
        assert!(m.is_finite() && m > 0.0, "{m}");
        assert_eq!(prior.posterior_mean(0.3, 0.0), prior.mean());
        assert_eq!(prior.posterior_mean_with(|_| f64::NAN, None), prior.mean());
    }
}
