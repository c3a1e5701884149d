//! Group-sequential tests: two-sided efficacy boundaries for a planned
//! number of looks at a growing sample, by alpha spending.
//!
//! The looks are given by their information fractions t_1 < ... < t_k
//! (information so far over the information at the planned size). The
//! cumulative z statistics Z_1, ..., Z_k of a Brownian motion observed at
//! those times have corr(Z_i, Z_j) = sqrt(t_i / t_j). Look j rejects "no
//! effect" when |Z_j| >= c_j, and the boundaries are chosen so that, with no
//! effect, the chance of a first crossing at look j is exactly
//! alpha(t_j) - alpha(t_{j-1}), with the O'Brien-Fleming-type spending
//! function of K. K. G. Lan and D. L. DeMets, "Discrete sequential boundaries
//! for clinical trials" (Biometrika 70, 1983):
//!
//! alpha(t) = 2 (2 - 2 Phi(z_{1 - alpha/4} / sqrt(t))) for t < 1, alpha(t) = alpha for t >= 1
//!
//! (alpha/2 per side; see [`obrien_fleming_spending`] for why per side).
//!
//! So whatever the number and timing of the looks, at most alpha is spent in
//! all; a look at or beyond the planned size (an overrun) spends everything
//! that is left. The joint distribution is integrated numerically by the
//! recursion of P. Armitage, C. K. McPherson and B. C. Rowe, "Repeated
//! significance tests on accumulating data" (J. R. Statist. Soc. A 132,
//! 1969), on the grid and with the Simpson weights of C. Jennison and
//! B. W. Turnbull, *Group Sequential Methods with Applications to Clinical
//! Trials* (Chapman & Hall, 2000), section 19.2.
//!
//! At the current look the repeated confidence interval is
//! estimate +/- c_k se (Jennison & Turnbull ch. 9): the intervals of all
//! looks cover the true effect at once with probability 1 - alpha. The
//! repeated p-value is the smallest level whose boundary at this look is
//! crossed, so it is below alpha exactly when the interval excludes zero.

use super::dist;
use super::result::NotComputable;

/// Grid density parameter r of Jennison & Turnbull (19.2.1): 6r - 1 points
/// per look before Simpson's midpoints. They report errors around 1e-6 in
/// crossing probabilities at r = 16, which keeps the published five-look
/// boundaries within 1e-4 (the test below).
const GRID_R: usize = 16;

/// 1 / sqrt(2 pi): the plain exponential is accurate enough for the
/// integration and much cheaper than the carefully split one of
/// [`dist::normal_pdf`], in the innermost loop.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Levels at which the repeated p-value is tabulated run from this down;
/// above it the O'Brien-Fleming-type function spends nearly all of the level
/// at the first look and the boundaries of later looks stop decreasing with
/// the level, so larger repeated p-values are not defined (see [`GroupSequential::p_value`]).
const P_TABLE_TOP: f64 = 0.5;

/// The table reaches down to this level; smaller repeated p-values are found
/// by solving for the level directly.
const P_TABLE_BOTTOM: f64 = 1e-12;

/// Table nodes per factor of ten in the level. Between nodes the log of the
/// level is interpolated linearly in the log of the fixed-horizon p-value of
/// the boundary, a smooth, nearly straight relation: at 2 nodes per decade
/// below [`P_TABLE_BEND`] and 8 above it the level found has its boundary
/// within 2e-4 of |z| (tests below).
const P_TABLE_PER_DECADE: f64 = 2.0;

/// Above this level the relation bends more (the spending function puts
/// most of a large level on the first look), so nodes are four times denser.
const P_TABLE_BEND: f64 = 0.01;

/// Smallest repeated p-value reported: the levels below it spend amounts
/// that underflow.
const P_FLOOR: f64 = 1e-300;

/// The O'Brien-Fleming-type spending function of Lan & DeMets (1983) for a
/// symmetric two-sided test at level `alpha`: how much of `alpha` may be
/// spent by information fraction `t`, both sides together, and all of it
/// from t = 1 on. Each side spends alpha/2 by the one-sided function
/// 2 - 2 Phi(z_{1 - (alpha/2)/2} / sqrt(t)), so the total is
/// 2 (2 - 2 Phi(z_{1 - alpha/4} / sqrt(t))).
///
/// Why per side: that is how R gsDesign (`sfLDOF`, `test.type = 2`),
/// rpact (`asOF`), ldbounds and the published tables apply the function to
/// a two-sided test, so pilot's boundaries can be checked against them
/// (4.877, ..., 2.031 at five looks). Reading the formula with the
/// two-sided z_{1 - alpha/2} instead spends more at early looks (4.383,
/// 3.100, 2.553, 2.254, 2.064 at five looks): a higher final boundary and
/// less power at the planned size, for a chance to stop early that a
/// pilot rarely takes.
pub fn obrien_fleming_spending(t: f64, alpha: f64) -> f64 {
    if t >= 1.0 {
        return alpha;
    }
    if !(t > 0.0) {
        return 0.0;
    }
    4.0 * dist::normal_sf(dist::normal_isf(alpha / 4.0) / t.sqrt())
}

/// Checks that the information fractions are positive, finite and strictly
/// increasing, and that only the last one reaches 1 (after an overrun look
/// nothing is left to spend).
fn check_fractions(fractions: &[f64]) -> Result<(), NotComputable> {
    if fractions.is_empty() {
        return Err(NotComputable::InvalidInput(
            "a group-sequential analysis needs at least one look",
        ));
    }
    if fractions.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
        return Err(NotComputable::InvalidInput(
            "the information fractions of the looks must be positive numbers",
        ));
    }
    if fractions.windows(2).any(|w| !(w[1] > w[0])) {
        return Err(NotComputable::InvalidInput(
            "the information fractions of the looks must increase from look to look",
        ));
    }
    if fractions[..fractions.len() - 1].iter().any(|&t| t >= 1.0) {
        return Err(NotComputable::InvalidInput(
            "only the current look may reach the planned size; earlier looks spent the whole level",
        ));
    }
    Ok(())
}

/// A look's continuation region on the grid: points and Simpson weights,
/// and the joint sub-density of "no crossing so far, Z_j = z" at each point.
struct Stage {
    points: Vec<f64>,
    weights: Vec<f64>,
    density: Vec<f64>,
}

/// Jennison & Turnbull's grid (19.2.1) for a look where Z has mean `mean`,
/// clamped to the continuation region (-c, c), with Simpson's midpoints
/// and weights.
fn grid(mean: f64, c: f64) -> (Vec<f64>, Vec<f64>) {
    let r = GRID_R as f64;
    let mut x: Vec<f64> = (1..6 * GRID_R)
        .map(|i| {
            let i = i as f64;
            let standard = if i < r {
                -3.0 - 4.0 * (r / i).ln()
            } else if i <= 5.0 * r {
                -3.0 + 3.0 * (i - r) / (2.0 * r)
            } else {
                3.0 + 4.0 * (r / (6.0 * r - i)).ln()
            };
            (mean + standard).clamp(-c, c)
        })
        .collect();
    x.dedup();
    // Simpson's rule on the points with midpoints between them: odd
    // positions carry the grid points, even ones the midpoints.
    let mut points = Vec::with_capacity(2 * x.len());
    for w in x.windows(2) {
        points.push(w[0]);
        points.push(0.5 * (w[0] + w[1]));
    }
    points.extend(x.last());
    let n = points.len();
    let mut weights = vec![0.0; n];
    for i in (0..n.saturating_sub(1)).step_by(2) {
        let h = points[i + 2] - points[i];
        weights[i] += h / 6.0;
        weights[i + 1] += 4.0 * h / 6.0;
        weights[i + 2] += h / 6.0;
    }
    (points, weights)
}

/// The first look: Z_1 ~ N(mean, 1) restricted to (-c, c).
fn first_stage(mean: f64, c: f64) -> Stage {
    let (points, weights) = grid(mean, c);
    let density = points.iter().map(|&z| dist::normal_pdf(z - mean)).collect();
    Stage {
        points,
        weights,
        density,
    }
}

/// Moves the sub-density from look j-1 (information `t_prev`) to look j
/// (information `t`), restricted to (-c, c); `drift` is E[Z] at t = 1.
fn next_stage(prev: &Stage, t_prev: f64, t: f64, c: f64, drift: f64) -> Stage {
    let (points, weights) = grid(drift * t.sqrt(), c);
    let delta = t - t_prev;
    let sd = delta.sqrt();
    let (root_t, root_prev) = (t.sqrt(), t_prev.sqrt());
    // Weighted sub-density at the old points, folded once.
    let mass: Vec<f64> = prev
        .weights
        .iter()
        .zip(&prev.density)
        .map(|(w, h)| w * h)
        .collect();
    let density = points
        .iter()
        .map(|&z| {
            let scaled = z * root_t - drift * delta;
            let sum: f64 = prev
                .points
                .iter()
                .zip(&mass)
                .map(|(&u, &m)| {
                    let x = (scaled - u * root_prev) / sd;
                    // Beyond 38 standard deviations the density underflows;
                    // skipping the exponential there halves the work when
                    // looks are close together.
                    if x.abs() < 38.0 {
                        m * (-0.5 * x * x).exp()
                    } else {
                        0.0
                    }
                })
                .sum();
            sum * INV_SQRT_2PI * root_t / sd
        })
        .collect();
    Stage {
        points,
        weights,
        density,
    }
}

/// Chance of no crossing before look j and |Z_j| >= c at look j
/// (information `t`), from the sub-density of look j-1.
fn crossing(prev: &Stage, t_prev: f64, t: f64, c: f64, drift: f64) -> f64 {
    let delta = t - t_prev;
    let sd = delta.sqrt();
    let (root_t, root_prev) = (t.sqrt(), t_prev.sqrt());
    prev.points
        .iter()
        .zip(prev.weights.iter().zip(&prev.density))
        .map(|(&u, (w, h))| {
            let shift = u * root_prev + drift * delta;
            let upper = dist::normal_sf((c * root_t - shift) / sd);
            let lower = dist::normal_cdf((-c * root_t - shift) / sd);
            w * h * (upper + lower)
        })
        .sum()
}

/// The boundary of look j that spends `spend` given the sub-density of
/// look j-1: solves ln crossing(c) = ln spend for c by Newton's method
/// (the derivative of the crossing chance is a sum of normal densities),
/// kept inside a bracket that bisection shrinks whenever a step leaves it.
fn solve_boundary(prev: &Stage, t_prev: f64, t: f64, spend: f64) -> f64 {
    if !(spend > 0.0) {
        return f64::INFINITY;
    }
    let target = spend.ln();
    let sd = (t - t_prev).sqrt();
    let (root_t, root_prev) = (t.sqrt(), t_prev.sqrt());
    // ln crossing(c) - target and its derivative in c.
    let f = |c: f64| -> (f64, f64) {
        let (mut p, mut dp) = (0.0, 0.0);
        for (&u, (w, h)) in prev
            .points
            .iter()
            .zip(prev.weights.iter().zip(&prev.density))
        {
            let (hi, lo) = (
                (c * root_t - u * root_prev) / sd,
                (c * root_t + u * root_prev) / sd,
            );
            p += w * h * (dist::normal_sf(hi) + dist::normal_sf(lo));
            dp -= w * h * (dist::normal_pdf(hi) + dist::normal_pdf(lo)) * root_t / sd;
        }
        (p.ln() - target, dp / p)
    };
    // Crossing only at this look is at most the chance that |Z_j| >= c, so
    // the boundary lies below the fixed-sample one for `spend`.
    let (mut lo, mut hi) = (0.0_f64, dist::normal_isf(spend / 2.0).min(40.0));
    let mut c = hi;
    for _ in 0..200 {
        let (value, slope) = f(c);
        if value > 0.0 {
            lo = c;
        } else {
            hi = c;
        }
        let step = value / slope;
        if step.abs() < 1e-11 {
            break;
        }
        let next = c - step;
        c = if next > lo && next < hi {
            next
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo < 1e-11 {
            break;
        }
    }
    c
}

/// Two-sided efficacy boundaries c_1..c_k for the cumulative z statistics at
/// information fractions `fractions` (increasing, the current look last;
/// only the last may reach or pass 1), spending `alpha` by the
/// O'Brien-Fleming-type function: with no effect, the chance that
/// |Z_j| >= c_j at some look is alpha(t_k). A look with nothing to spend has
/// an infinite boundary.
pub fn boundaries(fractions: &[f64], alpha: f64) -> Result<Vec<f64>, NotComputable> {
    check_fractions(fractions)?;
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(NotComputable::InvalidInput(
            "the significance level alpha must be between 0 and 1",
        ));
    }
    let spent = |t: f64| obrien_fleming_spending(t, alpha);
    let first = spent(fractions[0]);
    let c1 = if first > 0.0 {
        dist::normal_isf(first / 2.0)
    } else {
        f64::INFINITY
    };
    let mut out = vec![c1];
    let mut stage = first_stage(0.0, c1);
    for j in 1..fractions.len() {
        let (t_prev, t) = (fractions[j - 1], fractions[j]);
        let c = solve_boundary(&stage, t_prev, t, spent(t) - spent(t_prev));
        out.push(c);
        if j + 1 < fractions.len() {
            stage = next_stage(&stage, t_prev, t, c, 0.0);
        }
    }
    Ok(out)
}

/// Chance that |Z_j| >= c_j at one or more of the looks, when E[Z] at
/// information fraction t is `drift` sqrt(t): the type I error for
/// `drift` = 0, the power otherwise (a fixed-horizon test at level alpha
/// has power 1 - beta at `drift` = z_{1-alpha/2} + z_{1-beta}).
pub fn crossing_probability(
    fractions: &[f64],
    bounds: &[f64],
    drift: f64,
) -> Result<f64, NotComputable> {
    check_fractions(fractions)?;
    if bounds.len() != fractions.len() || bounds.iter().any(|c| !(*c > 0.0)) {
        return Err(NotComputable::InvalidInput(
            "each look needs one positive boundary",
        ));
    }
    let mean = drift * fractions[0].sqrt();
    let mut total = dist::normal_sf(bounds[0] - mean) + dist::normal_cdf(-bounds[0] - mean);
    let mut stage = first_stage(mean, bounds[0]);
    for j in 1..fractions.len() {
        let (t_prev, t) = (fractions[j - 1], fractions[j]);
        total += crossing(&stage, t_prev, t, bounds[j], drift);
        if j + 1 < fractions.len() {
            stage = next_stage(&stage, t_prev, t, bounds[j], drift);
        }
    }
    Ok(total)
}

/// The group-sequential analysis at the current look: the boundary that
/// sets the width of the repeated confidence interval, and the repeated
/// p-value.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSequential {
    alpha: f64,
    fractions: Vec<f64>,
    boundary: f64,
    /// (boundary at this look, ln level) for levels from [`P_TABLE_TOP`]
    /// down to [`P_TABLE_BOTTOM`] and alpha itself, boundary increasing.
    table: Vec<(f64, f64)>,
}

impl GroupSequential {
    /// The analysis at the last of the looks at information fractions
    /// `fractions` (see [`boundaries`]) at level `alpha`. Tabulates the
    /// repeated p-value once, so that each comparison costs a lookup.
    pub fn new(fractions: &[f64], alpha: f64) -> Result<Self, NotComputable> {
        let current = |level: f64| -> Result<f64, NotComputable> {
            Ok(*boundaries(fractions, level)?
                .last()
                .expect("boundaries returns one per look"))
        };
        let boundary = current(alpha)?;
        // Log-spaced levels, denser above 0.01 where the relation bends.
        let span = |top: f64, bottom: f64, per_decade: f64| {
            let nodes = ((top / bottom).log10() * per_decade).ceil() as usize;
            (0..nodes).map(move |i| top * (bottom / top).powf(i as f64 / nodes as f64))
        };
        let mut levels: Vec<f64> = span(P_TABLE_TOP, P_TABLE_BEND, 4.0 * P_TABLE_PER_DECADE)
            .chain(span(P_TABLE_BEND, P_TABLE_BOTTOM, P_TABLE_PER_DECADE))
            .chain(std::iter::once(P_TABLE_BOTTOM))
            .collect();
        if alpha < P_TABLE_TOP && alpha > P_TABLE_BOTTOM {
            levels.push(alpha);
        }
        levels.sort_by(|a, b| b.total_cmp(a));
        let mut table = Vec::with_capacity(levels.len());
        for level in levels {
            let c = if level == alpha {
                boundary
            } else {
                current(level)?
            };
            // Numerical noise must not make the table non-monotone: the
            // repeated p-value has to decrease as |z| grows.
            let c = table
                .last()
                .map_or(c, |&(prev, _): &(f64, f64)| c.max(prev));
            table.push((c, level.ln()));
        }
        Ok(GroupSequential {
            alpha,
            fractions: fractions.to_vec(),
            boundary,
            table,
        })
    }

    /// Significance level the boundary spends.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Number of the current look (1 for the first).
    pub fn look(&self) -> usize {
        self.fractions.len()
    }

    /// Information fraction of the current look (above 1 after an overrun).
    pub fn fraction(&self) -> f64 {
        *self.fractions.last().expect("at least one look")
    }

    /// The current look's boundary c_k for |z|: the repeated confidence
    /// interval is estimate +/- c_k se.
    pub fn boundary(&self) -> f64 {
        self.boundary
    }

    /// Repeated p-value of the z statistic `z` at the current look: the
    /// smallest level whose boundary at this look |z| reaches. Below
    /// [`P_TABLE_TOP`] it is read from the table (exact at alpha, so that it
    /// is below alpha exactly when |z| >= c_k); beyond the table it is
    /// solved for. Weaker evidence than the boundary at level 0.5 has no
    /// repeated p-value; it is reported on the straight line from 0.5 there
    /// to 1 at z = 0, which keeps the p-value continuous and decreasing in |z|.
    pub fn p_value(&self, z: f64) -> f64 {
        let z = z.abs();
        let (c_top, _) = self.table[0];
        if z <= c_top {
            return 1.0 - (1.0 - P_TABLE_TOP) * z / c_top;
        }
        let &(c_bottom, ln_bottom) = self.table.last().expect("table has nodes");
        if z >= c_bottom {
            return self.solve_level(z, ln_bottom);
        }
        let i = self.table.partition_point(|&(c, _)| c <= z);
        let (c0, l0) = self.table[i - 1];
        let (c1, l1) = self.table[i];
        if c1 <= c0 {
            return l0.exp();
        }
        // Interpolated in the log of the fixed-horizon p-value of the
        // boundary, in which the log of the level is nearly straight
        // (exactly so with one look).
        let nominal = |c: f64| dist::normal_two_sided_p(c).ln();
        let (x0, x1) = (nominal(c0), nominal(c1));
        (l0 + (l1 - l0) * (nominal(z) - x0) / (x1 - x0)).exp()
    }

    /// The level below the table whose boundary at this look is `z`, by
    /// bisection on its log between [`P_FLOOR`] and the table's bottom.
    fn solve_level(&self, z: f64, ln_top: f64) -> f64 {
        let (mut lo, mut hi) = (P_FLOOR.ln(), ln_top);
        let crossed = |ln_level: f64| {
            boundaries(&self.fractions, ln_level.exp())
                .ok()
                .and_then(|b| b.last().copied())
                .is_some_and(|c| z >= c)
        };
        if crossed(lo) {
            return P_FLOOR;
        }
        while hi - lo > 1e-4 {
            let mid = 0.5 * (lo + hi);
            if crossed(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi.exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_look_at_the_planned_size_is_the_fixed_horizon_test() {
        let c = boundaries(&[1.0], 0.05).unwrap();
        assert!((c[0] - 1.959963984540054).abs() < 1e-12, "{c:?}");
        let gs = GroupSequential::new(&[1.0], 0.05).unwrap();
        assert!((gs.p_value(1.959963984540054) - 0.05).abs() < 1e-12);
        // Between the table's nodes the p-value is the fixed-horizon one
        // to within the interpolation error.
        for z in [1.0, 2.5, 3.3, 5.0] {
            let exact = dist::normal_two_sided_p(z);
            let got = gs.p_value(z);
            assert!((got / exact - 1.0).abs() < 1e-3, "{z}: {got} vs {exact}");
        }
    }

    /// Lan-DeMets O'Brien-Fleming-type spending, alpha = 0.05 two-sided,
    /// five equally spaced looks. Published values: 4.877, 3.357, 2.680,
    /// 2.290, 2.031 (R gsDesign `gsDesign(k = 5, test.type = 2, sfu =
    /// sfLDOF)`, rpact `getDesignGroupSequential(typeOfDesign = "asOF")`,
    /// ldbounds, and DeMets & Lan, Stat. Med. 13 (1994); printed to three
    /// decimals). pilot computes 4.87688, 3.35701, 2.68028, 2.28982,
    /// 2.03103. Checked independently (not part of the tests) with scipy's
    /// `multivariate_normal.cdf` (Genz's quasi-Monte Carlo integration of
    /// the joint normal with corr sqrt(t_i / t_j)): the chance of a first
    /// crossing at each of these boundaries equals the spend to 2e-6, 0.050001
    /// in all. Tolerance 5e-4: half a unit of the last printed decimal.
    #[test]
    fn five_equally_spaced_looks_match_published_boundaries() {
        let t = [0.2, 0.4, 0.6, 0.8, 1.0];
        let c = boundaries(&t, 0.05).unwrap();
        let published = [4.877, 3.357, 2.680, 2.290, 2.031];
        for (got, want) in c.iter().zip(published) {
            assert!((got - want).abs() < 5e-4, "{c:?}");
        }
    }

    #[test]
    fn the_boundaries_spend_exactly_alpha() {
        for t in [
            vec![0.2, 0.4, 0.6, 0.8, 1.0],
            (1..=10).map(|i| i as f64 / 10.0).collect(),
            vec![0.15, 0.5, 0.55, 1.0],
            vec![0.3, 0.7, 1.3],
        ] {
            let c = boundaries(&t, 0.05).unwrap();
            let total = crossing_probability(&t, &c, 0.0).unwrap();
            assert!((total - 0.05).abs() < 1e-6, "{t:?}: {total}");
        }
        // Stopped early: only alpha(t_k) is spent so far.
        let t = [0.25, 0.5];
        let c = boundaries(&t, 0.05).unwrap();
        let total = crossing_probability(&t, &c, 0.0).unwrap();
        assert!((total - obrien_fleming_spending(0.5, 0.05)).abs() < 1e-8);
    }

    /// A seeded Monte Carlo of Brownian motion observed at ten looks, as an
    /// independent check of the integration: the share of paths that cross
    /// is within 3 binomial standard errors of alpha (0.0022 at 100,000).
    #[test]
    fn monte_carlo_crossing_rate_is_alpha() {
        use crate::simulate::{SimRng, normal};
        use rand::SeedableRng;
        let t: Vec<f64> = (1..=10).map(|i| i as f64 / 10.0).collect();
        let c = boundaries(&t, 0.05).unwrap();
        let mut rng = SimRng::seed_from_u64(20260424);
        let reps = 100_000;
        let mut crossed = 0;
        for _ in 0..reps {
            let mut w = 0.0_f64;
            let mut t_prev = 0.0;
            for (&tj, &cj) in t.iter().zip(&c) {
                w += normal(&mut rng) * (tj - t_prev).sqrt();
                t_prev = tj;
                if (w / tj.sqrt()).abs() >= cj {
                    crossed += 1;
                    break;
                }
            }
        }
        let rate = crossed as f64 / reps as f64;
        let se = (0.05_f64 * 0.95 / reps as f64).sqrt();
        assert!((rate - 0.05).abs() < 3.0 * se, "{rate}");
    }

    #[test]
    fn power_at_the_planned_size_is_close_to_fixed_horizon() {
        // Drift giving 80% power to the fixed-horizon test at alpha 0.05.
        let drift = dist::normal_isf(0.025) + dist::normal_isf(0.2);
        let t: Vec<f64> = (1..=10).map(|i| i as f64 / 10.0).collect();
        let c = boundaries(&t, 0.05).unwrap();
        let power = crossing_probability(&t, &c, drift).unwrap();
        assert!(power > 0.77 && power < 0.80, "{power}");
        let fixed = crossing_probability(&[1.0], &[c[0].min(1.959963984540054)], drift).unwrap();
        assert!((fixed - 0.8).abs() < 1e-3, "{fixed}");
    }

    #[test]
    fn repeated_p_value_agrees_with_the_boundary() {
        let t = [0.2, 0.45, 0.7];
        let gs = GroupSequential::new(&t, 0.05).unwrap();
        let c = gs.boundary();
        assert!(gs.p_value(c * (1.0 + 1e-9)) <= 0.05);
        assert!(gs.p_value(c * (1.0 - 1e-9)) > 0.05);
        // Interpolated against solved: the level found has its boundary
        // at z to within 2e-4 (relative) between the nodes, which moves the
        // p-value by less than 0.1%.
        for z in [1.5, 2.0, 2.9, 4.2, 6.0] {
            let p = gs.p_value(z);
            let solved = GroupSequential::new(&t, p).unwrap().boundary();
            assert!(
                (solved - z).abs() < 2e-4 * z,
                "{z}: p {p}, boundary {solved}"
            );
        }
        // Decreasing in |z|, symmetric, and solved beyond the table.
        let mut last = 1.0;
        for i in 0..200 {
            let z = i as f64 * 0.05;
            let p = gs.p_value(z);
            assert!(p <= last && p == gs.p_value(-z), "{z}");
            last = p;
        }
        let far = gs.p_value(9.0);
        assert!(far > 0.0 && far < 1e-12, "{far}");
        let solved = GroupSequential::new(&t, far).unwrap().boundary();
        assert!((solved - 9.0).abs() < 1e-3, "{solved}");
    }

    #[test]
    fn an_overrun_look_spends_what_is_left() {
        let t = [0.5, 1.4];
        let c = boundaries(&t, 0.05).unwrap();
        let total = crossing_probability(&t, &c, 0.0).unwrap();
        assert!((total - 0.05).abs() < 1e-6, "{total}");
        assert!(c[1] > 1.959963984540054 && c[1] < 2.0, "{c:?}");
    }

    #[test]
    fn bad_looks_are_not_computable() {
        for t in [
            vec![],
            vec![0.5, 0.5],
            vec![0.6, 0.3],
            vec![0.0, 0.5],
            vec![f64::NAN],
            vec![1.0, 1.2],
        ] {
            assert!(boundaries(&t, 0.05).is_err(), "{t:?}");
            assert!(GroupSequential::new(&t, 0.05).is_err(), "{t:?}");
        }
        assert!(boundaries(&[0.5], 1.5).is_err());
        assert!(crossing_probability(&[0.5, 1.0], &[3.0], 0.0).is_err());
    }
}
