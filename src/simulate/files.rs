//! `pilot simulate`: writes a synthetic population, assigns it with the real
//! assignment (so the ledger is exactly what `pilot assign` would write) and
//! writes outcome files `pilot analyze` reads.
//!
//! Files in the output directory:
//! - `customers.csv`: `[population] id_column`, `segment`, every metric
//!   covariate (a pre-period value correlated with the outcome), and any
//!   filter or stratification column the experiment needs (filled so that
//!   every customer is eligible; a stratification or segment column without
//!   a filter gets its own values: regions for `region`, else `<column> A`
//!   to `C`);
//! - `ledger.csv`: written by [`crate::assign::assign`], every customer
//!   assigned on the first day of the outcomes (`[outcomes] from`, or
//!   2025-01-06), so no outcome row precedes its customer's assignment;
//! - `outcomes.csv`: `[outcomes] id_column`, the date column if declared,
//!   each metric's column (and denominator); one row per enrolled customer
//!   (a count metric with `aggregate = "count"` gets one row per unit);
//!   survey non-responses are blank cells;
//! - with `looks` K > 1, `outcomes.look1.csv` ... `outcomes.lookK.csv`:
//!   each customer's outcome arrives in one of K equal periods, and look j
//!   holds everything that arrived in periods 1..=j (the last look equals
//!   `outcomes.csv`).

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::SeedableRng;

use super::{Draw, Shape, SimRng, uniform};
use crate::assign::{AssignOptions, assign};
use crate::config::{Aggregate, Experiment, FilterRule, MetricKind, Role};
use crate::error::{Error, Result};
use crate::io::atomic::write_atomic;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimulateOptions {
    /// Customers in the population.
    pub customers: u64,
    /// Effects by metric name (see [`super`] for their meaning per kind);
    /// metrics not listed have no effect.
    pub effects: Vec<(String, f64)>,
    /// Seed of every random draw.
    pub seed: u64,
    /// Number of cumulative looks (1: a single outcome file).
    pub looks: u32,
    /// Output directory (created if missing).
    pub out: PathBuf,
}

/// What [`simulate`] wrote.
#[derive(Debug, Clone)]
pub struct Simulated {
    /// Files written, in order.
    pub files: Vec<PathBuf>,
    /// Customers enrolled per arm, in arm order.
    pub per_arm: Vec<u64>,
}

/// Segment values of the synthetic population, with their shares.
const SEGMENTS: [(&str, f64); 3] = [("new", 0.3), ("regular", 0.5), ("loyal", 0.2)];

/// First day of simulated outcomes when the experiment sets no window start.
const DEFAULT_START: &str = "2025-01-06";

/// Days each look covers.
const DAYS_PER_LOOK: i32 = 7;

/// Runs the simulation and writes the files (see the module docs).
pub fn simulate(exp: &Experiment, opts: &SimulateOptions) -> Result<Simulated> {
    let outcomes = exp
        .outcomes
        .as_ref()
        .filter(|o| o.file.is_some())
        .ok_or_else(|| {
            Error::input(
                "pilot simulate writes row-level outcomes: the experiment needs an [outcomes] file",
            )
        })?;
    for (name, _) in &opts.effects {
        if !exp.metrics.iter().any(|m| &m.name == name) {
            let known: Vec<&str> = exp.metrics.iter().map(|m| m.name.as_str()).collect();
            return Err(Error::input(format!(
                "--effect names the metric `{name}`, which the experiment does not declare (metrics: {})",
                known.join(", ")
            )));
        }
    }
    if opts.customers == 0 {
        return Err(Error::input("--customers must be at least 1"));
    }
    let looks = opts.looks.max(1);
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, "create", &e))?;
    let ledger = opts.out.join("ledger.csv");
    if ledger.exists() {
        return Err(Error::in_file(
            &ledger,
            "a ledger is already there; choose another --out directory or remove it",
        )
        .conflict());
    }
    let lift = |name: &str| {
        opts.effects
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map_or(0.0, |(_, l)| *l)
    };
    let shapes: Vec<[Shape; 2]> = exp
        .metrics
        .iter()
        .map(|m| [Shape::of(m, 0.0), Shape::of(m, lift(&m.name))])
        .collect();
    // One generator per customer and metric, so a customer's covariate is
    // the same whichever arm the assignment picks.
    let customer_rng = |c: u64, m: usize| {
        SimRng::seed_from_u64(
            opts.seed ^ (c.wrapping_mul(0x9E37_79B9_7F4A_7C15)) ^ ((m as u64 + 1) << 48),
        )
    };
    let id = |c: u64| format!("S{:07}", c + 1);
    // Each customer's propensity to buy, shared by the primary metric (when
    // binary: a purchase) and the revenue-like metrics, so that a purchase
    // comes with revenue. Guardrails (unsubscribes) stay independent.
    let buys = |m: usize| {
        let metric = &exp.metrics[m];
        match metric.kind {
            MetricKind::Binary => metric.role == Role::Primary,
            MetricKind::Mean => metric.aggregate != Aggregate::Count,
            _ => false,
        }
    };
    let activity = |c: u64| {
        let mut rng = SimRng::seed_from_u64(
            opts.seed ^ c.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5A17_AC71_717E_0000,
        );
        uniform(&mut rng)
    };

    // Population.
    let mut population_rng = SimRng::seed_from_u64(opts.seed);
    let covariates: Vec<(usize, &str)> = exp
        .metrics
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.covariate.as_deref().map(|c| (i, c)))
        .collect();
    let mut extra: Vec<(String, Option<String>)> = Vec::new();
    let mut add_extra = |column: &str, value: Option<String>| {
        let taken = column == exp.population.id_column
            || column == "segment"
            || covariates.iter().any(|(_, c)| *c == column)
            || extra.iter().any(|(c, _)| c == column);
        if !taken {
            extra.push((column.to_string(), value));
        }
    };
    for filter in &exp.population.filters {
        let value = match &filter.rule {
            FilterRule::In(values) => values.first().cloned().unwrap_or_default(),
            FilterRule::NotIn(values) => {
                let mut v = "simulated".to_string();
                while values.contains(&v) {
                    v.push('x');
                }
                v
            }
            FilterRule::Range { min, max } => number(min.or(*max).unwrap_or(0.0)),
        };
        add_extra(&filter.column, Some(value));
    }
    for column in exp.assignment.stratify.iter().chain(&exp.analysis.segments) {
        add_extra(column, None);
    }
    // Values of the other attribute columns (per column of `extra`), drawn
    // independently of the segment so that a table by region shows regions.
    let attribute_values: Vec<Vec<String>> = extra
        .iter()
        .map(|(column, _)| {
            if column.eq_ignore_ascii_case("region") {
                ["north", "south", "east", "west"]
                    .map(String::from)
                    .to_vec()
            } else {
                ["A", "B", "C"].map(|v| format!("{column} {v}")).to_vec()
            }
        })
        .collect();
    let mut attribute_rng = SimRng::seed_from_u64(opts.seed.wrapping_add(2));
    // Segment values: the defaults, or those a filter on `segment` admits.
    let mut segments: Vec<String> = SEGMENTS.iter().map(|(n, _)| n.to_string()).collect();
    let mut shares: Vec<f64> = SEGMENTS.iter().map(|(_, s)| *s).collect();
    for filter in exp
        .population
        .filters
        .iter()
        .filter(|f| f.column == "segment")
    {
        match &filter.rule {
            FilterRule::In(values) if !values.is_empty() => {
                segments = values.clone();
                shares = vec![1.0 / values.len() as f64; values.len()];
            }
            FilterRule::NotIn(values) => {
                let keep: Vec<usize> = (0..segments.len())
                    .filter(|&i| !values.contains(&segments[i]))
                    .collect();
                if !keep.is_empty() {
                    let total: f64 = keep.iter().map(|&i| shares[i]).sum();
                    shares = keep.iter().map(|&i| shares[i] / total).collect();
                    segments = keep.iter().map(|&i| segments[i].clone()).collect();
                }
            }
            _ => {}
        }
    }
    let population_path = opts.out.join("customers.csv");
    write_atomic(&population_path, |w| {
        let mut header = vec![exp.population.id_column.clone(), "segment".to_string()];
        header.extend(covariates.iter().map(|(_, c)| c.to_string()));
        header.extend(extra.iter().map(|(c, _)| c.clone()));
        write_row(w, &population_path, &header)?;
        for c in 0..opts.customers {
            let segment = pick_segment(&segments, &shares, uniform(&mut population_rng));
            let mut row = vec![id(c), segment.to_string()];
            let propensity = activity(c);
            for &(m, _) in &covariates {
                let draw =
                    shapes[m][0].draw_with(&mut customer_rng(c, m), buys(m).then_some(propensity));
                row.push(number(draw.covariate));
            }
            for ((_, value), values) in extra.iter().zip(&attribute_values) {
                row.push(value.clone().unwrap_or_else(|| {
                    let k = (uniform(&mut attribute_rng) * values.len() as f64) as usize;
                    values[k.min(values.len() - 1)].clone()
                }));
            }
            write_row(w, &population_path, &row)?;
        }
        Ok(())
    })?;

    // Outcomes start at the window's start (or a fixed day), and the
    // customers join the pilot that day: outcome rows dated before a
    // customer's assignment would not count.
    let start = exp
        .outcomes
        .as_ref()
        .and_then(|o| o.from.as_deref())
        .and_then(crate::dates::parse_day)
        .unwrap_or_else(|| crate::dates::parse_day(DEFAULT_START).unwrap_or(0));

    // Assignment, through the real thing.
    let mut design = exp.clone();
    design.population.file = population_path.clone();
    design.assignment.file = ledger.clone();
    let assigned = assign(
        &design,
        &AssignOptions {
            reassign: false,
            dry_run: false,
            now: crate::dates::rfc3339_utc(i64::from(start) * 86_400),
        },
    )?;
    let arms = read_ledger(
        &ledger,
        &exp.assignment.id_column,
        &exp.assignment.arm_column,
        exp,
    )?;

    // Outcomes: one set of rows per enrolled customer, each tagged with the
    // look at which it has arrived.
    let mut header = vec![outcomes.id_column.clone()];
    if let Some(date) = &outcomes.date_column {
        header.push(date.clone());
    }
    for m in &exp.metrics {
        header.push(m.column.clone());
        if let Some(d) = &m.denominator {
            header.push(d.clone());
        }
    }
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    let mut look_rng = SimRng::seed_from_u64(opts.seed.wrapping_add(1));
    for (customer, arm) in &arms {
        let c = *customer;
        let look = (uniform(&mut look_rng) * f64::from(looks)) as u32 + 1;
        let day = start
            + (look as i32 - 1) * DAYS_PER_LOOK
            + (uniform(&mut look_rng) * f64::from(DAYS_PER_LOOK)) as i32;
        let propensity = activity(c);
        let draws: Vec<Draw> = shapes
            .iter()
            .enumerate()
            .map(|(m, s)| {
                s[usize::from(*arm > 0)]
                    .draw_with(&mut customer_rng(c, m), buys(m).then_some(propensity))
            })
            .collect();
        let prefix = |r: &mut Vec<String>| {
            r.push(id(c));
            if outcomes.date_column.is_some() {
                r.push(crate::dates::day_text(day));
            }
        };
        let mut row = Vec::new();
        prefix(&mut row);
        let mut extra_rows = 0u64;
        for (m, d) in exp.metrics.iter().zip(&draws) {
            let counted = m.aggregate == Aggregate::Count;
            row.push(match d.value {
                None => String::new(),
                Some(v) if counted => {
                    extra_rows = extra_rows.max(v as u64);
                    if v >= 1.0 { "1".into() } else { String::new() }
                }
                Some(v) => number(v),
            });
            if m.denominator.is_some() {
                row.push(d.denominator.map(number).unwrap_or_default());
            }
        }
        rows.push((look, row));
        // Further units of count metrics: one row each, other cells blank.
        for unit in 1..extra_rows {
            let mut more = Vec::new();
            prefix(&mut more);
            for (m, d) in exp.metrics.iter().zip(&draws) {
                let counted = m.aggregate == Aggregate::Count;
                more.push(if counted && d.value.unwrap_or(0.0) as u64 > unit {
                    "1".into()
                } else {
                    String::new()
                });
                if m.denominator.is_some() {
                    more.push(String::new());
                }
            }
            rows.push((look, more));
        }
    }
    let mut files = vec![population_path, ledger];
    let mut write_outcomes = |path: PathBuf, upto: u32| -> Result<()> {
        write_atomic(&path, |w| {
            write_row(w, &path, &header)?;
            for (look, row) in &rows {
                if *look <= upto {
                    write_row(w, &path, row)?;
                }
            }
            Ok(())
        })?;
        files.push(path);
        Ok(())
    };
    if looks > 1 {
        for j in 1..=looks {
            write_outcomes(opts.out.join(format!("outcomes.look{j}.csv")), j)?;
        }
    }
    write_outcomes(opts.out.join("outcomes.csv"), looks)?;
    let mut per_arm = vec![0u64; exp.arms.len()];
    for (i, n) in assigned.new_per_arm.iter().enumerate() {
        per_arm[i] = *n;
    }
    Ok(Simulated { files, per_arm })
}

fn pick_segment<'a>(names: &'a [String], shares: &[f64], u: f64) -> &'a str {
    let mut acc = 0.0;
    for (name, share) in names.iter().zip(shares) {
        acc += share;
        if u < acc {
            return name;
        }
    }
    &names[names.len() - 1]
}

/// A number as written in the CSV files: integers plainly, others to 4 decimals.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.4}")
    }
}

fn write_row<W: Write>(w: &mut W, path: &Path, cells: &[String]) -> Result<()> {
    let line = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    writeln!(w, "{line}").map_err(|e| Error::io(path, "write", &e))
}

/// The ledger's customers as (simulation index, arm index), in ledger order.
fn read_ledger(
    path: &Path,
    id_column: &str,
    arm_column: &str,
    exp: &Experiment,
) -> Result<Vec<(u64, usize)>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| Error::in_file(path, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::in_file(path, e.to_string()))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::in_file(path, format!("the ledger has no column `{name}`")))
    };
    let (id_at, arm_at) = (find(id_column)?, find(arm_column)?);
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::in_file(path, e.to_string()))?;
        let customer = record
            .get(id_at)
            .and_then(|id| id.strip_prefix('S'))
            .and_then(|n| n.parse::<u64>().ok())
            .and_then(|n| n.checked_sub(1))
            .ok_or_else(|| {
                Error::in_file(path, "the ledger has an id pilot simulate did not write")
            })?;
        let arm = record
            .get(arm_at)
            .and_then(|a| exp.arms.iter().position(|x| x.name == a))
            .ok_or_else(|| {
                Error::in_file(
                    path,
                    "the ledger names an arm the experiment does not declare",
                )
            })?;
        out.push((customer, arm));
    }
    Ok(out)
}
