//! What pilot believes about an initiative's effect before the data: the
//! prior of the decision model.
//!
//! Priors are stated on the **relative** effect (treatment / control - 1),
//! the one scale on which a text reminder, a discount and faster support
//! replies are comparable, and turned into the metric's own units by
//! [`EffectScale`]: the control mean for metrics whose values are positive
//! by nature (rates, amounts, counts), the control standard deviation for a
//! metric whose mean is zero or negative (margins, NPS), where a relative
//! change means nothing.
//!
//! The default is a scale mixture of normals: most initiatives move a metric
//! by a few percent, some by ten, a few by thirty or more, in either
//! direction. How it was chosen, and how much a wrong prior costs, is in
//! `docs/decision.md`.

use super::mixture::{Component, NormalMixture};
use crate::config::Prior;

/// The default prior on the relative effect: weights and standard
/// deviations of its components, all centred on no effect.
///
/// 60% of initiatives within a few percent (sd 3%), 30% around ten percent
/// (sd 10%), 10% large (sd 30%): overall sd 11%, but with much heavier tails
/// than a normal of that width, so a large measured effect is believed
/// instead of being shrunk away. See `docs/decision.md` for the sources and
/// the portfolio simulation that checked it.
pub const DEFAULT_COMPONENTS: [(f64, f64); 3] = [(0.6, 0.03), (0.3, 0.10), (0.1, 0.30)];

/// How a relative effect becomes an absolute one for one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EffectScale {
    /// Multiply by the control mean (positive).
    ControlMean(f64),
    /// Multiply by the control standard deviation (the control mean is 0 or
    /// negative, so the prior is on the standardized effect).
    ControlSd(f64),
}

impl EffectScale {
    /// The scale for a metric with this control mean and standard deviation;
    /// `None` when neither gives a positive, finite scale (no data, or every
    /// value the same and zero).
    pub fn of(control_mean: Option<f64>, control_sd: Option<f64>) -> Option<Self> {
        match (control_mean, control_sd) {
            (Some(m), _) if m > 0.0 && m.is_finite() => Some(Self::ControlMean(m)),
            (_, Some(s)) if s > 0.0 && s.is_finite() => Some(Self::ControlSd(s)),
            _ => None,
        }
    }

    /// The multiplier from relative to absolute effects.
    pub fn value(self) -> f64 {
        match self {
            Self::ControlMean(v) | Self::ControlSd(v) => v,
        }
    }
}

/// The prior on the relative effect, or `None` for no prior (data alone).
pub fn relative_prior(prior: Prior) -> Option<NormalMixture> {
    match prior {
        Prior::Default => NormalMixture::new(
            DEFAULT_COMPONENTS
                .iter()
                .map(|&(weight, sd)| Component {
                    weight,
                    mean: 0.0,
                    sd,
                })
                .collect(),
        ),
        Prior::Normal { mean, sd } => Some(NormalMixture::normal(mean, sd)),
        Prior::Flat => None,
    }
}

/// The prior on the absolute effect of a metric with this scale.
pub fn absolute_prior(prior: Prior, scale: EffectScale) -> Option<NormalMixture> {
    relative_prior(prior).map(|p| p.affine(0.0, scale.value()))
}

/// The posterior of the absolute effect given its estimate and standard
/// error, under `prior`; with no prior (or no scale to state it on), the
/// sampling distribution `N(estimate, std_error^2)`.
pub fn posterior(
    prior: Prior,
    scale: Option<EffectScale>,
    estimate: f64,
    std_error: f64,
) -> NormalMixture {
    match scale.and_then(|s| absolute_prior(prior, s)) {
        Some(p) => p.posterior(estimate, std_error),
        None => NormalMixture::normal(estimate, std_error),
    }
}

/// A plain description of the prior, for reports.
pub fn describe(prior: Prior) -> String {
    match prior {
        Prior::Default => "pilot's default: most initiatives change a metric by a few percent, \
                           some by about 10%, a few by 30% or more, either way"
            .to_string(),
        Prior::Normal { mean, sd } => format!(
            "normal, relative effect {:+.1}% on average with a standard deviation of {:.1}%",
            mean * 100.0,
            sd * 100.0
        ),
        Prior::Flat => "none: the data alone".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_prior_is_centred_with_heavy_tails() {
        let p = relative_prior(Prior::Default).unwrap();
        assert!(p.mean().abs() < 1e-15);
        let sd = p.sd();
        assert!((sd - (0.6f64 * 0.0009 + 0.3 * 0.01 + 0.1 * 0.09).sqrt()).abs() < 1e-15);
        // Heavier tails than a normal of the same sd: P(|X| > 3 sd) is
        // 0.27% for the normal, several times more for the mixture.
        let tail = 2.0 * p.sf(3.0 * sd);
        assert!(tail > 0.01, "tail {tail}");
    }

    #[test]
    fn scale_falls_back_to_the_sd_when_the_mean_is_not_positive() {
        assert_eq!(
            EffectScale::of(Some(-3.0), Some(2.0)),
            Some(EffectScale::ControlSd(2.0))
        );
        assert_eq!(
            EffectScale::of(Some(0.2), Some(0.4)),
            Some(EffectScale::ControlMean(0.2))
        );
        assert_eq!(EffectScale::of(Some(0.0), Some(0.0)), None);
    }

    #[test]
    fn flat_prior_returns_the_sampling_distribution() {
        let post = posterior(Prior::Flat, Some(EffectScale::ControlMean(1.0)), 0.3, 0.1);
        assert_eq!(post, NormalMixture::normal(0.3, 0.1));
    }
}
