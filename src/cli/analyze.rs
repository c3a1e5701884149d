//! `pilot analyze FILE`: read outcomes, compare, decide, record the look,
//! and print the report.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::progress::Progress;
use crate::config;
use crate::decision::Verdict;
use crate::error::{Error, Result};
use crate::history::{self, Look};
use crate::ingest::dataset;
use crate::io::atomic::write_atomic;
use crate::pipeline::{Context, build_report};
use crate::report::model::{AnalysisReport, HistoryInfo};
use crate::report::{markdown, terminal};

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for a terminal (colours unless NO_COLOR is set or output is piped).
    Terminal,
    /// The stable JSON schema (see the README).
    Json,
    /// Markdown, for a document or an email.
    Markdown,
}

/// Exit codes of `analyze --check`, one per verdict (documented in the README).
pub fn check_code(verdict: Verdict) -> i32 {
    match verdict {
        Verdict::Rollout => 10,
        Verdict::Continue => 11,
        Verdict::Stop => 12,
        Verdict::Investigate => 13,
    }
}

/// Options of one `analyze` run.
pub struct AnalyzeArgs<'a> {
    /// The experiment file.
    pub file: &'a Path,
    /// Output format.
    pub format: Format,
    /// Exit with the verdict's code.
    pub check: bool,
    /// Do not record this run in the history.
    pub no_history: bool,
    /// Also write the report as a self-contained HTML page here.
    pub html: Option<&'a Path>,
    /// The current time, RFC 3339 UTC.
    pub now: String,
}

/// Runs the analysis and prints it; returns the exit code.
pub fn run(args: &AnalyzeArgs<'_>) -> Result<i32> {
    let exp = config::load(args.file)?;
    crate::preflight::check_all(&exp)?;
    let progress = Progress::start("reading", input_bytes(&exp));
    let data = dataset::load(&exp);
    progress.finish();
    let data = data?;
    let eligible_customers = match &exp.roi {
        Some(roi) if roi.customers.is_none() => Some(dataset::eligible_customers(&exp)?),
        _ => None,
    };
    let mut report = build_report(
        &exp,
        &data,
        &Context {
            now: args.now.clone(),
            eligible_customers,
        },
    );
    let looks = record_history(&exp.path, &mut report, args.no_history)?;
    if !args.no_history {
        history::save_latest(&history::latest_report_path(&exp.path), &report)?;
    }
    print!("{}", output(&report, &looks, args.format, args.html)?);
    Ok(if args.check {
        check_code(report.decision.verdict)
    } else {
        0
    })
}

/// Renders `report` in `format` for standard output, and writes the HTML
/// page to `html` if asked. Shared by `analyze` and `report`.
pub fn output(
    report: &AnalysisReport,
    looks: &[Look],
    format: Format,
    html: Option<&Path>,
) -> Result<String> {
    if let Some(path) = html {
        let page = crate::report::html::render(report, looks);
        write_atomic(path, |w| {
            w.write_all(page.as_bytes())
                .map_err(|e| Error::io(path, "write", &e))
        })?;
        eprintln!("wrote {}", path.display());
    }
    Ok(match format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(report)
                .map_err(|e| Error::input(format!("cannot write the report as JSON: {e}")))?;
            json.push('\n');
            json
        }
        Format::Markdown => markdown::render(report),
        Format::Terminal => {
            let stdout = std::io::stdout();
            let color =
                stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            terminal::render(
                report,
                terminal::Style {
                    color,
                    width: terminal_width(),
                },
            )
        }
    })
}

/// Adds design-change warnings from the history and appends this look if
/// it is new (new data or a changed experiment file). Returns the looks,
/// this one included if it was recorded.
fn record_history(experiment: &Path, report: &mut AnalysisReport, skip: bool) -> Result<Vec<Look>> {
    let path = history::history_path(experiment);
    let looks = history::read(&path)?;
    let look = Look::of(report);
    report
        .warnings
        .extend(history::design_changes(&looks, &look.design));
    let recorded = !skip && !history::is_repeat(&looks, &look);
    let mut looks = looks;
    if recorded {
        history::append(&path, &looks, &look)?;
        looks.push(look);
    }
    report.history = Some(HistoryInfo {
        file: path.display().to_string(),
        looks: looks.len(),
        recorded,
    });
    Ok(looks)
}

/// Bytes of the files an analysis streams through the CSV reader (the
/// outcomes or summary, and the population file when segments or
/// covariates are used), for the progress bar.
fn input_bytes(exp: &config::Experiment) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let outcomes = exp
        .outcomes
        .as_ref()
        .and_then(|o| o.file.as_ref().or(o.summary.as_ref()))
        .map_or(0, |p| size(p));
    let uses_population =
        !exp.analysis.segments.is_empty() || exp.metrics.iter().any(|m| m.covariate.is_some());
    outcomes
        + if uses_population {
            size(&exp.population.file)
        } else {
            0
        }
}

/// `COLUMNS` if set (shells export it), else 100.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100)
        .min(140)
}
