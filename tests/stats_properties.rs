//! Properties of the engine that no reference file covers: mergeability of
//! the sufficient statistics, numerical care of the accumulators, edge cases
//! that must be "not computable" (never NaN or a panic), and brute-force
//! checks of the ratio, Bayesian and power computations.

use pilot::stats::bayes::{BetaPrior, bayes_binary, bayes_means, prob_beta_greater};
use pilot::stats::dist::{normal_isf, t_isf};
use pilot::stats::nps::nps_scores;
use pilot::stats::power::{
    Design, mde_means, mde_proportions, power_means, power_proportions, sample_size_means,
    sample_size_proportions,
};
use pilot::stats::ratio::ratio_moments;
use pilot::stats::sequential::half_width;
use pilot::stats::srm::sample_ratio_mismatch;
use pilot::stats::summary::{CovariateAccumulator, MeanAccumulator, RatioAccumulator};
use pilot::stats::welch::LOG_SCALE_ABOVE;
use pilot::stats::{
    Arm, BinaryStats, CovariateStats, Effect, MeanStats, Moments, NotComputable, Options,
    OrdinalCounts, RatioStats, TestKind, compare_csat, compare_cuped, compare_means,
    compare_moments, compare_nps, compare_ordinal, compare_proportions, compare_ratios,
};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// Standard normal draw (Box-Muller), to keep the test free of extra crates.
fn normal(r: &mut Xoshiro256PlusPlus) -> f64 {
    let u1: f64 = 1.0 - r.random::<f64>();
    let u2: f64 = r.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Splits `rows` into `k` contiguous shards at random cut points.
fn shards<T: Clone>(rows: &[T], k: usize, r: &mut Xoshiro256PlusPlus) -> Vec<Vec<T>> {
    let mut cuts: Vec<usize> = (0..k - 1).map(|_| r.random_range(0..=rows.len())).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for c in cuts.into_iter().chain([rows.len()]) {
        out.push(rows[start..c].to_vec());
        start = c;
    }
    out
}

#[test]
fn integer_valued_shards_merge_exactly() {
    let mut r = rng(1);
    for trial in 0..50 {
        let rows: Vec<(f64, f64, bool, i64)> = (0..r.random_range(0..400))
            .map(|_| {
                (
                    r.random_range(0..500) as f64,
                    r.random_range(1..4) as f64,
                    r.random::<bool>(),
                    r.random_range(0..=10),
                )
            })
            .collect();
        let union_mean = MeanStats::from_values(rows.iter().map(|x| x.0));
        let mut union_cov = CovariateAccumulator::default();
        let mut union_ratio = RatioAccumulator::default();
        let mut union_bin = BinaryStats::default();
        let mut union_ord = OrdinalCounts::default();
        for &(v, d, b, o) in &rows {
            union_cov.push(v, d);
            union_ratio.push(v, d);
            union_bin.push(b);
            union_ord.push(o);
        }
        let mut mean = MeanStats::default();
        let mut cov = CovariateStats::default();
        let mut ratio = RatioStats::default();
        let mut bin = BinaryStats::default();
        let mut ord = OrdinalCounts::default();
        for shard in shards(&rows, 1 + trial % 6, &mut r) {
            mean += MeanStats::from_values(shard.iter().map(|x| x.0));
            let (mut c, mut q) = (CovariateAccumulator::default(), RatioAccumulator::default());
            let mut b = BinaryStats::default();
            for &(v, d, s, o) in &shard {
                c.push(v, d);
                q.push(v, d);
                b.push(s);
                ord.push(o);
            }
            // `Add` (by value) as well as `+=` and `merge` below.
            let sum = cov + c.finish();
            cov = sum;
            ratio.merge(&q.finish());
            bin += b;
        }
        assert_eq!(mean, union_mean);
        assert_eq!(cov, union_cov.finish());
        assert_eq!(ratio, union_ratio.finish());
        assert_eq!(bin, union_bin);
        assert_eq!(ord, union_ord);
    }
}

#[test]
fn real_valued_shards_merge_to_the_union_statistics() {
    let mut r = rng(2);
    for trial in 0..50 {
        let rows: Vec<f64> = (0..1 + r.random_range(0..2000))
            .map(|_| 50.0 + 30.0 * normal(&mut r))
            .collect();
        let union = MeanStats::from_values(rows.iter().copied());
        let mut merged_acc = MeanAccumulator::default();
        let mut merged = MeanStats::default();
        for shard in shards(&rows, 1 + trial % 7, &mut r) {
            let mut acc = MeanAccumulator::default();
            for &x in &shard {
                acc.push(x);
            }
            merged_acc.merge(&acc);
            merged.merge(&acc.finish());
        }
        // Merging accumulators keeps the compensation terms: same to 1 ulp.
        let m = merged_acc.finish();
        assert_eq!(m.n(), union.n());
        assert!((m.sum() - union.sum()).abs() <= 1e-15 * union.sum().abs());
        assert!((m.sum_squares() - union.sum_squares()).abs() <= 1e-15 * union.sum_squares());
        // Merging finished statistics adds one rounding per shard.
        assert!((merged.sum() - union.sum()).abs() <= 1e-13 * union.sum().abs());
        assert!((merged.sum_squares() - union.sum_squares()).abs() <= 1e-13 * union.sum_squares());
    }
}

/// Exact mean and variance by two passes in double-double-free but
/// offset-free arithmetic: values are integers / 1024 around an offset, so
/// (x - offset) is exact and the sums below are exact in f64.
#[test]
fn accumulated_variance_is_accurate_with_an_offset() {
    let mut r = rng(3);
    let offset = 1000.0;
    let devs: Vec<f64> = (0..100_000)
        .map(|_| r.random_range(-2048..=2048) as f64 / 1024.0)
        .collect();
    let n = devs.len() as f64;
    let dev_sum: f64 = devs.iter().sum();
    let dev_mean = dev_sum / n;
    let exact_var = devs.iter().map(|d| (d - dev_mean).powi(2)).sum::<f64>() / (n - 1.0);
    let stats = MeanStats::from_values(devs.iter().map(|d| offset + d));
    let var = stats.variance().unwrap();
    // Documented bound: ~1e-16 (1 + mean^2 / var) = ~1e-10 here.
    assert!(
        ((var - exact_var) / exact_var).abs() < 1e-9,
        "{var} vs {exact_var}"
    );
    assert!((stats.mean().unwrap() - (offset + dev_mean)).abs() < 1e-12);
}

#[test]
fn summary_constructors_follow_gbstats_columns_and_reject_impossible_sums() {
    let m = MeanStats::from_summary(4, 10.0, 30.0).unwrap();
    assert_eq!(m.mean(), Some(2.5));
    assert!((m.variance().unwrap() - 5.0 / 3.0).abs() < 1e-15);
    let b = BinaryStats::from_summary(10, 3.0, 3.0).unwrap();
    assert_eq!((b.n(), b.successes()), (10, 3));
    assert!(BinaryStats::from_summary(10, 3.0, 4.0).is_err());
    assert!(BinaryStats::from_summary(10, 11.0, 11.0).is_err());
    assert!(BinaryStats::from_summary(10, 2.5, 2.5).is_err());
    assert!(MeanStats::from_summary(4, 10.0, 20.0).is_err()); // 20 < 100 / 4
    assert!(MeanStats::from_summary(0, 1.0, 1.0).is_err());
    assert!(MeanStats::from_summary(3, f64::NAN, 1.0).is_err());
    assert!(CovariateStats::from_summary(3, 6.0, 14.0, 3.0, 5.0, 8.0).is_ok());
    assert!(RatioStats::from_summary(3, 6.0, 14.0, 3.0, 5.0, 8.0).is_ok());
    let o = OrdinalCounts::from_counts([(5, 3), (1, 2), (5, 1)]);
    assert_eq!((o.n(), o.count(5), o.count_between(2, 5)), (6, 4, 4));
}

fn mean_stats(values: &[f64]) -> MeanStats {
    MeanStats::from_values(values.iter().copied())
}

#[test]
fn undefined_results_are_reasons_not_nan() {
    let opts = Options::default();
    let empty = MeanStats::default();
    let one = mean_stats(&[3.0]);
    let some = mean_stats(&[1.0, 2.0, 4.0]);
    let flat = mean_stats(&[2.0, 2.0, 2.0]);
    let zero_mean = mean_stats(&[-1.0, 1.0, 0.0]);
    assert_eq!(
        compare_means(&empty, &some, &opts),
        Err(NotComputable::EmptyArm(Arm::Control))
    );
    assert_eq!(
        compare_means(&some, &one, &opts),
        Err(NotComputable::SingleCustomer(Arm::Treatment))
    );
    assert_eq!(
        compare_means(&flat, &flat, &opts),
        Err(NotComputable::NoVariation)
    );
    // Zero variance in one arm only is still a valid Welch test.
    assert!(compare_means(&flat, &some, &opts).is_ok());
    let c = compare_means(&zero_mean, &some, &opts).unwrap();
    assert_eq!(c.relative, Err(NotComputable::ZeroControlMean));
    assert!(c.absolute.p_value.is_finite());

    let bad_alpha = Options {
        alpha: 1.5,
        ..Options::default()
    };
    assert!(matches!(
        compare_means(&some, &some, &bad_alpha),
        Err(NotComputable::InvalidInput(_))
    ));

    // Binary: nobody converted anywhere. The z-test is undefined, Fisher is
    // chosen (all expected cells < 5 for one column) and gives p = 1.
    let none = BinaryStats::new(40, 0).unwrap();
    let c = compare_proportions(&none, &none, &opts).unwrap();
    assert_eq!(c.test, TestKind::FisherExact);
    assert_eq!(c.p_value, 1.0);
    assert_eq!(c.relative, Err(NotComputable::ZeroControlMean));
    assert_eq!(
        compare_proportions(&BinaryStats::default(), &none, &opts),
        Err(NotComputable::EmptyArm(Arm::Control))
    );

    // Ratio with no orders in control.
    let mut q = RatioAccumulator::default();
    q.push(0.0, 0.0);
    q.push(0.0, 0.0);
    let mut t = RatioAccumulator::default();
    t.push(10.0, 1.0);
    t.push(30.0, 2.0);
    assert_eq!(
        compare_ratios(&q.finish(), &t.finish(), &opts),
        Err(NotComputable::ZeroDenominator(Arm::Control))
    );

    // Ordinal: identical single value everywhere.
    let same = OrdinalCounts::from_values([3, 3, 3]);
    assert_eq!(
        compare_ordinal(&same, &same),
        Err(NotComputable::NoVariation)
    );
    assert_eq!(
        compare_ordinal(&OrdinalCounts::default(), &same),
        Err(NotComputable::EmptyArm(Arm::Control))
    );
    assert!(nps_scores(&OrdinalCounts::from_values([11])).is_err());
    assert!(compare_csat(&OrdinalCounts::from_values([0, 4]), &same, &opts).is_err());

    assert_eq!(
        sample_ratio_mismatch(&[0, 0], &[0.5, 0.5]),
        Err(NotComputable::NoData)
    );
    assert!(sample_ratio_mismatch(&[5], &[1.0]).is_err());
    assert_eq!(
        sample_size_proportions(0.1, 0.1, &Design::default()),
        Err(NotComputable::NoEffect)
    );
    assert_eq!(
        mde_proportions(0.5, 3.0, &Design::default()),
        Err(NotComputable::Unreachable)
    );
}

#[test]
fn reasons_read_as_plain_sentences_and_serialize() {
    assert_eq!(
        NotComputable::EmptyArm(Arm::Control).to_string(),
        "the control arm has no customers yet"
    );
    assert!(
        NotComputable::SingleCustomer(Arm::Treatment)
            .to_string()
            .starts_with("the treatment arm has only one customer")
    );
    let c = compare_means(
        &mean_stats(&[-1.0, 1.0, 0.0]),
        &mean_stats(&[1.0, 2.0, 4.0]),
        &Options::default(),
    )
    .unwrap();
    let json = serde_json::to_value(c).unwrap();
    assert_eq!(json["test"], "welch");
    assert_eq!(json["relative"]["not_computable"], "zero_control_mean");
    assert_eq!(
        json["relative"]["because"],
        "the control average is zero, so a percent change cannot be calculated"
    );
    assert!(json["absolute"]["p_value"].is_number());
}

#[test]
fn ratio_variance_equals_the_linearized_sample_variance() {
    let mut r = rng(4);
    let mut arms = Vec::new();
    for lift in [0.0, 0.08] {
        let mut acc = RatioAccumulator::default();
        let mut rows = Vec::new();
        for _ in 0..3000 {
            let orders = r.random_range(1..6) as f64;
            let revenue = orders * (40.0 * (1.0 + lift)) + 15.0 * normal(&mut r) * orders.sqrt();
            acc.push(revenue, orders);
            rows.push((revenue, orders));
        }
        arms.push((acc.finish(), rows));
    }
    for (stats, rows) in &arms {
        // Brute force: R = sum num / sum den, linearize per customer and take
        // the two-pass sample variance.
        let n = rows.len() as f64;
        let (sn, sd): (f64, f64) = rows.iter().fold((0.0, 0.0), |a, r| (a.0 + r.0, a.1 + r.1));
        let ratio = sn / sd;
        let md = sd / n;
        let lin: Vec<f64> = rows.iter().map(|&(x, d)| (x - ratio * d) / md).collect();
        let lm = lin.iter().sum::<f64>() / n;
        let var = lin.iter().map(|v| (v - lm).powi(2)).sum::<f64>() / (n - 1.0);
        let m = ratio_moments(stats, Arm::Control).unwrap();
        assert!(((m.mean - ratio) / ratio).abs() < 1e-13);
        assert!(
            ((m.variance - var) / var).abs() < 1e-9,
            "{} vs {var}",
            m.variance
        );
    }
    let c = compare_ratios(&arms[0].0, &arms[1].0, &Options::default()).unwrap();
    let (a, b) = (
        ratio_moments(&arms[0].0, Arm::Control).unwrap(),
        ratio_moments(&arms[1].0, Arm::Treatment).unwrap(),
    );
    let se = (a.variance / 3000.0 + b.variance / 3000.0).sqrt();
    assert!((c.absolute.std_error - se).abs() < 1e-12 * se);
    assert!(
        c.p_value < 1e-6,
        "an 8% lift on 3000 customers per arm is clear"
    );
}

/// Polynomial coefficients (in x) of x^(a-1) (1-x)^(b-1) / B(a, b).
fn beta_poly(a: u64, b: u64) -> Vec<f64> {
    let mut c = vec![0.0; (a + b - 1) as usize];
    let mut binom = 1.0;
    for j in 0..b {
        let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
        c[(a - 1 + j) as usize] = sign * binom;
        binom = binom * (b - 1 - j) as f64 / (j + 1) as f64;
    }
    // 1 / B(a, b) = (a + b - 1)! / ((a - 1)! (b - 1)!)
    let mut inv_b = 1.0;
    for k in 1..a + b {
        inv_b *= k as f64;
    }
    for k in 1..a {
        inv_b /= k as f64;
    }
    for k in 1..b {
        inv_b /= k as f64;
    }
    c.iter().map(|v| v * inv_b).collect()
}

/// Integral over 0 < y < x < 1 of g(x, y) fA(x) fB(y) for g in {1, x, y},
/// by exact polynomial integration.
fn joint_moments(fa: &[f64], fb: &[f64]) -> (f64, f64, f64) {
    // F_B(x) = sum c_j x^(j+1) / (j+1); y fB(y) integrates to c_j x^(j+2)/(j+2).
    let (mut p, mut ex, mut ey) = (0.0, 0.0, 0.0);
    for (i, ai) in fa.iter().enumerate() {
        for (j, bj) in fb.iter().enumerate() {
            let (i, j) = (i as f64, j as f64);
            // int_0^1 x^i * x^(j+1)/(j+1) dx etc.
            p += ai * bj / (j + 1.0) / (i + j + 2.0);
            ex += ai * bj / (j + 1.0) / (i + j + 3.0);
            ey += ai * bj / (j + 2.0) / (i + j + 3.0);
        }
    }
    (p, ex, ey)
}

#[test]
fn bayesian_binary_matches_exact_polynomial_integration() {
    for &(nc, sc, nt, st) in &[
        (6u64, 2u64, 7u64, 5u64),
        (5, 0, 5, 1),
        (8, 8, 3, 1),
        (9, 4, 9, 4),
    ] {
        let c = BinaryStats::new(nc, sc).unwrap();
        let t = BinaryStats::new(nt, st).unwrap();
        let r = bayes_binary(&c, &t, BetaPrior::default()).unwrap();
        let fc = beta_poly(sc + 1, nc - sc + 1);
        let ft = beta_poly(st + 1, nt - st + 1);
        // P(p_t > p_c) and E[max(p_t - p_c, 0)] = E[(x - y) 1{x > y}] with x = p_t.
        let (p, ex, ey) = joint_moments(&ft, &fc);
        // The alternating polynomial sums of the brute force lose ~1e-10.
        assert!(
            (r.chance_to_beat_control - p).abs() < 1e-9,
            "{} vs {p}",
            r.chance_to_beat_control
        );
        assert!((r.expected_loss_control - (ex - ey)).abs() < 1e-9);
        let (_, ex2, ey2) = joint_moments(&fc, &ft);
        assert!((r.expected_loss_treatment - (ex2 - ey2)).abs() < 1e-9);
        if (nc, sc) == (nt, st) {
            assert!((r.chance_to_beat_control - 0.5).abs() < 1e-14);
            assert!((r.expected_loss_control - r.expected_loss_treatment).abs() < 1e-15);
        }
    }
    // Symmetry: P(X2 > X1) + P(X1 > X2) = 1 for continuous variables.
    let p = prob_beta_greater(1201, 1001, 3001, 2000);
    let q = prob_beta_greater(3001, 2000, 1201, 1001);
    assert!((p + q - 1.0).abs() < 1e-14);
}

#[test]
fn bayesian_binary_is_fast_and_finite_at_large_n() {
    let c = BinaryStats::new(400_000, 40_000).unwrap();
    let t = BinaryStats::new(400_000, 40_900).unwrap();
    let r = bayes_binary(&c, &t, BetaPrior::default()).unwrap();
    // z = 0.00225 / sqrt(2 * 0.09 / 4e5) = 3.35 -> chance about 0.9996.
    assert!(r.chance_to_beat_control > 0.999 && r.chance_to_beat_control < 0.99999);
    assert!(r.expected_loss_treatment < r.expected_loss_control);
}

#[test]
fn bayesian_means_match_numerical_integration() {
    let c = Moments::from_sd(400, 10.0, 4.0);
    let t = Moments::from_sd(300, 10.5, 5.0);
    let r = bayes_means(&c, &t).unwrap();
    let s = (16.0 / 400.0 + 25.0 / 300.0_f64).sqrt();
    let d = 0.5;
    // Trapezoid rule over D ~ N(d, s^2) on d +/- 12 s.
    let (mut win, mut loss_t, mut loss_c) = (0.0, 0.0, 0.0);
    let steps = 200_000;
    let h = 24.0 * s / steps as f64;
    for k in 0..=steps {
        let x = d - 12.0 * s + k as f64 * h;
        let w = if k == 0 || k == steps { 0.5 } else { 1.0 };
        let dens =
            (-(x - d).powi(2) / (2.0 * s * s)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt());
        win += w * h * dens * if x > 0.0 { 1.0 } else { 0.0 };
        loss_t += w * h * dens * (-x).max(0.0);
        loss_c += w * h * dens * x.max(0.0);
    }
    assert!((r.chance_to_beat_control - win).abs() < 1e-5);
    assert!((r.expected_loss_treatment - loss_t).abs() < 1e-8);
    assert!((r.expected_loss_control - loss_c).abs() < 1e-8);
}

#[test]
fn sample_sizes_reach_the_power_and_mde_inverts_them() {
    for ratio in [1.0, 0.5, 2.0, 3.0] {
        let design = Design {
            alpha: 0.05,
            power: 0.8,
            ratio,
        };
        let n = sample_size_proportions(0.10, 0.12, &design).unwrap();
        assert!((power_proportions(0.10, 0.12, n.control_exact, &design) - 0.8).abs() < 1e-10);
        assert_eq!(n.treatment, (n.control_exact * ratio).ceil() as u64);
        let mde = mde_proportions(0.10, n.control_exact, &design).unwrap();
        assert!((mde - 0.02).abs() < 1e-9, "ratio {ratio}: mde {mde}");

        let n = sample_size_means(2.0, 10.0, &design).unwrap();
        assert!((power_means(2.0, 10.0, n.control_exact, &design) - 0.8).abs() < 1e-9);
        let mde = mde_means(10.0, n.control_exact, &design).unwrap();
        assert!((mde - 2.0).abs() < 1e-7, "ratio {ratio}: mde {mde}");
    }
    // Equal allocation minimizes the total for a given effect.
    let total = |ratio: f64| {
        let n = sample_size_means(
            2.0,
            10.0,
            &Design {
                ratio,
                ..Design::default()
            },
        )
        .unwrap();
        n.control_exact * (1.0 + ratio)
    };
    assert!(total(1.0) < total(2.0) && total(1.0) < total(0.5));
}

/// Monte Carlo check of the unequal-allocation t power: simulate pooled t
/// tests at the computed sizes and count rejections.
#[test]
fn unequal_allocation_power_holds_in_simulation() {
    let design = Design {
        alpha: 0.05,
        power: 0.8,
        ratio: 2.0,
    };
    let n = sample_size_means(0.5, 1.0, &design).unwrap();
    let (n1, n2) = (n.control as usize, n.treatment as usize);
    let df = (n1 + n2 - 2) as f64;
    let crit = pilot::stats::dist::t_isf(0.025, df);
    let mut r = rng(5);
    let sims = 4000;
    let mut rejections = 0;
    for _ in 0..sims {
        let a: Vec<f64> = (0..n1).map(|_| normal(&mut r)).collect();
        let b: Vec<f64> = (0..n2).map(|_| 0.5 + normal(&mut r)).collect();
        let (ma, mb) = (
            a.iter().sum::<f64>() / n1 as f64,
            b.iter().sum::<f64>() / n2 as f64,
        );
        let ss = a.iter().map(|x| (x - ma).powi(2)).sum::<f64>()
            + b.iter().map(|x| (x - mb).powi(2)).sum::<f64>();
        let sp = (ss / df).sqrt();
        let t = (mb - ma) / (sp * (1.0 / n1 as f64 + 1.0 / n2 as f64).sqrt());
        if t.abs() > crit {
            rejections += 1;
        }
    }
    let rate = rejections as f64 / sims as f64;
    // Rounded-up sizes give power slightly above 0.8; MC standard error 0.0063.
    assert!((0.78..0.84).contains(&rate), "simulated power {rate}");
}

#[test]
fn sequential_intervals_are_wider_than_fixed_horizon_ones() {
    let c = Moments::from_sd(20_000, 50.0, 30.0);
    let t = Moments::from_sd(20_000, 50.9, 30.0);
    let fixed = compare_moments(&c, &t, &Options::default()).unwrap();
    let seq = compare_moments(
        &c,
        &t,
        &Options {
            sequential: true,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(seq.test, TestKind::Sequential);
    assert_eq!(seq.degrees_of_freedom, None);
    assert!(
        seq.absolute.ci_high - seq.absolute.ci_low > fixed.absolute.ci_high - fixed.absolute.ci_low
    );
    assert!(seq.p_value > fixed.p_value);
}

fn sequential() -> Options {
    Options {
        sequential: true,
        ..Options::default()
    }
}

/// Multiplier q of the always-valid interval `est +/- q se` after `n_total`
/// customers (alpha 0.05, tuning 5000).
fn sequence_multiplier(n_total: f64) -> f64 {
    half_width(1.0, n_total, 0.05, 5000.0)
}

/// The interval of `lift` with delta-method standard error `se` and
/// multiplier `q`, built on ln(1 + lift) and transformed back, with its
/// half-width on the log scale.
fn log_scale(lift: f64, se: f64, q: f64) -> (f64, f64, f64) {
    let a = q * se / (1.0 + lift);
    let centre = (1.0 + lift).ln();
    ((centre - a).exp() - 1.0, (centre + a).exp() - 1.0, a)
}

/// Whether `e`'s interval is `log_scale(e.estimate, e.std_error, q)` (to
/// 1e-12), with a log-scale half-width above the cut-off.
fn on_log_scale(e: &Effect, q: f64) -> bool {
    let (low, high, a) = log_scale(e.estimate, e.std_error, q);
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * y.abs().max(1e-3);
    a > LOG_SCALE_ABOVE && close(e.ci_low, low) && close(e.ci_high, high)
}

/// Whether `e`'s interval is gbstats' `estimate +/- q se` (to 1e-12).
fn symmetric(e: &Effect, q: f64) -> bool {
    let half = q * e.std_error;
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * y.abs().max(1e-3);
    close(e.ci_low, e.estimate - half) && close(e.ci_high, e.estimate + half)
}

#[test]
fn relative_lift_of_a_poorly_determined_ratio_is_on_the_log_scale() {
    // 30 customers per arm of a skewed metric whose treatment mean came out
    // low: gbstats' half-width shrinks with it.
    let c = Moments::from_sd(30, 10.0, 28.0);
    let t = Moments::from_sd(30, 4.0, 9.0);
    let fixed = compare_moments(&c, &t, &Options::default()).unwrap();
    let seq = compare_moments(&c, &t, &sequential()).unwrap();
    let (f, r) = (fixed.relative.unwrap(), seq.relative.unwrap());
    assert_eq!((f.estimate, r.estimate), (-0.6, -0.6));
    // The delta-method standard error is reported either way.
    assert_eq!(r.std_error, f.std_error);
    let t_q = t_isf(0.025, fixed.degrees_of_freedom.unwrap());
    assert!(on_log_scale(&f, t_q), "{f:?}");
    assert!(on_log_scale(&r, sequence_multiplier(60.0)), "{r:?}");
    for e in [f, r] {
        // Asymmetric like a ratio, never below -100%.
        assert!(e.ci_low > -1.0 && e.ci_high - e.estimate > e.estimate - e.ci_low);
    }
    // gbstats' always-valid interval est +/- q se reaches below -100% here.
    assert!(r.estimate - sequence_multiplier(60.0) * r.std_error < -1.0);
    // The absolute difference is untouched.
    assert!(symmetric(&seq.absolute, sequence_multiplier(60.0)));
    assert!(symmetric(&fixed.absolute, t_q));

    // The p-value belongs to the same interval: below alpha exactly when it
    // excludes no change.
    let c = Moments::from_sd(300, 10.0, 28.0);
    for opts in [Options::default(), sequential()] {
        let mut significant = 0;
        for mean_t in [0.5, 1.0, 2.0, 4.0, 7.0, 10.5, 14.0, 25.0, 40.0, 60.0] {
            let t = Moments::from_sd(300, mean_t, 2.5 * mean_t);
            let r = compare_moments(&c, &t, &opts).unwrap().relative.unwrap();
            let excludes = r.ci_low > 0.0 || r.ci_high < 0.0;
            assert_eq!(r.p_value < 0.05, excludes, "treatment mean {mean_t}: {r:?}");
            significant += usize::from(excludes);
        }
        assert!(
            (1..10).contains(&significant),
            "{significant} of 10 significant"
        );
    }
}

#[test]
fn relative_lift_keeps_gbstats_form_when_the_ratio_is_well_determined() {
    let cases = [
        // Relative half-width below the cut-off: est +/- q se, as in gbstats.
        (20_000, 50.0, 52.0, 30.0),
        // Treatment and control means of opposite sign: no log scale, so the
        // delta-method interval.
        (20, 5.0, -3.0, 40.0),
    ];
    for (n, mean_c, mean_t, sd) in cases {
        let (c, t) = (
            Moments::from_sd(n, mean_c, sd),
            Moments::from_sd(n, mean_t, sd),
        );
        let fixed = compare_moments(&c, &t, &Options::default()).unwrap();
        let f = fixed.relative.unwrap();
        let t_q = t_isf(0.025, fixed.degrees_of_freedom.unwrap());
        let r = compare_moments(&c, &t, &sequential())
            .unwrap()
            .relative
            .unwrap();
        let q = sequence_multiplier(2.0 * n as f64);
        assert!(symmetric(&f, t_q) && symmetric(&r, q), "{f:?} {r:?}");
        if mean_t > 0.0 {
            assert!(q * r.std_error / (1.0 + r.estimate) < LOG_SCALE_ABOVE);
        }
    }
}

#[test]
fn relative_lift_on_the_log_scale_for_rates_and_cuped() {
    // 3 of 40 against 7 of 40 conversions.
    let (c, t) = (
        BinaryStats::new(40, 3).unwrap(),
        BinaryStats::new(40, 7).unwrap(),
    );
    let f = compare_proportions(&c, &t, &Options::default())
        .unwrap()
        .relative
        .unwrap();
    assert!(on_log_scale(&f, normal_isf(0.025)), "{f:?}");
    let r = compare_proportions(&c, &t, &sequential())
        .unwrap()
        .relative
        .unwrap();
    assert!(on_log_scale(&r, sequence_multiplier(80.0)), "{r:?}");
    // Katz's log interval for a risk ratio: the same standard error.
    let katz = ((1.0_f64 - 3.0 / 40.0) / 3.0 + (1.0 - 7.0 / 40.0) / 7.0).sqrt();
    assert!((r.std_error / (1.0 + r.estimate) - katz).abs() < 1e-12);

    // CUPED: the adjusted lift over the unadjusted control mean.
    let mut acc = [
        CovariateAccumulator::default(),
        CovariateAccumulator::default(),
    ];
    let mut rng = rng(77);
    for (arm, scale) in acc.iter_mut().zip([1.0, 1.3]) {
        for _ in 0..25 {
            let pre = (1.0 + normal(&mut rng)).exp();
            arm.push(scale * pre * (0.5 * normal(&mut rng)).exp(), pre);
        }
    }
    let (c, t) = (acc[0].finish(), acc[1].finish());
    let fixed = compare_cuped(&c, &t, &Options::default())
        .unwrap()
        .comparison;
    let f = fixed.relative.unwrap();
    assert!(
        on_log_scale(&f, t_isf(0.025, fixed.degrees_of_freedom.unwrap())),
        "{f:?}"
    );
    let seq = compare_cuped(&c, &t, &sequential()).unwrap().comparison;
    let r = seq.relative.unwrap();
    assert!(on_log_scale(&r, sequence_multiplier(50.0)), "{r:?}");
}

#[test]
fn cuped_with_a_useless_covariate_equals_welch_and_a_good_one_reduces_variance() {
    let mut r = rng(6);
    let mut make = |effect: f64, rho: f64| {
        let mut acc = CovariateAccumulator::default();
        let mut plain = MeanAccumulator::default();
        for _ in 0..5000 {
            let pre = 100.0 + 20.0 * normal(&mut r);
            let post = effect
                + 100.0
                + rho * (pre - 100.0)
                + 20.0 * (1.0 - rho * rho).sqrt() * normal(&mut r);
            acc.push(post, pre);
            plain.push(post);
        }
        (acc.finish(), plain.finish())
    };
    let (c, cp) = make(0.0, 0.9);
    let (t, tp) = make(1.0, 0.9);
    let cuped = compare_cuped(&c, &t, &Options::default()).unwrap();
    let welch = compare_means(&cp, &tp, &Options::default()).unwrap();
    assert!((cuped.theta - 0.9).abs() < 0.05);
    // Var reduction ~ rho^2 = 0.81.
    assert!((cuped.variance_reduction - 0.81).abs() < 0.05);
    assert!(cuped.comparison.absolute.std_error < 0.5 * welch.absolute.std_error);

    // Constant covariate: theta = 0 and the result is exactly Welch's.
    let constant = |s: &MeanStats| {
        CovariateStats::from_summary(
            s.n(),
            s.sum(),
            s.sum_squares(),
            s.n() as f64,
            s.n() as f64,
            s.sum(),
        )
        .unwrap()
    };
    let flat = compare_cuped(&constant(&cp), &constant(&tp), &Options::default()).unwrap();
    assert_eq!(flat.theta, 0.0);
    assert_eq!(flat.variance_reduction, 0.0);
    assert!((flat.comparison.absolute.p_value - welch.absolute.p_value).abs() < 1e-14);
    assert!((flat.comparison.absolute.ci_low - welch.absolute.ci_low).abs() < 1e-12);
}

#[test]
fn nps_and_csat_are_computed_from_counts() {
    let c = OrdinalCounts::from_counts([(10, 30), (8, 40), (3, 30)]);
    let t = OrdinalCounts::from_counts([(9, 45), (7, 30), (0, 25)]);
    let cmp = compare_nps(&c, &t, &Options::default()).unwrap();
    assert!((cmp.control.mean - 0.0).abs() < 1e-12); // 30% - 30%
    assert!((cmp.treatment.mean - 20.0).abs() < 1e-12); // 45% - 25%
    assert_eq!(cmp.relative, Err(NotComputable::SignedScore));
    let s1 = OrdinalCounts::from_counts([(5, 10), (4, 20), (2, 70)]);
    let s2 = OrdinalCounts::from_counts([(5, 30), (4, 20), (1, 50)]);
    let csat = compare_csat(&s1, &s2, &Options::default()).unwrap();
    assert!((csat.control.mean - 0.3).abs() < 1e-15);
    assert!((csat.treatment.mean - 0.5).abs() < 1e-15);
    assert_eq!(csat.test, TestKind::PooledZ);
}
