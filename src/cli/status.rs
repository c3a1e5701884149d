//! `pilot status [DIR]`: every experiment of a folder at a glance, one line
//! each: where it stands, how many customers, the last analysis and its
//! verdict with the money it rests on.
//!
//! Only files are read (experiment files, ledgers, the report and history
//! each `pilot analyze` saves beside its experiment); nothing is recomputed,
//! so the line shows the verdict as of the last analysis.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::assign::ledger::read_ledger;
use crate::cli::analyze::Format;
use crate::config;
use crate::error::{Error, Result, shown};
use crate::history;
use crate::io::atomic::write_atomic;
use crate::report::escape;
use crate::report::model::AnalysisReport;
use crate::sanitize::printable;

/// Where an experiment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The experiment file cannot be read or is not valid.
    Broken,
    /// Declared, no customer assigned yet (no ledger).
    Planned,
    /// Customers assigned, never analysed.
    Assigning,
    /// Analysed; the last verdict was to keep piloting or to investigate.
    Running,
    /// Analysed; the last verdict was to roll out or to stop.
    Decided,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Broken => "broken",
            Stage::Planned => "planned",
            Stage::Assigning => "assigning",
            Stage::Running => "running",
            Stage::Decided => "decided",
        }
    }
}

/// One experiment's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusRow {
    /// The experiment file, as found in the folder.
    pub file: String,
    /// The experiment file's stem, followed by the experiment's name in
    /// parentheses where the two differ.
    pub name: String,
    /// Where it stands.
    pub stage: Stage,
    /// Customers in the ledger (null before assignment).
    pub customers: Option<u64>,
    /// Analyses recorded in the history.
    pub looks: usize,
    /// Date of the last analysis (YYYY-MM-DD, UTC), recorded or not.
    pub last_analysis: Option<String>,
    /// The last verdict: rollout, continue, stop or investigate.
    pub verdict: Option<String>,
    /// The arm the verdict is about.
    pub arm: Option<String>,
    /// Expected NPV of rolling that arm out, at the last analysis.
    pub expected_npv: Option<f64>,
    /// Chance that rolling it out pays off.
    pub probability_positive: Option<f64>,
    /// Currency of the money figures.
    pub currency: Option<String>,
    /// The verdict's sentence.
    pub headline: Option<String>,
    /// What could not be read, if anything.
    pub problem: Option<String>,
}

/// Prints the status of every experiment in `dir`; with `html`, also
/// writes an index page there and, beside it, each analysed experiment's
/// report page (`<name>.html`) for the index to link.
pub fn run(dir: &Path, format: Format, html: Option<&Path>) -> Result<()> {
    let rows = gather(dir)?;
    if let Some(index) = html {
        write_pages(index, &rows)?;
    }
    let text = match format {
        Format::Json => {
            serde_json::to_string_pretty(&rows)
                .map_err(|e| Error::input(format!("cannot write the status as JSON: {e}")))?
                + "\n"
        }
        // Names and descriptions are user text: through the terminal
        // sanitizer (JSON escapes its own control characters).
        Format::Markdown => printable(&render_markdown(&rows)).into_owned(),
        Format::Terminal => printable(&render_text(&rows)).into_owned(),
    };
    print!("{text}");
    Ok(())
}

/// The experiment files of `dir`, by name.
fn experiment_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "there is no such folder".to_string(),
            std::io::ErrorKind::NotADirectory => "this is a file, not a folder".to_string(),
            _ => format!("cannot read this folder: {e}"),
        };
        Error::in_file(dir, reason).with_note(
            "give the folder that holds the experiment files: `pilot status experiments`",
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// One line per experiment file in `dir`.
pub fn gather(dir: &Path) -> Result<Vec<StatusRow>> {
    Ok(experiment_files(dir)?.iter().map(|f| row(f)).collect())
}

fn row(file: &Path) -> StatusRow {
    let mut row = StatusRow {
        file: file.display().to_string(),
        name: file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        stage: Stage::Broken,
        customers: None,
        looks: 0,
        last_analysis: None,
        verdict: None,
        arm: None,
        expected_npv: None,
        probability_positive: None,
        currency: None,
        headline: None,
        problem: None,
    };
    let exp = match config::load(file) {
        Ok(exp) => exp,
        Err(e) => {
            row.problem = Some(first_line(&e));
            return row;
        }
    };
    // The file is what every command is given; the name inside it is
    // shown too where it differs (copies of one experiment share it).
    if exp.meta.name != row.name {
        row.name = format!("{} ({})", row.name, exp.meta.name);
    }
    row.stage = Stage::Planned;
    if exp.assignment.file.exists() {
        row.stage = Stage::Assigning;
        match read_ledger(
            &exp.assignment.file,
            &exp.assignment.id_column,
            &exp.assignment.arm_column,
        ) {
            Ok(ledger) => row.customers = Some(ledger.len() as u64),
            Err(e) => row.problem = Some(first_line(&e)),
        }
    }
    match history::read(&history::history_path(file)) {
        Ok(looks) => row.looks = looks.len(),
        Err(e) => row.problem = row.problem.take().or(Some(first_line(&e))),
    }
    let saved = history::latest_report_path(file);
    if saved.exists() {
        match history::load_latest(&saved, file) {
            Ok(report) => describe_verdict(&mut row, &report),
            Err(e) => row.problem = row.problem.take().or(Some(first_line(&e))),
        }
    }
    row
}

fn describe_verdict(row: &mut StatusRow, report: &AnalysisReport) {
    let decision = &report.decision;
    let verdict = decision.verdict.as_str();
    row.stage = match verdict {
        "rollout" | "stop" => Stage::Decided,
        _ => Stage::Running,
    };
    row.verdict = Some(verdict.to_string());
    row.arm = decision.arm.clone();
    row.headline = Some(decision.headline.clone());
    row.last_analysis = report.generated_at.get(..10).map(str::to_string);
    let money = decision
        .arms
        .iter()
        .find(|a| Some(&a.arm) == decision.arm.as_ref())
        .and_then(|a| a.money);
    row.expected_npv = money.map(|m| m.expected_npv);
    row.probability_positive = money.map(|m| m.probability_positive);
    row.currency = report.roi.as_ref().map(|r| r.currency.clone());
}

/// An error's message without the location prefix's details beyond one line.
fn first_line(err: &Error) -> String {
    let text = err.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

/// The cells of a row, as every format shows them.
struct Cells {
    name: String,
    stage: &'static str,
    customers: String,
    last: String,
    verdict: String,
    npv: String,
}

fn cells(row: &StatusRow, clean: impl Fn(&str) -> String) -> Cells {
    let verdict = match (&row.verdict, &row.arm, &row.problem) {
        (Some(v), Some(arm), _) => format!("{v} ({})", clean(arm)),
        (Some(v), None, _) => v.clone(),
        (None, _, Some(problem)) => clean(problem),
        (None, _, None) => "-".to_string(),
    };
    let npv = match (row.expected_npv, row.probability_positive) {
        (Some(npv), Some(p)) => format!(
            "{} ({} it pays)",
            crate::format::signed_money(npv, &clean(row.currency.as_deref().unwrap_or(""))),
            crate::format::probability(p)
        ),
        _ => "-".to_string(),
    };
    Cells {
        name: clean(&row.name),
        stage: row.stage.as_str(),
        customers: row
            .customers
            .map_or("-".to_string(), |n| crate::format::number(n as f64, 0)),
        last: match &row.last_analysis {
            Some(date) if row.looks > 0 => format!("{date} ({})", looks(row.looks)),
            Some(date) => date.clone(),
            None => "-".to_string(),
        },
        verdict,
        npv,
    }
}

fn looks(n: usize) -> String {
    crate::format::count(n as u64, "look", "looks")
}

const HEADERS: [&str; 6] = [
    "experiment",
    "stage",
    "customers",
    "last analysis",
    "verdict",
    "expected NPV of rolling out",
];

fn render_text(rows: &[StatusRow]) -> String {
    if rows.is_empty() {
        return "No experiment files (*.toml) here; `pilot init NAME` writes one.\n".to_string();
    }
    let table: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let c = cells(r, shown);
            [
                c.name,
                c.stage.to_string(),
                c.customers,
                c.last,
                c.verdict,
                c.npv,
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            table
                .iter()
                .map(|r| crate::width::width(&r[i]))
                .chain([HEADERS[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let padded = if i == 2 {
                crate::width::pad_start(cell, widths[i])
            } else {
                crate::width::pad_end(cell, widths[i])
            };
            out.push_str(&padded);
            out.push_str(if i + 1 < cells.len() { "  " } else { "" });
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&HEADERS.map(str::to_string));
    for r in &table {
        out.push_str(&line(r));
    }
    out.push_str(
        "\nFigures are as of each experiment's last `pilot analyze`; run it again for new data.\n",
    );
    out
}

fn render_markdown(rows: &[StatusRow]) -> String {
    let mut out = String::from("# Experiments\n\n");
    if rows.is_empty() {
        out.push_str("No experiment files yet.\n");
        return out;
    }
    out.push_str(&format!("| {} |\n", HEADERS.join(" | ")));
    out.push_str("|---|---|---:|---|---|---|\n");
    for r in rows {
        let c = cells(r, crate::report::markdown::escape_inline);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            c.name, c.stage, c.customers, c.last, c.verdict, c.npv
        ));
    }
    out.push_str("\nFigures are as of each experiment's last `pilot analyze`.\n");
    out
}

/// The index page, linking each analysed experiment's page by file name.
fn render_index(rows: &[StatusRow], pages: &[Option<String>]) -> String {
    let mut body = String::new();
    for (r, page) in rows.iter().zip(pages) {
        let c = cells(r, |s| escape::html(s).into_owned());
        let name = match page {
            Some(href) => format!("<a href=\"{}\">{}</a>", escape::attr(href), c.name),
            None => c.name,
        };
        let headline = r
            .headline
            .as_deref()
            .map(|h| format!("<br><small>{}</small>", escape::html(h)))
            .unwrap_or_default();
        body.push_str(&format!(
            "<tr class=\"{}\"><td>{name}{headline}</td><td data-label=\"stage\">{}</td>\
<td class=\"n\" data-label=\"customers\">{}</td><td data-label=\"last analysis\">{}</td>\
<td data-label=\"verdict\">{}</td><td data-label=\"expected NPV of rolling out\">{}</td></tr>\n",
            c.stage, c.stage, c.customers, c.last, c.verdict, c.npv
        ));
    }
    let head: String = HEADERS.iter().map(|h| format!("<th>{h}</th>")).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Experiments</title>\n<style>\n\
body {{ font: 16px/1.45 system-ui, sans-serif; margin: 1rem auto; max-width: 70rem; padding: 0 1rem; color: #1d1d1f; }}\n\
table {{ border-collapse: collapse; width: 100%; }}\n\
th, td {{ text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }}\n\
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}\n\
small {{ color: #555; }}\n\
@media (max-width: 640px) {{ thead {{ display: none; }} tr {{ display: block; border-bottom: 1px solid #ccc; padding: .5rem 0; }} \
td {{ display: block; border: 0; padding: .1rem 0; }} td.n {{ text-align: left; }} \
td[data-label]::before {{ content: attr(data-label) \": \"; color: #555; }} }}\n\
</style>\n</head>\n<body>\n<h1>Experiments</h1>\n\
<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n\
<p><small>Figures are as of each experiment's last <code>pilot analyze</code>.</small></p>\n</body>\n</html>\n"
    )
}

/// Writes each analysed experiment's page beside `index` and the index.
fn write_pages(index: &Path, rows: &[StatusRow]) -> Result<()> {
    let folder = index.parent().unwrap_or(Path::new(""));
    if !folder.as_os_str().is_empty() {
        std::fs::create_dir_all(folder)
            .map_err(|e| Error::io(folder, "create the folder of", &e))?;
    }
    let mut pages = Vec::with_capacity(rows.len());
    for r in rows {
        let file = Path::new(&r.file);
        let saved = history::latest_report_path(file);
        let page = match (r.verdict.is_some(), history::load_latest(&saved, file)) {
            (true, Ok(report)) => {
                let looks = history::read(&history::history_path(file)).unwrap_or_default();
                // The stem of the experiment file: unique within `dir`,
                // unlike the experiment names two files may share.
                let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
                let name = format!("{}.html", stem.unwrap_or_else(|| r.name.clone()));
                let path = folder.join(&name);
                if path == index {
                    return Err(Error::input(format!(
                        "{} would be both the index and the page of {}",
                        index.display(),
                        r.file
                    ))
                    .with_note("name the index differently, e.g. --html status/index.html"));
                }
                let html = crate::report::html::render(&report, &looks);
                write_atomic(&path, |w| {
                    w.write_all(html.as_bytes())
                        .map_err(|e| Error::io(&path, "write", &e))
                })?;
                Some(name)
            }
            _ => None,
        };
        pages.push(page);
    }
    let page = render_index(rows, &pages);
    write_atomic(index, |w| {
        w.write_all(page.as_bytes())
            .map_err(|e| Error::io(index, "write", &e))
    })?;
    eprintln!("wrote {}", index.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decided() -> StatusRow {
        StatusRow {
            file: "experiments/sms.toml".to_string(),
            name: "sms".to_string(),
            stage: Stage::Decided,
            customers: Some(1686),
            looks: 3,
            last_analysis: Some("2026-12-01".to_string()),
            verdict: Some("rollout".to_string()),
            arm: Some("sms".to_string()),
            expected_npv: Some(906.4),
            probability_positive: Some(0.593),
            currency: Some("$".to_string()),
            headline: Some("Roll out sms.".to_string()),
            problem: None,
        }
    }

    #[test]
    fn a_decided_experiment_shows_its_money() {
        let text = render_text(&[decided()]);
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("sms         decided      1,686"), "{text}");
        assert!(line.contains("2026-12-01 (3 looks)"), "{text}");
        assert!(line.contains("rollout (sms)"), "{text}");
        assert!(line.contains("+$906 (59.3% it pays)"), "{text}");
    }

    #[test]
    fn a_broken_file_shows_its_problem_and_control_characters_are_escaped() {
        let row = StatusRow {
            name: "odd".to_string(),
            stage: Stage::Broken,
            customers: None,
            looks: 0,
            last_analysis: None,
            verdict: None,
            arm: None,
            expected_npv: None,
            probability_positive: None,
            currency: None,
            headline: None,
            problem: Some("odd.toml:3:1: bad\u{1b}[2J key".to_string()),
            ..decided()
        };
        let text = render_text(&[row]);
        assert!(text.contains("broken"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
    }
}
