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
//! under 4%; the test allows 12% (three of them).

use pilot::analysis::covariance::effect_covariance;
use pilot::analysis::metrics::analyze_metric;
use pilot::config::Role;
use pilot::simulate::portfolio::{PortfolioSpec, draw_pilot, simulate_pilot};
use pilot::stats::Options;

const REPEATS: u64 = 1500;

#[test]
fn computed_covariance_matches_the_spread_of_repeated_estimates() {
    let spec = PortfolioSpec::normal(1, 11).expect("portfolio");
    let (mut pilot, experiment) = draw_pilot(&spec, 0).expect("pilot");
    pilot.customers_per_arm = 600;
    let arm_names: Vec<String> = experiment.arms.iter().map(|a| a.name.clone()).collect();
    let options = Options {
        alpha: 0.05,
        sequential: false,
        tuning: 5000.0,
        group_sequential: None,
    };
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
