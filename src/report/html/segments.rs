//! The segment section: per metric and segment column, the likely
//! (shrunken) change of each segment as the headline, and each segment's
//! own measured comparison one click away.

use super::effects::change_cell;
use super::units::MetricUnit;
use super::{Page, h, outcome_tag, td, w};
use crate::analysis::result::{MetricResult, Outcome, SegmentResult};
use crate::analysis::segment_pool::PooledSegments;
use crate::format::{Minus, number, with_minus};
use crate::report::text;

/// Writes the segment section.
pub(super) fn write_segments(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    out.push_str("<section id=\"segments\">\n<h2>Segments</h2>\n");
    let with_segments: Vec<&MetricResult> = report
        .metrics
        .iter()
        .filter(|m| !m.segments.is_empty())
        .collect();
    if with_segments.is_empty() {
        out.push_str("<p>No segments were analysed: list population columns in <code>[analysis] segments</code> to see results per group of customers.</p>\n</section>\n");
        return;
    }
    w!(
        out,
        "<p>The same comparison within groups of customers. Each holds fewer customers, so its own result is noisier, and among many segments some differ by chance{}.</p>\n",
        if report.settings.correction == crate::config::Correction::None {
            ""
        } else {
            " (the measured results are corrected for that within each breakdown; guardrails are not)"
        }
    );
    if report.metrics.iter().any(|m| !m.pooled_segments.is_empty()) {
        w!(
            out,
            "<p class=\"note\">{}</p>\n",
            h(&text::segment_likely_note(report))
        );
    }
    for m in with_segments {
        w!(out, "<h3>{}</h3>\n", h(m.title()));
        let unit = MetricUnit::of(m, page.currency);
        let mut any_pooled = false;
        for (column, _) in text::segment_groups(m) {
            let pooled = text::pooled_segments(m, column);
            if !pooled.is_empty() {
                any_pooled = true;
                write_pooled(out, page, m, &unit, &pooled);
            }
        }
        if any_pooled {
            // Each segment's own interval and p-value, read on its own.
            out.push_str(
                "<details><summary>Measured per segment: each segment's own interval and result</summary>\n",
            );
            write_measured(out, page, m, &unit);
            out.push_str("</details>\n");
        } else {
            write_measured(out, page, m, &unit);
        }
    }
    out.push_str("</section>\n");
}

/// One segment column's likely changes: the sentence on whether segments
/// differ, then a row per segment and arm and the row they were pulled
/// toward.
fn write_pooled(
    out: &mut String,
    page: &Page<'_>,
    metric: &MetricResult,
    unit: &MetricUnit,
    pooled: &[&PooledSegments],
) {
    let Some(first) = pooled.first() else {
        return;
    };
    let many = pooled.len() > 1;
    for p in pooled {
        let spread = text::segment_spread(p);
        if many {
            w!(
                out,
                "<p><strong>{}</strong>: {}.</p>\n",
                h(&p.arm),
                h(&spread)
            );
        } else {
            w!(out, "<p>By {}: {}.</p>\n", h(&first.column), h(&spread));
        }
    }
    let (one, many_units, heading) = counted_words(metric);
    w!(
        out,
        "<div class=\"scroll\"><table class=\"stack\">\n<thead><tr><th>{}</th><th class=\"num\">{heading}</th>",
        h(&capitalized(&first.column))
    );
    if many {
        out.push_str("<th>Arm</th>");
    }
    w!(
        out,
        "<th class=\"num\">Measured</th><th class=\"num\">Likely<small>{} range</small></th></tr></thead>\n<tbody>\n",
        page.level
    );
    let likely_label = format!("Likely ({} range)", page.level);
    for p in pooled {
        let rows = p
            .segments
            .iter()
            .map(|s| {
                (
                    s.value.as_str(),
                    s.customers,
                    Some(s.measured.estimate),
                    s.likely,
                )
            })
            .chain(std::iter::once((
                text::pooled_row_label(p),
                p.segments.iter().map(|s| s.customers).sum(),
                None,
                p.all,
            )));
        for (name, customers, measured, likely) in rows {
            let count = with_minus(number(customers as f64, 0), Minus::Unicode);
            let counted = if customers == 1 { one } else { many_units };
            let phone = if many {
                format!("{} \u{b7} {count} {counted}", h(&p.arm))
            } else {
                format!("{count} {counted}")
            };
            let class = if measured.is_none() {
                " class=\"total\""
            } else {
                ""
            };
            w!(
                out,
                "<tr{class}><th>{}<small class=\"phone-only\">{phone}</small></th>{}",
                h(name),
                td(heading, "num desk-only", &count)
            );
            if many {
                out.push_str(&td("Arm", "desk-only", &h(&p.arm)));
            }
            let measured_cell = measured.map_or(String::new(), |x| h(&unit.change(x)).into_owned());
            // The pooled row has no measured value of its own; on a phone
            // its empty cell would still print its label.
            let measured_class = if measured.is_some() {
                "num"
            } else {
                "num desk-only"
            };
            out.push_str(&td("Measured", measured_class, &measured_cell));
            out.push_str(&td(
                &likely_label,
                "num",
                &format!(
                    "{}<small class=\"nowrap\">{}</small>",
                    h(&unit.change(likely.estimate)),
                    h(&unit.range(likely.ci_low, likely.ci_high))
                ),
            ));
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table></div>\n");
    for p in pooled {
        if let Some(note) = text::segments_left_out(p) {
            w!(out, "<p class=\"note\">{}</p>\n", h(&note));
        }
    }
}

/// Every segment's own comparison for `metric`, grouped by column.
fn write_measured(out: &mut String, page: &Page<'_>, m: &MetricResult, unit: &MetricUnit) {
    let many = page.treatments() > 1;
    let (one, many_units, heading) = counted_words(m);
    w!(
        out,
        "<div class=\"scroll\"><table class=\"stack\">\n<thead><tr><th>Segment</th><th class=\"num\">{heading}</th>"
    );
    if many {
        out.push_str("<th>Arm</th>");
    }
    w!(
        out,
        "<th class=\"num\">Change<small>{} interval</small></th><th>Result</th></tr></thead>\n<tbody>\n",
        page.level
    );
    let change_label = format!("Change ({} interval)", page.level);
    let columns = 2 + usize::from(many) + 2;
    for (column, members) in text::segment_groups(m) {
        w!(
            out,
            "<tr class=\"group\"><th colspan=\"{columns}\">By {}</th></tr>\n",
            h(column)
        );
        for s in members {
            write_measured_rows(
                out,
                s,
                many,
                (one, many_units, heading),
                &change_label,
                unit,
            );
        }
    }
    out.push_str("</tbody></table></div>\n");
}

/// One segment's rows: one per arm, the segment repeated (no rowspans, so
/// every row also reads on its own when the table stacks on a phone, where
/// the arm and the count move into the row's heading).
fn write_measured_rows(
    out: &mut String,
    s: &SegmentResult,
    many: bool,
    (one, many_units, heading): (&str, &str, &str),
    change_label: &str,
    unit: &MetricUnit,
) {
    let customers = with_minus(number(s.customers as f64, 0), Minus::Unicode);
    let counted = if s.customers == 1 { one } else { many_units };
    let row_start = |arm: Option<&str>| {
        let phone = match arm {
            Some(arm) if many => format!("{} \u{b7} {customers} {counted}", h(arm)),
            _ => format!("{customers} {counted}"),
        };
        let mut row = format!(
            "<tr><th>{}<small class=\"phone-only\">{phone}</small></th>{}",
            h(&s.value),
            td(heading, "num desk-only", &customers)
        );
        if many {
            row.push_str(&td("Arm", "desk-only", &h(arm.unwrap_or(""))));
        }
        row
    };
    if s.comparisons.is_empty() {
        out.push_str(&row_start(None));
        out.push_str(&td(change_label, "num", "n/a"));
        out.push_str(&td("Result", "", &outcome_tag(Outcome::NotComputable)));
        out.push_str("</tr>\n");
    }
    for c in &s.comparisons {
        out.push_str(&row_start(Some(&c.arm)));
        out.push_str(&td(change_label, "num", &change_cell(unit, c)));
        out.push_str(&td("Result", "", &outcome_tag(c.outcome)));
        out.push_str("</tr>\n");
    }
}

/// The words for what a segment counts: answers for surveys, customers
/// otherwise (singular, plural, column heading).
fn counted_words(metric: &MetricResult) -> (&'static str, &'static str, &'static str) {
    if metric.is_survey() {
        ("answer", "answers", "Answers")
    } else {
        ("customer", "customers", "Customers")
    }
}

/// `region` as a column heading: `Region`.
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
