//! Experiment-file parsing: good files and the exact errors for bad ones.
//!
//! Every malformed file asserts the complete rendered error, so a change to
//! any message shows up here as a reviewed diff.

use std::path::{Path, PathBuf};

use pilot::config::{
    self, Aggregate, Correction, Direction, Experiment, FilterRule, HashScheme, MetricKind,
    Missing, Role,
};

/// The smallest valid file: the four required sections.
const BASE: &str = r#"[experiment]
name = "loyalty-sms"

[[arms]]
name = "control"
weight = 0.5

[[arms]]
name = "pilot"
weight = 0.5

[population]
file = "customers.csv"

[assignment]
file = "assignments.csv"
"#;

/// `BASE` plus outcomes and one primary metric, ending inside `[[metrics]]`
/// so that tests can append metric keys.
fn metric() -> String {
    format!(
        "{BASE}
[outcomes]
file = \"outcomes.csv\"

[[metrics]]
name = \"repeat_purchase\"
kind = \"binary\"
role = \"primary\"
direction = \"increase\"
"
    )
}

/// A file using every section and every key.
const FULL: &str = r#"[experiment]
name = "loyalty-sms"
description = "Text lapsed customers a reminder."
salt = "loyalty-sms-2"

[[arms]]
name = "control"
weight = 2

[[arms]]
name = "sms"
weight = 1

[[arms]]
name = "sms+voucher"
weight = 1.0

[population]
file = "data/customers.csv"
id_column = "id"
filters = [
  { column = "segment", in = [" retail", "online"] },
  { column = "region", not_in = ["north"] },
  { column = "orders_last_year", min = 1 },
  { column = "age", min = 18, max = 99.5 },
]
new_per_week = 40

[assignment]
file = "/var/pilot/assignments.csv"
coverage = 0.8
stratify = ["segment", "region"]
hash = "growthbook"
id_column = "customer"
arm_column = "group"

[outcomes]
file = "outcomes.csv"
id_column = "cust"
date_column = "date"
from = 2026-09-01
to = "2026-11-30"

[[metrics]]
name = "repeat_purchase"
column = "repeat_90d"
kind = "binary"
role = "primary"
direction = "increase"
aggregate = "last"
missing = "exclude"
covariate = "purchases_prev_90d"
baseline = 0.25
mde = 0.1

[[metrics]]
name = "order_value"
column = "revenue"
kind = "ratio"
denominator = "orders"
role = "guardrail"
direction = "increase"
aggregate = "mean"
cap = 0.99
margin = 0.05
baseline = 31.5
baseline_sd = 12
mde_absolute = 2

[[metrics]]
name = "effort"
kind = "ordinal"
direction = "decrease"
scale = [1, 7]

[[metrics]]
name = "nps"
kind = "nps"
direction = "increase"
scale = [0, 10]
baseline = 35

[analysis]
alpha = 0.1
power = 0.9
sequential = false
sequential_tuning = 2000
planned_customers_per_arm = 400
correction = "bh"
segments = ["segment", "region"]

[decision]
min_customers_per_arm = 250
min_probability_positive_npv = 0.9

[roi]
customers = 12000
horizon_months = 24
discount_rate = 0.1
one_time_cost = 1500
monthly_cost = 49
cost_per_customer_month = 0.40
metric_window_months = 3
effect_half_life_months = 6
draws = 20000
seed = 42
currency = "EUR"

[roi.clv]
arpu_month = 30
churn_month = 0.05
margin = 0.6

[[roi.benefits]]
metric = "repeat_purchase"
unit_value = "clv"

[[roi.benefits]]
metric = "order_value"
unit_value = 1
margin = 0.55
"#;

fn parse(src: &str) -> Experiment {
    match config::parse(Path::new("experiments/loyalty-sms.toml"), src) {
        Ok(exp) => exp,
        Err(e) => panic!("expected a valid file, got:\n{e}"),
    }
}

/// Parses `src` as `experiments/loyalty-sms.toml` and asserts the full
/// rendered error.
#[track_caller]
fn check(src: &str, expected: &str) {
    match config::parse(Path::new("experiments/loyalty-sms.toml"), src) {
        Ok(_) => panic!("expected an error, the file parsed:\n{src}"),
        Err(e) => assert_eq!(e.to_string(), expected, "\n--- file ---\n{src}"),
    }
}

/// `base` with the first `from` replaced by `to`.
#[track_caller]
fn edit(base: &str, from: &str, to: &str) -> String {
    assert!(base.contains(from), "test bug: {from:?} not in the file");
    base.replacen(from, to, 1)
}

fn cat(a: &str, b: &str) -> String {
    format!("{a}{b}")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

// ---------------------------------------------------------------- good files

#[test]
fn minimal_file_gets_the_defaults() {
    let exp = parse(BASE);
    assert_eq!(exp.path, PathBuf::from("experiments/loyalty-sms.toml"));
    assert_eq!(exp.source, BASE);
    assert_eq!(exp.meta.name, "loyalty-sms");
    assert_eq!(exp.meta.description, "");
    assert_eq!(exp.meta.salt, "loyalty-sms");
    let arms: Vec<(&str, f64)> = exp
        .arms
        .iter()
        .map(|a| (a.name.as_str(), a.weight))
        .collect();
    assert_eq!(arms, [("control", 0.5), ("pilot", 0.5)]);

    let p = &exp.population;
    assert_eq!(p.file, PathBuf::from("experiments/customers.csv"));
    assert_eq!(&BASE[p.file_span.clone()], "\"customers.csv\"");
    assert_eq!(p.id_column, "customer_id");
    assert_eq!(&BASE[p.id_column_span.clone()], "[population]");
    assert!(p.filters.is_empty());
    assert_eq!(p.new_per_week, None);

    let a = &exp.assignment;
    assert_eq!(a.file, PathBuf::from("experiments/assignments.csv"));
    assert_eq!(a.coverage, 1.0);
    assert!(a.stratify.is_empty());
    assert_eq!(a.hash, HashScheme::Sha256V1);
    assert_eq!(a.id_column, "customer_id");
    assert_eq!(a.arm_column, "arm");

    assert_eq!(exp.outcomes, None);
    assert!(exp.metrics.is_empty());
    assert_eq!(exp.analysis.alpha, 0.05);
    assert_eq!(exp.analysis.power, 0.8);
    assert!(exp.analysis.sequential);
    // Tuned to the pilot: the arms times min_customers_per_arm.
    assert_eq!(
        exp.analysis.sequential_tuning,
        exp.arms.len() as f64 * 100.0
    );
    assert_eq!(exp.analysis.planned_customers_per_arm, None);
    assert_eq!(exp.analysis.correction, Correction::Holm);
    assert!(exp.analysis.segments.is_empty());
    assert_eq!(exp.decision.min_customers_per_arm, 100);
    assert_eq!(exp.decision.min_probability_positive_npv, None);
    assert_eq!(exp.roi, None);
}

#[test]
fn full_file_reads_every_key() {
    let exp = parse(FULL);
    assert_eq!(exp.meta.description, "Text lapsed customers a reminder.");
    assert_eq!(exp.meta.salt, "loyalty-sms-2");
    let names: Vec<&str> = exp.arms.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["control", "sms", "sms+voucher"]);
    let weights: Vec<f64> = exp.arms.iter().map(|a| a.weight).collect();
    assert_eq!(weights, [0.5, 0.25, 0.25]);

    let p = &exp.population;
    assert_eq!(p.file, PathBuf::from("experiments/data/customers.csv"));
    assert_eq!(p.id_column, "id");
    assert_eq!(&FULL[p.id_column_span.clone()], "\"id\"");
    assert_eq!(p.new_per_week, Some(40.0));
    let rules: Vec<(&str, &FilterRule)> = p
        .filters
        .iter()
        .map(|f| (f.column.as_str(), &f.rule))
        .collect();
    assert_eq!(
        rules,
        [
            (
                "segment",
                &FilterRule::In(vec!["retail".into(), "online".into()])
            ),
            ("region", &FilterRule::NotIn(vec!["north".into()])),
            (
                "orders_last_year",
                &FilterRule::Range {
                    min: Some(1.0),
                    max: None
                }
            ),
            (
                "age",
                &FilterRule::Range {
                    min: Some(18.0),
                    max: Some(99.5)
                }
            ),
        ]
    );
    assert_eq!(
        &FULL[p.filters[1].span.clone()],
        "{ column = \"region\", not_in = [\"north\"] }"
    );

    let a = &exp.assignment;
    assert_eq!(a.file, PathBuf::from("/var/pilot/assignments.csv"));
    assert_eq!(a.coverage, 0.8);
    assert_eq!(a.stratify, ["segment", "region"]);
    assert_eq!(a.hash, HashScheme::GrowthBook);
    assert_eq!(
        (a.id_column.as_str(), a.arm_column.as_str()),
        ("customer", "group")
    );

    let o = exp.outcomes.as_ref().expect("outcomes");
    assert_eq!(o.file, Some(PathBuf::from("experiments/outcomes.csv")));
    assert_eq!(o.summary, None);
    assert_eq!(o.id_column, "cust");
    assert_eq!(o.date_column.as_deref(), Some("date"));
    assert_eq!(o.from.as_deref(), Some("2026-09-01"));
    assert_eq!(o.to.as_deref(), Some("2026-11-30"));
    assert_eq!(o.segment_column, None);

    let m = &exp.metrics;
    assert_eq!(m.len(), 4);
    assert_eq!(m[0].name, "repeat_purchase");
    assert_eq!(&FULL[m[0].span.clone()], "[[metrics]]");
    assert_eq!(m[0].column, "repeat_90d");
    assert_eq!(
        (m[0].kind, m[0].role, m[0].direction),
        (MetricKind::Binary, Role::Primary, Direction::Increase)
    );
    assert_eq!(
        (m[0].aggregate, m[0].missing),
        (Aggregate::Last, Missing::Exclude)
    );
    assert_eq!(m[0].covariate.as_deref(), Some("purchases_prev_90d"));
    assert_eq!((m[0].baseline, m[0].mde), (Some(0.25), Some(0.1)));
    assert_eq!((m[0].cap, m[0].margin, m[0].scale), (None, None, None));

    assert_eq!(m[1].kind, MetricKind::Ratio);
    assert_eq!(m[1].denominator.as_deref(), Some("orders"));
    assert_eq!(
        (m[1].role, m[1].aggregate),
        (Role::Guardrail, Aggregate::Mean)
    );
    assert_eq!((m[1].cap, m[1].margin), (Some(0.99), Some(0.05)));
    assert_eq!((m[1].baseline, m[1].baseline_sd), (Some(31.5), Some(12.0)));
    assert_eq!((m[1].mde, m[1].mde_absolute), (None, Some(2.0)));

    assert_eq!(m[2].column, "effort");
    assert_eq!(
        (m[2].kind, m[2].role),
        (MetricKind::Ordinal, Role::Secondary)
    );
    assert_eq!(m[2].direction, Direction::Decrease);
    assert_eq!(m[2].scale, Some((1, 7)));
    assert_eq!(
        (m[2].aggregate, m[2].missing),
        (Aggregate::Last, Missing::Exclude)
    );
    assert_eq!((m[3].scale, m[3].baseline), (Some((0, 10)), Some(35.0)));

    let an = &exp.analysis;
    assert_eq!((an.alpha, an.power, an.sequential), (0.1, 0.9, false));
    assert_eq!(an.sequential_tuning, 2000.0);
    assert_eq!(an.planned_customers_per_arm, Some(400));
    assert_eq!(an.correction, Correction::BenjaminiHochberg);
    assert_eq!(an.segments, ["segment", "region"]);
    assert_eq!(exp.decision.min_customers_per_arm, 250);
    assert_eq!(exp.decision.min_probability_positive_npv, Some(0.9));

    let r = exp.roi.as_ref().expect("roi");
    assert_eq!(r.customers, Some(12000.0));
    assert_eq!((r.horizon_months, r.discount_rate), (24, 0.1));
    assert_eq!((r.one_time_cost, r.monthly_cost), (1500.0, 49.0));
    assert_eq!(r.cost_per_customer_month, 0.40);
    assert_eq!(
        (r.metric_window_months, r.effect_half_life_months),
        (3.0, 6.0)
    );
    assert_eq!((r.draws, r.seed, r.currency.as_str()), (20000, 42, "EUR"));
    assert_eq!(r.benefits.len(), 2);
    // CLV = arpu_month * margin / churn_month = 30 * 0.6 / 0.05 = 360; the
    // margin is already inside it.
    assert_eq!(r.benefits[0].metric, "repeat_purchase");
    assert!(
        close(r.benefits[0].unit_value, 360.0),
        "{}",
        r.benefits[0].unit_value
    );
    assert_eq!(r.benefits[0].margin, 1.0);
    assert_eq!(r.benefits[1].metric, "order_value");
    assert_eq!(
        (r.benefits[1].unit_value, r.benefits[1].margin),
        (1.0, 0.55)
    );
}

#[test]
fn weights_are_normalised_and_integers_accepted() {
    let exp = parse(&edit(
        &edit(BASE, "weight = 0.5", "weight = 1"),
        "weight = 0.5",
        "weight = 3",
    ));
    let weights: Vec<f64> = exp.arms.iter().map(|a| a.weight).collect();
    assert_eq!(weights, [0.25, 0.75]);
}

#[test]
fn arms_without_weights_split_equally() {
    let src = edit(
        &BASE.replace("weight = 0.5\n", ""),
        "[population]",
        "[[arms]]\nname = \"pilot-b\"\n\n[population]",
    );
    let exp = parse(&src);
    assert_eq!(exp.arms.len(), 3);
    for arm in &exp.arms {
        assert!(close(arm.weight, 1.0 / 3.0), "{}", arm.weight);
    }
    let total: f64 = exp.arms.iter().map(|a| a.weight).sum();
    assert!(close(total, 1.0));
}

#[test]
fn data_paths_resolve_against_the_experiment_file() {
    let at = |path: &str, file: &str| {
        let src = edit(BASE, "\"customers.csv\"", &format!("\"{file}\""));
        config::parse(Path::new(path), &src)
            .map(|e| e.population.file)
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        at("x.toml", "customers.csv"),
        Ok(PathBuf::from("customers.csv"))
    );
    assert_eq!(
        at("experiments/x.toml", "customers.csv"),
        Ok(PathBuf::from("experiments/customers.csv"))
    );
    assert_eq!(
        at("experiments/x.toml", "../data/customers.csv"),
        Ok(PathBuf::from("data/customers.csv"))
    );
    assert_eq!(
        at("/srv/exp/x.toml", "customers.csv"),
        Ok(PathBuf::from("/srv/exp/customers.csv"))
    );
    assert_eq!(
        at("experiments/x.toml", "/data/customers.csv"),
        Ok(PathBuf::from("/data/customers.csv"))
    );
    let summary = parse(&edit(
        &metric(),
        "file = \"outcomes.csv\"",
        "summary = \"summary.csv\"\nsegment_column = \"segment\"",
    ));
    let o = summary.outcomes.expect("outcomes");
    assert_eq!(o.file, None);
    assert_eq!(o.summary, Some(PathBuf::from("experiments/summary.csv")));
    assert_eq!(o.segment_column.as_deref(), Some("segment"));
}

#[test]
fn metric_defaults_depend_on_the_kind() {
    let cases = [
        ("binary", Aggregate::Max, Missing::Zero, None),
        ("mean", Aggregate::Sum, Missing::Zero, None),
        ("nps", Aggregate::Last, Missing::Exclude, Some((0, 10))),
        ("csat", Aggregate::Last, Missing::Exclude, Some((1, 5))),
    ];
    for (kind, aggregate, missing, scale) in cases {
        let exp = parse(&edit(&metric(), "\"binary\"", &format!("\"{kind}\"")));
        let m = &exp.metrics[0];
        assert_eq!(
            (m.aggregate, m.missing, m.scale),
            (aggregate, missing, scale),
            "{kind}"
        );
        assert_eq!(m.column, "repeat_purchase", "column defaults to the name");
        assert_eq!(m.margin, None);
    }
    let ratio = parse(&cat(
        &edit(&metric(), "\"binary\"", "\"ratio\""),
        "denominator = \"orders\"\n",
    ));
    assert_eq!(ratio.metrics[0].aggregate, Aggregate::Sum);
    assert_eq!(ratio.metrics[0].missing, Missing::Zero);
    let guardrail = parse(&cat(
        &metric(),
        "\n[[metrics]]\nname = \"unsubscribed\"\nkind = \"binary\"\nrole = \"guardrail\"\ndirection = \"decrease\"\n",
    ));
    assert_eq!(
        guardrail.metrics[1].margin,
        Some(0.0),
        "guardrails tolerate nothing by default"
    );
    assert_eq!(guardrail.metrics[0].role, Role::Primary);
}

#[test]
fn roi_defaults() {
    let exp = parse(&cat(
        &metric(),
        "\n[roi]\n\n[[roi.benefits]]\nmetric = \"repeat_purchase\"\nunit_value = 25\n",
    ));
    let r = exp.roi.expect("roi");
    assert_eq!(r.customers, None);
    assert_eq!((r.horizon_months, r.discount_rate), (12, 0.08));
    assert_eq!(
        (r.one_time_cost, r.monthly_cost, r.cost_per_customer_month),
        (0.0, 0.0, 0.0)
    );
    assert_eq!(
        (r.metric_window_months, r.effect_half_life_months),
        (3.0, 0.0)
    );
    assert_eq!((r.draws, r.seed, r.currency.as_str()), (100_000, 7, "$"));
    assert_eq!(
        (r.benefits[0].unit_value, r.benefits[0].margin),
        (25.0, 1.0)
    );
}

#[test]
fn files_with_windows_line_endings_and_a_byte_order_mark_parse() {
    let src = format!("\u{feff}{}", BASE.replace('\n', "\r\n"));
    assert_eq!(parse(&src).meta.name, "loyalty-sms");
    let bad = src.replace("name = \"pilot\"", "name = \"pilot\"\r\nwieght = 1");
    let err = config::parse(Path::new("x.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "error: x.toml:10:1: unknown key `wieght` in [[arms]]; did you mean `weight`?\n   |\n10 | wieght = 1\n   | ^^^^^^"
    );
}

#[test]
fn bundled_example_experiments_parse() {
    for name in ["sms-reminder", "faster-support", "loyalty-discount"] {
        let path = PathBuf::from(format!("experiments/{name}.toml"));
        let exp = match config::load(&path) {
            Ok(exp) => exp,
            Err(e) => panic!("{name}:\n{e}"),
        };
        assert_eq!(exp.meta.name, name);
        assert_eq!(
            exp.population.file,
            PathBuf::from("examples/demo/customers.csv")
        );
        assert_eq!(
            exp.metrics
                .iter()
                .filter(|m| m.role == Role::Primary)
                .count(),
            1
        );
    }
}

#[test]
fn example_in_the_reference_parses() {
    let doc = std::fs::read_to_string("docs/experiment-file.md").expect("docs");
    let example = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block");
    let exp = parse(example);
    assert_eq!(exp.meta.name, "loyalty-sms");
    assert_eq!(exp.metrics.len(), 2);
    assert_eq!(exp.roi.map(|r| r.benefits.len()), Some(1));
}

// ------------------------------------------------------------------ template

#[test]
fn template_parses_with_the_name_filled_in() {
    let text = config::template("spring-sale");
    let exp = parse(&text);
    assert_eq!(exp.meta.name, "spring-sale");
    assert_eq!(exp.arms.len(), 2);
    assert_eq!(exp.metrics.len(), 1);
    assert_eq!(exp.metrics[0].role, Role::Primary);
    assert_eq!(exp.roi, None);
}

/// Switches on every commented-out setting (`# key = value`, `# [section]`).
fn uncomment_all(text: &str) -> String {
    text.lines()
        .map(|line| {
            let setting = line.strip_prefix("# ").filter(|rest| {
                rest.starts_with('[')
                    || rest.split_once(" = ").is_some_and(|(key, _)| {
                        !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    })
            });
            format!("{}\n", setting.unwrap_or(line))
        })
        .collect()
}

#[test]
fn template_parses_with_every_optional_setting_switched_on() {
    let text = uncomment_all(&config::template("spring-sale"));
    let exp = parse(&text);
    assert_eq!(exp.meta.salt, "spring-sale-2");
    assert_eq!(exp.population.filters.len(), 2);
    assert_eq!(exp.metrics.len(), 2);
    let roi = exp.roi.expect("roi switched on");
    assert_eq!(roi.benefits.len(), 1);
    // Every key of the reference appears in the template.
    for key in [
        "salt",
        "filters",
        "new_per_week",
        "coverage",
        "stratify",
        "hash",
        "arm_column",
        "date_column",
        "from",
        "to",
        "aggregate",
        "missing",
        "covariate",
        "baseline",
        "mde",
        "margin",
        "cap",
        "sequential_tuning",
        "planned_customers_per_arm",
        "correction",
        "segments",
        "customers",
        "horizon_months",
        "discount_rate",
        "one_time_cost",
        "monthly_cost",
        "cost_per_customer_month",
        "metric_window_months",
        "effect_half_life_months",
        "draws",
        "seed",
        "currency",
        "arpu_month",
        "churn_month",
        "unit_value",
    ] {
        assert!(
            text.contains(&format!("\n{key} = ")),
            "template lacks `{key}`"
        );
    }
}

#[test]
fn template_escapes_an_odd_name_and_parse_explains_it() {
    let text = config::template("Spring \"Sale\"");
    check(
        &text,
        "error: experiments/loyalty-sms.toml:9:8: experiment name `Spring \"Sale\"` may only contain lowercase letters, digits and '-'\n  |\n9 | name = \"Spring \\\"Sale\\\"\"\n  |        ^^^^^^^^^^^^^^^^^\nhelp: for example: spring-sale",
    );
}

#[test]
fn experiment_names_given_on_the_command_line_are_checked() {
    assert!(config::check_experiment_name("spring-sale-2026").is_ok());
    let err = |n: &str| config::check_experiment_name(n).unwrap_err().to_string();
    assert_eq!(
        err("Spring Sale"),
        "error: experiment name `Spring Sale` may only contain lowercase letters, digits and '-'\nhelp: for example: spring-sale"
    );
    assert_eq!(err(""), "error: experiment name must not be empty");
    assert_eq!(
        err("-x"),
        "error: experiment name `-x` must start with a lowercase letter or digit"
    );
}

// ---------------------------------------------------------------------- load

#[test]
fn load_reads_the_file_and_resolves_paths_next_to_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("loyalty-sms.toml");
    std::fs::write(&path, BASE).expect("write");
    let exp = config::load(&path).expect("valid");
    assert_eq!(exp.path, path);
    assert_eq!(exp.population.file, dir.path().join("customers.csv"));
}

#[test]
fn load_reports_a_missing_file() {
    let err = config::load(Path::new("experiments/nope.toml")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "error: experiments/nope.toml: cannot read file: no such file or directory"
    );
}

#[test]
fn load_reports_a_file_that_is_not_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.toml");
    std::fs::write(&path, b"[experiment]\nname = \"caf\xe9\"\n").expect("write");
    let err = config::load(&path).unwrap_err().to_string();
    let expected = format!(
        "error: {}:2:12: the file is not UTF-8 text; save it with UTF-8 encoding\n  |\n2 | name = \"caf\u{fffd}\"\n  |            ^",
        path.display()
    );
    assert_eq!(err, expected);
}

// ----------------------------------------------------------------- bad files
#[test]
fn unknown_key_suggests_the_closest() {
    check(
        &edit(BASE, "name = \"pilot\"\nweight", "name = \"pilot\"\nwieght"),
        r#"error: experiments/loyalty-sms.toml:10:1: unknown key `wieght` in [[arms]]; did you mean `weight`?
   |
10 | wieght = 0.5
   | ^^^^^^"#,
    );
}

#[test]
fn unknown_key_without_suggestion_lists_the_keys() {
    check(
        &edit(
            BASE,
            "name = \"pilot\"\nweight = 0.5",
            "name = \"pilot\"\nweight = 0.5\ncolour = \"red\"",
        ),
        r#"error: experiments/loyalty-sms.toml:11:1: unknown key `colour` in [[arms]]; expected one of: name, weight
   |
11 | colour = "red"
   | ^^^^^^"#,
    );
}

#[test]
fn unknown_section_suggests_the_list_form() {
    check(
        &edit(
            BASE,
            "[population]",
            "[metric]\nname = \"m\"\n\n[population]",
        ),
        r#"error: experiments/loyalty-sms.toml:12:2: unknown section [metric]; did you mean [[metrics]]?
   |
12 | [metric]
   |  ^^^^^^"#,
    );
}

#[test]
fn unknown_section_without_suggestion_lists_the_sections() {
    check(
        &cat(BASE, "\n[reporting]\nformat = \"pdf\"\n"),
        r#"error: experiments/loyalty-sms.toml:18:2: unknown section [reporting]; expected one of: [experiment], [[arms]], [population], [assignment], [outcomes], [[metrics]], [analysis], [decision], [roi]
   |
18 | [reporting]
   |  ^^^^^^^^^"#,
    );
}

#[test]
fn key_outside_any_section() {
    check(
        &cat("name = \"loyalty-sms\"\n", BASE),
        r#"error: experiments/loyalty-sms.toml:1:1: key `name` is outside any section; write it under its section header, such as [experiment]
  |
1 | name = "loyalty-sms"
  | ^^^^"#,
    );
}

#[test]
fn number_written_as_a_string() {
    check(
        &edit(
            BASE,
            "name = \"pilot\"\nweight = 0.5",
            "name = \"pilot\"\nweight = \"0.5\"",
        ),
        r#"error: experiments/loyalty-sms.toml:10:10: `weight` must be a number, found a string
   |
10 | weight = "0.5"
   |          ^^^^^
help: remove the quotes: weight = 0.5"#,
    );
}

#[test]
fn text_written_as_a_number() {
    check(
        &edit(
            BASE,
            "name = \"loyalty-sms\"",
            "name = \"loyalty-sms\"\ndescription = 2026",
        ),
        r#"error: experiments/loyalty-sms.toml:3:15: `description` must be a string, found a number
  |
3 | description = 2026
  |               ^^^^
help: put text in double quotes: description = "2026""#,
    );
}

#[test]
fn boolean_written_as_a_string() {
    check(
        &cat(BASE, "\n[analysis]\nsequential = \"yes\"\n"),
        r#"error: experiments/loyalty-sms.toml:19:14: `sequential` must be true or false, found a string
   |
19 | sequential = "yes"
   |              ^^^^^"#,
    );
}

#[test]
fn list_expected_found_a_string() {
    check(
        &cat(BASE, "\n[analysis]\nsegments = \"region\"\n"),
        r#"error: experiments/loyalty-sms.toml:19:12: `segments` must be a list of strings, found a string
   |
19 | segments = "region"
   |            ^^^^^^^^"#,
    );
}

#[test]
fn number_expected_found_a_list() {
    check(
        &cat(BASE, "\n[analysis]\nalpha = [0.05]\n"),
        r#"error: experiments/loyalty-sms.toml:19:9: `alpha` must be a number, found a list
   |
19 | alpha = [0.05]
   |         ^^^^^^"#,
    );
}

#[test]
fn number_expected_found_a_table() {
    check(
        &cat(BASE, "\n[analysis]\nalpha = { value = 0.05 }\n"),
        r#"error: experiments/loyalty-sms.toml:19:9: `alpha` must be a number, found a table
   |
19 | alpha = { value = 0.05 }
   |         ^^^^^^^^^^^^^^^^"#,
    );
}

#[test]
fn list_item_of_the_wrong_type() {
    check(
        &edit(
            BASE,
            "file = \"assignments.csv\"",
            "file = \"assignments.csv\"\nstratify = [\"segment\", 3]",
        ),
        r#"error: experiments/loyalty-sms.toml:17:24: each item of `stratify` must be a string, found a number
   |
17 | stratify = ["segment", 3]
   |                        ^
help: put text in double quotes: "3""#,
    );
}

#[test]
fn whole_number_expected() {
    check(
        &cat(BASE, "\n[roi]\nhorizon_months = 12.5\n"),
        r#"error: experiments/loyalty-sms.toml:19:18: `horizon_months` must be a whole number, found 12.5
   |
19 | horizon_months = 12.5
   |                  ^^^^"#,
    );
}

#[test]
fn missing_required_key_points_at_the_header() {
    check(
        &edit(
            BASE,
            "name = \"loyalty-sms\"\n",
            "description = \"SMS for lapsed customers\"\n",
        ),
        r#"error: experiments/loyalty-sms.toml:1:1: missing `name` in [experiment]
  |
1 | [experiment]
  | ^^^^^^^^^^^^"#,
    );
}

#[test]
fn missing_required_section() {
    check(
        &edit(BASE, "[population]\nfile = \"customers.csv\"\n\n", ""),
        r#"error: experiments/loyalty-sms.toml: missing section [population]
help: every experiment file needs [experiment], [[arms]], [population] and [assignment]; `pilot init NAME` writes a commented template"#,
    );
}

#[test]
fn empty_file() {
    check(
        "",
        r#"error: experiments/loyalty-sms.toml: missing section [experiment]
help: every experiment file needs [experiment], [[arms]], [population] and [assignment]; `pilot init NAME` writes a commented template"#,
    );
}

#[test]
fn toml_syntax_error_keeps_the_location() {
    check(
        &edit(
            BASE,
            "file = \"customers.csv\"",
            "file = \"customers.csv\nid_column = \"id\"",
        ),
        r#"error: experiments/loyalty-sms.toml:13:22: invalid TOML: invalid basic string, expected `"`
   |
13 | file = "customers.csv
   |                      ^"#,
    );
}

#[test]
fn unquoted_text() {
    check(
        &edit(BASE, "name = \"loyalty-sms\"", "name = loyalty-sms"),
        r#"error: experiments/loyalty-sms.toml:2:8: invalid TOML: string values must be quoted, expected literal string
  |
2 | name = loyalty-sms
  |        ^^^^^^^^^^^
help: put text in double quotes: name = "loyalty-sms""#,
    );
}

#[test]
fn duplicate_key() {
    check(
        &edit(
            BASE,
            "name = \"loyalty-sms\"",
            "name = \"loyalty-sms\"\nname = \"loyalty-email\"",
        ),
        r#"error: experiments/loyalty-sms.toml:3:1: invalid TOML: duplicate key `name`; a key may appear only once in a section
  |
3 | name = "loyalty-email"
  | ^^^^"#,
    );
}

#[test]
fn single_brackets_for_a_second_arm() {
    check(
        &edit(
            BASE,
            "[[arms]]\nname = \"pilot\"",
            "[arms]\nname = \"pilot\"",
        ),
        r#"error: experiments/loyalty-sms.toml:8:2: invalid TOML: [arms] clashes with the earlier [[arms]]; a section is either written once as [name] or repeated as [[name]]
  |
8 | [arms]
  |  ^^^^"#,
    );
}

#[test]
fn double_brackets_for_a_single_section() {
    check(
        &edit(BASE, "[experiment]", "[[experiment]]"),
        r#"error: experiments/loyalty-sms.toml:1:1: [experiment] must be a single section, found a list of sections
  |
1 | [[experiment]]
  | ^^^^^^^^^^^^^^
help: write the header with single brackets: [experiment]"#,
    );
}

#[test]
fn experiment_name_with_capitals_and_spaces() {
    check(
        &edit(BASE, "name = \"loyalty-sms\"", "name = \"Loyalty SMS\""),
        r#"error: experiments/loyalty-sms.toml:2:8: experiment name `Loyalty SMS` may only contain lowercase letters, digits and '-'
  |
2 | name = "Loyalty SMS"
  |        ^^^^^^^^^^^^^
help: for example: loyalty-sms"#,
    );
}

#[test]
fn experiment_name_starting_with_a_dash() {
    check(
        &edit(BASE, "name = \"loyalty-sms\"", "name = \"-sms\""),
        r#"error: experiments/loyalty-sms.toml:2:8: experiment name `-sms` must start with a lowercase letter or digit
  |
2 | name = "-sms"
  |        ^^^^^^"#,
    );
}

#[test]
fn duplicate_arm_points_at_the_second() {
    check(
        &edit(BASE, "name = \"pilot\"", "name = \"control\""),
        r#"error: experiments/loyalty-sms.toml:9:8: duplicate arm `control`; arm names must be unique
  |
9 | name = "control"
  |        ^^^^^^^^^"#,
    );
}

#[test]
fn arm_name_formula_injection() {
    check(
        &edit(BASE, "name = \"pilot\"", "name = \"=HYPERLINK(1)\""),
        r#"error: experiments/loyalty-sms.toml:9:8: arm name `=HYPERLINK(1)` must not start with '=', '+', '-' or '@' (spreadsheets would treat it as a formula)
  |
9 | name = "=HYPERLINK(1)"
  |        ^^^^^^^^^^^^^^^"#,
    );
}

#[test]
fn arm_name_with_a_comma() {
    check(
        &edit(BASE, "name = \"pilot\"", "name = \"pilot, 10% off\""),
        r#"error: experiments/loyalty-sms.toml:9:8: arm name `pilot, 10% off` must not contain commas, quotes, tabs or line breaks
  |
9 | name = "pilot, 10% off"
  |        ^^^^^^^^^^^^^^^^"#,
    );
}

#[test]
fn arm_name_with_trailing_space() {
    check(
        &edit(BASE, "name = \"pilot\"", "name = \"pilot \""),
        r#"error: experiments/loyalty-sms.toml:9:8: arm name `pilot ` must not start or end with a space
  |
9 | name = "pilot "
  |        ^^^^^^^^"#,
    );
}

#[test]
fn empty_arm_name() {
    check(
        &edit(BASE, "name = \"pilot\"", "name = \"\""),
        r#"error: experiments/loyalty-sms.toml:9:8: arm name must not be empty
  |
9 | name = ""
  |        ^^"#,
    );
}

#[test]
fn single_arm() {
    check(
        &edit(BASE, "[[arms]]\nname = \"pilot\"\nweight = 0.5\n\n", ""),
        r#"error: experiments/loyalty-sms.toml:4:1: an experiment needs at least two arms (the first is the control), found 1
  |
4 | [[arms]]
  | ^^^^^^^^"#,
    );
}

#[test]
fn negative_weight() {
    check(
        &edit(
            BASE,
            "name = \"pilot\"\nweight = 0.5",
            "name = \"pilot\"\nweight = -0.5",
        ),
        r#"error: experiments/loyalty-sms.toml:10:10: arm weight must be greater than 0, found -0.5
   |
10 | weight = -0.5
   |          ^^^^"#,
    );
}

#[test]
fn zero_weight() {
    check(
        &edit(
            BASE,
            "name = \"pilot\"\nweight = 0.5",
            "name = \"pilot\"\nweight = 0",
        ),
        r#"error: experiments/loyalty-sms.toml:10:10: arm weight must be greater than 0, found 0
   |
10 | weight = 0
   |          ^"#,
    );
}

#[test]
fn infinite_weight() {
    check(
        &edit(
            BASE,
            "name = \"pilot\"\nweight = 0.5",
            "name = \"pilot\"\nweight = inf",
        ),
        r#"error: experiments/loyalty-sms.toml:10:10: `weight` must be a finite number, found inf
   |
10 | weight = inf
   |          ^^^"#,
    );
}

#[test]
fn some_arms_without_weight() {
    check(
        &edit(
            BASE,
            "name = \"pilot\"\nweight = 0.5\n",
            "name = \"pilot\"\n",
        ),
        r#"error: experiments/loyalty-sms.toml:8:1: missing `weight` in [[arms]] `pilot`
  |
8 | [[arms]]
  | ^^^^^^^^
help: give every arm a weight, or none of them for an equal split"#,
    );
}

#[test]
fn coverage_above_one() {
    check(
        &edit(
            BASE,
            "file = \"assignments.csv\"",
            "file = \"assignments.csv\"\ncoverage = 80",
        ),
        r#"error: experiments/loyalty-sms.toml:17:12: `coverage` must be greater than 0 and at most 1, found 80
   |
17 | coverage = 80
   |            ^^
help: write percentages as fractions: 80% is 0.8"#,
    );
}

#[test]
fn coverage_zero() {
    check(
        &edit(
            BASE,
            "file = \"assignments.csv\"",
            "file = \"assignments.csv\"\ncoverage = 0",
        ),
        r#"error: experiments/loyalty-sms.toml:17:12: `coverage` must be greater than 0 and at most 1, found 0
   |
17 | coverage = 0
   |            ^"#,
    );
}

#[test]
fn unknown_hash() {
    check(
        &edit(
            BASE,
            "file = \"assignments.csv\"",
            "file = \"assignments.csv\"\nhash = \"sha-256\"",
        ),
        r#"error: experiments/loyalty-sms.toml:17:8: unknown hash `sha-256`; did you mean `sha256`?
   |
17 | hash = "sha-256"
   |        ^^^^^^^^^"#,
    );
}

#[test]
fn filter_with_two_rules() {
    check(
        &edit(
            BASE,
            "file = \"customers.csv\"",
            "file = \"customers.csv\"\nfilters = [{ column = \"segment\", in = [\"retail\"], min = 1 }]",
        ),
        r#"error: experiments/loyalty-sms.toml:14:12: a filter needs exactly one of `in`, `not_in` or a `min`/`max` range; found `in` and a range
   |
14 | filters = [{ column = "segment", in = ["retail"], min = 1 }]
   |            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"#,
    );
}

#[test]
fn filter_without_rule() {
    check(
        &edit(
            BASE,
            "file = \"customers.csv\"",
            "file = \"customers.csv\"\nfilters = [\n  { column = \"segment\", in = [\"retail\"] },\n  { column = \"orders_last_year\" },\n]",
        ),
        r#"error: experiments/loyalty-sms.toml:16:3: a filter needs exactly one of `in`, `not_in` or a `min`/`max` range; found none
   |
16 |   { column = "orders_last_year" },
   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"#,
    );
}

#[test]
fn filter_unknown_key() {
    check(
        &edit(
            BASE,
            "file = \"customers.csv\"",
            "file = \"customers.csv\"\nfilters = [{ column = \"segment\", is = [\"retail\"] }]",
        ),
        r#"error: experiments/loyalty-sms.toml:14:34: unknown key `is` in a [population] filter; did you mean `in`?
   |
14 | filters = [{ column = "segment", is = ["retail"] }]
   |                                  ^^"#,
    );
}

#[test]
fn filter_empty_list() {
    check(
        &edit(
            BASE,
            "file = \"customers.csv\"",
            "file = \"customers.csv\"\nfilters = [{ column = \"segment\", not_in = [] }]",
        ),
        r#"error: experiments/loyalty-sms.toml:14:43: `not_in` must list at least one value
   |
14 | filters = [{ column = "segment", not_in = [] }]
   |                                           ^^"#,
    );
}

#[test]
fn filter_min_above_max() {
    check(
        &edit(
            BASE,
            "file = \"customers.csv\"",
            "file = \"customers.csv\"\nfilters = [{ column = \"orders\", min = 5, max = 1 }]",
        ),
        r#"error: experiments/loyalty-sms.toml:14:39: filter `min` (5) is greater than `max` (1)
   |
14 | filters = [{ column = "orders", min = 5, max = 1 }]
   |                                       ^"#,
    );
}

#[test]
fn alpha_as_a_percentage() {
    check(
        &cat(BASE, "\n[analysis]\nalpha = 5\n"),
        r#"error: experiments/loyalty-sms.toml:19:9: `alpha` must be between 0 and 1 (exclusive), found 5
   |
19 | alpha = 5
   |         ^
help: write percentages as fractions: 5% is 0.05"#,
    );
}

#[test]
fn power_of_one() {
    check(
        &cat(BASE, "\n[analysis]\npower = 1\n"),
        r#"error: experiments/loyalty-sms.toml:19:9: `power` must be between 0 and 1 (exclusive), found 1
   |
19 | power = 1
   |         ^"#,
    );
}

#[test]
fn unknown_correction() {
    check(
        &cat(BASE, "\n[analysis]\ncorrection = \"fdr\"\n"),
        r#"error: experiments/loyalty-sms.toml:19:14: unknown correction `fdr`; expected one of: holm, bh, bonferroni, none
   |
19 | correction = "fdr"
   |              ^^^^^"#,
    );
}

#[test]
fn unknown_metric_kind() {
    check(
        &edit(&metric(), "kind = \"binary\"", "kind = \"binery\""),
        r#"error: experiments/loyalty-sms.toml:23:8: unknown metric kind `binery`; did you mean `binary`?
   |
23 | kind = "binery"
   |        ^^^^^^^^"#,
    );
}

#[test]
fn metric_without_kind() {
    check(
        &edit(&metric(), "kind = \"binary\"\n", ""),
        r#"error: experiments/loyalty-sms.toml:21:1: missing `kind` in [[metrics]] `repeat_purchase`
   |
21 | [[metrics]]
   | ^^^^^^^^^^^
help: kind is one of: binary, mean, ratio, nps, csat, ces, ordinal"#,
    );
}

#[test]
fn metric_without_direction() {
    check(
        &edit(&metric(), "direction = \"increase\"\n", ""),
        r#"error: experiments/loyalty-sms.toml:21:1: missing `direction` in [[metrics]] `repeat_purchase`
   |
21 | [[metrics]]
   | ^^^^^^^^^^^
help: direction is "increase" if higher is better (purchases, revenue) or "decrease" if lower is better (churn, tickets)"#,
    );
}

#[test]
fn no_primary_metric() {
    check(
        &edit(&metric(), "role = \"primary\"", "role = \"secondary\""),
        r#"error: experiments/loyalty-sms.toml:21:1: no primary metric; exactly one metric must have role = "primary"
   |
21 | [[metrics]]
   | ^^^^^^^^^^^
help: the primary metric is the one the pilot is meant to move"#,
    );
}

#[test]
fn two_primary_metrics() {
    check(
        &cat(
            &metric(),
            "\n[[metrics]]\nname = \"revenue\"\nkind = \"mean\"\nrole = \"primary\"\ndirection = \"increase\"\n",
        ),
        r#"error: experiments/loyalty-sms.toml:30:8: a second primary metric `revenue`; exactly one metric may have role = "primary" (the first is `repeat_purchase`)
   |
30 | role = "primary"
   |        ^^^^^^^^^"#,
    );
}

#[test]
fn duplicate_metric() {
    check(
        &cat(
            &metric(),
            "\n[[metrics]]\nname = \"repeat_purchase\"\nkind = \"mean\"\ndirection = \"increase\"\n",
        ),
        r#"error: experiments/loyalty-sms.toml:28:8: duplicate metric `repeat_purchase`; metric names must be unique
   |
28 | name = "repeat_purchase"
   |        ^^^^^^^^^^^^^^^^^"#,
    );
}

#[test]
fn ratio_without_denominator() {
    check(
        &edit(&metric(), "kind = \"binary\"", "kind = \"ratio\""),
        r#"error: experiments/loyalty-sms.toml:21:1: missing `denominator` in [[metrics]] `repeat_purchase`
   |
21 | [[metrics]]
   | ^^^^^^^^^^^
help: a ratio metric divides the sum of its column by the sum of the denominator column, for example denominator = "orders""#,
    );
}

#[test]
fn denominator_on_a_binary_metric() {
    check(
        &cat(&metric(), "denominator = \"orders\"\n"),
        r#"error: experiments/loyalty-sms.toml:26:1: `denominator` applies to ratio metrics only; `repeat_purchase` is a binary metric
   |
26 | denominator = "orders"
   | ^^^^^^^^^^^"#,
    );
}

#[test]
fn cap_out_of_range() {
    check(
        &cat(
            &edit(&metric(), "kind = \"binary\"", "kind = \"mean\""),
            "cap = 0.4\n",
        ),
        r#"error: experiments/loyalty-sms.toml:26:7: `cap` must be between 0.5 and 1 (exclusive), found 0.4
   |
26 | cap = 0.4
   |       ^^^"#,
    );
}

#[test]
fn cap_on_a_binary_metric() {
    check(
        &cat(&metric(), "cap = 0.99\n"),
        r#"error: experiments/loyalty-sms.toml:26:1: `cap` applies to mean and ratio metrics only; `repeat_purchase` is a binary metric
   |
26 | cap = 0.99
   | ^^^"#,
    );
}

#[test]
fn sum_of_a_binary_metric() {
    check(
        &cat(&metric(), "aggregate = \"sum\"\n"),
        r#"error: experiments/loyalty-sms.toml:26:13: aggregate `sum` does not fit a binary metric: it can give values other than 0 and 1
   |
26 | aggregate = "sum"
   |             ^^^^^
help: use "max" (1 if any row is 1) or "last""#,
    );
}

#[test]
fn missing_zero_for_a_survey() {
    check(
        &cat(
            &edit(&metric(), "kind = \"binary\"", "kind = \"nps\""),
            "missing = \"zero\"\n",
        ),
        r#"error: experiments/loyalty-sms.toml:26:11: missing = "zero" does not fit an nps metric: a customer who did not answer has no score
   |
26 | missing = "zero"
   |           ^^^^^^
help: use missing = "exclude"; response rates are reported"#,
    );
}

#[test]
fn ordinal_without_scale() {
    check(
        &edit(&metric(), "kind = \"binary\"", "kind = \"ordinal\""),
        r#"error: experiments/loyalty-sms.toml:21:1: missing `scale` in [[metrics]] `repeat_purchase`
   |
21 | [[metrics]]
   | ^^^^^^^^^^^
help: an ordinal metric needs its answer range, for example scale = [1, 7]"#,
    );
}

#[test]
fn scale_upside_down() {
    check(
        &cat(
            &edit(&metric(), "kind = \"binary\"", "kind = \"ordinal\""),
            "scale = [7, 1]\n",
        ),
        r#"error: experiments/loyalty-sms.toml:26:9: `scale` must list the lowest answer first, then a higher one; found [7, 1]
   |
26 | scale = [7, 1]
   |         ^^^^^^"#,
    );
}

#[test]
fn margin_on_a_primary_metric() {
    check(
        &cat(&metric(), "margin = 0.02\n"),
        r#"error: experiments/loyalty-sms.toml:26:1: `margin` applies to guardrail metrics only; set role = "guardrail" on `repeat_purchase` or remove `margin`
   |
26 | margin = 0.02
   | ^^^^^^"#,
    );
}

#[test]
fn mde_and_mde_absolute() {
    check(
        &cat(&metric(), "mde = 0.1\nmde_absolute = 0.02\n"),
        r#"error: experiments/loyalty-sms.toml:27:1: give either `mde` (relative) or `mde_absolute`, not both
   |
27 | mde_absolute = 0.02
   | ^^^^^^^^^^^^"#,
    );
}

#[test]
fn binary_baseline_as_a_percentage() {
    check(
        &cat(&metric(), "baseline = 25\n"),
        r#"error: experiments/loyalty-sms.toml:26:12: `baseline` of a binary metric is a share and must be between 0 and 1 (exclusive), found 25
   |
26 | baseline = 25
   |            ^^
help: write percentages as fractions: 25% is 0.25"#,
    );
}

#[test]
fn outcomes_with_file_and_summary() {
    check(
        &edit(
            &metric(),
            "file = \"outcomes.csv\"",
            "file = \"outcomes.csv\"\nsummary = \"summary.csv\"",
        ),
        r#"error: experiments/loyalty-sms.toml:20:1: [outcomes] takes `file` or `summary`, not both
   |
20 | summary = "summary.csv"
   | ^^^^^^^"#,
    );
}

#[test]
fn outcomes_without_file() {
    check(
        &edit(
            &metric(),
            "file = \"outcomes.csv\"",
            "id_column = \"customer_id\"",
        ),
        r#"error: experiments/loyalty-sms.toml:18:1: [outcomes] needs `file` (one row per customer or event) or `summary` (pre-aggregated statistics)
   |
18 | [outcomes]
   | ^^^^^^^^^^"#,
    );
}

#[test]
fn window_without_date_column() {
    check(
        &edit(
            &metric(),
            "file = \"outcomes.csv\"",
            "file = \"outcomes.csv\"\nfrom = 2026-09-01",
        ),
        r#"error: experiments/loyalty-sms.toml:20:1: `from` needs `date_column`, the column holding each row's date
   |
20 | from = 2026-09-01
   | ^^^^"#,
    );
}

#[test]
fn from_after_to() {
    check(
        &edit(
            &metric(),
            "file = \"outcomes.csv\"",
            "file = \"outcomes.csv\"\ndate_column = \"date\"\nfrom = 2026-12-01\nto = \"2026-11-30\"",
        ),
        r#"error: experiments/loyalty-sms.toml:21:8: `from` (2026-12-01) is after `to` (2026-11-30)
   |
21 | from = 2026-12-01
   |        ^^^^^^^^^^"#,
    );
}

#[test]
fn date_in_another_format() {
    check(
        &edit(
            &metric(),
            "file = \"outcomes.csv\"",
            "file = \"outcomes.csv\"\ndate_column = \"date\"\nfrom = \"09/01/2026\"",
        ),
        r#"error: experiments/loyalty-sms.toml:21:8: `from` must be a date written YYYY-MM-DD, found "09/01/2026"
   |
21 | from = "09/01/2026"
   |        ^^^^^^^^^^^^"#,
    );
}

#[test]
fn date_that_does_not_exist() {
    check(
        &edit(
            &metric(),
            "file = \"outcomes.csv\"",
            "file = \"outcomes.csv\"\ndate_column = \"date\"\nto = \"2026-02-29\"",
        ),
        r#"error: experiments/loyalty-sms.toml:21:6: `to` is not a real date: 2026-02-29
   |
21 | to = "2026-02-29"
   |      ^^^^^^^^^^^^"#,
    );
}

#[test]
fn date_with_a_time() {
    check(
        &edit(
            &metric(),
            "file = \"outcomes.csv\"",
            "file = \"outcomes.csv\"\ndate_column = \"date\"\nto = 2026-11-30T23:59:00",
        ),
        r#"error: experiments/loyalty-sms.toml:21:6: `to` must be a date written YYYY-MM-DD, found a date and time
   |
21 | to = 2026-11-30T23:59:00
   |      ^^^^^^^^^^^^^^^^^^^"#,
    );
}

#[test]
fn benefit_for_an_undeclared_metric() {
    check(
        &cat(
            &metric(),
            "\n[roi]\nmonthly_cost = 49\n\n[[roi.benefits]]\nmetric = \"repeat_purchases\"\nunit_value = 25\n",
        ),
        r#"error: experiments/loyalty-sms.toml:31:10: benefit names metric `repeat_purchases`, which is not declared; did you mean `repeat_purchase`?
   |
31 | metric = "repeat_purchases"
   |          ^^^^^^^^^^^^^^^^^^"#,
    );
}

#[test]
fn benefit_clv_without_clv_section() {
    check(
        &cat(
            &metric(),
            "\n[roi]\n\n[[roi.benefits]]\nmetric = \"repeat_purchase\"\nunit_value = \"clv\"\n",
        ),
        r#"error: experiments/loyalty-sms.toml:31:14: unit_value = "clv" needs a [roi.clv] section
   |
31 | unit_value = "clv"
   |              ^^^^^
help: add [roi.clv] with arpu_month, churn_month and (optionally) margin; the customer lifetime value is arpu_month * margin / churn_month"#,
    );
}

#[test]
fn roi_without_benefits() {
    check(
        &cat(&metric(), "\n[roi]\nmonthly_cost = 49\n"),
        r#"error: experiments/loyalty-sms.toml:27:1: [roi] needs at least one [[roi.benefits]] saying what a metric is worth
   |
27 | [roi]
   | ^^^^^
help: add a [[roi.benefits]] section with, for example, metric = "repeat_purchase" and unit_value = 1.0"#,
    );
}

#[test]
fn discount_rate_as_a_percentage() {
    check(
        &cat(
            &metric(),
            "\n[roi]\ndiscount_rate = 8\n\n[[roi.benefits]]\nmetric = \"repeat_purchase\"\nunit_value = 25\n",
        ),
        r#"error: experiments/loyalty-sms.toml:28:17: `discount_rate` is a yearly rate written as a fraction and must be at most 1, found 8
   |
28 | discount_rate = 8
   |                 ^
help: write percentages as fractions: 8% is 0.08"#,
    );
}

#[test]
fn too_few_draws() {
    check(
        &cat(
            &metric(),
            "\n[roi]\ndraws = 500\n\n[[roi.benefits]]\nmetric = \"repeat_purchase\"\nunit_value = 25\n",
        ),
        r#"error: experiments/loyalty-sms.toml:28:9: `draws` must be a whole number from 1,000 to 10,000,000, found 500
   |
28 | draws = 500
   |         ^^^"#,
    );
}

#[test]
fn negative_cost() {
    check(
        &cat(
            &metric(),
            "\n[roi]\nmonthly_cost = -49\n\n[[roi.benefits]]\nmetric = \"repeat_purchase\"\nunit_value = 25\n",
        ),
        r#"error: experiments/loyalty-sms.toml:28:16: `monthly_cost` must be 0 or more, found -49
   |
28 | monthly_cost = -49
   |                ^^^"#,
    );
}

#[test]
fn planned_size_must_be_a_positive_whole_number() {
    check(
        &cat(BASE, "\n[analysis]\nplanned_customers_per_arm = 0\n"),
        r#"error: experiments/loyalty-sms.toml:19:29: `planned_customers_per_arm` must be a whole number of at least 1, found 0
   |
19 | planned_customers_per_arm = 0
   |                             ^"#,
    );
    check(
        &cat(BASE, "\n[analysis]\nplanned_customers_per_arm = 2.5\n"),
        r#"error: experiments/loyalty-sms.toml:19:29: `planned_customers_per_arm` must be a whole number, found 2.5
   |
19 | planned_customers_per_arm = 2.5
   |                             ^^^"#,
    );
}

#[test]
fn decision_minimum_of_zero() {
    check(
        &cat(BASE, "\n[decision]\nmin_customers_per_arm = 0\n"),
        r#"error: experiments/loyalty-sms.toml:19:25: `min_customers_per_arm` must be a whole number of at least 1, found 0
   |
19 | min_customers_per_arm = 0
   |                         ^"#,
    );
}

// ------------------------------------------------------------------ robustness

/// Thousands of damaged copies of the full file: each must parse or give a
/// located error, never panic.
#[test]
fn damaged_files_never_panic() {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let pieces = [
        "",
        "\"",
        "[",
        "]",
        "=",
        "\n",
        "#",
        "é",
        "-",
        "0",
        "1e400",
        "nan",
        "{",
        "}",
        ",",
        "[[",
        "x",
        " ",
        "\t",
        "'",
        "true",
        "2026-02-30",
    ];
    let chars: Vec<(usize, char)> = FULL.char_indices().collect();
    for _ in 0..3000 {
        let mut src = FULL.to_string();
        for _ in 0..=next(3) {
            let (at, c) = chars[next(chars.len())];
            if at + c.len_utf8() > src.len() || !src.is_char_boundary(at) {
                continue;
            }
            let end = (at + c.len_utf8() * next(4)).min(src.len());
            if !src.is_char_boundary(end) {
                continue;
            }
            src.replace_range(at..end, pieces[next(pieces.len())]);
        }
        if let Err(e) = config::parse(Path::new("x.toml"), &src) {
            let text = e.to_string();
            assert!(text.starts_with("error: x.toml"), "{text}");
        }
    }
}

#[test]
fn mde_as_a_percentage() {
    // `mde = 20` was accepted as +2,000% ("12 customers per group").
    check(
        &format!("{}mde = 20\n", metric()),
        r#"error: experiments/loyalty-sms.toml:26:7: `mde` must be less than 1 (it is relative: 0.1 is a change of 10%), found 20
   |
26 | mde = 20
   |       ^^
help: write percentages as fractions: 20% is 0.2; for a change of +100% or more, give `mde_absolute` in the metric's units"#,
    );
}

#[test]
fn a_metric_label_is_read_and_trimmed() {
    let exp = parse(&cat(&metric(), "label = \" Repeat purchases \"\n"));
    assert_eq!(exp.metrics[0].label.as_deref(), Some("Repeat purchases"));
    assert_eq!(parse(&metric()).metrics[0].label, None);
}

#[test]
fn a_metric_label_must_be_one_short_line() {
    for (label, problem) in [
        ("\"   \"", "empty"),
        ("\"Repeat\\npurchases\"", "one line"),
        ("\"Repeat \\u202Epurchases\"", "one line"),
        (&format!("\"{}\"", "x".repeat(61)), "61 characters"),
    ] {
        match config::parse(
            Path::new("experiments/loyalty-sms.toml"),
            &cat(&metric(), &format!("label = {label}\n")),
        ) {
            Ok(_) => panic!("label {label} was accepted"),
            Err(e) => {
                let text = e.to_string();
                assert!(text.contains("experiments/loyalty-sms.toml:"), "{text}");
                assert!(text.contains(problem), "{label}: {text}");
            }
        }
    }
}

#[test]
fn ces_is_effort_on_one_to_seven_lower_is_better() {
    let ces = edit(
        &edit(&metric(), "kind = \"binary\"", "kind = \"ces\""),
        "direction = \"increase\"\n",
        "",
    );
    let exp = parse(&ces);
    let m = &exp.metrics[0];
    assert_eq!(m.kind, MetricKind::Ces);
    assert_eq!(m.scale, Some((1, 7)));
    assert_eq!(m.direction, Direction::Decrease);
    assert_eq!(m.missing, Missing::Exclude);
    assert_eq!(m.aggregate, Aggregate::Last);
    // Another effort scale, and an agree-scale CES where 7 is easiest.
    let exp = parse(&cat(&ces, "scale = [1, 5]\ndirection = \"increase\"\n"));
    assert_eq!(exp.metrics[0].scale, Some((1, 5)));
    assert_eq!(exp.metrics[0].direction, Direction::Increase);
}
