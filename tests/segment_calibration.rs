//! Calibration of the segment view and the targeted rollout (pure
//! functions, no files; about two seconds in `cargo test --release`):
//!
//! - the winner's curse: the segment with the best measured effect is, on
//!   average, worse than measured; its likely (shrunken) effect must not be
//!   biased upward;
//! - targeting: rolling out only to the segments where it pays must earn
//!   more than rolling out to everyone when segment effects truly differ,
//!   and must not lose money when they do not.
//!
//! Three segments with the demo's shares (55%, 38%, 7%), true segment
//! effects `mu + delta_j` with `mu ~ N(0, 1.5)` and `delta_j ~ N(0, tau^2)`
//! (dollars of margin per customer), a per-customer standard deviation of
//! $10, and a rollout of 5,000 customers earning 3 times the per-customer
//! lift over its horizon at $1 per customer and $2,000 fixed costs. The
//! level is read from the data alone (the prior's part of the decision is
//! calibrated in `decision_calibration.rs`). `--nocapture` prints the
//! table of `docs/calibration.md` (lines starting `SEGMENTS> `, which
//! `scripts/calibrate.sh` copies).

mod common;

use common::Rng;
use pilot::analysis::result::{ArmComparison, FixedHorizon, Outcome, SegmentResult};
use pilot::analysis::segment_pool::{PooledSegments, pool_metric_segments};
use pilot::decide::mixture::NormalMixture;
use pilot::decide::target::{ColumnInput, SegmentInput, TARGETING_LEVEL, TargetInput, best_target};

const SHARES: [f64; 3] = [0.55, 0.38, 0.07];
const SD: f64 = 10.0;
const ROLLOUT: f64 = 5000.0;
const NPV_PER_LIFT: f64 = 3.0;
const COST_PER_CUSTOMER: f64 = 1.0;
const FIXED_COSTS: f64 = 2000.0;

fn comparison(estimate: f64, std_error: f64) -> ArmComparison {
    ArmComparison {
        arm: "treatment".to_string(),
        test: None,
        absolute: None,
        relative: None,
        relative_not_computable: None,
        p_value: None,
        p_value_adjusted: None,
        outcome: Outcome::Inconclusive,
        chance_to_beat_control: None,
        fixed_horizon: Some(FixedHorizon {
            estimate,
            std_error,
        }),
        not_computable: None,
        cuped: None,
    }
}

/// One simulated pilot: the true segment effects and what pilot reads.
struct Pilot {
    truth: Vec<f64>,
    measured: Vec<f64>,
    pooled: PooledSegments,
    overall: (f64, f64),
}

fn pilot(rng: &mut Rng, customers: f64, tau: f64) -> Pilot {
    let level = 1.5 * rng.normal();
    let truth: Vec<f64> = SHARES.iter().map(|_| level + tau * rng.normal()).collect();
    let mut segments = Vec::new();
    let mut measured = Vec::new();
    for (j, (&share, &theta)) in SHARES.iter().zip(&truth).enumerate() {
        let n = (customers * share).round().max(4.0);
        // Two equal arms: the difference's variance is 4 sd^2 / n.
        let se = 2.0 * SD / n.sqrt();
        let y = theta + se * rng.normal();
        measured.push(y);
        segments.push(SegmentResult {
            column: "segment".to_string(),
            value: format!("s{j}"),
            customers: n as u64,
            comparisons: vec![comparison(y, se)],
        });
    }
    let total: f64 = segments.iter().map(|s| s.customers as f64).sum();
    let weights: Vec<f64> = segments
        .iter()
        .map(|s| s.customers as f64 / total)
        .collect();
    let estimate: f64 = weights.iter().zip(&measured).map(|(w, y)| w * y).sum();
    let variance: f64 = weights
        .iter()
        .zip(&segments)
        .map(|(w, s)| {
            let se = s.comparisons[0].fixed_horizon.unwrap().std_error;
            w * w * se * se
        })
        .sum();
    let overall = (estimate, variance.sqrt());
    let pooled = pool_metric_segments(&segments, &[comparison(overall.0, overall.1)], 0.05)
        .pop()
        .expect("three segments pool");
    Pilot {
        truth,
        measured,
        pooled,
        overall,
    }
}

/// True NPV of rolling out to the segments in `included`.
fn true_npv(truth: &[f64], included: &[bool]) -> f64 {
    if !included.iter().any(|&i| i) {
        return 0.0;
    }
    let gain: f64 = SHARES
        .iter()
        .zip(truth)
        .zip(included)
        .filter(|(_, i)| **i)
        .map(|((s, t), _)| ROLLOUT * s * (NPV_PER_LIFT * t - COST_PER_CUSTOMER))
        .sum();
    gain - FIXED_COSTS
}

/// The targeting input of a pilot (money from the data alone).
fn target_input(p: &Pilot) -> TargetInput {
    let b = ROLLOUT * NPV_PER_LIFT;
    TargetInput {
        fixed_costs: FIXED_COSTS,
        customer_costs: ROLLOUT * COST_PER_CUSTOMER,
        lift: NormalMixture::normal(b * p.overall.0, b * p.overall.1),
        npv_per_unit: vec![b],
        customers: ROLLOUT,
        columns: vec![ColumnInput {
            column: "segment".to_string(),
            segments: p
                .pooled
                .segments
                .iter()
                .zip(p.pooled.differences())
                .map(|(s, d)| SegmentInput {
                    value: s.value.clone(),
                    share: s.customers as f64
                        / p.pooled
                            .segments
                            .iter()
                            .map(|s| s.customers as f64)
                            .sum::<f64>(),
                    differences: vec![d],
                })
                .collect(),
        }],
    }
}

/// The segments each rule rolls out to.
fn everyone_rule(p: &Pilot) -> Vec<bool> {
    let b = ROLLOUT * NPV_PER_LIFT;
    let expected = b * p.overall.0 - ROLLOUT * COST_PER_CUSTOMER - FIXED_COSTS;
    vec![expected > 0.0; SHARES.len()]
}

fn target_rule(p: &Pilot, gated: bool) -> Vec<bool> {
    let everyone = everyone_rule(p);
    // The gate of `decide::target::target_input`: segments that differ
    // clearly.
    if gated && p.pooled.q_p_value >= TARGETING_LEVEL {
        return everyone;
    }
    let everyone_value = if everyone[0] {
        let b = ROLLOUT * NPV_PER_LIFT;
        b * p.overall.0 - ROLLOUT * COST_PER_CUSTOMER - FIXED_COSTS
    } else {
        0.0
    };
    match best_target(&target_input(p), 0.0) {
        Some(t) if t.money.expected_npv > everyone_value => p
            .pooled
            .segments
            .iter()
            .map(|s| t.values.contains(&s.value))
            .collect(),
        _ => everyone,
    }
}

fn oracle(truth: &[f64]) -> f64 {
    let included: Vec<bool> = truth
        .iter()
        .map(|t| NPV_PER_LIFT * t > COST_PER_CUSTOMER)
        .collect();
    true_npv(truth, &included).max(0.0)
}

#[derive(Default)]
struct Cell {
    reps: f64,
    raw_bias: f64,
    likely_bias: f64,
    everyone: f64,
    gated: f64,
    ungated: f64,
    oracle: f64,
    gated_targets: f64,
    ungated_targets: f64,
    gated_minus_everyone: Vec<f64>,
}

fn run(customers: f64, tau: f64, reps: usize, seed: u64) -> Cell {
    let mut rng = Rng(seed);
    let mut cell = Cell::default();
    for _ in 0..reps {
        let p = pilot(&mut rng, customers, tau);
        // The winner's curse: the segment with the best measured effect.
        let best = (0..SHARES.len())
            .max_by(|&a, &b| p.measured[a].total_cmp(&p.measured[b]))
            .unwrap();
        cell.raw_bias += p.measured[best] - p.truth[best];
        cell.likely_bias += p.pooled.segments[best].likely.estimate - p.truth[best];
        let everyone = true_npv(&p.truth, &everyone_rule(&p));
        let gated_choice = target_rule(&p, true);
        let ungated_choice = target_rule(&p, false);
        let partial = |c: &[bool]| c.iter().any(|&i| i) && !c.iter().all(|&i| i);
        cell.gated_targets += f64::from(u8::from(partial(&gated_choice)));
        cell.ungated_targets += f64::from(u8::from(partial(&ungated_choice)));
        let gated = true_npv(&p.truth, &gated_choice);
        cell.everyone += everyone;
        cell.gated += gated;
        cell.ungated += true_npv(&p.truth, &ungated_choice);
        cell.oracle += oracle(&p.truth);
        cell.gated_minus_everyone.push(gated - everyone);
        cell.reps += 1.0;
    }
    cell
}

/// Mean and its standard error.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn shrinkage_undoes_the_winners_curse_and_targeting_pays_only_where_segments_differ() {
    let reps = 4000;
    println!(
        "SEGMENTS> | customers | true spread (tau) | winner's bias: measured / likely | profit as share of \
         the oracle's: everyone / target (gated) / target (ungated) | targeted: gated / \
         ungated | target minus everyone, per pilot |"
    );
    println!("SEGMENTS> |---:|---:|---:|---:|---:|---:|");
    for (i, &(customers, tau)) in [(600.0, 0.0), (2000.0, 0.0), (600.0, 3.0), (2000.0, 3.0)]
        .iter()
        .enumerate()
    {
        let cell = run(customers, tau, reps, 20261204 + i as u64);
        let n = cell.reps;
        let (diff, diff_se) = mean_se(&cell.gated_minus_everyone);
        println!(
            "SEGMENTS> | {customers} | {tau} | {:+.2} / {:+.2} | {:.0}% / {:.0}% / {:.0}% | {:.1}% / {:.1}% | {:+.0} ± {:.0} |",
            cell.raw_bias / n,
            cell.likely_bias / n,
            100.0 * cell.everyone / cell.oracle,
            100.0 * cell.gated / cell.oracle,
            100.0 * cell.ungated / cell.oracle,
            100.0 * cell.gated_targets / n,
            100.0 * cell.ungated_targets / n,
            diff,
            diff_se,
        );
        // The selected segment's measured effect is biased upward; its
        // likely effect keeps less than a third of that bias (the plug-in
        // tau^2 of three segments under-shrinks when they do not differ).
        let (raw, likely) = (cell.raw_bias / n, cell.likely_bias / n);
        assert!(raw > 0.25, "{raw}");
        assert!(likely < 0.3 * raw, "{likely} vs {raw}");
        if tau == 0.0 {
            // No real difference: targeting keeps at least 99% of the
            // profit of rolling out to everyone, and rarely happens.
            assert!(cell.gated >= 0.99 * cell.everyone, "{diff} ± {diff_se}");
            assert!(cell.gated_targets / n < 0.02);
        } else {
            // Real differences: targeting earns more.
            assert!(diff > 2.0 * diff_se, "{diff} ± {diff_se}");
        }
    }
}
