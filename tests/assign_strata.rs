//! Stratified assignment: within one customer of the weights in every
//! stratum, at every point, through growth.

mod assign_support;

use std::collections::BTreeMap;

use assign_support::*;
use pilot::assign::assign;

/// Checks every prefix of every stratum, in ledger order (which is the
/// order the stratum's sequence handed out positions).
fn check_balance(rows: &[(String, String, String)], arms: &[(&str, f64)]) -> usize {
    let total: f64 = arms.iter().map(|a| a.1).sum();
    let mut strata: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (id, arm, stratum) in rows {
        let counts = strata.entry(stratum).or_insert_with(|| vec![0; arms.len()]);
        let a = arms.iter().position(|x| x.0 == arm).unwrap();
        counts[a] += 1;
        let n: u64 = counts.iter().sum();
        for (c, (name, w)) in counts.iter().zip(arms) {
            let dev = *c as f64 - w / total * n as f64;
            assert!(
                dev.abs() < 1.0,
                "stratum {stratum}: arm {name} has {c} of {n} at customer {id}"
            );
        }
    }
    strata.len()
}

fn grow(arms: &[(&str, f64)], stratify: &[&str], coverage: f64) {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = experiment(dir.path(), arms);
    exp.assignment.stratify = stratify.iter().map(|s| s.to_string()).collect();
    exp.assignment.coverage = coverage;
    let mut assigned = 0;
    for (step, size) in [1usize, 2, 7, 40, 41, 173, 174, 500, 1200]
        .into_iter()
        .enumerate()
    {
        let mut order: Vec<usize> = (0..size).collect();
        order.rotate_left((step * 31) % size.max(1));
        if step % 2 == 1 {
            order.reverse();
        }
        write_population(&exp, order);
        let out = assign(
            &exp,
            &pilot::assign::AssignOptions {
                reassign: false,
                dry_run: false,
                now: format!("2025-03-{:02}T09:30:00Z", step + 1),
            },
        )
        .unwrap();
        assert_eq!(out.kept, assigned as u64);
        assigned += out.newly_assigned as usize;
        let rows = ledger_rows(&exp.assignment.file);
        assert_eq!(rows.len(), assigned);
        check_balance(&rows, arms);
    }
    let rows = ledger_rows(&exp.assignment.file);
    let expected_strata = if stratify.len() == 2 { 9 } else { 3 };
    assert_eq!(check_balance(&rows, arms), expected_strata);
    if coverage < 1.0 {
        let share = rows.len() as f64 / 1200.0;
        assert!((share - coverage).abs() < 0.05, "enrolled {share}");
    } else {
        assert_eq!(rows.len(), 1200);
    }
}

#[test]
fn fifty_fifty_by_segment() {
    grow(&[("control", 1.0), ("pilot", 1.0)], &["segment"], 1.0);
}

#[test]
fn three_arms_by_segment_and_region() {
    grow(
        &[("a", 2.0), ("b", 3.0), ("c", 5.0)],
        &["segment", "region"],
        1.0,
    );
}

#[test]
fn irrational_weights() {
    let s = 2f64.sqrt();
    grow(
        &[
            ("control", 1.0),
            ("pilot", s),
            ("pilot-b", std::f64::consts::PI),
        ],
        &["segment"],
        1.0,
    );
}

#[test]
fn coverage_applies_before_the_stratified_split() {
    grow(&[("control", 1.0), ("pilot", 1.0)], &["segment"], 0.5);
}

#[test]
fn stratified_split_is_random_within_strata() {
    // Two salts give different arms for many customers, yet both balanced.
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let mut a = fifty_fifty(dir_a.path());
    let mut b = fifty_fifty(dir_b.path());
    a.assignment.stratify = vec!["segment".into()];
    b.assignment.stratify = vec!["segment".into()];
    b.meta.salt = "another".into();
    write_population(&a, 0..600);
    write_population(&b, 0..600);
    run(&a);
    run(&b);
    let mut ra = ledger_rows(&a.assignment.file);
    let mut rb = ledger_rows(&b.assignment.file);
    ra.sort();
    rb.sort();
    let same = ra.iter().zip(&rb).filter(|(x, y)| x.1 == y.1).count();
    assert!((220..380).contains(&same), "{same} of 600 agree");
    let mut table = vec![vec![0u64; 2]; 2];
    for (x, y) in ra.iter().zip(&rb) {
        table[usize::from(x.1 == "pilot")][usize::from(y.1 == "pilot")] += 1;
    }
    let p = independence(&table);
    println!("stratified cross-tab {table:?}, p = {p:.3}");
    assert!(p > 0.001);
}

#[test]
fn balance_report_of_a_stratified_split() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = fifty_fifty(dir.path());
    exp.assignment.stratify = vec!["segment".into()];
    write_population(&exp, 0..1000);
    let out = run(&exp);
    let r = &out.balance;
    assert_eq!(r.total, 1000);
    // Three strata of odd size (167, 333, 500): at most one extra each.
    assert!((498..=502).contains(&r.counts[0].count), "{:?}", r.counts);
    assert_eq!(r.counts[0].target, 500.0);
    let segment = r
        .categorical
        .iter()
        .find(|c| c.column == "segment")
        .unwrap();
    for level in &segment.levels {
        let smd = level.smd[1].unwrap();
        assert!(smd.abs() < 0.01, "{level:?}");
    }
    let orders = r.numeric.iter().find(|c| c.column == "orders").unwrap();
    assert_eq!(orders.arms[0].n + orders.arms[1].n, 1000);
    let text = pilot::assign::balance::render_text(r);
    assert!(
        text.starts_with("Balance of 1,000 customers over 2 arms\n"),
        "{text}"
    );
    assert!(text.contains("segment"), "{text}");
}
