//! Checks that the files an experiment names exist and have the columns it
//! uses, before any command writes anything.
//!
//! Only header lines are read. A missing column is reported at line 1 of the
//! CSV, with a note naming the place in the experiment file that uses it,
//! since the fix is usually a typo on one side or the other.

use std::path::{Path, PathBuf};

use crate::config::{Experiment, MetricKind};
use crate::error::{Error, Result};
use crate::io::csv_input::{CsvReader, missing_column_message};

/// What a checked file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// `[population] file`: the customer export.
    Population,
    /// `[assignment] file`: the ledger.
    Ledger,
    /// `[outcomes] file`: row-level outcomes.
    Outcomes,
    /// `[outcomes] summary`: pre-aggregated statistics.
    Summary,
}

impl FileRole {
    /// Plain name for messages.
    pub fn label(self) -> &'static str {
        match self {
            FileRole::Population => "population",
            FileRole::Ledger => "ledger",
            FileRole::Outcomes => "outcomes",
            FileRole::Summary => "summary statistics",
        }
    }
}

/// The result of checking one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileCheck {
    /// What the file is for.
    pub role: FileRole,
    /// The file, as resolved from the experiment file.
    pub path: PathBuf,
    /// `Some(columns)` if the file exists and has every needed column;
    /// `None` if it does not exist yet and that is fine at this stage.
    pub columns: Option<usize>,
}

/// A column the experiment needs, and where the experiment file names it.
struct Needed {
    column: String,
    used_as: String,
}

impl Needed {
    fn new(column: &str, used_as: impl Into<String>) -> Self {
        Self {
            column: column.to_string(),
            used_as: used_as.into(),
        }
    }
}

/// Columns of the population file the experiment uses.
fn population_columns(exp: &Experiment) -> Vec<Needed> {
    let mut needed = vec![Needed::new(
        &exp.population.id_column,
        "[population] id_column",
    )];
    for filter in &exp.population.filters {
        needed.push(Needed::new(&filter.column, "a [population] filter"));
    }
    for column in &exp.assignment.stratify {
        needed.push(Needed::new(column, "[assignment] stratify"));
    }
    for column in &exp.analysis.segments {
        needed.push(Needed::new(column, "[analysis] segments"));
    }
    for metric in &exp.metrics {
        if let Some(covariate) = &metric.covariate {
            needed.push(Needed::new(
                covariate,
                format!("the covariate of metric `{}`", metric.name),
            ));
        }
    }
    needed
}

/// Columns of the outcome export the experiment uses.
fn outcome_columns(exp: &Experiment) -> Vec<Needed> {
    let Some(outcomes) = &exp.outcomes else {
        return Vec::new();
    };
    let mut needed = vec![Needed::new(&outcomes.id_column, "[outcomes] id_column")];
    if let Some(date) = &outcomes.date_column {
        needed.push(Needed::new(date, "[outcomes] date_column"));
    }
    for metric in &exp.metrics {
        needed.push(Needed::new(
            &metric.column,
            format!("the column of metric `{}`", metric.name),
        ));
        if let (MetricKind::Ratio, Some(den)) = (metric.kind, &metric.denominator) {
            needed.push(Needed::new(
                den,
                format!("the denominator of metric `{}`", metric.name),
            ));
        }
    }
    needed
}

/// Reads the header of `path` and checks that every needed column is there.
/// Returns the number of columns.
fn check_header(exp: &Experiment, path: &Path, needed: &[Needed]) -> Result<usize> {
    let csv = CsvReader::open(path)?;
    for need in needed {
        if csv.find_column(&need.column).is_none() {
            return Err(Error::at_csv(
                path,
                1,
                None,
                missing_column_message(&need.column, csv.headers()),
            )
            .with_note(format!(
                "{} uses it as {}",
                exp.path.display(),
                need.used_as
            )));
        }
    }
    Ok(csv.headers().len())
}

/// Checks the population file: it must exist with every column used.
pub fn check_population(exp: &Experiment) -> Result<FileCheck> {
    let path = &exp.population.file;
    let columns = check_header(exp, path, &population_columns(exp))?;
    Ok(FileCheck {
        role: FileRole::Population,
        path: path.clone(),
        columns: Some(columns),
    })
}

/// Checks the ledger if it exists (it is written by `pilot assign`).
pub fn check_ledger(exp: &Experiment) -> Result<FileCheck> {
    let path = &exp.assignment.file;
    let needed = [
        Needed::new(&exp.assignment.id_column, "[assignment] id_column"),
        Needed::new(&exp.assignment.arm_column, "[assignment] arm_column"),
    ];
    optional(exp, FileRole::Ledger, path, &needed)
}

/// Checks the outcome export or summary, if declared and present (outcomes
/// arrive after the pilot has run).
pub fn check_outcomes(exp: &Experiment) -> Result<Option<FileCheck>> {
    let Some(outcomes) = &exp.outcomes else {
        return Ok(None);
    };
    if let Some(path) = &outcomes.file {
        return optional(exp, FileRole::Outcomes, path, &outcome_columns(exp)).map(Some);
    }
    if let Some(path) = &outcomes.summary {
        let mut needed: Vec<Needed> = ["arm", "metric", "n", "sum", "sum_squares"]
            .iter()
            .map(|c| Needed::new(c, "a summary statistics column"))
            .collect();
        if let Some(segment) = &outcomes.segment_column {
            needed.push(Needed::new(segment, "[outcomes] segment_column"));
        }
        return optional(exp, FileRole::Summary, path, &needed).map(Some);
    }
    Ok(None)
}

fn optional(exp: &Experiment, role: FileRole, path: &Path, needed: &[Needed]) -> Result<FileCheck> {
    let columns = if path.exists() {
        Some(check_header(exp, path, needed)?)
    } else {
        None
    };
    Ok(FileCheck {
        role,
        path: path.to_path_buf(),
        columns,
    })
}

/// Checks every file the experiment names.
pub fn check_all(exp: &Experiment) -> Result<Vec<FileCheck>> {
    let mut checks = vec![check_population(exp)?, check_ledger(exp)?];
    checks.extend(check_outcomes(exp)?);
    Ok(checks)
}
