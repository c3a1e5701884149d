//! The hash schemes: golden vectors, GrowthBook compatibility, and the
//! statistical properties of the split.

mod assign_support;

use assign_support::{goodness_of_fit, independence};
use pilot::assign::hash::{growthbook, sha256_v1, unit};
use pilot::assign::split::{Splitter, choose_variation, get_bucket_ranges};
use pilot::config::HashScheme;
use serde_json::Value;

/// pilot v1 golden vectors, computed independently with Python:
/// `int.from_bytes(hashlib.sha256(salt.encode() + b"\x1f" + id.encode()).digest()[:8], "big")`.
/// Columns: salt, id, h, arm at 50/50 (control, pilot), arm at 20/30/50 (a, b, c).
const GOLDEN: &[(&str, &str, u64, &str, &str)] = &[
    ("spring-pilot", "C0001", 1648186761427662520, "control", "a"),
    ("spring-pilot", "C0002", 10778977924820409725, "pilot", "c"),
    ("spring-pilot", "C0003", 4192247605306255298, "control", "b"),
    ("spring-pilot", "10045", 7268230051409029303, "control", "b"),
    ("loyalty-2025", "C0001", 17480066516120327104, "pilot", "c"),
    ("", "", 18439559570580608438, "pilot", "c"),
    ("", "a", 12829837447963907696, "pilot", "c"),
    (
        "café-test",
        "müller@example.com",
        13567634193051138940,
        "pilot",
        "c",
    ),
    ("Frühjahr", "客户-42", 15116228669142627903, "pilot", "c"),
    ("x", "😀", 10381834956793497521, "pilot", "c"),
    ("pilot", "Ñandú 7", 5794583006435512382, "control", "b"),
    (
        "newsletter-ab",
        "customer 9",
        4281098844428841900,
        "control",
        "b",
    ),
];

#[test]
fn pilot_v1_golden_vectors() {
    for &(salt, id, h, arm2, arm3) in GOLDEN {
        assert_eq!(sha256_v1(salt, id), h, "{salt:?} {id:?}");
        let two = Splitter::new(HashScheme::Sha256V1, salt, &[0.5, 0.5], 1.0);
        let three = Splitter::new(HashScheme::Sha256V1, salt, &[0.2, 0.3, 0.5], 1.0);
        let name2 = ["control", "pilot"][two.place(id).arm.unwrap()];
        let name3 = ["a", "b", "c"][three.place(id).arm.unwrap()];
        assert_eq!((name2, name3), (arm2, arm3), "{salt:?} {id:?}");
        assert_eq!(two.place(id).order, h);
    }
    assert!((unit(1648186761427662520) - 0.089348).abs() < 1e-6);
}

fn fixture() -> Value {
    let text = include_str!("assign_fixtures/growthbook_cases.json");
    serde_json::from_str(text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn growthbook_hash_vectors() {
    let cases = fixture();
    let cases = cases["hash"].as_array().unwrap();
    assert_eq!(cases.len(), 15);
    for case in cases {
        let seed = case[0].as_str().unwrap();
        let value = case[1].as_str().unwrap();
        let version = case[2].as_u64().unwrap() as u32;
        let expected = case[3].as_f64();
        assert_eq!(growthbook(seed, value, version), expected, "{case}");
    }
}

#[test]
fn growthbook_bucket_range_vectors() {
    let cases = fixture();
    for case in cases["getBucketRange"].as_array().unwrap() {
        let args = &case[1];
        let n = args[0].as_u64().unwrap() as usize;
        let coverage = args[1].as_f64().unwrap();
        let weights = (!args[2].is_null()).then(|| floats(&args[2]));
        let got = get_bucket_ranges(n, coverage, weights.as_deref());
        let expected: Vec<Vec<f64>> = case[2].as_array().unwrap().iter().map(floats).collect();
        assert_eq!(got.len(), expected.len(), "{}", case[0]);
        for (g, e) in got.iter().zip(&expected) {
            assert!(
                (g.0 - e[0]).abs() < 1e-9 && (g.1 - e[1]).abs() < 1e-9,
                "{}: {got:?}",
                case[0]
            );
        }
    }
}

#[test]
fn growthbook_choose_variation_vectors() {
    let cases = fixture();
    for case in cases["chooseVariation"].as_array().unwrap() {
        let n = case[1].as_f64().unwrap();
        let ranges: Vec<(f64, f64)> = case[2]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r[0].as_f64().unwrap(), r[1].as_f64().unwrap()))
            .collect();
        let expected = case[3].as_i64().unwrap();
        let got = choose_variation(n, &ranges).map_or(-1, |v| v as i64);
        assert_eq!(got, expected, "{}", case[0]);
    }
}

#[test]
fn growthbook_experiment_vectors() {
    let cases = fixture();
    for case in cases["run_v2"].as_array().unwrap() {
        let seed = case[1].as_str().unwrap();
        let id = case[2].as_str().unwrap();
        let weights = floats(&case[3]);
        let coverage = case[4].as_f64().unwrap();
        if let Some(bucket) = case[5].as_f64() {
            assert_eq!(growthbook(seed, id, 2), Some(bucket), "{}", case[0]);
        }
        let splitter = Splitter::new(HashScheme::GrowthBook, seed, &weights, coverage);
        let expected = case[6].as_u64().unwrap() as usize;
        assert_eq!(splitter.place(id).arm, Some(expected), "{}", case[0]);
    }
}

fn counts(splitter: &Splitter, arms: usize, ids: impl Iterator<Item = String>) -> Vec<u64> {
    let mut counts = vec![0u64; arms];
    for id in ids {
        counts[splitter.place(&id).arm.unwrap()] += 1;
    }
    counts
}

#[test]
fn weights_are_met_in_large_samples() {
    let ids = || (0..100_000).map(|i| format!("C{i:06}"));
    for weights in [vec![0.5, 0.5], vec![0.2, 0.3, 0.5]] {
        let splitter = Splitter::new(HashScheme::Sha256V1, "spring-pilot", &weights, 1.0);
        let c = counts(&splitter, weights.len(), ids());
        let p = goodness_of_fit(&c, &weights);
        println!("weights {weights:?}: counts {c:?}, chi-square p = {p:.4}");
        assert!(p > 0.001, "weights {weights:?}: counts {c:?}, p = {p}");
    }
}

#[test]
fn different_salts_split_independently() {
    let a = Splitter::new(HashScheme::Sha256V1, "experiment-a", &[0.5, 0.5], 1.0);
    let b = Splitter::new(HashScheme::Sha256V1, "experiment-b", &[0.2, 0.3, 0.5], 1.0);
    let mut table = vec![vec![0u64; 3]; 2];
    for i in 0..100_000 {
        let id = format!("C{i:06}");
        table[a.place(&id).arm.unwrap()][b.place(&id).arm.unwrap()] += 1;
    }
    let p = independence(&table);
    println!("cross-tab {table:?}, chi-square p = {p:.4}");
    assert!(p > 0.001, "{table:?}: p = {p}");
}

#[test]
fn arms_do_not_follow_id_parity() {
    // Plain FNV-1a would: its lowest bit is the parity of the input's last
    // byte. pilot's hash must not.
    let s = Splitter::new(HashScheme::Sha256V1, "spring-pilot", &[0.5, 0.5], 1.0);
    let mut table = vec![vec![0u64; 2]; 2];
    for i in 0..100_000u64 {
        table[(i % 2) as usize][s.place(&i.to_string()).arm.unwrap()] += 1;
    }
    let p = independence(&table);
    println!("parity x arm {table:?}, p = {p:.4}");
    assert!(p > 0.001, "{table:?}: p = {p}");
}

#[test]
fn raising_coverage_never_moves_an_enrolled_customer() {
    for scheme in [HashScheme::Sha256V1, HashScheme::GrowthBook] {
        let weights = [0.2, 0.3, 0.5];
        let levels = [0.1, 0.25, 0.5, 0.9, 1.0];
        let splitters: Vec<Splitter> = levels
            .iter()
            .map(|&c| Splitter::new(scheme, "cov", &weights, c))
            .collect();
        let mut enrolled = vec![0u64; levels.len()];
        for i in 0..20_000 {
            let id = format!("C{i}");
            let arms: Vec<Option<usize>> = splitters.iter().map(|s| s.place(&id).arm).collect();
            for (k, pair) in arms.windows(2).enumerate() {
                if let Some(arm) = pair[0] {
                    assert_eq!(pair[1], Some(arm), "{scheme:?} {id} coverage {}", levels[k]);
                }
            }
            for (e, a) in enrolled.iter_mut().zip(&arms) {
                *e += u64::from(a.is_some());
            }
        }
        for (e, c) in enrolled.iter().zip(levels) {
            let share = *e as f64 / 20_000.0;
            assert!(
                (share - c).abs() < 0.02,
                "{scheme:?}: coverage {c} enrolled {share}"
            );
        }
        assert_eq!(enrolled[levels.len() - 1], 20_000);
    }
}
