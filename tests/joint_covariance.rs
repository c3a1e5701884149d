//! The sampling covariance the joint decision model is fed
//! (`pilot::analysis::covariance`), against the covariance of the estimates
//! themselves over many simulated repeats of one pilot.
//!
//! One pilot of the *normal* portfolio (`pilot::simulate::portfolio`): a
//! purchase rate and revenue per customer (log-normal spend of buyers, 0
//! for the others), so the two estimated effects are strongly correlated.
//! Rerun 1,500 times with fresh customers, the empirical covariance of the
//! two estimated effects should match the average of the covariance pilot
//! computes from each repeat's co-moments. With 1,500 repeats the empirical
//! covariance has a relative standard error of about sqrt((1 + r^2) / n),
//! under 4%; the test allows 12% (three of them). The second test does the
//! same for a CUPED-adjusted revenue metric, whose covariance carries the
//! adjustment's theta (within 10%: the computed figure is 1% off, and 20%
//! without theta's terms).

mod common;

use std::path::Path;

use common::Rng;
use pilot::analysis::covariance::effect_covariance;
use pilot::analysis::metrics::analyze_metric;
use pilot::config::Role;
use pilot::ingest::aggregate::{CustomerView, aggregate_metric};
use pilot::ingest::cross::{MetricValues, linked_pairs};
use pilot::simulate::portfolio::{PortfolioSpec, draw_pilot, simulate_pilot};
use pilot::stats::Options;

const REPEATS: u64 = 1500;

/// The fixed-horizon comparison the covariance is checked against.
fn fixed_horizon() -> Options {
    Options {
        alpha: 0.05,
        sequential: false,
        tuning: 5000.0,
        group_sequential: None,
    }
}

#[test]
fn computed_covariance_matches_the_spread_of_repeated_estimates() {
    let spec = PortfolioSpec::normal(1, 11).expect("portfolio");
    let (mut pilot, experiment) = draw_pilot(&spec, 0).expect("pilot");
    pilot.customers_per_arm = 600;
    let arm_names: Vec<String> = experiment.arms.iter().map(|a| a.name.clone()).collect();
    let options = fixed_horizon();
    let primary = experiment
        .metrics
        .iter()
        .position(|m| m.role == Role::Primary)
        .expect("primary");
    let money = experiment
        .metrics
        .iter()
        .position(|m| {
            experiment
                .roi
                .as_ref()
                .is_some_and(|r| r.benefits.iter().any(|b| b.metric == m.name))
        })
        .expect("money metric");
    let mut pairs = Vec::new();
    let mut computed = 0.0;
    for repeat in 0..REPEATS {
        pilot.seed = 1_000 + repeat;
        let data = simulate_pilot(&pilot, &experiment);
        let results: Vec<_> = experiment
            .metrics
            .iter()
            .zip(&data.metrics)
            .map(|(m, s)| analyze_metric(m, s, &arm_names, &options))
            .collect();
        let estimate = |i: usize| results[i].comparisons[0].fixed_horizon.unwrap().estimate;
        pairs.push((estimate(primary), estimate(money)));
        computed += effect_covariance(&data.cross, &data.metrics, &results, primary, money, 0)
            .expect("both metrics are per-customer means");
        // The order of the two metrics does not matter.
        assert_eq!(
            effect_covariance(&data.cross, &data.metrics, &results, money, primary, 0),
            effect_covariance(&data.cross, &data.metrics, &results, primary, money, 0)
        );
    }
    computed /= REPEATS as f64;
    let n = pairs.len() as f64;
    let mean_a = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_b = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let empirical = pairs
        .iter()
        .map(|p| (p.0 - mean_a) * (p.1 - mean_b))
        .sum::<f64>()
        / (n - 1.0);
    assert!(empirical > 0.0, "purchases and revenue move together");
    let relative = (computed - empirical).abs() / empirical;
    assert!(
        relative < 0.12,
        "computed {computed}, empirical {empirical} ({relative:.3} apart)"
    );
}

/// Empirical covariance of pairs.
fn covariance(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let mean_a = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_b = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    pairs
        .iter()
        .map(|p| (p.0 - mean_a) * (p.1 - mean_b))
        .sum::<f64>()
        / (n - 1.0)
}

const CUPED_EXPERIMENT: &str = r#"[experiment]
name = "cuped-pair"

[[arms]]
name = "control"
[[arms]]
name = "pilot"

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

[[metrics]]
name = "revenue"
kind = "mean"
direction = "increase"
covariate = "spend_before"

[roi]
customers = 5000
horizon_months = 12
discount_rate = 0.08
one_time_cost = 100
monthly_cost = 10
metric_window_months = 3

[[roi.benefits]]
metric = "revenue"
unit_value = 1
margin = 0.5
"#;

#[test]
fn computed_covariance_carries_the_cuped_adjustment() {
    let experiment = pilot::config::parse(Path::new("cuped.toml"), CUPED_EXPERIMENT).unwrap();
    let arm_names: Vec<String> = experiment.arms.iter().map(|a| a.name.clone()).collect();
    let options = fixed_horizon();
    let per_arm = 500;
    let mut rng = Rng(11);
    let mut pairs = Vec::new();
    let mut computed = 0.0;
    for _ in 0..REPEATS {
        let mut arms = Vec::new();
        let (mut bought, mut revenue, mut before) = (Vec::new(), Vec::new(), Vec::new());
        for arm in 0..2u16 {
            for _ in 0..per_arm {
                // Last quarter's spend predicts both whether a customer
                // buys again and how much.
                let spend_before = (2.5 + 0.8 * rng.normal()).exp();
                let rate = (0.02 + 0.02 * spend_before).min(0.9) * [1.0, 1.15][usize::from(arm)];
                let buys = rng.uniform() < rate;
                let amount = if buys {
                    10.0 + 0.6 * spend_before + 8.0 * rng.normal().abs()
                } else {
                    0.0
                };
                arms.push(arm);
                bought.push(Some(f64::from(u8::from(buys))));
                revenue.push(Some(amount));
                before.push(Some(spend_before));
            }
        }
        let inputs = [
            MetricValues {
                values: &bought,
                covariate: None,
            },
            MetricValues {
                values: &revenue,
                covariate: Some(&before),
            },
        ];
        let view = CustomerView {
            arms: &arms,
            segments: &[],
        };
        let stats: Vec<_> = experiment
            .metrics
            .iter()
            .zip(&inputs)
            .map(|(m, input)| aggregate_metric(m, input.values, None, input.covariate, &view, 2))
            .collect();
        let cross = linked_pairs(&experiment, &inputs, &stats, &arms);
        let results: Vec<_> = experiment
            .metrics
            .iter()
            .zip(&stats)
            .map(|(m, s)| analyze_metric(m, s, &arm_names, &options))
            .collect();
        assert!(
            results[1].comparisons[0]
                .cuped
                .is_some_and(|c| c.applied && c.theta > 0.1),
            "the adjustment is in use"
        );
        let estimate = |i: usize| results[i].comparisons[0].fixed_horizon.unwrap().estimate;
        pairs.push((estimate(0), estimate(1)));
        computed += effect_covariance(&cross, &stats, &results, 0, 1, 0).unwrap();
    }
    computed /= REPEATS as f64;
    let empirical = covariance(&pairs);
    assert!(empirical > 0.0);
    // Within 2% here; leaving out theta's terms puts it 20% off.
    let relative = (computed - empirical).abs() / empirical;
    assert!(
        relative < 0.10,
        "computed {computed}, empirical {empirical} ({relative:.3} apart)"
    );
}
