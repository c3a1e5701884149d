//! Folding outcome rows into one running state per customer and metric.
//!
//! The state has a fixed size per customer, whatever the number of rows.
//! Rows come in batches (see [`Fold::batch`]) and each batch is handled in
//! four sweeps, so that the random memory accesses of a row (its
//! customer's slot in the id index, then the customer's record and
//! assignment day) overlap with the work on the other rows of the batch
//! instead of each row waiting for its own: the first sweep reads dates
//! and ids and requests each id's slot; the second looks the ids up and
//! requests each customer's record and assignment day; the third leaves
//! out rows dated before the customer's assignment and parses the metric
//! cells; the fourth adds the values to the records, which are in the
//! cache by then. Rows are added, and problems reported, in file order: a
//! sweep that meets a bad row hands on only the rows before it.
//!
//! Folds of consecutive parts of one file [`merge`](Fold::merge) into the
//! fold of the whole.

use crate::config::{Aggregate, Metric, MetricKind, Missing, Outcomes};
use crate::dates::parse_day;
use crate::error::{Error, Result, shown};
use crate::ids::{IdHash, IdTable};
use crate::ingest::values::ValueRule;
use crate::io::csv_input::{CsvReader, Row};
use crate::memory::{prefetch, table};

/// How many example ids of unknown customers a report keeps.
const UNKNOWN_EXAMPLES: usize = 5;

/// Rows handled per batch: enough rows that a row's memory arrives while
/// the rest of the batch is worked on, few enough that the batch's index
/// slots and records stay in the cache between the sweeps.
pub const BATCH: usize = 256;

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
    /// Rows dated before their customer's assignment day (left out: the
    /// initiative cannot have caused them).
    pub rows_before_assignment: u64,
    /// Ledger customers with at least one such row.
    pub customers_with_rows_before_assignment: u64,
    /// First and last day of the dated rows read (any row with a date,
    /// inside the window or not), for messages that compare date ranges.
    pub row_days: Option<(i32, i32)>,
    /// Ledger customers with at least one row in the window.
    pub customers_with_rows: u64,
    /// Which ledger customers have a row in the window: bit `i % 64` of
    /// word `i / 64` for ledger position `i` (per-arm counts are made from
    /// it, so an arm without any outcome can be told from a weak effect).
    pub with_rows: Vec<u64>,
}

impl OutcomeCounts {
    fn unknown(&mut self, id: &str) {
        self.rows_unknown_customer += 1;
        self.keep_example(id);
    }

    /// Keeps `id` among the first few distinct unknown ids.
    fn keep_example(&mut self, id: &str) {
        if self.unknown_examples.len() < UNKNOWN_EXAMPLES
            && !self.unknown_examples.iter().any(|e| e == id)
        {
            self.unknown_examples.push(id.to_string());
        }
    }
}

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
#[derive(Clone)]
struct Records {
    cells: Vec<Cell>,
    /// Customers with a record.
    customers: usize,
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
            customers,
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
#[derive(Clone)]
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

    /// Reads this metric's cells of `row` into `values` (indexed like a
    /// record's cells); a blank cell is NaN (values are finite otherwise).
    #[inline]
    fn parse(&self, row: &Row<'_>, delimiter: u8, values: &mut [f64]) -> Result<()> {
        let text = row.text(self.column)?;
        if text.is_empty() {
            values[self.cell] = f64::NAN;
            return Ok(());
        }
        // Counting needs no value: order and ticket ids (`T-1042`) count too.
        values[self.cell] = if self.metric.aggregate == Aggregate::Count {
            1.0
        } else {
            self.rule
                .parse(text, delimiter)
                .map_err(|m| row.error(self.column, m))?
        };
        if let Some((col, at)) = self.denominator {
            values[at] = match row.number(col)? {
                // A count to divide by (orders, sessions): a negative one
                // flips the ratio's sign and the direction of every effect.
                Some(d) if d < 0.0 => {
                    return Err(row.error(
                        col,
                        format!(
                            "metric `{}` divides by this column, which cannot be negative; found `{}`",
                            self.metric.name,
                            shown(row.text(col)?)
                        ),
                    ));
                }
                Some(d) => d,
                None => {
                    return Err(row.error(
                        col,
                        format!(
                            "metric `{}` has a numerator in this row but no denominator",
                            self.metric.name
                        ),
                    ));
                }
            };
        }
        Ok(())
    }

    /// Adds a row's parsed `values` to a customer's `record`; `Err(())`
    /// if the customer's total is no longer finite.
    #[inline]
    fn add(&self, record: &mut [Cell], values: &[f64], day: i32) -> Result<(), ()> {
        let value = values[self.cell];
        if value.is_nan() {
            return Ok(());
        }
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
            return Err(());
        }
        cell.count = seen.saturating_add(1);
        if let Some((_, at)) = self.denominator {
            record[at].value += values[at];
        }
        Ok(())
    }

    /// Adds the state of a later part of the file (`later`) to `record`,
    /// as if its rows had followed; `Err(())` as for [`add`](Self::add).
    fn merge(&self, record: &mut [Cell], later: &[Cell]) -> Result<(), ()> {
        let theirs = later[self.cell];
        if theirs.count == 0 {
            return Ok(());
        }
        let cell = &mut record[self.cell];
        match self.metric.aggregate {
            Aggregate::Sum | Aggregate::Mean | Aggregate::Count => cell.value += theirs.value,
            Aggregate::Max => {
                cell.value = if cell.count == 0 {
                    theirs.value
                } else {
                    cell.value.max(theirs.value)
                }
            }
            Aggregate::Last => {
                if !self.dated_last || theirs.day >= cell.day {
                    cell.value = theirs.value;
                    cell.day = theirs.day;
                }
            }
        }
        if !cell.value.is_finite() {
            return Err(());
        }
        cell.count = cell.count.saturating_add(theirs.count);
        if let Some((_, at)) = self.denominator {
            record[at].value += later[at].value;
        }
        Ok(())
    }

    /// The error for a customer whose values add up to infinity.
    fn overflow(&self) -> String {
        format!(
            "the values of metric `{}` for this customer add up to more than pilot can represent; check the column's unit",
            self.metric.name
        )
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

/// A row of a batch that is not added: outside the date window, or of a
/// customer not in the index.
const SKIPPED: u32 = u32::MAX;

/// The state of a pass over (a part of) an export.
#[derive(Clone)]
pub struct Fold<'a> {
    accumulators: Vec<Accumulator<'a>>,
    records: Records,
    counts: OutcomeCounts,
    /// One bit per customer: any row in the window.
    has_row: Vec<u64>,
    /// Each customer's assignment day (ledger order), when the ledger has
    /// them and the export has a date column: earlier rows are left out.
    assigned_days: Option<&'a [i32]>,
    /// One bit per customer: a row dated before the assignment.
    before_assignment: Vec<u64>,
    /// First and last day of the dated rows so far (`i32::MAX` and
    /// `i32::MIN` before any): two comparisons per row, no branch.
    first_day: i32,
    last_day: i32,
    id_column: usize,
    date_column: Option<usize>,
    window: (i32, i32),
    delimiter: u8,
    /// Cells per record (and parsed values per row).
    width: usize,
    /// Customers in the index.
    customer_total: usize,
    /// Per row of the batch: the id's hash.
    hashes: Vec<IdHash>,
    /// Per row of the batch: the customer, or [`SKIPPED`].
    customers: Vec<u32>,
    /// Per row of the batch: its day (0 without a date column).
    days: Vec<i32>,
    /// Per row of the batch: `width` parsed values.
    values: Vec<f64>,
}

impl<'a> Fold<'a> {
    /// An empty fold of the metrics of `metrics` for `customers`
    /// customers, reading the columns of `csv`'s header. With
    /// `assigned_days` (each customer's assignment day, in index order) and
    /// a date column, rows dated before their customer's assignment day are
    /// left out and counted; rows of the assignment day itself count (a day
    /// does not tell which came first).
    pub fn new<R: std::io::Read>(
        metrics: &'a [Metric],
        outcomes: &Outcomes,
        csv: &CsvReader<R>,
        customers: usize,
        assigned_days: Option<&'a [i32]>,
    ) -> Result<Self> {
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
        let mut width = 0;
        let accumulators = metrics
            .iter()
            .map(|m| Accumulator::new(m, csv, &mut width, date_column.is_some()))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            accumulators,
            records: Records::new(0, width),
            counts: OutcomeCounts::default(),
            has_row: vec![0u64; customers.div_ceil(64)],
            assigned_days: assigned_days
                .filter(|days| date_column.is_some() && days.len() == customers),
            before_assignment: vec![0u64; customers.div_ceil(64)],
            first_day: i32::MAX,
            last_day: i32::MIN,
            id_column,
            date_column,
            window,
            delimiter: csv.delimiter(),
            width,
            customer_total: customers,
            hashes: Vec::with_capacity(BATCH),
            customers: Vec::with_capacity(BATCH),
            days: Vec::with_capacity(BATCH),
            values: Vec::with_capacity(BATCH * width),
        })
    }

    /// Allocates the customers' records (once), on the thread that will
    /// fill them, so that two parts' allocations overlap.
    pub fn allocate(&mut self) {
        if self.records.customers < self.customer_total {
            self.records = Records::new(self.customer_total, self.width);
        }
    }

    /// Adds the rows of `csv`'s last batch (`csv.batch_row(0..rows)`),
    /// whose customers are looked up in `index`; the first problem in file
    /// order is returned after the rows before it are added.
    pub fn batch<R: std::io::Read>(
        &mut self,
        csv: &CsvReader<R>,
        rows: usize,
        index: &IdTable,
    ) -> Result<()> {
        self.counts.rows += rows as u64;
        self.hashes.clear();
        self.customers.clear();
        self.days.clear();
        self.values.clear();
        self.values.resize(rows * self.width, f64::NAN);
        let mut failure = None;

        // Sweep 1: dates, the window, ids; request each id's index slot.
        // Rows and ids borrow the reader's buffer: kept per batch.
        let batch: Vec<Row<'_>> = (0..rows).map(|r| csv.batch_row(r)).collect();
        let mut ids: Vec<&str> = Vec::with_capacity(rows);
        let mut limit = rows;
        for (r, row) in batch.iter().enumerate() {
            match self.locate(row) {
                Ok(Some((day, id))) => {
                    let hash = IdTable::hash(id);
                    index.prefetch(hash);
                    ids.push(id);
                    self.days.push(day);
                    self.hashes.push(hash);
                    self.customers.push(0);
                }
                Ok(None) => {
                    ids.push("");
                    self.days.push(0);
                    self.hashes.push(IdHash::default());
                    self.customers.push(SKIPPED);
                }
                Err(err) => {
                    failure = Some(err);
                    limit = r;
                    break;
                }
            }
        }

        // Sweep 2: look customers up, request their records (and their
        // assignment days, when rows before them are left out).
        for (r, &id) in ids.iter().enumerate().take(limit) {
            if self.customers[r] == SKIPPED {
                continue;
            }
            let Some(c) = index.find_hashed(id, self.hashes[r]) else {
                self.counts.unknown(id);
                self.customers[r] = SKIPPED;
                continue;
            };
            self.records.prefetch(c);
            if let Some(assigned) = self.assigned_days {
                prefetch(&assigned[c]);
            }
            self.customers[r] = c as u32;
        }

        // Sweep 3: leave out rows dated before their customer's assignment
        // (the days are in the cache by now), parse the cells of the rest.
        for (r, row) in batch.iter().enumerate().take(limit) {
            let c = self.customers[r];
            if c == SKIPPED {
                continue;
            }
            let c = c as usize;
            if let Some(assigned) = self.assigned_days
                && self.days[r] < assigned[c]
            {
                self.counts.rows_before_assignment += 1;
                self.before_assignment[c / 64] |= 1 << (c % 64);
                self.customers[r] = SKIPPED;
                continue;
            }
            let values = &mut self.values[r * self.width..(r + 1) * self.width];
            let parsed = self
                .accumulators
                .iter()
                .try_for_each(|acc| acc.parse(row, self.delimiter, values));
            if let Err(err) = parsed {
                failure = Some(err);
                limit = r;
                break;
            }
        }

        // Sweep 4: add the values to the records.
        for (r, row) in batch.iter().enumerate().take(limit) {
            let c = self.customers[r];
            if c == SKIPPED {
                continue;
            }
            let c = c as usize;
            self.has_row[c / 64] |= 1 << (c % 64);
            let record = self.records.get_mut(c);
            let values = &self.values[r * self.width..(r + 1) * self.width];
            for acc in &self.accumulators {
                if acc.add(record, values, self.days[r]).is_err() {
                    return Err(row.error(acc.column, acc.overflow()));
                }
            }
        }
        match failure {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// A row's day and id, or `None` for a row outside the window.
    #[inline]
    fn locate<'r>(&mut self, row: &Row<'r>) -> Result<Option<(i32, &'r str)>> {
        let day = match self.date_column {
            Some(col) => {
                let text = row.text(col)?;
                let day = parse_day(text).ok_or_else(|| {
                    row.error(
                        col,
                        format!("expected a date like 2026-09-30, found `{}`", shown(text)),
                    )
                })?;
                self.first_day = self.first_day.min(day);
                self.last_day = self.last_day.max(day);
                if day < self.window.0 || day > self.window.1 {
                    self.counts.rows_outside_window += 1;
                    return Ok(None);
                }
                day
            }
            None => 0,
        };
        let id = row.text(self.id_column)?;
        if id.is_empty() {
            return Err(row.error(self.id_column, "the customer id is blank"));
        }
        Ok(Some((day, id)))
    }

    /// Adds the fold of the part of the file that follows this fold's
    /// part; `path` and `index` name a customer whose total overflows.
    pub fn merge(
        &mut self,
        later: Fold<'_>,
        index: &IdTable,
        path: &std::path::Path,
    ) -> Result<()> {
        for (word, theirs) in self.has_row.iter_mut().zip(&later.has_row) {
            *word |= theirs;
        }
        for (word, theirs) in self
            .before_assignment
            .iter_mut()
            .zip(&later.before_assignment)
        {
            *word |= theirs;
        }
        for c in 0..index.len() {
            if later.has_row[c / 64] & (1 << (c % 64)) == 0 {
                continue;
            }
            let theirs = later.records.get(c);
            let record = self.records.get_mut(c);
            for acc in &self.accumulators {
                if acc.merge(record, theirs).is_err() {
                    return Err(Error::in_file(
                        path,
                        format!("customer `{}`: {}", index.get(c), acc.overflow()),
                    ));
                }
            }
        }
        let counts = &mut self.counts;
        counts.rows += later.counts.rows;
        counts.rows_outside_window += later.counts.rows_outside_window;
        counts.rows_unknown_customer += later.counts.rows_unknown_customer;
        counts.rows_before_assignment += later.counts.rows_before_assignment;
        self.first_day = self.first_day.min(later.first_day);
        self.last_day = self.last_day.max(later.last_day);
        for id in &later.counts.unknown_examples {
            counts.keep_example(id);
        }
        Ok(())
    }

    /// The per-metric values (in the experiment's order) and the counts.
    pub fn finish(self) -> (Vec<MetricValues>, OutcomeCounts) {
        let customers = self.customer_total;
        let mut counts = self.counts;
        counts.customers_with_rows = self.has_row.iter().map(|w| u64::from(w.count_ones())).sum();
        counts.row_days =
            (self.first_day <= self.last_day).then_some((self.first_day, self.last_day));
        counts.customers_with_rows_before_assignment = self
            .before_assignment
            .iter()
            .map(|w| u64::from(w.count_ones()))
            .sum();
        counts.with_rows = self.has_row;
        let records = &self.records;
        let metrics =
            crate::parallel::map_in_two(&self.accumulators, |acc| acc.finish(records, customers));
        (metrics, counts)
    }
}
