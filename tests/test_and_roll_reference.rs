//! The profit-maximizing test size against
//! `tests/reference/test_and_roll.json` (Feit & Berman 2019, eq. 10, checked
//! by the shared set with scipy's numerical maximization; see its README
//! entry): n per arm to 1e-6 relative, the whole n exactly, profits to 1e-9
//! relative. Both the closed form and the numerical optimizer `pilot plan`
//! uses (set up so the two models coincide) are checked.
//!
//! Run with `--nocapture` to see the worst errors.

use pilot::decide::mixture::NormalMixture;
use pilot::decide::test_and_roll::{Rollout, Symmetric};
use serde_json::Value;

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("expected a number at {key}, found {}", v[key]))
}

fn cases() -> Vec<Value> {
    let path = format!(
        "{}/tests/reference/test_and_roll.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn symmetric(input: &Value) -> Symmetric {
    Symmetric {
        population: num(input, "population"),
        prior_mean: num(input, "prior_mean"),
        prior_sd: num(input, "prior_sd"),
        response_sd: num(input, "response_sd"),
    }
}

/// Relative error of `got` against `want`, asserted at most `tol`.
fn rel(case: usize, field: &str, got: f64, want: f64, tol: f64) -> f64 {
    let err = (got - want).abs() / want.abs();
    assert!(
        err <= tol,
        "test_and_roll case {case} {field}: got {got:e}, want {want:e} (rel {err:e})"
    );
    err
}

#[test]
fn closed_form_matches_the_reference() {
    let (mut worst_n, mut worst_profit) = (0.0f64, 0.0f64);
    for (i, case) in cases().iter().enumerate() {
        let want = &case["expected"];
        let plan = symmetric(&case["input"]).plan().unwrap();
        worst_n = worst_n.max(rel(
            i,
            "n_per_arm",
            plan.n_per_arm,
            num(want, "n_per_arm"),
            1e-6,
        ));
        assert_eq!(
            Some(plan.n_per_arm_whole),
            want["n_per_arm_whole"].as_u64(),
            "case {i}"
        );
        for (field, got) in [
            ("expected_profit", plan.expected_profit),
            ("profit_without_test", plan.profit_without_test),
            (
                "profit_perfect_information",
                plan.profit_perfect_information,
            ),
        ] {
            worst_profit = worst_profit.max(rel(i, field, got, num(want, field), 1e-9));
        }
    }
    println!("test_and_roll closed form: worst n {worst_n:e}, worst profit {worst_profit:e}");
}

/// The decision model's version with the control as the status quo: the
/// difference of two `N(mu, sigma^2)` arms has the prior `N(0, 2 sigma^2)`,
/// nothing costs anything, and its money (against the status quo) plus the
/// `N mu` every customer earns anyway is the paper's total profit.
#[test]
fn numerical_optimum_matches_the_reference() {
    let (mut worst_n, mut worst_profit) = (0.0f64, 0.0f64);
    for (i, case) in cases().iter().enumerate() {
        let want = &case["expected"];
        let s = symmetric(&case["input"]);
        let rollout = Rollout {
            population: s.population,
            prior: NormalMixture::normal(0.0, 2f64.sqrt() * s.prior_sd),
            control_sd: s.response_sd,
            treatment_sd: s.response_sd,
            treatment_per_control: 1.0,
            value_per_unit: 1.0,
            cost_per_customer: 0.0,
            fixed_cost: 0.0,
        };
        let base = s.population * s.prior_mean;
        let plan = rollout.plan().unwrap();
        worst_n = worst_n.max(rel(
            i,
            "n_per_arm",
            plan.control_exact,
            num(want, "n_per_arm"),
            1e-6,
        ));
        let whole = want["n_per_arm_whole"].as_u64();
        assert_eq!(Some(plan.control), whole, "case {i}");
        assert_eq!(Some(plan.treatment), whole, "case {i}");
        for (field, got) in [
            ("expected_profit", plan.expected_profit),
            ("profit_without_test", rollout.profit_without_test()),
            (
                "profit_perfect_information",
                rollout.profit_perfect_information(),
            ),
        ] {
            worst_profit = worst_profit.max(rel(i, field, got + base, num(want, field), 1e-9));
        }
    }
    println!("test_and_roll numerical: worst n {worst_n:e}, worst profit {worst_profit:e}");
}
