//! `pilot simulate`: files `pilot analyze` reads, a ledger from the real
//! assignment, cumulative looks, and reproducibility by seed.

mod common;

use common::Sandbox;
use serde_json::Value;

const EXPERIMENT: &str = r#"[experiment]
name = "simulated"

[[arms]]
name = "control"
[[arms]]
name = "sms"

[population]
file = "sim/customers.csv"

[assignment]
file = "sim/ledger.csv"

[outcomes]
file = "sim/outcomes.csv"
date_column = "date"

[[metrics]]
name = "bought"
kind = "binary"
role = "primary"
direction = "increase"
baseline = 0.2

[[metrics]]
name = "revenue"
kind = "mean"
direction = "increase"
covariate = "revenue_before"

[[metrics]]
name = "revenue_per_order"
column = "order_revenue"
denominator = "orders"
kind = "ratio"
direction = "increase"

[[metrics]]
name = "tickets"
kind = "mean"
aggregate = "count"
direction = "decrease"

[[metrics]]
name = "nps"
kind = "nps"
direction = "increase"

[[metrics]]
name = "csat"
kind = "csat"
direction = "increase"

[[metrics]]
name = "effort"
kind = "ordinal"
scale = [1, 7]
direction = "decrease"
"#;

fn lines(s: &Sandbox, name: &str) -> usize {
    s.read(name).lines().count()
}

#[test]
fn simulated_files_analyze_and_show_the_effect() {
    let s = Sandbox::new();
    s.write("exp.toml", EXPERIMENT);
    let out = s
        .pilot(&[
            "simulate",
            "exp.toml",
            "--customers",
            "4000",
            "--effect",
            "bought=0.5",
            "--effect",
            "nps=10",
            "--seed",
            "3",
            "--looks",
            "3",
            "--out",
            "sim",
        ])
        .ok()
        .to_string();
    assert!(out.contains("Simulated 4000 customers"), "{out}");
    let header = s.read("sim/customers.csv");
    assert!(
        header.starts_with("customer_id,segment,revenue_before\n"),
        "{header:.80}"
    );
    let outcomes = s.read("sim/outcomes.csv");
    assert!(
        outcomes.starts_with(
            "customer_id,date,bought,revenue,order_revenue,orders,tickets,nps,csat,effort\n"
        ),
        "{outcomes:.120}"
    );
    // Blank survey answers (non-response) are present.
    assert!(
        outcomes.lines().any(|l| l.ends_with(",,,")),
        "no blank survey cells"
    );
    // Looks grow and the last equals the full file.
    let (l1, l2, l3) = (
        lines(&s, "sim/outcomes.look1.csv"),
        lines(&s, "sim/outcomes.look2.csv"),
        lines(&s, "sim/outcomes.look3.csv"),
    );
    assert!(l1 < l2 && l2 < l3, "{l1} {l2} {l3}");
    assert_eq!(s.read("sim/outcomes.look3.csv"), outcomes);

    let report = s.pilot(&["analyze", "exp.toml", "--format", "json", "--no-history"]);
    let json: Value = serde_json::from_str(report.ok()).expect("json");
    let metrics = json["metrics"].as_array().expect("metrics");
    assert_eq!(metrics.len(), 7);
    let bought = &metrics[0]["comparisons"][0];
    let relative = bought["relative"]["estimate"].as_f64().expect("relative");
    assert!((0.25..0.8).contains(&relative), "bought lift {relative}");
    let nps = &metrics[4]["comparisons"][0]["absolute"]["estimate"];
    assert!(nps.as_f64().expect("nps") > 0.0, "{nps}");
    for m in metrics {
        assert!(
            m["comparisons"][0]["not_computable"].is_null(),
            "{}: {}",
            m["name"],
            m["comparisons"][0]
        );
    }
}

#[test]
fn same_seed_same_files_and_no_overwrite() {
    let s = Sandbox::new();
    s.write("exp.toml", EXPERIMENT);
    let args = |out: &'static str, seed: &'static str| {
        vec![
            "simulate",
            "exp.toml",
            "--customers",
            "300",
            "--seed",
            seed,
            "--out",
            out,
        ]
    };
    s.pilot(&args("a", "9")).ok();
    s.pilot(&args("b", "9")).ok();
    s.pilot(&args("c", "10")).ok();
    for file in ["customers.csv", "outcomes.csv"] {
        assert_eq!(s.read(&format!("a/{file}")), s.read(&format!("b/{file}")));
    }
    assert_ne!(s.read("a/outcomes.csv"), s.read("c/outcomes.csv"));
    // The arms come from the assignment, not the simulator: same split.
    let arms = |dir: &str| {
        let mut rows: Vec<String> = s
            .read(&format!("{dir}/ledger.csv"))
            .lines()
            .skip(1)
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(arms("a"), arms("c"));
    // A second run into the same directory refuses to replace the ledger.
    let err = s.pilot(&args("a", "9"));
    assert_ne!(err.code, 0);
    assert!(err.stderr.contains("ledger"), "{}", err.stderr);
}

#[test]
fn unknown_effect_metric_is_an_error() {
    let s = Sandbox::new();
    s.write("exp.toml", EXPERIMENT);
    let run = s.pilot(&["simulate", "exp.toml", "--effect", "profit=0.1"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("profit"), "{}", run.stderr);
    assert!(!s.exists("simulated"));
    let run = s.pilot(&["simulate", "exp.toml", "--effect", "bought"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("METRIC=LIFT"), "{}", run.stderr);
}

#[test]
fn filters_and_strata_are_satisfied() {
    let s = Sandbox::new();
    let experiment = EXPERIMENT.replace(
        "file = \"sim/customers.csv\"\n",
        "file = \"sim/customers.csv\"\nfilters = [\n  { column = \"segment\", in = [\"retail\", \"online\"] },\n  { column = \"orders_last_year\", min = 1 },\n]\n\n[assignment]\nstratify = [\"segment\", \"region\"]\n",
    );
    let experiment = experiment.replacen("\n[assignment]\nfile", "\nfile", 1);
    s.write("exp.toml", &experiment);
    s.pilot(&["simulate", "exp.toml", "--customers", "500", "--out", "sim"])
        .ok();
    let customers = s.read("sim/customers.csv");
    assert!(
        customers.starts_with("customer_id,segment,revenue_before,orders_last_year,region\n"),
        "{customers:.100}"
    );
    assert!(
        customers
            .lines()
            .skip(1)
            .all(|l| l.contains(",retail,") || l.contains(",online,"))
    );
    // Everyone is eligible: the ledger holds all 500.
    assert_eq!(lines(&s, "sim/ledger.csv"), 501);
}

/// The example in `pilot simulate --help` names metrics of the bundled
/// experiment it points at (it once named `booked` and `nps`, which the sms
/// example does not have).
#[test]
fn the_help_example_names_metrics_the_example_experiment_has() {
    let s = Sandbox::new();
    let help = s.pilot(&["simulate", "--help"]);
    let help = help.ok();
    let example = help
        .lines()
        .skip_while(|l| !l.contains("pilot simulate experiments/"))
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let file = example
        .split_whitespace()
        .find(|w| w.starts_with("experiments/"))
        .expect("the example names an experiment file");
    let toml = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .expect("the example's experiment is bundled");
    let words: Vec<&str> = example.split_whitespace().collect();
    let effects: Vec<&str> = words
        .windows(2)
        .filter(|w| w[0] == "--effect")
        .map(|w| w[1].split('=').next().unwrap())
        .collect();
    assert!(!effects.is_empty(), "{example}");
    for metric in effects {
        assert!(
            toml.contains(&format!("name = \"{metric}\"")),
            "{metric} is not a metric of {file}"
        );
    }
}

/// A simulated purchase comes with revenue (one propensity to buy drives
/// both), and a segment column other than `segment` gets values of its own.
#[test]
fn purchases_have_revenue_and_regions_are_regions() {
    let s = Sandbox::new();
    let experiment = EXPERIMENT.replace(
        "[outcomes]",
        "[analysis]\nsegments = [\"segment\", \"region\"]\n\n[outcomes]",
    );
    s.write("exp.toml", &experiment);
    s.pilot(&[
        "simulate",
        "exp.toml",
        "--customers",
        "3000",
        "--effect",
        "bought=0.4",
        "--out",
        "sim",
    ])
    .ok();
    let outcomes = s.read("sim/outcomes.csv");
    let mut buyers = 0;
    for line in outcomes.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[2] == "1" {
            buyers += 1;
            let revenue: f64 = cells[3].parse().expect("revenue");
            assert!(revenue > 0.0, "a purchase without revenue: {line}");
        }
    }
    assert!(buyers > 400, "{buyers} buyers");
    let customers = s.read("sim/customers.csv");
    let header: Vec<&str> = customers
        .lines()
        .next()
        .expect("header")
        .split(',')
        .collect();
    let region = header
        .iter()
        .position(|c| *c == "region")
        .expect("region column");
    let mut regions: Vec<&str> = customers
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(region).expect("region cell"))
        .collect();
    regions.sort_unstable();
    regions.dedup();
    assert_eq!(regions, ["east", "north", "south", "west"]);
}
