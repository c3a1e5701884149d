//! The money section: key ROI figures, the NPV histogram with the loss
//! side hatched and break-even marked, and the cumulative cash flow with
//! its 90% band and payback month.

use super::units::{MetricUnit, cash, relative};
use super::{Page, figure, h, td, w};
use crate::format::{count, number, pct};
use crate::report::svg::{CashFlow, CashFlowMonth, Histogram, cash_flow, histogram};
use crate::roi::RoiReport;

/// The treatment arm `report.roi` is about: as the pipeline picks it, the
/// verdict's arm if it has a projection entry, else the first arm's.
pub(super) fn roi_arm<'a>(page: &Page<'a>) -> Option<&'a str> {
    page.report.roi.as_ref()?;
    let by_arm = &page.report.roi_by_arm;
    page.report
        .decision
        .arm
        .as_deref()
        .and_then(|arm| by_arm.iter().find(|a| a.arm == arm))
        .or_else(|| by_arm.first())
        .map(|a| a.arm.as_str())
}

/// Writes the section (a short note when there is no projection).
pub(super) fn write(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    out.push_str("<section id=\"money\">\n<h2>What it means in money</h2>\n");
    let Some(roi) = &report.roi else {
        match report
            .roi_by_arm
            .iter()
            .find_map(|a| a.not_computable.as_deref())
        {
            Some(why) => w!(
                out,
                "<p>There is no money projection: {}.</p>\n",
                h(why)
            ),
            None => out.push_str("<p>There is no money projection: the experiment file has no <code>[roi]</code> section. Add one (costs, and what a change in a metric is worth) to see the net present value, the chance of a loss and the payback month.</p>\n"),
        }
        out.push_str("</section>\n");
        return;
    };
    let arm = roi_arm(page).unwrap_or("the treatment");
    let c = roi.currency.as_str();
    w!(
        out,
        "<p>What rolling {} out to all {} customers would earn or lose over {}, after its costs, in today's money (net present value: future amounts are discounted). These figures use the measured effects alone (no prior; the decision above allows for how rarely initiatives move a metric much). The measured effects are uncertain, so pilot simulated {} possible outcomes from them; the charts show how those outcomes spread.</p>\n",
        h(arm),
        number(roi.customers, 0),
        count(u64::from(roi.horizon_months), "month", "months"),
        number(f64::from(roi.draws), 0)
    );
    facts(out, page, roi);

    let loss = 1.0 - roi.probability_positive;
    let hist = histogram(&Histogram {
        title: format!("Net present value if {arm} is rolled out"),
        x_label: format!(
            "Net present value over {}",
            count(u64::from(roi.horizon_months), "month", "months")
        ),
        caption: format!(
            "Hatched: outcomes that lose money ({} of the simulations). Break-even is a net present value of 0. 90% of outcomes lie between {} and {}.",
            pct(loss),
            cash(roi.npv.p05, c),
            cash(roi.npv.p95, c)
        ),
        currency: c.to_string(),
        edges: roi.histogram.edges.clone(),
        counts: roi.histogram.counts.clone(),
        break_even: Some(0.0),
    });
    figure(out, &hist);

    let months: Vec<CashFlowMonth> = roi
        .band
        .iter()
        .map(|b| CashFlowMonth {
            p05: b.p05,
            median: b.p50,
            p95: b.p95,
        })
        .collect();
    let payback = match roi.payback_months {
        Some(m) => format!("At the current estimate it pays back in month {m}."),
        None => format!(
            "At the current estimate it does not pay back within {}.",
            count(u64::from(roi.horizon_months), "month", "months")
        ),
    };
    let flow = cash_flow(&CashFlow {
        title: "Cumulative cash after rollout".to_string(),
        y_label: format!("Cumulative net cash, today's money ({c})"),
        caption: format!(
            "Month 0 pays the one-time cost; each later month adds its benefits and pays its running costs. The line is the middle outcome, the band holds 90% of simulated outcomes. {payback}"
        ),
        currency: c.to_string(),
        months,
        payback_month: roi.payback_months.map(f64::from),
    });
    figure(out, &flow);

    by_arm(out, page);
    if !roi.notes.is_empty() {
        out.push_str("<ul class=\"note\">\n");
        for note in &roi.notes {
            w!(
                out,
                "<li>{}: {}.</li>\n",
                h(&field_words(&note.field)),
                h(&note.reason)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// The figures a bank manager asks for, as a definition list.
fn facts(out: &mut String, page: &Page<'_>, roi: &RoiReport) {
    let c = roi.currency.as_str();
    let mut rows: Vec<(String, String)> = vec![
        (
            "Net present value".to_string(),
            format!(
                "most likely {}; 90% between {} and {}",
                cash(roi.npv.p50, c),
                cash(roi.npv.p05, c),
                cash(roi.npv.p95, c)
            ),
        ),
        (
            "Chance it pays off".to_string(),
            // One chance only: "59.4% pays off" beside "63.1% pays back"
            // read as a contradiction (the cash flow can turn positive within
            // the horizon while the discounted total stays negative).
            format!(
                "{} (a positive net present value over the horizon)",
                pct(roi.probability_positive)
            ),
        ),
        (
            "Payback".to_string(),
            match roi.payback_months {
                Some(0) => "immediately, at the current estimate".to_string(),
                Some(m) => format!("in month {m}, at the current estimate"),
                None => "not within the horizon, at the current estimate".to_string(),
            },
        ),
        (
            "Costs and benefits".to_string(),
            format!(
                "{} of costs against {} of benefits (present values at the current estimate)",
                cash(roi.pv_costs, c),
                cash(roi.pv_benefits, c)
            ),
        ),
        (
            "Expected loss".to_string(),
            format!(
                "{} if rolled out and it does not pay; {} forgone if stopped and it would have",
                cash(roi.expected_loss.rollout, c),
                cash(roi.expected_loss.stop, c)
            ),
        ),
    ];
    if let Some(be) = &roi.break_even_lift
        && let Some(abs) = be.absolute
    {
        let metric = page.report.metrics.iter().find(|m| m.name == be.metric);
        let unit = metric.map_or(MetricUnit::Number, |m| MetricUnit::of(m, Some(c)));
        let measured = metric
            .and_then(|m| {
                let arm = roi_arm(page)?;
                m.comparisons.iter().find(|x| x.arm == arm)?.absolute
            })
            .map(|a| format!("; the pilot measured {}", unit.change(a.estimate)))
            .unwrap_or_default();
        let rel = be
            .relative
            .map(|r| format!(" ({})", relative(r)))
            .unwrap_or_default();
        rows.push((
            "Break-even".to_string(),
            format!(
                "it pays for itself if {} changes by at least {}{rel}{measured}",
                metric.map_or(be.metric.as_str(), |m| m.title()),
                unit.change(abs)
            ),
        ));
    }
    out.push_str("<dl class=\"facts\">\n");
    for (k, v) in rows {
        w!(out, "<dt>{}</dt><dd>{}</dd>\n", h(&k), h(&v));
    }
    out.push_str("</dl>\n");
}

/// With several treatment arms: every arm's projection side by side.
fn by_arm(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    if report.roi_by_arm.len() < 2 {
        return;
    }
    out.push_str("<div class=\"scroll\"><table class=\"stack\">\n<caption>Every arm</caption>\n<thead><tr><th>Arm</th><th class=\"num\">Net present value<small>most likely</small></th><th class=\"num\">90% range</th><th class=\"num\">Chance it pays off</th></tr></thead>\n<tbody>\n");
    for a in &report.roi_by_arm {
        w!(out, "<tr><th>{}</th>", h(&a.arm));
        match &a.roi {
            Some(r) => {
                let c = r.currency.as_str();
                out.push_str(&td("Most likely", "num", &h(&cash(r.npv.p50, c))));
                let range = format!("{} to {}", cash(r.npv.p05, c), cash(r.npv.p95, c));
                out.push_str(&td("90% range", "num", &h(&range)));
                let chance = pct(r.probability_positive);
                out.push_str(&td("Chance it pays off", "num", &h(&chance)));
            }
            None => {
                let why = a.not_computable.as_deref().unwrap_or("not computable");
                out.push_str(&td("Projection", "", &h(why)).replacen(
                    "<td",
                    "<td colspan=\"3\"",
                    1,
                ));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// A report field name as words: `payback_months` is `Payback months`.
fn field_words(field: &str) -> String {
    let words = field.replace(['_', '.'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}
