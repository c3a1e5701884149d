//! Compared metrics: what the decision reads and the report shows.
//!
//! These types serialize into the `metrics[]` part of `pilot analyze
//! --format json`, a documented, stable schema: fields are only added.

use serde::{Deserialize, Serialize};

use crate::config::{Direction, MetricKind, Role};

use crate::analysis::compare::{ArmEstimate, CupedInfo};
use crate::analysis::segment_pool::PooledSegments;
use crate::stats::TestKind;

/// An estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Point estimate.
    pub estimate: f64,
    /// Lower limit of the interval.
    pub ci_low: f64,
    /// Upper limit of the interval.
    pub ci_high: f64,
}

/// How a comparison came out, read in the metric's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Significantly better than control.
    Better,
    /// Significantly worse than control.
    Worse,
    /// Not significant either way (yet).
    Inconclusive,
    /// Could not be computed; see `not_computable`.
    NotComputable,
}

/// The fixed-horizon estimate and standard error (input to ROI and
/// sample-size estimates, also in sequential mode).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FixedHorizon {
    /// Treatment minus control.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
}

/// One treatment arm against the control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmComparison {
    /// Treatment arm name.
    pub arm: String,
    /// The test behind the p-value (`welch`, `pooled_z`, `fisher_exact`,
    /// `mann_whitney`, `sequential`), or null if not computable.
    pub test: Option<TestKind>,
    /// Treatment minus control, in the metric's units (rates as fractions).
    pub absolute: Option<Estimate>,
    /// Treatment / control - 1.
    pub relative: Option<Estimate>,
    /// Why `relative` is missing, when it is.
    pub relative_not_computable: Option<String>,
    /// Two-sided p-value of the test.
    pub p_value: Option<f64>,
    /// p-value after the multiple-comparison correction; equal to
    /// `p_value` for comparisons outside any correction family.
    pub p_value_adjusted: Option<f64>,
    /// Better, worse or inconclusive at alpha, in the metric's direction.
    pub outcome: Outcome,
    /// Chance that the treatment is better than control, in the metric's
    /// direction (exact Beta-Binomial for rates, normal approximation else).
    pub chance_to_beat_control: Option<f64>,
    /// Fixed-horizon estimate and standard error.
    pub fixed_horizon: Option<FixedHorizon>,
    /// Why the comparison could not be computed, as a sentence.
    pub not_computable: Option<String>,
    /// What CUPED did for this arm's comparison (CUPED metrics only).
    #[serde(default)]
    pub cuped: Option<CupedInfo>,
}

impl ArmComparison {
    /// The treatment's CUPED-adjusted average, where the adjustment was
    /// used: its average as if its customers had started where the
    /// control's did, so the change is its difference to the control's.
    pub fn adjusted_mean(&self) -> Option<f64> {
        self.cuped
            .filter(|info| info.applied)
            .and_then(|info| info.treatment_mean)
    }
}

/// Per arm figures of a metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmFigures {
    /// Arm name.
    pub arm: String,
    /// Customers (answers for surveys) measured.
    pub n: u64,
    /// Rate, mean, ratio or score.
    pub mean: Option<f64>,
    /// Standard deviation per customer.
    pub sd: Option<f64>,
    /// Surveys: customers assigned to the arm (who could have answered).
    pub assigned: Option<u64>,
    /// Surveys: answers / customers assigned.
    pub response_rate: Option<f64>,
}

impl ArmFigures {
    /// Combines an arm's name and estimate; `assigned` is given for surveys.
    pub fn new(arm: &str, estimate: ArmEstimate, assigned: Option<u64>) -> Self {
        Self {
            arm: arm.to_string(),
            n: estimate.n,
            mean: estimate.mean,
            sd: estimate.sd,
            assigned,
            response_rate: assigned
                .filter(|&a| a > 0)
                .map(|a| estimate.n as f64 / a as f64),
        }
    }
}

/// One segment value's comparisons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentResult {
    /// Population column.
    pub column: String,
    /// Segment value (or `(other)` for the rest beyond the largest 20).
    pub value: String,
    /// Customers in the segment, all arms; for surveys, the answers (see
    /// [`MetricResult::is_survey`]).
    pub customers: u64,
    /// Per treatment arm.
    pub comparisons: Vec<ArmComparison>,
}

/// Winsorizing applied to a metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CapInfo {
    /// The configured quantile.
    pub quantile: f64,
    /// The value at that quantile, pooled over arms.
    pub value: f64,
    /// Customers whose value was lowered to it.
    pub customers_capped: u64,
}

/// Everything computed for one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    /// Metric name.
    pub name: String,
    /// The metric's `label` from the experiment file, what reports call it
    /// (`null`: reports use the name).
    #[serde(default)]
    pub label: Option<String>,
    /// `binary`, `mean`, `ratio`, `nps`, `csat` or `ordinal`.
    pub kind: MetricKind,
    /// `primary`, `guardrail` or `secondary`.
    pub role: Role,
    /// `increase` or `decrease`: which way is better.
    pub direction: Direction,
    /// Guardrail non-inferiority margin (relative), if any.
    pub margin: Option<f64>,
    /// Per arm, control first.
    pub arms: Vec<ArmFigures>,
    /// Per treatment arm against the control.
    pub comparisons: Vec<ArmComparison>,
    /// Per segment value and treatment arm.
    pub segments: Vec<SegmentResult>,
    /// Per segment column and treatment arm: the segments pooled, with
    /// each segment's likely (shrunken) effect (see
    /// [`crate::analysis::segment_pool`]).
    #[serde(default)]
    pub pooled_segments: Vec<PooledSegments>,
    /// CUPED adjustment, if a covariate was used (first treatment arm).
    pub cuped: Option<CupedInfo>,
    /// Winsorizing, if a cap was configured.
    pub cap: Option<CapInfo>,
}

impl MetricResult {
    /// What reports call the metric: its label, or its name.
    pub fn title(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// What CUPED did in each treatment arm's comparison, by arm name
    /// (empty for metrics without a covariate, and in reports saved before
    /// the per-arm figures existed).
    pub fn cuped_by_arm(&self) -> Vec<(&str, CupedInfo)> {
        self.comparisons
            .iter()
            .filter_map(|c| c.cuped.map(|info| (c.arm.as_str(), info)))
            .collect()
    }

    /// A survey metric counts answers, not customers: customers who did
    /// not answer are left out (its arms record how many were assigned).
    pub fn is_survey(&self) -> bool {
        self.arms.iter().any(|a| a.assigned.is_some())
    }
}

/// What reports call each metric, looked up by name: for texts that hold
/// metric names (decision reasons, break-even lines) rather than results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricTitles(Vec<(String, String)>);

impl MetricTitles {
    /// The titles of these metrics.
    pub fn of(metrics: &[MetricResult]) -> Self {
        Self(
            metrics
                .iter()
                .map(|m| (m.name.clone(), m.title().to_string()))
                .collect(),
        )
    }

    /// The title of the metric called `name`; the name itself for a
    /// metric not known here.
    pub fn get<'a>(&'a self, name: &'a str) -> &'a str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or(name, |(_, title)| title.as_str())
    }
}
