//! The verdicts that were wrong before the decision was made in money, each
//! through the real binary on data built for it (issue "Decide in money",
//! "Wrong verdicts"), plus the deadline rule: at the deadline the verdict
//! is roll out or stop, never "keep piloting".

mod common;

use common::{Rng, Sandbox};
use serde_json::Value;

/// A two-arm pilot: primary `bought`, money metric `revenue`, guardrail
/// `guard`; `extra` is appended to the file (e.g. `[roi]`, `[decision]`).
fn experiment(guard_kind: &str, guard_direction: &str, margin: f64, extra: &str) -> String {
    format!(
        r#"[experiment]
name = "verdicts"

[[arms]]
name = "control"
[[arms]]
name = "pilot"

[population]
file = "customers.csv"

[assignment]
file = "assignments.csv"

[outcomes]
file = "outcomes.csv"

[[metrics]]
name = "bought"
kind = "binary"
role = "primary"
direction = "increase"

[[metrics]]
name = "revenue"
kind = "mean"
direction = "increase"

[[metrics]]
name = "guard"
kind = "{guard_kind}"
role = "guardrail"
direction = "{guard_direction}"
margin = {margin}

{extra}"#
    )
}

const ROI: &str = r#"[roi]
customers = 5000
horizon_months = 12
discount_rate = 0.08
one_time_cost = 100
monthly_cost = 10
metric_window_months = 3

[[roi.benefits]]
metric = "revenue"
unit_value = 1
margin = 0.5
"#;

/// Assigns `n` customers, then writes one outcome row per customer from
/// `row(arm, rng)` (arm 0 is the control); `None` writes no row.
fn pilot(toml: &str, n: usize, mut row: impl FnMut(usize, &mut Rng) -> Option<String>) -> Sandbox {
    let s = Sandbox::new();
    let mut customers = String::from("customer_id\n");
    for i in 0..n {
        customers.push_str(&format!("C{i:05}\n"));
    }
    s.write("exp.toml", toml).write("customers.csv", customers);
    s.pilot(&["assign", "exp.toml"]).ok();
    let ledger = s.read("assignments.csv");
    let mut rng = Rng(7);
    let mut outcomes = String::from("customer_id,bought,revenue,guard\n");
    for line in ledger.lines().skip(1) {
        let mut cells = line.split(',');
        let id = cells.next().unwrap();
        let arm = usize::from(cells.next() == Some("pilot"));
        if let Some(r) = row(arm, &mut rng) {
            outcomes.push_str(&format!("{id},{r}\n"));
        }
    }
    s.write("outcomes.csv", outcomes);
    s
}

fn decision_of(s: &Sandbox) -> Value {
    let out = s.pilot(&["analyze", "exp.toml", "--format", "json", "--no-history"]);
    let report: Value = serde_json::from_str(out.ok()).expect("JSON");
    report["decision"].clone()
}

/// A guardrail that is the same in both arms, 5% of customers: with a 90%
/// margin it is shown safe at these sizes.
fn calm(rng: &mut Rng) -> f64 {
    f64::from(u8::from(rng.uniform() < 0.05))
}

/// Buying 20% -> 30%, revenue 30 per buyer; the guardrail from `guard`.
fn outcome(arm: usize, rng: &mut Rng, guard: f64) -> String {
    let rate = [0.2, 0.3][arm];
    let bought = rng.uniform() < rate;
    let revenue = if bought {
        20.0 + 20.0 * rng.uniform()
    } else {
        0.0
    };
    format!("{},{revenue:.2},{guard}", u8::from(bought))
}

#[test]
fn roi_that_cannot_be_computed_is_investigate_not_rollout() {
    // Every revenue value 0: the money metric has no variation.
    let s = pilot(
        &experiment("binary", "decrease", 0.9, ROI),
        2000,
        |arm, rng| {
            let guard = calm(rng);
            let line = outcome(arm, rng, guard);
            let mut cells: Vec<&str> = line.split(',').collect();
            cells[1] = "0";
            Some(cells.join(","))
        },
    );
    let d = decision_of(&s);
    assert_eq!(d["verdict"], "investigate", "{d:#}");
    assert!(
        d["headline"]
            .as_str()
            .unwrap()
            .contains("cannot be computed"),
        "{d:#}"
    );

    // A cost too large to compute with.
    let huge = ROI
        .replace("one_time_cost = 100", "one_time_cost = 1e308")
        .replace("monthly_cost = 10", "monthly_cost = 1e308");
    let s = pilot(
        &experiment("binary", "decrease", 0.9, &huge),
        2000,
        |arm, rng| Some(outcome(arm, rng, 0.0)),
    );
    let d = decision_of(&s);
    assert_eq!(d["verdict"], "investigate", "{d:#}");
}

#[test]
fn an_arm_without_outcome_rows_is_investigate_not_stop() {
    let s = pilot(
        &experiment("binary", "decrease", 0.9, ROI),
        2000,
        |arm, rng| (arm == 0).then(|| outcome(arm, rng, 0.0)),
    );
    let d = decision_of(&s);
    assert_eq!(d["verdict"], "investigate", "{d:#}");
    assert!(
        d["headline"]
            .as_str()
            .unwrap()
            .contains("has a row in the outcome export"),
        "{d:#}"
    );
}

#[test]
fn a_guardrail_that_improved_from_a_negative_mean_is_not_a_stop() {
    // The guardrail went from about -2.26 to +1.88 (higher is better): a
    // relative lift of -183% must not read as harm.
    let s = pilot(
        &experiment("mean", "increase", 0.1, ""),
        2000,
        |arm, rng| {
            let guard = [-2.26, 1.88][arm] + (rng.uniform() - 0.5);
            Some(outcome(arm, rng, (guard * 100.0).round() / 100.0))
        },
    );
    let d = decision_of(&s);
    assert_ne!(d["verdict"], "stop", "{d:#}");
    let g = &d["arms"][0]["guardrails"][0];
    assert_eq!(g["status"], "safe", "{d:#}");
}

#[test]
fn a_guardrail_not_shown_safe_never_rolls_out_even_with_a_low_risk_limit() {
    // Unsubscribes (guard) roughly double, 2% -> 4%, against a 50% margin:
    // with the old rule harm had to be proven, so lowering
    // min_probability_positive_npv to 0.55 rolled it out.
    let extra = format!("{ROI}\n[decision]\nmin_probability_positive_npv = 0.55\n");
    let s = pilot(
        &experiment("binary", "decrease", 0.5, &extra),
        1600,
        |arm, rng| {
            let guard = u8::from(rng.uniform() < [0.02, 0.04][arm]);
            Some(outcome(arm, rng, f64::from(guard)))
        },
    );
    let d = decision_of(&s);
    assert_ne!(d["verdict"], "rollout", "{d:#}");
    let g = &d["arms"][0]["guardrails"][0];
    assert_ne!(g["status"], "safe", "{d:#}");
    assert!(!d.to_string().contains("No guardrail metric got worse"));
}

#[test]
fn at_the_deadline_the_verdict_is_rollout_or_stop() {
    // A deadline in the past: whatever the evidence, no "keep piloting".
    let extra = format!("{ROI}\n[decision]\ndeadline = 2020-01-31\n");
    for rates in [[0.2, 0.2], [0.2, 0.3], [0.3, 0.2]] {
        let s = pilot(
            &experiment("binary", "decrease", 0.9, &extra),
            300,
            |arm, rng| {
                let bought = rng.uniform() < rates[arm];
                let revenue = if bought { 30.0 } else { 0.0 };
                Some(format!("{},{revenue},{}", u8::from(bought), calm(rng)))
            },
        );
        let d = decision_of(&s);
        let verdict = d["verdict"].as_str().unwrap();
        assert!(verdict == "rollout" || verdict == "stop", "{d:#}");
        assert_eq!(d["deadline"]["weeks_left"], 0, "{d:#}");
        let headline = d["headline"].as_str().unwrap();
        assert!(headline.contains('$'), "the risk in money: {headline}");
    }
}

#[test]
fn keep_piloting_says_for_how_long_and_what_it_is_worth() {
    // A large rollout (50,000 customers) near break-even, a small pilot and
    // 200 new customers a week: more data is worth more than it costs.
    let roi = ROI
        .replace("customers = 5000", "customers = 50000")
        .replace("monthly_cost = 10", "monthly_cost = MONTHLY");
    let run = |monthly: &str| {
        let extra = format!(
            "{}\n[decision]\ndeadline = 2099-12-31\n",
            roi.replace("MONTHLY", monthly)
        );
        let toml = experiment("binary", "decrease", 0.9, &extra).replace(
            "file = \"customers.csv\"\n",
            "file = \"customers.csv\"\nnew_per_week = 200\n",
        );
        let s = pilot(&toml, 400, |arm, rng| {
            let guard = calm(rng);
            Some(outcome(arm, rng, guard))
        });
        decision_of(&s)
    };
    let d = run("14000");
    assert_eq!(d["verdict"], "continue", "{d:#}");
    let weeks = d["more_weeks"].as_u64().expect("weeks to wait");
    assert!(weeks >= 1, "{d:#}");
    let headline = d["headline"].as_str().unwrap();
    assert!(
        headline.contains(&format!("for {weeks} more week")),
        "the headline says how long: {headline}"
    );
    assert!(
        headline.contains("worth about $") && headline.contains("waiting costs about $"),
        "and what waiting is worth against what it costs: {headline}"
    );
    // The same pilot with running costs ten times as high: waiting costs
    // more than the data are worth, so the call is made now.
    let d = run("140000");
    assert_ne!(d["verdict"], "continue", "{d:#}");
}

#[test]
fn purchases_inform_the_money_through_the_joint_model() {
    // Buying 20% -> 30% is clear at 1,500 customers; revenue (20-40 per
    // buyer) is noisier. Learned together, the money is known better than
    // from revenue alone, and the report names both views.
    let run = |decision: &str| {
        let extra = format!("{ROI}\n[decision]\ndeadline = 2099-12-31\n{decision}");
        let s = pilot(
            &experiment("binary", "decrease", 0.9, &extra),
            1500,
            |arm, rng| {
                let guard = calm(rng);
                Some(outcome(arm, rng, guard))
            },
        );
        decision_of(&s)
    };
    let joint = run("");
    let alone = run("prior_correlation = 0\n");
    let money = |d: &Value| d["arms"][0]["money"].clone();
    let sd = |d: &Value| {
        let m = money(d);
        m["npv_p95"].as_f64().unwrap() - m["npv_p05"].as_f64().unwrap()
    };
    assert!(sd(&joint) < sd(&alone), "joint {joint:#}\nalone {alone:#}");
    // The sensitivity check shows the money metrics learned alone, and
    // that is the model prior_correlation = 0 uses.
    let learned_alone = joint["arms"][0]["sensitivity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["prior"] == "money metrics learned alone")
        .expect("the joint model names its alternative")
        .clone();
    let alone_npv = money(&alone)["expected_npv"].as_f64().unwrap();
    assert!(
        (learned_alone["expected_npv"].as_f64().unwrap() - alone_npv).abs()
            < 1e-6 * alone_npv.abs().max(1.0),
        "{learned_alone:#} vs {alone:#}"
    );
    let reasons = joint["arms"][0].to_string() + &joint["reasons"].to_string();
    assert!(
        reasons.contains("read together with bought"),
        "the reasons say what informed the money: {joint:#}"
    );
    assert!(!alone["reasons"].to_string().contains("read together with"));
}
