//! The analysis report: one serializable value that every output format
//! (terminal, JSON, Markdown, HTML) renders.
//!
//! Serialized as `pilot analyze --format json`: a stable, documented schema
//! (see the README). `schema_version` changes only if a field is removed or
//! changes meaning; new fields may appear at any time.

use serde::Serialize;

use crate::analysis::health::Srm;
use crate::analysis::result::MetricResult;
use crate::decide::verdict::Decision;
use crate::ingest::dataset::DataCounts;
use crate::roi::RoiReport;

/// The schema version of [`AnalysisReport`].
pub const SCHEMA_VERSION: u32 = 1;

/// Which experiment was analyzed.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ExperimentInfo {
    /// `[experiment] name`.
    pub name: String,
    /// `[experiment] description`.
    pub description: String,
    /// The experiment file.
    pub file: String,
    /// Fingerprint of the experiment file's text.
    pub fingerprint: String,
}

/// The analysis settings used.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Settings {
    /// Significance level.
    pub alpha: f64,
    /// Always-valid (sequential) inference.
    pub sequential: bool,
    /// Sequential tuning size.
    pub sequential_tuning: f64,
    /// `holm`, `bh`, `bonferroni` or `none`.
    pub correction: crate::config::Correction,
    /// The group-sequential look, when the pilot has a planned size and the
    /// analysis is sequential (then the overall comparisons' `test` is
    /// `group_sequential`); absent otherwise and in older reports.
    #[serde(default)]
    pub group_sequential: Option<GroupSequentialSettings>,
}

/// Where a group-sequential analysis stands (O'Brien-Fleming-type alpha
/// spending, Lan & DeMets 1983; see docs/statistics.md).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GroupSequentialSettings {
    /// Number of this look, the earlier recorded looks counted (1 for the first).
    pub look: usize,
    /// Smallest arm's customers over the planned customers per arm (above 1
    /// after an overrun).
    pub information_fraction: f64,
    /// The planned customers per arm.
    pub planned_customers_per_arm: u64,
    /// The boundary c for |z| at this look: intervals are estimate +/- c se.
    pub boundary: f64,
}

/// One arm's size.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ArmInfo {
    /// Arm name.
    pub name: String,
    /// Customers in the ledger.
    pub customers: u64,
    /// Configured weight (normalised).
    pub weight: f64,
}

/// The ROI of rolling out one treatment arm.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ArmRoi {
    /// Treatment arm.
    pub arm: String,
    /// The projection, or why there is none.
    pub roi: Option<RoiReport>,
    /// Why the projection is missing, if it is.
    pub not_computable: Option<String>,
}

/// The history file and this run's place in it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct HistoryInfo {
    /// The history file.
    pub file: String,
    /// Looks recorded, including this one if it was recorded.
    pub looks: usize,
    /// Whether this run was recorded as a new look (new data or a changed
    /// experiment file).
    pub recorded: bool,
}

/// Everything `pilot analyze` found.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct AnalysisReport {
    /// Schema version of this structure.
    pub schema_version: u32,
    /// The pilot version that wrote it.
    pub pilot_version: String,
    /// When the analysis ran (RFC 3339, UTC).
    pub generated_at: String,
    /// Which experiment.
    pub experiment: ExperimentInfo,
    /// Settings.
    pub settings: Settings,
    /// Arms, control first.
    pub arms: Vec<ArmInfo>,
    /// Sample ratio check (null without customers).
    pub srm: Option<Srm>,
    /// What was read and what did not join.
    pub data: DataCounts,
    /// Fingerprint of the input data.
    pub data_fingerprint: String,
    /// Compared metrics, in experiment order.
    pub metrics: Vec<MetricResult>,
    /// ROI of the arm the decision is about (or the first treatment arm).
    pub roi: Option<RoiReport>,
    /// ROI per treatment arm.
    pub roi_by_arm: Vec<ArmRoi>,
    /// The verdict.
    pub decision: Decision,
    /// Health findings and data notes, in plain sentences.
    pub warnings: Vec<String>,
    /// The history of looks.
    pub history: Option<HistoryInfo>,
}
