//! The HTML page: built from the real pipeline on the bundled demo data and
//! from hand-made reports, parsed whole (the page is well-formed XML) and
//! checked for its sections, the marks of every chart, self-containment
//! and escaping. `render_samples` writes each example's page to
//! `target/html-samples/` for people (and screenshots) to look at.

use std::path::{Path, PathBuf};

use pilot::analysis::result::{ArmComparison, Estimate, Outcome, SegmentResult};
use pilot::config;
use pilot::history::Look;
use pilot::ingest::dataset;
use pilot::pipeline::{Context, build_report};
use pilot::report::html::render;
use pilot::report::model::{AnalysisReport, ArmRoi};
use roxmltree::{Document, Node, ParsingOptions};

const EXAMPLES: [&str; 3] = ["sms-reminder", "faster-support", "loyalty-discount"];
const NOW: &str = "2026-11-22T12:00:00Z";
/// Markup and every quote character, through every user field.
const EVIL: &str = r#"<script>alert(1)</script> "double" 'single' & ampersand"#;

// ---------- building reports ----------

/// The report of a bundled example as `pilot analyze` builds it, with the
/// outcome window optionally ending early (an earlier look).
fn demo_report(name: &str, window_end: Option<&str>, now: &str) -> AnalysisReport {
    let mut exp = config::load(Path::new(&format!("experiments/{name}.toml")))
        .unwrap_or_else(|e| panic!("{name}:\n{e}"));
    if let Some(end) = window_end {
        exp.outcomes.as_mut().expect("[outcomes]").to = Some(end.to_string());
    }
    let data = dataset::load(&exp).unwrap_or_else(|e| panic!("{name}:\n{e}"));
    // As the CLI does: the ROI's default rollout size is everyone eligible.
    let eligible_customers = match &exp.roi {
        Some(roi) if roi.customers.is_none() => Some(dataset::eligible_customers(&exp).unwrap()),
        _ => None,
    };
    build_report(
        &exp,
        &data,
        &Context {
            now: now.into(),
            eligible_customers,
            earlier_looks: Vec::new(),
            planned_customers_per_arm: None,
        },
    )
}

/// Two earlier looks of an example: the data as it stood after four and
/// eight weeks of the outcome window. The demo has one outcome file, so
/// each look gets the fingerprint a weekly export of its own would have.
fn demo_history(name: &str) -> Vec<Look> {
    [
        ("2026-09-28", "2026-10-05T09:00:00Z"),
        ("2026-10-26", "2026-11-02T09:00:00Z"),
    ]
    .iter()
    .map(|(end, at)| {
        let mut look = Look::of(&demo_report(name, Some(end), at));
        look.data_fingerprint = format!("xxh3:export-until-{end}");
        look
    })
    .collect()
}

// ---------- parsing helpers ----------

/// Parses the page as XML (it is written to be well-formed) and checks the
/// skeleton every page has.
fn parse(page: &str) -> Document<'_> {
    // The only DTD is `<!DOCTYPE html>`, which roxmltree refuses by default.
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(page, options)
        .unwrap_or_else(|e| panic!("not well-formed: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "html");
    for id in [
        "summary",
        "effects",
        "money",
        "over-time",
        "segments",
        "health",
        "method",
    ] {
        assert!(
            doc.descendants().any(|n| n.attribute("id") == Some(id)),
            "no section #{id}"
        );
    }
    doc
}

fn has_class(node: &Node, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|t| t == class))
}

/// The inline chart of `kind` (`forest`, `histogram`, ...), exactly one.
fn chart<'a, 'i>(doc: &'a Document<'i>, kind: &str) -> Node<'a, 'i> {
    let class = format!("pilot-{kind}");
    let charts: Vec<Node> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "svg" && has_class(n, &class))
        .collect();
    assert_eq!(charts.len(), 1, "expected one {kind} chart");
    charts[0]
}

fn has_chart(doc: &Document, kind: &str) -> bool {
    let class = format!("pilot-{kind}");
    doc.descendants()
        .any(|n| n.tag_name().name() == "svg" && has_class(&n, &class))
}

/// Descendants of `node` with all of `classes`.
fn count(node: Node, classes: &[&str]) -> usize {
    node.descendants()
        .filter(|n| classes.iter().all(|c| has_class(n, c)))
        .count()
}

/// Each inline `<svg>…</svg>` of the page source is well-formed on its own.
fn assert_svgs_well_formed(page: &str) -> usize {
    let mut found = 0;
    let mut rest = page;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("closed svg") + start + "</svg>".len();
        let svg = &rest[start..end];
        Document::parse(svg).unwrap_or_else(|e| panic!("inline svg not well-formed: {e}"));
        found += 1;
        rest = &rest[end..];
    }
    found
}

/// Nothing that loads or runs anything from outside the file.
fn assert_self_contained(page: &str) {
    let lower = page.to_lowercase();
    for banned in [
        "http://",
        "https://",
        "src=",
        "<script",
        "<link",
        "@import",
        "<iframe",
        "<object",
        "<embed",
        "<img",
        "<image",
        "javascript:",
        "@font-face",
    ] {
        assert!(!lower.contains(banned), "found {banned:?}");
    }
    for (i, _) in lower.match_indices("url(") {
        assert!(lower[i..].starts_with("url(#"), "external url( at {i}");
    }
    for (i, _) in lower.match_indices("href=") {
        assert!(lower[i..].starts_with("href=\"#"), "a link out at {i}");
    }
    for non_finite in ["NaN", "inf%", "\"inf\"", ">inf<"] {
        assert!(!page.contains(non_finite), "non-finite {non_finite}");
    }
}

/// The page's visible text (outside `<style>`), whitespace collapsed.
fn text(doc: &Document) -> String {
    let mut out = String::new();
    for n in doc.descendants().filter(Node::is_text) {
        if n.parent().is_some_and(|p| p.tag_name().name() == "style") {
            continue;
        }
        out.push_str(n.text().unwrap_or(""));
        out.push(' ');
    }
    // The page keeps numbers whole with word joiners after minus signs
    // and no-break spaces before units; compare the plain text.
    out.replace('\u{2060}', "")
        .replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn check(page: &str) -> Document<'_> {
    assert_self_contained(page);
    assert!(assert_svgs_well_formed(page) >= 1);
    parse(page)
}

// ---------- the bundled examples ----------

#[test]
fn every_example_has_every_chart_with_one_mark_per_item() {
    for name in EXAMPLES {
        let report = demo_report(name, None, NOW);
        let history = demo_history(name);
        let page = render(&report, &history);
        let doc = check(&page);

        let treatments = report.arms.len() - 1;
        let forest = chart(&doc, "forest");
        assert_eq!(
            count(forest, &["row"]),
            report.metrics.len() * treatments,
            "{name}: forest rows = metrics x treatment arms"
        );
        let drawable = report
            .metrics
            .iter()
            .flat_map(|m| &m.comparisons)
            .filter(|c| c.relative.is_some())
            .count();
        assert_eq!(count(forest, &["mark", "estimate"]), drawable, "{name}");
        assert_eq!(count(forest, &["mark", "interval"]), drawable, "{name}");
        let margins = report
            .metrics
            .iter()
            .filter(|m| m.role == pilot::config::Role::Guardrail && m.margin.is_some())
            .count();
        assert_eq!(
            count(forest, &["mark", "guardrail"]),
            margins * treatments,
            "{name}: guardrail margins marked"
        );
        assert_eq!(count(forest, &["zero-line"]), 1);

        let roi = report.roi.as_ref().expect("every example projects ROI");
        let hist = chart(&doc, "histogram");
        assert_eq!(
            count(hist, &["mark", "bar"]),
            roi.histogram.counts.len(),
            "{name}: histogram bars = bins"
        );
        assert_eq!(count(hist, &["mark", "break-even"]), 1);
        assert!(count(hist, &["loss"]) > 0, "{name}: loss side hatched");

        let flow = chart(&doc, "cash-flow");
        assert_eq!(
            count(flow, &["mark", "point"]),
            roi.horizon_months as usize + 1,
            "{name}: cash-flow months = horizon + 1"
        );
        assert_eq!(count(flow, &["mark", "band"]), 1);
        assert_eq!(
            count(flow, &["mark", "payback"]),
            usize::from(roi.payback_months.is_some())
        );

        let over_time = chart(&doc, "effect-over-time");
        assert_eq!(
            count(over_time, &["look"]),
            history.len() + 1,
            "{name}: looks = history + 1"
        );
        assert_eq!(
            count(chart(&doc, "balance"), &["mark", "bar"]),
            report.arms.len()
        );
    }
}

#[test]
fn the_summary_says_the_verdict_the_interval_and_the_money() {
    let report = demo_report("sms-reminder", None, NOW);
    let page = render(&report, &[]);
    let doc = check(&page);
    let h1: Vec<String> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "h1")
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    // The unsubscribe guardrail is more likely than not beyond its margin.
    assert_eq!(h1, ["Stop"]);
    let all = text(&doc);
    // What was tried, with the experiment's own description.
    assert!(all.contains("sms-reminder was tried on 1,686 customers (844 with sms, 842 in control for comparison)"), "{all}");
    assert!(all.contains("a reminder with a one-tap link"));
    // The primary metric in its own units: a rate, so percentage points.
    assert!(
        all.contains("Repeat purchases rose from 15.2% in control to 21.4% with sms: +6.2 pp (95% interval +2.4 pp to +10.1 pp, +41.1%); a clear improvement."),
        "{all}"
    );
    // The money the verdict rests on (under the prior), then the data alone.
    assert!(
        all.contains(
            "Rolling sms out to all 1,686 customers is expected to earn $512 over 12 months"
        ),
        "{all}"
    );
    assert!(all.contains("the chance it pays off is 47.1%"), "{all}");
    assert!(
        all.contains("From the measured effects alone it would be expected to come to $906 (59.3% chance it pays off)."),
        "{all}"
    );
    // The money section keeps the projection from the data alone.
    assert!(all.contains("pays back in month 1"), "{all}");
    // Every reason of the decision is listed.
    for reason in &report.decision.reasons {
        assert!(all.contains(reason.as_str()), "missing reason {reason}");
    }
    // Method notes: settings, fingerprints, version, time.
    for needle in [
        report.experiment.fingerprint.as_str(),
        report.data_fingerprint.as_str(),
        "group-sequential test",
        "Holm step-down",
        "2026-11-22 12:00 UTC",
        &report.pilot_version,
    ] {
        assert!(all.contains(needle), "method notes lack {needle}");
    }
}

#[test]
fn money_metrics_read_in_the_currency_and_a_rollout_names_the_arm() {
    let mut report = demo_report("loyalty-discount", None, NOW);
    let doc_text = {
        let page = render(&report, &[]);
        text(&check(&page))
    };
    // A CUPED-adjusted money metric: the adjusted average of the pilot
    // group (measured $16.78), so that the change is its difference to
    // the control's, in dollars.
    assert!(
        doc_text.contains("Gross margin per customer (90 days) fell from $16.28 in control to $15.19 (adjusted for what customers did before the pilot) with discount-10: \u{2212}$1.08 (95% interval \u{2212}$3.31 to +$1.14"),
        "{doc_text}"
    );
    // Three arms: the ROI of every arm side by side.
    assert!(doc_text.contains("Every arm"));

    report.decision.verdict = pilot::decide::verdict::Verdict::Rollout;
    report.decision.arm = Some("discount-15".into());
    let page = render(&report, &[]);
    let doc = check(&page);
    let h1 = doc
        .descendants()
        .find(|n| n.tag_name().name() == "h1")
        .unwrap();
    assert_eq!(h1.text(), Some("Roll out discount-15"));
}

#[test]
fn every_verdict_has_its_heading_and_style() {
    use pilot::decide::verdict::Verdict;
    let mut report = demo_report("sms-reminder", None, NOW);
    for (verdict, arm, title) in [
        (Verdict::Rollout, Some("sms"), "Roll out sms"),
        (Verdict::Continue, Some("sms"), "Keep piloting"),
        (Verdict::Stop, None, "Stop"),
        (Verdict::Investigate, None, "Investigate"),
    ] {
        report.decision.verdict = verdict;
        report.decision.arm = arm.map(String::from);
        let page = render(&report, &[]);
        let doc = check(&page);
        let header = doc
            .descendants()
            .find(|n| has_class(n, "verdict"))
            .expect("verdict header");
        assert!(has_class(&header, &format!("v-{}", verdict.as_str())));
        let h1 = header
            .descendants()
            .find(|n| n.tag_name().name() == "h1")
            .unwrap();
        assert_eq!(h1.text(), Some(title));
        let page_title = doc
            .descendants()
            .find(|n| n.tag_name().name() == "title")
            .unwrap();
        assert_eq!(
            page_title.text(),
            Some(format!("sms-reminder: {title}").as_str())
        );
    }
}

#[test]
fn surveys_show_response_rates_and_scores_that_cannot_be_drawn_are_explained() {
    let report = demo_report("faster-support", None, NOW);
    let page = render(&report, &[]);
    let all = text(&check(&page));
    assert!(
        all.contains(
            "Response rate of Satisfaction (CSAT): 36.5% in control, 34.6% in priority answered the survey"
        ),
        "{all}"
    );
    // NPS has no relative change: its row of the forest plot writes the
    // change in points (not "not computable", which would contradict the
    // table), and a note says why there is no bar.
    assert!(
        all.contains(
            "Net Promoter Score (secondary) +22.3 points (+5.5 points to +39.2 points), not a %"
        ),
        "{all}"
    );
    assert!(
        all.contains("Net Promoter Score has no percentage change for priority: "),
        "{all}"
    );
    assert!(!all.contains("not computable"), "{all}");
}

// ---------- history ----------

#[test]
fn with_one_look_the_page_says_so_and_with_two_it_tells_what_changed() {
    let report = demo_report("sms-reminder", None, NOW);
    let page = render(&report, &[]);
    let doc = check(&page);
    assert_eq!(count(chart(&doc, "effect-over-time"), &["look"]), 1);
    assert!(text(&doc).contains("This is the first look, so there is nothing to compare with yet"));

    let history = demo_history("sms-reminder");
    let page = render(&report, &history);
    let doc = check(&page);
    let all = text(&doc);
    assert!(
        all.contains("Since the previous look on 2026-11-02, with the same 1,686 customers and more of their outcomes, the estimate moved from +4.0 pp (+0.5 pp to +7.5 pp) to +6.2 pp (+2.4 pp to +10.1 pp); the interval widened by 0.8 pp."),
        "{all}"
    );

    // The current run already recorded as the last look is shown once.
    let mut recorded = history.clone();
    recorded.push(Look::of(&report));
    let page = render(&report, &recorded);
    let doc = check(&page);
    assert_eq!(
        count(chart(&doc, "effect-over-time"), &["look"]),
        history.len() + 1
    );
}

// ---------- escaping ----------

/// A report whose every user-supplied string is `EVIL` (with a suffix to
/// keep names distinct).
fn evil_report() -> AnalysisReport {
    let mut report = demo_report("loyalty-discount", None, NOW);
    let evil = |suffix: &str| format!("{EVIL} {suffix}");
    report.experiment.name = evil("name");
    report.experiment.description = evil("description");
    report.experiment.file = evil("file");
    let renames: Vec<(String, String)> = report
        .arms
        .iter()
        .map(|a| (a.name.clone(), evil(&a.name)))
        .collect();
    let rename = |name: &mut String| {
        if let Some((_, new)) = renames.iter().find(|(old, _)| old == name) {
            *name = new.clone();
        }
    };
    for arm in &mut report.arms {
        rename(&mut arm.name);
    }
    let fix_comparisons = |cs: &mut Vec<ArmComparison>| {
        for c in cs {
            rename(&mut c.arm);
        }
    };
    for (i, m) in report.metrics.iter_mut().enumerate() {
        m.name = evil(&format!("metric {i}"));
        // The first metric is shown by its label, the others by name.
        m.label = (i == 0).then(|| evil("label 0"));
        for a in &mut m.arms {
            rename(&mut a.arm);
        }
        fix_comparisons(&mut m.comparisons);
        for s in &mut m.segments {
            s.value = evil(&s.value);
            s.column = evil(&s.column);
            fix_comparisons(&mut s.comparisons);
        }
    }
    for a in &mut report.roi_by_arm {
        rename(&mut a.arm);
    }
    if let Some(arm) = &mut report.decision.arm {
        rename(arm);
    }
    report.decision.reasons.push(evil("reason"));
    report.warnings.push(evil("warning"));
    if let Some(roi) = &mut report.roi {
        roi.currency = "<$>".into();
    }
    report
}

#[test]
fn user_text_is_escaped_everywhere() {
    let report = evil_report();
    let page = render(&report, &demo_history("loyalty-discount"));
    let doc = check(&page);
    assert!(!page.contains("<script>"), "raw markup got through");
    assert!(!page.contains(EVIL), "raw user text got through");
    assert!(
        doc.descendants().all(|n| n.tag_name().name() != "script"),
        "a script element"
    );
    // The text arrived intact as text, in every place it was put.
    let occurrences = doc
        .descendants()
        .filter(|n| n.is_text() && n.text().is_some_and(|t| t.contains(EVIL)))
        .count();
    let all = text(&doc);
    for suffix in [
        "name",
        "description",
        "control",
        "discount-10",
        "discount-15",
        "label 0",
        "metric 2",
        "reason",
        "warning",
        "segment",
    ] {
        assert!(
            all.contains(&format!("{EVIL} {suffix}")),
            "{suffix} missing or mangled"
        );
    }
    // Segment values: every one is shown.
    let values = report.metrics[0].segments.len();
    assert!(occurrences > values, "{occurrences} occurrences");
    // User text in attributes (phone table labels, chart names) reads back
    // exactly as typed; no other attribute carries it.
    let mut labelled = 0;
    for n in doc.descendants() {
        for a in n.attributes() {
            if a.value().contains(EVIL) {
                assert!(
                    ["data-label", "aria-label"].contains(&a.name()),
                    "user text in {}",
                    a.name()
                );
                labelled += 1;
            }
        }
    }
    assert!(labelled > 0);
    assert!(
        doc.descendants()
            .any(|n| n.attribute("data-label") == Some(format!("{EVIL} control").as_str()))
    );
}

// ---------- hand-made reports ----------

#[test]
fn a_report_without_roi_segments_or_primary_still_explains_itself() {
    let mut report = demo_report("sms-reminder", None, NOW);
    report.roi = None;
    report.roi_by_arm = vec![ArmRoi {
        arm: "sms".into(),
        roi: None,
        not_computable: Some(
            "the number of customers reached is unknown; set [roi] customers".into(),
        ),
    }];
    for m in &mut report.metrics {
        m.segments.clear();
        if m.role == pilot::config::Role::Primary {
            m.role = pilot::config::Role::Secondary;
        }
    }
    report.srm = None;
    let page = render(&report, &[]);
    let doc = check(&page);
    assert!(!has_chart(&doc, "histogram") && !has_chart(&doc, "cash-flow"));
    let all = text(&doc);
    assert!(
        all.contains("There is no money projection: the number of customers reached is unknown"),
        "{all}"
    );
    assert!(all.contains("declares no primary metric"), "{all}");
    assert!(all.contains("No segments were analysed"), "{all}");
    assert!(all.contains("cannot be checked"), "{all}");
}

#[test]
fn a_comparison_that_cannot_be_computed_reads_na() {
    let mut report = demo_report("sms-reminder", None, NOW);
    let broken = ArmComparison {
        arm: "sms".into(),
        test: None,
        absolute: None,
        relative: None,
        relative_not_computable: None,
        p_value: None,
        p_value_adjusted: None,
        outcome: Outcome::NotComputable,
        chance_to_beat_control: None,
        fixed_horizon: None,
        not_computable: Some("no customer in sms has a value".into()),
        cuped: None,
    };
    report.metrics[0].comparisons = vec![broken.clone()];
    report.metrics[0].segments = vec![SegmentResult {
        column: "segment".into(),
        value: "retail".into(),
        customers: 10,
        comparisons: vec![ArmComparison {
            absolute: Some(Estimate {
                estimate: 0.1,
                ci_low: -0.2,
                ci_high: 0.4,
            }),
            outcome: Outcome::Inconclusive,
            ..broken
        }],
    }];
    let page = render(&report, &[]);
    let doc = check(&page);
    let all = text(&doc);
    assert!(
        all.contains("could not be compared yet: no customer in sms has a value"),
        "{all}"
    );
    let forest = chart(&doc, "forest");
    assert_eq!(count(forest, &["mark", "not-computable"]), 1);
}

// ---------- samples ----------

/// Writes each example's page to `target/html-samples/NAME.html`, with two
/// earlier looks so the over-time section tells a story.
#[test]
fn render_samples() {
    // CARGO_TARGET_TMPDIR is <target>/tmp, whatever the target dir is.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("html-samples");
    std::fs::create_dir_all(&dir).unwrap();
    for name in EXAMPLES {
        let page = render(&demo_report(name, None, NOW), &demo_history(name));
        check(&page);
        std::fs::write(dir.join(format!("{name}.html")), &page).unwrap();
    }
    let page = render(&evil_report(), &[]);
    std::fs::write(dir.join("escaping.html"), &page).unwrap();
}
