//! `pilot plan`: sample sizes agree with the R-verified power functions,
//! detectable effects invert them, and the break-even lift is reported.

mod common;

use common::Sandbox;
use pilot::stats::power::{Design, mde_proportions, sample_size_proportions};
use serde_json::Value;

const EXPERIMENT: &str = r#"[experiment]
name = "plan-test"

[[arms]]
name = "control"
[[arms]]
name = "pilot"

[population]
file = "customers.csv"
new_per_week = 100

[assignment]
file = "assignments.csv"

[[metrics]]
name = "bought"
kind = "binary"
role = "primary"
direction = "increase"
baseline = 0.2
mde_absolute = 0.05

[[metrics]]
name = "revenue"
kind = "mean"
direction = "increase"
baseline = 30
baseline_sd = 40

[analysis]
sequential = false

[roi]
customers = 10000
horizon_months = 12
discount_rate = 0
monthly_cost = 1000
metric_window_months = 3

[[roi.benefits]]
metric = "revenue"
unit_value = 1
margin = 0.5
"#;

fn sandbox(customers: usize) -> Sandbox {
    let s = Sandbox::new();
    let mut csv = String::from("customer_id\n");
    for i in 0..customers {
        csv.push_str(&format!("C{i}\n"));
    }
    s.write("exp.toml", EXPERIMENT).write("customers.csv", csv);
    s
}

#[test]
fn sample_sizes_detectable_effects_and_duration() {
    let s = sandbox(800);
    let out = s.pilot(&["plan", "exp.toml", "--format", "json"]);
    let plan: Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(plan["eligible_customers"], 800);
    let bought = &plan["metrics"][0];
    let expected = sample_size_proportions(0.2, 0.25, &Design::default()).unwrap();
    assert_eq!(
        bought["sample_size_per_arm"].as_u64(),
        Some(expected.control)
    );
    // R: power.prop.test(p1 = 0.2, p2 = 0.25, power = 0.8) gives n = 1093.739
    assert_eq!(expected.control, 1094);
    assert_eq!(bought["customers_to_enroll"], 2188);
    // 2188 - 800 customers at 100 a week.
    let weeks = bought["enrollment_weeks"].as_f64().unwrap();
    assert!((weeks - 13.88).abs() < 1e-9, "{weeks}");
    let detectable = bought["detectable_with_available"][0].as_f64().unwrap();
    let direct = mde_proportions(0.2, 400.0, &Design::default()).unwrap();
    assert!(
        (detectable - direct).abs() < 1e-12,
        "{detectable} vs {direct}"
    );
}

#[test]
fn the_break_even_lift_follows_from_the_costs() {
    let s = sandbox(800);
    let plan: Value =
        serde_json::from_str(s.pilot(&["plan", "exp.toml", "--format", "json"]).ok()).unwrap();
    let revenue = &plan["metrics"][1];
    // No discounting: 12 months x 1000 = 12,000 of costs; each unit of lift
    // brings 10,000 customers x (lift / 3 months) x 0.5 margin x 12 months
    // = 20,000 per unit, so NPV = 0 at a lift of 0.6 (relative 0.6 / 30).
    let be = &revenue["break_even"];
    assert!(
        (be["absolute_lift"].as_f64().unwrap() - 0.6).abs() < 1e-9,
        "{be}"
    );
    assert!(
        (be["relative_lift"].as_f64().unwrap() - 0.02).abs() < 1e-9,
        "{be}"
    );
    assert!(be["sample_size_per_arm"].as_u64().unwrap() > 10_000);
    let advice = revenue["advice"].to_string();
    assert!(
        advice.contains("the pilot cannot detect a change that small"),
        "{advice}"
    );
}

#[test]
fn terminal_and_markdown_plans_read_as_advice() {
    let s = sandbox(800);
    let text = s.pilot(&["plan", "exp.toml"]);
    let text = text.ok();
    assert!(
        text.starts_with("Plan for plan-test\n800 eligible customers today"),
        "{text}"
    );
    assert!(text.contains("customers per group   1,094"), "{text}");
    let md = s.pilot(&["plan", "exp.toml", "--format", "markdown"]);
    assert!(md.ok().starts_with("# Plan: plan-test\n"), "{}", md.stdout);
}
