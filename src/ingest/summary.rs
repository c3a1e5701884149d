//! Pre-aggregated summary statistics: the CSV a warehouse or any SQL engine
//! can produce instead of row-level outcomes.
//!
//! One row per (arm, metric[, segment]) shard, columns named as in
//! GrowthBook's gbstats:
//!
//! | column | meaning |
//! |---|---|
//! | `arm`, `metric` | the arm and metric names of the experiment file |
//! | `n` | customers (answers, for surveys) in the shard |
//! | `sum`, `sum_squares` | sum and sum of squares of the metric (binary: successes in both) |
//! | `covariate_sum`, `covariate_sum_squares`, `main_covariate_sum_product` | CUPED metrics |
//! | `denominator_sum`, `denominator_sum_squares`, `main_denominator_sum_product` | ratio metrics |
//! | `count_<value>` | surveys and ordinal scales: answers per scale value (no `sum` needed) |
//! | the `[outcomes] segment_column` | optional segment value of the shard |
//!
//! Several rows for the same arm, metric and segment are shards (days,
//! stores, files) and are added exactly. With a segment column, the overall
//! statistics are the sum over segment values.

use std::collections::HashMap;
use std::path::Path;

use crate::config::{Experiment, MetricKind, Outcomes};
use crate::error::{Error, Result, shown};
use crate::ingest::aggregate::{GroupStats, LevelStats, MetricStats, SegmentStats};
use crate::io::csv_input::{CsvReader, Row, missing_column_message};
use crate::stats::{BinaryStats, CovariateStats, MeanStats, OrdinalCounts, RatioStats};

/// Columns of one optional group, resolved in the header.
struct Columns {
    arm: usize,
    metric: usize,
    n: usize,
    sum: Option<usize>,
    sum_squares: Option<usize>,
    covariate: Option<[usize; 3]>,
    denominator: Option<[usize; 3]>,
    /// (`count_<value>` column, value)
    counts: Vec<(usize, i64)>,
    segment: Option<usize>,
}

/// Reads the summary file `path` into statistics per metric (experiment
/// order), per arm and per segment value.
pub fn read_summary(
    path: &Path,
    outcomes: &Outcomes,
    exp: &Experiment,
) -> Result<Vec<MetricStats>> {
    let mut csv = CsvReader::open(path)?;
    let cols = resolve(&csv, outcomes)?;
    let arm_count = exp.arms.len();
    // Per metric: overall per arm, and per segment value per arm.
    let mut overall: Vec<Vec<Option<GroupStats>>> = vec![vec![None; arm_count]; exp.metrics.len()];
    let mut levels: Vec<Vec<(String, Vec<Option<GroupStats>>)>> =
        vec![Vec::new(); exp.metrics.len()];
    let mut level_index: Vec<HashMap<String, usize>> = vec![HashMap::new(); exp.metrics.len()];
    while let Some(row) = csv.next_row()? {
        let arm_name = row.text(cols.arm)?;
        let arm = exp
            .arms
            .iter()
            .position(|a| a.name == arm_name)
            .ok_or_else(|| {
                let names: Vec<&str> = exp.arms.iter().map(|a| a.name.as_str()).collect();
                row.error(
                    cols.arm,
                    format!(
                        "`{}` is not an arm of the experiment (arms: {})",
                        shown(arm_name),
                        names.join(", ")
                    ),
                )
            })?;
        let metric_name = row.text(cols.metric)?;
        let Some(m) = exp.metrics.iter().position(|x| x.name == metric_name) else {
            let names: Vec<&str> = exp.metrics.iter().map(|x| x.name.as_str()).collect();
            return Err(row.error(
                cols.metric,
                format!(
                    "`{}` is not a metric of the experiment (metrics: {})",
                    shown(metric_name),
                    names.join(", ")
                ),
            ));
        };
        let stats = shard(&row, &cols, exp, m)?;
        merge_into(&mut overall[m][arm], &stats);
        if !overall[m][arm].as_ref().is_some_and(sums_are_finite) {
            return Err(row.row_error(format!(
                "metric `{metric_name}`: this row's sums added to the earlier rows of arm `{arm_name}` exceed what pilot can represent; check the unit"
            )));
        }
        if let Some(col) = cols.segment {
            let value = match row.text(col)? {
                "" => crate::ingest::attributes::BLANK_SEGMENT,
                v => v,
            };
            let slot = match level_index[m].get(value) {
                Some(&i) => i,
                None => {
                    level_index[m].insert(value.to_string(), levels[m].len());
                    levels[m].push((value.to_string(), vec![None; arm_count]));
                    levels[m].len() - 1
                }
            };
            merge_into(&mut levels[m][slot].1[arm], &stats);
        }
    }
    let segment_column = outcomes.segment_column.clone();
    exp.metrics
        .iter()
        .enumerate()
        .map(|(m, metric)| {
            let empty = || GroupStats::empty(metric.kind, metric.covariate.is_some());
            let arms: Vec<GroupStats> = overall[m]
                .iter()
                .map(|s| s.clone().unwrap_or_else(empty))
                .collect();
            let assigned = arms.iter().map(GroupStats::n).collect();
            let segments = segment_column
                .iter()
                .map(|column| {
                    let mut lv: Vec<LevelStats> = levels[m]
                        .iter()
                        .map(|(value, per_arm)| LevelStats {
                            value: value.clone(),
                            arms: per_arm
                                .iter()
                                .map(|s| s.clone().unwrap_or_else(empty))
                                .collect(),
                        })
                        .collect();
                    lv.sort_by_key(|l| {
                        std::cmp::Reverse(l.arms.iter().map(GroupStats::n).sum::<u64>())
                    });
                    SegmentStats {
                        column: column.clone(),
                        levels: lv,
                    }
                })
                .collect();
            Ok(MetricStats {
                arms,
                segments,
                assigned,
                cap_value: None,
                capped_customers: 0,
            })
        })
        .collect()
}

/// Whether merged shards still have finite sums (each shard's are, but
/// adding them can overflow, which would read as "no variation").
fn sums_are_finite(stats: &GroupStats) -> bool {
    let mean =
        |m: &crate::stats::summary::MeanStats| m.sum().is_finite() && m.sum_squares().is_finite();
    match stats {
        GroupStats::Mean(m) => mean(m),
        GroupStats::Cuped(c) => {
            mean(c.metric()) && mean(c.covariate()) && c.sum_products().is_finite()
        }
        GroupStats::Ratio(r) => {
            mean(r.numerator()) && mean(r.denominator()) && r.sum_products().is_finite()
        }
        GroupStats::Binary(_) | GroupStats::Ordinal(_) => true,
    }
}

fn merge_into(slot: &mut Option<GroupStats>, stats: &GroupStats) {
    match slot {
        Some(existing) => existing.merge(stats),
        None => *slot = Some(stats.clone()),
    }
}

fn resolve<R: std::io::Read>(csv: &CsvReader<R>, outcomes: &Outcomes) -> Result<Columns> {
    let find = |name: &str| csv.find_column(name);
    let group = |names: [&str; 3]| -> Result<Option<[usize; 3]>> {
        let found: Vec<Option<usize>> = names.iter().map(|n| find(n)).collect();
        match found.iter().filter(|f| f.is_some()).count() {
            0 => Ok(None),
            3 => Ok(Some([
                found[0].unwrap_or(0),
                found[1].unwrap_or(0),
                found[2].unwrap_or(0),
            ])),
            _ => {
                // Some of the three are there: name the first one missing.
                let missing = names
                    .iter()
                    .zip(&found)
                    .find(|(_, f)| f.is_none())
                    .map_or("", |(n, _)| *n);
                Err(Error::in_file(
                    csv.path(),
                    missing_column_message(missing, csv.headers()),
                ))
            }
        }
    };
    let counts = csv
        .headers()
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            h.strip_prefix("count_")
                .and_then(|v| v.parse::<i64>().ok())
                .map(|v| (i, v))
        })
        .collect();
    Ok(Columns {
        arm: csv.column("arm")?,
        metric: csv.column("metric")?,
        n: csv.column("n")?,
        sum: find("sum"),
        sum_squares: find("sum_squares"),
        covariate: group([
            "covariate_sum",
            "covariate_sum_squares",
            "main_covariate_sum_product",
        ])?,
        denominator: group([
            "denominator_sum",
            "denominator_sum_squares",
            "main_denominator_sum_product",
        ])?,
        counts,
        segment: outcomes
            .segment_column
            .as_deref()
            .map(|c| csv.column(c))
            .transpose()?,
    })
}

/// A number cell that must be present.
fn required(row: &Row<'_>, col: Option<usize>, name: &str, metric: &str) -> Result<f64> {
    let Some(col) = col else {
        return Err(row.row_error(format!(
            "metric `{metric}` needs a `{name}` column in the summary file"
        )));
    };
    row.number(col)?
        .ok_or_else(|| row.error(col, format!("metric `{metric}` needs a value here")))
}

/// A whole, non-negative count.
fn count(row: &Row<'_>, col: usize) -> Result<u64> {
    match row.number(col)? {
        None => Ok(0),
        Some(v) if v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 => Ok(v as u64),
        Some(v) => Err(row.error(
            col,
            format!("expected a whole number of customers, found {v}"),
        )),
    }
}

/// The statistics of one row for metric `m`.
fn shard(row: &Row<'_>, cols: &Columns, exp: &Experiment, m: usize) -> Result<GroupStats> {
    let metric = &exp.metrics[m];
    let name = metric.name.as_str();
    let n = count(row, cols.n)?;
    let invalid = |e: crate::stats::NotComputable| row.row_error(format!("metric `{name}`: {e}"));
    let mean = |row: &Row<'_>| -> Result<(f64, f64)> {
        Ok((
            required(row, cols.sum, "sum", name)?,
            required(row, cols.sum_squares, "sum_squares", name)?,
        ))
    };
    Ok(match metric.kind {
        MetricKind::Binary => {
            let (sum, sum_squares) = mean(row)?;
            GroupStats::Binary(BinaryStats::from_summary(n, sum, sum_squares).map_err(invalid)?)
        }
        MetricKind::Mean => {
            let (sum, sum_squares) = mean(row)?;
            match (&metric.covariate, cols.covariate) {
                (Some(_), Some([s, ss, sp])) => GroupStats::Cuped(
                    CovariateStats::from_summary(
                        n,
                        sum,
                        sum_squares,
                        required(row, Some(s), "covariate_sum", name)?,
                        required(row, Some(ss), "covariate_sum_squares", name)?,
                        required(row, Some(sp), "main_covariate_sum_product", name)?,
                    )
                    .map_err(invalid)?,
                ),
                (Some(_), None) => {
                    return Err(row.row_error(format!(
                        "metric `{name}` has a covariate, so the summary file needs covariate_sum, \
                         covariate_sum_squares and main_covariate_sum_product columns"
                    )));
                }
                (None, _) => {
                    GroupStats::Mean(MeanStats::from_summary(n, sum, sum_squares).map_err(invalid)?)
                }
            }
        }
        MetricKind::Ratio => {
            let (sum, sum_squares) = mean(row)?;
            let Some([s, ss, sp]) = cols.denominator else {
                return Err(row.row_error(format!(
                    "metric `{name}` is a ratio, so the summary file needs denominator_sum, \
                     denominator_sum_squares and main_denominator_sum_product columns"
                )));
            };
            GroupStats::Ratio(
                RatioStats::from_summary(
                    n,
                    sum,
                    sum_squares,
                    required(row, Some(s), "denominator_sum", name)?,
                    required(row, Some(ss), "denominator_sum_squares", name)?,
                    required(row, Some(sp), "main_denominator_sum_product", name)?,
                )
                .map_err(invalid)?,
            )
        }
        MetricKind::Nps | MetricKind::Csat | MetricKind::Ordinal | MetricKind::Ces => {
            let (low, high) = metric.scale.unwrap_or(match metric.kind {
                MetricKind::Nps => (0, 10),
                _ => (1, 5),
            });
            let mut pairs = Vec::new();
            for &(col, value) in &cols.counts {
                let c = count(row, col)?;
                if c > 0 && !(low..=high).contains(&value) {
                    return Err(row.error(
                        col,
                        format!("metric `{name}` has answers from {low} to {high}; this column is outside the scale"),
                    ));
                }
                pairs.push((value, c));
            }
            let counts = OrdinalCounts::from_counts(pairs);
            if counts.n() != n {
                return Err(row.error(
                    cols.n,
                    format!(
                        "metric `{name}`: n is {n} but the count_<value> columns add up to {}",
                        counts.n()
                    ),
                ));
            }
            GroupStats::Ordinal(counts)
        }
    })
}
