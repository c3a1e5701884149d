//! `pilot validate FILE`: check the experiment file and the CSV headers.

use std::path::Path;

use crate::config::{self, Experiment};
use crate::error::Result;
use crate::preflight::{self, FileCheck, FileRole};

/// Validates `file` and prints what it found.
pub fn run(file: &Path) -> Result<()> {
    let exp = config::load(file)?;
    let checks = preflight::check_all(&exp)?;
    print!("{}", crate::sanitize::printable(&summary(&exp, &checks)));
    Ok(())
}

fn summary(exp: &Experiment, checks: &[FileCheck]) -> String {
    let mut out = format!("{} is valid.\n\n", exp.path.display());
    let line = |out: &mut String, label: &str, text: &str| {
        out.push_str(&format!("  {label:<11} {text}\n"));
    };
    let mut name = exp.meta.name.clone();
    if !exp.meta.description.is_empty() {
        name.push_str(&format!(": {}", exp.meta.description));
    }
    line(&mut out, "experiment", &name);
    let arms: Vec<String> = exp
        .arms
        .iter()
        .map(|a| format!("{} {}", a.name, percent(a.weight)))
        .collect();
    line(
        &mut out,
        "arms",
        &format!("{} (the first is the control)", arms.join(", ")),
    );
    for check in checks {
        let status = match (check.columns, check.role) {
            (Some(n), _) => format!("{} columns, all needed ones present", n),
            (None, FileRole::Ledger) => "not written yet; `pilot assign` creates it".to_string(),
            (None, _) => "not there yet; `pilot analyze` needs it".to_string(),
        };
        line(
            &mut out,
            check.role.label(),
            &format!("{}: {status}", check.path.display()),
        );
    }
    if !exp.population.filters.is_empty() {
        let columns: Vec<&str> = exp
            .population
            .filters
            .iter()
            .map(|f| f.column.as_str())
            .collect();
        line(
            &mut out,
            "eligibility",
            &format!("filters on {}", columns.join(", ")),
        );
    }
    if !exp.metrics.is_empty() {
        let metrics: Vec<String> = exp
            .metrics
            .iter()
            .map(|m| format!("{} ({}, {})", m.name, m.kind.as_str(), m.role.as_str()))
            .collect();
        line(&mut out, "metrics", &metrics.join(", "));
    }
    out
}

fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}
