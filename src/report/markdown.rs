//! The analysis report as Markdown.

use crate::report::model::AnalysisReport;
use crate::report::terminal::{Style, render as render_text};

/// The terminal text in a fenced block, under a title.
pub fn render(report: &AnalysisReport) -> String {
    let text = render_text(
        report,
        Style {
            color: false,
            width: 100,
        },
    );
    format!("# {}\n\n```text\n{text}```\n", report.experiment.name)
}
