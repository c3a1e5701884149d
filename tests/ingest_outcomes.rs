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
    read_outcomes(
        &path,
        &outcomes,
        &experiment,
        &index(&["a", "b", "c"]),
        None,
    )
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
    let data = read_outcomes(
        &path,
        &outcomes,
        &experiment,
        &index(&["a", "b", "c"]),
        None,
    )
    .unwrap();
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
fn the_fingerprint_is_the_files() {
    let csv = "customer_id,date,bought,revenue,items,csat\na,2026-09-02,1,10,1,\n";
    let dir = tempfile::tempdir().unwrap();
    let experiment = config::parse(&dir.path().join("exp.toml"), EXPERIMENT).unwrap();
    let outcomes = experiment.outcomes.clone().unwrap();
    std::fs::write(dir.path().join("outcomes.csv"), csv).unwrap();
    let path = outcomes.file.clone().unwrap();
    let data = read_outcomes(&path, &outcomes, &experiment, &index(&["a"]), None).unwrap();
    assert_eq!(
        data.fingerprint,
        pilot::io::fingerprint::file_fingerprint(&path).unwrap()
    );
}

/// Many rows for many customers, in an order that spreads each customer's
/// rows over several read-ahead batches, against a plain fold.
#[test]
fn many_rows_fold_like_one_row_at_a_time() {
    let customers: Vec<String> = (0..997).map(|i| format!("customer-{i}")).collect();
    let ids: Vec<&str> = customers.iter().map(String::as_str).collect();
    let mut csv = String::from("customer_id,date,bought,revenue,items,csat\n");
    let mut expected_sum = vec![0.0f64; ids.len()];
    let mut expected_count = vec![0u32; ids.len()];
    let mut expected_last = vec![(i32::MIN, None::<f64>); ids.len()];
    let mut x = 12345u64;
    for row in 0..20_000u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let c = (x >> 33) as usize % (ids.len() + 3);
        let day = 1 + (x >> 20) % 28;
        let revenue = (x >> 40) % 10_000;
        let csat = if row % 3 == 0 {
            String::new()
        } else {
            (1 + (x >> 50) % 5).to_string()
        };
        let id = if c < ids.len() { ids[c] } else { "stranger" };
        csv.push_str(&format!(
            "{id},2026-09-{day:02},{},{}.{:02},1,{csat}\n",
            row % 2,
            revenue / 100,
            revenue % 100
        ));
        if c < ids.len() {
            expected_sum[c] += revenue as f64 / 100.0;
            expected_count[c] += 1;
            if !csat.is_empty() && day as i32 >= expected_last[c].0 {
                expected_last[c] = (day as i32, Some(csat.parse().unwrap()));
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let experiment = config::parse(&dir.path().join("exp.toml"), EXPERIMENT).unwrap();
    let outcomes = experiment.outcomes.clone().unwrap();
    std::fs::write(dir.path().join("outcomes.csv"), &csv).unwrap();
    let path = outcomes.file.clone().unwrap();
    let data = read_outcomes(&path, &outcomes, &experiment, &index(&ids), None).unwrap();
    assert_eq!(data.counts.rows, 20_000);
    let known: u32 = expected_count.iter().sum();
    assert_eq!(data.counts.rows_unknown_customer, 20_000 - u64::from(known));
    assert_eq!(data.counts.unknown_examples, vec!["stranger"]);
    for c in 0..ids.len() {
        let sum = (expected_count[c] > 0).then_some(expected_sum[c]);
        // Sums in file order are what a plain fold gives, bit for bit.
        assert_eq!(data.metrics[1].values[c], Some(sum.unwrap_or(0.0)), "{c}");
        assert_eq!(
            data.metrics[3].values[c],
            Some(f64::from(expected_count[c])),
            "{c}"
        );
        assert_eq!(data.metrics[4].values[c], expected_last[c].1, "{c}");
    }
}

#[test]
fn errors_come_in_file_order_across_read_ahead() {
    let mut csv = String::from("customer_id,date,bought,revenue,items,csat\n");
    for _ in 0..300 {
        csv.push_str("a,2026-09-02,1,10,1,\n");
    }
    // Line 302: a bad value; line 303: a row with too many fields.
    csv.push_str("b,2026-09-02,maybe,10,1,\n");
    csv.push_str("a,2026-09-02,1,10,1,,\n");
    let err = read(&csv).unwrap_err().to_string();
    assert!(
        err.ends_with(
            "outcomes.csv:302: column `bought`: expected 0 or 1 (or yes/no, true/false), found `maybe`"
        ),
        "{err}"
    );
    // The other way round, the ragged row comes first.
    let mut csv = String::from("customer_id,date,bought,revenue,items,csat\n");
    for _ in 0..200 {
        csv.push_str("a,2026-09-02,1,10,1,\n");
    }
    csv.push_str("a,2026-09-02,1,10\n");
    csv.push_str("b,2026-09-02,maybe,10,1,\n");
    let err = read(&csv).unwrap_err().to_string();
    assert!(
        err.ends_with("outcomes.csv:202: expected 6 fields as in the header line, found 4"),
        "{err}"
    );
    // A bad value of an unknown customer is not read, even next to an error.
    let mut csv = String::from("customer_id,date,bought,revenue,items,csat\n");
    csv.push_str("zz,2026-09-02,maybe,10,1,\n");
    csv.push_str("c,2026-09-02,1,10,1,9\n");
    let err = read(&csv).unwrap_err().to_string();
    assert!(
        err.ends_with(
            "outcomes.csv:3: column `csat`: expected a whole number from 1 to 5, found `9`"
        ),
        "{err}"
    );
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
