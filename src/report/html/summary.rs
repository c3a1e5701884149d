//! The top of the page: the verdict, three sentences a partner can repeat,
//! the key figures, and the decision's reasons.

use super::units::{MetricUnit, cash, relative};
use super::{Page, h, w};
use crate::analysis::result::{ArmComparison, MetricResult, Outcome};
use crate::decide::verdict::Verdict;
use crate::format::{count, number, pct, probability};

/// The verdict as a heading: `Roll out sms`, `Keep piloting`, `Stop`,
/// `Investigate`.
pub(super) fn verdict_title(page: &Page<'_>) -> String {
    let decision = &page.report.decision;
    match decision.verdict {
        Verdict::Rollout => match &decision.arm {
            Some(arm) => format!("Roll out {arm}"),
            None => "Roll out".to_string(),
        },
        Verdict::Continue => "Keep piloting".to_string(),
        Verdict::Stop => "Stop".to_string(),
        Verdict::Investigate => "Investigate".to_string(),
    }
}

/// What the verdict means, in one line under it.
fn verdict_gist(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Rollout => {
            "Rolling it out is worth more than stopping, and every guardrail is shown safe."
        }
        Verdict::Continue => "A few more weeks of data are worth more than they cost.",
        Verdict::Stop => "It does harm, or stopping is worth more than rolling it out.",
        Verdict::Investigate => {
            "Something in the data or the split looks wrong; fix it before trusting any result."
        }
    }
}

/// Writes the verdict, the summary, the key figures and the reasons.
pub(super) fn write(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    let verdict = report.decision.verdict;
    w!(
        out,
        "<header class=\"verdict v-{}\">\n<p class=\"kicker\">Pilot result: {}</p>\n<h1>{}</h1>\n<p class=\"gist\">{}</p>\n</header>\n",
        verdict.as_str(),
        h(&report.experiment.name),
        h(&verdict_title(page)),
        if report.decision.headline.is_empty() {
            h(verdict_gist(verdict))
        } else {
            h(&report.decision.headline)
        }
    );
    out.push_str("<section id=\"summary\" class=\"summary\">\n");
    w!(out, "<p>{}</p>\n", h(&tried_sentence(page)));
    w!(out, "<p>{}</p>\n", h(&happened_sentence(page)));
    w!(out, "<p>{}</p>\n", h(&money_sentence(page)));
    glance(out, page);
    if !report.decision.reasons.is_empty() {
        out.push_str("<h3>Why this verdict</h3>\n<ul class=\"reasons\">\n");
        for reason in &report.decision.reasons {
            w!(out, "<li>{}</li>\n", h(reason));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// Sentence one: what was tried, on how many customers.
fn tried_sentence(page: &Page<'_>) -> String {
    let report = page.report;
    let total: u64 = report.arms.iter().map(|a| a.customers).sum();
    let mut groups: Vec<String> = report
        .arms
        .iter()
        .skip(1)
        .map(|a| format!("{} with {}", number(a.customers as f64, 0), a.name))
        .collect();
    if let Some(control) = report.arms.first() {
        groups.push(format!(
            "{} in {} for comparison",
            number(control.customers as f64, 0),
            control.name
        ));
    }
    let who = format!(
        "{} ({})",
        count(total, "customer", "customers"),
        groups.join(", ")
    );
    let description = report.experiment.description.trim();
    if description.is_empty() {
        format!("{} was tried on {who}.", report.experiment.name)
    } else {
        let stop = if description.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        format!(
            "{} was tried on {who}: \u{201c}{description}{stop}\u{201d}",
            report.experiment.name
        )
    }
}

/// The focus arm's comparison on the primary metric.
fn primary_comparison<'a>(page: &Page<'a>) -> Option<(&'a MetricResult, &'a ArmComparison)> {
    let metric = page.primary?;
    let arm = page.focus_arm?;
    let comparison = metric.comparisons.iter().find(|c| c.arm == arm)?;
    Some((metric, comparison))
}

/// Sentence two: what happened to the primary metric, with its interval in
/// the metric's own units.
fn happened_sentence(page: &Page<'_>) -> String {
    let Some(metric) = page.primary else {
        return "The experiment file declares no primary metric, so no single result decides."
            .to_string();
    };
    let Some((_, c)) = primary_comparison(page) else {
        return format!("{} has no treatment arm to compare yet.", metric.title());
    };
    let arm = &c.arm;
    let Some(abs) = c.absolute else {
        return format!(
            "With {arm}, {} could not be compared yet: {}.",
            metric.title(),
            c.not_computable.as_deref().unwrap_or("not enough data")
        );
    };
    let unit = MetricUnit::of(metric, page.currency);
    let mean = |name: &str| {
        metric
            .arms
            .iter()
            .find(|a| a.arm == name)
            .and_then(|a| a.mean)
    };
    let moved = if abs.estimate > 0.0 {
        "rose"
    } else if abs.estimate < 0.0 {
        "fell"
    } else {
        "did not change"
    };
    // With CUPED the change is that of the adjusted average (the pilot
    // group's as if its customers had started where the control's did);
    // the measured average beside it would contradict it.
    let adjusted = c.adjusted_mean();
    let what = match (mean(page.control()), adjusted.or(mean(arm))) {
        (Some(c0), Some(t0)) => format!(
            "{} {moved} from {} in {} to {}{} with {arm}: {}",
            metric.title(),
            unit.value(c0),
            page.control(),
            unit.value(t0),
            if adjusted.is_some() {
                " (adjusted for what customers did before the pilot)"
            } else {
                ""
            },
            unit.change(abs.estimate)
        ),
        _ => format!(
            "With {arm}, {} changed by {}",
            metric.title(),
            unit.change(abs.estimate)
        ),
    };
    let interval = format!(
        "{} interval {}",
        page.level,
        unit.range(abs.ci_low, abs.ci_high)
    );
    let relative_part = c
        .relative
        .map(|r| format!(", {}", relative(r.estimate)))
        .unwrap_or_default();
    let meaning = match c.outcome {
        Outcome::Better => "a clear improvement".to_string(),
        Outcome::Worse => "a clear worsening".to_string(),
        _ => "the interval still includes no change, so it is not clear yet which way it goes"
            .to_string(),
    };
    format!("{what} ({interval}{relative_part}); {meaning}.")
}

/// Sentence three: what it means in money.
fn money_sentence(page: &Page<'_>) -> String {
    let report = page.report;
    let Some(roi) = &report.roi else {
        let why = report
            .roi_by_arm
            .iter()
            .find_map(|a| a.not_computable.as_deref());
        return match why {
            Some(why) => format!("There is no money projection: {why}."),
            None => "There is no money projection: the experiment file has no [roi] section, so only the metrics speak.".to_string(),
        };
    };
    let arm = super::money::roi_arm(page)
        .map(|a| format!(" {a}"))
        .unwrap_or_default();
    let c = &roi.currency;
    if let Some((m, alone)) = decided_money(page) {
        let alone = alone
            .map(|a| {
                format!(
                    " From the measured effects alone it would be expected to come to {} ({} chance it pays off).",
                    cash(a.expected_npv, c),
                    probability(a.probability_positive)
                )
            })
            .unwrap_or_default();
        return format!(
            "Rolling{arm} out to all {} customers is expected to {} over {} (net present value: money gained after costs, in today's money; 90% between {} and {}), allowing for how rarely initiatives move a metric much; the chance it pays off is {}.{alone}",
            number(roi.customers, 0),
            if m.expected_npv >= 0.0 {
                format!("earn {}", cash(m.expected_npv, c))
            } else {
                format!("lose {}", cash(-m.expected_npv, c))
            },
            count(u64::from(roi.horizon_months), "month", "months"),
            cash(m.npv_p05, c),
            cash(m.npv_p95, c),
            probability(m.probability_positive),
        );
    }
    let payback = match roi.payback_months {
        Some(0) => "at the current estimate it pays for itself from the start".to_string(),
        Some(m) => format!("at the current estimate it pays back in month {m}"),
        None => format!(
            "at the current estimate it does not pay back within the {}",
            count(u64::from(roi.horizon_months), "month", "months")
        ),
    };
    format!(
        "Rolling{arm} out to all {} customers, the net present value over {} (money gained after costs, in today's money) is most likely around {} and 90% likely between {} and {}; the chance it pays off is {}, and {payback}.",
        number(roi.customers, 0),
        count(u64::from(roi.horizon_months), "month", "months"),
        cash(roi.npv.p50, c),
        cash(roi.npv.p05, c),
        cash(roi.npv.p95, c),
        pct(roi.probability_positive)
    )
}

/// The decision's money for the arm the ROI projection is about (the
/// verdict's arm, else the first): what the verdict itself rests on.
/// With it, the same from the data alone, if reported.
fn decided_money<'a>(
    page: &Page<'a>,
) -> Option<(
    crate::decide::money::MoneyOutlook,
    Option<&'a crate::decide::verdict::PriorCheck>,
)> {
    let arm = super::money::roi_arm(page)?;
    let decided = page.report.decision.arms.iter().find(|a| a.arm == arm)?;
    Some((decided.money?, decided.sensitivity.first()))
}

/// Four key figures at a glance.
fn glance(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    let total: u64 = report.arms.iter().map(|a| a.customers).sum();
    let mut items: Vec<(String, String, String)> = vec![(
        "Customers in the pilot".to_string(),
        number(total as f64, 0),
        format!("{} groups", number(report.arms.len() as f64, 0)),
    )];
    if let Some((metric, c)) = primary_comparison(page) {
        let unit = MetricUnit::of(metric, page.currency);
        let (value, detail) = match c.absolute {
            Some(abs) => (
                unit.change(abs.estimate),
                format!(
                    "{} interval {}",
                    page.level,
                    unit.range(abs.ci_low, abs.ci_high)
                ),
            ),
            None => ("n/a".to_string(), "not computable yet".to_string()),
        };
        items.push((
            format!("Change in {} with {}", metric.title(), c.arm),
            value,
            detail,
        ));
    }
    if let (Some(roi), Some((m, _))) = (&report.roi, decided_money(page)) {
        items.push((
            "Chance it pays off".to_string(),
            probability(m.probability_positive),
            format!(
                "over {}",
                count(u64::from(roi.horizon_months), "month", "months")
            ),
        ));
        items.push((
            "Expected net present value".to_string(),
            cash(m.expected_npv, &roi.currency),
            format!(
                "90%: {} to {}",
                cash(m.npv_p05, &roi.currency),
                cash(m.npv_p95, &roi.currency)
            ),
        ));
    } else if let Some(roi) = &report.roi {
        items.push((
            "Chance it pays off".to_string(),
            pct(roi.probability_positive),
            format!(
                "over {}",
                count(u64::from(roi.horizon_months), "month", "months")
            ),
        ));
        items.push((
            "Net present value".to_string(),
            cash(roi.npv.p50, &roi.currency),
            format!(
                "90%: {} to {}",
                cash(roi.npv.p05, &roi.currency),
                cash(roi.npv.p95, &roi.currency)
            ),
        ));
    }
    out.push_str("<dl class=\"glance\">\n");
    for (label, value, detail) in items {
        w!(
            out,
            "<div><dt>{}</dt><dd>{}<small>{}</small></dd></div>\n",
            h(&label),
            h(&value),
            h(&detail)
        );
    }
    out.push_str("</dl>\n");
}
