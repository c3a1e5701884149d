//! Streaming the outcome export into one value per customer and metric.
//!
//! Outcome files have one or more rows per customer (orders, tickets,
//! survey answers). Rows are streamed through the shared CSV reader's reused
//! record, looked up in the customer index without allocating, and folded
//! into per-customer accumulators whose size is fixed by the number of
//! customers, not rows. Nothing is dropped silently: rows of unknown
//! customers and rows outside the date window are counted and reported.

use std::path::Path;

use crate::config::{Aggregate, Experiment, Metric, MetricKind, Missing, Outcomes};
use crate::dates::parse_day;
use crate::error::{Error, Result};
use crate::ids::IdTable;
use crate::ingest::values::ValueRule;
use crate::io::csv_input::CsvReader;

/// How many example ids of unknown customers a report keeps.
const UNKNOWN_EXAMPLES: usize = 5;

/// Per-customer values of one metric after the export was read.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValues {
    /// One entry per customer of the index: the aggregated value, or `None`
    /// for a customer excluded by `missing = "exclude"`.
    pub values: Vec<Option<f64>>,
    /// Ratio metrics: the aggregated denominator per customer (`None`
    /// exactly where `values` is).
    pub denominators: Option<Vec<Option<f64>>>,
    /// Customers who had at least one value for this metric in the export.
    pub responders: u64,
}

/// What reading the export found, besides the values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Data rows read.
    pub rows: u64,
    /// Rows skipped because their date lies outside `[from, to]`.
    pub rows_outside_window: u64,
    /// Rows whose customer is not in the ledger.
    pub rows_unknown_customer: u64,
    /// Distinct-as-seen examples of such customer ids (first few).
    pub unknown_examples: Vec<String>,
    /// Ledger customers with at least one row in the window.
    pub customers_with_rows: u64,
}

/// The export, read: per metric (in the experiment's order) the values.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeData {
    /// One entry per metric of the experiment, same order.
    pub metrics: Vec<MetricValues>,
    /// Row and customer counts for the report.
    pub counts: OutcomeCounts,
}

/// Accumulates one metric across rows.
struct Accumulator<'a> {
    metric: &'a Metric,
    column: usize,
    denominator: Option<usize>,
    rule: ValueRule,
    sum: Vec<f64>,
    denominator_sum: Vec<f64>,
    /// Values seen per customer (for `mean`, `count` and presence).
    seen: Vec<u32>,
    /// For `last` with a date column: the day of the value kept.
    day: Vec<i32>,
}

impl<'a> Accumulator<'a> {
    fn new<R: std::io::Read>(
        metric: &'a Metric,
        csv: &CsvReader<R>,
        customers: usize,
        dated: bool,
    ) -> Result<Self> {
        let column = csv
            .column(&metric.column)
            .map_err(|e| metric_column_error(e, metric))?;
        let denominator = match (&metric.kind, &metric.denominator) {
            (MetricKind::Ratio, Some(name)) => Some(
                csv.column(name)
                    .map_err(|e| metric_column_error(e, metric))?,
            ),
            _ => None,
        };
        let dated_last = dated && metric.aggregate == Aggregate::Last;
        Ok(Self {
            metric,
            column,
            denominator,
            rule: ValueRule::for_metric(metric),
            sum: vec![0.0; customers],
            denominator_sum: if denominator.is_some() {
                vec![0.0; customers]
            } else {
                Vec::new()
            },
            seen: vec![0; customers],
            day: if dated_last {
                vec![i32::MIN; customers]
            } else {
                Vec::new()
            },
        })
    }

    /// Folds one row's cell into customer `c`.
    fn add(
        &mut self,
        row: &crate::io::csv_input::Row<'_>,
        delimiter: u8,
        c: usize,
        day: i32,
    ) -> Result<()> {
        let text = row.text(self.column)?;
        if text.is_empty() {
            return Ok(());
        }
        // Counting needs no value: order and ticket ids (`T-1042`) count too.
        let value = if self.metric.aggregate == Aggregate::Count {
            1.0
        } else {
            self.rule
                .parse(text, delimiter)
                .map_err(|m| row.error(self.column, m))?
        };
        let denominator = match self.denominator {
            Some(col) => match row.number(col)? {
                // A count to divide by (orders, sessions): a negative one
                // flips the ratio's sign and the direction of every effect.
                Some(d) if d < 0.0 => {
                    return Err(row.error(
                        col,
                        format!(
                            "metric `{}` divides by this column, which cannot be negative; found `{}`",
                            self.metric.name,
                            row.text(col)?
                        ),
                    ));
                }
                Some(d) => Some(d),
                None => {
                    return Err(row.error(
                        col,
                        format!(
                            "metric `{}` has a numerator in this row but no denominator",
                            self.metric.name
                        ),
                    ));
                }
            },
            None => None,
        };
        let seen = self.seen[c];
        let slot = &mut self.sum[c];
        match self.metric.aggregate {
            Aggregate::Sum | Aggregate::Mean => *slot += value,
            Aggregate::Count => *slot += 1.0,
            Aggregate::Max => *slot = if seen == 0 { value } else { slot.max(value) },
            Aggregate::Last => {
                // Later rows win ties so that file order decides within a day.
                if self.day.is_empty() || day >= self.day[c] {
                    *slot = value;
                    if let Some(d) = self.day.get_mut(c) {
                        *d = day;
                    }
                }
            }
        }
        if !slot.is_finite() {
            return Err(row.error(
                self.column,
                format!(
                    "the values of metric `{}` for this customer add up to more than pilot can represent; check the column's unit",
                    self.metric.name
                ),
            ));
        }
        if let Some(d) = denominator {
            self.denominator_sum[c] += d;
        }
        self.seen[c] = seen.saturating_add(1);
        Ok(())
    }

    /// The per-customer values after all rows, with the missing rule applied.
    fn finish(self) -> MetricValues {
        let fill = match self.metric.missing {
            Missing::Zero => Some(0.0),
            Missing::Exclude => None,
        };
        let mut responders = 0;
        let values: Vec<Option<f64>> = self
            .sum
            .iter()
            .zip(&self.seen)
            .map(|(&sum, &seen)| {
                if seen == 0 {
                    return fill;
                }
                responders += 1;
                Some(match self.metric.aggregate {
                    Aggregate::Mean => sum / f64::from(seen),
                    _ => sum,
                })
            })
            .collect();
        let denominators = (!self.denominator_sum.is_empty()).then(|| {
            values
                .iter()
                .zip(&self.denominator_sum)
                .map(|(v, &d)| v.map(|_| d))
                .collect()
        });
        MetricValues {
            values,
            denominators,
            responders,
        }
    }
}

fn metric_column_error(err: Error, metric: &Metric) -> Error {
    let message = format!("{} (metric `{}`)", err.message(), metric.name);
    match err.location() {
        Some(loc) => Error::in_file(&loc.file, message),
        None => Error::input(message),
    }
}

/// Reads the row-level outcome export `path` for the customers of `index`.
///
/// Every metric column must exist. Blank cells mean "no value for this
/// metric in this row". Errors name the file, line and column.
pub fn read_outcomes(
    path: &Path,
    outcomes: &Outcomes,
    experiment: &Experiment,
    index: &IdTable,
) -> Result<OutcomeData> {
    let mut csv = CsvReader::open(path)?;
    let delimiter = csv.delimiter();
    let id_column = csv.column(&outcomes.id_column)?;
    let date_column = outcomes
        .date_column
        .as_deref()
        .map(|name| csv.column(name))
        .transpose()?;
    let window = (
        outcomes
            .from
            .as_deref()
            .and_then(parse_day)
            .unwrap_or(i32::MIN),
        outcomes
            .to
            .as_deref()
            .and_then(parse_day)
            .unwrap_or(i32::MAX),
    );
    let customers = index.len();
    let mut accumulators = experiment
        .metrics
        .iter()
        .map(|m| Accumulator::new(m, &csv, customers, date_column.is_some()))
        .collect::<Result<Vec<_>>>()?;
    let mut counts = OutcomeCounts::default();
    let mut has_row = vec![false; customers];

    while let Some(row) = csv.next_row()? {
        counts.rows += 1;
        let day = match date_column {
            Some(col) => {
                let text = row.text(col)?;
                let day = parse_day(text).ok_or_else(|| {
                    row.error(
                        col,
                        format!("expected a date like 2026-09-30, found `{text}`"),
                    )
                })?;
                if day < window.0 || day > window.1 {
                    counts.rows_outside_window += 1;
                    continue;
                }
                day
            }
            None => 0,
        };
        let id = row.text(id_column)?;
        if id.is_empty() {
            return Err(row.error(id_column, "the customer id is blank"));
        }
        let Some(c) = index.find(id) else {
            counts.rows_unknown_customer += 1;
            if counts.unknown_examples.len() < UNKNOWN_EXAMPLES
                && !counts.unknown_examples.iter().any(|e| e == id)
            {
                counts.unknown_examples.push(id.to_string());
            }
            continue;
        };
        has_row[c] = true;
        for acc in &mut accumulators {
            acc.add(&row, delimiter, c, day)?;
        }
    }
    counts.customers_with_rows = has_row.iter().filter(|&&r| r).count() as u64;
    let metrics: Vec<MetricValues> = accumulators.into_iter().map(Accumulator::finish).collect();
    for (metric, values) in experiment.metrics.iter().zip(&metrics) {
        check_representable(path, metric, values)?;
    }
    Ok(OutcomeData { metrics, counts })
}

/// Refuses values whose sums over customers overflow: each customer's value
/// is finite, but the statistics add them up and square them, and an
/// infinite sum would come out as a wrong answer ("no variation").
fn check_representable(path: &Path, metric: &Metric, values: &MetricValues) -> Result<()> {
    let fits = |column: &str, values: &mut dyn Iterator<Item = f64>| {
        let (mut sum_abs, mut sum_squares) = (0.0f64, 0.0f64);
        for v in values {
            sum_abs += v.abs();
            sum_squares += v * v;
        }
        if (sum_abs * sum_abs).is_finite() && sum_squares.is_finite() {
            return Ok(());
        }
        Err(Error::input(format!(
            "the values of metric `{}` are too large to analyze (their squares add up to more than pilot can represent); check the column's unit",
            metric.name
        ))
        .with_location(crate::error::Location {
            file: path.to_path_buf(),
            line: None,
            column: None,
            field: Some(column.to_string()),
            snippet: None,
        }))
    };
    fits(&metric.column, &mut values.values.iter().flatten().copied())?;
    if let (Some(denominators), Some(column)) = (&values.denominators, &metric.denominator) {
        fits(column, &mut denominators.iter().flatten().copied())?;
    }
    Ok(())
}
