//! Mergeable sufficient statistics and the accumulators that build them.
//!
//! Every statistic is a vector of sums, so the statistics of the union of two
//! shards (days, files, warehouse partitions) are the sums of their
//! statistics: `a + b`, `a += b` and `a.merge(&b)` lose nothing beyond the
//! rounding of one floating-point addition per field (none at all for
//! integer-valued data below 2^53).
//!
//! Constructors take the summary numbers under GrowthBook's gbstats column
//! names (`n`, `sum`, `sum_squares`, `covariate_sum`, `covariate_sum_squares`,
//! `main_covariate_sum_product`, `denominator_sum`, `denominator_sum_squares`,
//! `main_denominator_sum_product`, ordinal `count_<value>`), so a summary-CSV
//! reader maps columns to arguments one to one.
//!
//! # Numerical limits
//!
//! The accumulators add values with Neumaier's compensated summation and
//! split every square or product into its rounded value and exact rounding
//! error (fused multiply-add), so the sums are correct to about one rounding
//! regardless of n. The variance is then
//! `(sum_squares - sum^2 / n) / (n - 1)`, evaluated with one fused
//! multiply-add and clamped at 0; its relative error is about
//! `1.1e-16 * (1 + mean^2 / variance)`. That is below 1e-10 as long as the
//! coefficient of variation sd / mean exceeds 1e-3, which holds for money,
//! counts, durations and scores. It is not fine for values with a large
//! common offset (timestamps, IDs, temperatures in kelvin): subtract a
//! reference value before accumulating. [`CovariateAccumulator`] does so
//! for a CUPED covariate itself (see [`CovariateStats`]), since theta
//! rests on the covariate's variance.

use super::result::{Arm, NotComputable};
use std::collections::BTreeMap;
use std::ops::{Add, AddAssign};

/// Compensated sum (Neumaier's improvement of Kahan summation): the rounding
/// error of each addition is carried in a second term.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NeumaierSum {
    sum: f64,
    compensation: f64,
}

impl NeumaierSum {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Adds a product x * y including the rounding error of the product.
    pub fn add_product(&mut self, x: f64, y: f64) {
        let p = x * y;
        self.add(p);
        self.add(x.mul_add(y, -p));
    }

    /// Adds another compensated sum.
    pub fn merge(&mut self, other: &NeumaierSum) {
        self.add(other.sum);
        self.add(other.compensation);
    }

    /// The compensated total.
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Sample size, mean and sample variance (n - 1 denominator) of one arm: the
/// input of the t-based comparisons.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Number of customers.
    pub n: u64,
    /// Mean per customer.
    pub mean: f64,
    /// Sample variance per customer (n - 1 denominator).
    pub variance: f64,
}

impl Moments {
    /// Moments from a mean and a sample standard deviation.
    pub fn from_sd(n: u64, mean: f64, sd: f64) -> Moments {
        Moments {
            n,
            mean,
            variance: sd * sd,
        }
    }
}

fn check_finite(values: &[f64]) -> Result<(), NotComputable> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(NotComputable::InvalidInput(
            "summary values must be finite numbers",
        ))
    }
}

/// sum_xy - sum_x * sum_y / n with one rounding.
fn centered(sum_xy: f64, sum_x: f64, sum_y: f64, n: f64) -> f64 {
    (-sum_x).mul_add(sum_y / n, sum_xy)
}

/// Sufficient statistics of a mean metric: n, sum and sum of squares.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MeanStats {
    n: u64,
    sum: f64,
    sum_squares: f64,
}

impl MeanStats {
    /// From summary numbers (`n`, `sum`, `sum_squares`). Rejects non-finite
    /// values, negative sums of squares, nonzero sums with n = 0 and sums of
    /// squares below sum^2 / n beyond rounding (impossible for real data).
    pub fn from_summary(n: u64, sum: f64, sum_squares: f64) -> Result<MeanStats, NotComputable> {
        check_finite(&[sum, sum_squares])?;
        if sum_squares < 0.0 {
            return Err(NotComputable::InvalidInput(
                "sum_squares cannot be negative",
            ));
        }
        if n == 0 && (sum != 0.0 || sum_squares != 0.0) {
            return Err(NotComputable::InvalidInput(
                "a summary with n = 0 must have zero sums",
            ));
        }
        if n > 0 && centered(sum_squares, sum, sum, n as f64) < -1e-9 * sum_squares {
            return Err(NotComputable::InvalidInput(
                "sum_squares is smaller than sum^2 / n, which no real data can produce",
            ));
        }
        Ok(MeanStats {
            n,
            sum,
            sum_squares,
        })
    }

    /// Statistics of a list of values (compensated summation).
    pub fn from_values<I: IntoIterator<Item = f64>>(values: I) -> MeanStats {
        let mut acc = MeanAccumulator::default();
        for v in values {
            acc.push(v);
        }
        acc.finish()
    }

    /// Number of customers.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Sum of the values.
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// Sum of the squared values.
    pub fn sum_squares(&self) -> f64 {
        self.sum_squares
    }

    /// Mean, if n > 0.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Sample variance (n - 1 denominator), clamped at 0, if n > 1.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| {
            let n = self.n as f64;
            centered(self.sum_squares, self.sum, self.sum, n).max(0.0) / (n - 1.0)
        })
    }

    /// Mean and variance, or why they are undefined for `arm`.
    pub fn moments(&self, arm: Arm) -> Result<Moments, NotComputable> {
        match (self.mean(), self.variance()) {
            (Some(mean), Some(variance)) => Ok(Moments {
                n: self.n,
                mean,
                variance,
            }),
            (None, _) => Err(NotComputable::EmptyArm(arm)),
            (Some(_), None) => Err(NotComputable::SingleCustomer(arm)),
        }
    }

    /// Adds another shard's statistics.
    pub fn merge(&mut self, other: &MeanStats) {
        *self += *other;
    }
}

impl Add for MeanStats {
    type Output = MeanStats;
    fn add(mut self, other: MeanStats) -> MeanStats {
        self += other;
        self
    }
}

impl AddAssign for MeanStats {
    fn add_assign(&mut self, other: MeanStats) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_squares += other.sum_squares;
    }
}

/// Builds [`MeanStats`] from rows with compensated sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MeanAccumulator {
    n: u64,
    sum: NeumaierSum,
    sum_squares: NeumaierSum,
}

impl MeanAccumulator {
    /// Adds one customer's value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        self.sum_squares.add_product(x, x);
    }

    /// Adds another accumulator (for parallel or sharded accumulation).
    pub fn merge(&mut self, other: &MeanAccumulator) {
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.sum_squares.merge(&other.sum_squares);
    }

    /// The statistics accumulated so far.
    pub fn finish(&self) -> MeanStats {
        MeanStats {
            n: self.n,
            sum: self.sum.value(),
            sum_squares: self.sum_squares.value(),
        }
    }
}

/// Sufficient statistics of a binary (conversion) metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BinaryStats {
    n: u64,
    successes: u64,
}

impl BinaryStats {
    /// From counts; successes cannot exceed n.
    pub fn new(n: u64, successes: u64) -> Result<BinaryStats, NotComputable> {
        if successes > n {
            return Err(NotComputable::InvalidInput(
                "a binary metric cannot have more successes than customers",
            ));
        }
        Ok(BinaryStats { n, successes })
    }

    /// From gbstats summary numbers, where a binary metric's successes are in
    /// `sum` and, since 1^2 = 1, again in `sum_squares`.
    pub fn from_summary(n: u64, sum: f64, sum_squares: f64) -> Result<BinaryStats, NotComputable> {
        check_finite(&[sum, sum_squares])?;
        if sum < 0.0 || sum.fract() != 0.0 || sum_squares != sum {
            return Err(NotComputable::InvalidInput(
                "a binary metric needs a whole-number sum of successes equal to its sum_squares",
            ));
        }
        BinaryStats::new(n, sum as u64)
    }

    /// Adds one customer's outcome.
    pub fn push(&mut self, success: bool) {
        self.n += 1;
        self.successes += u64::from(success);
    }

    /// Number of customers.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Number of customers who converted.
    pub fn successes(&self) -> u64 {
        self.successes
    }

    /// Conversion rate, if n > 0.
    pub fn rate(&self) -> Option<f64> {
        (self.n > 0).then(|| self.successes as f64 / self.n as f64)
    }

    /// The same data as a 0/1 mean metric.
    pub fn to_mean_stats(&self) -> MeanStats {
        MeanStats {
            n: self.n,
            sum: self.successes as f64,
            sum_squares: self.successes as f64,
        }
    }

    /// Adds another shard's statistics.
    pub fn merge(&mut self, other: &BinaryStats) {
        *self += *other;
    }
}

impl Add for BinaryStats {
    type Output = BinaryStats;
    fn add(mut self, other: BinaryStats) -> BinaryStats {
        self += other;
        self
    }
}

impl AddAssign for BinaryStats {
    fn add_assign(&mut self, other: BinaryStats) {
        self.n += other.n;
        self.successes += other.successes;
    }
}

/// Sufficient statistics of a metric with a pre-period covariate (CUPED):
/// the metric's sums and sums of squares, the covariate's after subtracting
/// a reference value (the covariate shift), and the sum of the metric times
/// the shifted covariate.
///
/// The shift is there because a covariate's variance is the small
/// difference of two large sums when its values share a large offset (a
/// customer number, a timestamp): with 1e8 added to every value, the sum
/// of squares is about 1e16 per customer and its last digit is already
/// larger than the variance, so theta would be noise. Sums of
/// `covariate - shift` with a shift near the data keep every digit. Rows
/// accumulated with [`CovariateAccumulator`] take the first covariate value
/// as the shift; summary numbers ([`CovariateStats::from_summary`]) arrive
/// as plain sums, shift 0. Shards with different shifts still add exactly
/// in exact arithmetic: the sums of one are re-expressed at the other's
/// shift, `sum(x - a) = sum(x - b) + n (b - a)` and likewise for squares and
/// products, which is exact for integer-valued data and otherwise costs a
/// rounding of values of the size of the data's spread.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CovariateStats {
    post: MeanStats,
    shift: f64,
    pre: MeanStats,
    sum_products: f64,
}

impl CovariateStats {
    /// From summary numbers (`n`, `sum`, `sum_squares`, `covariate_sum`,
    /// `covariate_sum_squares`, `main_covariate_sum_product`): plain sums,
    /// so the covariate shift is 0.
    pub fn from_summary(
        n: u64,
        sum: f64,
        sum_squares: f64,
        covariate_sum: f64,
        covariate_sum_squares: f64,
        main_covariate_sum_product: f64,
    ) -> Result<CovariateStats, NotComputable> {
        check_finite(&[main_covariate_sum_product])?;
        if n == 0 && main_covariate_sum_product != 0.0 {
            return Err(NotComputable::InvalidInput(
                "a summary with n = 0 must have zero sums",
            ));
        }
        Ok(CovariateStats {
            post: MeanStats::from_summary(n, sum, sum_squares)?,
            shift: 0.0,
            pre: MeanStats::from_summary(n, covariate_sum, covariate_sum_squares)?,
            sum_products: main_covariate_sum_product,
        })
    }

    /// The metric (post-period) statistics.
    pub fn metric(&self) -> &MeanStats {
        &self.post
    }

    /// The statistics of the covariate minus [`covariate_shift`]: the
    /// variance is the covariate's own, the mean is shifted (see
    /// [`covariate_mean_from`] for a mean against a chosen reference).
    ///
    /// [`covariate_shift`]: CovariateStats::covariate_shift
    /// [`covariate_mean_from`]: CovariateStats::covariate_mean_from
    pub fn covariate(&self) -> &MeanStats {
        &self.pre
    }

    /// The value subtracted from every covariate value before summing.
    pub fn covariate_shift(&self) -> f64 {
        self.shift
    }

    /// Mean of `covariate - reference`, if n > 0. Comparing two groups'
    /// covariate means against one reference near the data keeps their
    /// difference exact where the plain means would round off a large
    /// common offset.
    pub fn covariate_mean_from(&self, reference: f64) -> Option<f64> {
        self.pre.mean().map(|m| (self.shift - reference) + m)
    }

    /// Sum of the metric times the shifted covariate, `covariate - shift`.
    pub fn sum_products(&self) -> f64 {
        self.sum_products
    }

    /// Number of customers.
    pub fn n(&self) -> u64 {
        self.post.n
    }

    /// The same statistics with the covariate shifted by `shift` instead.
    fn reshifted(&self, shift: f64) -> CovariateStats {
        let d = self.shift - shift;
        if d == 0.0 {
            return *self;
        }
        let n = self.pre.n as f64;
        CovariateStats {
            post: self.post,
            shift,
            pre: MeanStats {
                n: self.pre.n,
                sum: n.mul_add(d, self.pre.sum),
                sum_squares: (2.0 * d)
                    .mul_add(self.pre.sum, (n * d).mul_add(d, self.pre.sum_squares)),
            },
            sum_products: d.mul_add(self.post.sum, self.sum_products),
        }
    }

    /// Adds another shard's statistics.
    pub fn merge(&mut self, other: &CovariateStats) {
        *self += *other;
    }
}

impl Add for CovariateStats {
    type Output = CovariateStats;
    fn add(mut self, other: CovariateStats) -> CovariateStats {
        self += other;
        self
    }
}

impl AddAssign for CovariateStats {
    fn add_assign(&mut self, other: CovariateStats) {
        // An empty side has no data to hold a shift to; the other's is kept,
        // so adding shards to an empty total is exact.
        if other.n() == 0 {
            return;
        }
        if self.n() == 0 {
            *self = other;
            return;
        }
        let other = other.reshifted(self.shift);
        self.post += other.post;
        self.pre += other.pre;
        self.sum_products += other.sum_products;
    }
}

/// Builds [`CovariateStats`] from rows with compensated sums, the covariate
/// shifted by its first value (see [`CovariateStats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CovariateAccumulator {
    post: MeanAccumulator,
    shift: f64,
    pre: MeanAccumulator,
    sum_products: NeumaierSum,
}

impl CovariateAccumulator {
    /// Adds one customer's metric value and pre-period covariate.
    pub fn push(&mut self, value: f64, covariate: f64) {
        if self.post.n == 0 && covariate.is_finite() {
            self.shift = covariate;
        }
        let shifted = covariate - self.shift;
        self.post.push(value);
        self.pre.push(shifted);
        self.sum_products.add_product(value, shifted);
    }

    /// Adds another accumulator.
    pub fn merge(&mut self, other: &CovariateAccumulator) {
        if other.post.n == 0 {
            return;
        }
        if self.post.n == 0 {
            *self = *other;
            return;
        }
        // `other`'s shifted sums re-expressed at this shift, each term
        // added with its rounding error (see `CovariateStats`).
        let d = other.shift - self.shift;
        self.post.merge(&other.post);
        self.pre.merge(&other.pre);
        self.sum_products.merge(&other.sum_products);
        if d != 0.0 {
            let n = other.pre.n as f64;
            self.pre.sum.add_product(n, d);
            self.pre
                .sum_squares
                .add_product(2.0 * d, other.pre.sum.value());
            self.pre.sum_squares.add_product(n * d, d);
            self.sum_products.add_product(d, other.post.sum.value());
        }
    }

    /// The statistics accumulated so far.
    pub fn finish(&self) -> CovariateStats {
        CovariateStats {
            post: self.post.finish(),
            shift: self.shift,
            pre: self.pre.finish(),
            sum_products: self.sum_products.value(),
        }
    }
}

/// Sufficient statistics of a ratio metric sum(numerator) / sum(denominator)
/// with the customer as unit (e.g. revenue per order).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RatioStats {
    numerator: MeanStats,
    denominator: MeanStats,
    sum_products: f64,
}

impl RatioStats {
    /// From summary numbers (`n`, `sum`, `sum_squares` of the numerator,
    /// `denominator_sum`, `denominator_sum_squares`,
    /// `main_denominator_sum_product`).
    pub fn from_summary(
        n: u64,
        sum: f64,
        sum_squares: f64,
        denominator_sum: f64,
        denominator_sum_squares: f64,
        main_denominator_sum_product: f64,
    ) -> Result<RatioStats, NotComputable> {
        check_finite(&[main_denominator_sum_product])?;
        if n == 0 && main_denominator_sum_product != 0.0 {
            return Err(NotComputable::InvalidInput(
                "a summary with n = 0 must have zero sums",
            ));
        }
        Ok(RatioStats {
            numerator: MeanStats::from_summary(n, sum, sum_squares)?,
            denominator: MeanStats::from_summary(n, denominator_sum, denominator_sum_squares)?,
            sum_products: main_denominator_sum_product,
        })
    }

    /// Numerator statistics.
    pub fn numerator(&self) -> &MeanStats {
        &self.numerator
    }

    /// Denominator statistics.
    pub fn denominator(&self) -> &MeanStats {
        &self.denominator
    }

    /// Sum of numerator times denominator.
    pub fn sum_products(&self) -> f64 {
        self.sum_products
    }

    /// Number of customers.
    pub fn n(&self) -> u64 {
        self.numerator.n
    }

    /// Adds another shard's statistics.
    pub fn merge(&mut self, other: &RatioStats) {
        *self += *other;
    }
}

impl Add for RatioStats {
    type Output = RatioStats;
    fn add(mut self, other: RatioStats) -> RatioStats {
        self += other;
        self
    }
}

impl AddAssign for RatioStats {
    fn add_assign(&mut self, other: RatioStats) {
        self.numerator += other.numerator;
        self.denominator += other.denominator;
        self.sum_products += other.sum_products;
    }
}

/// Builds [`RatioStats`] from rows with compensated sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RatioAccumulator {
    numerator: MeanAccumulator,
    denominator: MeanAccumulator,
    sum_products: NeumaierSum,
}

impl RatioAccumulator {
    /// Adds one customer's numerator (e.g. revenue) and denominator (e.g. orders).
    pub fn push(&mut self, numerator: f64, denominator: f64) {
        self.numerator.push(numerator);
        self.denominator.push(denominator);
        self.sum_products.add_product(numerator, denominator);
    }

    /// Adds another accumulator.
    pub fn merge(&mut self, other: &RatioAccumulator) {
        self.numerator.merge(&other.numerator);
        self.denominator.merge(&other.denominator);
        self.sum_products.merge(&other.sum_products);
    }

    /// The statistics accumulated so far.
    pub fn finish(&self) -> RatioStats {
        RatioStats {
            numerator: self.numerator.finish(),
            denominator: self.denominator.finish(),
            sum_products: self.sum_products.value(),
        }
    }
}

/// Counts per value of an ordinal scale (CSAT 1-5, effort 1-7, NPS 0-10).
/// Integer counts merge exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrdinalCounts {
    counts: BTreeMap<i64, u64>,
}

impl OrdinalCounts {
    /// From `(value, count)` pairs, e.g. the `count_<value>` columns of a
    /// summary file. Repeated values add up.
    pub fn from_counts<I: IntoIterator<Item = (i64, u64)>>(pairs: I) -> OrdinalCounts {
        let mut out = OrdinalCounts::default();
        for (value, count) in pairs {
            *out.counts.entry(value).or_insert(0) += count;
        }
        out
    }

    /// From individual answers.
    pub fn from_values<I: IntoIterator<Item = i64>>(values: I) -> OrdinalCounts {
        OrdinalCounts::from_counts(values.into_iter().map(|v| (v, 1)))
    }

    /// Adds one answer.
    pub fn push(&mut self, value: i64) {
        *self.counts.entry(value).or_insert(0) += 1;
    }

    /// Number of answers.
    pub fn n(&self) -> u64 {
        self.counts.values().sum()
    }

    /// (value, count) in increasing order of value.
    pub fn iter(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts.iter().map(|(&v, &c)| (v, c))
    }

    /// Number of answers with the given value.
    pub fn count(&self, value: i64) -> u64 {
        self.counts.get(&value).copied().unwrap_or(0)
    }

    /// Number of answers in `low..=high`.
    pub fn count_between(&self, low: i64, high: i64) -> u64 {
        self.counts.range(low..=high).map(|(_, &c)| c).sum()
    }

    /// The answers as a mean metric (average score).
    pub fn to_mean_stats(&self) -> MeanStats {
        self.recoded(|v| v as f64)
    }

    /// The answers after mapping each value to a score, as a mean metric.
    pub fn recoded<F: Fn(i64) -> f64>(&self, score: F) -> MeanStats {
        let mut sum = NeumaierSum::default();
        let mut sum_squares = NeumaierSum::default();
        for (v, c) in self.iter() {
            let s = score(v);
            sum.add_product(s, c as f64);
            sum_squares.add_product(s * s, c as f64);
        }
        MeanStats {
            n: self.n(),
            sum: sum.value(),
            sum_squares: sum_squares.value(),
        }
    }

    /// Adds another shard's counts.
    pub fn merge(&mut self, other: &OrdinalCounts) {
        for (v, c) in other.iter() {
            *self.counts.entry(v).or_insert(0) += c;
        }
    }
}

impl Add for OrdinalCounts {
    type Output = OrdinalCounts;
    fn add(mut self, other: OrdinalCounts) -> OrdinalCounts {
        self.merge(&other);
        self
    }
}

impl AddAssign for OrdinalCounts {
    fn add_assign(&mut self, other: OrdinalCounts) {
        self.merge(&other);
    }
}
