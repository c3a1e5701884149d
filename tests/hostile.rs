//! Hostile input: a catalogue of broken experiment files and CSV exports
//! driven through the real binary. Every case must fail with the exact
//! message, a non-zero exit and no panic, and must leave every file in the
//! sandbox as it was (no ledger, history or report written or changed).
//! Inputs that real exports produce (BOM, CRLF, quotes, semicolons with
//! decimal commas, TRUE/false/yes) must give the same answer as plain CSV.

mod common;

use std::collections::BTreeMap;

use common::Sandbox;
use serde_json::Value;

const EXPERIMENT: &str = r#"[experiment]
name = "hostile"

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
name = "nps"
kind = "nps"
direction = "increase"

[[metrics]]
name = "csat"
kind = "csat"
direction = "increase"
"#;

const OUTCOMES: &str = "customer_id,bought,revenue,nps,csat\nC1,1,10,9,5\nC2,0,0,3,2\n";

fn customers() -> String {
    let mut out = String::from("customer_id,segment\n");
    for i in 1..=20 {
        out.push_str(&format!("C{i},s{}\n", i % 2));
    }
    out
}

/// The experiment file with `from` replaced by `to` (once, and it must occur).
fn exp_with(from: &str, to: &str) -> String {
    assert!(EXPERIMENT.contains(from), "{from}");
    EXPERIMENT.replacen(from, to, 1)
}

/// A sandbox with the experiment, 20 customers, outcomes and the ledger
/// `pilot assign` wrote.
fn base() -> Sandbox {
    let s = Sandbox::new();
    s.write("exp.toml", EXPERIMENT)
        .write("customers.csv", customers())
        .write("outcomes.csv", OUTCOMES);
    s.pilot(&["assign", "exp.toml"]).ok();
    s
}

/// Every file in the sandbox with its bytes.
fn snapshot(s: &Sandbox) -> BTreeMap<String, Vec<u8>> {
    s.files()
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(s.path(&f)).expect("read");
            (f, bytes)
        })
        .collect()
}

/// One broken input: `file` gets `content`, `pilot ARGS` must fail with
/// `message` as the first line of stderr.
struct Case {
    name: &'static str,
    file: &'static str,
    content: Vec<u8>,
    args: &'static [&'static str],
    message: &'static str,
}

fn case(
    name: &'static str,
    file: &'static str,
    content: impl Into<Vec<u8>>,
    args: &'static [&'static str],
    message: &'static str,
) -> Case {
    Case {
        name,
        file,
        content: content.into(),
        args,
        message,
    }
}

const VALIDATE: &[&str] = &["validate", "exp.toml"];
const ASSIGN: &[&str] = &["assign", "exp.toml"];
const ANALYZE: &[&str] = &["analyze", "exp.toml", "--html", "report.html"];

fn outcomes(rows: &str) -> String {
    format!("customer_id,bought,revenue,nps,csat\n{rows}")
}

fn ledger(rows: &str) -> String {
    format!("customer_id,arm,stratum,assigned_at,design\n{rows}")
}

fn catalogue() -> Vec<Case> {
    vec![
        // --- The experiment file ---
        case(
            "toml syntax error",
            "exp.toml",
            "[experiment\nname = \"x\"\n",
            VALIDATE,
            "error: exp.toml:1:12: invalid TOML: unclosed table, expected `]`",
        ),
        case(
            "toml unterminated string",
            "exp.toml",
            exp_with("name = \"hostile\"", "name = \"hostile"),
            ASSIGN,
            "error: exp.toml:2:16: invalid TOML: invalid basic string, expected `\"`",
        ),
        case(
            "unknown key",
            "exp.toml",
            exp_with("name = \"hostile\"\n", "name = \"hostile\"\ncolour = 1\n"),
            VALIDATE,
            "error: exp.toml:3:1: unknown key `colour` in [experiment]; expected one of: name, description, salt",
        ),
        case(
            "misspelt key",
            "exp.toml",
            exp_with("name = \"control\"\n", "name = \"control\"\nwieght = 0.5\n"),
            ASSIGN,
            "error: exp.toml:6:1: unknown key `wieght` in [[arms]]; did you mean `weight`?",
        ),
        case(
            "name of the wrong type",
            "exp.toml",
            exp_with("name = \"hostile\"", "name = 42"),
            VALIDATE,
            "error: exp.toml:2:8: `name` must be a string, found a number",
        ),
        case(
            "weight of the wrong type",
            "exp.toml",
            exp_with(
                "name = \"control\"\n",
                "name = \"control\"\nweight = \"half\"\n",
            ),
            VALIDATE,
            "error: exp.toml:6:10: `weight` must be a number, found a string",
        ),
        case(
            "weight zero",
            "exp.toml",
            exp_with("name = \"control\"\n", "name = \"control\"\nweight = 0\n"),
            VALIDATE,
            "error: exp.toml:6:10: arm weight must be greater than 0, found 0",
        ),
        case(
            "weight negative",
            "exp.toml",
            exp_with("name = \"control\"\n", "name = \"control\"\nweight = -1\n"),
            ASSIGN,
            "error: exp.toml:6:10: arm weight must be greater than 0, found -1",
        ),
        case(
            "weight nan",
            "exp.toml",
            exp_with("name = \"control\"\n", "name = \"control\"\nweight = nan\n"),
            VALIDATE,
            "error: exp.toml:6:10: `weight` must be a number, found nan (not a number)",
        ),
        case(
            "one arm",
            "exp.toml",
            exp_with("[[arms]]\nname = \"pilot\"\n", ""),
            VALIDATE,
            "error: exp.toml:4:1: an experiment needs at least two arms (the first is the control), found 1",
        ),
        case(
            "duplicate arms",
            "exp.toml",
            exp_with("name = \"pilot\"", "name = \"control\""),
            ASSIGN,
            "error: exp.toml:7:8: duplicate arm `control`; arm names must be unique",
        ),
        case(
            "unknown metric kind",
            "exp.toml",
            exp_with("kind = \"mean\"", "kind = \"median\""),
            ANALYZE,
            "error: exp.toml:26:8: unknown metric kind `median`; did you mean `mean`?",
        ),
        case(
            "alpha above one",
            "exp.toml",
            format!("{EXPERIMENT}\n[analysis]\nalpha = 1.5\n"),
            VALIDATE,
            "error: exp.toml:40:9: `alpha` must be between 0 and 1 (exclusive), found 1.5",
        ),
        case(
            "alpha zero",
            "exp.toml",
            format!("{EXPERIMENT}\n[analysis]\nalpha = 0\n"),
            ANALYZE,
            "error: exp.toml:40:9: `alpha` must be between 0 and 1 (exclusive), found 0",
        ),
        case(
            "experiment file not utf-8",
            "exp.toml",
            b"\xff\xfe[experiment]".to_vec(),
            VALIDATE,
            "error: exp.toml:1:1: the file is not UTF-8 text; save it with UTF-8 encoding",
        ),
        case(
            "experiment file empty",
            "exp.toml",
            "",
            ANALYZE,
            "error: exp.toml: missing section [experiment]",
        ),
        case(
            "weights too large to add up",
            "exp.toml",
            exp_with(
                "name = \"control\"\n",
                "name = \"control\"\nweight = 1e308\n",
            )
            .replacen(
                "name = \"pilot\"\n",
                "name = \"pilot\"\nweight = 1e308\n",
                1,
            ),
            ASSIGN,
            "error: exp.toml:6:10: arm weights are too large to add up",
        ),
        case(
            "coverage zero",
            "exp.toml",
            exp_with(
                "file = \"assignments.csv\"\n",
                "file = \"assignments.csv\"\ncoverage = 0\n",
            ),
            ASSIGN,
            "error: exp.toml:14:12: `coverage` must be greater than 0 and at most 1, found 0",
        ),
        case(
            "negative minimum per arm",
            "exp.toml",
            format!("{EXPERIMENT}\n[decision]\nmin_customers_per_arm = -5\n"),
            ANALYZE,
            "error: exp.toml:40:25: `min_customers_per_arm` must be a whole number of at least 1, found -5",
        ),
        // --- The population file (assign) ---
        case(
            "population empty",
            "customers.csv",
            "",
            ASSIGN,
            "error: customers.csv: the file is empty; expected a header line with columns",
        ),
        case(
            "population missing id column",
            "customers.csv",
            "id,segment\nC1,a\n",
            ASSIGN,
            "error: customers.csv:1: missing column `customer_id` (found: id, segment)",
        ),
        case(
            "population ragged",
            "customers.csv",
            "customer_id,segment\nC1,a\nC2\n",
            ASSIGN,
            "error: customers.csv:3: expected 2 fields as in the header line, found 1",
        ),
        case(
            "population duplicate id",
            "customers.csv",
            "customer_id,segment\nC1,a\nC1,b\n",
            ASSIGN,
            "error: customers.csv:3: column `customer_id`: customer id `C1` appears twice, on lines 2 and 3; each customer must appear once",
        ),
        case(
            "population not utf-8",
            "customers.csv",
            b"customer_id,segment\nC\xff1,a\n".to_vec(),
            ASSIGN,
            "error: customers.csv:2: column `customer_id`: the value is not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        case(
            "population binary garbage",
            "customers.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01".to_vec(),
            ASSIGN,
            "error: customers.csv:1: header field 1 is not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        case(
            "population utf-16",
            "customers.csv",
            b"\xff\xfec\x00u\x00s\x00".to_vec(),
            VALIDATE,
            "error: customers.csv: the file is UTF-16 text; save it as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        case(
            "population formula id",
            "customers.csv",
            "customer_id,segment\n=cmd(),a\n",
            ASSIGN,
            "error: customers.csv:2: column `customer_id`: customer id `=cmd()` starts with `=`, which spreadsheets run as a formula; pilot writes ids to the ledger unchanged, so it refuses ids starting with =, +, - or @ (negative numbers included)",
        ),
        // --- The ledger ---
        case(
            "ledger duplicate id in two arms (analyze)",
            "assignments.csv",
            ledger(
                "C1,control,,2026-11-22T20:58:22Z,v1:aa3ed732f277\nC1,pilot,,2026-11-22T20:58:22Z,v1:aa3ed732f277\n",
            ),
            ANALYZE,
            "error: assignments.csv:3: column `arm`: customer `C1` is in arm `pilot` here but in arm `control` on line 2; a customer must stay in one arm",
        ),
        case(
            "ledger duplicate id in two arms (assign)",
            "assignments.csv",
            ledger(
                "C1,control,,2026-11-22T20:58:22Z,v1:aa3ed732f277\nC1,pilot,,2026-11-22T20:58:22Z,v1:aa3ed732f277\n",
            ),
            ASSIGN,
            "error: assignments.csv:3: column `arm`: customer `C1` is in arm `pilot` here but in arm `control` on line 2; a customer must stay in one arm",
        ),
        case(
            "ledger arm not declared (analyze)",
            "assignments.csv",
            ledger(
                "C1,control,,2026-11-22T20:58:22Z,v1:aa3ed732f277\nC2,sms,,2026-11-22T20:58:22Z,v1:aa3ed732f277\n",
            ),
            ANALYZE,
            "error: assignments.csv:3: column `arm`: unknown arm `sms`; the experiment has arms control, pilot",
        ),
        case(
            "ledger arm not declared (assign)",
            "assignments.csv",
            ledger("C1,sms,,2026-11-22T20:58:22Z,v1:aa3ed732f277\n"),
            ASSIGN,
            "error: assignments.csv:2: column `arm`: unknown arm `sms`; the experiment has arms control, pilot",
        ),
        case(
            "ledger empty",
            "assignments.csv",
            "",
            ANALYZE,
            "error: assignments.csv: the file is empty; expected a header line with columns",
        ),
        case(
            "ledger ragged",
            "assignments.csv",
            "customer_id,arm\nC1,control,extra\n",
            ANALYZE,
            "error: assignments.csv:2: expected 2 fields as in the header line, found 3",
        ),
        // --- The outcome export (analyze) ---
        case(
            "outcomes empty",
            "outcomes.csv",
            "",
            ANALYZE,
            "error: outcomes.csv: the file is empty; expected a header line with columns",
        ),
        case(
            "outcomes only blank lines",
            "outcomes.csv",
            "\n\r\n  \n",
            ANALYZE,
            "error: outcomes.csv: the file is empty; expected a header line with columns",
        ),
        case(
            "outcomes ragged",
            "outcomes.csv",
            outcomes("C1,1,10\n"),
            ANALYZE,
            "error: outcomes.csv:2: expected 5 fields as in the header line, found 3",
        ),
        case(
            "outcomes not utf-8",
            "outcomes.csv",
            b"customer_id,bought,revenue,nps,csat\nC1,1,\xffx,9,5\n".to_vec(),
            ANALYZE,
            "error: outcomes.csv:2: column `revenue`: the value is not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        case(
            "outcomes binary garbage",
            "outcomes.csv",
            b"\x00\x01\x02\xff\x89PNG\r\n\x1a\n".to_vec(),
            ANALYZE,
            "error: outcomes.csv:1: header field 1 is not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        case(
            "outcomes old mac line ends",
            "outcomes.csv",
            "customer_id,bought,revenue,nps,csat\rC1,1,10,9,5\r",
            ANALYZE,
            "error: outcomes.csv: the file ends its lines with a carriage return only (old Mac format); save it with Windows or Unix line breaks",
        ),
        // Regression: an unclosed quote swallowed the rest of the file; the
        // error named line 1 and a field count, or the value was accepted.
        case(
            "outcomes unclosed quote",
            "outcomes.csv",
            outcomes("C1,1,\"10,9,5\nC2,1,1,1,1\n"),
            ANALYZE,
            "error: outcomes.csv:2: a quote `\"` opened in this row is never closed, so the rest of the file reads as one field; close or remove it",
        ),
        case(
            "outcomes unclosed quote in the last field",
            "outcomes.csv",
            outcomes("C1,1,1,1,1\nC2,1,1,1,\"1\n"),
            ANALYZE,
            "error: outcomes.csv:3: a quote `\"` opened in this row is never closed, so the rest of the file reads as one field; close or remove it",
        ),
        case(
            "population unclosed quote",
            "customers.csv",
            "customer_id,segment\nC1,\"a\nC2,b\n",
            ASSIGN,
            "error: customers.csv:2: a quote `\"` opened in this row is never closed, so the rest of the file reads as one field; close or remove it",
        ),
        case(
            "outcomes missing metric column",
            "outcomes.csv",
            "customer_id,bought,nps,csat\nC1,1,9,5\n",
            ANALYZE,
            "error: outcomes.csv:1: missing column `revenue` (found: customer_id, bought, nps, csat)",
        ),
        case(
            "outcomes missing id column",
            "outcomes.csv",
            "customer,bought,revenue,nps,csat\nC1,1,10,9,5\n",
            ANALYZE,
            "error: outcomes.csv:1: missing column `customer_id` (found: customer, bought, revenue, nps, csat); did you mean `customer`?",
        ),
        case(
            "outcomes duplicate header",
            "outcomes.csv",
            "customer_id,bought,revenue,revenue,nps,csat\nC1,1,10,10,9,5\n",
            ANALYZE,
            "error: outcomes.csv:1: column `revenue`: the header line names this column twice (fields 3 and 4); rename one of them",
        ),
        case(
            "outcomes blank id",
            "outcomes.csv",
            outcomes(",1,1,10,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `customer_id`: the customer id is blank",
        ),
        case(
            "outcomes non-numeric revenue",
            "outcomes.csv",
            outcomes("C1,1,ten,9,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `revenue`: expected a number, found `ten`",
        ),
        case(
            "outcomes thousands separator",
            "outcomes.csv",
            outcomes("C1,1,\"1,200\",9,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `revenue`: expected a number, found `1,200`",
        ),
        case(
            "outcomes nan",
            "outcomes.csv",
            outcomes("C1,1,NaN,9,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `revenue`: expected a finite number, found `NaN`",
        ),
        case(
            "outcomes infinity",
            "outcomes.csv",
            outcomes("C1,1,inf,9,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `revenue`: expected a finite number, found `inf`",
        ),
        case(
            "outcomes negative infinity",
            "outcomes.csv",
            outcomes("C2,0,0,3,2\nC1,1,-Infinity,9,5\n"),
            ANALYZE,
            "error: outcomes.csv:3: column `revenue`: expected a finite number, found `-Infinity`",
        ),
        case(
            "outcomes number overflowing f64",
            "outcomes.csv",
            outcomes("C1,1,1e400,9,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `revenue`: expected a number, found `1e400`",
        ),
        case(
            "binary metric with 2",
            "outcomes.csv",
            outcomes("C1,2,1,9,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `bought`: expected 0 or 1 (or yes/no, true/false), found `2`",
        ),
        case(
            "binary metric with maybe",
            "outcomes.csv",
            outcomes("C1,maybe,1,9,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `bought`: expected 0 or 1 (or yes/no, true/false), found `maybe`",
        ),
        case(
            "nps 11",
            "outcomes.csv",
            outcomes("C1,1,1,11,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `nps`: expected a whole number from 0 to 10, found `11`",
        ),
        case(
            "nps fraction",
            "outcomes.csv",
            outcomes("C1,1,1,7.5,5\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `nps`: expected a whole number from 0 to 10, found `7.5`",
        ),
        case(
            "csat 0",
            "outcomes.csv",
            outcomes("C1,1,1,10,0\n"),
            ANALYZE,
            "error: outcomes.csv:2: column `csat`: expected a whole number from 1 to 5, found `0`",
        ),
        case(
            "one customer's revenue overflows",
            "outcomes.csv",
            outcomes("C1,1,1e308,10,5\nC1,1,1e308,10,5\n"),
            ANALYZE,
            "error: outcomes.csv:3: column `revenue`: the values of metric `revenue` for this customer add up to more than pilot can represent; check the column's unit",
        ),
        // Regression: each customer's value was finite, the per-arm sums were
        // not, and the analysis said "every customer has the same value".
        case(
            "revenue of several customers overflows",
            "outcomes.csv",
            outcomes(
                "C1,1,1e308,10,5\nC2,1,1e308,10,5\nC3,1,1e308,10,5\nC10,1,1e308,10,5\nC13,1,1e308,10,5\n",
            ),
            ANALYZE,
            "error: outcomes.csv: column `revenue`: the values of metric `revenue` are too large to analyze (their squares add up to more than pilot can represent); check the column's unit",
        ),
        case(
            "revenue whose square overflows",
            "outcomes.csv",
            outcomes("C1,1,1e200,10,5\n"),
            ANALYZE,
            "error: outcomes.csv: column `revenue`: the values of metric `revenue` are too large to analyze (their squares add up to more than pilot can represent); check the column's unit",
        ),
        // Regression: `--html` replaced the ledger with the page (data
        // loss), and a page that could not be written left a new history.
        case(
            "html over the ledger",
            "outcomes.csv",
            OUTCOMES,
            &["analyze", "exp.toml", "--html", "assignments.csv"],
            "error: assignments.csv: `--html` names the ledger of this experiment, which the page would replace; choose another file name",
        ),
        case(
            "html over the outcome export",
            "outcomes.csv",
            OUTCOMES,
            &["analyze", "exp.toml", "--html", "./outcomes.csv"],
            "error: ./outcomes.csv: `--html` names the outcome export of this experiment, which the page would replace; choose another file name",
        ),
        case(
            "html over the experiment file",
            "outcomes.csv",
            OUTCOMES,
            &["analyze", "exp.toml", "--html", "exp.toml"],
            "error: exp.toml: `--html` names the experiment file of this experiment, which the page would replace; choose another file name",
        ),
        case(
            "html in a missing folder",
            "outcomes.csv",
            OUTCOMES,
            &["analyze", "exp.toml", "--html", "missing/report.html"],
            "error: missing/report.html: cannot create file: no such file or directory",
        ),
        case(
            "outcomes file missing",
            "elsewhere.csv",
            "",
            &["analyze", "exp.toml", "--format", "json"],
            "error: outcomes.csv: cannot read file: no such file or directory",
        ),
    ]
}

#[test]
fn every_broken_input_fails_with_its_message_and_writes_nothing() {
    let cases = catalogue();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let s = base();
        if c.name == "outcomes file missing" {
            std::fs::remove_file(s.path("outcomes.csv")).unwrap();
        }
        s.write(c.file, &c.content);
        let before = snapshot(&s);
        let run = s.pilot(c.args);
        let after = snapshot(&s);
        let first = run.stderr.lines().next().unwrap_or("");
        let mut problems = Vec::new();
        if run.code == 0 || run.code == 101 {
            problems.push(format!("exit code {}", run.code));
        }
        if run.stderr.contains("panicked") {
            problems.push("panicked".to_string());
        }
        if first != c.message {
            problems.push(format!(
                "message\n     got: {first}\n    want: {}",
                c.message
            ));
        }
        if before != after {
            let changed: Vec<&String> = after
                .keys()
                .chain(before.keys())
                .filter(|f| before.get(*f) != after.get(*f))
                .collect();
            problems.push(format!("files changed: {changed:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", c.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Regression: `pilot analyze ... | head` panicked with "failed printing to
/// stdout: Broken pipe" (exit 101) when the reader went away.
#[test]
fn a_closed_stdout_ends_quietly_without_a_panic() {
    let s = base();
    for args in [ANALYZE, ASSIGN, VALIDATE] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pilot"))
            .args(args)
            .current_dir(s.root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start pilot");
        drop(child.stdout.take()); // the reader goes away before any output
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_ne!(output.status.code(), Some(101), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// Runs `analyze --format json --no-history` and returns the report.
fn analyze_json(s: &Sandbox) -> Value {
    let run = s.pilot(&["analyze", "exp.toml", "--format", "json", "--no-history"]);
    serde_json::from_str(run.ok()).expect("valid JSON")
}

/// The plain export every dialect below must reproduce exactly:
/// (id, bought, revenue, nps, csat) per customer.
fn plain_rows() -> Vec<(String, u8, &'static str, u8, u8)> {
    let revenue = ["12.5", "0", "7.25", "30", "0.5"];
    (1..=20)
        .map(|i| {
            (
                format!("C{i}"),
                u8::from(i % 3 == 0),
                revenue[i % 5],
                (i % 11) as u8,
                (i % 5 + 1) as u8,
            )
        })
        .collect()
}

/// Analyzes `content` as the outcome export and returns the parts of the
/// report that depend on the data.
fn answer(content: &[u8]) -> (Value, Value) {
    let s = base();
    s.write("outcomes.csv", content);
    let report = analyze_json(&s);
    (report["metrics"].clone(), report["data"].clone())
}

#[test]
fn real_export_dialects_give_the_same_answer_as_plain_csv() {
    let rows = plain_rows();
    let mut plain = String::from("customer_id,bought,revenue,nps,csat\n");
    for (id, b, r, n, c) in &rows {
        plain.push_str(&format!("{id},{b},{r},{n},{c}\n"));
    }
    let expected = answer(plain.as_bytes());
    assert_eq!(expected.1["outcome_rows"], 20, "{:#}", expected.1);
    assert_eq!(expected.1["customers_with_outcomes"], 20);

    // Excel "CSV UTF-8" on Windows: BOM, CRLF, every field quoted.
    let mut excel =
        String::from("\u{feff}\"customer_id\",\"bought\",\"revenue\",\"nps\",\"csat\"\r\n");
    for (id, b, r, n, c) in &rows {
        excel.push_str(&format!("\"{id}\",\"{b}\",\"{r}\",\"{n}\",\"{c}\"\r\n"));
    }
    // Trailing whitespace in cells and header names, a blank line, no final newline.
    let mut sloppy = String::from("customer_id , bought,revenue ,nps,csat  \n\n");
    for (id, b, r, n, c) in &rows {
        sloppy.push_str(&format!("{id} ,{b} , {r}  ,{n}\t,{c} \n"));
    }
    let sloppy = sloppy.trim_end().to_string();
    // A European spreadsheet: semicolons and decimal commas.
    let mut european = String::from("customer_id;bought;revenue;nps;csat\n");
    for (id, b, r, n, c) in &rows {
        european.push_str(&format!("{id};{b};{};{n};{c}\n", r.replace('.', ",")));
    }
    // Shop systems writing booleans as words, in any case.
    let words = [
        ["false", "TRUE"],
        ["no", "yes"],
        ["FALSE", "True"],
        ["N", "y"],
    ];
    let mut booleans = String::from("customer_id,bought,revenue,nps,csat\n");
    for (k, (id, b, r, n, c)) in rows.iter().enumerate() {
        let word = words[k % words.len()][usize::from(*b)];
        booleans.push_str(&format!("{id},{word},{r},{n},{c}\n"));
    }
    // Tab separated with a quoted field holding the delimiter and a quote.
    let mut tabs = String::from("customer_id\tbought\trevenue\tnps\tcsat\tnote\n");
    for (id, b, r, n, c) in &rows {
        tabs.push_str(&format!(
            "{id}\t{b}\t{r}\t{n}\t{c}\t\"said \"\"hi\"\"\tthen left\"\n"
        ));
    }
    for (name, content) in [
        ("excel", excel),
        ("sloppy", sloppy),
        ("european", european),
        ("booleans", booleans),
        ("tabs", tabs),
    ] {
        assert_eq!(answer(content.as_bytes()), expected, "{name}");
    }
}

/// An outcome export with only its header is valid data with zero rows: the
/// pilot has no results yet. That is not a reason to stop, to roll out or to
/// investigate (nothing mismatched): keep piloting, with nothing computed.
#[test]
fn an_outcome_file_with_only_a_header_is_zero_rows_and_keeps_piloting() {
    for header in [
        "customer_id,bought,revenue,nps,csat\n",
        "\u{feff}customer_id;bought;revenue;nps;csat\r\n\r\n",
    ] {
        let s = base();
        s.write("outcomes.csv", header);
        let report = analyze_json(&s);
        assert_eq!(report["data"]["outcome_rows"], 0);
        assert_eq!(report["data"]["customers_with_outcomes"], 0);
        assert_eq!(report["data"]["ledger_customers"], 20);
        assert_eq!(
            report["decision"]["verdict"], "continue",
            "{:#}",
            report["decision"]
        );
        for metric in report["metrics"].as_array().unwrap() {
            assert_eq!(
                metric["comparisons"][0]["outcome"], "not_computable",
                "{}",
                metric["name"]
            );
        }
    }
}

/// Starts `pilot ARGS`, kills it after `delay` and waits for it. Returns
/// whether it was still running when killed.
fn kill_after(s: &Sandbox, args: &[&str], delay: std::time::Duration) -> bool {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pilot"))
        .args(args)
        .current_dir(s.root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start pilot");
    std::thread::sleep(delay);
    let running = child.try_wait().expect("poll").is_none();
    let _ = child.kill(); // it may have finished in between
    child.wait().expect("wait");
    running
}

/// Crash safety: `pilot assign` and `pilot analyze` killed at several points
/// of a 300,000-customer run leave the ledger, its design file, the history
/// and the HTML report either as they were or complete, never partial; the
/// temporary files of killed runs do not disturb a rerun.
#[test]
fn killed_runs_leave_old_or_complete_files_and_reruns_succeed() {
    const CUSTOMERS: usize = 300_000;
    let s = base();
    let old_ledger = s.read("assignments.csv");
    let old_design = s.read("assignments.design.json");
    let mut big = String::with_capacity(CUSTOMERS * 12);
    big.push_str("customer_id,segment\n");
    for i in 1..=CUSTOMERS {
        big.push_str(&format!("C{i},s{}\n", i % 2));
    }
    s.write("customers.csv", &big);

    let complete_ledger = |text: &str| {
        text.ends_with('\n')
            && text.lines().count() == CUSTOMERS + 1
            && text.lines().all(|l| l.split(',').count() == 5)
    };
    let mut interrupted = 0;
    for ms in [40, 200, 600] {
        interrupted += usize::from(kill_after(&s, ASSIGN, std::time::Duration::from_millis(ms)));
        let ledger = s.read("assignments.csv");
        assert!(
            ledger == old_ledger || complete_ledger(&ledger),
            "partial ledger after a kill at {ms} ms: {} lines",
            ledger.lines().count()
        );
        let design = s.read("assignments.design.json");
        assert!(
            design == old_design || serde_json::from_str::<Value>(&design).is_ok(),
            "partial design file after a kill at {ms} ms"
        );
    }
    assert!(interrupted > 0, "no assign run was killed mid-way");
    let run = s.pilot(ASSIGN);
    run.ok();
    assert!(complete_ledger(&s.read("assignments.csv")));

    // Analyze: a history with one look, then a big export.
    s.pilot(&["analyze", "exp.toml"]).ok();
    let old_history = s.read("exp.history.jsonl");
    assert_eq!(old_history.lines().count(), 1);
    let mut rows = String::with_capacity(CUSTOMERS * 20);
    rows.push_str("customer_id,bought,revenue,nps,csat\n");
    for i in 1..=CUSTOMERS {
        rows.push_str(&format!(
            "C{i},{},{}.5,{},{}\n",
            i % 2,
            i % 7,
            i % 11,
            i % 5 + 1
        ));
    }
    s.write("outcomes.csv", &rows);
    let mut interrupted = 0;
    for ms in [40, 200, 600] {
        interrupted += usize::from(kill_after(
            &s,
            ANALYZE,
            std::time::Duration::from_millis(ms),
        ));
        let history = s.read("exp.history.jsonl");
        let lines: Vec<&str> = history.lines().collect();
        assert!(
            history == old_history
                || (history.starts_with(&old_history)
                    && history.ends_with('\n')
                    && lines.len() == 2
                    && serde_json::from_str::<Value>(lines[1]).is_ok()),
            "partial history after a kill at {ms} ms"
        );
        if s.exists("report.html") {
            assert!(
                s.read("report.html").trim_end().ends_with("</html>"),
                "partial report after a kill at {ms} ms"
            );
        }
    }
    assert!(interrupted > 0, "no analyze run was killed mid-way");
    s.pilot(ANALYZE).ok();
    assert!(s.read("report.html").trim_end().ends_with("</html>"));
    s.pilot(ASSIGN).ok();
    // Whatever killed runs left behind is only their hidden temporary files.
    for file in s.files() {
        assert!(
            !file.starts_with('.') || file.ends_with(".tmp"),
            "unexpected file {file}"
        );
    }
}

/// Regression: summary shards with finite sums whose total overflows were
/// added up to infinity and reported as "every customer has the same value".
#[test]
fn summary_shards_whose_sums_overflow_are_refused() {
    let s = base();
    let exp = EXPERIMENT.replace("file = \"outcomes.csv\"", "summary = \"summary.csv\"");
    let exp = &exp[..exp.find("[[metrics]]\nname = \"nps\"").unwrap()];
    s.write("exp.toml", exp).write(
        "summary.csv",
        "arm,metric,n,sum,sum_squares\n\
         control,bought,100,20,20\n\
         pilot,bought,100,30,30\n\
         control,revenue,100,1e154,1e308\n\
         control,revenue,100,1e154,1e308\n\
         pilot,revenue,100,5,50\n",
    );
    let before = snapshot(&s);
    let err = s.pilot(ANALYZE).fails(1).to_string();
    assert_eq!(
        err.lines().next(),
        Some(
            "error: summary.csv:5: metric `revenue`: this row's sums added to the earlier rows of arm `control` exceed what pilot can represent; check the unit"
        )
    );
    assert_eq!(snapshot(&s), before);
    // One shard of each is fine.
    s.write(
        "summary.csv",
        "arm,metric,n,sum,sum_squares\n\
         control,bought,100,20,20\n\
         pilot,bought,100,30,30\n\
         control,revenue,100,1e154,1e308\n\
         pilot,revenue,100,5,50\n",
    );
    s.pilot(ANALYZE).ok();
}
