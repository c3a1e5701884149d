//! Where the true difference between two arms can lie, and intervals held
//! inside it.
//!
//! Normal-band intervals (the confidence sequence, the delta method) know
//! nothing of a metric's range: at a few customers per arm the always-valid
//! interval of a difference of rates reached -1,040 to +1,140 percentage
//! points, and an NPS difference -243 to +282. Both ends of every interval
//! are held inside the parameter space: a difference of rates (conversion,
//! share of satisfied answers) within +/-1, of NPS scores within +/-200, of
//! mean answers on a scale from `low` to `high` within +/-(high - low), and
//! a relative change of a quantity that cannot be negative above -100% (and,
//! for a scale starting above zero, within low / high - 1 and high / low - 1).
//! Clipping keeps coverage: the true value lies inside the space, so it lies
//! in the clipped interval whenever it lay in the original one.
//!
//! Fixed-horizon rates already use Newcombe's score interval, which needs no
//! clipping; these bounds matter for the sequential intervals and the
//! relative changes.

use super::result::{Comparison, Effect};

/// The range of a metric's true arm-to-arm change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParameterSpace {
    /// Smallest and largest possible difference, treatment minus control.
    pub difference: (f64, f64),
    /// Smallest and largest possible relative change.
    pub relative: (f64, f64),
}

impl ParameterSpace {
    /// No bounds: a number per customer that can take any value.
    pub const UNBOUNDED: ParameterSpace = ParameterSpace {
        difference: (f64::NEG_INFINITY, f64::INFINITY),
        relative: (f64::NEG_INFINITY, f64::INFINITY),
    };

    /// A rate or share, between 0 and 1 in each arm.
    pub const RATE: ParameterSpace = ParameterSpace {
        difference: (-1.0, 1.0),
        relative: (-1.0, f64::INFINITY),
    };

    /// A Net Promoter Score, between -100 and +100 in each arm.
    pub const NPS: ParameterSpace = ParameterSpace {
        difference: (-200.0, 200.0),
        relative: (f64::NEG_INFINITY, f64::INFINITY),
    };

    /// The mean answer on a scale from `low` to `high`.
    pub fn scale(low: i64, high: i64) -> ParameterSpace {
        let (low, high) = (low as f64, high as f64);
        let width = high - low;
        let relative = if low > 0.0 {
            (low / high - 1.0, high / low - 1.0)
        } else if low == 0.0 {
            (-1.0, f64::INFINITY)
        } else {
            (f64::NEG_INFINITY, f64::INFINITY)
        };
        ParameterSpace {
            difference: (-width, width),
            relative,
        }
    }

    /// The comparison with both intervals held inside the space. Estimates
    /// lie inside it already (they are differences of possible arm values).
    pub fn bound(&self, comparison: &Comparison) -> Comparison {
        let mut out = *comparison;
        out.absolute = clip(out.absolute, self.difference);
        out.relative = out.relative.map(|r| clip(r, self.relative));
        out
    }
}

fn clip(effect: Effect, (low, high): (f64, f64)) -> Effect {
    Effect {
        ci_low: effect.ci_low.clamp(low, high),
        ci_high: effect.ci_high.clamp(low, high),
        ..effect
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{MeanStats, Options, compare_means};

    #[test]
    fn sequential_scale_answers_at_two_customers_stay_within_the_scale() {
        // Effort answers on a 1-7 scale, 2 customers per arm: the confidence
        // sequence alone is wider than the +/-6 a difference of mean answers
        // can take, and its relative lower end falls below 1/7 - 1.
        let c = MeanStats::from_values([1.0, 7.0]);
        let t = MeanStats::from_values([5.0, 7.0]);
        let opts = Options {
            sequential: true,
            tuning: 400.0,
            ..Options::default()
        };
        let raw = compare_means(&c, &t, &opts).unwrap();
        assert!(raw.absolute.ci_low < -6.0 && raw.absolute.ci_high > 6.0);
        let space = ParameterSpace::scale(1, 7);
        let bounded = space.bound(&raw);
        assert_eq!(
            (bounded.absolute.ci_low, bounded.absolute.ci_high),
            (-6.0, 6.0)
        );
        assert_eq!(bounded.absolute.estimate, 2.0);
        let relative = bounded.relative.unwrap();
        assert!(relative.ci_low >= 1.0 / 7.0 - 1.0 && relative.ci_high <= 6.0);
    }

    #[test]
    fn scale_space_depends_on_where_the_scale_starts() {
        let effort = ParameterSpace::scale(1, 7);
        assert_eq!(effort.difference, (-6.0, 6.0));
        assert_eq!(effort.relative, (1.0 / 7.0 - 1.0, 6.0));
        assert_eq!(ParameterSpace::scale(0, 10).relative.0, -1.0);
        assert_eq!(ParameterSpace::scale(-3, 3).relative.0, f64::NEG_INFINITY);
    }
}
