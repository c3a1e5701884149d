//! The committed demo data in `examples/demo/` is consistent with the
//! experiments in `experiments/`: the ledgers are what `pilot assign` keeps,
//! the outcome exports have the columns the metrics name and parse, and the
//! true effects the generator built in (`examples/demo/README.md`) show in a
//! crude per-arm mean.

use std::collections::BTreeSet;
use std::path::Path;

use pilot::assign::ledger::{Ledger, read_ledger};
use pilot::assign::{AssignOptions, assign};
use pilot::config::{self, Experiment};
use pilot::ingest::outcomes::{OutcomeData, read_outcomes};
use pilot::preflight;

const EXPERIMENTS: [&str; 3] = ["sms-reminder", "faster-support", "loyalty-discount"];

struct Demo {
    exp: Experiment,
    ledger: Ledger,
    data: OutcomeData,
}

impl Demo {
    fn load(name: &str) -> Self {
        let exp = config::load(Path::new(&format!("experiments/{name}.toml")))
            .unwrap_or_else(|e| panic!("{name}:\n{e}"));
        let asg = &exp.assignment;
        let ledger = read_ledger(&asg.file, &asg.id_column, &asg.arm_column)
            .unwrap_or_else(|e| panic!("{name}:\n{e}"));
        let outcomes = exp.outcomes.as_ref().expect("an [outcomes] section");
        let file = outcomes.file.as_ref().expect("a row-level outcome file");
        let data = read_outcomes(file, outcomes, &exp, ledger.ids(), ledger.assigned_days())
            .unwrap_or_else(|e| panic!("{name}:\n{e}"));
        Self { exp, ledger, data }
    }

    /// The values of metric `name`, per customer in ledger order.
    fn values(&self, name: &str) -> &[Option<f64>] {
        let m = self
            .exp
            .metrics
            .iter()
            .position(|m| m.name == name)
            .unwrap_or_else(|| panic!("no metric {name}"));
        &self.data.metrics[m].values
    }

    /// Mean of `f(value)` per arm (in the experiment's arm order) over the
    /// customers with a value.
    fn arm_means(&self, metric: &str, f: impl Fn(f64) -> f64) -> Vec<f64> {
        let values = self.values(metric);
        self.exp
            .arms
            .iter()
            .map(|arm| {
                let (mut sum, mut n) = (0.0, 0usize);
                for (i, v) in values.iter().enumerate() {
                    if let (Some(v), true) = (v, self.ledger.arm_name(i) == arm.name) {
                        sum += f(*v);
                        n += 1;
                    }
                }
                assert!(n > 0, "{metric}: no values in arm {}", arm.name);
                sum / n as f64
            })
            .collect()
    }

    /// Share of the arm's customers with a value (survey response rate).
    fn response_rates(&self, metric: &str) -> Vec<f64> {
        let values = self.values(metric);
        self.exp
            .arms
            .iter()
            .map(|arm| {
                let members: Vec<usize> = (0..self.ledger.len())
                    .filter(|&i| self.ledger.arm_name(i) == arm.name)
                    .collect();
                let answered = members.iter().filter(|&&i| values[i].is_some()).count();
                answered as f64 / members.len() as f64
            })
            .collect()
    }
}

#[test]
fn ledgers_are_what_pilot_assign_keeps() {
    for name in EXPERIMENTS {
        let exp = config::load(Path::new(&format!("experiments/{name}.toml"))).unwrap();
        let outcome = assign(
            &exp,
            &AssignOptions {
                reassign: false,
                dry_run: true,
                now: "2026-12-01T00:00:00Z".to_string(),
            },
        )
        .unwrap_or_else(|e| panic!("{name}:\n{e}"));
        assert_eq!(outcome.newly_assigned, 0, "{name}: customers missing");
        assert_eq!(outcome.ledger_not_in_population, 0, "{name}");
        assert_eq!(outcome.ledger_no_longer_eligible, 0, "{name}");
        assert_eq!(outcome.duplicate_ledger_rows, 0, "{name}");
        assert!(outcome.kept > 1000, "{name}: {} customers", outcome.kept);

        // Enrolled over time: the first batch and weekly additions.
        let mut reader = csv::Reader::from_path(&exp.assignment.file).unwrap();
        let at = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "assigned_at")
            .unwrap();
        let days: BTreeSet<String> = reader
            .records()
            .map(|r| r.unwrap()[at][..10].to_string())
            .collect();
        assert_eq!(
            days.into_iter().collect::<Vec<_>>(),
            [
                "2026-09-01",
                "2026-09-08",
                "2026-09-15",
                "2026-09-22",
                "2026-09-29"
            ],
            "{name}"
        );
    }
}

#[test]
fn outcome_files_have_every_column_the_metrics_name() {
    for name in EXPERIMENTS {
        let exp = config::load(Path::new(&format!("experiments/{name}.toml"))).unwrap();
        let checks = preflight::check_all(&exp).unwrap_or_else(|e| panic!("{name}:\n{e}"));
        assert_eq!(checks.len(), 3, "{name}: population, ledger, outcomes");
        for check in checks {
            assert!(
                check.columns.is_some(),
                "{name}: {} {} is missing",
                check.role.label(),
                check.path.display()
            );
        }
    }
}

#[test]
fn sms_reminder_brings_lapsed_customers_back() {
    let demo = Demo::load("sms-reminder");
    let counts = &demo.data.counts;
    assert!(counts.rows > 400, "{counts:?}");
    // Like a real export: a few rows outside the window, a few strangers.
    assert!((1..20).contains(&counts.rows_outside_window), "{counts:?}");
    assert!(
        (1..20).contains(&counts.rows_unknown_customer),
        "{counts:?}"
    );

    let repeat = demo.arm_means("repeat_purchase", |v| v);
    assert!((0.12..0.22).contains(&repeat[0]), "{repeat:?}");
    assert!(repeat[1] > repeat[0] + 0.03, "{repeat:?}");
    let revenue = demo.arm_means("revenue_90d", |v| v);
    assert!(revenue[1] > revenue[0], "{revenue:?}");
    let unsubscribed = demo.arm_means("unsubscribed", |v| v);
    assert!(unsubscribed.iter().all(|u| (0.005..0.06).contains(u)));
}

#[test]
fn priority_support_makes_customers_happier() {
    let demo = Demo::load("faster-support");
    assert_eq!(demo.data.counts.rows_outside_window, 0);
    assert!(demo.data.counts.rows_unknown_customer > 0);
    for metric in ["csat", "nps", "effort"] {
        for rate in demo.response_rates(metric) {
            assert!(
                (0.25..0.5).contains(&rate),
                "{metric}: response rate {rate}"
            );
        }
    }
    let satisfied = demo.arm_means("csat", |v| f64::from(u8::from(v >= 4.0)));
    assert!(satisfied[1] > satisfied[0] + 0.04, "{satisfied:?}");
    let nps = demo.arm_means("nps", |v| match v {
        v if v >= 9.0 => 100.0,
        v if v <= 6.0 => -100.0,
        _ => 0.0,
    });
    assert!(nps[1] > nps[0], "{nps:?}");
    let effort = demo.arm_means("effort", |v| v);
    assert!(effort[1] < effort[0], "{effort:?}");
    // Every enrolled customer had at least one ticket, and so a churn flag.
    let tickets = demo.arm_means("tickets", |v| v);
    assert!(
        tickets.iter().all(|t| (1.0..2.0).contains(t)),
        "{tickets:?}"
    );
    assert!(demo.values("churned").iter().all(Option::is_some));
}

#[test]
fn loyalty_discounts_buy_orders_at_the_cost_of_margin() {
    let demo = Demo::load("loyalty-discount");
    let orders = demo.arm_means("orders_90d", |v| v);
    assert!(orders[1] > orders[0] && orders[2] > orders[0], "{orders:?}");
    let margin = demo.arm_means("gross_margin_90d", |v| v);
    assert!(margin[2] < margin[0], "{margin:?}");
    // Revenue per order (the ratio metric): sum of revenue over orders.
    let m = demo
        .exp
        .metrics
        .iter()
        .position(|m| m.name == "order_value")
        .unwrap();
    let values = &demo.data.metrics[m];
    let denominators = values.denominators.as_ref().expect("a ratio metric");
    let per_order: Vec<f64> = demo
        .exp
        .arms
        .iter()
        .map(|arm| {
            let (mut revenue, mut orders) = (0.0, 0.0);
            for (i, (value, denominator)) in values.values.iter().zip(denominators).enumerate() {
                if demo.ledger.arm_name(i) == arm.name {
                    revenue += value.unwrap();
                    orders += denominator.unwrap();
                }
            }
            revenue / orders
        })
        .collect();
    assert!(per_order[2] < per_order[0], "{per_order:?}");
    // Many customers do not order at all in three months.
    let zero = demo
        .values("orders_90d")
        .iter()
        .filter(|v| **v == Some(0.0));
    assert!(zero.count() * 3 > demo.ledger.len());
}
