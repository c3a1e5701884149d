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

/// The experiment with a planned effect on the money metric, optionally
/// with `extra` appended (a `[decision]` section) and the arms' weights.
fn money_sandbox(weights: (u32, u32), extra: &str) -> Sandbox {
    let s = sandbox(800);
    let text = EXPERIMENT
        .replace("baseline_sd = 40\n", "baseline_sd = 40\nmde = 0.1\n")
        .replace(
            "name = \"control\"\n",
            &format!("name = \"control\"\nweight = {}\n", weights.0),
        )
        .replace(
            "name = \"pilot\"\n",
            &format!("name = \"pilot\"\nweight = {}\n", weights.1),
        );
    s.write("exp.toml", format!("{text}{extra}"));
    s
}

#[test]
fn the_profit_optimal_pilot_follows_from_the_prior_and_the_money() {
    use pilot::decide::mixture::{Component, NormalMixture};
    use pilot::decide::prior::DEFAULT_COMPONENTS;
    use pilot::decide::test_and_roll::Rollout;
    let s = money_sandbox((1, 1), "");
    let plan: Value =
        serde_json::from_str(s.pilot(&["plan", "exp.toml", "--format", "json"]).ok()).unwrap();
    let revenue = &plan["metrics"][1];
    let p = &revenue["profit_optimal"];
    // By hand: no discounting or decay, so a unit of lift brings each
    // customer 12 months / 3 x 0.5 margin = 2; nothing is paid per customer;
    // 12 x 1000 is paid whatever the size. The prior is the default on the
    // relative effect times the baseline 30.
    let rollout = Rollout {
        population: 10_000.0,
        prior: NormalMixture::new(
            DEFAULT_COMPONENTS
                .iter()
                .map(|&(weight, sd)| Component {
                    weight,
                    mean: 0.0,
                    sd: 30.0 * sd,
                })
                .collect(),
        )
        .unwrap(),
        control_sd: 40.0,
        treatment_sd: 40.0,
        treatment_per_control: 1.0,
        value_per_unit: 2.0,
        cost_per_customer: 0.0,
        fixed_cost: 12_000.0,
    };
    let best = rollout.plan().unwrap();
    assert!(best.control > 100, "{best:?}");
    assert_eq!(p["sample_size_per_arm"].as_u64(), Some(best.control));
    assert_eq!(p["sample_size_by_arm"][1]["arm"], "pilot");
    assert_eq!(
        p["sample_size_by_arm"][1]["customers"].as_u64(),
        Some(best.treatment)
    );
    let close = |field: &str, want: f64| {
        let got = p[field].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-9 * want.abs(),
            "{field}: {got} vs {want}"
        );
    };
    close("expected_profit", best.expected_profit);
    close("profit_rolling_out_blind", -12_000.0);
    close(
        "profit_perfect_information",
        rollout.profit_perfect_information(),
    );
    assert_eq!(p["profit_without_test"], 0.0);
    assert_eq!(p["rolls_out_without_test"], false);
    // The power-based size tests more customers than pays.
    let power = revenue["sample_size_per_arm"].as_u64().unwrap() as f64;
    close(
        "profit_at_power_size",
        rollout.expected_profit(power, power).unwrap(),
    );
    assert!(p["profit_at_power_size"].as_f64().unwrap() < best.expected_profit);
    let advice = revenue["advice"].to_string();
    assert!(
        advice.contains("Sized for profit: piloting with"),
        "{advice}"
    );
    let text = s.pilot(&["plan", "exp.toml"]);
    assert!(
        text.ok()
            .contains(&format!("profit-optimal pilot  {} per group", best.control)),
        "{}",
        text.stdout
    );
}

#[test]
fn unequal_weights_name_each_groups_size() {
    let s = money_sandbox((1, 3), "");
    let plan: Value =
        serde_json::from_str(s.pilot(&["plan", "exp.toml", "--format", "json"]).ok()).unwrap();
    let bought = &plan["metrics"][0];
    let expected = sample_size_proportions(
        0.2,
        0.25,
        &Design {
            ratio: 3.0,
            ..Design::default()
        },
    )
    .unwrap();
    let by_arm = &bought["sample_size_by_arm"];
    assert_eq!(by_arm[0]["arm"], "control");
    assert_eq!(by_arm[0]["customers"].as_u64(), Some(expected.control));
    assert_eq!(by_arm[1]["customers"].as_u64(), Some(expected.treatment));
    let (c, t) = (expected.control, expected.treatment);
    let text = s.pilot(&["plan", "exp.toml"]);
    let text = text.ok();
    let row = format!(
        "customers per group   control {}, pilot {}",
        pilot::format::number(c as f64, 0),
        pilot::format::number(t as f64, 0)
    );
    assert!(text.contains(&row), "{text}");
    // The profit-optimal pilot keeps the 1:3 allocation.
    let p = &plan["metrics"][1]["profit_optimal"]["sample_size_by_arm"];
    let (pc, pt) = (
        p[0]["customers"].as_u64().unwrap(),
        p[1]["customers"].as_u64().unwrap(),
    );
    assert!(pc > 0 && pt.abs_diff(3 * pc) <= 1, "{p}");
}

#[test]
fn profit_sizing_says_why_it_is_missing() {
    let flat = money_sandbox((1, 1), "\n[decision]\nprior = \"none\"\n");
    let plan: Value =
        serde_json::from_str(flat.pilot(&["plan", "exp.toml", "--format", "json"]).ok()).unwrap();
    let revenue = &plan["metrics"][1];
    assert!(revenue["profit_optimal"].is_null());
    assert!(
        revenue["advice"]
            .to_string()
            .contains("needs a prior on the effect"),
        "{revenue}"
    );
}
