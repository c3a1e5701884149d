//! Throughput of the statistics engine: 10,000 arm comparisons, a mix of
//! Welch (absolute + relative), proportions (z-test / Fisher with Newcombe
//! intervals) and sequential comparisons, as `pilot analyze` would run for
//! many metrics and segments.

use criterion::{Criterion, criterion_group, criterion_main};
use pilot::stats::bayes::{BetaPrior, bayes_binary};
use pilot::stats::{BinaryStats, MeanStats, Options, compare_means, compare_proportions};
use std::hint::black_box;

enum Job {
    Means(MeanStats, MeanStats, Options),
    Binary(BinaryStats, BinaryStats, Options),
}

/// 10,000 deterministic, varied comparisons: 40% Welch, 40% proportions,
/// 10% sequential means, 10% sequential proportions.
fn jobs() -> Vec<Job> {
    let mut out = Vec::with_capacity(10_000);
    for i in 0..10_000u64 {
        let n_c = 200 + (i * 7919) % 50_000;
        let n_t = 200 + (i * 104_729) % 50_000;
        let mean = |n: u64, m: f64, sd: f64| {
            let nf = n as f64;
            MeanStats::from_summary(n, m * nf, (nf - 1.0) * sd * sd + nf * m * m).unwrap()
        };
        let rate = |n: u64, p: f64| BinaryStats::new(n, (n as f64 * p) as u64).unwrap();
        let sequential = i % 5 == 4;
        let opts = Options {
            alpha: [0.05, 0.1, 0.01][(i % 3) as usize],
            sequential,
            tuning: 5000.0,
            group_sequential: None,
        };
        let drift = (i % 13) as f64 / 100.0;
        if i % 2 == 0 {
            out.push(Job::Means(
                mean(n_c, 50.0, 20.0 + drift),
                mean(n_t, 50.0 + drift * 10.0, 21.0),
                opts,
            ));
        } else {
            let p = 0.02 + (i % 50) as f64 / 100.0;
            out.push(Job::Binary(
                rate(n_c, p),
                rate(n_t, p * (1.0 + drift)),
                opts,
            ));
        }
    }
    out
}

fn run(jobs: &[Job]) -> f64 {
    let mut acc = 0.0;
    for job in jobs {
        let p = match job {
            Job::Means(c, t, o) => compare_means(c, t, o).map(|r| r.p_value),
            Job::Binary(c, t, o) => compare_proportions(c, t, o).map(|r| r.p_value),
        };
        acc += p.unwrap_or(1.0);
    }
    acc
}

fn bench(c: &mut Criterion) {
    let jobs = jobs();
    c.bench_function("10k arm comparisons", |b| {
        b.iter(|| black_box(run(black_box(&jobs))))
    });
}

fn bench_bayes(c: &mut Criterion) {
    for n in [5_000u64, 100_000] {
        let ctl = BinaryStats::new(n, n / 10).unwrap();
        let trt = BinaryStats::new(n, n / 10 + n / 200).unwrap();
        c.bench_function(&format!("exact Bayesian binary, n = {n} per arm"), |b| {
            b.iter(|| {
                black_box(bayes_binary(
                    black_box(&ctl),
                    black_box(&trt),
                    BetaPrior::default(),
                ))
            })
        });
    }
}

criterion_group!(benches, bench, bench_bayes);
criterion_main!(benches);
