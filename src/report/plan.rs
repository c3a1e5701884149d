//! `pilot plan` output: the plan as terminal text or Markdown.

use crate::format::{fmt_sig, money, number, pct, pp, signed_pct};
use crate::plan::{ArmSize, MetricPlan, PlanReport};

/// "634 per group" when every group gets the same, else "control 342, pilot
/// 1,026".
fn per_group(by_arm: &[ArmSize]) -> String {
    let text = sizes(by_arm);
    if by_arm.iter().all(|s| s.customers == by_arm[0].customers) {
        format!("{text} per group")
    } else {
        text
    }
}

/// "1,094" when every group needs the same, else "control 800, sms 2,400".
fn sizes(by_arm: &[ArmSize]) -> String {
    match by_arm.first() {
        Some(first) if by_arm.iter().all(|s| s.customers == first.customers) => {
            number(first.customers as f64, 0)
        }
        _ => by_arm
            .iter()
            .map(|s| format!("{} {}", s.arm, number(s.customers as f64, 0)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn value(kind: &str, x: f64) -> String {
    if matches!(kind, "binary" | "csat") {
        pct(x)
    } else {
        fmt_sig(x, 3)
    }
}

fn change(kind: &str, abs: f64, rel: Option<f64>) -> String {
    let abs_text = if matches!(kind, "binary" | "csat") {
        pp(abs)
    } else {
        fmt_sig(abs, 3)
    };
    match rel {
        Some(r) => format!("{abs_text} ({})", signed_pct(r)),
        None => abs_text,
    }
}

/// Rows of (label, value) describing one metric's plan.
fn rows(m: &MetricPlan) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(b) = m.baseline {
        let sd = m
            .baseline_sd
            .map(|s| format!(" (sd {})", fmt_sig(s, 3)))
            .unwrap_or_default();
        rows.push(("baseline", format!("{}{sd}", value(m.kind, b))));
    }
    if let Some(abs) = m.mde_absolute {
        rows.push(("effect to detect", change(m.kind, abs, m.mde_relative)));
    }
    if let Some(by_arm) = &m.sample_size_by_arm {
        rows.push(("customers per group", sizes(by_arm)));
    }
    if let Some(n) = m.customers_to_enroll {
        rows.push(("customers to enroll", number(n as f64, 0)));
    }
    if let Some(w) = m.enrollment_weeks {
        rows.push((
            "enrollment",
            if w == 0.0 {
                "enough customers today".to_string()
            } else {
                format!("about {} weeks", number(w.ceil(), 0))
            },
        ));
    }
    if let Some((abs, rel)) = m.detectable_with_available {
        rows.push(("detectable today", change(m.kind, abs, rel)));
    }
    if let Some(be) = &m.break_even {
        rows.push((
            "break-even change",
            change(m.kind, be.absolute_lift, be.relative_lift),
        ));
        if let Some(by_arm) = &be.sample_size_by_arm {
            rows.push(("per group to see it", sizes(by_arm)));
        }
    }
    if let Some(p) = &m.profit_optimal {
        let cur = p.currency.as_str();
        let tested: u64 = p.sample_size_by_arm.iter().map(|s| s.customers).sum();
        rows.push((
            "profit-optimal pilot",
            if tested == 0 {
                "none: no pilot pays for itself".to_string()
            } else {
                per_group(&p.sample_size_by_arm)
            },
        ));
        if tested > 0 {
            rows.push(("expected profit", money(p.expected_profit, cur)));
        }
        rows.push((
            "without a pilot",
            format!(
                "{} ({})",
                money(p.profit_without_test, cur),
                if p.rolls_out_without_test {
                    "roll out blind"
                } else {
                    "keep things as they are"
                }
            ),
        ));
        if let Some(v) = p.profit_at_power_size {
            rows.push(("at the power size", money(v, cur)));
        }
        rows.push((
            "effect known exactly",
            money(p.profit_perfect_information, cur),
        ));
    }
    rows
}

fn header(plan: &PlanReport) -> Vec<String> {
    let mut lines = vec![format!(
        "{} eligible customers today, {} in the pilot (coverage); alpha {}, power {}, {} analysis.",
        number(plan.eligible_customers as f64, 0),
        number(plan.customers_available as f64, 0),
        plan.alpha,
        pct(plan.power),
        if plan.sequential {
            "sequential (always valid)"
        } else {
            "fixed-horizon"
        }
    )];
    if let Some(w) = plan.new_per_week {
        lines.push(format!(
            "About {} new eligible customers per week.",
            number(w, 0)
        ));
    }
    if let Some(m) = plan.metric_window_months {
        lines.push(format!(
            "Outcomes need {} months after a customer joins before they can be measured.",
            fmt_sig(m, 2)
        ));
    }
    lines
}

/// Plain text for a terminal.
pub fn render_text(plan: &PlanReport) -> String {
    let mut out = format!("Plan for {}\n", plan.experiment);
    for line in header(plan) {
        out.push_str(&format!("{line}\n"));
    }
    for m in &plan.metrics {
        out.push_str(&format!("\n{} ({}, {})\n", m.title(), m.kind, m.role));
        for (label, text) in rows(m) {
            out.push_str(&format!("  {label:<21} {text}\n"));
        }
        for advice in &m.advice {
            out.push_str(&format!("  - {advice}\n"));
        }
    }
    out
}

/// Markdown for a document.
pub fn render_markdown(plan: &PlanReport) -> String {
    let escape = |s: &str| s.replace('|', "\\|");
    let mut out = format!("# Plan: {}\n\n", escape(&plan.experiment));
    for line in header(plan) {
        out.push_str(&format!("{line}\n"));
    }
    for m in &plan.metrics {
        out.push_str(&format!(
            "\n## {} ({}, {})\n\n| | |\n|---|---|\n",
            escape(m.title()),
            m.kind,
            m.role
        ));
        for (label, text) in rows(m) {
            out.push_str(&format!("| {label} | {} |\n", escape(&text)));
        }
        if !m.advice.is_empty() {
            out.push('\n');
        }
        for advice in &m.advice {
            out.push_str(&format!("- {}\n", escape(advice)));
        }
    }
    out
}
