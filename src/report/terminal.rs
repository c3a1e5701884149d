//! The analysis report as plain text for a terminal.

use crate::format::{p_value, signed_pct};
use crate::report::model::AnalysisReport;

/// How to draw: colours on or off, and the line width.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap prose at this width.
    pub width: usize,
}

/// The verdict, its reasons and one line per comparison.
pub fn render(report: &AnalysisReport, _style: Style) -> String {
    let mut out = format!(
        "{}: {}\n",
        report.experiment.name,
        report.decision.verdict.as_str().to_uppercase()
    );
    for reason in &report.decision.reasons {
        out.push_str(&format!("  - {reason}\n"));
    }
    for metric in &report.metrics {
        for c in &metric.comparisons {
            let change = c
                .relative
                .map(|r| signed_pct(r.estimate))
                .unwrap_or_default();
            let p = c.p_value_adjusted.map(p_value).unwrap_or_default();
            out.push_str(&format!("{} {}: {change} {p}\n", metric.name, c.arm));
        }
    }
    for warning in &report.warnings {
        out.push_str(&format!("! {warning}\n"));
    }
    out
}
