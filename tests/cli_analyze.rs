//! `pilot analyze` on generated data with known effects: the verdict, the
//! JSON schema, the history, health checks and `--check` exit codes.

mod common;

use common::{Rng, Sandbox};
use serde_json::Value;

const EXPERIMENT: &str = r#"[experiment]
name = "reminder"

[[arms]]
name = "control"
[[arms]]
name = "sms"

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
mde = 0.2

[[metrics]]
name = "revenue"
kind = "mean"
direction = "increase"

[[metrics]]
name = "complaints"
kind = "binary"
role = "guardrail"
direction = "decrease"
margin = 0.5

[analysis]
segments = ["segment"]

[decision]
min_customers_per_arm = 100
"#;

/// Effects: probability of buying and of complaining per arm.
struct Truth {
    bought: [f64; 2],
    complaints: [f64; 2],
}

/// A sandbox with customers assigned and outcomes generated from `truth`.
fn pilot_with(n: usize, truth: &Truth, seed: u64) -> Sandbox {
    let s = Sandbox::new();
    let mut customers = String::from("customer_id,segment\n");
    for i in 0..n {
        customers.push_str(&format!("C{i:05},{}\n", ["retail", "online"][i % 2]));
    }
    s.write("exp.toml", EXPERIMENT)
        .write("customers.csv", customers);
    s.pilot(&["assign", "exp.toml"]).ok();
    let ledger = s.read("assignments.csv");
    let mut rng = Rng(seed);
    let mut outcomes = String::from("customer_id,bought,revenue,complaints\n");
    for line in ledger.lines().skip(1) {
        let mut cells = line.split(',');
        let id = cells.next().unwrap();
        let arm = usize::from(cells.next() == Some("sms"));
        let bought = rng.uniform() < truth.bought[arm];
        let revenue = if bought {
            20.0 + 40.0 * rng.uniform()
        } else {
            0.0
        };
        let complained = rng.uniform() < truth.complaints[arm];
        outcomes.push_str(&format!(
            "{id},{},{revenue:.2},{}\n",
            u8::from(bought),
            u8::from(complained)
        ));
    }
    outcomes.push_str("STRANGER,1,10,0\n");
    s.write("outcomes.csv", outcomes);
    s
}

fn json(s: &Sandbox) -> Value {
    let out = s.pilot(&["analyze", "exp.toml", "--format", "json"]);
    serde_json::from_str(out.ok()).expect("valid JSON")
}

#[test]
fn a_clear_win_is_a_rollout_with_the_documented_json_fields() {
    // Fewer complaints with the reminder: the guardrail is shown within its
    // margin, which a rollout needs.
    let s = pilot_with(
        3000,
        &Truth {
            bought: [0.20, 0.30],
            complaints: [0.02, 0.01],
        },
        1,
    );
    let report = json(&s);
    assert_eq!(
        report["decision"]["verdict"], "rollout",
        "{:#}",
        report["decision"]
    );
    assert_eq!(report["decision"]["arm"], "sms");
    assert_eq!(report["experiment"]["name"], "reminder");
    let arms = report["arms"].as_array().unwrap();
    assert_eq!(arms.len(), 2);
    assert_eq!(
        arms.iter()
            .map(|a| a["customers"].as_u64().unwrap())
            .sum::<u64>(),
        3000
    );
    for key in ["chi2", "p_value", "mismatch"] {
        assert!(report["srm"].get(key).is_some(), "srm.{key}");
    }
    let bought = &report["metrics"][0];
    assert_eq!(
        (
            bought["name"].as_str(),
            bought["kind"].as_str(),
            bought["role"].as_str()
        ),
        (Some("bought"), Some("binary"), Some("primary"))
    );
    for key in ["arm", "n", "mean", "sd"] {
        assert!(bought["arms"][0].get(key).is_some(), "arms[].{key}");
    }
    let c = &bought["comparisons"][0];
    for key in [
        "arm",
        "test",
        "absolute",
        "relative",
        "p_value",
        "p_value_adjusted",
        "chance_to_beat_control",
    ] {
        assert!(c.get(key).is_some(), "comparisons[].{key}");
    }
    for key in ["estimate", "ci_low", "ci_high"] {
        assert!(
            c["absolute"].get(key).is_some() && c["relative"].get(key).is_some(),
            "{key}"
        );
    }
    assert_eq!(c["test"], "sequential");
    let lift = c["absolute"]["estimate"].as_f64().unwrap();
    assert!(
        (0.06..0.14).contains(&lift),
        "true lift 0.10, estimated {lift}"
    );
    assert!(c["absolute"]["ci_low"].as_f64().unwrap() > 0.0);
    let segments = bought["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 2, "{segments:?}");
    assert!(
        segments
            .iter()
            .all(|s| s["column"] == "segment" && s["comparisons"].as_array().unwrap().len() == 1)
    );
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("STRANGER"))
    );
}

#[test]
fn no_effect_means_continue_with_customers_still_needed() {
    let s = pilot_with(
        600,
        &Truth {
            bought: [0.20, 0.20],
            complaints: [0.02, 0.02],
        },
        2,
    );
    let report = json(&s);
    assert_eq!(
        report["decision"]["verdict"], "continue",
        "{:#}",
        report["decision"]
    );
    let more = report["decision"]["more_customers_per_arm"]
        .as_u64()
        .unwrap();
    // 20% relative of a 20% rate: about 1,100-1,700 per arm with sequential testing.
    assert!(more > 500, "{more}");
}

#[test]
fn a_harmed_guardrail_stops_even_when_the_primary_improves() {
    let s = pilot_with(
        3000,
        &Truth {
            bought: [0.20, 0.30],
            complaints: [0.02, 0.10],
        },
        3,
    );
    let report = json(&s);
    assert_eq!(
        report["decision"]["verdict"], "stop",
        "{:#}",
        report["decision"]
    );
    let reasons = report["decision"]["reasons"].to_string();
    assert!(
        reasons.contains("Guardrail complaints is likely worse than its margin allows"),
        "{reasons}"
    );
}

#[test]
fn a_sample_ratio_mismatch_means_investigate_and_check_exit_codes_follow_the_verdict() {
    let s = pilot_with(
        2000,
        &Truth {
            bought: [0.20, 0.30],
            complaints: [0.02, 0.01],
        },
        4,
    );
    let ok = s.pilot(&[
        "analyze",
        "exp.toml",
        "--format",
        "json",
        "--check",
        "--no-history",
    ]);
    assert_eq!(ok.code, 10, "{}", ok.stderr);
    // Lose a third of the sms customers, as a broken export would.
    let ledger = s.read("assignments.csv");
    let mut dropped = 0;
    let kept: Vec<&str> = ledger
        .lines()
        .filter(|l| {
            let drop = l.contains(",sms,") && dropped % 3 == 0;
            if l.contains(",sms,") {
                dropped += 1;
            }
            !drop
        })
        .collect();
    s.write("assignments.csv", kept.join("\n") + "\n");
    let out = s.pilot(&[
        "analyze",
        "exp.toml",
        "--format",
        "json",
        "--check",
        "--no-history",
    ]);
    assert_eq!(out.code, 13, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["srm"]["mismatch"], true);
    assert_eq!(report["decision"]["verdict"], "investigate");
}

#[test]
fn reruns_on_the_same_data_add_no_look_and_new_data_does() {
    let s = pilot_with(
        400,
        &Truth {
            bought: [0.2, 0.2],
            complaints: [0.02, 0.02],
        },
        5,
    );
    let first = json(&s);
    assert_eq!(first["history"]["recorded"], true);
    assert_eq!(first["history"]["looks"], 1);
    let again = json(&s);
    assert_eq!(again["history"]["recorded"], false);
    assert_eq!(s.read("exp.history.jsonl").lines().count(), 1);
    s.write("outcomes.csv", s.read("outcomes.csv") + "C00001,1,5,0\n");
    let third = json(&s);
    assert_eq!(third["history"]["looks"], 2);
    // Changing the weights mid-way is reported on every later run.
    let reweighted = EXPERIMENT
        .replacen("name = \"control\"", "name = \"control\"\nweight = 1", 1)
        .replacen("name = \"sms\"", "name = \"sms\"\nweight = 2", 1);
    s.write("exp.toml", reweighted);
    let changed = s.pilot(&["analyze", "exp.toml", "--format", "json"]);
    let report: Value = serde_json::from_str(changed.ok()).unwrap();
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("The experiment changed mid-way"),
        "{warnings}"
    );
}

#[test]
fn an_arm_the_experiment_does_not_declare_is_an_error_and_nothing_is_recorded() {
    let s = pilot_with(
        200,
        &Truth {
            bought: [0.2, 0.2],
            complaints: [0.02, 0.02],
        },
        6,
    );
    let ledger = s.read("assignments.csv").replacen(",sms,", ",sms-v2,", 1);
    s.write("assignments.csv", ledger);
    let out = s.pilot(&["analyze", "exp.toml"]);
    let stderr = out.fails(1);
    assert!(
        stderr.contains("unknown arm `sms-v2`; the experiment has arms control, sms"),
        "{stderr}"
    );
    assert!(!s.exists("exp.history.jsonl"));
}

#[test]
fn analyze_before_assign_says_what_to_do() {
    let s = Sandbox::new();
    s.write("exp.toml", EXPERIMENT)
        .write("customers.csv", "customer_id,segment\nA,retail\n");
    s.write("outcomes.csv", "customer_id,bought,revenue,complaints\n");
    let out = s.pilot(&["analyze", "exp.toml"]);
    assert_eq!(
        out.fails(1),
        "error: assignments.csv: the ledger does not exist yet\nhelp: run `pilot assign exp.toml` first\n"
    );
}

#[test]
fn too_few_customers_is_a_warning_and_never_a_rollout() {
    let s = pilot_with(
        120,
        &Truth {
            bought: [0.05, 0.95],
            complaints: [0.0, 0.0],
        },
        7,
    );
    let report = json(&s);
    assert_ne!(
        report["decision"]["verdict"], "rollout",
        "{:#}",
        report["decision"]
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("Too few customers for a verdict yet"),
        "{warnings}"
    );
}

#[test]
fn a_significant_lift_that_does_not_pay_is_a_stop_and_one_that_pays_rolls_out() {
    let roi = |monthly_cost: u32| {
        format!(
            "{EXPERIMENT}\n[roi]\ncustomers = 3000\nhorizon_months = 12\ndiscount_rate = 0.08\n\
             monthly_cost = {monthly_cost}\nmetric_window_months = 3\n\n\
             [[roi.benefits]]\nmetric = \"revenue\"\nunit_value = 1\nmargin = 0.5\n"
        )
    };
    let s = pilot_with(
        3000,
        &Truth {
            bought: [0.20, 0.30],
            complaints: [0.02, 0.01],
        },
        8,
    );
    // The lift is about 0.1 x 40 = 4 of revenue per customer per quarter:
    // 3000 customers x 4 / 3 months x 0.5 margin = about 2,000 a month.
    s.write("exp.toml", roi(50_000));
    let costly = json(&s);
    assert_eq!(
        costly["decision"]["verdict"], "stop",
        "{:#}",
        costly["decision"]
    );
    assert!(
        costly["decision"]["headline"]
            .to_string()
            .contains("rolling out is expected to lose")
    );
    assert!(costly["roi"]["probability_positive"].as_f64().unwrap() < 0.2);
    s.write("exp.toml", roi(100));
    let cheap = json(&s);
    assert_eq!(
        cheap["decision"]["verdict"], "rollout",
        "{:#}",
        cheap["decision"]
    );
    assert!(cheap["roi"]["probability_positive"].as_f64().unwrap() >= 0.8);
    for key in [
        "customers",
        "horizon_months",
        "npv",
        "roi_median",
        "probability_positive",
        "payback_months",
        "break_even_lift",
        "expected_loss",
    ] {
        assert!(cheap["roi"].get(key).is_some(), "roi.{key}");
    }
}

#[test]
fn html_report_is_written_atomically_and_self_contained() {
    let s = pilot_with(
        600,
        &Truth {
            bought: [0.2, 0.3],
            complaints: [0.02, 0.02],
        },
        9,
    );
    let out = s.pilot(&["analyze", "exp.toml", "--html", "report.html"]);
    out.ok();
    assert_eq!(out.stderr, "wrote report.html\n");
    let page = s.read("report.html");
    assert!(
        page.to_lowercase().starts_with("<!doctype html"),
        "{}",
        &page[..60]
    );
    assert!(page.contains("<svg"));
    for external in [
        "http://", "https://", "<script", "<link", "@import", " src=",
    ] {
        assert!(!page.contains(external), "{external}");
    }
    assert!(
        !s.files().iter().any(|f| f.ends_with(".tmp")),
        "{:?}",
        s.files()
    );
}

#[test]
fn report_renders_the_saved_analysis_without_the_data() {
    let s = pilot_with(
        600,
        &Truth {
            bought: [0.2, 0.3],
            complaints: [0.02, 0.02],
        },
        10,
    );
    let none = s.pilot(&["report", "exp.toml"]);
    assert_eq!(
        none.fails(1),
        "error: exp.report.json: there is no saved analysis yet\nhelp: run `pilot analyze exp.toml` first\n"
    );
    let analyzed = s.pilot(&["analyze", "exp.toml", "--format", "json"]);
    let analyzed = analyzed.ok().to_string();
    // The data is gone: report must not need it.
    std::fs::remove_file(s.path("outcomes.csv")).unwrap();
    let again = s.pilot(&[
        "report",
        "exp.toml",
        "--format",
        "json",
        "--html",
        "page.html",
    ]);
    assert_eq!(again.ok(), analyzed, "the saved report round-trips exactly");
    assert!(s.read("page.html").contains("<svg"));
    assert_eq!(
        s.read("exp.history.jsonl").lines().count(),
        1,
        "report records no look"
    );
}

/// The page, the saved report and the look go in place together: when one
/// of them cannot be written (here the saved report's path is a folder; a
/// full disk fails the same way), the history, the report and the page all
/// stay as they were, and no temporary file is left.
#[test]
fn a_failed_output_leaves_the_history_report_and_page_as_they_were() {
    let s = pilot_with(
        400,
        &Truth {
            bought: [0.2, 0.25],
            complaints: [0.02, 0.02],
        },
        11,
    );
    s.pilot(&["analyze", "exp.toml", "--html", "page.html"])
        .ok();
    let (history, report, page) = (
        s.read("exp.history.jsonl"),
        s.read("exp.report.json"),
        s.read("page.html"),
    );
    // New data, and the saved report cannot be replaced.
    s.write("outcomes.csv", s.read("outcomes.csv") + "C00002,1,7,0\n");
    std::fs::remove_file(s.path("exp.report.json")).unwrap();
    std::fs::create_dir(s.path("exp.report.json")).unwrap();
    let err = s
        .pilot(&["analyze", "exp.toml", "--html", "page.html"])
        .fails(1)
        .to_string();
    assert!(err.contains("exp.report.json"), "{err}");
    assert_eq!(s.read("exp.history.jsonl"), history, "a look was recorded");
    assert_eq!(s.read("page.html"), page, "the page was replaced");
    let files = s.files();
    assert!(!files.iter().any(|f| f.ends_with(".tmp")), "{files:?}");
    // Fixed, the next run records the look and saves all three.
    std::fs::remove_dir(s.path("exp.report.json")).unwrap();
    std::fs::write(s.path("exp.report.json"), &report).unwrap();
    s.pilot(&["analyze", "exp.toml", "--html", "page.html"])
        .ok();
    assert_eq!(s.read("exp.history.jsonl").lines().count(), 2);
    assert_ne!(s.read("exp.report.json"), report);
}

/// A FIFO as the outcome export is refused at once with what to do, instead
/// of hanging (pilot reads an input more than once).
#[cfg(target_os = "linux")]
#[test]
fn a_fifo_as_the_outcome_export_is_refused_not_waited_on() {
    let s = pilot_with(
        200,
        &Truth {
            bought: [0.2, 0.2],
            complaints: [0.02, 0.02],
        },
        3,
    );
    std::fs::remove_file(s.path("outcomes.csv")).unwrap();
    let fifo = std::ffi::CString::new(s.path("outcomes.csv").into_os_string().into_encoded_bytes())
        .unwrap();
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let started = std::time::Instant::now();
    let err = s.pilot(&["analyze", "exp.toml"]).fails(1).to_string();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(
        err.contains("outcomes.csv: is a pipe or a device, not a file"),
        "{err}"
    );
    assert!(err.contains("save the export to a file"), "{err}");
}

/// A segment column with more distinct values than segments can mean (an
/// email column, say) is refused with where and what to do, as in assign,
/// instead of taking memory and time per value.
#[test]
fn a_segment_column_with_too_many_values_is_refused() {
    let s = pilot_with(
        1200,
        &Truth {
            bought: [0.2, 0.2],
            complaints: [0.02, 0.02],
        },
        4,
    );
    let mut customers = String::from("customer_id,segment\n");
    for i in 0..1200 {
        customers.push_str(&format!("C{i:05},c{i}@example.com\n"));
    }
    s.write("customers.csv", customers);
    let err = s.pilot(&["analyze", "exp.toml"]).fails(1).to_string();
    assert!(
        err.contains("customers.csv:1002:")
            && err.contains("segment column `segment` has more than 1000 distinct values"),
        "{err}"
    );
    assert!(err.contains("[analysis] segments"), "{err}");
}
