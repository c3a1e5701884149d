//! The analysis report as Markdown, for pasting into a document, a wiki
//! page or an email.
//!
//! Sections: `# <experiment>: <verdict>`, the description, the reasons as a
//! bullet list, then tables for the arms, each metric (the same columns as
//! the terminal report, plus the p-value, test and chance to beat control
//! as columns), segments, ROI, warnings, and a short method section.
//!
//! User text (experiment, arm, metric and segment names, descriptions) is
//! escaped so it reads as typed: `|` cannot split a table cell, `*x*` is
//! not emphasis, `# x` is not a heading, `1. x` not a list. Generated
//! sentences that embed user text are escaped the same way, except for the
//! `code` spans pilot writes on purpose. The raw text stays readable for
//! people who see it unrendered: only characters Markdown would interpret
//! get a backslash.

use crate::analysis::result::{ArmComparison, ArmFigures, MetricResult, Outcome, SegmentResult};
use crate::analysis::segment_pool::PooledSegments;
use crate::format::{NOT_AVAILABLE, number, pct, probability, signed_pct};
use crate::report::model::AnalysisReport;
use crate::report::text;

/// Renders the report as CommonMark with GitHub-style tables.
pub fn render(report: &AnalysisReport) -> String {
    let mut out = String::new();
    title(&mut out, report);
    arms(&mut out, report);
    for metric in &report.metrics {
        metric_section(&mut out, report, metric);
    }
    segments(&mut out, report);
    decision_money(&mut out, report);
    roi(&mut out, report);
    warnings(&mut out, report);
    method(&mut out, report);
    out
}

fn title(out: &mut String, report: &AnalysisReport) {
    let decision = &report.decision;
    let action = capitalize(text::verdict_action(decision.verdict));
    let verdict = match text::verdict_arm(decision) {
        Some(arm) => format!("{action} {}", inline(arm)),
        None => action,
    };
    out.push_str(&format!(
        "# {}: {verdict}\n",
        inline(&report.experiment.name)
    ));
    let description = report.experiment.description.trim();
    if !description.is_empty() {
        out.push('\n');
        out.push_str(&block(description));
        out.push('\n');
    }
    if !decision.headline.is_empty() {
        out.push_str(&format!("\n**{}**\n", prose(&decision.headline)));
    }
    if !decision.reasons.is_empty() {
        out.push('\n');
        for reason in &decision.reasons {
            out.push_str(&format!("- {}\n", prose(reason)));
        }
    }
}

fn arms(out: &mut String, report: &AnalysisReport) {
    out.push_str("\n## Arms\n\n");
    let rows: Vec<Vec<String>> = report
        .arms
        .iter()
        .map(|a| {
            vec![
                inline(&a.name),
                number(a.customers as f64, 0),
                pct(a.weight),
            ]
        })
        .collect();
    table(
        out,
        &["Arm", "Customers", "Planned share"],
        &[Left, Right, Right],
        &rows,
    );
    out.push_str(&format!("\nSplit check: {}.\n", text::srm_text(report)));
    if let Some(data) = text::data_text(report) {
        out.push_str(&format!("\nData: {}.\n", prose(&data)));
    }
}

fn metric_section(out: &mut String, report: &AnalysisReport, metric: &MetricResult) {
    out.push_str(&format!("\n## {}\n\n", inline(metric.title())));
    // A labelled metric also gives its name, so the reader can find it in
    // the experiment file.
    if metric.label.is_some() {
        out.push_str(&format!("`{}`: ", metric.name.replace('`', "'")));
        out.push_str(&text::metric_description(metric));
    } else {
        out.push_str(&capitalize(&text::metric_description(metric)));
    }
    out.push_str(".\n\n");
    let survey = metric.arms.iter().any(|a| a.assigned.is_some());
    let level = text::level(report.settings.alpha);
    let value_header = capitalize(text::value_header(metric));
    let interval_header = format!("{level} interval");
    let mut headers: Vec<&str> = vec!["Arm", if survey { "Answers" } else { "Customers" }];
    let mut align = vec![Left, Right];
    if survey {
        headers.push("Response rate");
        align.push(Right);
    }
    headers.extend([
        value_header.as_str(),
        "Change",
        "Relative",
        interval_header.as_str(),
        "p-value",
        "Test",
        "Chance to beat control",
        "Outcome",
    ]);
    align.extend([Right, Right, Right, Right, Right, Left, Right, Left]);
    let rows: Vec<_> = text::arm_rows(metric)
        .into_iter()
        .map(|(figures, comparison)| arm_row(metric, figures, comparison, survey))
        .collect();
    table(out, &headers, &align, &rows);
    let notes = text::metric_notes(metric);
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            out.push_str(&format!("- {}\n", prose(&note)));
        }
    }
}

fn arm_row(
    metric: &MetricResult,
    figures: Option<&ArmFigures>,
    comparison: Option<&ArmComparison>,
    survey: bool,
) -> Vec<String> {
    let arm = figures
        .map(|f| f.arm.as_str())
        .or(comparison.map(|c| c.arm.as_str()))
        .unwrap_or_default();
    let mut cells = vec![
        inline(arm),
        figures.map(|f| number(f.n as f64, 0)).unwrap_or_default(),
    ];
    if survey {
        cells.push(
            figures
                .and_then(|f| f.response_rate)
                .map(pct)
                .unwrap_or_default(),
        );
    }
    cells.push(inline(&text::arm_value(metric, figures, comparison)));
    let Some(c) = comparison else {
        // The control has no change: empty cells keep the row as wide as
        // the header.
        cells.extend(std::iter::repeat_n(String::new(), 8));
        return cells;
    };
    match c.absolute {
        Some(abs) => cells.extend([
            text::change(metric, abs.estimate),
            c.relative
                .map(|r| signed_pct(r.estimate))
                .unwrap_or_else(|| NOT_AVAILABLE.to_string()),
            text::change_interval(metric, abs.ci_low, abs.ci_high),
        ]),
        None => cells.extend([String::new(), String::new(), String::new()]),
    }
    cells.push(text::p_text(c).unwrap_or_default());
    cells.push(c.test.map(|t| t.to_string()).unwrap_or_default());
    cells.push(
        c.chance_to_beat_control
            .map(probability)
            .unwrap_or_default(),
    );
    cells.push(match c.outcome {
        Outcome::Better | Outcome::Worse => format!("**{}**", text::outcome_word(c.outcome)),
        Outcome::Inconclusive => text::outcome_word(c.outcome).to_string(),
        Outcome::NotComputable => prose(&text::not_computable_text(c)),
    });
    cells
}

fn segments(out: &mut String, report: &AnalysisReport) {
    if report.metrics.iter().all(|m| m.segments.is_empty()) {
        return;
    }
    out.push_str("\n## Segments\n");
    let any_pooled = report.metrics.iter().any(|m| !m.pooled_segments.is_empty());
    if any_pooled {
        out.push_str(&format!(
            "\n{}\n",
            prose(&text::segment_likely_note(report))
        ));
    }
    for metric in &report.metrics {
        for (column, members) in text::segment_groups(metric) {
            out.push_str(&format!(
                "\n### {} by {}\n\n",
                inline(metric.title()),
                inline(column)
            ));
            let pooled = text::pooled_segments(metric, column);
            if pooled.is_empty() {
                measured_segment_table(out, report, metric, &members);
                continue;
            }
            pooled_segment_table(out, report, metric, &pooled);
            // The measured table stays one click away: its intervals and
            // p-values are each segment's own, read on its own.
            out.push_str("\n<details><summary>Measured per segment</summary>\n\n");
            measured_segment_table(out, report, metric, &members);
            out.push_str("\n</details>\n");
        }
    }
    out.push_str("\nSignificant differences are marked **better** or **worse**.\n");
}

/// The likely (shrunken) change per segment of one column, with the
/// sentence on whether segments differ at all.
fn pooled_segment_table(
    out: &mut String,
    report: &AnalysisReport,
    metric: &MetricResult,
    pooled: &[&PooledSegments],
) {
    for p in pooled {
        let spread = text::segment_spread(p);
        if pooled.len() > 1 {
            out.push_str(&format!("{}: {}.\n\n", inline(&p.arm), prose(&spread)));
        } else {
            out.push_str(&format!("{}.\n\n", prose(&capitalize(&spread))));
        }
    }
    let cells = text::pooled_segment_table(report, metric, pooled);
    let headers: Vec<String> = cells
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| if i == 0 { inline(h) } else { capitalize(h) })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut align = vec![Left];
    if cells.several_arms {
        align.push(Left);
    }
    align.extend([Right, Right, Right, Right]);
    // Names come from the user's data and are escaped; numbers are ours.
    let names = if cells.several_arms { 2 } else { 1 };
    let rows: Vec<Vec<String>> = cells
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, c)| if i < names { inline(c) } else { c.clone() })
                .collect()
        })
        .collect();
    table(out, &header_refs, &align, &rows);
    for p in pooled {
        if let Some(note) = text::segments_left_out(p) {
            out.push_str(&format!("\n{}\n", prose(&note)));
        }
    }
}

/// Each segment's own comparison: change, interval, p-value and result.
fn measured_segment_table(
    out: &mut String,
    report: &AnalysisReport,
    metric: &MetricResult,
    members: &[&SegmentResult],
) {
    let level = text::level(report.settings.alpha);
    let interval_header = format!("{level} interval");
    let treatments = text::segment_treatments(metric, members);
    let column_header = inline(members.first().map_or("", |s| s.column.as_str()));
    let mut headers = vec![column_header.as_str()];
    let mut align = vec![Left];
    if treatments > 1 {
        headers.push("Arm");
        align.push(Left);
    }
    let counted = capitalize(text::counted_noun(metric));
    headers.extend([
        counted.as_str(),
        "Change",
        interval_header.as_str(),
        text::segment_p_header(report, metric),
        "Result",
    ]);
    align.extend([Right, Right, Right, Right, Left]);
    let mut rows = Vec::new();
    for segment in members {
        for c in &segment.comparisons {
            let mut cells = vec![inline(&segment.value)];
            if treatments > 1 {
                cells.push(inline(&c.arm));
            }
            cells.push(number(segment.customers as f64, 0));
            match c.absolute {
                Some(abs) => cells.extend([
                    text::change(metric, abs.estimate),
                    text::change_interval(metric, abs.ci_low, abs.ci_high),
                ]),
                None => cells.extend([String::new(), String::new()]),
            }
            cells.push(text::p_adjusted_text(c));
            cells.push(if text::significant(c) {
                format!("**{}**", text::outcome_word(c.outcome))
            } else if c.outcome == Outcome::NotComputable {
                "not computable".to_string()
            } else {
                String::new()
            });
            rows.push(cells);
        }
    }
    table(out, &headers, &align, &rows);
}

fn decision_money(out: &mut String, report: &AnalysisReport) {
    let Some(section) = super::decision_text::decision_section(report) else {
        return;
    };
    out.push_str("\n## The decision in money\n\n");
    for note in &section.notes {
        out.push_str(&format!("{}\n\n", prose(note)));
    }
    let aligned = |n: usize| {
        let mut a = vec![Right; n];
        a[0] = Left;
        a
    };
    if !section.money_rows.is_empty() {
        let rows: Vec<Vec<String>> = section
            .money_rows
            .iter()
            .map(|r| r.iter().map(|c| inline(c)).collect())
            .collect();
        table(out, &section.money_headers, &aligned(6), &rows);
    }
    if !section.effect_rows.is_empty() {
        out.push_str(
            "\nEffects as measured and as likely, allowing for how rarely initiatives move a \
             metric much:\n\n",
        );
        let rows: Vec<Vec<String>> = section
            .effect_rows
            .iter()
            .map(|r| r.iter().map(|c| inline(c)).collect())
            .collect();
        table(out, &section.effect_headers, &aligned(5), &rows);
    }
}

fn roi(out: &mut String, report: &AnalysisReport) {
    let Some(roi) = &report.roi else {
        return;
    };
    out.push_str(&format!(
        "\n## {}\n\n",
        prose(&text::roi_title(report, roi))
    ));
    let rows: Vec<Vec<String>> = text::roi_rows(report, roi)
        .into_iter()
        .map(|(label, value)| vec![label.to_string(), prose(&value)])
        .collect();
    table(out, &["Figure", "Value"], &[Left, Left], &rows);
    let by_arm = text::roi_by_arm_rows(report);
    if !by_arm.is_empty() {
        out.push_str("\nEach arm rolled out:\n\n");
        let rows: Vec<Vec<String>> = by_arm
            .into_iter()
            .map(|[arm, median, range, chance]| vec![inline(&arm), median, range, chance])
            .collect();
        table(
            out,
            &["Arm", "NPV median", "5-95% range", "Chance it pays off"],
            &[Left, Right, Right, Right],
            &rows,
        );
    }
}

fn warnings(out: &mut String, report: &AnalysisReport) {
    let warnings = text::fresh_warnings(report);
    if warnings.is_empty() {
        return;
    }
    out.push_str("\n## Warnings\n\n");
    for w in warnings {
        out.push_str(&format!("- {}\n", prose(w)));
    }
}

fn method(out: &mut String, report: &AnalysisReport) {
    let s = &report.settings;
    out.push_str("\n## Method\n\n");
    out.push_str(&format!(
        "- Significance level {}: intervals are {} intervals; a change counts as better or \
         worse when its p-value is below {}.\n",
        text::alpha_text(s.alpha),
        text::level(s.alpha),
        text::alpha_text(s.alpha)
    ));
    if let Some(gs) = &s.group_sequential {
        out.push_str(&format!(
            "- {}: the intervals are repeated confidence intervals, valid at every look \
             however the pilot goes on; the chance to beat control is not adjusted for the looks.\n",
            capitalize(&text::group_sequential_text(gs))
        ));
    } else if s.sequential {
        out.push_str(&format!(
            "- Sequential (always-valid) inference: results stay valid however often they are \
             looked at (tuning size {} customers).\n",
            number(s.sequential_tuning, 0)
        ));
    } else {
        out.push_str(
            "- Fixed-horizon tests: meant to be read once, at the planned size; stopping the \
             first time a result looks good overstates the certainty.\n",
        );
    }
    out.push_str(&format!(
        "- {}.\n",
        capitalize(&text::correction_text(s.correction.as_str()))
    ));
    let tests: Vec<String> = report
        .metrics
        .iter()
        .map(|m| {
            let used = text::tests_used(m);
            let used = if used.is_empty() {
                "not computed".to_string()
            } else {
                used.join(", ")
            };
            format!("{} ({used})", inline(m.title()))
        })
        .collect();
    if !tests.is_empty() {
        out.push_str(&format!("- Tests: {}.\n", tests.join("; ")));
    }
    out.push_str(
        "- Chance to beat control: Bayesian with flat priors (exact Beta-Binomial for rates, \
         normal approximation otherwise).\n",
    );
    out.push_str(&format!(
        "- Generated by pilot {} at {}.\n",
        inline(&report.pilot_version),
        inline(&report.generated_at)
    ));
}

// ---------- tables ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}
use Align::{Left, Right};

/// A GitHub-style table. Every row gets exactly as many cells as there are
/// headers, so a short row cannot shift columns; cells must already be
/// escaped.
fn table(out: &mut String, headers: &[&str], align: &[Align], rows: &[Vec<String>]) {
    fn row<'a>(cells: impl Iterator<Item = &'a str>) -> String {
        let cells: Vec<&str> = cells.collect();
        format!("| {} |\n", cells.join(" | "))
    }
    out.push_str(&row(headers.iter().copied()));
    out.push_str(&row(align.iter().map(|a| match a {
        Left => "---",
        Right => "---:",
    })));
    for r in rows {
        out.push_str(&row(r
            .iter()
            .map(String::as_str)
            .chain(std::iter::repeat(""))
            .take(headers.len())));
    }
}

// ---------- escaping ----------

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// User text for one line (a table cell, a heading, a list item): line
/// breaks become spaces, then [`escape_line`].
fn inline(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    escape_line(&flat)
}

/// User text that may span lines (a description): each line escaped on its
/// own, so a line starting with `#` or `-` stays text.
fn block(text: &str) -> String {
    text.lines()
        .map(|l| escape_line(l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A generated sentence: escaped like user text, except that balanced
/// backtick spans (pilot's own `code` mentions) are kept as code. Inside a
/// code span only `|` needs care (it would still split a table cell).
fn prose(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let parts: Vec<&str> = flat.split('`').collect();
    // An odd number of parts means the backticks pair up.
    if parts.len() < 3 || parts.len().is_multiple_of(2) {
        return escape_line(&flat);
    }
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && !part.is_empty() {
            out.push('`');
            out.push_str(&clean_controls(part).replace('|', "\\|"));
            out.push('`');
        } else if i == 0 {
            out.push_str(&escape_line(part));
        } else {
            out.push_str(&escape_inline(part));
        }
    }
    out
}

/// Escapes one line of text: inline syntax everywhere, block syntax at the
/// start (headings, quotes, list markers, thematic breaks, setext
/// underlines), and leading blanks dropped (four would start a code block).
/// Block markers are escaped only where Markdown would read them as such
/// (`- x` but not `-5%`, `1. x` but not `87.5%`), to keep the raw text
/// readable.
fn escape_line(text: &str) -> String {
    let text = text.trim_start();
    let ends_marker = |rest: &str| rest.is_empty() || rest.starts_with([' ', '\t']);
    let only = |c: char| text.chars().all(|x| x == c || x == ' ');
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let split = match text.chars().next() {
        // `>` starts a quote even without a space; mid-line it means
        // nothing, so `escape_inline` leaves it alone.
        Some('>') => Some(0),
        Some('#') if ends_marker(text.trim_start_matches('#')) => Some(0),
        Some('-' | '+') if ends_marker(&text[1..]) || only('-') => Some(0),
        Some('=') if only('=') => Some(0),
        _ if (1..=9).contains(&digits)
            && text[digits..].starts_with(['.', ')'])
            && ends_marker(&text[digits + 1..]) =>
        {
            Some(digits)
        }
        _ => None,
    };
    match split {
        Some(at) => format!(
            "{}\\{}",
            escape_inline(&text[..at]),
            escape_inline(&text[at..])
        ),
        None => escape_inline(text),
    }
}

/// Backslash-escapes the characters with inline meaning: emphasis, code,
/// links, HTML, table cells, strikethrough, and `&` where it could start an
/// entity. Control characters become U+FFFD.
pub(crate) fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // Only `<` that could open a tag, comment or autolink:
            // `p < 0.001` stays as it is.
            '<' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
            {
                out.push_str("\\<");
            }
            '&' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#') =>
            {
                out.push_str("\\&");
            }
            c => out.push(clean_char(c)),
        }
    }
    out
}

fn clean_controls(text: &str) -> String {
    text.chars().map(clean_char).collect()
}

fn clean_char(c: char) -> char {
    if c.is_control() { '\u{fffd}' } else { c }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(inline("a|b"), "a\\|b");
        assert_eq!(inline("*x*"), "\\*x\\*");
        assert_eq!(inline("# big"), "\\# big");
        assert_eq!(inline("2024. year"), "2024\\. year");
        assert_eq!(inline("87.5%"), "87.5%");
        assert_eq!(inline("-5% or - x"), "-5% or - x");
        assert_eq!(inline("- x"), "\\- x");
        assert_eq!(inline("---"), "\\---");
        assert_eq!(inline("#1 fan"), "#1 fan");
        assert_eq!(inline("## two"), "\\## two");
        assert_eq!(inline(">quote"), "\\>quote");
        assert_eq!(inline("p < 0.001 <b>"), "p < 0.001 \\<b>");
        assert_eq!(inline("Tom & Jerry &amp;"), "Tom & Jerry \\&amp;");
        assert_eq!(inline("a\nb"), "a b");
        assert_eq!(inline("discount-10"), "discount-10");
        assert_eq!(block("one\n- two\n    three"), "one\n\\- two\nthree");
    }

    #[test]
    fn prose_keeps_code_spans() {
        assert_eq!(
            prose("is `[outcomes] id_column` right? *no*"),
            "is `[outcomes] id_column` right? \\*no\\*"
        );
        assert_eq!(prose("a `b"), "a \\`b");
    }
}
