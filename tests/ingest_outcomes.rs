//! Outcome exports: aggregation per customer, missing values, date windows,
//! unknown customers, and located errors.

use pilot::config;
use pilot::ids::IdTable;
use pilot::ingest::outcomes::read_outcomes;

const EXPERIMENT: &str = r#"
[experiment]
name = "t"
[[arms]]
name = "control"
[[arms]]
name = "pilot"
[population]
file = "customers.csv"
[assignment]
file = "ledger.csv"
[outcomes]
file = "outcomes.csv"
date_column = "date"
from = "2026-09-01"
to = "2026-09-30"
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
name = "avg_basket"
column = "revenue"
kind = "mean"
aggregate = "mean"
direction = "increase"
[[metrics]]
name = "orders"
column = "revenue"
kind = "mean"
aggregate = "count"
direction = "increase"
[[metrics]]
name = "csat"
kind = "csat"
direction = "increase"
[[metrics]]
name = "per_item"
column = "revenue"
denominator = "items"
kind = "ratio"
direction = "increase"
"#;

fn index(ids: &[&str]) -> IdTable {
    let mut index = IdTable::with_capacity(ids.len());
    for id in ids {
        index.insert(id).expect("distinct ids");
    }
    index
}

fn read(csv: &str) -> pilot::Result<pilot::ingest::outcomes::OutcomeData> {
    let dir = tempfile::tempdir().unwrap();
    let exp_path = dir.path().join("exp.toml");
    let experiment = config::parse(&exp_path, EXPERIMENT).expect("valid experiment");
    let outcomes = experiment.outcomes.clone().expect("outcomes");
    std::fs::write(dir.path().join("outcomes.csv"), csv).unwrap();
    let path = outcomes.file.clone().unwrap();
    assert!(path.starts_with(dir.path()));
    read_outcomes(&path, &outcomes, &experiment, &index(&["a", "b", "c"]))
}

#[test]
fn rows_fold_per_customer_by_aggregate() {
    let data = read(
        "customer_id,date,bought,revenue,items,csat\n\
         a,2026-09-02,1,10,1,\n\
         a,2026-09-05,0,30,3,4\n\
         b,2026-09-03,no,5.5,1,2\n\
         b,2026-09-04,,,,5\n",
    )
    .unwrap();
    let m = &data.metrics;
    // binary: max over rows; c has no rows -> zero
    assert_eq!(m[0].values, vec![Some(1.0), Some(0.0), Some(0.0)]);
    assert_eq!(m[1].values, vec![Some(40.0), Some(5.5), Some(0.0)]);
    assert_eq!(m[2].values, vec![Some(20.0), Some(5.5), Some(0.0)]);
    assert_eq!(m[3].values, vec![Some(2.0), Some(1.0), Some(0.0)]);
    // csat: last by date; surveys exclude non-responders
    assert_eq!(m[4].values, vec![Some(4.0), Some(5.0), None]);
    assert_eq!(m[4].responders, 2);
    assert_eq!(
        m[5].denominators,
        Some(vec![Some(4.0), Some(1.0), Some(0.0)])
    );
    assert_eq!(data.counts.customers_with_rows, 2);
}

#[test]
fn rows_outside_the_window_and_unknown_customers_are_counted() {
    let data = read(
        "customer_id,date,bought,revenue,items,csat\n\
         a,2026-08-31,1,10,1,\n\
         a,2026-10-01,1,10,1,\n\
         zz,2026-09-10,1,10,1,\n\
         zz,2026-09-11,1,10,1,\n\
         yy,2026-09-11,1,10,1,\n",
    )
    .unwrap();
    assert_eq!(data.counts.rows, 5);
    assert_eq!(data.counts.rows_outside_window, 2);
    assert_eq!(data.counts.rows_unknown_customer, 3);
    assert_eq!(data.counts.unknown_examples, vec!["zz", "yy"]);
    assert_eq!(data.metrics[0].values, vec![Some(0.0); 3]);
}

#[test]
fn count_counts_non_blank_cells_of_any_text() {
    // Order and ticket ids are rarely numbers; counting them needs no value.
    let dir = tempfile::tempdir().unwrap();
    let experiment = config::parse(
        &dir.path().join("exp.toml"),
        r#"
[experiment]
name = "t"
[[arms]]
name = "control"
[[arms]]
name = "pilot"
[population]
file = "customers.csv"
[assignment]
file = "ledger.csv"
[outcomes]
file = "outcomes.csv"
[[metrics]]
name = "tickets"
column = "ticket_id"
kind = "mean"
aggregate = "count"
role = "primary"
direction = "decrease"
"#,
    )
    .expect("valid experiment");
    let outcomes = experiment.outcomes.clone().unwrap();
    std::fs::write(
        dir.path().join("outcomes.csv"),
        "customer_id,ticket_id\na,T-1041\nb,#1042\na,T-1043\nb,\n",
    )
    .unwrap();
    let path = outcomes.file.clone().unwrap();
    let data = read_outcomes(&path, &outcomes, &experiment, &index(&["a", "b", "c"])).unwrap();
    assert_eq!(
        data.metrics[0].values,
        vec![Some(2.0), Some(1.0), Some(0.0)]
    );
}

#[test]
fn bad_cells_name_file_line_and_column() {
    let err = read(
        "customer_id,date,bought,revenue,items,csat\n\
         a,2026-09-02,2,10,1,\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.ends_with(
            "outcomes.csv:2: column `bought`: expected 0 or 1 (or yes/no, true/false), found `2`"
        ),
        "{err}"
    );
    let err = read("customer_id,date,bought,revenue,items,csat\na,30/09/2026,1,1,1,\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(
            "outcomes.csv:2: column `date`: expected a date like 2026-09-30, found `30/09/2026`"
        ),
        "{err}"
    );
    let err = read("customer_id,date,bought,revenue,items,csat\na,2026-09-02,1,1,1,0\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(
            "outcomes.csv:2: column `csat`: expected a whole number from 1 to 5, found `0`"
        ),
        "{err}"
    );
}

#[test]
fn a_missing_metric_column_names_the_metric() {
    let err = read("customer_id,date,bought,revenue,items\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing column `csat`"), "{err}");
    assert!(err.contains("(metric `csat`)"), "{err}");
}

#[test]
fn values_whose_sums_overflow_across_customers_are_refused() {
    // Each customer's revenue is finite; their sum and squares are not, and
    // used to come out as "every customer has the same value".
    let err = read(
        "customer_id,date,bought,revenue,csat,items\n\
         a,2026-09-02,1,1e308,5,1\n\
         b,2026-09-02,1,1e308,5,1\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("column `revenue`: the values of metric `revenue` are too large to analyze"),
        "{err}"
    );
    assert!(
        read("customer_id,date,bought,revenue,csat,items\na,2026-09-02,1,1e200,5,1\n").is_err()
    );
    assert!(read("customer_id,date,bought,revenue,csat,items\na,2026-09-02,1,1e100,5,1\n").is_ok());
}

#[test]
fn negative_ratio_denominators_are_refused() {
    // Used to be accepted and to flip the sign of the ratio and its effect.
    let err = read("customer_id,date,bought,revenue,csat,items\na,2026-09-02,1,10,5,-2\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(
            "outcomes.csv:2: column `items`: metric `per_item` divides by this column, which cannot be negative; found `-2`"
        ),
        "{err}"
    );
}
