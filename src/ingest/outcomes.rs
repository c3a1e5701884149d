//! Streaming the outcome export into one value per customer and metric.
//!
//! Outcome files have one or more rows per customer (orders, tickets,
//! survey answers). Rows are streamed through the shared CSV reader into a
//! small ring of reused records, looked up in the customer index without
//! allocating, and folded into per-customer accumulators whose size is
//! fixed by the number of customers, not rows. The ring lets the memory
//! accesses of a few dozen rows overlap (see `read_outcomes`); rows are
//! still folded, and errors reported, in file order. Nothing is dropped
//! silently: rows of unknown customers and rows outside the date window
//! are counted and reported.

use std::fs::File;
use std::path::Path;

use crate::config::{Aggregate, Experiment, Metric, MetricKind, Missing, Outcomes};
use crate::dates::parse_day;
use crate::error::{Error, Result};
use crate::ids::{IdHash, IdTable};
use crate::ingest::values::ValueRule;
use crate::io::csv_input::{CsvReader, ReadAhead, Row};
use crate::io::fingerprint::Fingerprinting;
use crate::memory::{prefetch, table};

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
    /// The export's content fingerprint (as
    /// [`file_fingerprint`](crate::io::fingerprint::file_fingerprint)),
    /// taken while reading it.
    pub fingerprint: String,
}

/// Rows between hashing an id (and requesting its slot in the index) and
/// looking it up: enough to cover a miss to memory with the parsing of
/// the rows in between.
const LOOKUP_DISTANCE: usize = 16;
/// Rows between looking an id up (and requesting the customer's record)
/// and folding the row in.
const FOLD_DISTANCE: usize = 16;
/// Places for rows read ahead: more than both distances together.
const AHEAD: usize = 64;

/// One metric's running state for one customer. 16 bytes: the record of a
/// customer with four metrics is one cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Cell {
    /// Running sum, maximum or last value (ratio metrics: the
    /// denominator's sum, in a second cell).
    value: f64,
    /// Values seen (for `mean`, `count` and presence).
    count: u32,
    /// For `last` with a date column: the day of the value kept.
    day: i32,
}

const FRESH: Cell = Cell {
    value: 0.0,
    count: 0,
    day: i32::MIN,
};

/// Every customer's cells, one record per customer, each record in as few
/// cache lines as its size allows (the state of one customer is updated
/// together, so one row costs one miss, not one per metric and field).
struct Records {
    cells: Vec<Cell>,
    /// First cell of customer 0: the first cache-line boundary.
    base: usize,
    /// Cells per customer: a power of two up to a cache line, whole cache
    /// lines beyond.
    stride: usize,
}

/// Cells per cache line.
const LINE: usize = 64 / std::mem::size_of::<Cell>();

impl Records {
    fn new(customers: usize, width: usize) -> Self {
        let stride = if width <= LINE {
            width.next_power_of_two()
        } else {
            width.next_multiple_of(LINE)
        };
        let cells = table(customers * stride + LINE - 1, FRESH);
        let base = cells.as_ptr().align_offset(64).min(LINE - 1);
        Self {
            cells,
            base,
            stride,
        }
    }

    fn get(&self, c: usize) -> &[Cell] {
        let start = self.base + c * self.stride;
        &self.cells[start..start + self.stride]
    }

    fn get_mut(&mut self, c: usize) -> &mut [Cell] {
        let start = self.base + c * self.stride;
        &mut self.cells[start..start + self.stride]
    }

    /// Starts loading customer `c`'s record into the cache.
    fn prefetch(&self, c: usize) {
        let start = self.base + c * self.stride;
        for line in (start..start + self.stride).step_by(LINE) {
            prefetch(&self.cells[line]);
        }
    }
}

/// How one metric reads its cells and where it keeps its state.
struct Accumulator<'a> {
    metric: &'a Metric,
    column: usize,
    /// Ratio metrics: the denominator's column and cell.
    denominator: Option<(usize, usize)>,
    rule: ValueRule,
    /// The metric's cell in each customer's record.
    cell: usize,
    /// `last` with a date column: keep the value of the latest day.
    dated_last: bool,
}

impl<'a> Accumulator<'a> {
    /// The accumulator of `metric`, with its state in the cells from
    /// `*cells` on (advanced past them).
    fn new<R: std::io::Read>(
        metric: &'a Metric,
        csv: &CsvReader<R>,
        cells: &mut usize,
        dated: bool,
    ) -> Result<Self> {
        let column = csv
            .column(&metric.column)
            .map_err(|e| metric_column_error(e, metric))?;
        let cell = *cells;
        *cells += 1;
        let denominator = match (&metric.kind, &metric.denominator) {
            (MetricKind::Ratio, Some(name)) => {
                let col = csv
                    .column(name)
                    .map_err(|e| metric_column_error(e, metric))?;
                *cells += 1;
                Some((col, cell + 1))
            }
            _ => None,
        };
        Ok(Self {
            metric,
            column,
            denominator,
            rule: ValueRule::for_metric(metric),
            cell,
            dated_last: dated && metric.aggregate == Aggregate::Last,
        })
    }

    /// Folds one row's cell into a customer's `record`.
    #[inline]
    fn add(&self, record: &mut [Cell], row: &Row<'_>, delimiter: u8, day: i32) -> Result<()> {
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
            Some((col, _)) => match row.number(col)? {
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
        let cell = &mut record[self.cell];
        let seen = cell.count;
        match self.metric.aggregate {
            Aggregate::Sum | Aggregate::Mean => cell.value += value,
            Aggregate::Count => cell.value += 1.0,
            Aggregate::Max => {
                cell.value = if seen == 0 {
                    value
                } else {
                    cell.value.max(value)
                }
            }
            Aggregate::Last => {
                // Later rows win ties so that file order decides within a day.
                if !self.dated_last || day >= cell.day {
                    cell.value = value;
                    if self.dated_last {
                        cell.day = day;
                    }
                }
            }
        }
        if !cell.value.is_finite() {
            return Err(row.error(
                self.column,
                format!(
                    "the values of metric `{}` for this customer add up to more than pilot can represent; check the column's unit",
                    self.metric.name
                ),
            ));
        }
        cell.count = seen.saturating_add(1);
        if let (Some(d), Some((_, at))) = (denominator, self.denominator) {
            record[at].value += d;
        }
        Ok(())
    }

    /// The per-customer values after all rows, with the missing rule applied.
    fn finish(&self, records: &Records, customers: usize) -> MetricValues {
        let fill = match self.metric.missing {
            Missing::Zero => Some(0.0),
            Missing::Exclude => None,
        };
        let mut responders = 0;
        let values: Vec<Option<f64>> = (0..customers)
            .map(|c| {
                let cell = records.get(c)[self.cell];
                if cell.count == 0 {
                    return fill;
                }
                responders += 1;
                Some(match self.metric.aggregate {
                    Aggregate::Mean => cell.value / f64::from(cell.count),
                    _ => cell.value,
                })
            })
            .collect();
        let denominators = self.denominator.map(|(_, at)| {
            values
                .iter()
                .enumerate()
                .map(|(c, v)| v.map(|_| records.get(c)[at].value))
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

/// The state of a pass over the export: what each row is folded into.
struct Fold<'a> {
    accumulators: Vec<Accumulator<'a>>,
    records: Records,
    counts: OutcomeCounts,
    /// One bit per customer: any row in the window.
    has_row: Vec<u64>,
    id_column: usize,
    date_column: Option<usize>,
    window: (i32, i32),
    delimiter: u8,
}

impl Fold<'_> {
    /// Folds one row in; `customer` is the index of its id, if known.
    #[inline]
    fn row(&mut self, row: &Row<'_>, customer: Option<usize>) -> Result<()> {
        self.counts.rows += 1;
        let day = match self.date_column {
            Some(col) => {
                let text = row.text(col)?;
                let day = parse_day(text).ok_or_else(|| {
                    row.error(
                        col,
                        format!("expected a date like 2026-09-30, found `{text}`"),
                    )
                })?;
                if day < self.window.0 || day > self.window.1 {
                    self.counts.rows_outside_window += 1;
                    return Ok(());
                }
                day
            }
            None => 0,
        };
        let id = row.text(self.id_column)?;
        if id.is_empty() {
            return Err(row.error(self.id_column, "the customer id is blank"));
        }
        let Some(c) = customer else {
            let counts = &mut self.counts;
            counts.rows_unknown_customer += 1;
            if counts.unknown_examples.len() < UNKNOWN_EXAMPLES
                && !counts.unknown_examples.iter().any(|e| e == id)
            {
                counts.unknown_examples.push(id.to_string());
            }
            return Ok(());
        };
        self.has_row[c / 64] |= 1 << (c % 64);
        let record = self.records.get_mut(c);
        for acc in &self.accumulators {
            acc.add(record, row, self.delimiter, day)?;
        }
        Ok(())
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
    let file = File::open(path).map_err(|e| Error::io(path, "read", &e))?;
    let mut csv = CsvReader::from_reader(path, Fingerprinting::new(file))?;
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
    let mut cells = 0;
    let accumulators = experiment
        .metrics
        .iter()
        .map(|m| Accumulator::new(m, &csv, &mut cells, date_column.is_some()))
        .collect::<Result<Vec<_>>>()?;
    let mut fold = Fold {
        accumulators,
        records: Records::new(customers, cells),
        counts: OutcomeCounts::default(),
        has_row: vec![0u64; customers.div_ceil(64)],
        id_column,
        date_column,
        window,
        delimiter,
    };

    // A software pipeline over a ring of rows read ahead: when row n is
    // read, its id is hashed and its slot in the index requested; row
    // n - LOOKUP_DISTANCE is looked up and its customer's record requested;
    // row n - LOOKUP_DISTANCE - FOLD_DISTANCE is folded in, its memory by
    // then in the cache. The misses overlap each other and the parsing,
    // instead of each row waiting for its own. Rows are folded in file
    // order, and a row that cannot be read is reported only after the rows
    // before it are folded, so results and errors are those of reading one
    // row at a time.
    let mut ahead = ReadAhead::new(AHEAD);
    let mut hashes: [Option<IdHash>; AHEAD] = [None; AHEAD];
    let mut found: [Option<usize>; AHEAD] = [None; AHEAD];
    let (mut read, mut looked, mut folded) = (0usize, 0usize, 0usize);
    let mut failure = None;
    let mut at_end = false;
    loop {
        if !at_end {
            let at = read % AHEAD;
            match csv.read_ahead(&mut ahead, at) {
                Ok(true) => {
                    hashes[at] = match csv.row_ahead(&ahead, at).text(id_column) {
                        Ok(id) if !id.is_empty() => {
                            let hash = IdTable::hash(id);
                            index.prefetch(hash);
                            Some(hash)
                        }
                        _ => None,
                    };
                    read += 1;
                }
                Ok(false) => at_end = true,
                Err(err) => {
                    failure = Some(err);
                    at_end = true;
                }
            }
        }
        while looked < read && (at_end || read - looked > LOOKUP_DISTANCE) {
            let at = looked % AHEAD;
            found[at] = hashes[at].and_then(|hash| {
                let id = csv.row_ahead(&ahead, at).text(id_column).ok()?;
                index.find_hashed(id, hash)
            });
            if let Some(c) = found[at] {
                fold.records.prefetch(c);
            }
            looked += 1;
        }
        while folded < looked && (at_end || looked - folded > FOLD_DISTANCE) {
            let at = folded % AHEAD;
            fold.row(&csv.row_ahead(&ahead, at), found[at])?;
            folded += 1;
        }
        if at_end && folded == read {
            break;
        }
    }
    if let Some(err) = failure {
        return Err(err);
    }
    let Fold {
        accumulators,
        records,
        mut counts,
        has_row,
        ..
    } = fold;
    counts.customers_with_rows = has_row.iter().map(|w| u64::from(w.count_ones())).sum();
    let metrics: Vec<MetricValues> = accumulators
        .iter()
        .map(|acc| acc.finish(&records, customers))
        .collect();
    for (metric, values) in experiment.metrics.iter().zip(&metrics) {
        check_representable(path, metric, values)?;
    }
    Ok(OutcomeData {
        metrics,
        fingerprint: csv.source().fingerprint(),
        counts,
    })
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
