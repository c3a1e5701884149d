//! Health checks in plain words, and the method notes: how the numbers on
//! the page were computed, and which files they came from.

use super::{Page, figure, h, td, timestamp, w, whole_pct};
use crate::decide::verdict::Verdict;
use crate::format::{count, fmt_sig, number, p_value, pct};
use crate::report::svg::{Balance, BalanceBar, balance};

/// How a health check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Nothing to worry about.
    Ok,
    /// Worth knowing; does not block a decision.
    Note,
    /// Results cannot be trusted until it is fixed.
    Problem,
}

/// A check's status as a word (colour only repeats it).
fn status(s: Status) -> &'static str {
    match s {
        Status::Ok => "<span class=\"tag ok\">OK</span>",
        Status::Note => "<span class=\"tag note\">Note</span>",
        Status::Problem => "<span class=\"tag problem\">Problem</span>",
    }
}

/// Writes the health section.
pub(super) fn write_health(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    out.push_str("<section id=\"health\">\n<h2>Health checks</h2>\n<p>Before trusting the results: were the groups split as planned, and did the data arrive complete?</p>\n");

    let total: u64 = report.arms.iter().map(|a| a.customers).sum();
    let weights: f64 = report.arms.iter().map(|a| a.weight).sum();
    let bars: Vec<BalanceBar> = report
        .arms
        .iter()
        .map(|a| BalanceBar {
            label: a.name.clone(),
            count: a.customers,
            target: (weights > 0.0).then(|| total as f64 * a.weight / weights),
        })
        .collect();
    let chart = balance(&Balance {
        title: "Customers per group".to_string(),
        caption: "The tick marks the size the split intended.".to_string(),
        units: ("customer".to_string(), "customers".to_string()),
        bars,
    });
    figure(out, &chart);

    out.push_str("<ul class=\"checks\">\n");
    let srm = match report.srm {
        Some(srm) if srm.mismatch => format!(
            "{} <strong>Group sizes:</strong> the groups are not the sizes the split intended ({}). Customers were moved, lost or added somewhere between the assignment and the data; results cannot be trusted until that is found.",
            status(Status::Problem),
            h(&p_value(srm.p_value))
        ),
        Some(srm) if srm.unusual() => format!(
            "{} <strong>Group sizes:</strong> further from the sizes the split intended than chance usually makes them (sample ratio check, {}), though short of a mismatch (p &lt; 0.001). Check that no customers were moved between groups or added outside pilot.",
            status(Status::Note),
            h(&p_value(srm.p_value))
        ),
        Some(srm) => format!(
            "{} <strong>Group sizes:</strong> the groups have the sizes the split intended (sample ratio check, {}).",
            status(Status::Ok),
            h(&p_value(srm.p_value))
        ),
        None => format!(
            "{} <strong>Group sizes:</strong> cannot be checked: there are no customers in the ledger yet.",
            status(Status::Problem)
        ),
    };
    w!(out, "<li>{srm}</li>\n");

    for m in &report.metrics {
        let rates: Vec<String> = m
            .arms
            .iter()
            .filter_map(|a| Some(format!("{} in {}", pct(a.response_rate?), a.arm)))
            .collect();
        if rates.is_empty() {
            continue;
        }
        let flagged = report
            .warnings
            .iter()
            .any(|w| w.starts_with(&format!("`{}`:", m.name)));
        w!(
            out,
            "<li>{} <strong>Response rate of {}:</strong> {} answered the survey{}.</li>\n",
            status(if flagged { Status::Note } else { Status::Ok }),
            h(m.title()),
            h(&rates.join(", ")),
            if flagged {
                "; the groups answered at different rates, so the answers can mislead (see below)"
            } else {
                "; similar in every group"
            }
        );
    }

    let d = &report.data;
    let mut data = if d.source == "rows" {
        format!(
            "read {} outcome rows; {} of {} had at least one",
            number(d.outcome_rows as f64, 0),
            number(d.customers_with_outcomes as f64, 0),
            count(d.ledger_customers, "customer", "customers")
        )
    } else {
        format!(
            "read pre-aggregated statistics for {}",
            count(d.ledger_customers, "customer", "customers")
        )
    };
    let mut left_out = Vec::new();
    if d.rows_outside_window > 0 {
        left_out.push(format!(
            "{} outside the date window",
            count(d.rows_outside_window, "row", "rows")
        ));
    }
    if d.rows_before_assignment > 0 {
        left_out.push(format!(
            "{} dated before their customer joined the pilot",
            count(d.rows_before_assignment, "row", "rows")
        ));
    }
    if d.rows_unknown_customer > 0 {
        left_out.push(format!(
            "{} of customers not in the pilot",
            count(d.rows_unknown_customer, "row", "rows")
        ));
    }
    if !left_out.is_empty() {
        data.push_str(&format!("; left out: {}", left_out.join(", ")));
    }
    if d.duplicate_ledger_rows > 0 {
        data.push_str(&format!(
            "; {} in the ledger counted once",
            count(d.duplicate_ledger_rows, "repeated row", "repeated rows")
        ));
    }
    if d.customers_not_in_population > 0 {
        data.push_str(&format!(
            "; {} missing from the population file",
            count(d.customers_not_in_population, "customer", "customers")
        ));
    }
    // Blocking findings are the reasons of an `investigate` verdict.
    let blocking: &[String] = if report.decision.verdict == Verdict::Investigate {
        &report.decision.reasons
    } else {
        &[]
    };
    let data_status = if report.warnings.iter().any(|w| blocking.contains(w)) {
        Status::Problem
    } else if report.warnings.is_empty() {
        Status::Ok
    } else {
        Status::Note
    };
    w!(
        out,
        "<li>{} <strong>Data:</strong> {}.</li>\n",
        status(data_status),
        h(&data)
    );
    out.push_str("</ul>\n");

    if report.warnings.is_empty() {
        out.push_str("<p>No warnings.</p>\n");
    } else {
        out.push_str("<h3>Warnings</h3>\n<ul>\n");
        for warning in &report.warnings {
            w!(out, "<li>{}</li>\n", h(warning));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// A quantile as a percentile: `99th`, `95th`, `99.5th`.
fn ordinal_pct(q: f64) -> String {
    let p = whole_pct(q);
    let p = p.trim_end_matches('%');
    let suffix = match p.parse::<u32>() {
        Ok(n) if n % 10 == 1 && n % 100 != 11 => "st",
        Ok(n) if n % 10 == 2 && n % 100 != 12 => "nd",
        Ok(n) if n % 10 == 3 && n % 100 != 13 => "rd",
        _ => "th",
    };
    format!("{p}{suffix}")
}

/// A metric kind in words.
fn kind_words(kind: &str) -> &str {
    match kind {
        "binary" => "share of customers (yes/no)",
        "mean" => "average per customer",
        "ratio" => "ratio of totals",
        "nps" => "Net Promoter Score",
        "csat" => "satisfied share of answers (CSAT)",
        "ordinal" | "ces" => "average score",
        other => other,
    }
}

/// The correction setting in words.
fn correction_words(correction: &str) -> &'static str {
    match correction {
        "holm" => "Holm step-down (controls the chance of any false alarm)",
        "bh" => "Benjamini-Hochberg (controls the share of false alarms)",
        "bonferroni" => "Bonferroni (controls the chance of any false alarm)",
        _ => "none: every p-value is read on its own",
    }
}

/// Writes the method notes.
pub(super) fn write_method(out: &mut String, page: &Page<'_>) {
    let report = page.report;
    let s = &report.settings;
    out.push_str("<section id=\"method\">\n<h2>Method notes</h2>\n<dl class=\"facts\">\n");
    let mut facts: Vec<(&str, String)> = vec![
        (
            "Significance level",
            format!(
                "{alpha} ({} intervals): a result is called clear when its p-value is below {alpha}",
                page.level,
                // Shortest form: the value as written in the experiment file.
                alpha = s.alpha
            ),
        ),
        (
            "Inference",
            if let Some(gs) = &s.group_sequential {
                format!(
                    "{}: repeated confidence intervals, valid at every look of the pilot",
                    crate::report::text::group_sequential_text(gs)
                )
            } else if s.sequential {
                format!(
                    "sequential (always-valid confidence sequences, tuned for {} customers): results may be looked at any number of times",
                    number(s.sequential_tuning, 0)
                )
            } else {
                "fixed horizon: intervals and p-values are valid for one look, planned in advance"
                    .to_string()
            },
        ),
        (
            "Multiple comparisons",
            if s.correction == crate::config::Correction::None {
                correction_words(s.correction.as_str()).to_string()
            } else {
                format!(
                    "{}, within three families: the primary metric across arms (with two or more), the secondary metrics, and the segments; guardrails are not corrected, so harm is not made harder to detect",
                    correction_words(s.correction.as_str())
                )
            },
        ),
    ];
    if let Some(roi) = &report.roi {
        facts.push((
            "Money projection",
            format!(
                "{} simulations (seed {}) of the measured effects over a {}-month horizon; monthly discount rate {}",
                number(f64::from(roi.draws), 0),
                roi.seed,
                roi.horizon_months,
                pct(roi.monthly_discount_rate)
            ),
        ));
    }
    for (k, v) in facts {
        w!(out, "<dt>{}</dt><dd>{}</dd>\n", h(k), h(&v));
    }
    out.push_str("</dl>\n");

    out.push_str("<div class=\"scroll\"><table class=\"stack\">\n<caption>Tests per metric</caption>\n<thead><tr><th>Metric</th><th>Kind</th><th>Test</th><th>Adjustments</th></tr></thead>\n<tbody>\n");
    for m in &report.metrics {
        let mut tests: Vec<String> = Vec::new();
        for t in m.comparisons.iter().filter_map(|c| c.test) {
            let t = t.to_string();
            if !tests.contains(&t) {
                tests.push(t);
            }
        }
        let tests = if tests.is_empty() {
            "not computed".to_string()
        } else {
            tests.join(", ")
        };
        let mut adjustments = Vec::new();
        let per_arm = m.cuped_by_arm();
        let several = per_arm.len() > 1;
        for (arm, info) in &per_arm {
            let arm = if several {
                format!(" ({arm})")
            } else {
                String::new()
            };
            adjustments.push(if info.applied {
                format!(
                    "CUPED{arm}: adjusted for a pre-pilot covariate, {} less variance",
                    pct(info.variance_reduction)
                )
            } else {
                format!(
                    "CUPED{arm} not used: it would have added {} variance",
                    pct(-info.variance_reduction)
                )
            });
        }
        if per_arm.is_empty()
            && let Some(cuped) = m.cuped
        {
            adjustments.push(format!(
                "CUPED: adjusted for a pre-pilot covariate, {} less variance",
                pct(cuped.variance_reduction)
            ));
        }
        if let Some(cap) = m.cap {
            adjustments.push(format!(
                "values above the {} percentile ({}) lowered to it for {}",
                ordinal_pct(cap.quantile),
                fmt_sig(cap.value, 3),
                count(cap.customers_capped, "customer", "customers")
            ));
        }
        let adjustments = if adjustments.is_empty() {
            "none".to_string()
        } else {
            adjustments.join("; ")
        };
        w!(
            out,
            "<tr><th>{}<small>{}</small></th>{}{}{}</tr>\n",
            h(m.title()),
            h(m.role.as_str()),
            td("Kind", "", &h(kind_words(m.kind.as_str()))),
            td("Test", "", &h(&tests)),
            td("Adjustments", "", &h(&adjustments))
        );
    }
    out.push_str("</tbody></table></div>\n");

    out.push_str("<dl class=\"facts\">\n");
    let mut sources: Vec<(&str, String)> = vec![
        ("Experiment file", report.experiment.file.clone()),
        ("File fingerprint", report.experiment.fingerprint.clone()),
        ("Data fingerprint", report.data_fingerprint.clone()),
    ];
    if let Some(history) = &report.history {
        sources.push((
            "History",
            format!(
                "{} ({})",
                history.file,
                count(history.looks as u64, "look", "looks")
            ),
        ));
    }
    sources.push(("pilot version", report.pilot_version.to_string()));
    sources.push(("Generated", timestamp(&report.generated_at)));
    for (k, v) in sources {
        w!(out, "<dt>{}</dt><dd><code>{}</code></dd>\n", h(k), h(&v));
    }
    out.push_str("</dl>\n<p class=\"note\">The fingerprints identify the exact experiment file and data behind this page: rerunning <code>pilot analyze</code> on the same files gives the same numbers.</p>\n</section>\n");
}
