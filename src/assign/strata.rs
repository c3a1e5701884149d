//! Stratified assignment: within every stratum the arm counts follow the
//! weights to within one customer at every point.
//!
//! # The guarantee
//!
//! After the n-th customer of a stratum is assigned, every arm i has
//! `|count_i - w_i * n| < 1`. This holds after every single customer, so it
//! holds at the end of every run and keeps holding as customers are added
//! in later runs (the counts of a stratum are read back from the ledger).
//!
//! # The algorithm
//!
//! New customers of a stratum are taken in the order of their pilot v1 hash
//! (so the input file's row order does not matter and nobody without the
//! salt can tell who comes next). Each takes the next position n+1 of the
//! stratum's arm sequence, which is built step by step:
//!
//! 1. *Allowed* arms are those whose choice keeps every arm within
//!    `1 - 1e-6` of its target `w_i * (n+1)` (the small margin makes exact
//!    rational ties, such as 3 of 10 at weight 0.3, count as inside).
//! 2. With three or more arms an allowed choice can still lead into a dead
//!    end a few steps later, so each allowed arm is kept only if the
//!    earliest-deadline-first rule (below) can continue from it for
//!    `H = ceil(3 / w_min) + 2k` steps inside the band. With two arms every
//!    allowed choice is safe and the check is skipped. If `H` would exceed
//!    4096 (an arm weighted below about 0.07%), only the
//!    earliest-deadline arm is used.
//! 3. One of the kept arms is drawn with probability proportional to its
//!    weight, using the first 8 bytes of SHA-256(salt, 0x1F, "stratum",
//!    0x1F, stratum, 0x1F, n in decimal) as the random number, n being the
//!    number of customers already in the stratum. The draw depends only on
//!    the salt, the stratum and the position, so a stratum's arm sequence
//!    is the same however its customers arrive in batches.
//!
//! Earliest deadline first: arm i's next customer becomes *due* at the
//! first position t where leaving it out would put the arm a full customer
//! behind (`t = ceil((count_i + 1 - 1e-6) / w_i)`); among the arms that may
//! take a customer now, the one due first is chosen. For unit jobs with
//! release times and deadlines this rule finds a schedule whenever one
//! exists, and one always exists here: Tijdeman (1980, "The chairman
//! assignment problem") shows sequences with every deviation at most
//! `1 - 1/(2k-2)`, for any weights, rational or irrational. Should a ledger
//! edited by hand already be out of balance, the arm furthest behind its
//! target is chosen until the stratum is back within the band.

use sha2::{Digest, Sha256};

use super::hash::SEPARATOR;

/// Margin inside the one-customer band.
const EPS: f64 = 1e-6;
/// Longest lookahead worth its cost per customer.
const MAX_HORIZON: usize = 4096;

/// The arm sequence of one stratum.
#[derive(Clone)]
pub struct StratumSequence {
    weights: Vec<f64>,
    counts: Vec<u64>,
    n: u64,
    seed: Sha256,
    horizon: Option<usize>,
    scratch: Vec<u64>,
    candidates: Vec<usize>,
}

impl StratumSequence {
    /// Starts (or continues, given the `counts` already in the ledger) the
    /// sequence of the stratum `key` under `salt`. `weights` are normalised.
    pub fn new(salt: &str, key: &str, weights: &[f64], counts: Vec<u64>) -> Self {
        let mut seed = Sha256::new();
        seed.update(salt.as_bytes());
        seed.update([SEPARATOR]);
        seed.update(b"stratum");
        seed.update([SEPARATOR]);
        seed.update(key.as_bytes());
        seed.update([SEPARATOR]);
        let k = weights.len();
        let w_min = weights
            .iter()
            .copied()
            .filter(|w| *w > 0.0)
            .fold(f64::INFINITY, f64::min);
        let horizon = if k <= 2 {
            None
        } else {
            let h = (3.0 / w_min).ceil() + 2.0 * k as f64;
            (h <= MAX_HORIZON as f64).then_some(h as usize)
        };
        let mut counts = counts;
        counts.resize(k, 0);
        Self {
            weights: weights.to_vec(),
            n: counts.iter().sum(),
            counts,
            seed,
            horizon,
            scratch: vec![0; k],
            candidates: Vec::with_capacity(k),
        }
    }

    /// Customers in the stratum so far.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// True before the first customer.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Count per arm so far.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Assigns the next position and returns its arm.
    pub fn next_arm(&mut self) -> usize {
        let k = self.weights.len();
        let n = self.n;
        let edf = earliest_deadline(&self.counts, n, &self.weights);
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        match self.horizon {
            _ if k <= 1 => candidates.push(0),
            None if k <= 2 => {
                candidates.extend((0..k).filter(|&j| self.allowed(j)));
            }
            None => {
                if self.allowed(edf) {
                    candidates.push(edf);
                }
            }
            Some(horizon) => {
                for j in 0..k {
                    if self.allowed(j) && (j == edf || self.survives(j, horizon)) {
                        candidates.push(j);
                    }
                }
            }
        }
        let arm = match candidates.len() {
            0 => furthest_behind(&self.counts, n, &self.weights),
            1 => candidates[0],
            _ => self.draw(&candidates),
        };
        self.candidates = candidates;
        self.counts[arm] += 1;
        self.n += 1;
        arm
    }

    /// Would giving position n+1 to `arm` keep every arm inside the band?
    fn allowed(&self, arm: usize) -> bool {
        let n1 = (self.n + 1) as f64;
        self.counts
            .iter()
            .zip(&self.weights)
            .enumerate()
            .all(|(i, (&c, &w))| {
                let c = (c + u64::from(i == arm)) as f64;
                inside(c, w * n1)
            })
    }

    /// Can the earliest-deadline rule continue for `horizon` steps after
    /// giving position n+1 to `arm`?
    fn survives(&mut self, arm: usize, horizon: usize) -> bool {
        self.scratch.copy_from_slice(&self.counts);
        self.scratch[arm] += 1;
        let mut n = self.n + 1;
        for _ in 0..horizon {
            let j = earliest_deadline(&self.scratch, n, &self.weights);
            self.scratch[j] += 1;
            n += 1;
            let n_f = n as f64;
            let ok = self
                .scratch
                .iter()
                .zip(&self.weights)
                .all(|(&c, &w)| inside(c as f64, w * n_f));
            if !ok {
                return false;
            }
        }
        true
    }

    /// Draws one candidate with probability proportional to its weight.
    fn draw(&self, candidates: &[usize]) -> usize {
        let mut state = self.seed.clone();
        let mut digits = [0u8; 20];
        state.update(decimal(self.n, &mut digits));
        let digest = state.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let r = super::hash::unit(u64::from_be_bytes(first));
        let total: f64 = candidates.iter().map(|&j| self.weights[j]).sum();
        let mut target = r * total;
        for &j in candidates {
            target -= self.weights[j];
            if target < 0.0 {
                return j;
            }
        }
        candidates[candidates.len() - 1]
    }
}

/// `n` in decimal ASCII, written into `buf` without allocating.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[start..];
        }
    }
}

fn inside(count: f64, target: f64) -> bool {
    count > target - 1.0 + EPS && count < target + 1.0 - EPS
}

/// Among the arms that may take position n+1 without running a full
/// customer ahead, the one whose next customer is due first (ties: larger
/// weight, then lower index).
fn earliest_deadline(counts: &[u64], n: u64, weights: &[f64]) -> usize {
    let n1 = (n + 1) as f64;
    let mut best: Option<(f64, usize)> = None;
    for (j, (&c, &w)) in counts.iter().zip(weights).enumerate() {
        let c = c as f64;
        if !(w > 0.0 && c + 1.0 < w * n1 + 1.0 - EPS) {
            continue;
        }
        let due = ((c + 1.0 - EPS) / w).ceil();
        let better = match best {
            None => true,
            Some((best_due, b)) => due < best_due || (due == best_due && w > weights[b]),
        };
        if better {
            best = Some((due, j));
        }
    }
    best.map_or_else(|| furthest_behind(counts, n, weights), |(_, j)| j)
}

/// The arm with the largest deficit `w_i * (n+1) - count_i`.
fn furthest_behind(counts: &[u64], n: u64, weights: &[f64]) -> usize {
    let n1 = (n + 1) as f64;
    let mut best = 0;
    let mut best_deficit = f64::NEG_INFINITY;
    for (j, (&c, &w)) in counts.iter().zip(weights).enumerate() {
        let deficit = w * n1 - c as f64;
        if deficit > best_deficit {
            best = j;
            best_deficit = deficit;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(weights: &[f64], steps: usize, key: &str) -> Vec<usize> {
        let mut seq = StratumSequence::new("salt", key, weights, Vec::new());
        let mut arms = Vec::new();
        for n in 1..=steps {
            arms.push(seq.next_arm());
            for (c, w) in seq.counts().iter().zip(weights) {
                let dev = *c as f64 - w * n as f64;
                assert!(dev.abs() < 1.0, "{weights:?} step {n}: {:?}", seq.counts());
            }
        }
        arms
    }

    #[test]
    fn stays_within_one_customer_for_many_weightings() {
        let s2 = 2f64.sqrt();
        let pi = std::f64::consts::PI;
        let sets: Vec<Vec<f64>> = vec![
            vec![0.5, 0.5],
            vec![0.2, 0.3, 0.5],
            vec![1.0 / 3.0; 3],
            vec![0.1, 0.1, 0.1, 0.7],
            vec![0.05, 0.15, 0.2, 0.25, 0.35],
            vec![
                1.0 / (1.0 + s2 + pi),
                s2 / (1.0 + s2 + pi),
                pi / (1.0 + s2 + pi),
            ],
            vec![0.01, 0.99],
            vec![0.349, 0.379, 0.042, 0.202, 0.028],
            vec![0.012, 0.272, 0.068, 0.342, 0.285, 0.021],
        ];
        for (i, w) in sets.iter().enumerate() {
            check(w, 3000, &format!("s{i}"));
        }
    }

    #[test]
    fn sequences_are_random_but_reproducible() {
        let a = check(&[0.5, 0.5], 400, "A");
        let b = check(&[0.5, 0.5], 400, "B");
        assert_eq!(a, check(&[0.5, 0.5], 400, "A"));
        let mut buf = [0u8; 20];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(u64::MAX, &mut buf), u64::MAX.to_string().as_bytes());
        assert_ne!(a, b);
        // Pairs are balanced but their order varies.
        let ab = a.chunks(2).filter(|p| p == &[0, 1]).count();
        assert!(ab > 70 && ab < 130, "{ab}");
    }

    #[test]
    fn continuing_from_counts_matches_one_long_run() {
        let w = [0.2, 0.3, 0.5];
        let mut whole = StratumSequence::new("s", "k", &w, Vec::new());
        let all: Vec<usize> = (0..100).map(|_| whole.next_arm()).collect();
        let mut first = StratumSequence::new("s", "k", &w, Vec::new());
        let head: Vec<usize> = (0..37).map(|_| first.next_arm()).collect();
        let mut rest = StratumSequence::new("s", "k", &w, first.counts().to_vec());
        let tail: Vec<usize> = (0..63).map(|_| rest.next_arm()).collect();
        assert_eq!([head, tail].concat(), all);
    }

    #[test]
    fn out_of_balance_counts_recover() {
        let mut seq = StratumSequence::new("s", "k", &[0.5, 0.5], vec![10, 0]);
        for _ in 0..10 {
            assert_eq!(seq.next_arm(), 1);
        }
    }
}
