//! Axis helpers: "nice" tick values, domain padding and linear scales.

/// Evenly spaced tick values whose step is 1, 2, 2.5 or 5 times a power of
/// ten, covering a range; the first and last values are the axis ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// Tick values, increasing, at least two.
    pub values: Vec<f64>,
    /// Distance between neighbouring ticks.
    pub step: f64,
}

impl Ticks {
    /// The lowest tick: the start of the axis.
    pub fn lo(&self) -> f64 {
        self.values[0]
    }

    /// The highest tick: the end of the axis.
    pub fn hi(&self) -> f64 {
        self.values[self.values.len() - 1]
    }
}

/// The mantissas of nice steps, times ten so they are integers; 2.5 is
/// allowed because quarter steps (25%, $2.5k) read naturally.
const MANTISSAS_X10: [i64; 4] = [10, 20, 25, 50];

/// The smallest nice step whose ticks cover `[lo, hi]` with at most
/// `max_ticks` ticks, and those ticks. `max_ticks` is raised to 3: a range
/// with zero inside needs `-s, 0, +s` whatever the step.
///
/// Degenerate input is repaired rather than rejected, so callers never
/// have to special-case it: bounds are swapped if reversed, an empty range
/// is padded with [`pad_domain`] (10% of the value, or 1 around zero), and
/// non-finite bounds give the ticks of `[0, 1]`.
///
/// Tick values are computed as integer multiples divided by an exact power
/// of ten, so they print cleanly (`0.3`, never `0.30000000000000004`).
pub fn nice_ticks(lo: f64, hi: f64, max_ticks: usize) -> Ticks {
    let max_ticks = max_ticks.max(3) as i64;
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        pad_domain(lo, hi, 0.0)
    } else {
        (0.0, 1.0)
    };
    let span = hi - lo;
    // Start one decade below the naive step and walk up: the first step
    // that fits is the smallest nice one.
    let mut exp = (span / max_ticks as f64).log10().floor() as i32 - 1;
    loop {
        for m in MANTISSAS_X10 {
            let step = m as f64 * pow10(exp - 1);
            let first = snap(lo / step, f64::floor);
            let last = snap(hi / step, f64::ceil);
            if !(first.is_finite() && last.is_finite()) {
                continue;
            }
            let (first, last) = (first as i64, last as i64);
            if last - first < max_ticks {
                let values = (first..=last.max(first + 1))
                    .map(|i| scaled(i * m, exp - 1))
                    .collect();
                return Ticks { values, step };
            }
        }
        exp += 1;
    }
}

/// Widens a range that is too narrow to draw: if `hi - lo` is below
/// `min_span` (or the range is a single value), the range is grown
/// symmetrically around its middle to `min_span`, or for a single value
/// with `min_span == 0` to 10% of the value either side (1 either side of
/// zero). Non-finite input gives `(0, 1)`.
pub fn pad_domain(lo: f64, hi: f64, min_span: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let mid = lo / 2.0 + hi / 2.0;
    // A range below a relative 1e-9 of its values cannot be ticked.
    let tiny = 1e-9 * lo.abs().max(hi.abs());
    let mut span = hi - lo;
    if span < min_span {
        span = min_span;
    }
    if span <= tiny || span == 0.0 {
        span = if mid == 0.0 { 2.0 } else { mid.abs() * 0.2 };
    }
    if span == hi - lo {
        return (lo, hi);
    }
    (mid - span / 2.0, mid + span / 2.0)
}

/// Rounds `q` with `round`, except that a quotient within a hair of an
/// integer is that integer: 0.3 / 0.1 is 2.9999999999999996 and must count
/// as 3, not round down to 2 and leave 0.3 uncovered.
fn snap(q: f64, round: fn(f64) -> f64) -> f64 {
    let nearest = q.round();
    if (q - nearest).abs() < 1e-9 {
        nearest
    } else {
        round(q)
    }
}

/// `n * 10^exp` computed so the result is the double nearest to the exact
/// decimal: multiply by an exact power of ten, or divide by one.
fn scaled(n: i64, exp: i32) -> f64 {
    if exp >= 0 {
        n as f64 * pow10(exp)
    } else {
        n as f64 / pow10(-exp)
    }
}

fn pow10(exp: i32) -> f64 {
    10f64.powi(exp)
}

/// A linear map from data values to SVG coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `[d0, d1]` onto `[r0, r1]`; `d0 == d1` maps everything to `r0`.
    pub(crate) fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        Scale { d0, d1, r0, r1 }
    }

    /// The coordinate of `v`, not clamped.
    pub(crate) fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 || !span.is_finite() {
            return self.r0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }

    /// The coordinate of `v` clamped into the range.
    pub(crate) fn clamped(&self, v: f64) -> f64 {
        self.map(v.clamp(self.lo(), self.hi()))
    }

    /// The smaller end of the domain.
    pub(crate) fn lo(&self) -> f64 {
        self.d0.min(self.d1)
    }

    /// The larger end of the domain.
    pub(crate) fn hi(&self) -> f64 {
        self.d0.max(self.d1)
    }

    /// Whether `v` lies in the domain.
    pub(crate) fn contains(&self, v: f64) -> bool {
        v >= self.lo() && v <= self.hi()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_maps_and_clamps() {
        let s = Scale::new(-1.0, 1.0, 0.0, 100.0);
        assert_eq!(s.map(0.0), 50.0);
        assert_eq!(s.clamped(5.0), 100.0);
        assert!(s.contains(-1.0) && !s.contains(1.5));
        let flipped = Scale::new(0.0, 10.0, 200.0, 0.0);
        assert_eq!(flipped.map(10.0), 0.0);
        assert_eq!(Scale::new(1.0, 1.0, 3.0, 9.0).map(7.0), 3.0);
    }
}
