//! Calibration of pilot's statistics on simulated experiments with a known
//! truth (see `pilot::simulate`).
//!
//! The fast tests run in `cargo test` with few replications and bounds
//! loosened to match (3 binomial standard errors of the replication count);
//! the `#[ignore]`d `full_*` tests use many replications and are run by
//! `scripts/calibrate.sh`, which copies the printed `| CALIBRATION |` lines
//! into `docs/calibration.md`. Every seed is fixed, so every figure is
//! reproducible.

use pilot::analysis::compare::compare;
use pilot::config::{Direction, MetricKind};
use pilot::simulate::{
    Collector, Shape, SimRng, revenue_sd, simulate_group, synthetic_metric, uniform,
};
use pilot::stats::Options;
use pilot::stats::power::{Design, sample_size_means, sample_size_proportions};
use pilot::stats::srm::sample_ratio_mismatch;
use rand::SeedableRng;

const ALPHA: f64 = 0.05;

/// The kinds calibrated, with the effect used in coverage runs.
const KINDS: [(MetricKind, &str); 6] = [
    (MetricKind::Binary, "binary (10%)"),
    (MetricKind::Mean, "revenue (70% zeros, log-normal)"),
    (MetricKind::Nps, "NPS 0-10 (70% non-response)"),
    (MetricKind::Csat, "CSAT 1-5 (70% non-response)"),
    (MetricKind::Ordinal, "ordinal 1-7 (70% non-response)"),
    (MetricKind::Ratio, "revenue per order (Poisson orders)"),
];

fn options(sequential: bool) -> Options {
    Options {
        alpha: ALPHA,
        sequential,
        ..Options::default()
    }
}

/// Binomial standard error of a rate `p` over `reps` replications.
fn se(p: f64, reps: u64) -> f64 {
    (p * (1.0 - p) / reps as f64).sqrt()
}

/// Prints one result line for the docs table.
fn report(check: &str, case: &str, measured: f64, expected: &str, reps: u64) {
    println!("| CALIBRATION | {check} | {case} | {measured:.4} | {expected} | {reps} |");
}

/// Share of A/A experiments (`n` customers per arm, answers for surveys
/// among them) in which the reported test rejects at `ALPHA`.
fn aa_rate(kind: MetricKind, n: u64, sequential: bool, reps: u64, seed: u64) -> f64 {
    let metric = synthetic_metric("m", kind);
    let shape = Shape::of(&metric, 0.0);
    let mut rng = SimRng::seed_from_u64(seed);
    let opts = options(sequential);
    let mut rejected = 0;
    for _ in 0..reps {
        let c = simulate_group(kind, &shape, n, false, &mut rng);
        let t = simulate_group(kind, &shape, n, false, &mut rng);
        if let Ok(r) = compare(kind, Direction::Increase, &c, &t, &opts)
            && r.reported.p_value < ALPHA
        {
            rejected += 1;
        }
    }
    rejected as f64 / reps as f64
}

fn check_aa(reps: u64, sizes: &[u64]) {
    let mut failures = Vec::new();
    for (i, (kind, label)) in KINDS.iter().enumerate() {
        for &n in sizes {
            for sequential in [false, true] {
                let seed = 1000 + 10 * i as u64 + n + u64::from(sequential);
                let rate = aa_rate(*kind, n, sequential, reps, seed);
                let mode = if sequential { "sequential" } else { "fixed" };
                let case = format!("{label}, n = {n}/arm, {mode}");
                let bound = 3.0 * se(ALPHA, reps);
                // State the bound the test applies, so that a rate within
                // sampling error of 5% does not read as a failure.
                let expected = if !sequential && n >= 1000 {
                    format!("0.05 +/- {bound:.4}")
                } else {
                    format!("<= {:.4}", ALPHA + bound)
                };
                report("A/A false positives", &case, rate, &expected, reps);
                // Everything may be conservative (sequential always is;
                // Fisher and rank tests on tiny discrete samples can be),
                // but none may exceed alpha beyond sampling error. The
                // fixed-horizon tests at the large size must also not be
                // needlessly conservative.
                let too_high = rate > ALPHA + bound;
                let too_low = !sequential && n >= 1000 && rate < ALPHA - bound;
                if too_high || too_low {
                    failures.push(format!("{case}: {rate:.4} (bound +/- {bound:.4})"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "miscalibrated: {failures:#?}");
}

/// Coverage of the absolute and relative intervals for a true effect.
fn coverage(
    kind: MetricKind,
    lift: f64,
    n: u64,
    cuped: bool,
    reps: u64,
    seed: u64,
) -> (f64, Option<f64>) {
    let metric = synthetic_metric("m", kind);
    let base = Shape::of(&metric, 0.0);
    let treated = Shape::of(&metric, lift);
    let (truth_c, truth_t) = (base.truth(kind), treated.truth(kind));
    let mut rng = SimRng::seed_from_u64(seed);
    let opts = options(false);
    let (mut abs_in, mut rel_in, mut rel_n, mut done) = (0u64, 0u64, 0u64, 0u64);
    for _ in 0..reps {
        let c = simulate_group(kind, &base, n, cuped, &mut rng);
        let t = simulate_group(kind, &treated, n, cuped, &mut rng);
        let Ok(r) = compare(kind, Direction::Increase, &c, &t, &opts) else {
            continue;
        };
        done += 1;
        let a = r.reported.absolute;
        let diff = truth_t - truth_c;
        abs_in += u64::from(a.ci_low <= diff && diff <= a.ci_high);
        if let Ok(rel) = r.reported.relative {
            let ratio = truth_t / truth_c - 1.0;
            rel_n += 1;
            rel_in += u64::from(rel.ci_low <= ratio && ratio <= rel.ci_high);
        }
    }
    assert!(done > reps * 9 / 10, "too many comparisons not computable");
    let rel = (rel_n > 0).then(|| rel_in as f64 / rel_n as f64);
    (abs_in as f64 / done as f64, rel)
}

fn check_coverage(reps: u64, n: u64) {
    let cases = [
        (MetricKind::Binary, 0.10, false, "binary, +10%"),
        (MetricKind::Mean, 0.10, false, "revenue, +10%"),
        (MetricKind::Mean, 0.10, true, "revenue with CUPED, +10%"),
        (MetricKind::Nps, 5.0, false, "NPS, +5 points"),
        (MetricKind::Csat, 0.05, false, "CSAT, +5% satisfied"),
        (MetricKind::Ordinal, 0.05, false, "ordinal, +5% mean answer"),
        (MetricKind::Ratio, 0.10, false, "revenue per order, +10%"),
    ];
    let bound = 3.0 * se(1.0 - ALPHA, reps);
    let mut failures = Vec::new();
    for (i, (kind, lift, cuped, label)) in cases.into_iter().enumerate() {
        let (abs, rel) = coverage(kind, lift, n, cuped, reps, 2000 + i as u64);
        let case = format!("{label}, n = {n}/arm");
        report("coverage, absolute", &case, abs, "0.95", reps);
        if (abs - 0.95).abs() > bound {
            failures.push(format!("{case} absolute: {abs:.4}"));
        }
        if let Some(rel) = rel {
            report("coverage, relative", &case, rel, "0.95", reps);
            if (rel - 0.95).abs() > bound {
                failures.push(format!("{case} relative: {rel:.4}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "coverage off by more than {bound:.4}: {failures:#?}"
    );
}

/// Share of A/A experiments declared significant at any of `looks` equally
/// spaced looks (cumulative data, `n` per arm at the end): (fixed, sequential).
fn peeking(kind: MetricKind, n: u64, looks: u64, reps: u64, seed: u64) -> (f64, f64) {
    let metric = synthetic_metric("m", kind);
    let shape = Shape::of(&metric, 0.0);
    let mut rng = SimRng::seed_from_u64(seed);
    let (fixed_opts, seq_opts) = (options(false), options(true));
    let (mut fixed_hits, mut seq_hits) = (0u64, 0u64);
    for _ in 0..reps {
        let mut c = Collector::new(kind, false);
        let mut t = Collector::new(kind, false);
        let (mut fixed_hit, mut seq_hit) = (false, false);
        for _ in 0..looks {
            for _ in 0..n / looks {
                c.push(&shape.draw(&mut rng));
                t.push(&shape.draw(&mut rng));
            }
            let (cs, ts) = (c.stats(), t.stats());
            let p = |o: &Options| {
                compare(kind, Direction::Increase, &cs, &ts, o).map_or(1.0, |r| r.reported.p_value)
            };
            fixed_hit |= p(&fixed_opts) < ALPHA;
            seq_hit |= p(&seq_opts) < ALPHA;
        }
        fixed_hits += u64::from(fixed_hit);
        seq_hits += u64::from(seq_hit);
    }
    (
        fixed_hits as f64 / reps as f64,
        seq_hits as f64 / reps as f64,
    )
}

fn check_peeking(reps: u64, n: u64) {
    for (i, (kind, label)) in [
        (MetricKind::Binary, "binary"),
        (MetricKind::Mean, "revenue"),
    ]
    .into_iter()
    .enumerate()
    {
        let (fixed, seq) = peeking(kind, n, 10, reps, 3000 + i as u64);
        let case = format!("{label}, 10 looks, n = {n}/arm at the end");
        report(
            "peeking, fixed-horizon test at every look",
            &case,
            fixed,
            "> 0.05 (inflated)",
            reps,
        );
        report(
            "peeking, sequential test at every look",
            &case,
            seq,
            "<= 0.05",
            reps,
        );
        let bound = 3.0 * se(ALPHA, reps);
        assert!(
            fixed > ALPHA + bound,
            "{case}: peeking did not inflate the fixed test: {fixed:.4}"
        );
        assert!(
            seq <= ALPHA + bound,
            "{case}: sequential exceeded alpha: {seq:.4}"
        );
    }
}

/// Simulated power of the fixed-horizon test at the planned sample size.
fn power_at_plan(kind: MetricKind, mde: f64, target: f64, reps: u64, seed: u64) -> (u64, f64) {
    let metric = synthetic_metric("m", kind);
    let base = Shape::of(&metric, 0.0);
    let treated = Shape::of(&metric, mde);
    let design = Design {
        alpha: ALPHA,
        power: target,
        ratio: 1.0,
    };
    let n = match kind {
        MetricKind::Binary => {
            sample_size_proportions(base.truth(kind), treated.truth(kind), &design)
                .unwrap()
                .control
        }
        _ => {
            // The t-test's standard error uses both arms' variances, so plan
            // with their root mean square (the effect scales the spread too).
            let (sc, st) = (revenue_sd(&base).unwrap(), revenue_sd(&treated).unwrap());
            let sd = ((sc * sc + st * st) / 2.0).sqrt();
            sample_size_means(treated.truth(kind) - base.truth(kind), sd, &design)
                .unwrap()
                .control
        }
    };
    let mut rng = SimRng::seed_from_u64(seed);
    let opts = options(false);
    let mut hits = 0u64;
    for _ in 0..reps {
        let c = simulate_group(kind, &base, n, false, &mut rng);
        let t = simulate_group(kind, &treated, n, false, &mut rng);
        if let Ok(r) = compare(kind, Direction::Increase, &c, &t, &opts)
            && r.reported.p_value < ALPHA
            && r.reported.absolute.estimate > 0.0
        {
            hits += 1;
        }
    }
    (n, hits as f64 / reps as f64)
}

fn check_power(reps: u64, tolerance: f64) {
    let target = 0.8;
    for (i, (kind, mde, label)) in [
        (MetricKind::Binary, 0.2, "binary 10%, +20%"),
        (MetricKind::Mean, 0.2, "revenue, +20%"),
    ]
    .into_iter()
    .enumerate()
    {
        let (n, power) = power_at_plan(kind, mde, target, reps, 4000 + i as u64);
        let case = format!("{label}, planned n = {n}/arm");
        report("power at the planned size", &case, power, "0.80", reps);
        assert!(
            (power - target).abs() <= tolerance,
            "{case}: simulated power {power:.4}, target {target}, tolerance {tolerance}"
        );
    }
}

/// Draws how many of `total` customers land in the control arm.
fn control_count(total: u64, p: f64, rng: &mut SimRng) -> u64 {
    (0..total).filter(|_| uniform(rng) < p).count() as u64
}

/// Share of experiments flagged (p < 0.001) with control share `p`.
fn srm_rate(total: u64, p: f64, reps: u64, seed: u64) -> f64 {
    let mut rng = SimRng::seed_from_u64(seed);
    let mut flagged = 0u64;
    for _ in 0..reps {
        let c = control_count(total, p, &mut rng);
        let r = sample_ratio_mismatch(&[c, total - c], &[0.5, 0.5]).unwrap();
        flagged += u64::from(r.p_value < 0.001);
    }
    flagged as f64 / reps as f64
}

fn check_srm(null_reps: u64, null_total: u64, skew_reps: u64) {
    let null = srm_rate(null_total, 0.5, null_reps, 5000);
    let case = format!("50/50 split, {null_total} customers");
    report("SRM flags, correct split", &case, null, "0.001", null_reps);
    // Nominal 0.001: allow 3 binomial SE plus 1.5 expected counts of slack
    // for the chi-square approximation of a discrete count.
    let bound = 0.001 + 3.0 * se(0.001, null_reps) + 1.5 / null_reps as f64;
    assert!(
        null <= bound,
        "{case}: SRM fired at {null:.5}, bound {bound:.5}"
    );
    // One arm 2% short of its share: 49% instead of 50%.
    let caught = srm_rate(100_000, 0.49, skew_reps, 5001);
    report(
        "SRM flags, 2% imbalance (49/51)",
        "100000 customers",
        caught,
        "~1",
        skew_reps,
    );
    assert!(
        caught >= 0.99,
        "SRM missed a 2% imbalance: caught {caught:.4}"
    );
}

#[test]
fn fast_false_positive_rates() {
    check_aa(300, &[30, 2000]);
}

#[test]
fn fast_interval_coverage() {
    check_coverage(200, 1000);
}

#[test]
fn fast_peeking() {
    check_peeking(200, 1000);
}

#[test]
fn fast_power_at_planned_size() {
    // 150 replications: SE of power ~0.033, so the fast bound is 0.12.
    check_power(150, 0.12);
}

#[test]
fn fast_sample_ratio_mismatch() {
    check_srm(2000, 1000, 20);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_false_positive_rates() {
    check_aa(10_000, &[30, 2000]);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_interval_coverage() {
    check_coverage(5000, 2000);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_peeking() {
    check_peeking(4000, 2000);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_power_at_planned_size() {
    // 4000 replications: SE ~0.0063, so two points is ~3 SE.
    check_power(4000, 0.02);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_sample_ratio_mismatch() {
    check_srm(100_000, 1000, 1000);
}
