//! `pilot plan` output: the plan as terminal text or Markdown.

use crate::format::{fmt_sig, number, pct, pp, signed_pct};
use crate::plan::{MetricPlan, PlanReport};

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
    if let Some(n) = m.sample_size_per_arm {
        rows.push(("customers per group", number(n as f64, 0)));
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
    if let Some(be) = m.break_even {
        rows.push((
            "break-even change",
            change(m.kind, be.absolute_lift, be.relative_lift),
        ));
        if let Some(n) = be.sample_size_per_arm {
            rows.push(("per group to see it", number(n as f64, 0)));
        }
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
        out.push_str(&format!("\n{} ({}, {})\n", m.name, m.kind, m.role));
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
            escape(&m.name),
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
