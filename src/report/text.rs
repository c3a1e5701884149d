//! Wording shared by the terminal and Markdown reports, so both say the
//! same thing in the same words: the verdict, how a metric's values and
//! changes read, p-values, outcome words, notes and the ROI figures.
//!
//! Everything here returns plain text (no escaping, no colour); each
//! renderer escapes or paints it for its medium.

use crate::analysis::result::{ArmComparison, MetricResult, Outcome, SegmentResult};
use crate::analysis::segment_pool::{PooledSegments, SegmentCentre};
use crate::config::MetricKind;
use crate::decide::verdict::{Decision, Verdict};
use crate::format::{
    NOT_AVAILABLE, Unit, count, fmt_sig, money, number, p_value, pct, pp, probability, signed_pct,
};
use crate::report::model::{AnalysisReport, GroupSequentialSettings};
use crate::roi::RoiReport;
use crate::stats::TestKind;
use crate::stats::meta::Heterogeneity;

/// The verdict as an action in lower case: `roll out`, `keep piloting`,
/// `stop`, `investigate`.
pub(super) fn verdict_action(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Rollout => "roll out",
        Verdict::Continue => "keep piloting",
        Verdict::Stop => "stop",
        Verdict::Investigate => "investigate",
    }
}

/// The arm a verdict names: only a rollout says which arm, because the
/// other verdicts are about the pilot as a whole (a `continue` decision
/// may name its best candidate, but "KEEP PILOTING discount-10" would read
/// as if that arm alone continued).
pub(super) fn verdict_arm(decision: &Decision) -> Option<&str> {
    match decision.verdict {
        Verdict::Rollout => decision.arm.as_deref(),
        _ => None,
    }
}

/// Rates (`binary`, `csat`) read as percentages and change in percentage
/// points; everything else is a number in the metric's own units.
pub(super) fn is_rate(metric: &MetricResult) -> bool {
    matches!(metric.kind, MetricKind::Binary | MetricKind::Csat)
}

/// One value of the metric: `12.0%` for rates, three significant digits
/// otherwise (the same rule the decision's sentences use).
pub(super) fn value(metric: &MetricResult, x: f64) -> String {
    if is_rate(metric) {
        pct(x)
    } else {
        fmt_sig(x, 3)
    }
}

/// A change of the metric, always signed: `+2.5 pp` for rates, `+1.23`,
/// `-0.5` otherwise.
pub(super) fn change(metric: &MetricResult, x: f64) -> String {
    if is_rate(metric) {
        pp(x)
    } else {
        let s = fmt_sig(x, 3);
        if x > 0.0 && s != "0" {
            format!("+{s}")
        } else {
            s
        }
    }
}

/// The interval of a change, `[+0.4 pp, +4.6 pp]`, ASCII minus (terminal
/// and Markdown are both copied into spreadsheets and emails).
pub(super) fn change_interval(metric: &MetricResult, lo: f64, hi: f64) -> String {
    crate::format::interval(lo, hi, |x| change(metric, x), crate::format::Minus::Ascii)
}

/// What the metric's kind is, in words.
pub(super) fn kind_label(metric: &MetricResult) -> &'static str {
    match metric.kind.as_str() {
        "binary" => "rate",
        "mean" => "average",
        "ratio" => "ratio",
        "nps" => "NPS survey",
        "csat" => "CSAT survey",
        "ordinal" => "rating scale",
        "ces" => "effort survey",
        _ => "metric",
    }
}

/// The column header of the metric's per-arm value.
pub(super) fn value_header(metric: &MetricResult) -> &'static str {
    match metric.kind.as_str() {
        "binary" => "rate",
        "csat" => "satisfied",
        "nps" => "NPS",
        "ratio" => "ratio",
        _ => "average",
    }
}

/// Kind, role and direction in one phrase:
/// `rate, primary metric, higher is better`.
pub(super) fn metric_description(metric: &MetricResult) -> String {
    let role = match (metric.role.as_str(), metric.margin) {
        ("guardrail", Some(m)) if m > 0.0 => format!("guardrail with a {} margin", pct(m)),
        (role, _) => format!("{role} metric"),
    };
    let direction = match metric.direction.as_str() {
        "decrease" => "lower is better",
        _ => "higher is better",
    };
    format!("{}, {role}, {direction}", kind_label(metric))
}

/// A share written with as many decimals as it was given (up to three):
/// `95%`, `97.5%`. Confidence levels and quantiles are typed by people, so
/// `95.0%` would add a digit nobody chose; the axis-tick formatter already
/// implements exactly this trimming.
pub(super) fn trimmed_share(x: f64) -> String {
    Unit::Share
        .ticks(&[x])
        .pop()
        .unwrap_or_else(|| NOT_AVAILABLE.to_string())
}

/// The interval level `1 - alpha`, e.g. `95%`.
pub(super) fn level(alpha: f64) -> String {
    trimmed_share(1.0 - alpha)
}

/// `alpha` as typed: `0.05`, `0.025`.
pub(super) fn alpha_text(alpha: f64) -> String {
    Unit::Number
        .ticks(&[alpha])
        .pop()
        .unwrap_or_else(|| NOT_AVAILABLE.to_string())
}

/// The p-value, with the adjusted one when the correction changed what is
/// shown: `p = 0.03 (adjusted 0.06)`; a note under the table says that the
/// intervals are not adjusted ([`metric_notes`]).
pub(super) fn p_text(c: &ArmComparison) -> Option<String> {
    let shown = p_value(c.p_value?);
    let Some(adjusted) = c.p_value_adjusted.map(p_value) else {
        return Some(shown);
    };
    if adjusted == shown {
        return Some(shown);
    }
    // `p = 0.06` -> `0.06`, `p < 0.001` -> `< 0.001`.
    let bare = adjusted
        .strip_prefix("p = ")
        .or_else(|| adjusted.strip_prefix("p "))
        .unwrap_or(&adjusted);
    Some(format!("{shown} (adjusted {bare})"))
}

/// The p-value a segment is judged by: the adjusted one.
pub(super) fn p_adjusted_text(c: &ArmComparison) -> String {
    c.p_value_adjusted
        .or(c.p_value)
        .map(p_value)
        .unwrap_or_default()
}

/// The outcome in one word.
pub(super) fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Better => "better",
        Outcome::Worse => "worse",
        Outcome::Inconclusive => "unclear",
        Outcome::NotComputable => "not computable",
    }
}

/// The rows of a metric's table: each arm's figures with its comparison
/// (none for the control), then any comparison whose arm has no figures.
pub(super) fn arm_rows(
    metric: &MetricResult,
) -> Vec<(
    Option<&crate::analysis::result::ArmFigures>,
    Option<&ArmComparison>,
)> {
    let mut rows = Vec::new();
    let mut shown: Vec<&str> = Vec::new();
    for (i, figures) in metric.arms.iter().enumerate() {
        let comparison = (i > 0)
            .then(|| metric.comparisons.iter().find(|c| c.arm == figures.arm))
            .flatten();
        if let Some(c) = comparison {
            shown.push(&c.arm);
        }
        rows.push((Some(figures), comparison));
    }
    for c in &metric.comparisons {
        if !shown.contains(&c.arm.as_str()) {
            rows.push((None, Some(c)));
        }
    }
    rows
}

/// An arm's value in the metric table: the measured average, or for a
/// treatment whose change was adjusted by CUPED the adjusted average,
/// marked `*` (the metric's notes say what it means), so that the change
/// beside it is the difference to the control's value above.
pub(super) fn arm_value(
    metric: &MetricResult,
    figures: Option<&crate::analysis::result::ArmFigures>,
    comparison: Option<&ArmComparison>,
) -> String {
    if let Some(adjusted) = comparison.and_then(ArmComparison::adjusted_mean) {
        return format!("{}*", value(metric, adjusted));
    }
    figures
        .map(|f| match f.mean {
            Some(m) => value(metric, m),
            None => NOT_AVAILABLE.to_string(),
        })
        .unwrap_or_default()
}

/// `98.9% chance to beat control`; beside a sequential (peeking-safe)
/// result it says that the chance, a posterior of this look's data alone,
/// is not adjusted for repeated looks the way the interval is.
pub(super) fn chance_text(c: &ArmComparison) -> Option<String> {
    let sequential = matches!(
        c.test,
        Some(TestKind::Sequential | TestKind::GroupSequential)
    );
    c.chance_to_beat_control.map(|p| {
        format!(
            "{} chance to beat control{}",
            probability(p),
            if sequential {
                " (not adjusted for repeated looks)"
            } else {
                ""
            }
        )
    })
}

/// `group-sequential test, look 3 at 60% of the planned size (500
/// customers per arm), O'Brien-Fleming spending`.
pub(super) fn group_sequential_text(gs: &GroupSequentialSettings) -> String {
    format!(
        "group-sequential test, look {} at {} of the planned size ({} customers per arm), O'Brien-Fleming spending",
        gs.look,
        pct(gs.information_fraction),
        number(gs.planned_customers_per_arm as f64, 0)
    )
}

/// Why the comparison is missing, as a sentence.
pub(super) fn not_computable_text(c: &ArmComparison) -> String {
    format!(
        "Not computable: {}.",
        c.not_computable
            .as_deref()
            .unwrap_or("not enough data")
            .trim_end_matches('.')
    )
}

/// The tests behind a metric's p-values, distinct, in arm order.
pub(super) fn tests_used(metric: &MetricResult) -> Vec<String> {
    let mut tests: Vec<String> = Vec::new();
    for c in &metric.comparisons {
        if let Some(t) = c.test.map(|t| t.to_string())
            && !tests.contains(&t)
        {
            tests.push(t);
        }
    }
    tests
}

/// What CUPED did, per treatment arm: how much noise it removed, the
/// measured averages behind the adjusted ones marked `*`, and the arms it
/// was not used for because it would have added noise.
fn cuped_notes(metric: &MetricResult) -> Vec<String> {
    let per_arm = metric.cuped_by_arm();
    if per_arm.is_empty() {
        // Reports saved before the per-arm figures: the first arm's.
        return metric
            .cuped
            .map(|info| {
                format!(
                    "Adjusted for each customer's value before the pilot (CUPED), which cut the \
                     variance by {}.",
                    pct(info.variance_reduction)
                )
            })
            .into_iter()
            .collect();
    }
    let several = metric.comparisons.len() > 1;
    let for_arm = |arm: &str| {
        if several {
            format!(" for {arm}")
        } else {
            String::new()
        }
    };
    let mut notes = Vec::new();
    let applied: Vec<String> = per_arm
        .iter()
        .filter(|(_, info)| info.applied)
        .map(|(arm, info)| format!("{}{}", pct(info.variance_reduction), for_arm(arm)))
        .collect();
    if !applied.is_empty() {
        notes.push(format!(
            "Adjusted for each customer's value before the pilot (CUPED), which cut the \
             variance of the change by {}.",
            join_and(&applied)
        ));
        let measured: Vec<String> = metric
            .comparisons
            .iter()
            .filter(|c| c.cuped.is_some_and(|i| i.applied))
            .filter_map(|c| {
                let m = metric.arms.iter().find(|a| a.arm == c.arm)?.mean?;
                Some(format!("{} {}", c.arm, value(metric, m)))
            })
            .collect();
        if !measured.is_empty() {
            notes.push(format!(
                "* Adjusted average: what the pilot group's average would have been had its \
                 customers started where the control's did, so the change is its difference to \
                 the control's average. As measured: {}.",
                join_and(&measured)
            ));
        }
    }
    for (arm, info) in per_arm.iter().filter(|(_, info)| !info.applied) {
        notes.push(format!(
            "CUPED was not used{}: adjusting for the value before the pilot would have made \
             the estimate noisier (variance {} larger), so the change is the plain difference \
             of averages.",
            for_arm(arm),
            pct(-info.variance_reduction)
        ));
    }
    notes
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Notes under a metric's table: the CUPED adjustment, winsorizing, and
/// why a relative change is missing (said once, not per arm).
pub(super) fn metric_notes(metric: &MetricResult) -> Vec<String> {
    let mut notes = Vec::new();
    notes.extend(cuped_notes(metric));
    if let Some(cap) = metric.cap {
        notes.push(format!(
            "Values above {} (the {} quantile of all groups) were capped at it: {} affected.",
            value(metric, cap.value),
            trimmed_share(cap.quantile),
            count(cap.customers_capped, "customer", "customers")
        ));
    }
    let mut reasons: Vec<&str> = Vec::new();
    for c in &metric.comparisons {
        if c.absolute.is_some()
            && let Some(r) = c.relative_not_computable.as_deref()
            && !reasons.contains(&r)
        {
            reasons.push(r);
        }
    }
    for r in reasons {
        notes.push(format!("No relative change: {}.", r.trim_end_matches('.')));
    }
    if metric
        .comparisons
        .iter()
        .any(|c| p_text(c).is_some_and(|p| p.contains("(adjusted ")))
    {
        notes.push(
            "Adjusted p-values allow for comparing several pilot groups or metrics, and the \
             result is judged by them; the intervals are each comparison's own and are not \
             adjusted, so an interval can exclude zero while the result is unclear."
                .to_string(),
        );
    }
    notes
}

/// The segments of a metric grouped by column, in first-seen order.
pub(super) fn segment_groups(metric: &MetricResult) -> Vec<(&str, Vec<&SegmentResult>)> {
    let mut groups: Vec<(&str, Vec<&SegmentResult>)> = Vec::new();
    for s in &metric.segments {
        match groups.iter_mut().find(|(c, _)| *c == s.column) {
            Some((_, members)) => members.push(s),
            None => groups.push((&s.column, vec![s])),
        }
    }
    groups
}

/// What the likely column of a pooled segment table means, said once
/// above the tables.
pub(super) fn segment_likely_note(report: &AnalysisReport) -> String {
    let mut note = "Measured: each segment's own change. Likely: the overall change plus the \
        segment's difference from it, shrunk by as much as the segment's noise warrants (random \
        effects, Paule-Mandel). A small segment with a striking result is more often luck than \
        a real difference: pick segments by the likely column. Weighted by customers, the likely \
        changes average to the \"all\" row, the overall change as measured"
        .to_string();
    let decision_centred = report
        .metrics
        .iter()
        .flat_map(|m| &m.pooled_segments)
        .any(|p| p.centre == SegmentCentre::Decision);
    if decision_centred {
        note.push_str(
            " or, for the metrics the verdict weighs, as the verdict reads it (its prior \
             included), so segments and verdict agree",
        );
    }
    note.push('.');
    note
}

/// The label of a pooled table's last row: what the segments were pulled
/// toward.
pub(super) fn pooled_row_label(pooled: &PooledSegments) -> &'static str {
    match pooled.centre {
        SegmentCentre::Data => "all, as measured",
        SegmentCentre::Decision => "all, as the verdict reads it",
    }
}

/// What the segments were pulled toward, in words.
fn centre_words(pooled: &PooledSegments) -> &'static str {
    match pooled.centre {
        SegmentCentre::Data => "the overall change",
        SegmentCentre::Decision => "the verdict's likely change",
    }
}

/// The pooled views of `metric`'s segments in `column`, one per treatment
/// arm (empty when the column could not be pooled).
pub(super) fn pooled_segments<'a>(
    metric: &'a MetricResult,
    column: &str,
) -> Vec<&'a PooledSegments> {
    metric
        .pooled_segments
        .iter()
        .filter(|p| p.column == column)
        .collect()
}

/// Whether the segments' effects differ, in plain words, with the test
/// behind it: `no sign that the effect differs between region values (I²
/// 0%, p = 0.43): each is read as the pooled change`.
pub(super) fn segment_spread(pooled: &PooledSegments) -> String {
    let evidence = format!(
        "I\u{b2} {}, Cochran's Q {}",
        pct(pooled.i_squared),
        p_value(pooled.q_p_value)
    );
    let column = &pooled.column;
    match pooled.heterogeneity {
        Heterogeneity::Differs => format!(
            "the change differs between {column} values by more than chance explains ({evidence})"
        ),
        Heterogeneity::NoSign if pooled.tau_squared == 0.0 => format!(
            "no sign that the change differs between {column} values ({evidence}): each is read \
             as {}",
            centre_words(pooled)
        ),
        Heterogeneity::NoSign => format!(
            "no clear sign that the change differs between {column} values ({evidence}): each is \
             pulled toward {}",
            centre_words(pooled)
        ),
    }
}

/// How many treatment arms a segment table lists: an arm column is shown
/// when there is more than one.
pub(super) fn segment_treatments(metric: &MetricResult, members: &[&SegmentResult]) -> usize {
    metric.comparisons.len().max(
        members
            .iter()
            .map(|s| s.comparisons.len())
            .max()
            .unwrap_or(0),
    )
}

/// What a segment's size counts: `answers` for surveys, `customers`
/// otherwise.
pub(super) fn counted_noun(metric: &MetricResult) -> &'static str {
    if metric.is_survey() {
        "answers"
    } else {
        "customers"
    }
}

/// The cells of one segment column's pooled table, shared by the terminal
/// and Markdown: a row per segment (measured and likely change, the likely
/// range) and a last row for what the segments were pulled toward, per
/// treatment arm.
pub(super) struct PooledSegmentTable {
    /// Column headings, lower case; the segment column's name first.
    pub headers: Vec<String>,
    /// One row of cells per segment and arm, then the pooled row per arm.
    pub rows: Vec<Vec<String>>,
    /// Whether an arm column is present (more than one treatment arm).
    pub several_arms: bool,
}

/// Builds the pooled table of `pooled` (one entry per treatment arm, all
/// for the same segment column of `metric`).
pub(super) fn pooled_segment_table(
    report: &AnalysisReport,
    metric: &MetricResult,
    pooled: &[&PooledSegments],
) -> PooledSegmentTable {
    let several_arms = pooled.len() > 1;
    let mut headers = vec![pooled.first().map_or(String::new(), |p| p.column.clone())];
    if several_arms {
        headers.push("arm".to_string());
    }
    headers.extend([
        counted_noun(metric).to_string(),
        "measured".to_string(),
        "likely".to_string(),
        format!("likely range ({})", level(report.settings.alpha)),
    ]);
    let mut rows = Vec::new();
    for p in pooled {
        for segment in &p.segments {
            let mut cells = vec![segment.value.clone()];
            if several_arms {
                cells.push(p.arm.clone());
            }
            cells.extend([
                number(segment.customers as f64, 0),
                change(metric, segment.measured.estimate),
                change(metric, segment.likely.estimate),
                change_interval(metric, segment.likely.ci_low, segment.likely.ci_high),
            ]);
            rows.push(cells);
        }
        let mut cells = vec![pooled_row_label(p).to_string()];
        if several_arms {
            cells.push(p.arm.clone());
        }
        let customers: u64 = p.segments.iter().map(|s| s.customers).sum();
        cells.extend([
            number(customers as f64, 0),
            String::new(),
            change(metric, p.all.estimate),
            change_interval(metric, p.all.ci_low, p.all.ci_high),
        ]);
        rows.push(cells);
    }
    PooledSegmentTable {
        headers,
        rows,
        several_arms,
    }
}

/// The segment values a pooling had to leave out, as a sentence.
pub(super) fn segments_left_out(pooled: &PooledSegments) -> Option<String> {
    (!pooled.left_out.is_empty()).then(|| {
        format!(
            "Not pooled (no variation to weigh them by): {}.",
            pooled.left_out.join(", ")
        )
    })
}

/// Whether a segment comparison is significant (after adjustment).
pub(super) fn significant(c: &ArmComparison) -> bool {
    matches!(c.outcome, Outcome::Better | Outcome::Worse)
}

/// The header of the segment p-value column: adjusted only if a
/// correction was applied (never for guardrails).
pub(super) fn segment_p_header(report: &AnalysisReport, metric: &MetricResult) -> &'static str {
    if report.settings.correction == crate::config::Correction::None
        || metric.role == crate::config::Role::Guardrail
    {
        "p"
    } else {
        "p (adj.)"
    }
}

/// Customers per arm with the planned split: `control 1,204 customers,
/// discount-10 1,198 customers (planned 50.0% / 50.0%)`.
pub(super) fn arms_text(report: &AnalysisReport) -> String {
    if report.arms.is_empty() {
        return "none".to_string();
    }
    let sizes: Vec<String> = report
        .arms
        .iter()
        .map(|a| format!("{} {}", a.name, count(a.customers, "customer", "customers")))
        .collect();
    let weights: Vec<String> = report.arms.iter().map(|a| pct(a.weight)).collect();
    format!("{} (planned {})", sizes.join(", "), weights.join(" / "))
}

/// The sample ratio check in words; the mismatch word is upper case so it
/// stands out without colour.
pub(super) fn srm_text(report: &AnalysisReport) -> String {
    match report.srm {
        Some(srm) if srm.mismatch => format!(
            "MISMATCH: the group sizes are not what the planned split says ({})",
            p_value(srm.p_value)
        ),
        Some(srm) if srm.unusual() => format!(
            "group sizes are further from the planned split than chance usually makes them ({}), \
             short of a mismatch (p < 0.001); check that no customers were moved between groups \
             or added outside pilot",
            p_value(srm.p_value)
        ),
        Some(srm) => format!(
            "group sizes match the planned split ({})",
            p_value(srm.p_value)
        ),
        None => "not possible without customers in the ledger".to_string(),
    }
}

/// What data was read, or `None` when nothing is known about it.
pub(super) fn data_text(report: &AnalysisReport) -> Option<String> {
    let d = &report.data;
    match d.source.as_str() {
        "rows" => Some(format!(
            "{} read; {} of {} in the ledger have outcomes",
            count(d.outcome_rows, "outcome row", "outcome rows"),
            number(d.customers_with_outcomes as f64, 0),
            count(d.ledger_customers, "customer", "customers")
        )),
        "summary" => Some(format!(
            "pre-aggregated summary file; {} in the ledger",
            count(d.ledger_customers, "customer", "customers")
        )),
        _ => None,
    }
}

/// Warnings that do not repeat a reason already given with the verdict
/// (blocking health findings are both the `investigate` reasons and the
/// first warnings; saying them twice buries the rest).
pub(super) fn fresh_warnings(report: &AnalysisReport) -> Vec<&str> {
    report
        .warnings
        .iter()
        .filter(|w| !report.decision.reasons.contains(w))
        .map(String::as_str)
        .collect()
}

/// The arm `report.roi` is about: the `roi_by_arm` entry holding the same
/// projection.
pub(super) fn roi_arm<'a>(report: &'a AnalysisReport, roi: &RoiReport) -> Option<&'a str> {
    report
        .roi_by_arm
        .iter()
        .find(|r| r.roi.as_ref() == Some(roi))
        .map(|r| r.arm.as_str())
}

/// The ROI section's title.
pub(super) fn roi_title(report: &AnalysisReport, roi: &RoiReport) -> String {
    match roi_arm(report, roi) {
        Some(arm) => format!("Return on investment of rolling out {arm}"),
        None => "Return on investment of a rollout".to_string(),
    }
}

/// The ROI figures as label and value, in reading order.
pub(super) fn roi_rows(report: &AnalysisReport, roi: &RoiReport) -> Vec<(&'static str, String)> {
    let cur = roi.currency.as_str();
    let payback = match roi.payback_months {
        Some(0) => "right away".to_string(),
        Some(m) => format!("in month {}", number(f64::from(m), 0)),
        None => format!(
            "not within the {}",
            count(u64::from(roi.horizon_months), "month", "months")
        ),
    };
    vec![
        ("Customers reached", number(roi.customers, 0)),
        (
            "Horizon",
            count(u64::from(roi.horizon_months), "month", "months"),
        ),
        (
            "Net present value (data alone)",
            format!(
                "{} median (5-95% range {} to {})",
                money(roi.npv.p50, cur),
                money(roi.npv.p05, cur),
                money(roi.npv.p95, cur)
            ),
        ),
        (
            "Chance it pays off (data alone)",
            probability(roi.probability_positive),
        ),
        // The payback month is that of the measured effect; beside a
        // chance of losing money it must not read as a promise.
        ("Pays back (measured effect)", payback),
        ("Break-even lift", break_even_text(report, roi)),
    ]
}

/// `conversion +1.1 pp (+9.2%)`: the lift at which the rollout breaks
/// even, in the metric's units, or why there is none.
fn break_even_text(report: &AnalysisReport, roi: &RoiReport) -> String {
    let Some(b) = &roi.break_even_lift else {
        return "n/a: no benefit metric is declared".to_string();
    };
    let metric = report.metrics.iter().find(|m| m.name == b.metric);
    let title = metric.map_or(b.metric.as_str(), |m| m.title());
    let Some(absolute) = b.absolute else {
        return format!("n/a: the value does not depend on {title}");
    };
    let shown = match metric {
        Some(metric) => change(metric, absolute),
        None => fmt_sig(absolute, 3),
    };
    match b.relative {
        Some(r) => format!("{title} {shown} ({})", signed_pct(r)),
        None => format!("{title} {shown}"),
    }
}

/// Per treatment arm with a projection: arm, median NPV, 5-95% range and
/// chance it pays off. Shown when more than one arm has a projection.
pub(super) fn roi_by_arm_rows(report: &AnalysisReport) -> Vec<[String; 4]> {
    let rows: Vec<[String; 4]> = report
        .roi_by_arm
        .iter()
        .filter_map(|r| {
            let roi = r.roi.as_ref()?;
            let cur = roi.currency.as_str();
            Some([
                r.arm.clone(),
                money(roi.npv.p50, cur),
                format!("{} to {}", money(roi.npv.p05, cur), money(roi.npv.p95, cur)),
                probability(roi.probability_positive),
            ])
        })
        .collect();
    if rows.len() > 1 { rows } else { Vec::new() }
}

/// The correction in words.
pub(super) fn correction_text(correction: &str) -> String {
    let name = match correction {
        "holm" => "Holm",
        "bh" => "Benjamini-Hochberg",
        "bonferroni" => "Bonferroni",
        "none" => {
            return "no correction for multiple comparisons; with many metrics or segments, \
                    some significant-looking results will be chance"
                .to_string();
        }
        other => other,
    };
    format!(
        "{name} correction for multiple comparisons (the primary metric across arms, \
         secondary metrics, segments); guardrails are not corrected, so harm is not hidden"
    )
}
