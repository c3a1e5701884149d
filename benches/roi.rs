//! Speed of the ROI projection: 100k draws, 12 months, 2 benefits, which is
//! what `pilot analyze` runs by default. Target: well under 100 ms.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pilot::config::{Benefit, Direction, Roi};
use pilot::roi::{MetricEffect, project};

fn roi() -> Roi {
    Roi {
        customers: Some(800.0),
        horizon_months: 12,
        discount_rate: 0.1,
        one_time_cost: 2_000.0,
        monthly_cost: 150.0,
        cost_per_customer_month: 0.2,
        metric_window_months: 2.0,
        effect_half_life_months: 5.0,
        draws: 100_000,
        seed: 2024,
        currency: "EUR".to_string(),
        benefits: vec![
            Benefit {
                metric: "orders".to_string(),
                unit_value: 30.0,
                margin: 0.4,
            },
            Benefit {
                metric: "churn".to_string(),
                unit_value: 200.0,
                margin: 1.0,
            },
        ],
    }
}

fn effects() -> Vec<MetricEffect> {
    vec![
        MetricEffect {
            metric: "orders".to_string(),
            direction: Direction::Increase,
            lift: 0.2,
            se: 0.03,
            control_mean: Some(1.1),
        },
        MetricEffect {
            metric: "churn".to_string(),
            direction: Direction::Decrease,
            lift: -0.004,
            se: 0.003,
            control_mean: Some(0.03),
        },
    ]
}

fn bench_project(c: &mut Criterion) {
    let roi = roi();
    let effects = effects();
    c.bench_function("roi project 100k draws, 12 months, 2 benefits", |b| {
        b.iter(|| project(black_box(&roi), black_box(800.0), black_box(&effects)))
    });
}

criterion_group!(benches, bench_project);
criterion_main!(benches);
