//! The analysis report for a terminal: the verdict first, then the
//! evidence, then the fine print.
//!
//! Layout, top to bottom:
//!
//! 1. the verdict in one bold line (`ROLL OUT discount-10`, `KEEP
//!    PILOTING`, `STOP`, `INVESTIGATE`) and its reasons as bullets;
//! 2. experiment, arms, split check and data, one labelled line each;
//! 3. per metric a table with one row per arm (customers, value, change,
//!    relative change, interval, outcome) and, under each treatment arm, a
//!    detail line with the p-value, the test and the chance to beat
//!    control; notes (CUPED, capping) below the table;
//! 4. segments, one compact table per metric and segment column;
//! 5. the ROI of the rollout;
//! 6. warnings, as `!` lines.
//!
//! Prose wraps to [`Style::width`]; tables are at most `min(width, 100)`
//! columns wide and fall back to one `label: value` line per cell when
//! their rows would be wider. Meaning is never carried by colour alone:
//! outcomes are words (`better`, `worse`) and a split mismatch says
//! `MISMATCH`; colour only repeats them. Control characters in user text
//! (names, descriptions, segment values) are replaced, so a crafted name
//! cannot inject escape sequences, and `color: false` output has no ESC
//! byte at all.
//!
//! Widths are display columns ([`crate::width`]): a segment called `東京`
//! or an arm with an emoji takes two columns a character, an accent that
//! combines with the letter before it none, and columns still line up.

use crate::analysis::result::{ArmComparison, ArmFigures, MetricResult, Outcome};
use crate::decide::verdict::Verdict;
use crate::format::{number, pct};
use crate::report::model::AnalysisReport;
use crate::report::text;
use crate::width;

/// How to render: colour and line width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Use ANSI colours and bold. The caller decides (`NO_COLOR`, whether
    /// stdout is a terminal); this module only obeys.
    pub color: bool,
    /// Wrap prose to this many columns. Tables use at most
    /// `min(width, 100)`. Values below [`MIN_WIDTH`] are raised to it.
    pub width: usize,
}

/// The narrowest width honoured: below it nothing useful fits on a line.
pub const MIN_WIDTH: usize = 30;

/// The narrowest column a labelled value is wrapped into; below it the
/// value goes under its label.
const MIN_VALUE_WIDTH: usize = 20;

/// The widest a table gets: wider tables are hard to follow across the
/// screen even when the terminal is wide.
pub const MAX_TABLE_WIDTH: usize = 100;

/// Renders the report as plain text for a terminal, one `\n` per line.
pub fn render(report: &AnalysisReport, style: Style) -> String {
    let mut out = Out::new(style);
    verdict(&mut out, report);
    overview(&mut out, report);
    for metric in &report.metrics {
        metric_section(&mut out, report, metric);
    }
    segments(&mut out, report);
    decision_money(&mut out, report);
    roi(&mut out, report);
    warnings(&mut out, report);
    out.finish()
}

// ---------- sections ----------

fn verdict(out: &mut Out, report: &AnalysisReport) {
    let decision = &report.decision;
    let action = text::verdict_action(decision.verdict).to_uppercase();
    let line = match text::verdict_arm(decision) {
        Some(arm) => format!("{action} {}", clean(arm)),
        None => action,
    };
    let color = match decision.verdict {
        Verdict::Rollout => GREEN,
        Verdict::Continue => YELLOW,
        Verdict::Stop => RED,
        Verdict::Investigate => MAGENTA,
    };
    // Short unless an arm name is absurdly long; wrapping then keeps even
    // that within the width.
    for l in wrap(&line, out.width, "", "") {
        let painted = out.paint(&l, &[BOLD, color]);
        out.line(painted);
    }
    if !decision.headline.is_empty() {
        out.prose(&decision.headline, "", "");
    }
    for reason in &decision.reasons {
        out.prose(reason, "  - ", "    ");
    }
}

fn decision_money(out: &mut Out, report: &AnalysisReport) {
    let Some(section) = super::decision_text::decision_section(report) else {
        return;
    };
    out.blank();
    let painted = out.paint("The decision in money", &[BOLD]);
    out.line(painted);
    for note in &section.notes {
        out.prose(note, "  ", "  ");
    }
    let table_of = |headers: &[&str], rows: Vec<Vec<String>>| {
        let mut align = vec![Align::Right; headers.len()];
        align[0] = Align::Left;
        let mut table = Table::new(headers.iter().map(|h| h.to_string()).collect(), align);
        for row in rows {
            table.push(Row {
                cells: row.iter().map(Cell::plain).collect(),
                detail: None,
            });
        }
        table
    };
    // One block of figures per arm: six columns do not fit a terminal.
    for row in &section.money_rows {
        let rows: Vec<(&str, String)> = section.money_headers[1..]
            .iter()
            .zip(&row[1..])
            .map(|(h, v)| (*h, v.clone()))
            .collect();
        out.prose(&format!("Rolling out {}:", clean(&row[0])), "  ", "  ");
        let width = label_width(&rows);
        for (label, value) in rows {
            for l in out.key_value(label, &value, width, "    ") {
                out.line(l);
            }
        }
    }
    if !section.effect_rows.is_empty() {
        out.prose(
            "Effects as measured and as likely, allowing for how rarely initiatives move a metric much:",
            "  ",
            "  ",
        );
        let rows = section.effect_rows.iter().map(|r| r.to_vec()).collect();
        out.table(&table_of(&section.effect_headers, rows), "    ");
    }
}

fn overview(out: &mut Out, report: &AnalysisReport) {
    out.blank();
    let mut rows: Vec<(&str, String)> = Vec::new();
    let name = &report.experiment.name;
    let description = report.experiment.description.trim();
    rows.push((
        "Experiment",
        if description.is_empty() {
            name.clone()
        } else {
            format!("{name}: {description}")
        },
    ));
    rows.push(("Arms", text::arms_text(report)));
    rows.push(("Split check", text::srm_text(report)));
    if let Some(data) = text::data_text(report) {
        rows.push(("Data", data));
    }
    let label_width = label_width(&rows);
    let mismatch = report.srm.is_some_and(|s| s.mismatch);
    for (label, value) in rows {
        let lines = out.key_value(label, &value, label_width, "");
        for (i, l) in lines.into_iter().enumerate() {
            // Only the split check's own first line can start with the
            // word; user text in other rows is left alone.
            let l = if label == "Split check" && mismatch && i == 0 {
                l.replacen("MISMATCH", &out.paint("MISMATCH", &[BOLD, RED]), 1)
            } else {
                l
            };
            out.line(l);
        }
    }
}

fn metric_section(out: &mut Out, report: &AnalysisReport, metric: &MetricResult) {
    out.blank();
    let heading = format!(
        "{} ({})",
        clean(metric.title()),
        // A labelled metric also gives its name, so the reader can find it
        // in the experiment file.
        clean(&match &metric.label {
            Some(_) => format!("{}: {}", metric.name, text::metric_description(metric)),
            None => text::metric_description(metric),
        })
    );
    for (i, l) in wrap(&heading, out.width, "", "  ").into_iter().enumerate() {
        // Bold the name only: it is what the eye searches for.
        let name = clean(metric.title());
        let l = if i == 0 && l.starts_with(&name) {
            format!("{}{}", out.paint(&name, &[BOLD]), &l[name.len()..])
        } else {
            l
        };
        out.line(l);
    }
    let survey = metric.is_survey();
    let level = text::level(report.settings.alpha);
    let mut headers = vec![
        "arm".to_string(),
        if survey { "answers" } else { "customers" }.to_string(),
    ];
    let mut align = vec![Align::Left, Align::Right];
    if survey {
        headers.push("response".to_string());
        align.push(Align::Right);
    }
    headers.extend([
        text::value_header(metric).to_string(),
        "change".to_string(),
        "relative".to_string(),
        format!("{level} interval"),
        "outcome".to_string(),
    ]);
    align.extend([
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Left,
    ]);
    let mut table = Table::new(headers, align);
    for (figures, comparison) in text::arm_rows(metric) {
        table.push(arm_row(metric, figures, comparison, survey));
    }
    out.table(&table, "  ");
    for note in text::metric_notes(metric) {
        let lines = wrap(&note, out.width, "  Note: ", "        ");
        for l in lines {
            let painted = out.paint(&l, &[DIM]);
            out.line(painted);
        }
    }
}

/// One arm's row: figures for every arm, the comparison for treatment arms
/// (with its p-value, test and chance as a detail line beneath).
fn arm_row(
    metric: &MetricResult,
    figures: Option<&ArmFigures>,
    comparison: Option<&ArmComparison>,
    survey: bool,
) -> Row {
    let arm = figures
        .map(|f| f.arm.as_str())
        .or(comparison.map(|c| c.arm.as_str()))
        .unwrap_or_default();
    let mut cells = vec![
        Cell::plain(arm),
        Cell::plain(figures.map(|f| number(f.n as f64, 0)).unwrap_or_default()),
    ];
    if survey {
        cells.push(Cell::plain(
            figures
                .and_then(|f| f.response_rate)
                .map(pct)
                .unwrap_or_default(),
        ));
    }
    cells.push(Cell::plain(text::arm_value(metric, figures, comparison)));
    let Some(c) = comparison else {
        return Row {
            cells,
            detail: None,
        };
    };
    match c.absolute {
        Some(abs) => {
            cells.push(Cell::plain(text::change(metric, abs.estimate)));
            cells.push(Cell::plain(match c.relative {
                Some(r) => crate::format::signed_pct(r.estimate),
                None => crate::format::NOT_AVAILABLE.to_string(),
            }));
            cells.push(Cell::plain(text::change_interval(
                metric,
                abs.ci_low,
                abs.ci_high,
            )));
        }
        None => cells.extend([Cell::plain(""), Cell::plain(""), Cell::plain("")]),
    }
    cells.push(outcome_cell(c.outcome));
    let detail = if c.outcome == Outcome::NotComputable {
        text::not_computable_text(c)
    } else {
        let mut parts = Vec::new();
        parts.extend(text::p_text(c));
        parts.extend(c.test.map(|t| t.to_string()));
        parts.extend(text::chance_text(c));
        parts.join(", ")
    };
    Row {
        cells,
        detail: (!detail.is_empty()).then_some(detail),
    }
}

fn outcome_cell(outcome: Outcome) -> Cell {
    let word = text::outcome_word(outcome);
    match outcome {
        Outcome::Better => Cell::painted(word, &[BOLD, GREEN]),
        Outcome::Worse => Cell::painted(word, &[BOLD, RED]),
        _ => Cell::plain(word),
    }
}

fn segments(out: &mut Out, report: &AnalysisReport) {
    if report.metrics.iter().all(|m| m.segments.is_empty()) {
        return;
    }
    out.blank();
    let heading = out.paint("Segments", &[BOLD]);
    out.line(heading);
    let any_pooled = report.metrics.iter().any(|m| !m.pooled_segments.is_empty());
    if any_pooled {
        out.prose(&text::segment_likely_note(report), "  ", "  ");
    }
    // Without the note above, the first table follows the heading directly.
    let mut first = !any_pooled;
    for metric in &report.metrics {
        for (column, members) in text::segment_groups(metric) {
            if !first {
                out.blank();
            }
            first = false;
            let title = format!("{} by {}", clean(metric.title()), clean(column));
            let pooled = text::pooled_segments(metric, column);
            if pooled.is_empty() {
                out.prose(&title, "  ", "  ");
                measured_segment_table(out, report, metric, &members);
            } else {
                pooled_segment_table(out, report, metric, &title, &pooled);
            }
        }
    }
    if any_pooled {
        out.blank();
        out.prose(
            "Each segment's measured interval and result: the Markdown and HTML reports (under \
             \"Measured per segment\") and --format json.",
            "  ",
            "  ",
        );
    }
}

/// The headline view of one segment column: measured and likely change per
/// segment, and the pooled change.
fn pooled_segment_table(
    out: &mut Out,
    report: &AnalysisReport,
    metric: &MetricResult,
    title: &str,
    pooled: &[&crate::analysis::segment_pool::PooledSegments],
) {
    let several_arms = pooled.len() > 1;
    if several_arms {
        out.prose(title, "  ", "  ");
        for p in pooled {
            let line = format!("{}: {}.", clean(&p.arm), text::segment_spread(p));
            out.prose(&line, "    ", "      ");
        }
    } else {
        let line = format!("{title}: {}.", text::segment_spread(pooled[0]));
        out.prose(&line, "  ", "    ");
    }
    let cells = text::pooled_segment_table(report, metric, pooled);
    let mut align = vec![Align::Left];
    if cells.several_arms {
        align.push(Align::Left);
    }
    align.extend([Align::Right, Align::Right, Align::Right, Align::Right]);
    let mut table = Table::new(cells.headers, align);
    for row in cells.rows {
        table.push(Row {
            cells: row.iter().map(Cell::plain).collect(),
            detail: None,
        });
    }
    out.table(&table, "    ");
    for p in pooled {
        if let Some(note) = text::segments_left_out(p) {
            out.prose(&note, "    ", "    ");
        }
    }
}

/// The per-segment comparisons as measured, for a column that could not be
/// pooled (fewer than two segments with an estimate).
fn measured_segment_table(
    out: &mut Out,
    report: &AnalysisReport,
    metric: &MetricResult,
    members: &[&crate::analysis::result::SegmentResult],
) {
    let level = text::level(report.settings.alpha);
    let treatments = text::segment_treatments(metric, members);
    let column = members.first().map_or("", |s| s.column.as_str());
    let mut headers = vec![column.to_string()];
    let mut align = vec![Align::Left];
    if treatments > 1 {
        headers.push("arm".to_string());
        align.push(Align::Left);
    }
    headers.extend([
        text::counted_noun(metric).to_string(),
        "change".to_string(),
        format!("{level} interval"),
        text::segment_p_header(report, metric).to_string(),
        "result".to_string(),
    ]);
    align.extend([
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Left,
    ]);
    let mut table = Table::new(headers, align);
    for segment in members {
        for (i, c) in segment.comparisons.iter().enumerate() {
            // The value and its size are said once per segment.
            let (value, customers) = if i == 0 {
                (segment.value.clone(), number(segment.customers as f64, 0))
            } else {
                (String::new(), String::new())
            };
            let mut cells = vec![Cell::plain(value)];
            if treatments > 1 {
                cells.push(Cell::plain(&c.arm));
            }
            cells.push(Cell::plain(customers));
            match c.absolute {
                Some(abs) => {
                    cells.push(Cell::plain(text::change(metric, abs.estimate)));
                    cells.push(Cell::plain(text::change_interval(
                        metric,
                        abs.ci_low,
                        abs.ci_high,
                    )));
                }
                None => cells.extend([Cell::plain(""), Cell::plain("")]),
            }
            cells.push(Cell::plain(text::p_adjusted_text(c)));
            // Only significant results are marked, so they stand
            // out; "unclear" on every other row would be noise.
            cells.push(match c.outcome {
                Outcome::Better | Outcome::Worse => outcome_cell(c.outcome),
                Outcome::NotComputable => Cell::plain("not computable"),
                Outcome::Inconclusive => Cell::plain(""),
            });
            table.push(Row {
                cells,
                detail: None,
            });
        }
    }
    out.table(&table, "    ");
}

fn roi(out: &mut Out, report: &AnalysisReport) {
    let Some(roi) = &report.roi else {
        return;
    };
    out.blank();
    let title = clean(&text::roi_title(report, roi));
    for l in wrap(&title, out.width, "", "  ") {
        let painted = out.paint(&l, &[BOLD]);
        out.line(painted);
    }
    let rows = text::roi_rows(report, roi);
    let label_width = label_width(&rows);
    for (label, value) in rows {
        for l in out.key_value(label, &value, label_width, "  ") {
            out.line(l);
        }
    }
    let by_arm = text::roi_by_arm_rows(report);
    if !by_arm.is_empty() {
        out.blank();
        out.prose("Each arm rolled out:", "  ", "  ");
        let mut table = Table::new(
            vec![
                "arm".to_string(),
                "NPV median".to_string(),
                "5-95% range".to_string(),
                "chance it pays off".to_string(),
            ],
            vec![Align::Left, Align::Right, Align::Right, Align::Right],
        );
        for row in by_arm {
            table.push(Row {
                cells: row.iter().map(Cell::plain).collect(),
                detail: None,
            });
        }
        out.table(&table, "    ");
    }
}

fn warnings(out: &mut Out, report: &AnalysisReport) {
    let warnings = text::fresh_warnings(report);
    if warnings.is_empty() {
        return;
    }
    out.blank();
    for w in warnings {
        for (i, l) in wrap(&clean(w), out.width, "! ", "  ")
            .into_iter()
            .enumerate()
        {
            let l = if i == 0 {
                format!("{}{}", out.paint("!", &[BOLD, YELLOW]), &l[1..])
            } else {
                l
            };
            out.line(l);
        }
    }
}

/// The width of a label column: the longest label and two spaces.
fn label_width(rows: &[(&str, String)]) -> usize {
    rows.iter().map(|(l, _)| width_of(l)).max().unwrap_or(0) + 2
}

// ---------- output, colour, wrapping ----------

const BOLD: &str = "1";
const DIM: &str = "2";
const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const MAGENTA: &str = "35";

/// The text being built and how.
struct Out {
    text: String,
    color: bool,
    width: usize,
    table_width: usize,
}

impl Out {
    fn new(style: Style) -> Self {
        let width = style.width.max(MIN_WIDTH);
        Out {
            text: String::new(),
            color: style.color,
            width,
            table_width: width.min(MAX_TABLE_WIDTH),
        }
    }

    fn line(&mut self, line: String) {
        self.text.push_str(line.trim_end());
        self.text.push('\n');
    }

    /// One empty line between sections, never two in a row nor at the top.
    fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    /// Wrapped prose with the given first-line and continuation prefixes.
    fn prose(&mut self, text: &str, first: &str, rest: &str) {
        for l in wrap(&clean(text), self.width, first, rest) {
            self.line(l);
        }
    }

    /// `text` in the given SGR attributes, or as is without colour.
    fn paint(&self, text: &str, codes: &[&str]) -> String {
        if self.color && !text.is_empty() && !codes.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", codes.join(";"))
        } else {
            text.to_string()
        }
    }

    /// A labelled value: the value wrapped in a column after the labels,
    /// or under its label when that column would be too narrow to read.
    fn key_value(&self, label: &str, value: &str, label_width: usize, indent: &str) -> Vec<String> {
        let value = clean(value);
        let column = width_of(indent) + label_width;
        if column + MIN_VALUE_WIDTH <= self.width {
            let first = format!("{indent}{}", width::pad_end(label, label_width));
            wrap(&value, self.width, &first, &" ".repeat(column))
        } else {
            let inner = format!("{indent}  ");
            let mut lines = wrap(label, self.width, indent, indent);
            lines.extend(wrap(&value, self.width, &inner, &inner));
            lines
        }
    }

    fn table(&mut self, table: &Table, indent: &str) {
        for l in table.render(indent, self.table_width, self) {
            self.line(l);
        }
    }

    fn finish(self) -> String {
        self.text
    }
}

/// Replaces control characters (ESC, newlines, tabs...) and bidirectional
/// overrides in user text with a space or U+FFFD, so a name cannot move
/// the cursor, change colours or reorder the line.
fn clean(text: &str) -> String {
    crate::sanitize::terminal_line(text).into_owned()
}

fn width_of(text: &str) -> usize {
    width::width(text)
}

/// Greedy word wrap to `width` columns. Words longer than a line are split
/// so that no line is ever wider than `width` (as long as the prefixes
/// leave room for one character, which [`MIN_WIDTH`] ensures).
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut prefix_len = width_of(first);
    let mut len = prefix_len;
    for mut word in text.split_whitespace() {
        loop {
            let room = width.saturating_sub(len + usize::from(len > prefix_len));
            // Measuring only what could fit keeps a huge word linear.
            if width::fit(word, room) == word.len() {
                if len > prefix_len {
                    line.push(' ');
                    len += 1;
                }
                line.push_str(word);
                len += width_of(word);
                break;
            }
            if len > prefix_len {
                // Start a new line and retry the whole word there.
                lines.push(std::mem::replace(&mut line, rest.to_string()));
                prefix_len = width_of(rest);
                len = prefix_len;
                continue;
            }
            // An empty line and still too long: split the word, taking at
            // least one character so the loop always advances.
            let take = match width::fit(word, width.saturating_sub(len)) {
                0 => word.chars().next().map_or(word.len(), char::len_utf8),
                n => n,
            };
            line.push_str(&word[..take]);
            word = &word[take..];
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            prefix_len = width_of(rest);
            len = prefix_len;
            if word.is_empty() {
                break;
            }
        }
    }
    if len > prefix_len || lines.is_empty() {
        lines.push(line);
    }
    lines
}

// ---------- tables ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// A table cell: its text and the attributes it is painted with.
struct Cell {
    text: String,
    codes: &'static [&'static str],
}

impl Cell {
    fn plain(text: impl AsRef<str>) -> Self {
        Cell {
            text: clean(text.as_ref()),
            codes: &[],
        }
    }

    fn painted(text: &str, codes: &'static [&'static str]) -> Self {
        Cell {
            text: clean(text),
            codes,
        }
    }
}

/// A row and an optional line of detail printed beneath it.
struct Row {
    cells: Vec<Cell>,
    detail: Option<String>,
}

struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Row>,
}

impl Table {
    fn new(headers: Vec<String>, align: Vec<Align>) -> Self {
        Table {
            headers: headers.iter().map(|h| clean(h)).collect(),
            align,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Aligned columns two spaces apart if they fit in `limit`, else one
    /// block per row with a `header: value` line per cell.
    fn render(&self, indent: &str, limit: usize, out: &Out) -> Vec<String> {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width_of(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(&row.cells) {
                *w = (*w).max(width_of(&cell.text));
            }
        }
        let total = width_of(indent) + widths.iter().sum::<usize>() + 2 * (columns - 1);
        if total > limit {
            return self.stacked(indent, limit, out);
        }
        let line = |cells: Vec<(&str, &[&str])>| -> String {
            let mut l = indent.to_string();
            for (i, (text, codes)) in cells.into_iter().enumerate() {
                if i > 0 {
                    l.push_str("  ");
                }
                let pad = " ".repeat(widths[i].saturating_sub(width_of(text)));
                let painted = out.paint(text, codes);
                match self.align[i] {
                    Align::Left => {
                        l.push_str(&painted);
                        l.push_str(&pad);
                    }
                    Align::Right => {
                        l.push_str(&pad);
                        l.push_str(&painted);
                    }
                }
            }
            l
        };
        let mut lines = vec![line(
            self.headers
                .iter()
                .map(|h| (h.as_str(), &[DIM][..]))
                .collect(),
        )];
        let detail_first = format!("{indent}  ");
        for row in &self.rows {
            lines.push(line(
                row.cells
                    .iter()
                    .map(|c| (c.text.as_str(), c.codes))
                    .chain(std::iter::repeat(("", &[][..])))
                    .take(columns)
                    .collect(),
            ));
            if let Some(detail) = &row.detail {
                for l in wrap(&clean(detail), limit, &detail_first, &detail_first) {
                    lines.push(out.paint(&l, &[DIM]));
                }
            }
        }
        lines
    }

    fn stacked(&self, indent: &str, limit: usize, out: &Out) -> Vec<String> {
        let mut lines = Vec::new();
        let inner = format!("{indent}  ");
        for (r, row) in self.rows.iter().enumerate() {
            let mut cells = row.cells.iter().zip(&self.headers);
            // A row with an empty first cell continues the block above it
            // (a segment value's further arms), so it gets no blank line
            // and no title of its own.
            if let Some((first, _)) = cells.next()
                && !first.text.is_empty()
            {
                if r > 0 {
                    lines.push(String::new());
                }
                for l in wrap(&first.text, limit, indent, indent) {
                    lines.push(out.paint(&l, &[BOLD]));
                }
            }
            for (cell, header) in cells {
                if cell.text.is_empty() {
                    continue;
                }
                let item = format!("{header}: {}", cell.text);
                lines.extend(wrap(&item, limit, &inner, &format!("{inner}  ")));
            }
            if let Some(detail) = &row.detail {
                lines.extend(wrap(&clean(detail), limit, &inner, &format!("{inner}  ")));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_splits_long_words() {
        assert_eq!(
            wrap("one two three four", 10, "- ", "  "),
            ["- one two", "  three", "  four"]
        );
        assert_eq!(
            wrap("abcdefghij", 6, "> ", "  "),
            ["> abcd", "  efgh", "  ij"]
        );
        assert_eq!(wrap("", 10, "- ", "  "), ["- "]);
        for l in wrap(&"word ".repeat(50), 17, "! ", "  ") {
            assert!(l.chars().count() <= 17, "{l}");
        }
    }

    #[test]
    fn clean_removes_escape_sequences() {
        assert_eq!(clean("a\x1b[31mb\nc"), "a\u{fffd}[31mb c");
        assert_eq!(clean("x\u{202e}y"), "x\u{fffd}y");
    }
}
