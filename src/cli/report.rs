//! `pilot report FILE`: render the latest analysis again, without reading
//! the data or recomputing anything.

use std::path::Path;

use crate::cli::analyze::{Format, render, write_html};
use crate::error::Result;
use crate::history;

/// Renders the report saved by the last `pilot analyze` of `file`.
pub fn run(file: &Path, format: Format, html: Option<&Path>) -> Result<()> {
    // Only the experiment file's location is needed: the saved report and
    // the history live beside it, and nothing is recomputed.
    let report = history::load_latest(&history::latest_report_path(file), file)?;
    let looks = history::read(&history::history_path(file))?;
    if let Some(path) = html {
        write_html(path, &report, &looks)?;
    }
    print!("{}", render(&report, format)?);
    Ok(())
}
