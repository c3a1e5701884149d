//! Co-moments of quantities measured on the same customers.
//!
//! Two metrics measured on the same customers are correlated (buyers are
//! the ones with revenue), so their estimated effects are too. The joint
//! decision model needs that sampling covariance; it comes from these
//! statistics: per arm, the count, the means and the centred co-moments of
//! up to [`CROSS_DIM`] quantities per customer (two metrics and their
//! pre-period covariates). They merge exactly across shards (Chan, Golub and
//! LeVeque's pairwise update), like every other sufficient statistic here.

/// Quantities tracked per customer: a metric, its covariate, a second
/// metric, its covariate (0 where there is no covariate).
pub const CROSS_DIM: usize = 4;

/// Count, means and centred co-moments of [`CROSS_DIM`] quantities.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CrossMoments {
    n: u64,
    /// The first customer's quantities: means are kept relative to them,
    /// so values of 1e8 and more (timestamps, customer numbers) keep
    /// their small deviations.
    shift: [f64; CROSS_DIM],
    /// Means minus `shift`.
    means: [f64; CROSS_DIM],
    /// Sum over customers of (x_i - mean_i)(x_j - mean_j).
    comoments: [[f64; CROSS_DIM]; CROSS_DIM],
}

impl CrossMoments {
    /// Adds one customer's quantities (Welford's update, centred as it
    /// goes, so large common offsets do not round the co-moments away).
    pub fn push(&mut self, x: [f64; CROSS_DIM]) {
        if self.n == 0 {
            self.shift = x;
        }
        let x: [f64; CROSS_DIM] = std::array::from_fn(|k| x[k] - self.shift[k]);
        self.n += 1;
        let n = self.n as f64;
        let mut before = [0.0; CROSS_DIM];
        for (k, value) in x.iter().enumerate() {
            before[k] = value - self.means[k];
            self.means[k] += before[k] / n;
        }
        for (i, row) in self.comoments.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                *cell += before[i] * (x[j] - self.means[j]);
            }
        }
    }

    /// Adds the customers of `other` (another shard or arm part).
    pub fn merge(&mut self, other: &CrossMoments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let mut delta = [0.0; CROSS_DIM];
        for (k, d) in delta.iter_mut().enumerate() {
            *d = (other.means[k] + (other.shift[k] - self.shift[k])) - self.means[k];
        }
        for (i, row) in self.comoments.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                *cell += other.comoments[i][j] + delta[i] * delta[j] * na * nb / n;
            }
        }
        for (k, mean) in self.means.iter_mut().enumerate() {
            *mean += delta[k] * nb / n;
        }
        self.n += other.n;
    }

    /// Customers added.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Mean of quantity `i`; `None` without customers.
    pub fn mean(&self, i: usize) -> Option<f64> {
        (self.n > 0).then(|| self.shift[i] + self.means[i])
    }

    /// Sample covariance (denominator n - 1, as the variances the
    /// comparisons use) of quantities `i` and `j`; `None` below two
    /// customers.
    pub fn covariance(&self, i: usize, j: usize) -> Option<f64> {
        (self.n > 1).then(|| self.comoments[i][j] / (self.n - 1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_covariance(rows: &[[f64; CROSS_DIM]], i: usize, j: usize) -> f64 {
        let n = rows.len() as f64;
        let mi = rows.iter().map(|r| r[i]).sum::<f64>() / n;
        let mj = rows.iter().map(|r| r[j]).sum::<f64>() / n;
        rows.iter().map(|r| (r[i] - mi) * (r[j] - mj)).sum::<f64>() / (n - 1.0)
    }

    fn rows() -> Vec<[f64; CROSS_DIM]> {
        (0..50)
            .map(|k| {
                let k = f64::from(k);
                [
                    (k * 0.37).sin(),
                    k % 7.0,
                    (k * 1.3).cos() + 0.2 * k,
                    1e8 + (k % 3.0),
                ]
            })
            .collect()
    }

    #[test]
    fn matches_the_two_pass_covariance() {
        let rows = rows();
        let mut m = CrossMoments::default();
        rows.iter().for_each(|r| m.push(*r));
        for i in 0..CROSS_DIM {
            for j in 0..CROSS_DIM {
                let want = naive_covariance(&rows, i, j);
                let got = m.covariance(i, j).unwrap();
                assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{i},{j}");
            }
        }
        // R: cov(c(1, 2, 4), c(2, 1, 7)) = 4.333333
        let mut small = CrossMoments::default();
        for (a, b) in [(1.0, 2.0), (2.0, 1.0), (4.0, 7.0)] {
            small.push([a, 0.0, b, 0.0]);
        }
        assert!((small.covariance(0, 2).unwrap() - 13.0 / 3.0).abs() < 1e-12);
        assert!((small.mean(2).unwrap() - 10.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn merging_shards_equals_one_pass() {
        let rows = rows();
        let mut whole = CrossMoments::default();
        rows.iter().for_each(|r| whole.push(*r));
        let mut left = CrossMoments::default();
        let mut right = CrossMoments::default();
        rows[..17].iter().for_each(|r| left.push(*r));
        rows[17..].iter().for_each(|r| right.push(*r));
        left.merge(&right);
        left.merge(&CrossMoments::default());
        assert_eq!(left.n(), whole.n());
        for i in 0..CROSS_DIM {
            for j in 0..CROSS_DIM {
                let (a, b) = (
                    left.covariance(i, j).unwrap(),
                    whole.covariance(i, j).unwrap(),
                );
                assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0));
            }
        }
        let mut empty = CrossMoments::default();
        assert_eq!(empty.covariance(0, 0), None);
        assert_eq!(empty.mean(0), None);
        empty.merge(&whole);
        assert_eq!(empty, whole);
    }
}
