//! Segments read against the whole pilot: the likely (shrunken) change per
//! segment is the reports' headline segment view, it agrees with the
//! verdict for the metrics the decision reads, and each segment's measured
//! comparison is still there. Drives the real binary on the bundled
//! examples.

mod common;
use common::bundled;
use serde_json::Value;

fn json(name: &str) -> Value {
    serde_json::from_str(&bundled(name, "json")).expect("json report")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Weighted by customers, every pooled table's segments average to its
/// "all" row, in every bundled example.
#[test]
fn segments_average_to_their_all_row() {
    let mut tables = 0;
    for name in ["sms-reminder", "faster-support", "loyalty-discount"] {
        let report = json(name);
        for metric in report["metrics"].as_array().unwrap() {
            for pooled in metric["pooled_segments"].as_array().unwrap() {
                let segments = pooled["segments"].as_array().unwrap();
                let total: f64 = segments.iter().map(|s| f(&s["customers"])).sum();
                let average: f64 = segments
                    .iter()
                    .map(|s| f(&s["customers"]) / total * f(&s["likely"]["estimate"]))
                    .sum();
                let all = f(&pooled["all"]["estimate"]);
                let scale = all.abs().max(1e-9);
                assert!(
                    (average - all).abs() / scale < 1e-9,
                    "{name} {} by {}: {average} vs {all}",
                    metric["name"],
                    pooled["column"]
                );
                tables += 1;
            }
        }
    }
    assert!(tables >= 10, "{tables} pooled tables");
}

/// For the metrics the decision reads, the "all" row is the verdict's
/// likely change and interval; for the others it is the metric's own
/// measured change.
#[test]
fn the_all_row_is_the_verdicts_likely_change_or_the_measured_one() {
    for name in ["sms-reminder", "faster-support", "loyalty-discount"] {
        let report = json(name);
        let mut centred_on_decision = 0;
        for metric in report["metrics"].as_array().unwrap() {
            for pooled in metric["pooled_segments"].as_array().unwrap() {
                let arm = pooled["arm"].as_str().unwrap();
                let all = &pooled["all"];
                match pooled["centre"].as_str().unwrap() {
                    "decision" => {
                        centred_on_decision += 1;
                        let effect = report["decision"]["arms"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|a| a["arm"] == arm)
                            .and_then(|a| {
                                a["effects"]
                                    .as_array()
                                    .unwrap()
                                    .iter()
                                    .find(|e| e["metric"] == metric["name"])
                            })
                            .unwrap_or_else(|| panic!("{name}: no decision effect"));
                        assert!((f(&all["estimate"]) - f(&effect["shrunken"])).abs() < 1e-12);
                        assert!((f(&all["ci_low"]) - f(&effect["lower"])).abs() < 1e-9);
                        assert!((f(&all["ci_high"]) - f(&effect["upper"])).abs() < 1e-9);
                    }
                    "data" => {
                        let comparison = metric["comparisons"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|c| c["arm"] == arm)
                            .unwrap();
                        assert_eq!(all, &comparison["absolute"], "{name} {arm}");
                    }
                    other => panic!("centre {other}"),
                }
            }
        }
        assert!(centred_on_decision > 0, "{name}");
    }
}

/// sms-reminder: the 77 wholesale customers measured +16.9 pp on repeat
/// purchases; the segments do not differ beyond noise, so every segment
/// reads the verdict's +3.2 pp, and the measured figure stays beside it.
#[test]
fn a_striking_small_segment_reads_the_verdicts_change() {
    let text = bundled("sms-reminder", "terminal");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("the likely change in Repeat purchases is +3.2 pp"),
        "{text}"
    );
    let wholesale = text
        .lines()
        .skip_while(|l| !l.contains("Repeat purchases by segment"))
        .find(|l| l.trim_start().starts_with("wholesale"))
        .expect("wholesale row");
    let cells: Vec<&str> = wholesale.split_whitespace().collect();
    assert_eq!(
        cells[..4],
        ["wholesale", "77", "+16.9", "pp"],
        "{wholesale}"
    );
    assert_eq!(cells[4..6], ["+3.2", "pp"], "{wholesale}");
    assert!(
        text.contains("all, as the verdict reads it      1,686"),
        "{text}"
    );
}

/// Segments that differ keep their differences: faster-support's online
/// customers gained far more satisfaction than retail's, shrunken or not.
#[test]
fn segments_that_differ_keep_their_order() {
    let report = json("faster-support");
    let csat = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "csat")
        .unwrap();
    let pooled = &csat["pooled_segments"][0];
    assert_eq!(pooled["heterogeneity"], "differs");
    let likely = |value: &str| {
        pooled["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["value"] == value)
            .map(|s| f(&s["likely"]["estimate"]))
            .unwrap()
    };
    assert!(likely("online") > likely("retail") + 0.1);
}

/// Markdown and HTML lead with the likely table and keep each segment's
/// measured comparison (interval, p-value) one click away; JSON keeps the
/// raw per-segment comparisons.
#[test]
fn every_format_keeps_the_measured_segments() {
    let md = bundled("sms-reminder", "markdown");
    let likely = md
        .find("| segment | Customers | Measured | Likely | Likely range (95%) |")
        .expect("likely table");
    let measured = md
        .find("<details><summary>Measured per segment</summary>")
        .expect("measured table");
    assert!(likely < measured);
    assert!(
        md.contains("| wholesale | 77 | +16.9 pp | [-23.9 pp, +57.8 pp] |"),
        "{md}"
    );

    let dir = std::env::temp_dir().join(format!("pilot-segments-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_pilot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "analyze",
            "experiments/sms-reminder.toml",
            "--no-history",
            "--html",
        ])
        .arg(&page)
        .output()
        .expect("run pilot");
    assert!(status.status.success());
    let html = std::fs::read_to_string(&page).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let section = &html[html.find("<section id=\"segments\">").unwrap()..];
    let likely = section.find("Likely<small>95% range</small>").unwrap();
    let details = section
        .find("<details><summary>Measured per segment")
        .unwrap();
    assert!(likely < details);

    let report = json("sms-reminder");
    let segments = report["metrics"][0]["segments"].as_array().unwrap();
    let wholesale = segments
        .iter()
        .find(|s| s["column"] == "segment" && s["value"] == "wholesale")
        .unwrap();
    assert!(f(&wholesale["comparisons"][0]["p_value"]) > 0.0);
}
