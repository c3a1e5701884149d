//! `pilot plan FILE`: sample sizes, detectable effects and the business case
//! before the pilot starts.

use std::path::Path;

use crate::cli::analyze::Format;
use crate::config;
use crate::error::{Error, Result};
use crate::ingest::dataset::eligible_customers;
use crate::plan::plan;
use crate::report::plan::{render_markdown, render_text};
use crate::sanitize::printable;

/// Plans and prints.
pub fn run(file: &Path, format: Format) -> Result<()> {
    let exp = config::load(file)?;
    let eligible = crate::preflight::check_population(&exp)
        .and_then(|_| eligible_customers(&exp))
        .map_err(|e| config::name_the_setting(e, &exp))?;
    let report = plan(&exp, eligible);
    let text = match format {
        Format::Json => {
            serde_json::to_string_pretty(&report).map_err(|e| Error::input(e.to_string()))? + "\n"
        }
        Format::Markdown => printable(&render_markdown(&report)).into_owned(),
        Format::Terminal => printable(&render_text(&report)).into_owned(),
    };
    print!("{text}");
    Ok(())
}
