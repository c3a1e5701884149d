//! Preposterior analysis: what a decision will be worth once more data is
//! in, before it is collected. Shared by the value of waiting
//! ([`super::money::value_of_more_data`]) and the profit-optimal pilot size
//! ([`super::test_and_roll`]).
//!
//! With a normal likelihood the posterior mean is increasing in the
//! estimate, so "roll out iff the expected NPV after the data is positive"
//! switches at one estimate `c` ([`crossing`]), and by the tower property the
//! decision's value is `E[(a + b theta) 1{estimate beyond c}]`
//! ([`value_beyond`]), a closed-form sum over normal components.

use super::mixture::NormalMixture;
use crate::stats::dist::{normal_cdf, normal_pdf};

/// The `y` where the increasing function `f` reaches `target`, searching
/// outward from `target` in doubling steps of `scale`, then bisecting to the
/// last bit; `None` when it is not reached within `1e15` scales.
pub(crate) fn crossing(f: &dyn Fn(f64) -> f64, target: f64, scale: f64) -> Option<f64> {
    if !(target.is_finite() && scale.is_finite() && scale > 0.0) {
        return None;
    }
    let below = |y: f64| f(y) < target;
    let start_below = below(target);
    let direction = if start_below { 1.0 } else { -1.0 };
    let (mut inner, mut outer) = (target, target);
    let mut step = scale;
    let mut found = false;
    while step <= 1e15 * scale {
        outer = target + direction * step;
        if below(outer) != start_below {
            found = true;
            break;
        }
        inner = outer;
        step *= 2.0;
    }
    if !found {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (inner + outer);
        if mid == inner || mid == outer {
            break;
        }
        if below(mid) == start_below {
            inner = mid;
        } else {
            outer = mid;
        }
    }
    Some(0.5 * (inner + outer))
}

/// `E[(a + b theta) 1{y beyond c}]` for `theta` distributed as `theta`
/// and `y | theta ~ N(theta, se^2)`: beyond means above `c` when `b > 0`,
/// below it when `b < 0` (where rolling out is the better choice). Per
/// component `(w, m, s)`, with `spread = sqrt(s^2 + se^2)` and
/// `d = (m - c) / spread`: `w [a Phi(d) + b (m Phi(d) + s^2 / spread phi(d))]`
/// (mirrored for `b < 0`).
pub(crate) fn value_beyond(theta: &NormalMixture, se: f64, a: f64, b: f64, c: f64) -> f64 {
    let above = b > 0.0;
    theta
        .components()
        .iter()
        .map(|k| {
            let spread = (k.sd * k.sd + se * se).sqrt();
            let d = (k.mean - c) / spread;
            let (p, density) = if above {
                (normal_cdf(d), normal_pdf(d))
            } else {
                (normal_cdf(-d), -normal_pdf(d))
            };
            k.weight * (a * p + b * (k.mean * p + k.sd * k.sd / spread * density))
        })
        .sum()
}
