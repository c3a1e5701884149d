//! Outcome rows dated before a customer joined the pilot are left out,
//! counted and reported; ratio customers with a numerator but no
//! denominator are reported. Figures are worked out by hand below.

mod common;

use common::Sandbox;
use serde_json::Value;

const EXPERIMENT: &str = r#"[experiment]
name = "dates"

[[arms]]
name = "control"
[[arms]]
name = "sms"

[population]
file = "customers.csv"

[assignment]
file = "ledger.csv"

[outcomes]
file = "orders.csv"
date_column = "date"

[[metrics]]
name = "revenue"
kind = "mean"
role = "primary"
direction = "increase"

[[metrics]]
name = "order_value"
kind = "ratio"
column = "revenue"
denominator = "orders"
direction = "increase"
"#;

/// C1..C4 joined on 2026-02-01, C5..C8 on 2026-03-01 (odd: control).
fn ledger(first: &str, second: &str) -> String {
    let mut csv = String::from("customer_id,arm,assigned_at\n");
    for i in 1..=8 {
        let arm = if i % 2 == 1 { "control" } else { "sms" };
        let day = if i <= 4 { first } else { second };
        csv.push_str(&format!("C{i},{arm},{day}T09:00:00Z\n"));
    }
    csv
}

/// Rows before their customer's assignment: C1 on 01-15, C3 on 01-31
/// (joined 02-01), C5 on 02-28 and C8 on 02-15 (joined 03-01): 4 rows of
/// 4 customers. C2's row on its assignment day counts. C4 has revenue 40
/// with 0 orders.
const ORDERS: &str = "customer_id,date,revenue,orders
C1,2026-01-15,100,1
C1,2026-02-10,10,1
C2,2026-02-01,20,1
C3,2026-01-31,50,1
C3,2026-03-05,30,1
C4,2026-02-20,40,0
C5,2026-02-28,70,1
C5,2026-03-02,15,1
C6,2026-03-10,25,1
C7,2026-03-01,35,1
C8,2026-02-15,99,1
C8,2026-03-15,45,1
";

fn sandbox(ledger_csv: String) -> Sandbox {
    let s = Sandbox::new();
    let customers: String = std::iter::once("customer_id".to_string())
        .chain((1..=8).map(|i| format!("C{i}")))
        .collect::<Vec<_>>()
        .join("\n");
    s.write("exp.toml", EXPERIMENT)
        .write("customers.csv", customers + "\n")
        .write("ledger.csv", ledger_csv)
        .write("orders.csv", ORDERS);
    s
}

#[test]
fn rows_before_a_customers_assignment_are_left_out_and_reported() {
    let s = sandbox(ledger("2026-02-01", "2026-03-01"));
    let json = s.pilot(&["analyze", "exp.toml", "--no-history", "--format", "json"]);
    let report: Value = serde_json::from_str(json.ok()).unwrap();
    let data = &report["data"];
    assert_eq!(data["rows_before_assignment"], 4);
    assert_eq!(data["customers_with_rows_before_assignment"], 4);
    assert_eq!(data["outcome_dates"][0], "2026-01-15");
    assert_eq!(data["assignment_dates"][1], "2026-03-01");
    // Revenue without the early rows: control C1 10, C3 30, C5 15, C7 35
    // (mean 22.5); sms C2 20, C4 40, C6 25, C8 45 (mean 32.5).
    let revenue = &report["metrics"][0];
    assert_eq!(revenue["arms"][0]["mean"], 22.5);
    assert_eq!(revenue["arms"][1]["mean"], 32.5);
    // order_value, sms: (20 + 40 + 25 + 45) / (1 + 0 + 1 + 1).
    let ratio = report["metrics"][1]["arms"][1]["mean"].as_f64().unwrap();
    assert!((ratio - 130.0 / 3.0).abs() < 1e-12, "{ratio}");
    assert_eq!(data["ratio_zero_denominators"][0]["metric"], "order_value");
    assert_eq!(data["ratio_zero_denominators"][0]["customers"], 1);

    let terminal = s.pilot(&["analyze", "exp.toml", "--no-history"]);
    let text = terminal.ok().replace("\n  ", " ");
    assert!(
        text.contains(
            "4 rows of the outcome export (4 customers of 8) are dated before the customer \
             joined the pilot and are left out: the initiative cannot have caused them. \
             Customers joined from 2026-02-01 to 2026-03-01."
        ),
        "{text}"
    );
    assert!(
        text.contains("1 customer of `order_value` has a numerator but a denominator of 0"),
        "{text}"
    );
}

/// The issue's case: a ledger written 2026-12-02 and outcomes from January
/// to March. Nothing counts, and the verdict names both date ranges
/// instead of suggesting the id column.
#[test]
fn an_export_from_before_the_pilot_names_both_date_ranges() {
    let s = sandbox(ledger("2026-12-02", "2026-12-02"));
    let run = s.pilot(&["analyze", "exp.toml", "--no-history", "--format", "json"]);
    let report: Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(report["decision"]["verdict"], "investigate");
    let headline = report["decision"]["headline"].as_str().unwrap();
    assert_eq!(
        headline,
        "Investigate: No outcome row counts: every row was left out by its date. Of 12 rows \
         read, 12 rows are dated before their customer joined the pilot. The export's rows are \
         dated from 2026-01-15 to 2026-03-15; the ledger's customers joined the pilot on \
         2026-12-02. Export the outcomes from after the pilot started, or check `[outcomes] \
         date_column`, `from` and `to`."
    );
    assert!(!headline.contains("id_column"));
}
