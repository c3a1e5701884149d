//! End-to-end assignment of one million customers: read the population CSV,
//! hash, split, write the ledger.
//!
//! `cargo bench --bench assign`. The population file is generated once into
//! a temporary directory; every iteration starts from no ledger (or, for the
//! rerun case, from a complete one).

use std::fs;
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use pilot::assign::{AssignOptions, assign};
use pilot::config::{
    Analysis, Arm, Assignment, Correction, Decision, Experiment, HashScheme, Meta, Population,
};

const CUSTOMERS: usize = 1_000_000;

fn write_population(path: &Path) {
    let mut w = BufWriter::new(fs::File::create(path).unwrap());
    writeln!(w, "customer_id,segment,orders,revenue,region").unwrap();
    for i in 0..CUSTOMERS {
        let segment = ["new", "regular", "regular", "loyal"][i % 4];
        let region = ["north", "south", "east", "west", "central"][(i / 3) % 5];
        let orders = (i * 7919) % 23;
        let revenue = ((i * 104_729) % 100_000) as f64 / 100.0;
        writeln!(w, "C{i:07},{segment},{orders},{revenue:.2},{region}").unwrap();
    }
    w.flush().unwrap();
}

fn experiment(dir: &Path, stratify: &[&str]) -> Experiment {
    Experiment {
        path: dir.join("experiment.toml"),
        source: String::new(),
        meta: Meta {
            name: "bench".into(),
            description: String::new(),
            salt: "bench".into(),
        },
        arms: vec![
            Arm {
                name: "control".into(),
                weight: 0.5,
            },
            Arm {
                name: "pilot".into(),
                weight: 0.5,
            },
        ],
        population: Population {
            file: dir.join("customers.csv"),
            file_span: 0..0,
            id_column: "customer_id".into(),
            id_column_span: 0..0,
            filters: Vec::new(),
            new_per_week: None,
        },
        assignment: Assignment {
            file: dir.join(format!("assignments-{}.csv", stratify.len())),
            coverage: 1.0,
            stratify: stratify.iter().map(|s| s.to_string()).collect(),
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

fn fresh(exp: &Experiment) {
    let _ = fs::remove_file(&exp.assignment.file);
    let _ = fs::remove_file(exp.assignment.file.with_extension("design.json"));
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_population(&dir.path().join("customers.csv"));
    let opts = AssignOptions {
        reassign: false,
        dry_run: false,
        now: "2025-03-01T09:30:00Z".into(),
    };
    let plain = experiment(dir.path(), &[]);
    let stratified = experiment(dir.path(), &["segment", "region"]);

    // One timed run each, printed for the record.
    for (name, exp) in [("plain", &plain), ("stratified", &stratified)] {
        fresh(exp);
        let start = Instant::now();
        let out = assign(exp, &opts).unwrap();
        println!(
            "single run, {name}: {} customers assigned in {:.3} s",
            out.newly_assigned,
            start.elapsed().as_secs_f64()
        );
    }

    let mut group = c.benchmark_group("assign 1M customers");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("new ledger", |b| {
        b.iter(|| {
            fresh(&plain);
            black_box(assign(&plain, &opts).unwrap())
        })
    });
    group.bench_function("new ledger, stratified by segment and region", |b| {
        b.iter(|| {
            fresh(&stratified);
            black_box(assign(&stratified, &opts).unwrap())
        })
    });
    fresh(&plain);
    assign(&plain, &opts).unwrap();
    group.bench_function("rerun, nobody new", |b| {
        b.iter(|| black_box(assign(&plain, &opts).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
