//! `pilot status`: every experiment of a folder on one line, from the files
//! the other commands leave, without recomputing anything.

mod common;

use common::Sandbox;
use serde_json::Value;

const PLANNED: &str = r#"[experiment]
name = "planned-one"

[[arms]]
name = "control"
[[arms]]
name = "sms"

[population]
file = "customers.csv"

[assignment]
file = "ledger.csv"
"#;

/// The bundled sms example with its data paths made absolute, so the copy
/// analyses the real demo files from the sandbox.
fn sms_copy() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::read_to_string(format!("{root}/experiments/sms-reminder.toml"))
        .unwrap()
        .replace("\"../examples/", &format!("\"{root}/examples/"))
}

fn sandbox() -> Sandbox {
    let s = Sandbox::new();
    s.write("experiments/a-planned.toml", PLANNED)
        .write("experiments/b-broken.toml", "[experiment\nname = 1\n")
        .write("experiments/sms-reminder.toml", sms_copy())
        .write("experiments/notes.txt", "not an experiment");
    s
}

#[test]
fn each_stage_is_told_apart_and_the_verdict_comes_from_the_last_analysis() {
    let s = sandbox();
    let before = s.pilot(&["status"]);
    let text = before.ok();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("experiment"), "{text}");
    assert!(
        lines[1].starts_with("a-planned (planned-one)  planned"),
        "{text}"
    );
    assert!(lines[2].starts_with("b-broken"), "{text}");
    assert!(lines[2].contains("broken"), "{text}");
    assert!(lines[3].starts_with("sms-reminder"), "{text}");
    assert!(lines[3].contains("assigning      1,686"), "{text}");
    assert_eq!(lines.len(), 6, "{text}");

    s.pilot(&["analyze", "experiments/sms-reminder.toml"]).ok();
    let json = s.pilot(&["status", "experiments", "--format", "json"]);
    let rows: Value = serde_json::from_str(json.ok()).unwrap();
    let sms = &rows[2];
    assert_eq!(sms["stage"], "decided");
    assert_eq!(sms["customers"], 1686);
    assert_eq!(sms["looks"], 1);
    // The verdict and money are exactly those of the saved report.
    let report: Value =
        serde_json::from_str(&s.read("experiments/sms-reminder.report.json")).unwrap();
    assert_eq!(sms["verdict"], report["decision"]["verdict"]);
    assert_eq!(sms["arm"], report["decision"]["arm"]);
    assert_eq!(
        sms["expected_npv"],
        report["decision"]["arms"][0]["money"]["expected_npv"]
    );
    assert_eq!(sms["headline"], report["decision"]["headline"]);
    assert_eq!(rows[0]["stage"], "planned");
    assert_eq!(rows[0]["customers"], Value::Null);
    assert_eq!(rows[1]["stage"], "broken");
    assert!(
        rows[1]["problem"]
            .as_str()
            .unwrap()
            .starts_with("experiments/b-broken.toml:1"),
        "{}",
        rows[1]["problem"]
    );
}

#[test]
fn the_html_index_links_each_analysed_experiments_page() {
    let s = sandbox();
    s.pilot(&["analyze", "experiments/sms-reminder.toml"]).ok();
    s.pilot(&["status", "--html", "site/index.html"]).ok();
    let index = s.read("site/index.html");
    assert!(
        index.contains("<a href=\"sms-reminder.html\">sms-reminder</a>"),
        "{index}"
    );
    assert!(!index.contains("href=\"a-planned.html\""), "{index}");
    let page = s.read("site/sms-reminder.html");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!s.exists("site/a-planned.html"));
}

#[test]
fn a_folder_that_does_not_exist_says_what_to_give() {
    let s = Sandbox::new();
    let run = s.pilot(&["status", "nowhere"]);
    let err = run.fails(1);
    assert!(
        err.starts_with("error: nowhere: there is no such folder"),
        "{err}"
    );
    assert!(err.contains("pilot status experiments"), "{err}");
}
