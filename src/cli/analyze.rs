//! `pilot analyze FILE`: read outcomes, compare, decide, record the look,
//! and print the report.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::progress::Progress;
use crate::config;
use crate::decide::verdict::Verdict;
use crate::error::{Error, Result};
use crate::history::{self, Look};
use crate::ingest::dataset;
use crate::io::atomic::{Staged, stage};
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
    /// How long to wait for another run on the same experiment.
    pub wait: std::time::Duration,
}

/// Runs the analysis and prints it; returns the exit code.
pub fn run(args: &AnalyzeArgs<'_>) -> Result<i32> {
    let exp = config::load(args.file)?;
    // Held to the end: the history read at the start is rewritten with
    // this look at the end, and no other run may write in between. A run
    // that records nothing (--no-history) writes no experiment file and
    // needs no lock, so it also works in a folder it cannot write to.
    let _lock = match args.no_history {
        true => None,
        false => Some(super::locking::lock(
            args.file,
            "pilot analyze",
            &args.now,
            args.wait,
        )?),
    };
    analyze(&exp, args).map_err(|e| config::name_the_setting(e, &exp))
}

fn analyze(exp: &config::Experiment, args: &AnalyzeArgs<'_>) -> Result<i32> {
    if let Some(path) = args.html {
        refuse_overwriting_inputs(path, exp)?;
    }
    crate::preflight::check_all(exp)?;
    let progress = Progress::start("reading", input_bytes(exp));
    let data = dataset::load(exp);
    progress.finish();
    let data = data?;
    let eligible_customers = match &exp.roi {
        Some(roi) if roi.customers.is_none() => Some(dataset::eligible_customers(exp)?),
        _ => None,
    };
    // The history is read before the analysis, which needs the earlier
    // looks (a group-sequential boundary depends on them), and only read:
    // this look is appended last, once every other output is written.
    let history_file = history::history_path(&exp.path);
    let earlier = history::read(&history_file)?;
    let mut report = build_report(
        exp,
        &data,
        &Context {
            now: args.now.clone(),
            eligible_customers,
            earlier_looks: earlier.iter().map(|l| l.customers.clone()).collect(),
            planned_customers_per_arm: exp.analysis.planned_customers_per_arm,
        },
    );
    let (looks, new_look) = prepare_history(&history_file, earlier, &mut report, args.no_history);
    // The page, the saved report and the look are written in full first
    // and put in place together: a full disk or any error on one of them
    // leaves all three as they were.
    let mut staged = Vec::new();
    if let Some(path) = args.html {
        staged.push(stage_html(path, &report, &looks)?);
    }
    if !args.no_history {
        staged.push(history::stage_latest(
            &history::latest_report_path(&exp.path),
            &report,
        )?);
    }
    if let (true, Some((last, earlier))) = (new_look, looks.split_last()) {
        staged.push(history::stage_append(&history_file, earlier, last)?);
    }
    for file in staged {
        file.commit()?;
    }
    if let Some(path) = args.html {
        eprintln!("wrote {}", path.display());
    }
    print!("{}", render(&report, args.format)?);
    Ok(if args.check {
        check_code(report.decision.verdict)
    } else {
        0
    })
}

/// Writes the self-contained HTML page of `report` (with the `looks` so
/// far) to `path`, atomically. Shared by `analyze` and `report`.
pub fn write_html(path: &Path, report: &AnalysisReport, looks: &[Look]) -> Result<()> {
    stage_html(path, report, looks)?.commit()?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The HTML page, written beside `path` and ready to be committed.
fn stage_html(path: &Path, report: &AnalysisReport, looks: &[Look]) -> Result<Staged> {
    let page = crate::report::html::render(report, looks);
    stage(path, |w| {
        w.write_all(page.as_bytes())
            .map_err(|e| Error::io(path, "write", &e))
    })
}

/// Renders `report` in `format` for standard output. Shared by `analyze`
/// and `report`.
pub fn render(report: &AnalysisReport, format: Format) -> Result<String> {
    Ok(match format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(report)
                .map_err(|e| Error::input(format!("cannot write the report as JSON: {e}")))?;
            json.push('\n');
            json
        }
        Format::Markdown => crate::sanitize::printable(&markdown::render(report)).into_owned(),
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

/// Adds design-change warnings from the history (`looks`, read from
/// `path`) and decides whether this look is new (new data or a changed
/// experiment file). Returns the looks, this one included if it is to be
/// recorded, and whether it is; the caller appends it once every other
/// output is written.
fn prepare_history(
    path: &Path,
    looks: Vec<Look>,
    report: &mut AnalysisReport,
    skip: bool,
) -> (Vec<Look>, bool) {
    let look = Look::of(report);
    report
        .warnings
        .extend(history::design_changes(&looks, &look.design));
    let recorded = !skip && !history::is_repeat(&looks, &look);
    let mut looks = looks;
    if recorded {
        looks.push(look);
    }
    report.history = Some(HistoryInfo {
        file: path.display().to_string(),
        looks: looks.len(),
        recorded,
    });
    (looks, recorded)
}

/// Refuses an `--html` path that names one of the experiment's own files:
/// the page would replace the ledger or the outcome export.
fn refuse_overwriting_inputs(html: &Path, exp: &config::Experiment) -> Result<()> {
    let outcomes = exp.outcomes.as_ref();
    let ledger = &exp.assignment.file;
    let design = crate::assign::ledger::design_record_path(ledger);
    let history = history::history_path(&exp.path);
    let latest = history::latest_report_path(&exp.path);
    let files: [(&str, Option<&Path>); 8] = [
        ("the experiment file", Some(&exp.path)),
        ("the population file", Some(&exp.population.file)),
        ("the ledger", Some(ledger)),
        ("the ledger's design file", Some(&design)),
        (
            "the outcome export",
            outcomes.and_then(|o| o.file.as_deref()),
        ),
        (
            "the summary file",
            outcomes.and_then(|o| o.summary.as_deref()),
        ),
        ("the history", Some(&history)),
        ("the saved report", Some(&latest)),
    ];
    for (what, file) in files {
        if let Some(file) = file
            && same_file(html, file)
        {
            return Err(Error::in_file(
                html,
                format!(
                    "`--html` names {what} of this experiment, which the page would replace; choose another file name"
                ),
            ));
        }
    }
    Ok(())
}

/// Whether two paths name the same file (by identity when both exist, else
/// by their absolute spelling).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => std::path::absolute(a).ok() == std::path::absolute(b).ok(),
    }
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
