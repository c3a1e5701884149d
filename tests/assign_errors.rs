//! Malformed population files: each error names file, line and column
//! exactly as the user sees it, and nothing is written.

mod assign_support;

use std::fs;

use assign_support::*;
use pilot::assign::assign;
use pilot::config::{Experiment, FilterRule};

/// Runs `assign` on a population file with `content` and returns the
/// rendered error, with the temporary path replaced by `customers.csv`.
fn error_for(content: &[u8], configure: impl FnOnce(&mut Experiment)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = fifty_fifty(dir.path());
    configure(&mut exp);
    fs::write(&exp.population.file, content).unwrap();
    let err = assign(&exp, &opts()).expect_err("the input should be refused");
    assert!(!exp.assignment.file.exists(), "nothing may be written");
    let path = exp.population.file.display().to_string();
    err.to_string().replace(&path, "customers.csv")
}

fn numeric_filter(exp: &mut Experiment) {
    exp.population.filters = vec![filter(
        "orders",
        FilterRule::Range {
            min: Some(1.0),
            max: None,
        },
    )];
}

#[test]
fn empty_file() {
    assert_eq!(
        error_for(b"", |_| {}),
        "error: customers.csv: the file is empty; expected a header line with columns"
    );
    assert_eq!(
        error_for(b"\xEF\xBB\xBF\r\n\r\n", |_| {}),
        "error: customers.csv: the file is empty; expected a header line with columns"
    );
}

#[test]
fn missing_id_column_suggests_a_close_name() {
    assert_eq!(
        error_for(b"customerid,segment,orders\nC1,A,3\n", |_| {}),
        "error: customers.csv: missing column `customer_id` (found: customerid, segment, orders); \
         did you mean `customerid`?"
    );
}

#[test]
fn missing_filter_column_lists_the_columns() {
    assert_eq!(
        error_for(b"customer_id,region,orders\nC1,north,3\n", |e| {
            e.population.filters = vec![filter("segment", FilterRule::In(vec!["A".into()]))];
        }),
        "error: customers.csv: missing column `segment` (found: customer_id, region, orders)"
    );
}

#[test]
fn ragged_row() {
    assert_eq!(
        error_for(b"customer_id,segment\nC1,A\nC2,B,extra\n", |_| {}),
        "error: customers.csv:3: expected 2 fields as in the header line, found 3"
    );
}

#[test]
fn non_utf8_value() {
    assert_eq!(
        error_for(b"customer_id,segment\nC1,A\nC2,Caf\xe9\n", |_| {}),
        "error: customers.csv:3: column `segment`: the value is not valid UTF-8; \
         save the file as UTF-8 (in Excel: \"CSV UTF-8\")"
    );
}

#[test]
fn duplicate_ids_name_both_lines() {
    assert_eq!(
        error_for(b"customer_id,segment\nC1,A\nC2,B\nC3,A\nC2,A\n", |_| {}),
        "error: customers.csv:5: column `customer_id`: customer id `C2` appears twice, \
         on lines 3 and 5; each customer must appear once"
    );
}

#[test]
fn formula_like_and_negative_ids() {
    assert_eq!(
        error_for(
            b"customer_id,segment\nC1,A\n=HYPERLINK(\"http://x\"),B\n",
            |_| {}
        ),
        "error: customers.csv:3: column `customer_id`: customer id `=HYPERLINK(\"http://x\")` \
         starts with `=`, which spreadsheets run as a formula; pilot writes ids to the ledger \
         unchanged, so it refuses ids starting with =, +, - or @ (negative numbers included)"
    );
    assert_eq!(
        error_for(b"customer_id,segment\n-5,A\n", |_| {}),
        "error: customers.csv:2: column `customer_id`: customer id `-5` starts with `-`, \
         which spreadsheets run as a formula; pilot writes ids to the ledger unchanged, so it \
         refuses ids starting with =, +, - or @ (negative numbers included)"
    );
}

#[test]
fn blank_id() {
    assert_eq!(
        error_for(b"customer_id,segment\nC1,A\n  ,B\n", |_| {}),
        "error: customers.csv:3: column `customer_id`: the customer id is blank"
    );
}

#[test]
fn non_numeric_value_in_a_numeric_filter_column() {
    assert_eq!(
        error_for(b"customer_id,orders\nC1,3\nC2,\nC3,many\n", numeric_filter),
        "error: customers.csv:4: column `orders`: expected a number, found `many`; \
         a range filter reads this column"
    );
    assert_eq!(
        error_for(b"customer_id,orders\nC1,NaN\n", numeric_filter),
        "error: customers.csv:2: column `orders`: expected a finite number, found `NaN`; \
         a range filter reads this column"
    );
}

#[test]
fn duplicate_header_names() {
    assert_eq!(
        error_for(b"customer_id,segment,orders,segment\nC1,A,1,B\n", |_| {}),
        "error: customers.csv:1: column `segment`: the header line names this column twice \
         (fields 2 and 4); rename one of them"
    );
}

#[test]
fn missing_population_file() {
    let dir = tempfile::tempdir().unwrap();
    let exp = fifty_fifty(dir.path());
    let err = assign(&exp, &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "error: {}: cannot read file: no such file or directory",
            exp.population.file.display()
        )
    );
}

#[test]
fn bom_crlf_semicolons_and_decimal_commas_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = fifty_fifty(dir.path());
    exp.population.filters = vec![
        filter(
            "Umsatz",
            FilterRule::Range {
                min: Some(10.0),
                max: None,
            },
        ),
        filter("Segment", FilterRule::NotIn(vec!["Test".into()])),
    ];
    exp.population.id_column = "Kundennummer".into();
    exp.assignment.stratify = vec!["Segment".into()];
    let text = "\u{FEFF}Kundennummer;Segment;Umsatz\r\n\
                K-1;Bestand;12,50\r\n\
                \"K;2\";Neu;9,99\r\n\
                K-3 ; Bestand ;10\r\n\
                K-4;Test;100\r\n\
                K-5;Neu;\"1000,0\"\r\n";
    fs::write(&exp.population.file, text).unwrap();
    let out = run(&exp);
    assert_eq!(out.newly_assigned, 3);
    assert_eq!(out.ineligible, 2);
    let rows = ledger_rows(&exp.assignment.file);
    let mut ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["K-1", "K-3", "K-5"]);
    let umsatz = out
        .balance
        .numeric
        .iter()
        .find(|c| c.column == "Umsatz")
        .unwrap();
    let total: f64 = umsatz
        .arms
        .iter()
        .map(|a| a.mean.unwrap_or(0.0) * a.n as f64)
        .sum();
    assert!((total - 1022.5).abs() < 1e-9, "{total}");
}
