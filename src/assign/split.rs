//! From a hash point to an arm: bucket ranges, coverage, and the splitter.
//!
//! Arm `i` (weights `w`, in arm order) owns the range
//! `[start_i, start_i + coverage * w_i)` where `start_i = w_0 + ... + w_{i-1}`,
//! the layout of GrowthBook's `getBucketRanges`. A point outside every range
//! is not enrolled. Because each range only grows from its fixed start when
//! coverage is raised, a customer enrolled at a lower coverage keeps the
//! same arm at any higher coverage.
//!
//! For pilot's own hash the comparison is exact: with `u = h / 2^64`, the
//! customer is in arm `i` iff `start_i <= u < end_i`, evaluated on the
//! integer `h` against the boundaries scaled by 2^64 (no rounding of `h`).
//! When coverage is 1 the last arm's range ends at exactly 1, so every
//! customer is enrolled even if the weights' floating-point sum falls a hair
//! short of 1.

use super::hash::{SaltedSha256, growthbook};
use crate::config::HashScheme;

/// The GrowthBook SDK `getBucketRanges(numVariations, coverage, weights)`:
/// coverage is clamped to [0, 1]; weights that are missing, of the wrong
/// length, or that do not sum to within 0.99..=1.01 are replaced by equal
/// weights.
pub fn get_bucket_ranges(
    num_variations: usize,
    coverage: f64,
    weights: Option<&[f64]>,
) -> Vec<(f64, f64)> {
    let coverage = coverage.clamp(0.0, 1.0);
    let equal = vec![1.0 / num_variations as f64; num_variations];
    let mut weights = weights.unwrap_or(&equal);
    if weights.len() != num_variations {
        weights = &equal;
    }
    let total: f64 = weights.iter().sum();
    if !(0.99..=1.01).contains(&total) {
        weights = &equal;
    }
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// The GrowthBook SDK `chooseVariation(n, ranges)`: the first range with
/// `start <= n < end`, or `None` (the SDK's -1).
pub fn choose_variation(n: f64, ranges: &[(f64, f64)]) -> Option<usize> {
    ranges
        .iter()
        .position(|&(start, end)| n >= start && n < end)
}

/// The smallest integer `t` with `h < t` equivalent to `h / 2^64 < b` for
/// every `h` in `0..2^64` (as a u128, since it may be 2^64).
fn threshold(b: f64) -> u128 {
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if b.is_nan() || b <= 0.0 {
        0
    } else if b >= 1.0 {
        1u128 << 64
    } else {
        // b * 2^64 is exact (a power-of-two scaling) and below 2^64.
        (b * TWO_64).ceil() as u128
    }
}

/// Where one customer lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The arm whose range holds the customer's point, `None` if the point
    /// lies outside every range (not enrolled at this coverage).
    pub arm: Option<usize>,
    /// pilot v1 hash of the id under the salt, whatever the scheme: a fine
    /// pseudo-random order used to sequence stratified assignment and to
    /// order the ledger.
    pub order: u64,
}

/// Maps ids to arms for one experiment design.
#[derive(Clone)]
pub struct Splitter {
    scheme: HashScheme,
    salt: String,
    sha: SaltedSha256,
    ranges: Vec<(f64, f64)>,
    thresholds: Vec<(u128, u128)>,
}

impl Splitter {
    /// `weights` are the arms' normalised weights, `0 < coverage <= 1`.
    pub fn new(scheme: HashScheme, salt: &str, weights: &[f64], coverage: f64) -> Self {
        let ranges = match scheme {
            HashScheme::GrowthBook => get_bucket_ranges(weights.len(), coverage, Some(weights)),
            HashScheme::Sha256V1 => {
                let mut ranges = get_bucket_ranges(weights.len(), coverage, Some(weights));
                if coverage >= 1.0
                    && let Some(last) = ranges.last_mut()
                {
                    last.1 = 1.0;
                }
                ranges
            }
        };
        let thresholds = ranges
            .iter()
            .map(|&(start, end)| (threshold(start), threshold(end)))
            .collect();
        Self {
            scheme,
            salt: salt.to_string(),
            sha: SaltedSha256::new(salt),
            ranges,
            thresholds,
        }
    }

    /// The arms' ranges `[start, end)` in [0, 1).
    pub fn ranges(&self) -> &[(f64, f64)] {
        &self.ranges
    }

    /// The pilot v1 hash of `id` (the scheme-independent order key).
    pub fn order_key(&self, id: &str) -> u64 {
        self.sha.hash(id)
    }

    /// Hashes `id` and finds its range.
    pub fn place(&self, id: &str) -> Placement {
        let order = self.sha.hash(id);
        let arm = match self.scheme {
            HashScheme::Sha256V1 => {
                let h = u128::from(order);
                self.thresholds
                    .iter()
                    .position(|&(start, end)| start <= h && h < end)
            }
            HashScheme::GrowthBook => {
                growthbook(&self.salt, id, 2).and_then(|n| choose_variation(n, &self.ranges))
            }
        };
        Placement { arm, order }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_compare_exactly() {
        assert_eq!(threshold(0.5), 1u128 << 63);
        assert_eq!(threshold(1.0), 1u128 << 64);
        assert_eq!(threshold(0.0), 0);
        // 0.3 is stored as slightly less than 0.3; h below the scaled value
        // is inside, h at or above is outside.
        let t = threshold(0.3);
        let exact = 0.3f64 * 18_446_744_073_709_551_616.0;
        assert!((t as f64 - exact).abs() <= 1.0);
    }

    #[test]
    fn full_coverage_leaves_no_gap_at_the_top() {
        let w = [0.1, 0.2, 0.7];
        let s = Splitter::new(HashScheme::Sha256V1, "x", &w, 1.0);
        assert_eq!(s.thresholds.last().map(|t| t.1), Some(1u128 << 64));
        assert_eq!(s.ranges()[0], (0.0, 0.1));
    }
}
