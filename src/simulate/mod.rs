//! Synthetic experiments with a known truth: per-customer outcomes of
//! realistic shapes, with a chosen effect in every treatment arm.
//!
//! Used by `pilot simulate` (which writes the CSV files `pilot analyze`
//! reads) and by the calibration tests, which aggregate draws straight into
//! [`GroupStats`] without touching files.
//!
//! Shapes per metric kind (baseline taken from the metric's `baseline` when
//! set):
//! - binary: Bernoulli(p), p = baseline or 0.10;
//! - mean, revenue-like: 70% zeros, the rest log-normal (sigma 1); the
//!   pre-period covariate is correlated with the outcome (80% of buyers and
//!   10% of non-buyers bought before; amounts correlate at 0.6 on the log
//!   scale; CUPED removes about a quarter of the variance); mean = baseline
//!   or 10;
//! - mean with `aggregate = "count"` (tickets, visits): negative binomial
//!   (gamma-Poisson, shape 2), mean = baseline or 1.5;
//! - ratio: orders ~ Poisson(2) per customer, revenue per order log-normal;
//! - NPS 0-10, CSAT 1-5, ordinal within `scale`: a fixed answer distribution,
//!   with 70% non-response (a blank answer).
//!
//! `pilot simulate` draws a binary primary metric and the revenue-like
//! metrics of one customer from one propensity to buy
//! ([`Shape::draw_with`]), so a customer who purchased has revenue; the
//! calibration draws each metric on its own.
//!
//! Effects (`lift`): a relative change of the metric's mean for binary,
//! mean, ratio and ordinal (mean answer) metrics; for CSAT a relative change
//! of the share of 4-5 answers (what pilot tests); for NPS an absolute change
//! in NPS points (`5` = +5 points), since a percent change of a score that can
//! be negative or zero is not meaningful.

pub mod files;
pub mod portfolio;

use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::config::{Aggregate, Metric, MetricKind};
use crate::ingest::aggregate::GroupStats;
use crate::stats::summary::{CovariateAccumulator, MeanAccumulator, RatioAccumulator};
use crate::stats::{BinaryStats, OrdinalCounts};

/// The random number generator used throughout (seeded by the caller).
pub type SimRng = Xoshiro256PlusPlus;

/// Share of zero outcomes of a revenue-like metric.
pub const REVENUE_ZERO_SHARE: f64 = 0.7;
/// Share of survey customers who do not answer.
pub const SURVEY_NON_RESPONSE: f64 = 0.7;

/// One customer's simulated values for one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw {
    /// The outcome; `None` for a survey non-response.
    pub value: Option<f64>,
    /// Denominator (ratio metrics).
    pub denominator: Option<f64>,
    /// Pre-period covariate (mean metrics; always drawn for them).
    pub covariate: f64,
}

/// How one metric's outcomes are drawn, for control (`lift` 0) or a treatment.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Bernoulli with this rate.
    Binary {
        /// Success probability.
        p: f64,
    },
    /// Zero-inflated log-normal with a correlated log-normal covariate.
    Revenue {
        /// Chance of a nonzero outcome.
        buy: f64,
        /// Location of log(outcome).
        mu: f64,
        /// Multiplier applied to nonzero outcomes (1 + lift).
        scale: f64,
    },
    /// Gamma-Poisson counts with this mean.
    Count {
        /// Expected count.
        mean: f64,
    },
    /// Orders ~ Poisson(2), revenue per order log-normal.
    Ratio {
        /// Expected revenue per order.
        per_order: f64,
    },
    /// Answers on `low..=low + probs.len() - 1`, with non-response.
    Answers {
        /// Lowest answer.
        low: i64,
        /// Probability of each answer.
        probs: Vec<f64>,
        /// Chance of no answer.
        non_response: f64,
    },
}

const REVENUE_SIGMA: f64 = 1.0;
const COVARIATE_RHO: f64 = 0.6;
/// Chance that a customer who buys now also bought in the pre-period.
const COVARIATE_ACTIVE: f64 = 0.8;
/// Chance that a customer who does not buy now bought in the pre-period.
const COVARIATE_INACTIVE: f64 = 0.1;
const COUNT_SHAPE: f64 = 2.0;
const ORDERS_MEAN: f64 = 2.0;
const ORDER_SIGMA: f64 = 0.5;

/// The answer distribution of NPS (0-10): 30% detractors, 30% passives, 40%
/// promoters, so NPS = +10.
pub const NPS_BASE: [f64; 11] = [
    0.03, 0.02, 0.02, 0.03, 0.04, 0.06, 0.10, 0.12, 0.18, 0.20, 0.20,
];
/// The answer distribution of CSAT (1-5): 70% satisfied (4-5).
pub const CSAT_BASE: [f64; 5] = [0.05, 0.08, 0.17, 0.35, 0.35];

impl Shape {
    /// The shape of `metric` under effect `lift` (0 for control); see the
    /// module docs for what the lift means per kind.
    pub fn of(metric: &Metric, lift: f64) -> Shape {
        match metric.kind {
            MetricKind::Binary => Shape::Binary {
                p: (metric.baseline.unwrap_or(0.10) * (1.0 + lift)).clamp(0.0, 1.0),
            },
            MetricKind::Mean if metric.aggregate == Aggregate::Count => Shape::Count {
                mean: metric.baseline.unwrap_or(1.5) * (1.0 + lift),
            },
            MetricKind::Mean => {
                let buy = 1.0 - REVENUE_ZERO_SHARE;
                let target = metric.baseline.unwrap_or(10.0);
                // E[exp(mu + sigma Z)] = exp(mu + sigma^2 / 2).
                let mu = (target / buy).ln() - REVENUE_SIGMA * REVENUE_SIGMA / 2.0;
                Shape::Revenue {
                    buy,
                    mu,
                    scale: 1.0 + lift,
                }
            }
            MetricKind::Ratio => Shape::Ratio {
                per_order: metric.baseline.unwrap_or(25.0) * (1.0 + lift),
            },
            MetricKind::Nps => Shape::Answers {
                low: 0,
                probs: shift_groups(&NPS_BASE, 0..7, 9..11, lift / 200.0),
                non_response: SURVEY_NON_RESPONSE,
            },
            MetricKind::Csat => {
                let satisfied: f64 = CSAT_BASE[3..].iter().sum();
                let moved = satisfied * lift;
                Shape::Answers {
                    low: 1,
                    probs: shift_groups(&CSAT_BASE, 0..3, 3..5, moved),
                    non_response: SURVEY_NON_RESPONSE,
                }
            }
            MetricKind::Ordinal | MetricKind::Ces => {
                let (low, high) = metric.scale.unwrap_or((1, 7));
                let base = ordinal_base(low, high);
                let mean = mean_answer(low, &base);
                Shape::Answers {
                    low,
                    probs: tilt_to_mean(low, &base, mean * (1.0 + lift)),
                    non_response: SURVEY_NON_RESPONSE,
                }
            }
        }
    }

    /// The true value of the quantity pilot estimates: rate, mean, ratio,
    /// share of 4-5 answers (CSAT), NPS score or mean answer.
    pub fn truth(&self, kind: MetricKind) -> f64 {
        match self {
            Shape::Binary { p } => *p,
            Shape::Revenue { buy, mu, scale } => {
                buy * scale * (mu + REVENUE_SIGMA * REVENUE_SIGMA / 2.0).exp()
            }
            Shape::Count { mean } => *mean,
            Shape::Ratio { per_order } => *per_order,
            Shape::Answers { low, probs, .. } => match kind {
                MetricKind::Nps => {
                    100.0 * (probs[9..].iter().sum::<f64>() - probs[..7].iter().sum::<f64>())
                }
                MetricKind::Csat => probs[3..].iter().sum(),
                _ => mean_answer(*low, probs),
            },
        }
    }

    /// Standard deviation per customer of the quantity pilot compares, as
    /// `baseline_sd` would state it when planning: for a ratio the
    /// delta-method (linearized) standard deviation that `pilot analyze`
    /// reports per customer, not the spread of single orders. `None` for
    /// survey answers, which the calibration does not plan.
    pub fn sd(&self) -> Option<f64> {
        match self {
            Shape::Binary { p } => Some((p * (1.0 - p)).sqrt()),
            Shape::Revenue { buy, mu, scale } => {
                let s2 = REVENUE_SIGMA * REVENUE_SIGMA;
                let second = buy * scale * scale * (2.0 * mu + 2.0 * s2).exp();
                let mean = buy * scale * (mu + s2 / 2.0).exp();
                Some((second - mean * mean).sqrt())
            }
            // Gamma-Poisson: var = mean + mean^2 / shape.
            Shape::Count { mean } => Some((mean + mean * mean / COUNT_SHAPE).sqrt()),
            // Orders N ~ Poisson(l), amounts with mean r and E[X^2] = r^2
            // exp(sigma^2): var(num) = l r^2 exp(sigma^2), cov(num, N) = l r,
            // var(N) = l, so the linearized variance
            // (var(num) - 2 r cov + r^2 var(N)) / l^2 is r^2 (exp(sigma^2) - 1) / l.
            Shape::Ratio { per_order } => {
                Some(per_order * ((ORDER_SIGMA * ORDER_SIGMA).exp_m1() / ORDERS_MEAN).sqrt())
            }
            Shape::Answers { .. } => None,
        }
    }

    /// Draws one customer.
    pub fn draw(&self, rng: &mut SimRng) -> Draw {
        self.draw_with(rng, None)
    }

    /// Draws one customer whose propensity to buy is `activity` (uniform
    /// on 0-1; `None`: drawn from `rng`). A binary metric is 1 and a
    /// revenue-like metric nonzero when the activity is below their rate,
    /// so the metrics of one customer drawn with the same activity agree: a
    /// customer who purchased has revenue (when the purchase rate is at
    /// most the share of customers with revenue).
    pub fn draw_with(&self, rng: &mut SimRng, activity: Option<f64>) -> Draw {
        match self {
            Shape::Binary { p } => Draw {
                value: Some(f64::from(u8::from(
                    activity.unwrap_or_else(|| uniform(rng)) < *p,
                ))),
                denominator: None,
                covariate: 0.0,
            },
            Shape::Revenue { buy, mu, scale } => {
                let z = normal(rng);
                let w = normal(rng);
                let active = activity.unwrap_or_else(|| uniform(rng)) < *buy;
                // Pre-period spend: most of today's buyers bought before,
                // few of the others did; amounts share the level z.
                let bought_before = uniform(rng)
                    < if active {
                        COVARIATE_ACTIVE
                    } else {
                        COVARIATE_INACTIVE
                    };
                let covariate = if bought_before {
                    (mu + REVENUE_SIGMA * z).exp()
                } else {
                    0.0
                };
                let value = if active {
                    let log = mu
                        + REVENUE_SIGMA
                            * (COVARIATE_RHO * z + (1.0 - COVARIATE_RHO.powi(2)).sqrt() * w);
                    scale * log.exp()
                } else {
                    0.0
                };
                Draw {
                    value: Some(value),
                    denominator: None,
                    covariate,
                }
            }
            Shape::Count { mean } => {
                let rate = gamma(rng, COUNT_SHAPE) * mean / COUNT_SHAPE;
                Draw {
                    value: Some(poisson(rng, rate) as f64),
                    denominator: None,
                    covariate: 0.0,
                }
            }
            Shape::Ratio { per_order } => {
                let orders = poisson(rng, ORDERS_MEAN);
                let mu = per_order.ln() - ORDER_SIGMA * ORDER_SIGMA / 2.0;
                let revenue: f64 = (0..orders)
                    .map(|_| (mu + ORDER_SIGMA * normal(rng)).exp())
                    .sum();
                Draw {
                    value: Some(revenue),
                    denominator: Some(orders as f64),
                    covariate: 0.0,
                }
            }
            Shape::Answers {
                low,
                probs,
                non_response,
            } => {
                let answered = uniform(rng) >= *non_response;
                let u = uniform(rng);
                let value = answered.then(|| {
                    let mut acc = 0.0;
                    let mut k = probs.len() - 1;
                    for (i, p) in probs.iter().enumerate() {
                        acc += p;
                        if u < acc {
                            k = i;
                            break;
                        }
                    }
                    (*low + k as i64) as f64
                });
                Draw {
                    value,
                    denominator: None,
                    covariate: 0.0,
                }
            }
        }
    }
}

/// Moves probability `mass` from the answers in `from` to those in `to`,
/// proportionally within each group (negative `mass` moves it back).
fn shift_groups(
    base: &[f64],
    from: std::ops::Range<usize>,
    to: std::ops::Range<usize>,
    mass: f64,
) -> Vec<f64> {
    let from_total: f64 = base[from.clone()].iter().sum();
    let to_total: f64 = base[to.clone()].iter().sum();
    let mass = mass.clamp(-to_total, from_total);
    base.iter()
        .enumerate()
        .map(|(i, &p)| {
            if from.contains(&i) {
                p - mass * p / from_total
            } else if to.contains(&i) {
                p + mass * p / to_total
            } else {
                p
            }
        })
        .collect()
}

/// A hump-shaped answer distribution on `low..=high`, centred a little above
/// the middle.
fn ordinal_base(low: i64, high: i64) -> Vec<f64> {
    let k = (high - low + 1).max(2) as usize;
    let centre = 0.6 * (k - 1) as f64;
    let weights: Vec<f64> = (0..k)
        .map(|i| (-((i as f64 - centre) / (0.35 * k as f64)).powi(2)).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

fn mean_answer(low: i64, probs: &[f64]) -> f64 {
    probs
        .iter()
        .enumerate()
        .map(|(i, p)| (low + i as i64) as f64 * p)
        .sum()
}

/// Exponential tilt p_k exp(t k) of `base` whose mean answer is `target`.
fn tilt_to_mean(low: i64, base: &[f64], target: f64) -> Vec<f64> {
    let tilt = |t: f64| -> Vec<f64> {
        let w: Vec<f64> = base
            .iter()
            .enumerate()
            .map(|(i, p)| p * (t * i as f64).exp())
            .collect();
        let total: f64 = w.iter().sum();
        w.iter().map(|x| x / total).collect()
    };
    let (mut lo, mut hi) = (-20.0, 20.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if mean_answer(low, &tilt(mid)) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    tilt(0.5 * (lo + hi))
}

/// Uniform on [0, 1) with 53 random bits.
pub fn uniform(rng: &mut SimRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Standard normal (Box-Muller).
pub fn normal(rng: &mut SimRng) -> f64 {
    let u = 1.0 - uniform(rng);
    let v = uniform(rng);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Gamma(shape, 1) by Marsaglia and Tsang (shape >= 1).
fn gamma(rng: &mut SimRng, shape: f64) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - uniform(rng);
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Poisson by inversion (small rates) or a normal approximation (large).
fn poisson(rng: &mut SimRng, rate: f64) -> u64 {
    if rate > 50.0 {
        return (rate + rate.sqrt() * normal(rng)).round().max(0.0) as u64;
    }
    let limit = (-rate).exp();
    let mut k = 0;
    let mut prod = uniform(rng);
    while prod > limit {
        k += 1;
        prod *= uniform(rng);
    }
    k
}

/// Accumulates draws of one metric for one group into [`GroupStats`], as
/// `pilot analyze` would from the outcome file (survey non-responses left
/// out, CUPED when `cuped`).
#[derive(Debug, Clone)]
pub enum Collector {
    /// 0/1 outcomes.
    Binary(BinaryStats),
    /// Numeric outcomes.
    Mean(MeanAccumulator),
    /// Numeric outcomes with a covariate.
    Cuped(CovariateAccumulator),
    /// Ratio outcomes.
    Ratio(RatioAccumulator),
    /// Scale answers.
    Ordinal(OrdinalCounts),
}

impl Collector {
    /// An empty collector for a metric of `kind`.
    pub fn new(kind: MetricKind, cuped: bool) -> Collector {
        match kind {
            MetricKind::Binary => Collector::Binary(BinaryStats::default()),
            MetricKind::Mean if cuped => Collector::Cuped(CovariateAccumulator::default()),
            MetricKind::Mean => Collector::Mean(MeanAccumulator::default()),
            MetricKind::Ratio => Collector::Ratio(RatioAccumulator::default()),
            _ => Collector::Ordinal(OrdinalCounts::default()),
        }
    }

    /// Adds one customer.
    pub fn push(&mut self, draw: &Draw) {
        let Some(value) = draw.value else { return };
        match self {
            Collector::Binary(s) => s.push(value >= 0.5),
            Collector::Mean(s) => s.push(value),
            Collector::Cuped(s) => s.push(value, draw.covariate),
            Collector::Ratio(s) => s.push(value, draw.denominator.unwrap_or(0.0)),
            Collector::Ordinal(s) => s.push(value as i64),
        }
    }

    /// The statistics so far.
    pub fn stats(&self) -> GroupStats {
        match self {
            Collector::Binary(s) => GroupStats::Binary(*s),
            Collector::Mean(s) => GroupStats::Mean(s.finish()),
            Collector::Cuped(s) => GroupStats::Cuped(s.finish()),
            Collector::Ratio(s) => GroupStats::Ratio(s.finish()),
            Collector::Ordinal(s) => GroupStats::Ordinal(s.clone()),
        }
    }
}

/// Draws `n` customers of `shape` and returns their statistics.
pub fn simulate_group(
    kind: MetricKind,
    shape: &Shape,
    n: u64,
    cuped: bool,
    rng: &mut SimRng,
) -> GroupStats {
    let mut collector = Collector::new(kind, cuped);
    for _ in 0..n {
        collector.push(&shape.draw(rng));
    }
    collector.stats()
}

/// Parses `METRIC=LIFT`.
pub fn parse_effect(text: &str) -> Result<(String, f64), String> {
    let (name, lift) = text
        .split_once('=')
        .ok_or_else(|| format!("expected METRIC=LIFT (for example revenue=0.05), got `{text}`"))?;
    let lift: f64 = lift
        .trim()
        .parse()
        .map_err(|_| format!("the lift in `{text}` is not a number"))?;
    if !lift.is_finite() {
        return Err(format!("the lift in `{text}` is not a finite number"));
    }
    Ok((name.trim().to_string(), lift))
}

/// A metric of `kind` with default settings (role primary, direction
/// increase, missing = exclude for surveys, zero otherwise), for simulations
/// that need no experiment file.
pub fn synthetic_metric(name: &str, kind: MetricKind) -> Metric {
    use crate::config::{Direction, Missing, Role};
    let survey = matches!(
        kind,
        MetricKind::Nps | MetricKind::Csat | MetricKind::Ordinal | MetricKind::Ces
    );
    Metric {
        name: name.to_string(),
        label: None,
        span: 0..0,
        column: name.to_string(),
        denominator: (kind == MetricKind::Ratio).then(|| "orders".to_string()),
        kind,
        role: Role::Primary,
        direction: Direction::Increase,
        aggregate: Aggregate::Sum,
        missing: if survey {
            Missing::Exclude
        } else {
            Missing::Zero
        },
        covariate: None,
        cap: None,
        margin: None,
        scale: match kind {
            MetricKind::Nps => Some((0, 10)),
            MetricKind::Csat => Some((1, 5)),
            MetricKind::Ordinal | MetricKind::Ces => Some((1, 7)),
            _ => None,
        },
        baseline: None,
        baseline_sd: None,
        mde: None,
        mde_absolute: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn draws_match_the_stated_truth() {
        let mut rng = SimRng::seed_from_u64(1);
        let count = Metric {
            aggregate: Aggregate::Count,
            ..synthetic_metric("m", MetricKind::Mean)
        };
        let metrics = [
            MetricKind::Binary,
            MetricKind::Mean,
            MetricKind::Ratio,
            MetricKind::Nps,
            MetricKind::Csat,
            MetricKind::Ordinal,
        ]
        .map(|kind| synthetic_metric("m", kind));
        for metric in metrics.iter().chain([&count]) {
            let kind = metric.kind;
            let lift = if kind == MetricKind::Nps { 6.0 } else { 0.1 };
            let shape = Shape::of(metric, lift);
            let base = Shape::of(metric, 0.0);
            let stats = simulate_group(kind, &shape, 200_000, false, &mut rng);
            let est = crate::analysis::compare::arm_estimate(kind, &stats);
            let mean = est.mean.unwrap();
            let truth = shape.truth(kind);
            assert!(
                // NPS: 60,000 answers give a standard error of ~0.3 points.
                (mean - truth).abs()
                    < if kind == MetricKind::Nps {
                        1.5
                    } else {
                        0.03 * truth.abs()
                    },
                "{kind:?}: {mean} vs {truth}"
            );
            // The planning spread is what the analysis measures per customer.
            if let Some(sd) = shape.sd() {
                let measured = est.sd.unwrap();
                assert!(
                    (measured - sd).abs() < 0.03 * sd,
                    "{kind:?}: sd {measured} vs {sd}"
                );
            }
            let change = if kind == MetricKind::Nps {
                truth - base.truth(kind)
            } else {
                truth / base.truth(kind) - 1.0
            };
            assert!((change - lift).abs() < 1e-6, "{kind:?}: {change}");
        }
    }

    #[test]
    fn parses_effects() {
        assert_eq!(parse_effect("revenue=0.05"), Ok(("revenue".into(), 0.05)));
        assert!(parse_effect("revenue").is_err());
        assert!(parse_effect("revenue=x").is_err());
    }
}
