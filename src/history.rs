//! The history of looks: one JSON line per analysis run that saw new data
//! or a changed experiment file, kept beside the experiment file as
//! `<name>.history.jsonl`.
//!
//! The history lets reports show how the estimate moved over time, and lets
//! pilot warn, on every later run, when the arms, weights or metrics changed
//! mid-experiment (results then mix two designs).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::atomic::{Staged, stage};
use crate::report::model::AnalysisReport;

/// Version of the look record.
pub const LOOK_VERSION: u32 = 1;

/// The design of an experiment as far as comparability goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookDesign {
    /// Arm names and weights, control first.
    pub arms: Vec<(String, f64)>,
    /// Metric names, in file order.
    pub metrics: Vec<String>,
}

/// One metric comparison as recorded in a look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookComparison {
    /// Metric name.
    pub metric: String,
    /// Treatment arm.
    pub arm: String,
    /// Absolute effect and interval.
    pub absolute: Option<[f64; 3]>,
    /// Relative effect and interval.
    pub relative: Option<[f64; 3]>,
    /// p-value (adjusted where a correction applies).
    pub p_value: Option<f64>,
}

/// One look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Look {
    /// Record version.
    pub version: u32,
    /// When the analysis ran (RFC 3339, UTC).
    pub time: String,
    /// Fingerprint of the input data.
    pub data_fingerprint: String,
    /// Fingerprint of the experiment file.
    pub config_fingerprint: String,
    /// Arms, weights and metrics at this look.
    pub design: LookDesign,
    /// Customers per arm.
    pub customers: Vec<u64>,
    /// The verdict.
    pub verdict: String,
    /// Every overall comparison.
    pub comparisons: Vec<LookComparison>,
}

impl Look {
    /// The look a report describes.
    pub fn of(report: &AnalysisReport) -> Self {
        let comparisons = report
            .metrics
            .iter()
            .flat_map(|m| {
                m.comparisons.iter().map(move |c| LookComparison {
                    metric: m.name.clone(),
                    arm: c.arm.clone(),
                    absolute: c.absolute.map(|e| [e.estimate, e.ci_low, e.ci_high]),
                    relative: c.relative.map(|e| [e.estimate, e.ci_low, e.ci_high]),
                    p_value: c.p_value_adjusted.or(c.p_value),
                })
            })
            .collect();
        Look {
            version: LOOK_VERSION,
            time: report.generated_at.clone(),
            data_fingerprint: report.data_fingerprint.clone(),
            config_fingerprint: report.experiment.fingerprint.clone(),
            design: LookDesign {
                arms: report
                    .arms
                    .iter()
                    .map(|a| (a.name.clone(), a.weight))
                    .collect(),
                metrics: report.metrics.iter().map(|m| m.name.clone()).collect(),
            },
            customers: report.arms.iter().map(|a| a.customers).collect(),
            verdict: report.decision.verdict.as_str().to_string(),
            comparisons,
        }
    }
}

/// `<stem>.history.jsonl` beside the experiment file.
pub fn history_path(experiment: &Path) -> PathBuf {
    beside(experiment, ".history.jsonl")
}

/// `<stem><suffix>` beside the experiment file. Built from the name's raw
/// bytes: two file names that are not valid UTF-8 (`exp-\xff.toml`,
/// `exp-\xfe.toml`) would share one history if the name were read as text.
fn beside(experiment: &Path, suffix: &str) -> PathBuf {
    let mut name = experiment
        .file_stem()
        .map_or_else(|| "experiment".into(), std::ffi::OsStr::to_os_string);
    name.push(suffix);
    experiment.with_file_name(name)
}

/// `<stem>.report.json` beside the experiment file: the latest full report,
/// so `pilot report` can render it again without recomputing.
pub fn latest_report_path(experiment: &Path) -> PathBuf {
    beside(experiment, ".report.json")
}

/// The latest report of its experiment, written beside `path` and ready
/// to be committed (see [`stage`]).
pub fn stage_latest(path: &Path, report: &AnalysisReport) -> Result<Staged> {
    let json =
        serde_json::to_string_pretty(report).map_err(|e| Error::in_file(path, e.to_string()))?;
    stage(path, |w| {
        w.write_all(json.as_bytes())
            .and_then(|()| w.write_all(b"\n"))
            .map_err(|e| Error::io(path, "write", &e))
    })
}

/// Reads the latest report saved by `pilot analyze`.
pub fn load_latest(path: &Path, experiment: &Path) -> Result<AnalysisReport> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(
                Error::in_file(path, "there is no saved analysis yet").with_note(format!(
                    "run `pilot analyze {}` first",
                    experiment.display()
                )),
            );
        }
        Err(e) => return Err(Error::io(path, "read", &e)),
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::at_csv(
            path,
            e.line() as u64,
            None,
            format!("not a report this version of pilot can read ({e}); run `pilot analyze` again"),
        )
    })
}

/// Reads the looks in `path`; a missing file is an empty history.
pub fn read(path: &Path) -> Result<Vec<Look>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, "read", &e)),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| {
                Error::at_csv(
                    path,
                    i as u64 + 1,
                    None,
                    format!("not a look record pilot can read ({e}); was the history file edited?"),
                )
            })
        })
        .collect()
}

/// Whether `look` repeats the latest look (same data, same file).
pub fn is_repeat(history: &[Look], look: &Look) -> bool {
    history.last().is_some_and(|last| {
        last.data_fingerprint == look.data_fingerprint
            && last.config_fingerprint == look.config_fingerprint
    })
}

/// Appends `look` to the history at `path` atomically (the whole file is
/// rewritten through a temporary file, so a crash leaves the old history).
pub fn append(path: &Path, history: &[Look], look: &Look) -> Result<()> {
    stage_append(path, history, look)?.commit()
}

/// The history at `path` with `look` appended, written beside it and ready
/// to be committed (see [`stage`]).
pub fn stage_append(path: &Path, history: &[Look], look: &Look) -> Result<Staged> {
    stage(path, |w| {
        for entry in history.iter().chain(std::iter::once(look)) {
            let line =
                serde_json::to_string(entry).map_err(|e| Error::in_file(path, e.to_string()))?;
            writeln!(w, "{line}").map_err(|e| Error::io(path, "write", &e))?;
        }
        Ok(())
    })
}

/// Warnings about design changes: for every look whose arms, weights or
/// metrics differ from the look before, and for the current design against
/// the latest look.
pub fn design_changes(history: &[Look], current: &LookDesign) -> Vec<String> {
    let mut warnings = Vec::new();
    let designs = history
        .iter()
        .map(|l| (l.time.as_str(), &l.design))
        .chain(std::iter::once(("this run", current)));
    let mut previous: Option<&LookDesign> = None;
    for (when, design) in designs {
        if let Some(prev) = previous
            && prev != design
        {
            warnings.push(format!(
                "The experiment changed mid-way ({}, {when}): {}. Results mix customers from before \
                 and after the change; consider starting a new experiment.",
                describe(prev, design),
                if when == "this run" { "since the last look" } else { "recorded at that look" }
            ));
        }
        previous = Some(design);
    }
    warnings
}

fn describe(before: &LookDesign, after: &LookDesign) -> String {
    let arms = |d: &LookDesign| {
        d.arms
            .iter()
            .map(|(n, w)| format!("{n} {:.0}%", w * 100.0))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let mut parts = Vec::new();
    if before.arms != after.arms {
        parts.push(format!("arms {} became {}", arms(before), arms(after)));
    }
    if before.metrics != after.metrics {
        parts.push(format!(
            "metrics {} became {}",
            before.metrics.join(", "),
            after.metrics.join(", ")
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(data: &str, arms: &[(&str, f64)]) -> Look {
        Look {
            version: LOOK_VERSION,
            time: format!("2026-10-0{}T00:00:00Z", data.len()),
            data_fingerprint: data.to_string(),
            config_fingerprint: "c".to_string(),
            design: LookDesign {
                arms: arms.iter().map(|(n, w)| (n.to_string(), *w)).collect(),
                metrics: vec!["m".to_string()],
            },
            customers: vec![10, 10],
            verdict: "continue".to_string(),
            comparisons: Vec::new(),
        }
    }

    #[test]
    fn same_data_and_file_is_a_repeat() {
        let even = [("control", 0.5), ("pilot", 0.5)];
        let history = vec![look("a", &even)];
        assert!(is_repeat(&history, &look("a", &even)));
        assert!(!is_repeat(&history, &look("ab", &even)));
        assert!(!is_repeat(&[], &look("a", &even)));
    }

    #[test]
    fn a_changed_design_is_reported_on_every_later_run() {
        let even = [("control", 0.5), ("pilot", 0.5)];
        let skewed = [("control", 0.3), ("pilot", 0.7)];
        let history = vec![look("a", &even), look("ab", &skewed), look("abc", &skewed)];
        let warnings = design_changes(&history, &look("abcd", &skewed).design);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("arms control 50% / pilot 50% became control 30% / pilot 70%")
        );
        assert!(design_changes(&history[1..], &look("x", &skewed).design).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn file_names_that_are_not_utf8_keep_histories_of_their_own() {
        use std::os::unix::ffi::OsStrExt;
        let a = Path::new(std::ffi::OsStr::from_bytes(b"experiments/exp-\xff.toml"));
        let b = Path::new(std::ffi::OsStr::from_bytes(b"experiments/exp-\xfe.toml"));
        assert_ne!(history_path(a), history_path(b));
        assert_ne!(latest_report_path(a), latest_report_path(b));
        assert_eq!(
            history_path(a).as_os_str().as_bytes(),
            b"experiments/exp-\xff.history.jsonl"
        );
        assert_ne!(crate::io::lock::lock_path(a), crate::io::lock::lock_path(b));
    }

    #[test]
    fn history_round_trips_and_appends_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.history.jsonl");
        let even = [("control", 0.5), ("pilot", 0.5)];
        append(&path, &[], &look("a", &even)).unwrap();
        let history = read(&path).unwrap();
        append(&path, &history, &look("ab", &even)).unwrap();
        let again = read(&path).unwrap();
        assert_eq!(again.len(), 2);
        assert_eq!(again[0], look("a", &even));
        std::fs::write(&path, "{not json\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("x.history.jsonl:1: not a look record"),
            "{err}"
        );
    }
}
