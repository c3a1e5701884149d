//! Helpers shared by the assignment tests: experiments built by hand (the
//! config parser is developed separately) and population files.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

use pilot::assign::{AssignOptions, AssignOutcome, assign};
use pilot::config::{
    Analysis, Arm, Assignment, Correction, Decision, Experiment, Filter, FilterRule, HashScheme,
    Meta, Population,
};

pub const NOW: &str = "2025-03-01T09:30:00Z";

/// An experiment over `dir/customers.csv` with ledger `dir/assignments.csv`.
pub fn experiment(dir: &Path, arms: &[(&str, f64)]) -> Experiment {
    let total: f64 = arms.iter().map(|a| a.1).sum();
    Experiment {
        path: dir.join("experiment.toml"),
        source: String::new(),
        meta: Meta {
            name: "spring-pilot".into(),
            description: String::new(),
            salt: "spring-pilot".into(),
        },
        arms: arms
            .iter()
            .map(|(name, w)| Arm {
                name: name.to_string(),
                weight: w / total,
            })
            .collect(),
        population: Population {
            file: dir.join("customers.csv"),
            file_span: 0..0,
            id_column: "customer_id".into(),
            id_column_span: 0..0,
            filters: Vec::new(),
            new_per_week: None,
        },
        assignment: Assignment {
            file: dir.join("assignments.csv"),
            coverage: 1.0,
            stratify: Vec::new(),
            hash: HashScheme::Sha256V1,
            id_column: "customer_id".into(),
            arm_column: "arm".into(),
        },
        outcomes: None,
        metrics: Vec::new(),
        analysis: Analysis {
            alpha: 0.05,
            power: 0.8,
            sequential: true,
            sequential_tuning: 5000.0,
            planned_customers_per_arm: None,
            correction: Correction::Holm,
            segments: Vec::new(),
        },
        decision: Decision::default(),
        roi: None,
    }
}

pub fn fifty_fifty(dir: &Path) -> Experiment {
    experiment(dir, &[("control", 1.0), ("pilot", 1.0)])
}

pub fn filter(column: &str, rule: FilterRule) -> Filter {
    Filter {
        column: column.into(),
        span: 0..0,
        rule,
    }
}

pub fn opts() -> AssignOptions {
    AssignOptions {
        reassign: false,
        dry_run: false,
        now: NOW.into(),
    }
}

pub fn reassign_opts() -> AssignOptions {
    AssignOptions {
        reassign: true,
        dry_run: false,
        now: NOW.into(),
    }
}

pub fn run(exp: &Experiment) -> AssignOutcome {
    assign(exp, &opts()).unwrap_or_else(|e| panic!("{e}"))
}

/// Customer `i`'s row: id, segment (A/B/C, unevenly), orders, region.
pub fn customer_row(i: usize) -> String {
    let segment = ["A", "B", "B", "C", "C", "C"][i % 6];
    let region = ["north", "south", "east"][(i / 7) % 3];
    format!("C{i:05},{segment},{},{region}\n", (i * 37) % 11)
}

/// Writes customers `range` (in that order) to the population file.
pub fn write_population(exp: &Experiment, rows: impl IntoIterator<Item = usize>) {
    let mut text = String::from("customer_id,segment,orders,region\n");
    for i in rows {
        text.push_str(&customer_row(i));
    }
    fs::write(&exp.population.file, text).unwrap();
}

/// (id, arm, stratum) rows of the ledger, via the library's reader.
pub fn ledger_rows(path: &Path) -> Vec<(String, String, String)> {
    let l = pilot::assign::ledger::read_ledger(path, "customer_id", "arm").unwrap();
    (0..l.len())
        .map(|i| {
            (
                l.id(i).to_string(),
                l.arm_name(i).to_string(),
                l.stratum(i).unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Upper tail of the chi-square distribution with `df` degrees of freedom.
pub fn chi_square_p(statistic: f64, df: f64) -> f64 {
    statrs::function::gamma::gamma_ur(df / 2.0, statistic / 2.0)
}

/// Goodness-of-fit p-value of `counts` against `weights`.
pub fn goodness_of_fit(counts: &[u64], weights: &[f64]) -> f64 {
    let n: u64 = counts.iter().sum();
    let stat: f64 = counts
        .iter()
        .zip(weights)
        .map(|(&c, &w)| {
            let e = w * n as f64;
            (c as f64 - e).powi(2) / e
        })
        .sum();
    chi_square_p(stat, (counts.len() - 1) as f64)
}

/// Independence p-value of a contingency table.
pub fn independence(table: &[Vec<u64>]) -> f64 {
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let cols: Vec<f64> = (0..table[0].len())
        .map(|j| table.iter().map(|r| r[j]).sum::<u64>() as f64)
        .collect();
    let n: f64 = rows.iter().sum();
    let mut stat = 0.0;
    for (i, r) in table.iter().enumerate() {
        for (j, &o) in r.iter().enumerate() {
            let e = rows[i] * cols[j] / n;
            stat += (o as f64 - e).powi(2) / e;
        }
    }
    chi_square_p(stat, ((rows.len() - 1) * (cols.len() - 1)) as f64)
}
