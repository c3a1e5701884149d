//! The Monte Carlo over the lifts.
//!
//! Each draw samples every benefit metric's lift from `Normal(estimate, se)`
//! (a metric with `se == 0` is not drawn: it is a point mass and consumes no
//! random numbers) and reduces the draw to the scalar `x` (see
//! [`super::model`]). Because every quantity reported is a nondecreasing
//! function of `x` for a fixed month (`F_T >= 0`), the percentiles of the
//! NPV, of the ROI and of each month's cumulative cash flow are the images of
//! the percentiles of `x`: one stored `f64` per draw is enough, and nothing
//! per draw per month is kept.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

use super::model::{Schedule, Term, full_effect_benefit};

/// Number of bins of the NPV histogram.
pub const HISTOGRAM_BINS: usize = 40;

/// What the simulation hands back to the report.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Simulated {
    /// Mean NPV over the draws.
    pub(super) npv_mean: f64,
    /// 5th, 50th and 95th percentiles of `x`.
    pub(super) x_p05: f64,
    pub(super) x_p50: f64,
    pub(super) x_p95: f64,
    /// Share of draws with NPV > 0.
    pub(super) probability_positive: f64,
    /// Share of draws that pay back within the horizon.
    pub(super) probability_payback: f64,
    /// Mean of `max(0, -NPV)`.
    pub(super) loss_rollout: f64,
    /// Mean of `max(0, NPV)`.
    pub(super) loss_stop: f64,
    /// Histogram of the draws' NPV.
    pub(super) histogram: Histogram,
}

/// A histogram of the simulated NPVs, for charts.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Histogram {
    /// Bin edges in money, ascending, one more than `counts`. The first edge
    /// is the smallest draw and the last the largest; bins are half-open
    /// `[lo, hi)` except the last, which includes the largest draw. When
    /// every draw is equal there is a single bin whose two edges are equal.
    pub edges: Vec<f64>,
    /// Number of draws per bin; sums to the number of draws.
    pub counts: Vec<u64>,
}

/// Runs `draws` (>= 1) draws seeded from `seed`.
pub(super) fn simulate(schedule: &Schedule, terms: &[Term], draws: u32, seed: u64) -> Simulated {
    let n = draws as usize;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut normal = PolarNormal::default();
    let mut xs = Vec::with_capacity(n);
    let mut npv_sum = Sum::default();
    let mut rollout_sum = Sum::default();
    let mut stop_sum = Sum::default();
    let mut positive = 0u64;
    let mut payback = 0u64;
    for _ in 0..n {
        let x = full_effect_benefit(terms, |term| {
            if term.se > 0.0 {
                term.lift + term.se * normal.sample(&mut rng)
            } else {
                term.lift
            }
        });
        let npv = schedule.npv(x);
        npv_sum.add(npv);
        rollout_sum.add((-npv).max(0.0));
        stop_sum.add(npv.max(0.0));
        positive += u64::from(npv > 0.0);
        payback += u64::from(schedule.payback_month(x).is_some());
        xs.push(x);
    }
    let histogram = histogram(schedule, &xs);
    let total = n as f64;
    Simulated {
        npv_mean: npv_sum.value() / total,
        x_p05: quantile(&mut xs, 0.05),
        x_p50: quantile(&mut xs, 0.50),
        x_p95: quantile(&mut xs, 0.95),
        probability_positive: positive as f64 / total,
        probability_payback: payback as f64 / total,
        loss_rollout: rollout_sum.value() / total,
        loss_stop: stop_sum.value() / total,
        histogram,
    }
}

/// The NPV histogram over `HISTOGRAM_BINS` equal bins from the smallest to
/// the largest draw. `xs` is not empty.
fn histogram(schedule: &Schedule, xs: &[f64]) -> Histogram {
    let (lo_x, hi_x) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    // The NPV is nondecreasing in x, so its extremes are the images of x's.
    let lo = schedule.npv(lo_x);
    let hi = schedule.npv(hi_x);
    let width = (hi - lo) / HISTOGRAM_BINS as f64;
    if width.is_nan() || width <= 0.0 {
        return Histogram {
            edges: vec![lo, hi],
            counts: vec![xs.len() as u64],
        };
    }
    let mut counts = vec![0u64; HISTOGRAM_BINS];
    for &x in xs {
        let offset = (schedule.npv(x) - lo) / width;
        // `as usize` saturates (negative rounding noise -> 0); the largest
        // draw lands on index BINS and belongs to the last, closed bin.
        let bin = (offset as usize).min(HISTOGRAM_BINS - 1);
        counts[bin] += 1;
    }
    let mut edges: Vec<f64> = (0..HISTOGRAM_BINS).map(|i| lo + i as f64 * width).collect();
    edges.push(hi);
    Histogram { edges, counts }
}

/// The `p`-quantile of `values` (not empty), linear interpolation between
/// order statistics (type 7, the default of R and NumPy). Reorders `values`.
fn quantile(values: &mut [f64], p: f64) -> f64 {
    let h = (values.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    let (_, &mut below, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    if frac == 0.0 || above.is_empty() {
        return below;
    }
    let next = above.iter().copied().fold(f64::INFINITY, f64::min);
    below + frac * (next - below)
}

/// Standard normal draws by Marsaglia's polar method.
///
/// Chosen over a ziggurat for reproducibility across platforms: whether a
/// pair of uniforms is accepted depends only on `u*u + v*v < 1`, which IEEE
/// arithmetic computes identically everywhere, so the stream of draws never
/// shifts; only `ln` comes from the platform's math library, which can move
/// a value by an ulp, never which uniforms are used.
#[derive(Debug, Default)]
struct PolarNormal {
    /// The second draw of the last accepted pair.
    spare: Option<f64>,
}

impl PolarNormal {
    fn sample(&mut self, rng: &mut Xoshiro256PlusPlus) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = symmetric_uniform(rng.next_u64());
            let v = symmetric_uniform(rng.next_u64());
            let s = u * u + v * v;
            if s < 1.0 && s > 0.0 {
                let factor = (-2.0 * s.ln() / s).sqrt();
                self.spare = Some(v * factor);
                return u * factor;
            }
        }
    }
}

/// Uniform on [-1, 1) from the top 53 bits (exact: no rounding anywhere).
#[inline]
fn symmetric_uniform(bits: u64) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 52) as f64;
    (bits >> 11) as f64 * SCALE - 1.0
}

/// Neumaier-compensated sum: the mean of 10^5..10^7 NPVs keeps ~15 digits,
/// so a point-mass run reports the point NPV, not an accumulation of rounding.
#[derive(Debug, Default)]
struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    #[inline]
    fn add(&mut self, value: f64) {
        let t = self.sum + value;
        if self.sum.abs() >= value.abs() {
            self.compensation += (self.sum - t) + value;
        } else {
            self.compensation += (value - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_like_type_7() {
        // Sorted 1, 2, 3, 4: h = 3p. p=0.5 -> h=1.5 -> 2 + 0.5*(3-2) = 2.5.
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&mut v, 0.5), 2.5);
        // p=0.05 -> h=0.15 -> 1 + 0.15*(2-1) = 1.15
        assert!((quantile(&mut v, 0.05) - 1.15).abs() < 1e-15);
        // p=0.95 -> h=2.85 -> 3 + 0.85*(4-3) = 3.85
        assert!((quantile(&mut v, 0.95) - 3.85).abs() < 1e-15);
        assert_eq!(quantile(&mut [7.0], 0.95), 7.0);
    }

    #[test]
    fn uniform_covers_minus_one_to_one() {
        assert_eq!(symmetric_uniform(0), -1.0);
        assert_eq!(symmetric_uniform(u64::MAX), 1.0 - 2f64.powi(-52));
        assert_eq!(symmetric_uniform(1 << 63), 0.0);
    }

    #[test]
    fn polar_draws_are_standard_normal() {
        // 200k draws: the mean's standard error is 1/sqrt(2e5) = 0.0022, the
        // variance's sqrt(2/2e5) = 0.0032, a tail share's
        // sqrt(0.05*0.95/2e5) = 0.0005. Bounds are 4-5 standard errors.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut normal = PolarNormal::default();
        let n = 200_000;
        let (mut sum, mut sum_sq, mut above) = (0.0, 0.0, 0usize);
        for _ in 0..n {
            let z = normal.sample(&mut rng);
            sum += z;
            sum_sq += z * z;
            above += usize::from(z > 1.644_853_626_951_472);
        }
        let mean = sum / n as f64;
        let var = sum_sq / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.015, "variance {var}");
        let share = above as f64 / n as f64;
        assert!((share - 0.05).abs() < 0.0025, "upper tail {share}");
    }

    #[test]
    fn compensated_sum_keeps_small_terms() {
        let mut s = Sum::default();
        s.add(1e16);
        for _ in 0..10 {
            s.add(1.0);
        }
        s.add(-1e16);
        assert_eq!(s.value(), 10.0);
    }
}
