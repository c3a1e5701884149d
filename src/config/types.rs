//! The validated experiment, as the rest of pilot sees it.
//!
//! These types are produced by [`crate::config::load`] after parsing and
//! validation: every path is resolved relative to the experiment file, weights
//! are normalised, defaults are filled in. Downstream modules read them and
//! never see raw TOML.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A fully validated experiment file.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// Path of the experiment file, as given by the user.
    pub path: PathBuf,
    /// The file's text, kept for error spans and fingerprints.
    pub source: String,
    /// `[experiment]`.
    pub meta: Meta,
    /// `[[arms]]`, in file order; the first arm is the control.
    pub arms: Vec<Arm>,
    /// `[population]`.
    pub population: Population,
    /// `[assignment]`.
    pub assignment: Assignment,
    /// `[outcomes]`, if declared.
    pub outcomes: Option<Outcomes>,
    /// `[[metrics]]`, in file order.
    pub metrics: Vec<Metric>,
    /// `[analysis]`, defaults filled in.
    pub analysis: Analysis,
    /// `[decision]`, defaults filled in.
    pub decision: Decision,
    /// `[roi]`, if declared.
    pub roi: Option<Roi>,
}

/// `[experiment]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Lowercase letters, digits and '-'.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Hash salt; defaults to `name`.
    pub salt: String,
}

/// One arm of the experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Unique arm name.
    pub name: String,
    /// Normalised weight: all arms sum to 1.
    pub weight: f64,
}

/// A span in the experiment file, for errors found after parsing (for
/// example a filter column missing from the CSV).
pub type Span = Range<usize>;

/// `[population]`: the customer export to assign from.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Resolved path of the customer CSV.
    pub file: PathBuf,
    /// Where `file` was declared in the experiment file.
    pub file_span: Span,
    /// Column holding the customer id.
    pub id_column: String,
    /// Where `id_column` was declared (or the `[population]` header).
    pub id_column_span: Span,
    /// Eligibility filters; a customer must pass all of them.
    pub filters: Vec<Filter>,
    /// Expected new eligible customers per week (for duration estimates).
    pub new_per_week: Option<f64>,
}

/// One eligibility filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// Population column the filter reads.
    pub column: String,
    /// Where this filter was written.
    pub span: Span,
    /// The test applied to the column's value.
    pub rule: FilterRule,
}

/// The test of a filter. Text comparisons are exact after trimming spaces.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterRule {
    /// The value is one of these.
    In(Vec<String>),
    /// The value is none of these.
    NotIn(Vec<String>),
    /// The value is a number within the bounds (inclusive); a blank or
    /// non-numeric value fails the filter.
    Range {
        /// Inclusive lower bound.
        min: Option<f64>,
        /// Inclusive upper bound.
        max: Option<f64>,
    },
}

/// Which hash maps a customer id to a point in [0, 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashScheme {
    /// pilot's own, version 1: SHA-256(salt, 0x1F, id), first 8 bytes
    /// big-endian / 2^64.
    Sha256V1,
    /// GrowthBook SDK "v2": fnv1a32(str(fnv1a32(seed + id))) % 10000 / 10000.
    GrowthBook,
}

/// `[assignment]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Resolved path of the ledger CSV.
    pub file: PathBuf,
    /// Share of eligible customers enrolled, 0 < coverage <= 1.
    pub coverage: f64,
    /// Population columns whose combined value defines a stratum.
    pub stratify: Vec<String>,
    /// The hash scheme.
    pub hash: HashScheme,
    /// Column of the ledger holding the customer id (pilot writes
    /// `customer_id`; ledgers made elsewhere may differ).
    pub id_column: String,
    /// Column of the ledger holding the arm name.
    pub arm_column: String,
}

/// `[outcomes]`: where outcome rows come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcomes {
    /// Row-level outcome CSV (one or more rows per customer).
    pub file: Option<PathBuf>,
    /// Pre-aggregated summary statistics CSV, instead of `file`.
    pub summary: Option<PathBuf>,
    /// Column holding the customer id in `file`.
    pub id_column: String,
    /// Date column, for the optional window.
    pub date_column: Option<String>,
    /// Inclusive window start, ISO date `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Inclusive window end, ISO date `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Summary CSV column holding the segment value, if the summary is segmented.
    pub segment_column: Option<String>,
}

/// The statistical family of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// 0/1 per customer (also TRUE/false/yes/no).
    Binary,
    /// A number per customer (revenue, tickets).
    Mean,
    /// Sum of a numerator over sum of a denominator (revenue per order).
    Ratio,
    /// 0-10 answers, recoded to -100/0/+100.
    Nps,
    /// 1-5 answers, analysed as the share of 4-5.
    Csat,
    /// Integer scale answers (any rating scale), Mann-Whitney.
    Ordinal,
    /// Customer effort score: answers 1-7 (or the `scale` given), lower is
    /// better unless `direction` says otherwise; analysed as an ordinal
    /// scale (mean answer, Mann-Whitney).
    Ces,
}

impl std::fmt::Display for MetricKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl MetricKind {
    /// The name used in experiment files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Binary => "binary",
            MetricKind::Mean => "mean",
            MetricKind::Ratio => "ratio",
            MetricKind::Nps => "nps",
            MetricKind::Csat => "csat",
            MetricKind::Ordinal => "ordinal",
            MetricKind::Ces => "ces",
        }
    }
}

/// What a metric is for in the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Exactly one: the metric the pilot is meant to move.
    Primary,
    /// Must not get worse beyond its margin.
    Guardrail,
    /// Reported, corrected for multiplicity, not decisive.
    Secondary,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Role {
    /// The name used in experiment files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Guardrail => "guardrail",
            Role::Secondary => "secondary",
        }
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Higher is better.
    Increase,
    /// Lower is better (churn, tickets, effort).
    Decrease,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Direction {
    /// The name used in experiment files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
        }
    }
}

/// How several outcome rows of one customer combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Sum of the values.
    Sum,
    /// Mean of the values.
    Mean,
    /// Largest value.
    Max,
    /// Value of the last row (by date if a date column is set, else file order).
    Last,
    /// Number of rows with a non-blank value.
    Count,
}

/// What a ledger customer without outcome rows counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Zero (purchases, revenue, tickets).
    Zero,
    /// Left out (surveys); response rates are reported.
    Exclude,
}

/// `[[metrics]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Unique metric name.
    pub name: String,
    /// What reports call the metric ("Repeat purchases"); `None`: its name.
    pub label: Option<String>,
    /// Where this metric was declared.
    pub span: Span,
    /// Outcome column (defaults to `name`).
    pub column: String,
    /// Denominator column for ratio metrics.
    pub denominator: Option<String>,
    /// Statistical family.
    pub kind: MetricKind,
    /// Role in the decision.
    pub role: Role,
    /// Which way is better.
    pub direction: Direction,
    /// Row combination per customer.
    pub aggregate: Aggregate,
    /// Customers without rows.
    pub missing: Missing,
    /// Pre-period covariate column (population file) for CUPED.
    pub covariate: Option<String>,
    /// Winsorize at this pooled quantile, 0.5 < cap < 1.
    pub cap: Option<f64>,
    /// Guardrail non-inferiority margin, relative (0.02 = 2% worse tolerated).
    pub margin: Option<f64>,
    /// Ordinal scale bounds (inclusive); fixed for NPS (0-10) and CSAT (1-5).
    pub scale: Option<(i64, i64)>,
    /// Planning: baseline rate or mean.
    pub baseline: Option<f64>,
    /// Planning: baseline standard deviation (mean metrics).
    pub baseline_sd: Option<f64>,
    /// Planning: minimum detectable effect, relative.
    pub mde: Option<f64>,
    /// Planning: minimum detectable effect, absolute.
    pub mde_absolute: Option<f64>,
}

/// Multiple-comparison correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// Holm step-down (family-wise error).
    Holm,
    /// Benjamini-Hochberg (false discovery rate).
    #[serde(rename = "bh")]
    BenjaminiHochberg,
    /// Bonferroni (family-wise error, simplest).
    Bonferroni,
    /// No correction.
    None,
}

impl Correction {
    /// The name used in experiment files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Correction::Holm => "holm",
            Correction::BenjaminiHochberg => "bh",
            Correction::Bonferroni => "bonferroni",
            Correction::None => "none",
        }
    }
}

impl std::fmt::Display for Correction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[analysis]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Significance level, 0 < alpha < 1 (default 0.05).
    pub alpha: f64,
    /// Target power for planning (default 0.8).
    pub power: f64,
    /// Always-valid inference (default true).
    pub sequential: bool,
    /// Sequential tuning sample size N* of the confidence sequence, in
    /// customers in total (default: the arms times `[decision]
    /// min_customers_per_arm`).
    pub sequential_tuning: f64,
    /// Customers per arm the pilot is planned to reach: with `sequential`,
    /// the looks are analysed group-sequentially against it instead of with
    /// the confidence sequence.
    pub planned_customers_per_arm: Option<u64>,
    /// Correction over secondary metrics and segments (default Holm).
    pub correction: Correction,
    /// Population columns to break results down by.
    pub segments: Vec<String>,
}

/// `[decision]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Fewest customers per arm before any verdict but `continue` (default 100).
    pub min_customers_per_arm: u64,
    /// A risk limit: roll out only when the chance that the NPV is positive
    /// is at least this (default none: the expected NPV decides).
    pub min_probability_positive_npv: Option<f64>,
    /// A risk limit in money: roll out only when the expected loss of
    /// rolling out is at most this (default none).
    pub max_expected_loss: Option<f64>,
    /// What pilot believes about effects before seeing the data.
    pub prior: Prior,
    /// Last day of the pilot, `YYYY-MM-DD`, if set.
    pub deadline: Option<String>,
    /// Longest pilot in weeks after the first assignment, used when no
    /// `deadline` is set (default 16).
    pub max_weeks: f64,
    /// Highest chance that a guardrail is beyond its margin at which the
    /// initiative may still roll out (default 0.1).
    pub max_guardrail_risk: f64,
    /// `prior_correlation`: the correlation, under the prior, between the
    /// improvements an initiative makes to the primary metric and to each
    /// money metric (at least 0, less than 1; default
    /// [`DEFAULT_PRIOR_CORRELATION`]). It sets how much a precisely
    /// measured primary metric (purchases) says about a noisy money metric
    /// (revenue) measured on the same customers; 0 learns each alone.
    pub prior_correlation: f64,
}

/// The default correlation of improvements in the joint model. Chosen on
/// the portfolio runs (docs/calibration.md): where revenue moves with
/// purchases, 0.95 earns a few points more and 0.5 about ten fewer; 0.8
/// keeps most of the gain while leaving room for initiatives that move
/// revenue differently from the primary metric (a discount that sells more
/// for less).
pub const DEFAULT_PRIOR_CORRELATION: f64 = 0.8;

impl Default for Decision {
    /// The `[decision]` of a file that has none.
    fn default() -> Self {
        Self {
            min_customers_per_arm: 100,
            min_probability_positive_npv: None,
            max_expected_loss: None,
            prior: Prior::Default,
            deadline: None,
            max_weeks: 16.0,
            max_guardrail_risk: 0.1,
            prior_correlation: DEFAULT_PRIOR_CORRELATION,
        }
    }
}

/// The prior on the true relative effect of an initiative on a metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior {
    /// pilot's default: a heavy-tailed mixture centred on no effect, most
    /// changes moving metrics little (see `docs/decision.md`).
    Default,
    /// A normal prior on the relative effect.
    Normal {
        /// Mean relative effect.
        mean: f64,
        /// Standard deviation of the relative effect.
        sd: f64,
    },
    /// No prior: the data alone (the posterior is the sampling distribution).
    Flat,
}

/// `[roi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Roi {
    /// Customers reached at full rollout (None: the eligible population).
    pub customers: Option<f64>,
    /// Projection horizon in months.
    pub horizon_months: u32,
    /// Annual discount rate.
    pub discount_rate: f64,
    /// Paid at month 0.
    pub one_time_cost: f64,
    /// Fixed cost every month.
    pub monthly_cost: f64,
    /// Cost per customer reached, every month.
    pub cost_per_customer_month: f64,
    /// Months of behaviour the outcome metrics cover.
    pub metric_window_months: f64,
    /// 0: the effect persists; otherwise its half-life in months.
    pub effect_half_life_months: f64,
    /// Monte Carlo draws.
    pub draws: u32,
    /// Monte Carlo seed.
    pub seed: u64,
    /// Currency code or symbol for reports (default "$").
    pub currency: String,
    /// Value created by each metric.
    pub benefits: Vec<Benefit>,
}

/// `[[roi.benefits]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Benefit {
    /// Name of a declared metric.
    pub metric: String,
    /// Money per unit of the metric per customer.
    pub unit_value: f64,
    /// Share of that money kept (default 1).
    pub margin: f64,
}
