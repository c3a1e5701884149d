//! The SVG charts: well-formed, one mark per input, self-contained, user
//! text escaped, zero lines inside the plot, edge cases drawn sensibly.
//! `render_samples` also writes every chart to `target/chart-samples/` for
//! a person to look at.

use std::path::PathBuf;

use pilot::format::Unit;
use pilot::report::svg::axis::{nice_ticks, pad_domain};
use pilot::report::svg::{
    Balance, BalanceBar, CashFlow, CashFlowMonth, EffectOverTime, Forest, ForestRow, Guardrail,
    HarmDirection, Histogram, Look, balance, cash_flow, effect_over_time, forest_plot, histogram,
};
use roxmltree::{Document, Node};

const EVIL: &str = r#"<script>alert("x")</script> & 'quoted'"#;

// ---------- helpers ----------

/// Parses the chart and checks the root element every chart must have.
fn parse(svg: &str) -> Document<'_> {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(root.attribute("width"), Some("100%"));
    assert_eq!(root.attribute("role"), Some("img"));
    assert!(root.attribute("aria-label").is_some());
    let view_box: Vec<f64> = root
        .attribute("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|v| v.parse().expect("numeric viewBox"))
        .collect();
    assert_eq!(view_box.len(), 4);
    assert!(view_box[2] > 0.0 && view_box[3] > 0.0);
    let first = root.children().find(Node::is_element).unwrap();
    assert_eq!(first.tag_name().name(), "title", "title comes first");
    doc
}

fn has_class(node: &Node, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|t| t == class))
}

/// Number of elements of class `mark` and `kind`.
fn marks(doc: &Document, kind: &str) -> usize {
    doc.descendants()
        .filter(|n| has_class(n, "mark") && has_class(n, kind))
        .count()
}

fn with_class<'a>(doc: &'a Document, class: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants().filter(|n| has_class(n, class)).collect()
}

fn num(node: &Node, attr: &str) -> f64 {
    node.attribute(attr)
        .unwrap_or_else(|| panic!("no {attr}"))
        .parse()
        .unwrap()
}

/// Nothing that loads or runs anything from outside the file.
fn assert_self_contained(svg: &str) {
    let without_ns = svg.replacen(r#"xmlns="http://www.w3.org/2000/svg""#, "", 1);
    let lower = without_ns.to_lowercase();
    for banned in [
        "http",
        "<script",
        "<image",
        "@import",
        "href",
        "<foreignobject",
        "<style",
        "javascript:",
    ] {
        assert!(!lower.contains(banned), "found {banned:?}");
    }
    for (i, _) in lower.match_indices("url(") {
        assert!(lower[i..].starts_with("url(#"), "external url( at {i}");
    }
    assert!(
        !svg.contains("NaN") && !lower.contains("inf\""),
        "non-finite"
    );
}

/// Every text node and attribute, for escape checks.
fn all_text(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for n in doc.descendants() {
        if let Some(t) = n.text() {
            out.push(t.to_string());
        }
        for a in n.attributes() {
            out.push(a.value().to_string());
        }
    }
    out
}

/// User text arrived intact as text, never as markup.
fn assert_escaped(doc: &Document, min_occurrences: usize) {
    assert!(
        doc.descendants().all(|n| n.tag_name().name() != "script"),
        "a script element got through"
    );
    let found = all_text(doc).iter().filter(|t| t.contains(EVIL)).count();
    assert!(
        found >= min_occurrences,
        "user text found {found} times, expected at least {min_occurrences}"
    );
}

/// The x (vertical zero line) or y (horizontal) of the zero line lies
/// strictly inside the range covered by the grid lines.
fn assert_zero_inside(doc: &Document, vertical: bool) {
    let zero = with_class(doc, "zero-line");
    assert_eq!(zero.len(), 1, "one zero line");
    let (a, b) = if vertical { ("x1", "x2") } else { ("y1", "y2") };
    let z = num(&zero[0], a);
    assert_eq!(z, num(&zero[0], b), "zero line is straight");
    let grid: Vec<f64> = with_class(doc, "grid").iter().map(|g| num(g, a)).collect();
    let lo = grid.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = grid.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(lo < z && z < hi, "zero at {z} outside grid {lo}..{hi}");
}

fn check(svg: &str) -> Document<'_> {
    assert_self_contained(svg);
    parse(svg)
}

// ---------- sample data ----------

fn forest_sample() -> Forest {
    Forest {
        title: "SMS reminder: effect on each metric".into(),
        x_label: String::new(),
        caption: "Bars show 95% intervals: the range of effects compatible with the data. \
                  Filled dots are significant."
            .into(),
        domain: None,
        rows: vec![
            ForestRow {
                in_own_units: None,
                label: "Revenue per customer".into(),
                estimate: 0.051,
                ci: Some((0.012, 0.09)),
                significant: true,
                favourable: Some(true),
                guardrail: None,
            },
            ForestRow {
                in_own_units: None,
                label: "Orders per customer".into(),
                estimate: 0.023,
                ci: Some((-0.01, 0.056)),
                significant: false,
                favourable: None,
                guardrail: None,
            },
            ForestRow {
                in_own_units: None,
                label: "Refund rate (guardrail)".into(),
                estimate: 0.004,
                ci: Some((-0.02, 0.031)),
                significant: false,
                favourable: None,
                guardrail: Some(Guardrail {
                    margin: 0.05,
                    harm_direction: HarmDirection::Increase,
                }),
            },
            ForestRow {
                in_own_units: None,
                label: "Support tickets".into(),
                estimate: -0.08,
                ci: Some((-0.15, -0.01)),
                significant: true,
                favourable: Some(true),
                guardrail: None,
            },
            ForestRow {
                in_own_units: None,
                label: "Average basket, customers in the north-western region".into(),
                estimate: -0.06,
                ci: Some((-0.11, -0.012)),
                significant: true,
                favourable: Some(false),
                guardrail: Some(Guardrail {
                    margin: 0.1,
                    harm_direction: HarmDirection::Decrease,
                }),
            },
            ForestRow {
                in_own_units: None,
                label: "Newsletter opens".into(),
                estimate: f64::NAN,
                ci: None,
                significant: false,
                favourable: None,
                guardrail: None,
            },
        ],
    }
}

fn histogram_sample() -> Histogram {
    let edges: Vec<f64> = (0..=20).map(|i| -4000.0 + 800.0 * f64::from(i)).collect();
    let counts = edges
        .windows(2)
        .map(|w| {
            let mid = (w[0] + w[1]) / 2.0;
            let z = (mid - 3000.0) / 2800.0;
            (10000.0 * 800.0 / (2800.0 * 2.5066) * (-0.5 * z * z).exp()).round() as u64
        })
        .collect();
    Histogram {
        title: "Net present value after 24 months (10,000 simulations)".into(),
        x_label: String::new(),
        caption: "Chance of losing money: 14%. Median: $3,000.".into(),
        currency: "$".into(),
        edges,
        counts,
        break_even: Some(0.0),
    }
}

fn cash_flow_sample() -> CashFlow {
    let months = (0..=24)
        .map(|m| {
            let m = f64::from(m);
            let median = -5000.0 + 600.0 * m;
            CashFlowMonth {
                p05: median - 500.0 - 180.0 * m,
                median,
                p95: median + 500.0 + 220.0 * m,
            }
        })
        .collect();
    CashFlow {
        title: "Cumulative cash from rolling out SMS reminders".into(),
        y_label: String::new(),
        caption: "The band holds 90% of 10,000 simulated futures.".into(),
        currency: "$".into(),
        months,
        payback_month: Some(8.33),
    }
}

fn effect_over_time_sample() -> EffectOverTime {
    let labels = ["Mar 3", "Mar 10", "Mar 17", "Mar 24", "Mar 31", "Apr 7"];
    let est = [0.08, 0.06, 0.05, 0.055, 0.05, 0.052];
    let half = [0.25, 0.12, 0.08, 0.06, 0.045, 0.038];
    EffectOverTime {
        title: "Revenue per customer, look by look".into(),
        y_label: "Change vs control".into(),
        caption: "Intervals are valid at every look, so checking early does not raise \
                  the risk of a false alarm."
            .into(),
        unit: Unit::Relative,
        domain: None,
        looks: labels
            .iter()
            .zip(est.iter().zip(half))
            .map(|(l, (e, h))| Look {
                label: (*l).into(),
                estimate: *e,
                ci: Some((e - h, e + h)),
                significant: e - h > 0.0,
            })
            .collect(),
    }
}

fn balance_sample() -> Balance {
    Balance {
        title: "Customers per group".into(),
        caption: "Groups within 3% of target: the split worked.".into(),
        units: ("customer".into(), "customers".into()),
        bars: vec![
            BalanceBar {
                label: "Control".into(),
                count: 1234,
                target: Some(1250.0),
            },
            BalanceBar {
                label: "SMS reminder".into(),
                count: 1266,
                target: Some(1250.0),
            },
        ],
    }
}

// ---------- axis ----------

#[test]
fn nice_ticks_use_1_2_2_5_5_steps() {
    let t = nice_ticks(0.0, 1.0, 6);
    assert_eq!(t.values, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    assert_eq!(t.step, 0.2);
    assert_eq!(
        nice_ticks(0.0, 100.0, 6).values,
        [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    );
    assert_eq!(
        nice_ticks(0.0, 10000.0, 5).values,
        [0.0, 2500.0, 5000.0, 7500.0, 10000.0]
    );
    assert_eq!(
        nice_ticks(-0.012, 0.047, 6).values,
        [-0.02, 0.0, 0.02, 0.04, 0.06]
    );
    assert_eq!(
        nice_ticks(-0.15, 0.09, 6).values,
        [-0.15, -0.1, -0.05, 0.0, 0.05, 0.1]
    );
    assert_eq!(nice_ticks(3.0, 7.0, 3).values, [2.5, 5.0, 7.5]);
    assert_eq!(nice_ticks(3.0, 7.0, 2).values, [2.5, 5.0, 7.5]);
}

#[test]
fn nice_ticks_cover_the_range_within_the_limit() {
    let cases = [
        (0.0, 1.0),
        (-3.7, 12.2),
        (0.001, 0.0013),
        (-5e6, 2e5),
        (1e-9, 3e-9),
        (123456.0, 123457.0),
        (-0.3, 0.3),
    ];
    for (lo, hi) in cases {
        for max in 2..=8 {
            let t = nice_ticks(lo, hi, max);
            assert!(
                t.values.len() >= 2 && t.values.len() <= max.max(3),
                "{lo} {hi} {max}: {t:?}"
            );
            assert!(t.lo() <= lo && t.hi() >= hi, "{lo} {hi}: {t:?}");
            let mantissa = t.step / 10f64.powf(t.step.log10().floor());
            assert!(
                [1.0, 2.0, 2.5, 5.0]
                    .iter()
                    .any(|m| (m - mantissa).abs() < 1e-9),
                "step {}",
                t.step
            );
        }
    }
}

#[test]
fn nice_ticks_print_cleanly() {
    let t = nice_ticks(0.0, 0.7, 8);
    let shown: Vec<String> = t.values.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        shown,
        ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]
    );
}

#[test]
fn nice_ticks_repair_degenerate_ranges() {
    assert_eq!(nice_ticks(0.0, 0.0, 5).values, [-1.0, -0.5, 0.0, 0.5, 1.0]);
    let t = nice_ticks(5.0, 5.0, 5);
    assert!(t.lo() < 5.0 && t.hi() > 5.0);
    assert_eq!(nice_ticks(2.0, 1.0, 5), nice_ticks(1.0, 2.0, 5));
    assert_eq!(
        nice_ticks(f64::NAN, 1.0, 5).values,
        [0.0, 0.25, 0.5, 0.75, 1.0]
    );
    assert_eq!(nice_ticks(0.0, 1.0, 0).values, [0.0, 0.5, 1.0]);
}

#[test]
fn pad_domain_widens_narrow_ranges() {
    assert_eq!(pad_domain(0.0, 0.0, 0.02), (-0.01, 0.01));
    assert_eq!(pad_domain(0.0, 0.5, 0.02), (0.0, 0.5));
    assert_eq!(pad_domain(10.0, 10.0, 0.0), (9.0, 11.0));
    assert_eq!(pad_domain(0.0, 0.0, 0.0), (-1.0, 1.0));
    assert_eq!(pad_domain(f64::NAN, 0.0, 1.0), (0.0, 1.0));
}

// ---------- forest ----------

#[test]
fn forest_has_one_mark_per_row() {
    let plot = forest_sample();
    let svg = forest_plot(&plot);
    let doc = check(&svg);
    let with_ci = plot.rows.iter().filter(|r| r.ci.is_some()).count();
    assert_eq!(marks(&doc, "interval"), with_ci);
    assert_eq!(marks(&doc, "estimate"), with_ci);
    assert_eq!(marks(&doc, "significant"), 3);
    assert_eq!(marks(&doc, "guardrail"), 2);
    assert_eq!(marks(&doc, "not-computable"), 1);
    assert_eq!(with_class(&doc, "row").len(), plot.rows.len());
    assert_zero_inside(&doc, true);
}

/// A metric with no relative change but a change in its own units (NPS
/// points) writes that change in its row: "not computable" would contradict
/// the table beside the chart.
#[test]
fn forest_row_without_a_percentage_writes_its_own_units() {
    let mut plot = forest_sample();
    let row = plot.rows.iter_mut().find(|r| r.ci.is_none()).unwrap();
    row.in_own_units = Some("+22.3 points (+5.9 points to +38.7 points)".into());
    let svg = forest_plot(&plot);
    let doc = check(&svg);
    let texts = all_text(&doc);
    assert!(
        texts
            .iter()
            .any(|t| t == "+22.3 points (+5.9 points to +38.7 points), not a %"),
        "{texts:?}"
    );
    assert!(!texts.iter().any(|t| t == "not computable"), "{texts:?}");
}

#[test]
fn forest_significance_shows_without_colour() {
    let doc_svg = forest_plot(&forest_sample());
    let doc = check(&doc_svg);
    for m in with_class(&doc, "estimate") {
        let filled = m.attribute("fill") != Some("#fff");
        assert_eq!(
            filled,
            has_class(&m, "significant"),
            "filled iff significant"
        );
    }
    let mut bold_rows = 0;
    for row in with_class(&doc, "row") {
        let significant = row.descendants().any(|n| has_class(&n, "significant"));
        let labels: Vec<Node> = row
            .descendants()
            .filter(|n| has_class(n, "label"))
            .collect();
        assert!(!labels.is_empty());
        for label in labels {
            let is_bold = label.attribute("font-weight") == Some("bold");
            assert_eq!(is_bold, significant, "bold label iff significant");
        }
        bold_rows += usize::from(significant);
    }
    assert_eq!(bold_rows, 3);
}

#[test]
fn forest_guardrail_sits_on_the_harmful_side() {
    let svg = forest_plot(&forest_sample());
    let doc = check(&svg);
    let zero = num(&with_class(&doc, "zero-line")[0], "x1");
    let guards: Vec<f64> = with_class(&doc, "guardrail")
        .iter()
        .map(|g| num(g, "x1"))
        .collect();
    // Row 3 harms upwards (+5%), row 5 downwards (-10%).
    assert!(guards[0] > zero && guards[1] < zero, "{guards:?} vs {zero}");
    assert!(guards.iter().all(|g| g.is_finite()));
}

#[test]
fn harm_direction_is_the_opposite_of_better() {
    use pilot::config::Direction;
    assert_eq!(
        HarmDirection::against(Direction::Increase),
        HarmDirection::Decrease
    );
    assert_eq!(
        HarmDirection::against(Direction::Decrease),
        HarmDirection::Increase
    );
}

#[test]
fn forest_clips_intervals_beyond_the_domain() {
    let plot = Forest {
        title: "Clipped".into(),
        domain: Some((-0.1, 0.1)),
        rows: vec![
            ForestRow {
                in_own_units: None,
                label: "Partly beyond".into(),
                estimate: 0.05,
                ci: Some((-0.02, 0.4)),
                ..ForestRow::default()
            },
            ForestRow {
                in_own_units: None,
                label: "Wholly beyond".into(),
                estimate: 0.5,
                ci: Some((0.3, 0.8)),
                significant: true,
                ..ForestRow::default()
            },
        ],
        ..Forest::default()
    };
    let svg = forest_plot(&plot);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "interval"), 2);
    assert_eq!(marks(&doc, "estimate"), 2);
    assert_eq!(marks(&doc, "off-scale"), 1);
    assert_eq!(
        with_class(&doc, "clip-arrow").len(),
        3,
        "2 in rows, 1 in legend"
    );
    assert_eq!(with_class(&doc, "off-scale-note").len(), 1);
    // Every interval stays within the grid.
    let grid: Vec<f64> = with_class(&doc, "grid")
        .iter()
        .map(|g| num(g, "x1"))
        .collect();
    let (lo, hi) = (grid[0], grid[grid.len() - 1]);
    for m in with_class(&doc, "interval") {
        for a in ["x1", "x2"] {
            let x = num(&m, a);
            assert!(x >= lo && x <= hi, "{x} outside {lo}..{hi}");
        }
    }
    // The numbers are still printed in full.
    assert!(svg.contains("+50.0%"));
}

#[test]
fn forest_auto_domain_ignores_absurd_values() {
    let plot = Forest {
        title: "Wild".into(),
        rows: vec![ForestRow {
            label: "Tiny sample".into(),
            estimate: 2.0,
            ci: Some((-50.0, 80.0)),
            ..ForestRow::default()
        }],
        ..Forest::default()
    };
    let doc_svg = forest_plot(&plot);
    let doc = check(&doc_svg);
    assert_eq!(with_class(&doc, "clip-arrow").len(), 3);
    let ticks: Vec<String> = with_class(&doc, "tick")
        .iter()
        .map(|t| t.text().unwrap().to_string())
        .collect();
    assert_eq!(ticks.first().map(String::as_str), Some("\u{2212}100%"));
    assert_eq!(ticks.last().map(String::as_str), Some("+300%"));
}

#[test]
fn forest_single_row_and_all_equal_values() {
    let plot = Forest {
        title: "One".into(),
        rows: vec![ForestRow {
            label: "Flat".into(),
            estimate: 0.0,
            ci: Some((0.0, 0.0)),
            ..ForestRow::default()
        }],
        ..Forest::default()
    };
    let svg = forest_plot(&plot);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "interval"), 1);
    assert_zero_inside(&doc, true);
    assert!(with_class(&doc, "grid").len() >= 2);
}

#[test]
fn forest_escapes_user_text() {
    let mut plot = forest_sample();
    plot.title = EVIL.into();
    plot.caption = EVIL.into();
    plot.x_label = EVIL.into();
    for row in &mut plot.rows {
        row.label = EVIL.into();
    }
    let svg = forest_plot(&plot);
    let doc = check(&svg);
    // Title, aria-label, desc, a tooltip per row, axis title.
    assert_escaped(&doc, 4 + plot.rows.len());
}

// ---------- histogram ----------

#[test]
fn histogram_has_one_bar_per_bin_and_hatches_losses() {
    let h = histogram_sample();
    let svg = histogram(&h);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "bar"), h.counts.len());
    assert_eq!(marks(&doc, "break-even"), 1);
    let losses = with_class(&doc, "loss");
    assert_eq!(losses.len(), 5, "bins below zero");
    assert!(
        losses
            .iter()
            .all(|l| l.attribute("fill") == Some("url(#pilot-hatch)"))
    );
    let pattern = doc
        .descendants()
        .find(|n| n.tag_name().name() == "pattern")
        .expect("inline hatch pattern");
    assert_eq!(pattern.attribute("id"), Some("pilot-hatch"));
    assert_eq!(pattern.parent().unwrap().tag_name().name(), "defs");
    assert_zero_inside(&doc, true);
}

#[test]
fn histogram_labels_money_axis_in_the_currency() {
    let mut h = histogram_sample();
    h.currency = "EUR".into();
    let svg = histogram(&h);
    let doc = check(&svg);
    let ticks: Vec<String> = with_class(&doc, "tick")
        .iter()
        .map(|t| t.text().unwrap().to_string())
        .collect();
    assert!(ticks.contains(&"0 EUR".to_string()), "{ticks:?}");
    assert!(ticks.contains(&"\u{2212}5k EUR".to_string()), "{ticks:?}");
}

#[test]
fn histogram_splits_a_bin_straddling_zero() {
    let h = Histogram {
        title: "Straddle".into(),
        currency: "$".into(),
        edges: vec![-100.0, 300.0],
        counts: vec![10],
        ..Histogram::default()
    };
    let svg = histogram(&h);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "bar"), 1);
    let bar = &with_class(&doc, "bar")[0];
    let loss = &with_class(&doc, "loss")[0];
    let zero = num(&with_class(&doc, "zero-line")[0], "x1");
    assert!(num(loss, "width") < num(bar, "width"));
    assert!((num(loss, "x") + num(loss, "width") - zero).abs() < 0.11);
}

#[test]
fn histogram_skips_bad_bins_and_handles_all_zero_counts() {
    let h = Histogram {
        title: "Odd".into(),
        currency: "$".into(),
        edges: vec![0.0, 10.0, 10.0, f64::NAN, 30.0],
        counts: vec![0, 0, 0, 0, 99],
        ..Histogram::default()
    };
    let svg = histogram(&h);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "bar"), 1);
    assert!(with_class(&doc, "loss").is_empty());
    assert!(doc.descendants().all(|n| n.tag_name().name() != "pattern"));
}

#[test]
fn histogram_escapes_user_text() {
    let mut h = histogram_sample();
    h.title = EVIL.into();
    h.caption = EVIL.into();
    h.x_label = EVIL.into();
    let doc_svg = histogram(&h);
    let doc = check(&doc_svg);
    assert_escaped(&doc, 4);
    // A currency symbol is user text too.
    h.currency = "<b>".into();
    let svg = histogram(&h);
    let doc = check(&svg);
    assert!(all_text(&doc).iter().any(|t| t.contains("<b>0")));
}

// ---------- cash flow ----------

#[test]
fn cash_flow_marks_band_median_points_and_payback() {
    let c = cash_flow_sample();
    let svg = cash_flow(&c);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "band"), 1);
    assert_eq!(marks(&doc, "median"), 1);
    assert_eq!(marks(&doc, "point"), c.months.len());
    assert_eq!(marks(&doc, "payback"), 1);
    let median = &with_class(&doc, "median")[0];
    assert_eq!(
        median.attribute("points").unwrap().split(' ').count(),
        c.months.len()
    );
    let band = &with_class(&doc, "band")[0];
    assert_eq!(
        band.attribute("points").unwrap().split(' ').count(),
        2 * c.months.len()
    );
    assert_zero_inside(&doc, false);
    assert!(svg.contains("pays back in month 9"));
}

#[test]
fn cash_flow_single_month_and_flat_values() {
    let c = CashFlow {
        title: "Flat".into(),
        currency: "$".into(),
        months: vec![CashFlowMonth::default()],
        ..CashFlow::default()
    };
    let svg = cash_flow(&c);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "point"), 1);
    assert_zero_inside(&doc, false);
}

#[test]
fn cash_flow_leaves_out_non_finite_months() {
    let mut c = cash_flow_sample();
    c.months[3].median = f64::NAN;
    c.months[4].p95 = f64::INFINITY;
    c.payback_month = Some(f64::NAN);
    let svg = cash_flow(&c);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "point"), c.months.len() - 2);
    assert_eq!(marks(&doc, "payback"), 0);
}

#[test]
fn cash_flow_escapes_user_text() {
    let mut c = cash_flow_sample();
    c.title = EVIL.into();
    c.caption = EVIL.into();
    c.y_label = EVIL.into();
    let svg = cash_flow(&c);
    let doc = check(&svg);
    assert_escaped(&doc, 4);
}

// ---------- effect over time ----------

#[test]
fn effect_over_time_has_one_point_per_look() {
    let c = effect_over_time_sample();
    let svg = effect_over_time(&c);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "estimate"), c.looks.len());
    assert_eq!(marks(&doc, "interval"), c.looks.len());
    assert_eq!(marks(&doc, "significant"), 2);
    assert_zero_inside(&doc, false);
    assert!(svg.contains("valid at every look"));
}

#[test]
fn effect_over_time_thins_labels_keeping_the_latest() {
    let looks: Vec<Look> = (1..=20)
        .map(|i| Look {
            label: format!("look {i}"),
            estimate: 0.5 * f64::from(i),
            ci: if i == 7 {
                None
            } else {
                Some((0.0, f64::from(i)))
            },
            significant: false,
        })
        .collect();
    let c = EffectOverTime {
        title: "Money".into(),
        unit: Unit::Money("$".into()),
        looks,
        ..EffectOverTime::default()
    };
    let svg = effect_over_time(&c);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "estimate"), 20);
    assert_eq!(marks(&doc, "interval"), 19);
    let x_labels: Vec<String> = doc
        .descendants()
        .filter(|n| has_class(n, "x-axis"))
        .flat_map(|g| g.descendants().filter(|n| has_class(n, "tick")))
        .map(|t| t.text().unwrap().to_string())
        .collect();
    assert!(x_labels.len() <= 6, "{x_labels:?}");
    assert_eq!(x_labels.last().map(String::as_str), Some("look 20"));
}

#[test]
fn effect_over_time_clips_early_wide_intervals_to_a_given_domain() {
    let mut c = effect_over_time_sample();
    c.domain = Some((-0.1, 0.2));
    let svg = effect_over_time(&c);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "interval"), c.looks.len());
    // Look 1 (+8% +/- 25%) runs past both ends; one more in the legend.
    assert_eq!(with_class(&doc, "clip-arrow").len(), 2 + 1);
}

#[test]
fn effect_over_time_single_look_and_missing_values() {
    let c = EffectOverTime {
        title: "One look".into(),
        looks: vec![
            Look {
                label: "today".into(),
                estimate: 0.0,
                ci: None,
                significant: false,
            },
            Look {
                label: "broken".into(),
                estimate: f64::NAN,
                ci: Some((0.0, 1.0)),
                significant: false,
            },
        ],
        ..EffectOverTime::default()
    };
    let svg = effect_over_time(&c);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "estimate"), 1);
    assert_eq!(marks(&doc, "interval"), 0);
    assert_eq!(marks(&doc, "not-computable"), 1);
    assert_zero_inside(&doc, false);
}

#[test]
fn effect_over_time_escapes_user_text() {
    let mut c = effect_over_time_sample();
    c.title = EVIL.into();
    c.caption = EVIL.into();
    c.y_label = EVIL.into();
    for l in &mut c.looks {
        l.label = EVIL.into();
    }
    let svg = effect_over_time(&c);
    let doc = check(&svg);
    assert_escaped(&doc, 4 + c.looks.len());
}

// ---------- balance ----------

#[test]
fn balance_has_one_bar_and_target_per_arm() {
    let b = balance_sample();
    let svg = balance(&b);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "bar"), 2);
    assert_eq!(marks(&doc, "target"), 2);
    assert!(svg.contains("1,234 customers (target 1,250)"));
}

#[test]
fn balance_handles_zero_counts_and_missing_targets() {
    let b = Balance {
        title: "Nothing yet".into(),
        bars: vec![
            BalanceBar {
                label: "A".into(),
                count: 0,
                target: None,
            },
            BalanceBar {
                label: "B".into(),
                count: 1,
                target: Some(f64::NAN),
            },
        ],
        ..Balance::default()
    };
    let svg = balance(&b);
    let doc = check(&svg);
    assert_eq!(marks(&doc, "bar"), 2);
    assert_eq!(marks(&doc, "target"), 0);
    for bar in with_class(&doc, "bar") {
        assert!(num(&bar, "width") >= 0.0);
    }
}

#[test]
fn balance_escapes_user_text() {
    let mut b = balance_sample();
    b.title = EVIL.into();
    b.caption = EVIL.into();
    for bar in &mut b.bars {
        bar.label = EVIL.into();
    }
    let svg = balance(&b);
    let doc = check(&svg);
    assert_escaped(&doc, 3 + b.bars.len());
}

// ---------- all charts ----------

#[test]
fn empty_input_gives_a_no_data_chart() {
    let charts = [
        forest_plot(&Forest {
            title: EVIL.into(),
            ..Forest::default()
        }),
        histogram(&Histogram {
            title: EVIL.into(),
            ..Histogram::default()
        }),
        cash_flow(&CashFlow {
            title: EVIL.into(),
            ..CashFlow::default()
        }),
        effect_over_time(&EffectOverTime {
            title: EVIL.into(),
            ..EffectOverTime::default()
        }),
        balance(&Balance {
            title: EVIL.into(),
            ..Balance::default()
        }),
    ];
    for svg in &charts {
        let doc = check(svg);
        assert_eq!(with_class(&doc, "mark").len(), 0);
        assert_eq!(with_class(&doc, "no-data").len(), 1);
        assert!(svg.contains("No data yet"));
        assert_escaped(&doc, 2);
    }
}

#[test]
fn charts_fit_their_view_box() {
    for svg in sample_charts().iter().map(|(_, s)| s) {
        let doc = parse(svg);
        let vb: Vec<f64> = doc
            .root_element()
            .attribute("viewBox")
            .unwrap()
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        for n in doc.descendants().filter(Node::is_element) {
            for (a, limit) in [("x", vb[2]), ("x1", vb[2]), ("x2", vb[2]), ("y", vb[3])] {
                if let Some(v) = n.attribute(a) {
                    let v: f64 = v.parse().unwrap();
                    assert!(
                        (0.0..=limit).contains(&v),
                        "{a}={v} outside 0..{limit} in {:?}",
                        n.attribute("class")
                    );
                }
            }
        }
    }
}

fn sample_charts() -> Vec<(&'static str, String)> {
    let mut clipped = forest_sample();
    clipped.title = "Zoomed to \u{b1}10%: wider intervals are clipped".into();
    clipped.domain = Some((-0.1, 0.1));
    clipped.rows.push(ForestRow {
        label: "Wholly off scale".into(),
        estimate: 0.5,
        ci: Some((0.3, 0.8)),
        significant: true,
        favourable: Some(true),
        guardrail: None,
        in_own_units: None,
    });
    let mut many_looks = effect_over_time_sample();
    many_looks.title = "Revenue per customer in dollars, 20 looks".into();
    many_looks.unit = Unit::Money("$".into());
    many_looks.looks = (1..=20)
        .map(|i| {
            let i = f64::from(i);
            let half = 6.0 / i.sqrt();
            Look {
                label: format!("day {}", i * 3.0),
                estimate: 1.2 + (i * 0.7).sin() * 0.3,
                ci: Some((1.2 - half, 1.2 + half)),
                significant: 1.2 - half > 0.0,
            }
        })
        .collect();
    many_looks.domain = Some((-2.0, 4.0));
    let mut eur = histogram_sample();
    eur.currency = "EUR".into();
    eur.edges = eur.edges.iter().map(|e| e * 120.0).collect();
    eur.title = "NPV in euros, large amounts".into();
    vec![
        ("forest", forest_plot(&forest_sample())),
        ("forest-clipped", forest_plot(&clipped)),
        ("histogram", histogram(&histogram_sample())),
        ("histogram-eur", histogram(&eur)),
        ("cash-flow", cash_flow(&cash_flow_sample())),
        (
            "effect-over-time",
            effect_over_time(&effect_over_time_sample()),
        ),
        ("effect-over-time-many", effect_over_time(&many_looks)),
        ("balance", balance(&balance_sample())),
        (
            "empty",
            forest_plot(&Forest {
                title: "No results yet".into(),
                ..Forest::default()
            }),
        ),
    ]
}

/// Writes every sample chart to `target/chart-samples/NAME.svg`, plus an
/// `index.html` showing them at phone and desktop widths, for people to
/// look at (convert with e.g. `rsvg-convert -w 360 NAME.svg > NAME.png`).
#[test]
fn render_samples() {
    // CARGO_TARGET_TMPDIR is <target>/tmp, whatever the target dir is.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("chart-samples");
    std::fs::create_dir_all(&dir).unwrap();
    let mut index = String::from(
        "<!doctype html><meta charset=utf-8><title>pilot chart samples</title>\
         <body style=\"font-family:system-ui;margin:16px\">",
    );
    for (name, svg) in sample_charts() {
        check(&svg);
        std::fs::write(dir.join(format!("{name}.svg")), &svg).unwrap();
        index.push_str(&format!(
            "<h2>{name}</h2><div style=\"display:flex;gap:24px;align-items:flex-start\">\
             <div style=\"width:360px;border:1px solid #ccc\">{svg}</div>\
             <div style=\"width:720px;border:1px solid #ccc\">{svg}</div></div>"
        ));
    }
    std::fs::write(dir.join("index.html"), index).unwrap();
}
