//! Calibration of pilot's statistics on simulated experiments with a known
//! truth (see `pilot::simulate`).
//!
//! The fast tests run in `cargo test` with few replications and bounds
//! loosened to match (3 binomial standard errors of the replication count);
//! the `#[ignore]`d `full_*` tests use many replications and are run by
//! `scripts/calibrate.sh`, which copies the printed `| CALIBRATION |` lines
//! into `docs/calibration.md`. Every seed is fixed, so every figure is
//! reproducible.

use std::path::Path;

use pilot::analysis::compare::compare;
use pilot::config::{Aggregate, Direction, Metric, MetricKind};
use pilot::plan::plan;
use pilot::simulate::{Collector, Shape, SimRng, simulate_group, synthetic_metric, uniform};
use pilot::stats::group_sequential::GroupSequential;
use pilot::stats::power::{Design, sample_size_means};
use pilot::stats::srm::sample_ratio_mismatch;
use pilot::stats::{Effect, Options, dist};
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

/// A count metric (visits, tickets): rows counted per customer
/// (`aggregate = "count"`), drawn as gamma-Poisson counts.
fn count_metric() -> Metric {
    Metric {
        aggregate: Aggregate::Count,
        ..synthetic_metric("m", MetricKind::Mean)
    }
}

/// The metrics whose monitoring and power are calibrated, with labels.
fn monitored_metrics() -> [(Metric, &'static str); 4] {
    [
        (synthetic_metric("m", MetricKind::Binary), "binary"),
        (synthetic_metric("m", MetricKind::Mean), "revenue"),
        (count_metric(), "count (negative binomial)"),
        (
            synthetic_metric("m", MetricKind::Ratio),
            "revenue per order",
        ),
    ]
}

/// Whether `effect`'s interval contains `truth`.
fn covers(effect: &Effect, truth: f64) -> bool {
    effect.ci_low <= truth && truth <= effect.ci_high
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
        if let Ok(r) = compare(kind, metric.scale, Direction::Increase, &c, &t, &opts)
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
        let Ok(r) = compare(kind, metric.scale, Direction::Increase, &c, &t, &opts) else {
            continue;
        };
        done += 1;
        abs_in += u64::from(covers(&r.reported.absolute, truth_t - truth_c));
        if let Ok(rel) = r.reported.relative {
            rel_n += 1;
            rel_in += u64::from(covers(&rel, truth_t / truth_c - 1.0));
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

/// Fixed-horizon relative intervals at a small size `n` per arm: coverage and
/// misses below the true lift of pilot's interval (on the log scale when the
/// ratio is poorly determined) and of gbstats' form, estimate +/- q se, on the
/// same data. pilot's must do better on both counts. The coverage of the
/// absolute difference is shown beside them.
fn check_small_sample_relative(reps: u64, n: u64) {
    let cases = [
        (MetricKind::Binary, "binary, +10%"),
        (MetricKind::Mean, "revenue, +10%"),
    ];
    let mut failures = Vec::new();
    for (i, (kind, label)) in cases.into_iter().enumerate() {
        let metric = synthetic_metric("m", kind);
        let (base, treated) = (Shape::of(&metric, 0.0), Shape::of(&metric, 0.10));
        let (truth_c, truth_t) = (base.truth(kind), treated.truth(kind));
        let (diff, ratio) = (truth_t - truth_c, truth_t / truth_c - 1.0);
        let mut rng = SimRng::seed_from_u64(7000 + i as u64);
        // Computed, covered, below the truth: pilot's and gbstats' form.
        let (mut done, mut covered, mut below) = (0u64, [0u64; 2], [0u64; 2]);
        let (mut abs_covered, mut width_ratio) = (0u64, 0.0);
        for _ in 0..reps {
            let c = simulate_group(kind, &base, n, false, &mut rng);
            let t = simulate_group(kind, &treated, n, false, &mut rng);
            let Ok(r) = compare(
                kind,
                metric.scale,
                Direction::Increase,
                &c,
                &t,
                &options(false),
            ) else {
                continue;
            };
            let Ok(rel) = r.reported.relative else {
                continue;
            };
            done += 1;
            abs_covered += u64::from(covers(&r.reported.absolute, diff));
            let q = r.reported.degrees_of_freedom.map_or_else(
                || dist::normal_isf(ALPHA / 2.0),
                |df| dist::t_isf(ALPHA / 2.0, df),
            );
            let half = q * rel.std_error;
            width_ratio += (rel.ci_high - rel.ci_low) / (2.0 * half);
            for (k, (low, high)) in [
                (rel.ci_low, rel.ci_high),
                (rel.estimate - half, rel.estimate + half),
            ]
            .into_iter()
            .enumerate()
            {
                covered[k] += u64::from(low <= ratio && ratio <= high);
                below[k] += u64::from(high < ratio);
            }
        }
        assert!(done > reps * 9 / 10, "too many comparisons not computable");
        let rate = |count: u64| count as f64 / done as f64;
        let case = format!("{label}, n = {n}/arm");
        report(
            "coverage, absolute, small sample",
            &case,
            rate(abs_covered),
            "0.95, not required (see notes)",
            done,
        );
        for (k, form) in ["", ", gbstats' form"].into_iter().enumerate() {
            report(
                &format!("coverage, relative, small sample{form}"),
                &case,
                rate(covered[k]),
                "0.95, not required (see notes)",
                done,
            );
            report(
                &format!("relative interval below the true lift, small sample{form}"),
                &case,
                rate(below[k]),
                "0.025, not required (see notes)",
                done,
            );
        }
        let width = width_ratio / done as f64;
        report(
            "interval width, relative, small sample / gbstats' form",
            &case,
            width,
            ">= 1 (see notes)",
            done,
        );
        // Never narrower: 2 (1 + L) sinh(a) >= 2 (1 + L) a.
        if width.is_nan() || width < 1.0 - 1e-9 {
            failures.push(format!("{case}: relative width ratio {width:.4}"));
        }
        if covered[0] <= covered[1] || below[0] >= below[1] {
            failures.push(format!(
                "{case}: pilot covered {covered:?} and missed below {below:?} (gbstats' form second)"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the log scale did not beat gbstats' form: {failures:#?}"
    );
}

/// What `looks` equally spaced looks at cumulative data showed, counted over
/// replications: each replication is one experiment that grows to `n`
/// customers per arm and is analysed, fixed-horizon and sequentially, at
/// every look.
#[derive(Debug, Default)]
struct Monitored {
    /// Replications run.
    reps: u64,
    /// Replications in which the fixed-horizon test rejected at some look.
    fixed_rejected: u64,
    /// Replications in which the sequential test rejected at some look.
    seq_rejected: u64,
    /// Replications in which some look's fixed-horizon interval for the
    /// absolute effect missed the true effect.
    fixed_missed: u64,
    /// The same for the sequential interval (confidence sequence): the
    /// running intersection of the looks' intervals missed the truth.
    seq_missed: u64,
    /// The same for the sequential interval of the relative effect.
    seq_rel_missed: u64,
    /// The same for gbstats' form of that interval, estimate +/- q se.
    seq_rel_gbstats_missed: u64,
    /// Sums of the ratio sequential / fixed-horizon interval width for the
    /// absolute effect at the first and at the last look.
    width_first: f64,
    width_last: f64,
    /// Sums and counts of the ratio of the sequential relative interval's
    /// width to that of gbstats' form, at the first and at the last look.
    rel_width_first: (f64, u64),
    rel_width_last: (f64, u64),
}

impl Monitored {
    fn rate(&self, count: u64) -> f64 {
        count as f64 / self.reps as f64
    }
}

/// Runs `reps` experiments of `metric` with effect `lift`, `n` customers per
/// arm at the end, analysed at `looks` equally spaced looks.
fn monitor(metric: &Metric, lift: f64, n: u64, looks: u64, reps: u64, seed: u64) -> Monitored {
    let kind = metric.kind;
    let (base, treated) = (Shape::of(metric, 0.0), Shape::of(metric, lift));
    let (truth_c, truth_t) = (base.truth(kind), treated.truth(kind));
    let (diff, ratio) = (truth_t - truth_c, truth_t / truth_c - 1.0);
    let mut rng = SimRng::seed_from_u64(seed);
    // Sequential options: `compare` then returns the fixed-horizon
    // comparison of the same data alongside.
    let opts = options(true);
    let width = |e: &Effect| e.ci_high - e.ci_low;
    let mut out = Monitored {
        reps,
        ..Monitored::default()
    };
    for _ in 0..reps {
        let mut c = Collector::new(kind, false);
        let mut t = Collector::new(kind, false);
        let (mut fixed_rej, mut seq_rej) = (false, false);
        let (mut fixed_miss, mut seq_miss, mut seq_rel_miss) = (false, false, false);
        let mut seq_rel_gbstats_miss = false;
        for look in 0..looks {
            for _ in 0..n / looks {
                c.push(&base.draw(&mut rng));
                t.push(&treated.draw(&mut rng));
            }
            // A look whose comparison is not computable shows nothing: no
            // rejection and no interval.
            let Ok(r) = compare(
                kind,
                metric.scale,
                Direction::Increase,
                &c.stats(),
                &t.stats(),
                &opts,
            ) else {
                continue;
            };
            let (fixed, seq) = (&r.fixed.absolute, &r.reported.absolute);
            fixed_rej |= fixed.p_value < ALPHA;
            seq_rej |= seq.p_value < ALPHA;
            fixed_miss |= !covers(fixed, diff);
            seq_miss |= !covers(seq, diff);
            if let Ok(rel) = &r.reported.relative {
                seq_rel_miss |= !covers(rel, ratio);
                let n_total = (r.reported.control.n + r.reported.treatment.n) as f64;
                let half = sequential_half_width(rel.std_error, n_total);
                seq_rel_gbstats_miss |=
                    !(rel.estimate - half <= ratio && ratio <= rel.estimate + half);
                let w = width(rel) / (2.0 * half);
                for (at, sum) in [
                    (0, &mut out.rel_width_first),
                    (looks - 1, &mut out.rel_width_last),
                ] {
                    if look == at {
                        *sum = (sum.0 + w, sum.1 + 1);
                    }
                }
            }
            let w = width(seq) / width(fixed);
            if look == 0 {
                out.width_first += w;
            }
            if look + 1 == looks {
                out.width_last += w;
            }
        }
        out.fixed_rejected += u64::from(fixed_rej);
        out.seq_rejected += u64::from(seq_rej);
        out.fixed_missed += u64::from(fixed_miss);
        out.seq_missed += u64::from(seq_miss);
        out.seq_rel_missed += u64::from(seq_rel_miss);
        out.seq_rel_gbstats_missed += u64::from(seq_rel_gbstats_miss);
    }
    out
}

/// Under A/A, share of experiments declared significant at some of 10 looks:
/// inflated for the fixed-horizon test, at most alpha for the sequential one.
fn check_peeking(reps: u64, n: u64) {
    let bound = 3.0 * se(ALPHA, reps);
    let mut failures = Vec::new();
    for (i, (metric, label)) in monitored_metrics().iter().enumerate() {
        let m = monitor(metric, 0.0, n, 10, reps, 3000 + i as u64);
        let (fixed, seq) = (m.rate(m.fixed_rejected), m.rate(m.seq_rejected));
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
        if fixed <= ALPHA + bound {
            failures.push(format!(
                "{case}: peeking did not inflate the fixed test: {fixed:.4}"
            ));
        }
        if seq > ALPHA + bound {
            failures.push(format!("{case}: sequential exceeded alpha: {seq:.4}"));
        }
    }
    assert!(failures.is_empty(), "bound {bound:.4}: {failures:#?}");
}

/// Half-width of the always-valid interval of an estimate with standard
/// error `se` after `n_total` customers.
fn sequential_half_width(se: f64, n_total: f64) -> f64 {
    pilot::stats::sequential::half_width(se * se, n_total, ALPHA, Options::default().tuning)
}

/// Width of the always-valid interval relative to the fixed-horizon normal
/// interval after `n_total` customers: depends on nothing else.
fn sequential_width_ratio(n_total: f64) -> f64 {
    sequential_half_width(1.0, n_total) / pilot::stats::dist::normal_isf(ALPHA / 2.0)
}

/// Coverage of the confidence sequences at every look at once, against the
/// fixed-horizon intervals checked at every look, and their widths: with 10
/// looks, and with a look every 10 customers per arm from the first 10 on
/// (continuous monitoring from the start) when `continuous` is set.
fn check_sequential_coverage(reps: u64, n: u64, continuous: bool) {
    let cases = [
        (MetricKind::Binary, "binary, +10%"),
        (MetricKind::Mean, "revenue, +10%"),
    ];
    let bound = 3.0 * se(1.0 - ALPHA, reps);
    let mut failures = Vec::new();
    for (i, (kind, label)) in cases.into_iter().enumerate() {
        let metric = synthetic_metric("m", kind);
        let schedules: &[u64] = if continuous { &[10, n / 10] } else { &[10] };
        for (j, &looks) in schedules.iter().enumerate() {
            let continuous = j == 1;
            let seed = 6000 + 10 * i as u64 + j as u64;
            let m = monitor(&metric, 0.10, n, looks, reps, seed);
            let case = format!("{label}, {looks} looks, n = {n}/arm at the end");
            let seq_abs = 1.0 - m.rate(m.seq_missed);
            let seq_rel = 1.0 - m.rate(m.seq_rel_missed);
            let seq_rel_gbstats = 1.0 - m.rate(m.seq_rel_gbstats_missed);
            let fixed = 1.0 - m.rate(m.fixed_missed);
            let check = "coverage at every look at once";
            report(
                &format!("{check}, sequential, absolute"),
                &case,
                seq_abs,
                ">= 0.95",
                reps,
            );
            // Looked at from the first 10 customers per arm on, this holds
            // only because a poorly determined ratio gets its interval on
            // the log scale (stats::welch::LOG_SCALE_ABOVE); gbstats' form
            // of the same sequence, estimate +/- q se, is shown beside it.
            report(
                &format!("{check}, sequential, relative"),
                &case,
                seq_rel,
                ">= 0.95",
                reps,
            );
            report(
                &format!("{check}, sequential, relative, gbstats' form"),
                &case,
                seq_rel_gbstats,
                "not required (see notes)",
                reps,
            );
            report(
                &format!("{check}, fixed-horizon, absolute"),
                &case,
                fixed,
                "< 0.95 (no guarantee)",
                reps,
            );
            if seq_abs < 1.0 - ALPHA - bound {
                failures.push(format!("{case}, sequential absolute: {seq_abs:.4}"));
            }
            if seq_rel < 1.0 - ALPHA - bound {
                failures.push(format!("{case}, sequential relative: {seq_rel:.4}"));
            }
            // The check must be able to see a miss: fixed-horizon intervals
            // checked at every look have to fall short of 95%.
            if fixed >= 1.0 - ALPHA - bound {
                failures.push(format!("{case}, fixed-horizon at every look: {fixed:.4}"));
            }
            if continuous {
                continue;
            }
            for (at, per_arm, sum, (rel_sum, rel_n)) in [
                ("first", n / looks, m.width_first, m.rel_width_first),
                ("last", n / looks * looks, m.width_last, m.rel_width_last),
            ] {
                // The log-scale interval, 2 (1 + L) sinh(a), is never
                // narrower than gbstats' 2 (1 + L) a.
                let rel = rel_sum / rel_n as f64;
                report(
                    "interval width, sequential relative / gbstats' form",
                    &format!("{label}, {at} look ({per_arm}/arm)"),
                    rel,
                    ">= 1 (see notes)",
                    rel_n,
                );
                // (Up to rounding where the two forms coincide.)
                if rel.is_nan() || rel < 1.0 - 1e-9 {
                    failures.push(format!(
                        "{label}: relative width ratio {rel:.4} at the {at} look"
                    ));
                }
                let measured = sum / reps as f64;
                let expected = sequential_width_ratio(2.0 * per_arm as f64);
                report(
                    "interval width, sequential / fixed-horizon",
                    &format!("{label}, {at} look ({per_arm}/arm)"),
                    measured,
                    &format!("{expected:.4} (normal theory)"),
                    reps,
                );
                // Means use a t quantile and rates Newcombe's score interval
                // rather than the normal one; Newcombe's is ~4% wider than it
                // with 10 conversions per arm, closer with more.
                if (measured / expected - 1.0).abs() > 0.05 {
                    failures.push(format!(
                        "{label}: width ratio at the {at} look {measured:.4}, theory {expected:.4}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "coverage below 0.95 by more than {bound:.4}, or widths off: {failures:#?}"
    );
}

/// Customers per arm `pilot plan` asks for to detect a relative change `mde`
/// of `metric`, given today's value `baseline` and spread `sd` per customer
/// (ignored for rates), with a fixed-horizon analysis.
fn planned_size(metric: &Metric, baseline: f64, sd: f64, mde: f64) -> u64 {
    let mut fields = format!(
        "name = \"m\"\nkind = \"{}\"\nrole = \"primary\"\ndirection = \"increase\"\nbaseline = {baseline}\nmde = {mde}\n",
        metric.kind.as_str()
    );
    if metric.kind != MetricKind::Binary {
        fields.push_str(&format!("baseline_sd = {sd}\n"));
    }
    if metric.aggregate == Aggregate::Count {
        fields.push_str("aggregate = \"count\"\n");
    }
    if let Some(denominator) = &metric.denominator {
        fields.push_str(&format!("denominator = \"{denominator}\"\n"));
    }
    let text = format!(
        "[experiment]\nname = \"calibration\"\n\n[[arms]]\nname = \"control\"\n[[arms]]\nname = \"pilot\"\n\n\
         [population]\nfile = \"customers.csv\"\n\n[assignment]\nfile = \"assignments.csv\"\n\n\
         [[metrics]]\n{fields}\n[analysis]\nsequential = false\n"
    );
    let exp = pilot::config::parse(Path::new("calibration.toml"), &text)
        .unwrap_or_else(|e| panic!("calibration experiment file: {e}\n{text}"));
    plan(&exp, 0).metrics[0]
        .sample_size_per_arm
        .unwrap_or_else(|| panic!("pilot plan gave no sample size for\n{text}"))
}

/// Simulated power of the fixed-horizon test with `n` customers per arm to
/// detect a relative change `mde` of `metric`.
fn simulated_power(metric: &Metric, mde: f64, n: u64, reps: u64, seed: u64) -> f64 {
    let kind = metric.kind;
    let (base, treated) = (Shape::of(metric, 0.0), Shape::of(metric, mde));
    let mut rng = SimRng::seed_from_u64(seed);
    let opts = options(false);
    let mut hits = 0u64;
    for _ in 0..reps {
        let c = simulate_group(kind, &base, n, false, &mut rng);
        let t = simulate_group(kind, &treated, n, false, &mut rng);
        if let Ok(r) = compare(kind, metric.scale, Direction::Increase, &c, &t, &opts)
            && r.reported.p_value < ALPHA
            && r.reported.absolute.estimate > 0.0
        {
            hits += 1;
        }
    }
    hits as f64 / reps as f64
}

/// The relative MDE planned per monitored metric: sizes of a few hundred to
/// a few thousand customers per arm.
const MDES: [f64; 4] = [0.2, 0.2, 0.1, 0.05];

/// Simulated power at the size `pilot plan` asks for, planned with today's
/// (the control's) value and spread. With `contrast`, for mean and ratio
/// metrics also (reported, not required) at the size that assumes today's
/// spread in both arms (the stats power function alone), which is why
/// `pilot plan` lets the spread grow with an increase.
fn check_power(reps: u64, tolerance: f64, contrast: bool) {
    let metrics = monitored_metrics();
    let target = 0.8;
    let mut failures = Vec::new();
    for (i, ((metric, label), &mde)) in metrics.iter().zip(&MDES).enumerate() {
        let base = Shape::of(metric, 0.0);
        let (today, sd) = (
            base.truth(metric.kind),
            base.sd().expect("a planned spread"),
        );
        let n = planned_size(metric, today, sd, mde);
        let seed = 4000 + i as u64;
        let power = simulated_power(metric, mde, n, reps, seed);
        let effect = format!("{label}, +{:.0}%", mde * 100.0);
        let case = format!("{effect}, planned n = {n}/arm");
        report("power at the planned size", &case, power, "0.80", reps);
        if (power - target).abs() > tolerance {
            failures.push(format!("{case}: {power:.4}"));
        }
        if contrast && metric.kind != MetricKind::Binary {
            let design = Design {
                alpha: ALPHA,
                power: target,
                ratio: 1.0,
            };
            let common = sample_size_means(mde * today, sd, &design)
                .expect("a positive effect and spread")
                .control;
            let power = simulated_power(metric, mde, common, reps, seed + 100);
            report(
                "power, sized with today's spread in both arms",
                &format!("{effect}, n = {common}/arm"),
                power,
                "< 0.80 (contrast)",
                reps,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "simulated power off the target {target} by more than {tolerance}: {failures:#?}"
    );
}

/// Ten equally spaced looks, as information fractions of the planned size.
const WEEKLY: [f64; 10] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// Ten unequally spaced looks: two early peeks, a cluster in the middle and
/// a last one just before the end.
const UNEVEN: [f64; 10] = [0.05, 0.1, 0.25, 0.45, 0.5, 0.55, 0.7, 0.85, 0.95, 1.0];

/// Outcome of monitoring a planned pilot group-sequentially.
struct Planned {
    /// Share of experiments that some look declared better than control.
    group_sequential: f64,
    /// Share declared better by the fixed-horizon test at the planned size
    /// only, on the same data.
    fixed: f64,
}

/// Grows each experiment to `n` customers per arm, looked at the
/// information fractions `looks` (the last one 1) with pilot's default
/// planned analysis: `sequential` with the group-sequential plan of the
/// looks so far, exactly as `pilot analyze` builds it from the history.
fn planned_monitor(
    metric: &Metric,
    lift: f64,
    n: u64,
    looks: &[f64],
    reps: u64,
    seed: u64,
) -> Planned {
    let kind = metric.kind;
    let (base, treated) = (Shape::of(metric, 0.0), Shape::of(metric, lift));
    let mut rng = SimRng::seed_from_u64(seed);
    // One plan per look, shared by every replication: the boundaries depend
    // only on the looks' fractions.
    let plans: Vec<Options> = (1..=looks.len())
        .map(|k| Options {
            group_sequential: Some(
                GroupSequential::new(&looks[..k], ALPHA).expect("valid calibration looks"),
            ),
            ..options(true)
        })
        .collect();
    let (mut gs_hits, mut fixed_hits) = (0u64, 0u64);
    for _ in 0..reps {
        let mut c = Collector::new(kind, false);
        let mut t = Collector::new(kind, false);
        let mut grown = 0;
        let mut gs_hit = false;
        for (k, &fraction) in looks.iter().enumerate() {
            let size = (fraction * n as f64).round() as u64;
            for _ in grown..size {
                c.push(&base.draw(&mut rng));
                t.push(&treated.draw(&mut rng));
            }
            grown = size;
            let Ok(r) = compare(
                kind,
                metric.scale,
                Direction::Increase,
                &c.stats(),
                &t.stats(),
                &plans[k],
            ) else {
                continue;
            };
            // A rejection counts in the direction of the effect (any
            // direction for A/A).
            let right_way = lift == 0.0 || r.reported.absolute.estimate > 0.0;
            gs_hit |= r.reported.p_value < ALPHA && right_way;
            if k + 1 == looks.len() {
                let fixed = &r.fixed.absolute;
                let right_way = lift == 0.0 || fixed.estimate > 0.0;
                fixed_hits += u64::from(fixed.p_value < ALPHA && right_way);
            }
        }
        gs_hits += u64::from(gs_hit);
    }
    Planned {
        group_sequential: gs_hits as f64 / reps as f64,
        fixed: fixed_hits as f64 / reps as f64,
    }
}

/// The relative lift a fixed-horizon test at `n` customers per arm detects
/// with about 80% power (normal approximation, today's spread in both arms).
fn lift_for_80_percent(metric: &Metric, n: u64) -> f64 {
    let base = Shape::of(metric, 0.0);
    let mean = base.truth(metric.kind);
    let sd = match metric.kind {
        MetricKind::Binary => (mean * (1.0 - mean)).sqrt(),
        _ => base.sd().expect("a spread"),
    };
    let z = dist::normal_isf(ALPHA / 2.0) + dist::normal_isf(0.2);
    z * sd * (2.0 / n as f64).sqrt() / mean
}

/// At the planned size the default analysis of a planned pilot (10 looks)
/// must keep at least 90% of the fixed-horizon test's power, and A/A
/// experiments looked at 10 times (equally or unequally spaced) must be
/// declared significant at most alpha of the time.
fn check_group_sequential(reps: u64, power_floor: f64) {
    let fp_bound = ALPHA + 3.0 * se(ALPHA, reps);
    let mut failures = Vec::new();
    let cases = [
        (synthetic_metric("m", MetricKind::Binary), "binary (10%)"),
        (
            synthetic_metric("m", MetricKind::Mean),
            "revenue (70% zeros, log-normal)",
        ),
    ];
    for (i, (metric, label)) in cases.iter().enumerate() {
        for (j, &n) in [200u64, 1000].iter().enumerate() {
            let seed = 6000 + 10 * i as u64 + j as u64;
            let lift = lift_for_80_percent(metric, n);
            let m = planned_monitor(metric, lift, n, &WEEKLY, reps, seed);
            let ratio = m.group_sequential / m.fixed;
            let case = format!(
                "{label}, +{:.0}%, 10 looks to the planned n = {n}/arm",
                lift * 100.0
            );
            report(
                "power, fixed horizon at the planned size",
                &case,
                m.fixed,
                "sized for 0.80 (see notes)",
                reps,
            );
            report(
                "power, group-sequential (default)",
                &case,
                m.group_sequential,
                "",
                reps,
            );
            report(
                "power ratio, group-sequential / fixed horizon",
                &case,
                ratio,
                &format!(">= {power_floor:.2}"),
                reps,
            );
            // NaN (no fixed-horizon rejection at all) fails too.
            if ratio < power_floor || ratio.is_nan() {
                failures.push(format!("{case}: power ratio {ratio:.4}"));
            }
            for (looks, spacing) in [(&WEEKLY, "equally"), (&UNEVEN, "unequally")] {
                let aa = planned_monitor(metric, 0.0, n, looks, reps, seed + 100);
                let case = format!("{label}, 10 looks {spacing} spaced to n = {n}/arm");
                report(
                    "A/A false positives, group-sequential",
                    &case,
                    aa.group_sequential,
                    &format!("<= {fp_bound:.4}"),
                    reps,
                );
                if aa.group_sequential > fp_bound {
                    failures.push(format!(
                        "{case}: false positives {:.4}",
                        aa.group_sequential
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "group-sequential calibration: {failures:#?}"
    );
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

/// Coverage of the sequential interval of a difference of rates at a few
/// customers per arm, where it is Newcombe's score interval with the
/// sequence's multiplier (expected cells below 5) or the band held inside
/// +/-1. Truths include rates at 0.05, where 0 of n is common and the
/// Agresti-Caffo variance applies.
fn check_tiny_sample_rates(reps: u64) {
    let opts = Options {
        alpha: ALPHA,
        sequential: true,
        tuning: 100.0,
        ..Options::default()
    };
    let metric = synthetic_metric("m", MetricKind::Binary);
    let mut failures = Vec::new();
    for (k, (pc, pt)) in [(0.05, 0.05), (0.1, 0.3), (0.5, 0.5), (0.3, 0.7)]
        .into_iter()
        .enumerate()
    {
        for n in [3u64, 5, 10, 20] {
            let mut rng = SimRng::seed_from_u64(7100 + 10 * k as u64 + n);
            let draw =
                |p: f64, rng: &mut SimRng| (0..n).filter(|_| uniform(rng) < p).count() as u64;
            let (mut covered, mut computed) = (0u64, 0u64);
            for _ in 0..reps {
                let c = pilot::ingest::aggregate::GroupStats::Binary(
                    pilot::stats::BinaryStats::new(n, draw(pc, &mut rng)).unwrap(),
                );
                let t = pilot::ingest::aggregate::GroupStats::Binary(
                    pilot::stats::BinaryStats::new(n, draw(pt, &mut rng)).unwrap(),
                );
                // Both arms at the same 0 or 1 is "no variation": counted
                // as covering (no claim is made), as a user sees no interval.
                match compare(
                    metric.kind,
                    metric.scale,
                    Direction::Increase,
                    &c,
                    &t,
                    &opts,
                ) {
                    Ok(r) => {
                        computed += 1;
                        let a = r.reported.absolute;
                        assert!(a.ci_low >= -1.0 && a.ci_high <= 1.0);
                        covered += u64::from(covers(&a, pt - pc));
                    }
                    Err(_) => covered += 1,
                }
            }
            let rate = covered as f64 / reps as f64;
            report(
                "tiny-sample sequential rate interval coverage",
                &format!("{pc} vs {pt}, {n}/arm ({computed} computed)"),
                rate,
                ">= 0.95",
                reps,
            );
            if rate < 1.0 - ALPHA - 3.0 * se(1.0 - ALPHA, reps) {
                failures.push(format!("{pc} vs {pt} at {n}/arm: {rate:.4}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn fast_tiny_sample_rates() {
    check_tiny_sample_rates(400);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_tiny_sample_rates() {
    check_tiny_sample_rates(10_000);
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
fn fast_small_sample_relative_coverage() {
    check_small_sample_relative(1000, 100);
}

#[test]
fn fast_peeking() {
    check_peeking(200, 1000);
}

#[test]
fn fast_sequential_coverage() {
    // 10 looks only: monitoring every 10 customers takes seconds unoptimized.
    check_sequential_coverage(200, 1000, false);
}

#[test]
fn fast_power_at_planned_size() {
    // 150 replications: SE of power ~0.033, so the fast bound is 0.12.
    check_power(150, 0.12, false);
}

#[test]
fn fast_group_sequential() {
    // 200 replications: the power ratio is of two tests on the same data,
    // so it varies far less than either power; the fast floor allows 0.05
    // for it, the full run none.
    check_group_sequential(200, 0.85);
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
fn full_small_sample_relative_coverage() {
    check_small_sample_relative(10_000, 100);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_peeking() {
    check_peeking(4000, 2000);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_sequential_coverage() {
    check_sequential_coverage(4000, 2000, true);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_power_at_planned_size() {
    // 4000 replications: SE ~0.0063, so two points is ~3 SE.
    check_power(4000, 0.02, true);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_group_sequential() {
    check_group_sequential(4000, 0.90);
}

#[test]
#[ignore = "full calibration run: scripts/calibrate.sh"]
fn full_sample_ratio_mismatch() {
    check_srm(100_000, 1000, 1000);
}
