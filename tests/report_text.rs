//! The analysis report as terminal text and Markdown: the verdict line,
//! metric rows and ROI lines exactly; widths, escape bytes, table shape and
//! escaping of user text as properties; one small report in full.

use pilot::analysis::compare::CupedInfo;
use pilot::analysis::health::Srm;
use pilot::analysis::result::{
    ArmComparison, ArmFigures, CapInfo, Estimate, FixedHorizon, MetricResult, Outcome,
    SegmentResult,
};
use pilot::decide::verdict::{Decision, Verdict};
use pilot::ingest::dataset::DataCounts;
use pilot::report::markdown;
use pilot::report::model::{
    AnalysisReport, ArmInfo, ArmRoi, ExperimentInfo, HistoryInfo, SCHEMA_VERSION, Settings,
};
use pilot::report::terminal::{self, Style};
use pilot::roi::{BreakEven, ExpectedLoss, Histogram, NormalNpv, NpvSummary, RoiReport};
use pilot::stats::TestKind;
use pilot::width::width;

// ---------- builders ----------

fn arm(name: &str, customers: u64, weight: f64) -> ArmInfo {
    ArmInfo {
        name: name.to_string(),
        customers,
        weight,
    }
}

fn figures(arm: &str, n: u64, mean: Option<f64>) -> ArmFigures {
    ArmFigures {
        arm: arm.to_string(),
        n,
        mean,
        sd: None,
        assigned: None,
        response_rate: None,
    }
}

fn estimate((estimate, ci_low, ci_high): (f64, f64, f64)) -> Estimate {
    Estimate {
        estimate,
        ci_low,
        ci_high,
    }
}

/// A computed comparison; `p_adjusted` equals `p` outside a correction.
#[allow(clippy::too_many_arguments)]
fn compared(
    arm: &str,
    test: TestKind,
    absolute: (f64, f64, f64),
    relative: Option<(f64, f64, f64)>,
    p: f64,
    p_adjusted: f64,
    outcome: Outcome,
    chance: f64,
) -> ArmComparison {
    ArmComparison {
        arm: arm.to_string(),
        test: Some(test),
        absolute: Some(estimate(absolute)),
        relative: relative.map(estimate),
        relative_not_computable: None,
        p_value: Some(p),
        p_value_adjusted: Some(p_adjusted),
        outcome,
        chance_to_beat_control: Some(chance),
        fixed_horizon: Some(FixedHorizon {
            estimate: absolute.0,
            std_error: (absolute.2 - absolute.1) / 3.92,
        }),
        not_computable: None,
        cuped: None,
    }
}

fn not_computable(arm: &str, why: &str) -> ArmComparison {
    ArmComparison {
        arm: arm.to_string(),
        test: None,
        absolute: None,
        relative: None,
        relative_not_computable: None,
        p_value: None,
        p_value_adjusted: None,
        outcome: Outcome::NotComputable,
        chance_to_beat_control: None,
        fixed_horizon: None,
        not_computable: Some(why.to_string()),
        cuped: None,
    }
}

fn metric(
    name: &str,
    kind: &'static str,
    role: &'static str,
    arms: Vec<ArmFigures>,
    comparisons: Vec<ArmComparison>,
) -> MetricResult {
    // The tests name kinds and roles as in experiment files.
    let text = |t: &str| serde_json::Value::String(t.to_string());
    MetricResult {
        name: name.to_string(),
        label: None,
        kind: serde_json::from_value(text(kind)).expect("metric kind"),
        role: serde_json::from_value(text(role)).expect("metric role"),
        direction: pilot::config::Direction::Increase,
        margin: None,
        arms,
        comparisons,
        segments: Vec::new(),
        pooled_segments: Vec::new(),
        cuped: None,
        cap: None,
    }
}

fn report(
    name: &str,
    description: &str,
    arms: Vec<ArmInfo>,
    metrics: Vec<MetricResult>,
    decision: Decision,
) -> AnalysisReport {
    let customers: u64 = arms.iter().map(|a| a.customers).sum();
    AnalysisReport {
        schema_version: SCHEMA_VERSION,
        pilot_version: "0.1.0".to_string(),
        generated_at: "2025-04-30T09:15:00Z".to_string(),
        experiment: ExperimentInfo {
            name: name.to_string(),
            description: description.to_string(),
            file: "experiment.toml".to_string(),
            fingerprint: "0123abcd".to_string(),
        },
        settings: Settings {
            alpha: 0.05,
            sequential: false,
            sequential_tuning: 5000.0,
            correction: pilot::config::Correction::Holm,
            group_sequential: None,
        },
        arms,
        srm: Some(Srm {
            chi_squared: 0.013,
            p_value: 0.91,
            mismatch: false,
        }),
        data: DataCounts {
            source: "rows".to_string(),
            ledger_customers: customers,
            outcome_rows: 5210,
            customers_with_outcomes: customers - 40,
            ..DataCounts::default()
        },
        data_fingerprint: "4567cdef".to_string(),
        metrics,
        roi: None,
        roi_by_arm: Vec::new(),
        decision,
        warnings: Vec::new(),
        history: Some(HistoryInfo {
            file: "experiment.history.jsonl".to_string(),
            looks: 3,
            recorded: true,
        }),
    }
}

fn roi_report() -> RoiReport {
    RoiReport {
        currency: "$".to_string(),
        customers: 12000.0,
        horizon_months: 24,
        draws: 10_000,
        seed: 7,
        monthly_discount_rate: 0.0064,
        pv_costs: 9000.0,
        pv_benefits: 17900.0,
        npv_estimate: 8900.0,
        roi_estimate: Some(0.99),
        payback_months: Some(4),
        break_even_lift: Some(BreakEven {
            metric: "conversion".to_string(),
            absolute: Some(0.011),
            relative: Some(0.0917),
        }),
        npv: NpvSummary {
            mean: 8700.0,
            p05: -1200.0,
            p50: 8450.0,
            p95: 19800.0,
        },
        roi_median: Some(0.94),
        probability_positive: 0.875,
        probability_payback: 0.86,
        expected_loss: ExpectedLoss {
            rollout: 310.0,
            stop: 6900.0,
        },
        analytic: NormalNpv {
            mean: 8900.0,
            sd: 6400.0,
            p05: -1627.0,
            p50: 8900.0,
            p95: 19427.0,
            probability_positive: 0.918,
            expected_loss: ExpectedLoss {
                rollout: 300.0,
                stop: 9200.0,
            },
        },
        cash_flow: Vec::new(),
        band: Vec::new(),
        histogram: Histogram {
            edges: vec![-5000.0, 0.0, 25000.0],
            counts: vec![1250, 8750],
        },
        notes: Vec::new(),
    }
}

/// Two arms, conversion improved, guardrail fine, rollout pays.
fn rollout() -> AnalysisReport {
    let conversion = metric(
        "conversion",
        "binary",
        "primary",
        vec![
            figures("control", 1204, Some(0.12)),
            figures("discount-10", 1198, Some(0.145)),
        ],
        vec![compared(
            "discount-10",
            TestKind::PooledZ,
            (0.025, 0.004, 0.046),
            Some((0.2083, 0.03, 0.39)),
            0.021,
            0.021,
            Outcome::Better,
            0.989,
        )],
    );
    let mut order_value = metric(
        "order value",
        "mean",
        "guardrail",
        vec![
            figures("control", 1204, Some(48.2)),
            figures("discount-10", 1198, Some(47.9)),
        ],
        vec![compared(
            "discount-10",
            TestKind::Welch,
            (-0.3, -1.9, 1.3),
            Some((-0.0062, -0.039, 0.027)),
            0.71,
            0.71,
            Outcome::Inconclusive,
            0.36,
        )],
    );
    order_value.margin = Some(0.05);
    // Metric-level figures only, as in a report saved before the per-arm
    // ones: the note falls back to them.
    order_value.cuped = Some(CupedInfo {
        theta: 0.61,
        variance_reduction: 0.34,
        applied: true,
        control_mean: None,
        treatment_mean: None,
    });
    order_value.cap = Some(CapInfo {
        quantile: 0.99,
        value: 412.5,
        customers_capped: 12,
    });
    let mut r = report(
        "Spring discount",
        "10% off the second order for returning customers.",
        vec![arm("control", 1204, 0.5), arm("discount-10", 1198, 0.5)],
        vec![conversion, order_value],
        Decision {
            verdict: Verdict::Rollout,
            arm: Some("discount-10".to_string()),
            reasons: vec![
                "discount-10 improved conversion from 12.0% to 14.5% (+2.5 pp, +20.8%; 95% \
                 interval +0.4 pp to +4.6 pp; p = 0.021)."
                    .to_string(),
                "No guardrail metric got worse beyond its margin.".to_string(),
                "Rolled out to everyone, it pays off with a 87.5% chance (median net present \
                 value $8,450)."
                    .to_string(),
            ],
            more_customers_per_arm: None,
            more_days: None,
            headline: String::new(),
            more_weeks: None,
            prior: String::new(),
            deadline: None,
            arms: Vec::new(),
            target: None,
        },
    );
    r.roi = Some(roi_report());
    r.roi_by_arm = vec![ArmRoi {
        arm: "discount-10".to_string(),
        roi: Some(roi_report()),
        not_computable: None,
    }];
    r
}

fn segment(value: &str, customers: u64, comparisons: Vec<ArmComparison>) -> SegmentResult {
    SegmentResult {
        column: "region".to_string(),
        value: value.to_string(),
        customers,
        comparisons,
    }
}

/// Three arms, nothing clear yet, segments with awkward values, one
/// comparison that cannot be computed, an NPS survey.
fn three_arm_continue() -> AnalysisReport {
    let arms = ["control", "sms-reminder", "email-reminder"];
    let mut repeat = metric(
        "repeat purchase",
        "binary",
        "primary",
        vec![
            figures(arms[0], 812, Some(0.231)),
            figures(arms[1], 798, Some(0.262)),
            figures(arms[2], 805, Some(0.244)),
        ],
        vec![
            compared(
                arms[1],
                TestKind::PooledZ,
                (0.031, -0.011, 0.073),
                Some((0.134, -0.05, 0.32)),
                0.03,
                0.06,
                Outcome::Inconclusive,
                0.93,
            ),
            compared(
                arms[2],
                TestKind::PooledZ,
                (0.013, -0.028, 0.054),
                Some((0.056, -0.12, 0.23)),
                0.54,
                0.54,
                Outcome::Inconclusive,
                0.73,
            ),
        ],
    );
    repeat.segments = vec![
        segment(
            "north",
            1320,
            vec![
                compared(
                    arms[1],
                    TestKind::PooledZ,
                    (0.072, 0.021, 0.123),
                    None,
                    0.0004,
                    0.0024,
                    Outcome::Better,
                    0.998,
                ),
                compared(
                    arms[2],
                    TestKind::PooledZ,
                    (0.004, -0.047, 0.055),
                    None,
                    0.88,
                    0.88,
                    Outcome::Inconclusive,
                    0.56,
                ),
            ],
        ),
        segment(
            "a|b",
            640,
            vec![
                compared(
                    arms[1],
                    TestKind::FisherExact,
                    (-0.012, -0.083, 0.059),
                    None,
                    0.74,
                    1.0,
                    Outcome::Inconclusive,
                    0.37,
                ),
                not_computable(arms[2], "the treatment arm has no customers yet"),
            ],
        ),
        segment(
            "*x*",
            455,
            vec![
                compared(
                    arms[1],
                    TestKind::PooledZ,
                    (0.02, -0.06, 0.1),
                    None,
                    0.63,
                    1.0,
                    Outcome::Inconclusive,
                    0.68,
                ),
                compared(
                    arms[2],
                    TestKind::PooledZ,
                    (0.031, -0.05, 0.112),
                    None,
                    0.45,
                    1.0,
                    Outcome::Inconclusive,
                    0.77,
                ),
            ],
        ),
    ];
    let basket = metric(
        "basket size",
        "ratio",
        "secondary",
        vec![
            figures(arms[0], 812, Some(2.41)),
            figures(arms[1], 798, Some(2.52)),
            figures(arms[2], 805, None),
        ],
        vec![
            compared(
                arms[1],
                TestKind::Welch,
                (0.11, -0.05, 0.27),
                Some((0.0456, -0.02, 0.11)),
                0.18,
                0.36,
                Outcome::Inconclusive,
                0.91,
            ),
            not_computable(
                arms[2],
                "the treatment arm's denominator adds up to zero (for example no orders \
                 yet), so the ratio is undefined",
            ),
        ],
    );
    let mut nps = metric(
        "recommend",
        "nps",
        "secondary",
        vec![
            ArmFigures {
                response_rate: Some(0.231),
                assigned: Some(812),
                ..figures(arms[0], 188, Some(21.3))
            },
            ArmFigures {
                response_rate: Some(0.218),
                assigned: Some(798),
                ..figures(arms[1], 174, Some(26.4))
            },
            ArmFigures {
                response_rate: Some(0.207),
                assigned: Some(805),
                ..figures(arms[2], 167, Some(19.8))
            },
        ],
        vec![
            compared(
                arms[1],
                TestKind::Welch,
                (5.1, -12.4, 22.6),
                None,
                0.57,
                1.0,
                Outcome::Inconclusive,
                0.72,
            ),
            compared(
                arms[2],
                TestKind::Welch,
                (-1.5, -19.3, 16.3),
                None,
                0.87,
                1.0,
                Outcome::Inconclusive,
                0.43,
            ),
        ],
    );
    let signed = "a percent change is not reported for a score that can be negative (such as \
                  NPS); use the point difference";
    for c in &mut nps.comparisons {
        c.relative_not_computable = Some(signed.to_string());
    }
    report(
        "Reminder messages",
        "Does a reminder two weeks after the first order bring customers back?",
        vec![
            arm(arms[0], 812, 1.0 / 3.0),
            arm(arms[1], 798, 1.0 / 3.0),
            arm(arms[2], 805, 1.0 / 3.0),
        ],
        vec![repeat, basket, nps],
        Decision {
            verdict: Verdict::Continue,
            arm: Some(arms[1].to_string()),
            reasons: vec![
                "The effect of sms-reminder on repeat purchase is not clear yet: +3.1 pp (95% \
                 interval -1.1 pp to +7.3 pp; p = 0.06)."
                    .to_string(),
                "To detect the target change of +3.0 pp in repeat purchase, about 1,600 \
                 customers per group are needed: 802 more, about 4 weeks at the current \
                 enrollment rate."
                    .to_string(),
            ],
            more_customers_per_arm: Some(802),
            more_days: Some(28.5),
            headline: String::new(),
            more_weeks: None,
            prior: String::new(),
            deadline: None,
            arms: Vec::new(),
            target: None,
        },
    )
}

const SRM_REASON: &str = "The groups are not the sizes the weights say: control 1,500 \
     (expected about 1,300), loyalty-card 1,100 (expected about 1,300) (p < 0.001). \
     Something in the assignment or the data export is off (customers moved, lost or \
     added by hand); fix that before trusting any result.";

/// The split is off: investigate, with data warnings.
fn investigate() -> AnalysisReport {
    let visits = metric(
        "visits",
        "mean",
        "primary",
        vec![
            figures("control", 1500, Some(3.12)),
            figures("loyalty-card", 1100, Some(3.31)),
        ],
        vec![compared(
            "loyalty-card",
            TestKind::Sequential,
            (0.19, -0.04, 0.42),
            Some((0.0609, -0.013, 0.135)),
            0.11,
            0.11,
            Outcome::Inconclusive,
            0.95,
        )],
    );
    let mut r = report(
        "Loyalty card",
        "",
        vec![arm("control", 1500, 0.5), arm("loyalty-card", 1100, 0.5)],
        vec![visits],
        Decision {
            verdict: Verdict::Investigate,
            arm: None,
            reasons: vec![SRM_REASON.to_string()],
            more_customers_per_arm: None,
            more_days: None,
            headline: String::new(),
            more_weeks: None,
            prior: String::new(),
            deadline: None,
            arms: Vec::new(),
            target: None,
        },
    );
    r.settings.sequential = true;
    r.settings.correction = pilot::config::Correction::None;
    r.srm = Some(Srm {
        chi_squared: 61.5,
        p_value: 4.4e-15,
        mismatch: true,
    });
    r.data.rows_unknown_customer = 12;
    r.warnings = vec![
        SRM_REASON.to_string(),
        "12 rows of the outcome export belong to customers who are not in the ledger (for \
         example C-991, C-1002); they are left out."
            .to_string(),
        "No ROI projection for loyalty-card: the number of customers reached is unknown; \
         set [roi] customers"
            .to_string(),
    ];
    r
}

// ---------- helpers ----------

const PLAIN: Style = Style {
    color: false,
    width: 100,
};

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[track_caller]
fn assert_has_line(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "missing line:\n{line}\nin:\n{text}"
    );
}

/// Unescaped `|` in a Markdown line (a `|` after an odd number of
/// backslashes is text).
fn cell_pipes(line: &str) -> usize {
    let mut pipes = 0;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => {
                pipes += 1;
                backslashes = 0;
            }
            _ => backslashes = 0,
        }
    }
    pipes
}

/// Every table (a run of lines starting with `|`) has a delimiter row
/// second and the same number of cells in every row.
#[track_caller]
fn assert_tables_well_formed(md: &str) {
    let mut tables = 0;
    let all = lines(md);
    let mut i = 0;
    while i < all.len() {
        if !all[i].starts_with('|') {
            i += 1;
            continue;
        }
        let start = i;
        while i < all.len() && all[i].starts_with('|') {
            i += 1;
        }
        let rows = &all[start..i];
        tables += 1;
        assert!(rows.len() >= 2, "table without delimiter row: {rows:?}");
        assert!(
            start == 0 || all[start - 1].is_empty(),
            "a table needs a blank line before it: {:?}",
            all[start - 1]
        );
        assert!(
            rows[1]
                .split('|')
                .filter(|c| !c.is_empty())
                .all(|c| matches!(c.trim(), "---" | "---:")),
            "second row is not a delimiter row: {}",
            rows[1]
        );
        let pipes = cell_pipes(rows[0]);
        for row in rows {
            assert!(row.ends_with('|'), "row does not end with |: {row}");
            assert_eq!(cell_pipes(row), pipes, "ragged row in table:\n{row}");
        }
    }
    assert!(tables > 0, "no table in:\n{md}");
}

// ---------- terminal ----------

#[test]
fn rollout_terminal_key_lines() {
    let out = terminal::render(&rollout(), PLAIN);
    assert_eq!(lines(&out)[0], "ROLL OUT discount-10");
    assert_has_line(
        &out,
        "  discount-10      1,198  14.5%  +2.5 pp    +20.8%  [+0.4 pp, +4.6 pp]  better",
    );
    assert_has_line(
        &out,
        "    p = 0.021, two-proportion z-test, 98.9% chance to beat control",
    );
    assert_has_line(
        &out,
        "  Net present value (data alone)   $8,450 median (5-95% range -$1,200 to $19,800)",
    );
    assert_has_line(
        &out,
        "  Break-even lift                  conversion +1.1 pp (+9.2%)",
    );
}

#[test]
fn rollout_terminal_in_full() {
    let out = terminal::render(&rollout(), PLAIN);
    let expected = "\
ROLL OUT discount-10
  - discount-10 improved conversion from 12.0% to 14.5% (+2.5 pp, +20.8%; 95% interval +0.4 pp to
    +4.6 pp; p = 0.021).
  - No guardrail metric got worse beyond its margin.
  - Rolled out to everyone, it pays off with a 87.5% chance (median net present value $8,450).

Experiment   Spring discount: 10% off the second order for returning customers.
Arms         control 1,204 customers, discount-10 1,198 customers (planned 50.0% / 50.0%)
Split check  group sizes match the planned split (p = 0.91)
Data         5,210 outcome rows read; 2,362 of 2,402 customers in the ledger have outcomes

conversion (rate, primary metric, higher is better)
  arm          customers   rate   change  relative        95% interval  outcome
  control          1,204  12.0%
  discount-10      1,198  14.5%  +2.5 pp    +20.8%  [+0.4 pp, +4.6 pp]  better
    p = 0.021, two-proportion z-test, 98.9% chance to beat control

order value (average, guardrail with a 5.0% margin, higher is better)
  arm          customers  average  change  relative    95% interval  outcome
  control          1,204     48.2
  discount-10      1,198     47.9  -0.300     -0.6%  [-1.90, +1.30]  unclear
    p = 0.71, Welch's t-test, 36.0% chance to beat control
  Note: Adjusted for each customer's value before the pilot (CUPED), which cut the variance by
        34.0%.
  Note: Values above 413 (the 99% quantile of all groups) were capped at it: 12 customers affected.

Return on investment of rolling out discount-10
  Customers reached                12,000
  Horizon                          24 months
  Net present value (data alone)   $8,450 median (5-95% range -$1,200 to $19,800)
  Chance it pays off (data alone)  87.5%
  Pays back (measured effect)      in month 4
  Break-even lift                  conversion +1.1 pp (+9.2%)
";
    assert_eq!(out, expected, "\n{out}");
}

#[test]
fn three_arm_terminal_rows_and_segments() {
    let out = terminal::render(&three_arm_continue(), PLAIN);
    assert_eq!(lines(&out)[0], "KEEP PILOTING");
    // The adjusted p-value is shown next to the raw one when they differ.
    assert_has_line(
        &out,
        "  sms-reminder          798  26.2%  +3.1 pp    +13.4%  [-1.1 pp, +7.3 pp]  unclear",
    );
    assert_has_line(
        &out,
        "    p = 0.030 (adjusted 0.060), two-proportion z-test, 93.0% chance to beat control",
    );
    // Not computable: the word in the table, the reason beneath.
    assert_has_line(
        &out,
        "  email-reminder        805    n/a                                       not computable",
    );
    assert_has_line(
        &out,
        "    Not computable: the treatment arm's denominator adds up to zero (for example no orders yet), so",
    );
    // Surveys: answers and response rate; NPS has no relative change.
    assert_has_line(
        &out,
        "  arm             answers  response   NPS  change  relative    95% interval  outcome",
    );
    assert_has_line(
        &out,
        "  sms-reminder        174     21.8%  26.4   +5.10       n/a  [-12.4, +22.6]  unclear",
    );
    let segments = "
Segments
  repeat purchase by region
    region  arm             customers   change         95% interval   p (adj.)  result
    north   sms-reminder        1,320  +7.2 pp  [+2.1 pp, +12.3 pp]  p = 0.002  better
            email-reminder             +0.4 pp   [-4.7 pp, +5.5 pp]   p = 0.88
    a|b     sms-reminder          640  -1.2 pp   [-8.3 pp, +5.9 pp]   p > 0.99
            email-reminder                                                      not computable
    *x*     sms-reminder          455  +2.0 pp  [-6.0 pp, +10.0 pp]   p > 0.99
            email-reminder             +3.1 pp  [-5.0 pp, +11.2 pp]   p > 0.99
";
    assert!(out.ends_with(segments), "\n{out}");
}

#[test]
fn investigate_terminal_in_full() {
    let out = terminal::render(&investigate(), PLAIN);
    // The blocking finding is the reason; it is not repeated as a warning.
    let expected = "\
INVESTIGATE
  - The groups are not the sizes the weights say: control 1,500 (expected about 1,300), loyalty-card
    1,100 (expected about 1,300) (p < 0.001). Something in the assignment or the data export is off
    (customers moved, lost or added by hand); fix that before trusting any result.

Experiment   Loyalty card
Arms         control 1,500 customers, loyalty-card 1,100 customers (planned 50.0% / 50.0%)
Split check  MISMATCH: the group sizes are not what the planned split says (p < 0.001)
Data         5,210 outcome rows read; 2,560 of 2,600 customers in the ledger have outcomes

visits (average, primary metric, higher is better)
  arm           customers  average  change  relative       95% interval  outcome
  control           1,500     3.12
  loyalty-card      1,100     3.31  +0.190     +6.1%  [-0.0400, +0.420]  unclear
    p = 0.11, always-valid sequential test, 95.0% chance to beat control (not adjusted for repeated
    looks)

! 12 rows of the outcome export belong to customers who are not in the ledger (for example C-991,
  C-1002); they are left out.
! No ROI projection for loyalty-card: the number of customers reached is unknown; set [roi]
  customers
";
    assert_eq!(out, expected, "\n{out}");
}

#[test]
fn terminal_lines_fit_the_width() {
    let mut long = three_arm_continue();
    let name = "email-reminder-with-a-very-long-name-nobody-would-type".repeat(3);
    long.arms[2].name = name.clone();
    for m in &mut long.metrics {
        m.arms[2].arm = name.clone();
        m.comparisons[1].arm = name.clone();
    }
    long.roi = Some(roi_report());
    for report in [rollout(), three_arm_continue(), investigate(), long] {
        for columns in [100, 80, 60, 40, 1] {
            let out = terminal::render(
                &report,
                Style {
                    color: false,
                    width: columns,
                },
            );
            let limit = columns.max(terminal::MIN_WIDTH);
            for l in out.lines() {
                assert!(width(l) <= limit, "{} columns > {limit}:\n{l}", width(l));
            }
        }
    }
}

/// The display column at which `needle` starts in `line`.
fn column_of(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|i| width(&line[..i]))
}

#[test]
fn wide_and_accented_names_keep_table_columns_aligned() {
    let mut r = three_arm_continue();
    let values = ["東京", "Montre\u{301}al", "🎉"];
    for (segment, value) in r.metrics[0].segments.iter_mut().zip(values) {
        segment.value = value.to_string();
    }
    let out = terminal::render(&r, PLAIN);
    let segments = "
    region    arm             customers   change         95% interval   p (adj.)  result
    東京      sms-reminder        1,320  +7.2 pp  [+2.1 pp, +12.3 pp]  p = 0.002  better
              email-reminder             +0.4 pp   [-4.7 pp, +5.5 pp]   p = 0.88
    Montre\u{301}al  sms-reminder          640  -1.2 pp   [-8.3 pp, +5.9 pp]   p > 0.99
              email-reminder                                                      not computable
    🎉        sms-reminder          455  +2.0 pp  [-6.0 pp, +10.0 pp]   p > 0.99
              email-reminder             +3.1 pp  [-5.0 pp, +11.2 pp]   p > 0.99
";
    assert!(out.ends_with(segments), "\n{out}");
    // Every row's arm starts where the header's does, and every row's
    // interval ends under the header's right edge.
    let table: Vec<&str> = segments.lines().skip(1).collect();
    let arm_at = column_of(table[0], "arm");
    let end_of_interval = |l: &str| {
        let i = l.find(']').or_else(|| l.find("interval").map(|i| i + 7))?;
        Some(width(&l[..=i]))
    };
    for l in &table[1..] {
        let arm = column_of(l, "sms-reminder").or_else(|| column_of(l, "email-reminder"));
        assert_eq!(arm, arm_at, "{l}");
        if !l.contains("not computable") {
            assert_eq!(end_of_interval(l), end_of_interval(table[0]), "{l}");
        }
    }
}

#[test]
fn wide_arm_names_wrap_within_the_width() {
    let mut r = three_arm_continue();
    let name = "東京の店舗でのテスト🎉".repeat(4);
    r.arms[1].name = name.clone();
    for m in &mut r.metrics {
        m.arms[1].arm = name.clone();
        m.comparisons[0].arm = name.clone();
    }
    for w in [100, 60, 40] {
        let out = terminal::render(
            &r,
            Style {
                color: false,
                width: w,
            },
        );
        assert!(out.contains("東京"), "\n{out}");
        for l in out.lines() {
            assert!(width(l) <= w, "{} columns > {w}:\n{l}", width(l));
        }
    }
}

#[test]
fn narrow_tables_become_labelled_blocks() {
    let out = terminal::render(
        &three_arm_continue(),
        Style {
            color: false,
            width: 60,
        },
    );
    let block = "
  sms-reminder
    customers: 798
    rate: 26.2%
    change: +3.1 pp
    relative: +13.4%
    95% interval: [-1.1 pp, +7.3 pp]
    outcome: unclear
    p = 0.030 (adjusted 0.060), two-proportion z-test, 93.0%
      chance to beat control
";
    assert!(out.contains(block), "\n{out}");
}

#[test]
fn terminal_color_is_optional_and_never_injected() {
    let mut evil = three_arm_continue();
    evil.experiment.name = "Evil\x1b[2J name".to_string();
    evil.metrics[0].segments[0].value = "north\x1b]0;title\x07".to_string();
    for report in [rollout(), three_arm_continue(), investigate(), evil] {
        let out = terminal::render(&report, PLAIN);
        assert!(!out.contains('\x1b'), "{out}");
        let colored = terminal::render(
            &report,
            Style {
                color: true,
                width: 100,
            },
        );
        assert!(colored.contains("\x1b[1;"), "{colored}");
        assert!(!colored.contains("\x1b[2J") && !colored.contains('\x07'));
    }
    // Colour repeats the words; it never replaces them.
    let colored = terminal::render(
        &investigate(),
        Style {
            color: true,
            width: 100,
        },
    );
    assert!(
        colored.starts_with("\x1b[1;35mINVESTIGATE\x1b[0m\n"),
        "{colored}"
    );
    assert!(colored.contains("\x1b[1;31mMISMATCH\x1b[0m"), "{colored}");
}

// ---------- markdown ----------

#[test]
fn rollout_markdown_key_lines() {
    let md = markdown::render(&rollout());
    assert_eq!(lines(&md)[0], "# Spring discount: Roll out discount-10");
    assert_has_line(
        &md,
        "| discount-10 | 1,198 | 14.5% | +2.5 pp | +20.8% | [+0.4 pp, +4.6 pp] | p = 0.021 | \
         two-proportion z-test | 98.9% | **better** |",
    );
    assert_has_line(&md, "## Return on investment of rolling out discount-10");
    assert_has_line(
        &md,
        "| Net present value (data alone) | $8,450 median (5-95% range -$1,200 to $19,800) |",
    );
    assert_has_line(&md, "| Chance it pays off (data alone) | 87.5% |");
    assert_has_line(
        &md,
        "- Tests: conversion (two-proportion z-test); order value (Welch's t-test).",
    );
}

#[test]
fn three_arm_markdown_rows() {
    let md = markdown::render(&three_arm_continue());
    assert_eq!(lines(&md)[0], "# Reminder messages: Keep piloting");
    assert_has_line(
        &md,
        "| sms-reminder | 798 | 26.2% | +3.1 pp | +13.4% | [-1.1 pp, +7.3 pp] | \
         p = 0.030 (adjusted 0.060) | two-proportion z-test | 93.0% | unclear |",
    );
    assert_has_line(
        &md,
        "| email-reminder | 805 | n/a |  |  |  |  |  |  | Not computable: the treatment arm's \
         denominator adds up to zero (for example no orders yet), so the ratio is undefined. |",
    );
    assert_has_line(
        &md,
        "| north | sms-reminder | 1,320 | +7.2 pp | [+2.1 pp, +12.3 pp] | p = 0.002 | **better** |",
    );
}

#[test]
fn investigate_markdown_in_full() {
    let md = markdown::render(&investigate());
    let expected = "\
# Loyalty card: Investigate

- The groups are not the sizes the weights say: control 1,500 (expected about 1,300), loyalty-card 1,100 (expected about 1,300) (p < 0.001). Something in the assignment or the data export is off (customers moved, lost or added by hand); fix that before trusting any result.

## Arms

| Arm | Customers | Planned share |
| --- | ---: | ---: |
| control | 1,500 | 50.0% |
| loyalty-card | 1,100 | 50.0% |

Split check: MISMATCH: the group sizes are not what the planned split says (p < 0.001).

Data: 5,210 outcome rows read; 2,560 of 2,600 customers in the ledger have outcomes.

## visits

Average, primary metric, higher is better.

| Arm | Customers | Average | Change | Relative | 95% interval | p-value | Test | Chance to beat control | Outcome |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |
| control | 1,500 | 3.12 |  |  |  |  |  |  |  |
| loyalty-card | 1,100 | 3.31 | +0.190 | +6.1% | [-0.0400, +0.420] | p = 0.11 | always-valid sequential test | 95.0% | unclear |

## Warnings

- 12 rows of the outcome export belong to customers who are not in the ledger (for example C-991, C-1002); they are left out.
- No ROI projection for loyalty-card: the number of customers reached is unknown; set \\[roi\\] customers

## Method

- Significance level 0.05: intervals are 95% intervals; a change counts as better or worse when its p-value is below 0.05.
- Sequential (always-valid) inference: results stay valid however often they are looked at (tuning size 5,000 customers).
- No correction for multiple comparisons; with many metrics or segments, some significant-looking results will be chance.
- Tests: visits (always-valid sequential test).
- Chance to beat control: Bayesian with flat priors (exact Beta-Binomial for rates, normal approximation otherwise).
- Generated by pilot 0.1.0 at 2025-04-30T09:15:00Z.
";
    assert_eq!(md, expected, "\n{md}");
}

#[test]
fn markdown_tables_are_well_formed() {
    for report in [rollout(), three_arm_continue(), investigate()] {
        assert_tables_well_formed(&markdown::render(&report));
    }
}

#[test]
fn markdown_escapes_user_text() {
    let md = markdown::render(&three_arm_continue());
    // `a|b` must not split the cell, `*x*` must not become emphasis.
    assert_has_line(
        &md,
        "| a\\|b | sms-reminder | 640 | -1.2 pp | [-8.3 pp, +5.9 pp] | p > 0.99 |  |",
    );
    assert_has_line(
        &md,
        "| \\*x\\* | sms-reminder | 455 | +2.0 pp | [-6.0 pp, +10.0 pp] | p > 0.99 |  |",
    );

    let mut evil = rollout();
    evil.experiment.name = "# *Big* | <b>test</b>".to_string();
    evil.experiment.description = "- not a list\n1. not numbered\n    not code".to_string();
    evil.arms[1].name = "_x_".to_string();
    evil.metrics[0].name = "conv|ersion".to_string();
    let md = markdown::render(&evil);
    assert_eq!(
        lines(&md)[0],
        "# \\# \\*Big\\* \\| \\<b>test\\</b>: Roll out discount-10"
    );
    assert_eq!(
        lines(&md)[2..5],
        ["\\- not a list", "1\\. not numbered", "not code"]
    );
    assert_has_line(&md, "| \\_x\\_ | 1,198 | 50.0% |");
    assert_has_line(&md, "## conv\\|ersion");
    assert_tables_well_formed(&md);
}

#[test]
fn roi_of_each_arm_when_several_pay() {
    let mut r = three_arm_continue();
    let mut sms = roi_report();
    if let Some(b) = sms.break_even_lift.as_mut() {
        b.metric = "repeat purchase".to_string();
    }
    let mut email = roi_report();
    email.currency = "EUR".to_string();
    email.npv = NpvSummary {
        mean: -400.0,
        p05: -9100.0,
        p50: -350.0,
        p95: 8300.0,
    };
    email.probability_positive = 0.47;
    r.roi = Some(sms.clone());
    r.roi_by_arm = vec![
        ArmRoi {
            arm: "sms-reminder".to_string(),
            roi: Some(sms),
            not_computable: None,
        },
        ArmRoi {
            arm: "email-reminder".to_string(),
            roi: Some(email),
            not_computable: None,
        },
    ];
    let out = terminal::render(&r, PLAIN);
    let expected = "
Return on investment of rolling out sms-reminder
  Customers reached                12,000
  Horizon                          24 months
  Net present value (data alone)   $8,450 median (5-95% range -$1,200 to $19,800)
  Chance it pays off (data alone)  87.5%
  Pays back (measured effect)      in month 4
  Break-even lift                  repeat purchase +1.1 pp (+9.2%)

  Each arm rolled out:
    arm             NPV median              5-95% range  chance it pays off
    sms-reminder        $8,450       -$1,200 to $19,800               87.5%
    email-reminder    -350 EUR  -9,100 EUR to 8,300 EUR               47.0%
";
    assert!(out.ends_with(expected), "\n{out}");
    let md = markdown::render(&r);
    assert_has_line(
        &md,
        "| email-reminder | -350 EUR | -9,100 EUR to 8,300 EUR | 47.0% |",
    );
    assert_tables_well_formed(&md);
}

/// 176 and 124 of 300 on a 50/50 split: chi-square 9.013, p = 0.0027
/// (scipy `chisquare([176, 124], [150, 150])`: 0.002680171728068488). Not a mismatch (p >= 0.001),
/// but not "match" either.
#[test]
fn a_split_between_the_alarm_and_ordinary_chance_is_worded_honestly() {
    let mut r = rollout();
    r.srm = Some(Srm {
        chi_squared: 9.013_333_333_333_334,
        p_value: 0.002_680_171_728_068_488,
        mismatch: false,
    });
    let out = terminal::render(&r, PLAIN);
    assert!(
        !out.contains("group sizes match the planned split"),
        "{out}"
    );
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("further from the planned split than chance usually makes them (p = 0.003)"),
        "{out}"
    );
    let md = markdown::render(&r);
    assert!(md.contains("short of a mismatch (p < 0.001)"), "{md}");
}
