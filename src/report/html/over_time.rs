//! How the primary metric's estimate moved from look to look, so an owner
//! who reruns the analysis every week sees the story.

use super::units::MetricUnit;
use super::{Page, figure, h, td, timestamp, w};
use crate::format::{count, number, p_value};
use crate::history::{Look, LookComparison};
use crate::report::svg::{self, EffectOverTime, effect_over_time};

/// One look as the section uses it.
struct Point<'a> {
    look: &'a Look,
    /// The primary metric's comparison for the focus arm at this look.
    comparison: Option<&'a LookComparison>,
}

impl Point<'_> {
    fn absolute(&self) -> Option<[f64; 3]> {
        self.comparison.and_then(|c| c.absolute)
    }

    fn customers(&self) -> u64 {
        self.look.customers.iter().sum()
    }
}

/// The looks to show: `history`, then the current one (a last history
/// entry that is this very run, same data and file, is not repeated).
fn looks(history: &[Look], current: Look) -> Vec<Look> {
    let mut all: Vec<Look> = history.to_vec();
    if all.last().is_some_and(|last| {
        last.data_fingerprint == current.data_fingerprint
            && last.config_fingerprint == current.config_fingerprint
    }) {
        all.pop();
    }
    all.push(current);
    all
}

/// Writes the section.
pub(super) fn write(out: &mut String, page: &Page<'_>, history: &[Look]) {
    out.push_str("<section id=\"over-time\">\n<h2>Over time</h2>\n");
    let (Some(metric), Some(arm)) = (page.primary, page.focus_arm) else {
        out.push_str("<p>There is no primary metric and treatment arm to follow over time.</p>\n</section>\n");
        return;
    };
    let unit = MetricUnit::of(metric, page.currency);
    let all = looks(history, Look::of(page.report));
    let points: Vec<Point<'_>> = all
        .iter()
        .map(|look| Point {
            look,
            comparison: look
                .comparisons
                .iter()
                .find(|c| c.metric == metric.name && c.arm == arm),
        })
        .collect();
    let labels = labels(&all);
    let alpha = page.report.settings.alpha;
    let chart_looks: Vec<svg::Look> = points
        .iter()
        .zip(&labels)
        .map(|(p, label)| {
            let abs = p.absolute();
            svg::Look {
                label: label.clone(),
                estimate: abs.map_or(f64::NAN, |a| a[0]),
                ci: abs.map(|a| (a[1], a[2])),
                significant: p
                    .comparison
                    .and_then(|c| c.p_value)
                    .is_some_and(|p| p < alpha),
            }
        })
        .collect();

    w!(
        out,
        "<p class=\"lead\">The change in {} with {} at every analysis (look), with its {} interval.</p>\n<p class=\"story\">{}</p>\n",
        h(metric.title()),
        h(arm),
        page.level,
        h(&story(&points, &labels, &unit, alpha))
    );
    let chart = effect_over_time(&EffectOverTime {
        title: format!("{} over time", metric.title()),
        y_label: format!("Change in {} vs {}", metric.title(), page.control()),
        caption: page.interval_note(),
        unit: unit.chart_unit(),
        looks: chart_looks,
        domain: None,
    });
    figure(out, &chart);
    table(out, page, &points, &labels, &unit);
    out.push_str("</section>\n");
}

/// Date labels, with the time of day when two looks share a date.
fn labels(looks: &[Look]) -> Vec<String> {
    let stamps: Vec<String> = looks.iter().map(|l| timestamp(&l.time)).collect();
    let date = |s: &str| s.split(' ').next().unwrap_or(s).to_string();
    let dates: Vec<String> = stamps.iter().map(|s| date(s)).collect();
    let shared = (1..dates.len()).any(|i| dates[i] == dates[i - 1]);
    if shared { stamps } else { dates }
}

/// One sentence comparing the latest two looks, or why there is none.
fn story(points: &[Point<'_>], labels: &[String], unit: &MetricUnit, alpha: f64) -> String {
    let n = points.len();
    if n < 2 {
        return "This is the first look, so there is nothing to compare with yet: rerun the analysis as new data comes in (every week, say) and this chart will show how the estimate moves and the interval narrows.".to_string();
    }
    let (before, now) = (&points[n - 2], &points[n - 1]);
    let since = if before.customers() == now.customers() {
        format!(
            "Since the previous look on {}, with the same {} and more of their outcomes",
            labels[n - 2],
            count(now.customers(), "customer", "customers")
        )
    } else {
        format!(
            "Since the previous look on {} ({} then, {} now)",
            labels[n - 2],
            count(before.customers(), "customer", "customers"),
            number(now.customers() as f64, 0)
        )
    };
    let (Some(a), Some(b)) = (before.absolute(), now.absolute()) else {
        return format!(
            "{since}, the comparison could not be computed at one of the two looks, so the change cannot be followed yet."
        );
    };
    let width = |x: [f64; 3]| x[2] - x[1];
    let narrowed = width(b) - width(a);
    let interval = if narrowed < 0.0 {
        format!("the interval narrowed by {}", unit.size(narrowed))
    } else if narrowed > 0.0 {
        format!("the interval widened by {}", unit.size(narrowed))
    } else {
        "the interval kept its width".to_string()
    };
    let clear = |p: &Point<'_>| {
        p.comparison
            .and_then(|c| c.p_value)
            .is_some_and(|p| p < alpha)
    };
    let status = match (clear(before), clear(now)) {
        (false, true) => format!(
            " and the result became clear ({})",
            now.comparison
                .and_then(|c| c.p_value)
                .map(p_value)
                .unwrap_or_default()
        ),
        (true, false) => " and the result is no longer clear".to_string(),
        _ => String::new(),
    };
    let verdict = if before.look.verdict == now.look.verdict {
        String::new()
    } else {
        format!(
            "; the verdict went from {} to {}",
            verdict_words(&before.look.verdict),
            verdict_words(&now.look.verdict)
        )
    };
    format!(
        "{since}, the estimate moved from {} ({}) to {} ({}); {interval}{status}{verdict}.",
        unit.change(a[0]),
        unit.range(a[1], a[2]),
        unit.change(b[0]),
        unit.range(b[1], b[2])
    )
}

/// A recorded verdict in words.
fn verdict_words(verdict: &str) -> &str {
    match verdict {
        "rollout" => "roll out",
        "continue" => "keep piloting",
        other => other,
    }
}

/// Every look in a table, latest last.
fn table(
    out: &mut String,
    page: &Page<'_>,
    points: &[Point<'_>],
    labels: &[String],
    unit: &MetricUnit,
) {
    w!(
        out,
        "<div class=\"scroll\"><table class=\"stack\">\n<thead><tr><th>Look</th><th class=\"num\">Customers</th><th class=\"num\">Change<small>{} interval</small></th><th class=\"num\">p-value</th><th>Verdict</th></tr></thead>\n<tbody>\n",
        page.level
    );
    let change_label = format!("Change ({} interval)", page.level);
    for (p, label) in points.iter().zip(labels) {
        let change = match p.absolute() {
            Some(a) => format!(
                "{}<small>{}</small>",
                h(&unit.change(a[0])),
                h(&unit.range(a[1], a[2]))
            ),
            None => "n/a".to_string(),
        };
        let pv = p
            .comparison
            .and_then(|c| c.p_value)
            .map_or("n/a".to_string(), p_value);
        w!(out, "<tr><th class=\"nowrap\">{}</th>", h(label));
        let customers = number(p.customers() as f64, 0);
        out.push_str(&td("Customers", "num", &customers));
        out.push_str(&td(&change_label, "num", &change));
        out.push_str(&td("p-value", "num", &h(&pv)));
        out.push_str(&td("Verdict", "", &h(verdict_words(&p.look.verdict))));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}
