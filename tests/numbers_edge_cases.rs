//! Issue 12, "Numbers that cannot mislead": each case of the issue with its
//! exact numbers. Expected values were computed independently in Python
//! (scipy 1.x for the t distribution; the confidence-sequence formula of
//! docs/statistics.md written out by hand), not copied from pilot's output.

mod common;
use common::bundled;
use pilot::analysis::compare::{Compared, compare};
use pilot::config::{Direction, MetricKind};
use pilot::ingest::aggregate::GroupStats;
use pilot::stats::{BinaryStats, MeanStats, NotComputable, Options, OrdinalCounts};

fn sequential(tuning: f64) -> Options {
    Options {
        sequential: true,
        tuning,
        ..Options::default()
    }
}

fn rates(control: (u64, u64), treatment: (u64, u64)) -> (GroupStats, GroupStats) {
    (
        GroupStats::Binary(BinaryStats::new(control.0, control.1).unwrap()),
        GroupStats::Binary(BinaryStats::new(treatment.0, treatment.1).unwrap()),
    )
}

fn means(control: &[f64], treatment: &[f64]) -> (GroupStats, GroupStats) {
    (
        GroupStats::Mean(MeanStats::from_values(control.iter().copied())),
        GroupStats::Mean(MeanStats::from_values(treatment.iter().copied())),
    )
}

fn answers(control: &[i64], treatment: &[i64]) -> (GroupStats, GroupStats) {
    (
        GroupStats::Ordinal(OrdinalCounts::from_values(control.iter().copied())),
        GroupStats::Ordinal(OrdinalCounts::from_values(treatment.iter().copied())),
    )
}

fn run(
    kind: MetricKind,
    scale: Option<(i64, i64)>,
    arms: &(GroupStats, GroupStats),
    opts: &Options,
) -> Result<Compared, NotComputable> {
    compare(kind, scale, Direction::Increase, &arms.0, &arms.1, opts)
}

fn close(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1e-300),
        "got {got}, want {want}"
    );
}

// Item 1: every interval inside what the quantity can be.

#[test]
fn sequential_difference_of_rates_at_two_per_arm_stays_within_100_points() {
    // 1 of 2 against 2 of 2, monitored sequentially: the normal band of the
    // confidence sequence spans more than -1,000 to +1,000 points. With
    // expected cells below 5 the interval is Newcombe's with the sequence's
    // multiplier: V = 0.25/2 + (3/4)(1/4)/4 (Agresti-Caffo for 2 of 2),
    // multiplier 5.099959969897445 (tuning 100), Wilson intervals with it:
    // -0.5461545282118316 to 0.9818184016828544 (Python, by hand).
    let arms = rates((2, 1), (2, 2));
    let c = run(MetricKind::Binary, None, &arms, &sequential(100.0)).unwrap();
    let a = c.reported.absolute;
    close(a.ci_low, -0.546_154_528_211_831_6, 1e-9);
    close(a.ci_high, 0.981_818_401_682_854_4, 1e-9);
    assert_eq!(a.estimate, 0.5);
    let r = c.reported.relative.unwrap();
    assert!(r.ci_low >= -1.0, "relative lower bound {}", r.ci_low);
}

#[test]
fn sequential_nps_difference_stays_within_200_points() {
    let arms = answers(&[10, 9, 0, 6], &[10, 10, 2, 9]);
    let c = run(MetricKind::Nps, Some((0, 10)), &arms, &sequential(100.0)).unwrap();
    let a = c.reported.absolute;
    assert!(a.ci_low >= -200.0 && a.ci_high <= 200.0, "{a:?}");
    assert_eq!((a.ci_low, a.ci_high), (-200.0, 200.0));
}

#[test]
fn sequential_effort_on_a_1_to_7_scale_stays_within_6() {
    let arms = answers(&[1, 7, 3], &[2, 7, 1]);
    let c = run(MetricKind::Ordinal, Some((1, 7)), &arms, &sequential(100.0)).unwrap();
    let a = c.reported.absolute;
    assert_eq!((a.ci_low, a.ci_high), (-6.0, 6.0));
    let r = c.reported.relative.unwrap();
    // Mean answers lie in [1, 7]: the ratio lies in [1/7, 7].
    assert!(r.ci_low >= 1.0 / 7.0 - 1.0 && r.ci_high <= 6.0, "{r:?}");
}

// Item 2: a percent change of a negative control mean is not computable.

#[test]
fn relative_change_of_a_negative_control_mean_is_not_computable() {
    // The case: margin from -3.12 to 2.47, +5.59, printed as -179%.
    let arms = means(&[-4.12, -2.12], &[1.47, 3.47]);
    let c = run(MetricKind::Mean, None, &arms, &Options::default()).unwrap();
    close(c.reported.absolute.estimate, 5.59, 1e-12);
    assert_eq!(
        c.reported.relative.unwrap_err(),
        NotComputable::NegativeControlMean
    );
    assert!(
        NotComputable::NegativeControlMean
            .to_string()
            .contains("negative")
    );
}

// Item 3: zero variance within arms.

#[test]
fn perfect_separation_is_computed_in_sequential_mode() {
    // 0 of 50 against 50 of 50. Agresti-Caffo variances at the boundary:
    // p~ = 1/52, V = 2 (1/52)(51/52) / 52; confidence sequence tuned to 100:
    // interval 0.9182507700644913 to 1.0817492299355087 (clipped at +1),
    // p = 4.300906852958575e-266.
    let arms = rates((50, 0), (50, 50));
    let c = run(MetricKind::Binary, None, &arms, &sequential(100.0)).unwrap();
    let a = c.reported.absolute;
    assert_eq!(a.estimate, 1.0);
    close(a.ci_low, 0.918_250_770_064_491_3, 1e-12);
    assert_eq!(a.ci_high, 1.0);
    close(a.p_value, 4.300_906_852_958_575e-266, 1e-9);
    // Fixed horizon: the pooled z-test (every expected cell is 25), z = 10,
    // scipy 2 norm.sf(10) = 1.523970604832094e-23, as the issue says.
    close(c.fixed.absolute.p_value, 1.523_970_604_832_094e-23, 1e-9);
}

#[test]
fn one_customer_per_arm_is_wide_not_no_variation() {
    // 0 of 1 against 1 of 1: p~ = 1/3 per arm, V = 2 (1/3)(2/3) / 3; the
    // normal band (tuning 100) would be -1.5767 to 3.5767; the score
    // interval with its multiplier 6.69438861706604 is -0.38334553806939886
    // to 1; p = 0.6779703689593917.
    let arms = rates((1, 0), (1, 1));
    let c = run(MetricKind::Binary, None, &arms, &sequential(100.0)).unwrap();
    let a = c.reported.absolute;
    close(a.ci_low, -0.383_345_538_069_398_86, 1e-9);
    assert_eq!(a.ci_high, 1.0);
    close(a.p_value, 0.677_970_368_959_391_7, 1e-9);
}

#[test]
fn a_treatment_rate_of_zero_is_minus_100_percent() {
    // 50 of 50 against 0 of 50: relative -100%, delta-method variance from
    // the Agresti-Caffo treatment variance (1/52)(51/52)/52; the interval
    // -1.0578 to -0.9422 is held at -100% from below; p underflows to 0.
    let arms = rates((50, 50), (50, 0));
    let c = run(MetricKind::Binary, None, &arms, &sequential(100.0)).unwrap();
    let r = c.reported.relative.unwrap();
    assert_eq!(r.estimate, -1.0);
    assert_eq!(r.ci_low, -1.0);
    close(r.ci_high, -0.942_194_565_155_823_4, 1e-12);
}

#[test]
fn a_treatment_mean_of_zero_has_a_relative_change() {
    // Revenue 0 for every treatment customer, control 1, 2, 3: the change is
    // -100% with the variance of the difference over the control mean,
    // (1/3) / 2^2 = 1/12, Welch df 2: half-width t(0.975, 2) sqrt(1/12) =
    // 4.302652729749462 * 0.28867513459481287 = 1.242068855875165 (scipy).
    let arms = means(&[1.0, 2.0, 3.0], &[0.0, 0.0, 0.0]);
    let c = run(MetricKind::Mean, None, &arms, &Options::default()).unwrap();
    let r = c.reported.relative.unwrap();
    assert_eq!(r.estimate, -1.0);
    close(r.std_error, (1.0f64 / 12.0).sqrt(), 1e-12);
    close(r.ci_high, -1.0 + 1.242_068_855_875_165, 1e-9);
}

#[test]
fn constant_but_different_arms_do_not_claim_every_customer_is_the_same() {
    let arms = means(&[0.0, 0.0], &[1.0, 1.0]);
    let err = run(MetricKind::Mean, None, &arms, &Options::default()).unwrap_err();
    assert_eq!(err, NotComputable::NoSpreadWithinArms);
    let same = means(&[1.0, 1.0], &[1.0, 1.0]);
    let err = run(MetricKind::Mean, None, &same, &Options::default()).unwrap_err();
    assert_eq!(err, NotComputable::NoVariation);
}

// Item 7: chance to beat control at tiny samples.

#[test]
fn chance_to_beat_control_uses_a_t_posterior_at_two_per_arm() {
    // Control 0, 1; treatment 1, 2: d = 1, se = sqrt(0.5), Welch df = 2.
    // scipy: t.cdf(sqrt(2), 2) = 0.8535533905932737 (normal: 0.9213503964748574).
    let arms = means(&[0.0, 1.0], &[1.0, 2.0]);
    let c = run(MetricKind::Mean, None, &arms, &Options::default()).unwrap();
    close(
        c.chance_to_beat_control.unwrap(),
        0.853_553_390_593_273_7,
        1e-9,
    );
}

#[test]
fn an_unbounded_relative_change_reads_as_more_than_a_hundredfold() {
    // 1 of 3 against 3 of 3, sequential: the relative interval's upper end
    // is astronomically large (the issue saw +2e12%); its digits mean
    // nothing, so it reads "> +10,000%".
    let arms = rates((3, 1), (3, 3));
    let c = run(MetricKind::Binary, None, &arms, &sequential(100.0)).unwrap();
    let r = c.reported.relative.unwrap();
    assert!(r.ci_high > 100.0, "{r:?}");
    assert_eq!(pilot::format::signed_pct(r.ci_high), "> +10,000%");
    assert_eq!(pilot::format::signed_pct(2.0), "+200%");
    assert!(r.ci_low >= -1.0);
}

// Items 4 and 9, on the bundled examples through the real binary.

/// Holm's adjusted p-values, written out here rather than taken from pilot.
fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; p.len()];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max((p.len() - rank) as f64 * p[i]);
        out[i] = running.min(1.0);
    }
    out
}

#[test]
fn segments_are_corrected_per_breakdown_and_guardrail_segments_not_at_all() {
    let report: serde_json::Value = serde_json::from_str(&bundled("sms-reminder", "json")).unwrap();
    for metric in report["metrics"].as_array().unwrap() {
        let guardrail = metric["role"] == "guardrail";
        let segments = metric["segments"].as_array().unwrap();
        let mut columns: Vec<&str> = segments
            .iter()
            .map(|s| s["column"].as_str().unwrap())
            .collect();
        columns.dedup();
        assert!(columns.len() >= 2, "{}", metric["name"]);
        for column in columns {
            let rows: Vec<&serde_json::Value> = segments
                .iter()
                .filter(|s| s["column"] == column)
                .flat_map(|s| s["comparisons"].as_array().unwrap())
                .collect();
            let raw: Vec<f64> = rows
                .iter()
                .map(|c| c["p_value"].as_f64().unwrap())
                .collect();
            let adjusted: Vec<f64> = rows
                .iter()
                .map(|c| c["p_value_adjusted"].as_f64().unwrap())
                .collect();
            let want = if guardrail { raw.clone() } else { holm(&raw) };
            for (got, want) in adjusted.iter().zip(&want) {
                close(*got, *want, 1e-12);
            }
        }
    }
    // The symptom: every segment row read "p > 0.99". Corrected per
    // breakdown, repeat purchase in the east (+11.5 pp) is no longer hidden.
    let text = bundled("sms-reminder", "terminal");
    let east = text
        .lines()
        .find(|l| l.trim_start().starts_with("east") && l.contains("+11.5 pp"))
        .expect("the east row of repeat_purchase by region");
    assert!(!east.contains("p > 0.99"), "{east}");
}

#[test]
fn survey_segments_count_answers_and_say_so() {
    // faster-support csat, segment online: 197 answers from 513 customers.
    let text = bundled("faster-support", "terminal");
    let header = text
        .lines()
        .skip_while(|l| !l.contains("Satisfaction (CSAT) by segment"))
        .find(|l| l.trim_start().starts_with("segment "))
        .expect("the csat segment table");
    assert!(
        header.contains("answers") && !header.contains("customers"),
        "{header}"
    );
    let online = text
        .lines()
        .skip_while(|l| !l.contains("Satisfaction (CSAT) by segment"))
        .find(|l| l.trim_start().starts_with("online"))
        .unwrap();
    assert!(online.contains(" 197 "), "{online}");
    let md = bundled("faster-support", "markdown");
    assert!(
        md.contains("| Segment | Answers |") || md.contains("| segment | Answers |"),
        "markdown segment header"
    );
}

#[test]
fn adjusted_p_values_say_the_intervals_beside_them_are_not() {
    // loyalty-discount compares two arms with control: discount-15's
    // p-value is adjusted (Holm over the two arms), its interval is its own.
    let text = bundled("loyalty-discount", "terminal");
    assert!(text.contains("(adjusted 0.3"), "{text}");
    assert!(
        text.contains("the intervals are each comparison's own and are not"),
        "{text}"
    );
    let md = bundled("loyalty-discount", "markdown");
    assert!(md.contains("are not adjusted"), "markdown note");
}

/// A metric's `label` names it in every report; JSON keeps the name as the
/// key and adds the label; the heading also gives the name, so the reader
/// can find the metric in the experiment file.
#[test]
fn metric_labels_name_the_metrics_in_every_report() {
    let json: serde_json::Value =
        serde_json::from_str(&bundled("sms-reminder", "json")).expect("json report");
    let first = &json["metrics"][0];
    assert_eq!(first["name"], "repeat_purchase");
    assert_eq!(first["label"], "Repeat purchases");
    let terminal = bundled("sms-reminder", "terminal");
    assert!(
        terminal.contains("Repeat purchases (repeat_purchase: rate, primary metric"),
        "{terminal}"
    );
    assert!(
        terminal.contains("Guardrail Unsubscribes is likely worse"),
        "{terminal}"
    );
    let markdown = bundled("sms-reminder", "markdown");
    assert!(markdown.contains("\n## Repeat purchases\n"), "{markdown}");
    assert!(
        markdown.contains("### Repeat purchases by segment"),
        "{markdown}"
    );
    // Outside the experiment file's own keys, the code names are gone from
    // the sentences of the verdict.
    let verdict: Vec<&str> = terminal.lines().take_while(|l| !l.is_empty()).collect();
    for line in &verdict {
        assert!(!line.contains("repeat_purchase"), "{line}");
        assert!(!line.contains("revenue_90d"), "{line}");
    }
    let plan = std::process::Command::new(env!("CARGO_BIN_EXE_pilot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["plan", "experiments/sms-reminder.toml"])
        .output()
        .expect("run pilot plan");
    let plan = String::from_utf8(plan.stdout).expect("utf-8");
    assert!(
        plan.contains("\nRepeat purchases (binary, primary)"),
        "{plan}"
    );
}
