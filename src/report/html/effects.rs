//! The effect on every metric: forest plot and a table in the metrics' own
//! units.

use super::units::{MetricUnit, relative, relative_range};
use super::{Page, figure, h, outcome_tag, td, w, whole_pct};
use crate::analysis::result::{ArmComparison, MetricResult, Outcome};
use crate::config::Direction;
use crate::format::p_value;
use crate::report::svg::{Forest, ForestRow, Guardrail, HarmDirection, forest_plot};

/// The metric's better direction.
fn direction(metric: &MetricResult) -> Direction {
    if metric.direction == crate::config::Direction::Decrease {
        Direction::Decrease
    } else {
        Direction::Increase
    }
}

/// The guardrail limit of a metric, if it is a guardrail with a margin.
fn guardrail(metric: &MetricResult) -> Option<Guardrail> {
    if metric.role != crate::config::Role::Guardrail {
        return None;
    }
    metric.margin.map(|margin| Guardrail {
        margin,
        harm_direction: HarmDirection::against(direction(metric)),
    })
}

/// A forest row's label: the metric and its role, and the arm when there
/// are several.
fn row_label(page: &Page<'_>, metric: &MetricResult, arm: &str) -> String {
    if page.treatments() > 1 {
        format!("{arm}: {} ({})", metric.title(), metric.role)
    } else {
        format!("{} ({})", metric.title(), metric.role)
    }
}

/// One forest row per metric and treatment arm, in report order.
fn forest_rows(page: &Page<'_>) -> Vec<ForestRow> {
    page.report
        .metrics
        .iter()
        .flat_map(|m| m.comparisons.iter().map(move |c| (m, c)))
        .map(|(m, c)| ForestRow {
            label: row_label(page, m, &c.arm),
            estimate: c.relative.map_or(f64::NAN, |r| r.estimate),
            ci: c.relative.map(|r| (r.ci_low, r.ci_high)),
            significant: matches!(c.outcome, Outcome::Better | Outcome::Worse),
            favourable: match c.outcome {
                Outcome::Better => Some(true),
                Outcome::Worse => Some(false),
                _ => None,
            },
            guardrail: guardrail(m),
            in_own_units: c
                .relative
                .is_none()
                .then_some(c.absolute)
                .flatten()
                .map(|abs| {
                    let unit = MetricUnit::of(m, page.currency);
                    format!(
                        "{} ({})",
                        unit.change(abs.estimate),
                        unit.range(abs.ci_low, abs.ci_high)
                    )
                }),
        })
        .collect()
}

/// Which correction the filled markers went through, as a phrase.
fn correction_phrase(correction: &str) -> &'static str {
    match correction {
        "holm" => " after the Holm correction for testing several metrics",
        "bh" => " after the Benjamini-Hochberg correction for testing several metrics",
        "bonferroni" => " after the Bonferroni correction for testing several metrics",
        _ => "",
    }
}

/// Writes the forest plot and the table of every comparison.
pub(super) fn write_effects(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    out.push_str("<section id=\"effects\">\n<h2>Effect on every metric</h2>\n");
    let against = if page.treatments() > 1 {
        "each treatment".to_string()
    } else {
        page.focus_arm.unwrap_or("the treatment").to_string()
    };
    w!(
        out,
        "<p class=\"lead\">Each row shows how much a metric changed with {} compared with {}, in percent, with its {} interval: the true change very likely lies on the bar. A bar crossing the zero line means \u{201c}no change\u{201d} is still plausible. Filled dots are clear (statistically significant) results{}; hollow dots are not clear yet. Dashed lines mark guardrail limits: how much worse a guardrail may get before the pilot must stop.</p>\n",
        h(&against),
        h(page.control()),
        page.level,
        correction_phrase(report.settings.correction.as_str())
    );
    let chart = forest_plot(&Forest {
        title: "Change compared with control".to_string(),
        x_label: format!("Change vs {} (relative)", page.control()),
        caption: page.interval_note(),
        rows: forest_rows(page),
        domain: None,
    });
    figure(out, &chart);
    // Rows the chart cannot draw are explained, not silently missing.
    for m in &report.metrics {
        for c in &m.comparisons {
            if c.relative.is_none() {
                let why = c
                    .relative_not_computable
                    .as_deref()
                    .or(c.not_computable.as_deref())
                    .unwrap_or("not enough data");
                if c.absolute.is_some() {
                    w!(
                        out,
                        "<p class=\"note\">{} has no percentage change for {}: {}. The chart writes its change in its own units instead of a bar.</p>\n",
                        h(m.title()),
                        h(&c.arm),
                        h(why)
                    );
                } else {
                    w!(
                        out,
                        "<p class=\"note\">{} is not drawn for {}: {}.</p>\n",
                        h(m.title()),
                        h(&c.arm),
                        h(why)
                    );
                }
            }
        }
    }
    comparisons_table(out, page);
    out.push_str("</section>\n");
}

/// Every comparison in the metric's own units.
fn comparisons_table(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    let many = page.treatments() > 1;
    out.push_str(
        "<div class=\"scroll\"><table class=\"stack\">\n<caption>In numbers</caption>\n<thead><tr><th>Metric</th>",
    );
    let change_label = format!("Change ({} interval)", page.level);
    w!(
        out,
        "<th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">Change<small>{} interval</small></th><th class=\"num\">p-value</th><th>Result</th></tr></thead>\n<tbody>\n",
        h(page.control()),
        h(if many {
            "Treatment"
        } else {
            page.focus_arm.unwrap_or("Treatment")
        }),
        page.level
    );
    let mut any_adjusted = false;
    for m in &report.metrics {
        let unit = MetricUnit::of(m, page.currency);
        let control = m.arms.first().and_then(|a| a.mean);
        for c in &m.comparisons {
            let treated = m.arms.iter().find(|a| a.arm == c.arm).and_then(|a| a.mean);
            // With several arms the arm goes under the metric's name
            // rather than in a column of its own: the table then fits a
            // desktop page without scrolling.
            let arm = if many {
                format!("<small>with {}</small>", h(&c.arm))
            } else {
                String::new()
            };
            w!(
                out,
                "<tr><th>{}{arm}<small>{}</small></th>",
                h(m.title()),
                h(&role_note(m))
            );
            let value = |v: Option<f64>| v.map_or("n/a".to_string(), |v| unit.value(v));
            out.push_str(&td(page.control(), "num", &h(&value(control))));
            let treated_cell = match c.adjusted_mean() {
                Some(a) => format!(
                    "{}<small>adjusted; {} measured</small>",
                    h(&unit.value(a)),
                    h(&value(treated))
                ),
                None => h(&value(treated)).to_string(),
            };
            out.push_str(&td(&c.arm, "num", &treated_cell));
            out.push_str(&td(&change_label, "num", &change_cell(&unit, c)));
            let p = match (c.p_value.map(p_value), c.p_value_adjusted.map(p_value)) {
                (Some(alone), Some(adjusted)) if alone != adjusted => {
                    any_adjusted = true;
                    format!(
                        "{}<small>adjusted; {} alone</small>",
                        h(&adjusted),
                        h(&alone)
                    )
                }
                (Some(alone), _) => h(&alone).to_string(),
                (None, _) => "n/a".to_string(),
            };
            out.push_str(&td("p-value", "num", &p));
            out.push_str(&td("Result", "", &outcome_tag(c.outcome)));
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table></div>\n");
    if any_adjusted {
        out.push_str("<p class=\"note\">Where several pilot groups or metrics are compared, a p-value is adjusted for the number of comparisons, which is what the result is judged by; the interval beside it is that comparison's own and is not adjusted, so it can exclude zero while the adjusted p-value is above the threshold.</p>\n");
    }
    if report.metrics.iter().any(|m| m.cuped.is_some()) {
        out.push_str("<p class=\"note\">For metrics adjusted for what customers did before the pilot (CUPED, see the method notes) the pilot group's average is the adjusted one: what it would have been had its customers started where the control's did. The change is its difference to the control's average; the measured average is shown under it.</p>\n");
    }
}

/// `primary`, `guardrail: at most 50% worse`, `secondary`, and which way
/// is better.
fn role_note(m: &MetricResult) -> String {
    let better = if m.direction == crate::config::Direction::Decrease {
        "lower is better"
    } else {
        "higher is better"
    };
    match (m.role.as_str(), m.margin) {
        ("guardrail", Some(margin)) => {
            format!("guardrail, at most {} worse; {better}", whole_pct(margin))
        }
        (role, _) => format!("{role}; {better}"),
    }
}

/// The change with its interval and relative change under it, escaped.
/// Each figure is kept on one line (`nowrap`); a narrow column may only
/// break between the relative change and its interval.
pub(super) fn change_cell(unit: &MetricUnit, c: &ArmComparison) -> String {
    let Some(abs) = c.absolute else {
        return format!(
            "n/a<small>{}</small>",
            h(c.not_computable.as_deref().unwrap_or("not computable"))
        );
    };
    let rel = c
        .relative
        .map(|r| {
            format!(
                "<small><span class=\"nowrap\">{}</span> <span class=\"nowrap\">({})</span></small>",
                h(&relative(r.estimate)),
                h(&relative_range(r.ci_low, r.ci_high))
            )
        })
        .unwrap_or_default();
    format!(
        "{}<small class=\"nowrap\">{}</small>{rel}",
        h(&unit.change(abs.estimate)),
        h(&unit.range(abs.ci_low, abs.ci_high))
    )
}
