//! The summary-statistics CSV: sharded pre-aggregates give exactly the
//! statistics (and so the comparisons) of the row-level data.

use pilot::analysis::metrics::analyze_metric;
use pilot::config;
use pilot::ingest::aggregate::{CustomerView, aggregate_metric};
use pilot::ingest::summary::read_summary;
use pilot::stats::Options;

const EXPERIMENT: &str = r#"
[experiment]
name = "t"
[[arms]]
name = "control"
[[arms]]
name = "pilot"
[population]
file = "customers.csv"
[assignment]
file = "ledger.csv"
[outcomes]
summary = "summary.csv"
segment_column = "region"
[[metrics]]
name = "bought"
kind = "binary"
role = "primary"
direction = "increase"
[[metrics]]
name = "revenue"
kind = "mean"
covariate = "revenue_before"
direction = "increase"
[[metrics]]
name = "per_order"
column = "revenue"
denominator = "orders"
kind = "ratio"
direction = "increase"
[[metrics]]
name = "csat"
kind = "csat"
direction = "increase"
"#;

/// A customer: (arm, region, bought, revenue, revenue_before, orders, csat).
type Customer = (u16, u32, f64, f64, f64, f64, f64);

/// A deterministic pseudo-random customer.
fn customer(i: u64) -> Customer {
    let h = |k: u64| {
        let x = i
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(k.wrapping_mul(1_442_695_040_888_963_407))
            ^ (i >> 3);
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
    };
    let arm = (h(1) < 0.5) as u16;
    let region = (h(2) * 3.0) as u32;
    let before = (h(3) * 100.0).round();
    let orders = (h(4) * 4.0).floor();
    let revenue = (orders * 20.0 + before * 0.3 + h(5) * 10.0 + f64::from(arm) * 3.0).round();
    (
        arm,
        region,
        f64::from(orders > 0.0),
        revenue,
        before,
        orders,
        (1.0 + h(6) * 5.0).floor().min(5.0),
    )
}

#[test]
fn sharded_summary_equals_row_level_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let exp = config::parse(&dir.path().join("exp.toml"), EXPERIMENT).unwrap();
    let customers: Vec<_> = (0..2_000).map(customer).collect();
    let arms: Vec<u16> = customers.iter().map(|c| c.0).collect();
    let codes: Vec<u32> = customers.iter().map(|c| c.1).collect();
    let labels: Vec<String> = ["north", "south", "east"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let segments = [("region".to_string(), labels.as_slice(), codes.as_slice())];
    let view = CustomerView {
        arms: &arms,
        segments: &segments,
    };
    let col = |f: fn(&Customer) -> f64| -> Vec<Option<f64>> {
        customers.iter().map(|c| Some(f(c))).collect()
    };
    let (bought, revenue, before, orders, csat) = (
        col(|c| c.2),
        col(|c| c.3),
        col(|c| c.4),
        col(|c| c.5),
        col(|c| c.6),
    );
    let from_rows = [
        aggregate_metric(&exp.metrics[0], &bought, None, None, &view, 2),
        aggregate_metric(&exp.metrics[1], &revenue, None, Some(&before), &view, 2),
        aggregate_metric(&exp.metrics[2], &revenue, Some(&orders), None, &view, 2),
        aggregate_metric(&exp.metrics[3], &csat, None, None, &view, 2),
    ];

    // Two shards (even and odd customers) per arm, metric and region.
    let mut csv = String::from(
        "arm,metric,region,n,sum,sum_squares,covariate_sum,covariate_sum_squares,\
         main_covariate_sum_product,denominator_sum,denominator_sum_squares,\
         main_denominator_sum_product,count_1,count_2,count_3,count_4,count_5\n",
    );
    for arm in 0..2u16 {
        for region in 0..3u32 {
            for parity in 0..2 {
                let group: Vec<_> = customers
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| c.0 == arm && c.1 == region && i % 2 == parity)
                    .map(|(_, c)| c)
                    .collect();
                let n = group.len();
                let sum = |f: &dyn Fn(&&Customer) -> f64| group.iter().map(f).sum::<f64>();
                let arm_name = ["control", "pilot"][arm as usize];
                let region_name = ["north", "south", "east"][region as usize];
                let b = sum(&|c| c.2);
                csv.push_str(&format!(
                    "{arm_name},bought,{region_name},{n},{b},{b},,,,,,,,,,,\n"
                ));
                csv.push_str(&format!(
                    "{arm_name},revenue,{region_name},{n},{},{},{},{},{},,,,,,,,\n",
                    sum(&|c| c.3),
                    sum(&|c| c.3 * c.3),
                    sum(&|c| c.4),
                    sum(&|c| c.4 * c.4),
                    sum(&|c| c.3 * c.4)
                ));
                csv.push_str(&format!(
                    "{arm_name},per_order,{region_name},{n},{},{},,,,{},{},{},,,,,\n",
                    sum(&|c| c.3),
                    sum(&|c| c.3 * c.3),
                    sum(&|c| c.5),
                    sum(&|c| c.5 * c.5),
                    sum(&|c| c.3 * c.5)
                ));
                let counts: Vec<String> = (1..=5)
                    .map(|v| {
                        group
                            .iter()
                            .filter(|c| c.6 == f64::from(v))
                            .count()
                            .to_string()
                    })
                    .collect();
                csv.push_str(&format!(
                    "{arm_name},csat,{region_name},{n},,,,,,,,,{}\n",
                    counts.join(",")
                ));
            }
        }
    }
    std::fs::write(dir.path().join("summary.csv"), csv).unwrap();
    let outcomes = exp.outcomes.clone().unwrap();
    let from_summary = read_summary(outcomes.summary.as_ref().unwrap(), &outcomes, &exp).unwrap();

    let names = vec!["control".to_string(), "pilot".to_string()];
    let options = Options::default();
    for (m, metric) in exp.metrics.iter().enumerate() {
        let a = analyze_metric(metric, &from_rows[m], &names, &options);
        let b = analyze_metric(metric, &from_summary[m], &names, &options);
        let (ca, cb) = (&a.comparisons[0], &b.comparisons[0]);
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-300);
        assert!(
            close(ca.p_value.unwrap(), cb.p_value.unwrap()),
            "{}: {ca:?} vs {cb:?}",
            metric.name
        );
        assert!(
            close(ca.absolute.unwrap().ci_low, cb.absolute.unwrap().ci_low),
            "{}",
            metric.name
        );
        assert_eq!(
            a.arms.iter().map(|x| x.n).collect::<Vec<_>>(),
            b.arms.iter().map(|x| x.n).collect::<Vec<_>>()
        );
        assert_eq!(a.segments.len(), b.segments.len(), "{}", metric.name);
        for (sa, sb) in a.segments.iter().zip(&b.segments) {
            assert_eq!((&sa.value, sa.customers), (&sb.value, sb.customers));
            let (pa, pb) = (
                sa.comparisons[0].p_value.unwrap(),
                sb.comparisons[0].p_value.unwrap(),
            );
            assert!(close(pa, pb), "{} {}: {pa} vs {pb}", metric.name, sa.value);
        }
    }
}

#[test]
fn summary_errors_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let exp = config::parse(&dir.path().join("exp.toml"), EXPERIMENT).unwrap();
    let outcomes = exp.outcomes.clone().unwrap();
    let path = outcomes.summary.clone().unwrap();
    let cases = [
        (
            "arm,metric,region,n,sum,sum_squares\ntreatment,bought,north,10,3,3\n",
            "summary.csv:2: column `arm`: `treatment` is not an arm of the experiment (arms: control, pilot)",
        ),
        (
            &format!(
                "arm,metric,region,n,sum,sum_squares\n{},bought,north,10,3,3\n",
                "pasted text ".repeat(500)
            ),
            "summary.csv:2: column `arm`: `pasted text pasted text pasted text past...` is not an arm",
        ),
        (
            "arm,metric,region,n,sum,sum_squares\ncontrol,boughtt,north,10,3,3\n",
            "summary.csv:2: column `metric`: `boughtt` is not a metric of the experiment (metrics: bought, revenue, per_order, csat)",
        ),
        (
            "arm,metric,region,n,sum,sum_squares\ncontrol,bought,north,10.5,3,3\n",
            "summary.csv:2: column `n`: expected a whole number of customers, found 10.5",
        ),
        (
            "arm,metric,region,n,sum,sum_squares\ncontrol,revenue,north,10,3,3\n",
            "summary.csv:2: metric `revenue` has a covariate, so the summary file needs covariate_sum, covariate_sum_squares and main_covariate_sum_product columns",
        ),
        (
            "arm,metric,region,n,sum,sum_squares\ncontrol,bought,north,10,30,30\n",
            "summary.csv:2: metric `bought`: ",
        ),
        (
            "arm,metric,region,n,count_1,count_5\ncontrol,csat,north,10,3,3\n",
            "summary.csv:2: column `n`: metric `csat`: n is 10 but the count_<value> columns add up to 6",
        ),
    ];
    for (csv, expected) in cases {
        std::fs::write(&path, csv).unwrap();
        let err = read_summary(&path, &outcomes, &exp)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{err}\nexpected: {expected}");
    }
}
