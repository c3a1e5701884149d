//! The `pilot` binary: init, validate and assign as a user runs them.

mod common;

use common::Sandbox;

const EXPERIMENT: &str = r#"[experiment]
name = "sms-test"

[[arms]]
name = "control"
weight = 0.5

[[arms]]
name = "sms"
weight = 0.5

[population]
file = "customers.csv"
filters = [ { column = "orders", min = 1 } ]

[assignment]
file = "ledger/assignments.csv"
stratify = ["segment"]
"#;

fn customers(n: usize) -> String {
    let mut csv = String::from("customer_id,segment,orders\n");
    for i in 0..n {
        let segment = ["retail", "online", "wholesale"][i % 3];
        csv.push_str(&format!("C{i:05},{segment},{}\n", i % 4));
    }
    csv
}

fn sandbox(n: usize) -> Sandbox {
    let s = Sandbox::new();
    s.write("exp.toml", EXPERIMENT)
        .write("customers.csv", customers(n));
    s
}

#[test]
fn every_command_has_help_with_an_example() {
    let s = Sandbox::new();
    for command in ["init", "validate", "assign"] {
        let out = s.pilot(&[command, "--help"]);
        assert!(out.ok().contains("Example"), "{command}: {}", out.stdout);
    }
    assert!(s.pilot(&["--help"]).ok().contains("Examples:"));
}

#[test]
fn init_writes_a_template_that_validates_after_editing_paths_and_never_overwrites() {
    let s = Sandbox::new();
    let out = s.pilot(&["init", "loyalty-sms"]);
    assert!(out.ok().starts_with("wrote experiments/loyalty-sms.toml\n"));
    let text = s.read("experiments/loyalty-sms.toml");
    assert!(text.contains("name = \"loyalty-sms\""));
    let again = s.pilot(&["init", "loyalty-sms"]);
    assert_eq!(
        again.fails(1),
        "error: experiments/loyalty-sms.toml: the file already exists; pilot never overwrites it\n"
    );
    assert_eq!(s.read("experiments/loyalty-sms.toml"), text);
    let bad = s.pilot(&["init", "Loyalty SMS"]);
    assert!(
        bad.fails(1).contains("lowercase letters, digits and '-'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn validate_reports_files_and_a_missing_column_with_its_use() {
    let s = sandbox(10);
    let out = s.pilot(&["validate", "exp.toml"]);
    let stdout = out.ok();
    assert!(stdout.starts_with("exp.toml is valid.\n"), "{stdout}");
    assert!(
        stdout.contains("ledger/assignments.csv: not written yet"),
        "{stdout}"
    );

    s.write(
        "exp.toml",
        EXPERIMENT.replace("[\"segment\"]", "[\"segmnt\"]"),
    );
    let err = s.pilot(&["validate", "exp.toml"]);
    assert_eq!(
        err.fails(1),
        "error: customers.csv:1: missing column `segmnt` (found: customer_id, segment, orders); did you mean `segment`?\n\
         help: exp.toml uses it as [assignment] stratify\n"
    );
}

#[test]
fn assign_is_deterministic_stable_under_growth_and_balanced() {
    let s = sandbox(300);
    let first = s.pilot(&["assign", "exp.toml"]);
    assert!(
        first
            .ok()
            .starts_with("Assigned 225 new customers; ledger: ledger/assignments.csv\n"),
        "{}",
        first.stdout
    );
    assert!(
        first
            .stdout
            .contains("Balance of 225 customers over 2 arms")
    );
    let ledger = s.read("ledger/assignments.csv");
    assert!(ledger.starts_with("customer_id,arm,stratum,assigned_at,design\n"));
    assert_eq!(ledger.lines().count(), 226);

    // Same input: nothing new, nothing rewritten.
    let again = s.pilot(&["assign", "exp.toml"]);
    assert!(
        again
            .ok()
            .starts_with("No new customers: the ledger ledger/assignments.csv is up to date.\n")
    );
    assert_eq!(s.read("ledger/assignments.csv"), ledger);

    // Growth: the first rows stay byte for byte, new customers are appended.
    s.write("customers.csv", customers(400));
    let grown = s.pilot(&["assign", "exp.toml"]);
    assert!(
        grown.ok().starts_with("Assigned 75 new customers"),
        "{}",
        grown.stdout
    );
    let after = s.read("ledger/assignments.csv");
    assert!(after.starts_with(&ledger));

    // Per stratum the split is within one customer.
    for segment in ["retail", "online", "wholesale"] {
        let arms: Vec<&str> = after
            .lines()
            .skip(1)
            .filter(|l| l.split(',').nth(2) == Some(segment))
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        let control = arms.iter().filter(|a| **a == "control").count() as i64;
        let sms = arms.len() as i64 - control;
        assert!((control - sms).abs() <= 1, "{segment}: {control} vs {sms}");
    }
}

#[test]
fn a_dry_run_writes_nothing() {
    let s = sandbox(50);
    let out = s.pilot(&["assign", "exp.toml", "--dry-run"]);
    assert!(
        out.ok()
            .starts_with("Dry run: would assign 37 new customers (nothing written).\n"),
        "{}",
        out.stdout
    );
    assert_eq!(s.files(), vec!["customers.csv", "exp.toml"]);
}

#[test]
fn changed_weights_are_refused_until_reassign_and_the_old_ledger_is_kept() {
    let s = sandbox(100);
    s.pilot(&["assign", "exp.toml"]).ok();
    let ledger = s.read("ledger/assignments.csv");
    s.write(
        "exp.toml",
        EXPERIMENT
            .replacen("weight = 0.5", "weight = 0.3", 1)
            .replacen("weight = 0.5", "weight = 0.7", 1),
    );
    let refused = s.pilot(&["assign", "exp.toml"]);
    let stderr = refused.fails(3);
    assert!(
        stderr.contains("weights control 0.50 / sms 0.50"),
        "{stderr}"
    );
    assert!(
        stderr.contains("weights control 0.30 / sms 0.70"),
        "{stderr}"
    );
    assert!(stderr.contains("--reassign"), "{stderr}");
    assert_eq!(s.read("ledger/assignments.csv"), ledger);

    let redone = s.pilot(&["assign", "exp.toml", "--reassign"]);
    assert!(
        redone
            .ok()
            .contains("The previous ledger was kept as ledger/assignments."),
        "{}",
        redone.stdout
    );
    let backups: Vec<String> = s
        .files()
        .into_iter()
        .filter(|f| f.starts_with("ledger/assignments.2"))
        .collect();
    assert_eq!(backups.len(), 1, "{:?}", s.files());
    assert_eq!(s.read(&backups[0]), ledger);
}

#[test]
fn broken_inputs_fail_with_exact_messages_and_write_nothing() {
    let cases: Vec<(&str, String, &str, String)> = vec![
        (
            "unknown key",
            EXPERIMENT.replace("weight = 0.5\n\n[[arms]]", "wieght = 0.5\n\n[[arms]]"),
            "",
            "error: exp.toml:6:1: unknown key `wieght` in [[arms]]; did you mean `weight`?\n  |\n6 | wieght = 0.5\n  | ^^^^^^\n".into(),
        ),
        (
            "negative weight",
            EXPERIMENT.replacen("weight = 0.5", "weight = -1", 1),
            "",
            "error: exp.toml:6:10: arm weight must be greater than 0, found -1\n  |\n6 | weight = -1\n  |          ^^\n".into(),
        ),
        (
            "ragged row",
            EXPERIMENT.to_string(),
            "customer_id,segment,orders\nC1,retail,2\nC2,retail\n",
            "error: customers.csv:3: expected 3 fields as in the header line, found 2\n".into(),
        ),
        (
            "non-numeric filter value",
            EXPERIMENT.to_string(),
            "customer_id,segment,orders\nC1,retail,two\n",
            "error: customers.csv:2: column `orders`: expected a number, found `two`; a range filter reads this column\n".into(),
        ),
        (
            "formula-like id",
            EXPERIMENT.to_string(),
            "customer_id,segment,orders\n=HYPERLINK(1),retail,2\n",
            "error: customers.csv:2: column `customer_id`: customer id `=HYPERLINK(1)` starts with `=`, \
             which spreadsheets run as a formula; pilot writes ids to the ledger unchanged, so it refuses \
             ids starting with =, +, - or @ (negative numbers included)\n"
                .into(),
        ),
        (
            "empty file",
            EXPERIMENT.to_string(),
            "",
            "error: customers.csv: the file is empty; expected a header line with columns\n".into(),
        ),
    ];
    for (what, toml, csv, expected) in cases {
        let s = Sandbox::new();
        s.write("exp.toml", &toml).write("customers.csv", csv);
        let before = s.files();
        let out = s.pilot(&["assign", "exp.toml"]);
        let stderr = out.fails(1);
        assert_eq!(stderr, expected, "{what}");
        assert_eq!(s.files(), before, "{what}: nothing may be written");
    }
}

/// Deleting a stratified ledger after analyses and assigning again moves
/// customers between groups (the split depends on arrival order): assign
/// must say so, and must not when nothing was analysed yet.
#[test]
fn rebuilding_a_stratified_ledger_after_analyses_warns() {
    let s = sandbox(300);
    let first = s.pilot(&["assign", "exp.toml"]);
    assert!(
        !first.ok().contains("warning: a new ledger"),
        "{}",
        first.stdout
    );
    // One recorded look (its content does not matter for the warning).
    s.write("exp.history.jsonl", "{\"look\": 1}\n");
    std::fs::remove_file(s.path("ledger/assignments.csv")).unwrap();
    let _ = std::fs::remove_file(s.path("ledger/assignments.design.json"));
    let dry = s.pilot(&["assign", "exp.toml", "--dry-run"]);
    assert!(
        !dry.ok().contains("warning: a new ledger"),
        "{}",
        dry.stdout
    );
    let rebuilt = s.pilot(&["assign", "exp.toml"]);
    let out = rebuilt.ok();
    assert!(
        out.contains(
            "warning: a new ledger was started, but the history records 1 analysis of this experiment."
        ),
        "{out}"
    );
    assert!(
        out.contains("put it back at ledger/assignments.csv"),
        "{out}"
    );
    // The ledger exists now: a later run is ordinary.
    s.write("customers.csv", customers(400));
    let grown = s.pilot(&["assign", "exp.toml"]);
    assert!(
        !grown.ok().contains("warning: a new ledger"),
        "{}",
        grown.stdout
    );
}

/// A missing input file names the setting that points at it, so the user
/// knows which line of the experiment file to correct.
#[test]
fn a_missing_population_file_names_its_setting() {
    let s = Sandbox::new();
    s.write("exp.toml", EXPERIMENT);
    let run = s.pilot(&["assign", "exp.toml"]);
    let err = run.fails(1);
    assert_eq!(
        err,
        "error: customers.csv: cannot read file: no such file or directory\n\
         help: exp.toml names it as [population] file; paths there are relative to the experiment file's folder\n"
    );
}

/// CSV values and the description reach the terminal only through the
/// sanitizer: an ESC cannot clear the screen or set the window title, and
/// a right-to-left override cannot reorder the table. Names with direction
/// controls are refused.
#[test]
fn terminal_escapes_in_files_are_not_printed_raw() {
    let s = Sandbox::new();
    let experiment = EXPERIMENT.replace(
        "name = \"sms-test\"\n",
        "name = \"sms-test\"\ndescription = \"clear \\u001b[2J title \\u001b]0;owned\\u0007 flip \\u202e\"\n",
    );
    s.write("exp.toml", &experiment);
    let mut csv = String::from("customer_id,segment,orders\n");
    for i in 0..40 {
        let segment = ["re\u{1b}[2Jtail", "on\u{202e}line"][i % 2];
        csv.push_str(&format!("C{i:05},{segment},1\n"));
    }
    s.write("customers.csv", csv);
    for command in ["validate", "assign"] {
        let run = s.pilot(&[command, "exp.toml"]);
        let out = run.ok();
        for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(!out.contains(bad), "{command} printed {bad:?} raw:\n{out}");
        }
        assert!(!run.stderr.contains('\u{1b}'), "{command}: {}", run.stderr);
    }
    assert!(
        s.pilot(&["assign", "exp.toml"])
            .ok()
            .contains("re\u{fffd}[2Jtail")
    );
    let flipped = EXPERIMENT.replace("name = \"sms\"", "name = \"sms\u{202e}\"");
    s.write("flipped.toml", &flipped);
    let err = s.pilot(&["validate", "flipped.toml"]).fails(1).to_string();
    assert!(err.contains("text-direction controls"), "{err}");
    assert!(!err.contains('\u{202e}'), "the error quoted it raw: {err}");
}
