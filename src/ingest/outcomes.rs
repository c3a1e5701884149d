//! Streaming the outcome export into one value per customer and metric.
//!
//! Outcome files have one or more rows per customer (orders, tickets,
//! survey answers). Rows are split in a reused buffer, looked up in the
//! customer index without allocating, and folded into per-customer state
//! whose size is fixed by the number of customers, not rows (see
//! `ingest/fold.rs`). Nothing is dropped silently: rows of
//! unknown customers and rows outside the date window are counted and
//! reported.
//!
//! A large export is read in two parts at once, one per thread: the file
//! is split at the first line break after its middle, each part is folded
//! into its own state, and the second part's state is merged into the
//! first's. The split depends on the file alone, never on the machine, so
//! every machine adds the same numbers in the same order and prints the
//! same results. A split that lands inside a quoted field holding a line
//! break is noticed (the first part then ends elsewhere than the second
//! began); the second part is then discarded and the first part read on
//! to the end, so the result is always that of reading the file in order.
//! Errors name the same line, and the same first bad row, either way.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::config::{Experiment, Metric, Outcomes};
use crate::error::{Error, Result};
use crate::ids::IdTable;
use crate::ingest::fold::{BATCH, Fold};
pub use crate::ingest::fold::{MetricValues, OutcomeCounts};
use crate::io::csv_input::CsvReader;
use crate::io::progress::Counting;

/// Exports below this size are read in one part: splitting them saves
/// less than starting a thread and a second customer state costs.
const SPLIT_ABOVE: u64 = 16 << 20;

/// The export, read: per metric (in the experiment's order) the values.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeData {
    /// One entry per metric of the experiment, same order.
    pub metrics: Vec<MetricValues>,
    /// Row and customer counts for the report.
    pub counts: OutcomeCounts,
    /// The export's content fingerprint: XXH3-128 of the file, or, for an
    /// export read in two parts, XXH3-128 of the two parts' XXH3-128s.
    /// Taken while reading.
    pub fingerprint: String,
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
    assigned_days: Option<&[i32]>,
) -> Result<OutcomeData> {
    read_in_parts(
        path,
        outcomes,
        experiment,
        index,
        assigned_days,
        SPLIT_ABOVE,
    )
}

/// [`read_outcomes`], splitting exports of more than `split_above` bytes.
fn read_in_parts(
    path: &Path,
    outcomes: &Outcomes,
    experiment: &Experiment,
    index: &IdTable,
    assigned_days: Option<&[i32]>,
    split_above: u64,
) -> Result<OutcomeData> {
    let mut first = CsvReader::open(path)?;
    let mut fold = Fold::new(
        &experiment.metrics,
        outcomes,
        &first,
        index.len(),
        assigned_days,
    )?;
    let start = first.position();
    let length = first
        .source()
        .0
        .metadata()
        .map_err(|e| Error::io(path, "read", &e))?
        .len();
    let split = if length.saturating_sub(start) > split_above {
        split_point(path, start + (length - start) / 2)?
    } else {
        None
    };
    let Some(split) = split else {
        read_part(&mut first, &mut fold, index)?;
        return finish(path, experiment, fold, format_digest(first.digest()));
    };

    first.end_at(split);
    let mut file = File::open(path).map_err(|e| Error::io(path, "read", &e))?;
    file.seek(SeekFrom::Start(split))
        .map_err(|e| Error::io(path, "read", &e))?;
    let mut second_csv = CsvReader::part(&first, Counting(file), split, 1, u64::MAX);
    // Nothing is read and no records are allocated yet: a copy is an
    // empty fold for the second part.
    let mut second = fold.clone();
    let (first_read, second_read) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| -> Result<u128> {
            read_part(&mut second_csv, &mut second, index)?;
            Ok(second_csv.digest())
        });
        let first_read = read_part(&mut first, &mut fold, index);
        // A panic in the worker is a bug, not an input problem: pass it on.
        let second_read = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first_read, second_read)
    });
    first_read?;
    if first.position() != split {
        // The split fell inside a quoted field: read on in one part.
        first.end_at(u64::MAX);
        read_part(&mut first, &mut fold, index)?;
        return finish(path, experiment, fold, format_digest(first.digest()));
    }
    // The second part counted lines from 1 at the split.
    let second_digest = second_read.map_err(|e| e.below_line(first.line() - 1))?;
    fold.merge(second, index, path)?;
    let mut digests = [0u8; 32];
    digests[..16].copy_from_slice(&first.digest().to_le_bytes());
    digests[16..].copy_from_slice(&second_digest.to_le_bytes());
    finish(
        path,
        experiment,
        fold,
        format_digest(xxhash_rust::xxh3::xxh3_128(&digests)),
    )
}

/// Folds the rest of `csv`'s rows into `fold`.
fn read_part<R: Read>(csv: &mut CsvReader<R>, fold: &mut Fold<'_>, index: &IdTable) -> Result<()> {
    fold.allocate();
    loop {
        let rows = csv.read_batch(BATCH)?;
        fold.batch(csv, rows, index)?;
        if let Some(err) = csv.batch_error() {
            return Err(err);
        }
        if rows == 0 {
            return Ok(());
        }
    }
}

/// The offset just after the first line break at or after `offset`, if
/// there is one before the end of the file.
fn split_point(path: &Path, offset: u64) -> Result<Option<u64>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, "read", &e))?;
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| Error::io(path, "read", &e))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut at = offset;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io(path, "read", &e))?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(Some(at + i as u64 + 1));
        }
        at += n as u64;
    }
}

fn format_digest(digest: u128) -> String {
    format!("xxh3:{digest:032x}")
}

/// The values per metric, checked, with the counts and fingerprint.
fn finish(
    path: &Path,
    experiment: &Experiment,
    fold: Fold<'_>,
    fingerprint: String,
) -> Result<OutcomeData> {
    let (metrics, counts) = fold.finish();
    let checked: Vec<(&Metric, &MetricValues)> = experiment.metrics.iter().zip(&metrics).collect();
    crate::parallel::map_in_two(&checked, |(metric, values)| {
        check_representable(path, metric, values)
    })
    .into_iter()
    .collect::<Result<()>>()?;
    Ok(OutcomeData {
        metrics,
        counts,
        fingerprint,
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

#[cfg(test)]
mod tests {
    use super::*;

    const EXPERIMENT: &str = r#"
[experiment]
name = "t"
[[arms]]
name = "control"
[[arms]]
name = "pilot"
[population]
file = "customers.csv"
[assignment]
file = "ledger.csv"
[outcomes]
file = "outcomes.csv"
date_column = "date"
from = "2026-09-01"
to = "2026-09-30"
[[metrics]]
name = "bought"
kind = "binary"
role = "primary"
direction = "increase"
[[metrics]]
name = "revenue"
kind = "mean"
direction = "increase"
[[metrics]]
name = "top"
column = "revenue"
kind = "mean"
aggregate = "max"
direction = "increase"
[[metrics]]
name = "latest"
column = "revenue"
kind = "mean"
aggregate = "last"
direction = "increase"
[[metrics]]
name = "per_item"
column = "revenue"
denominator = "items"
kind = "ratio"
direction = "increase"
"#;

    /// Reads `text` as the export, in one part and split in two (every
    /// export is "large" for the second reading).
    fn both_ways(text: &str) -> (Result<OutcomeData>, Result<OutcomeData>) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let experiment =
            crate::config::parse(&dir.path().join("exp.toml"), EXPERIMENT).expect("valid");
        let outcomes = experiment.outcomes.clone().expect("outcomes");
        let path = outcomes.file.clone().expect("file");
        std::fs::write(&path, text).expect("written");
        let mut index = IdTable::with_capacity(60);
        for c in 0..60 {
            index.insert(&format!("C{c}")).expect("distinct");
        }
        let whole = read_in_parts(&path, &outcomes, &experiment, &index, None, u64::MAX);
        let split = read_in_parts(&path, &outcomes, &experiment, &index, None, 0);
        (whole, split)
    }

    /// A messy export of `rows` rows: quoted ids, notes with delimiters
    /// and line breaks, blank lines, CRLF, blank cells, unknown customers,
    /// rows outside the window. Values are multiples of 1/4, so that sums
    /// are exact in any order and both readings agree bit for bit.
    fn export(rows: usize, seed: u64) -> String {
        let mut x = seed | 1;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut text = String::from("customer_id,date,bought,revenue,items,note\n");
        for _ in 0..rows {
            let id = format!("C{}", next(66));
            let id = if next(5) == 0 {
                format!("\"{id}\"")
            } else {
                id
            };
            let day = if next(20) == 0 { 10 } else { 1 + next(30) };
            let month = if day == 10 { 10 } else { 9 };
            let revenue = match next(6) {
                0 => String::new(),
                _ => format!("{}", next(400) as f64 / 4.0),
            };
            let note = match next(8) {
                0 => "\"a, \"\"quoted\"\"\nnote\"".to_string(),
                1 => "plain".to_string(),
                _ => String::new(),
            };
            let end = if next(4) == 0 { "\r\n" } else { "\n" };
            text.push_str(&format!(
                "{id},2026-{month:02}-{day:02},{},{revenue},{},{note}{end}",
                next(2),
                1 + next(3)
            ));
            if next(30) == 0 {
                text.push('\n');
            }
        }
        text
    }

    #[test]
    fn two_parts_give_the_numbers_of_one() {
        for seed in 1..6 {
            let text = export(3000, seed);
            let (whole, split) = both_ways(&text);
            let (whole, split) = (whole.expect("reads"), split.expect("reads"));
            assert_eq!(whole.metrics, split.metrics, "seed {seed}");
            assert_eq!(whole.counts, split.counts, "seed {seed}");
            assert!(whole.counts.rows_unknown_customer > 0);
            assert!(whole.counts.rows_outside_window > 0);
            assert_eq!(whole.counts.unknown_examples.len(), 5);
            assert_eq!(
                whole.fingerprint,
                crate::io::fingerprint::bytes_fingerprint(text.as_bytes())
            );
            assert_ne!(whole.fingerprint, split.fingerprint, "read in two parts");
        }
    }

    #[test]
    fn a_split_inside_a_quoted_field_reads_on_in_one_part() {
        let head = export(500, 7);
        let note = "line\n".repeat(2000);
        let text = format!(
            "{head}C1,2026-09-03,1,2.5,1,\"{note}\"\n{}",
            &export(500, 8)[43..]
        );
        let middle = text.len() / 2;
        assert!(
            text[..middle].rfind('"') > text[..middle].rfind("\nC"),
            "split in the note"
        );
        let (whole, split) = both_ways(&text);
        let (whole, split) = (whole.expect("reads"), split.expect("reads"));
        assert_eq!(
            whole, split,
            "same numbers and the whole file's fingerprint"
        );
    }

    #[test]
    fn errors_in_the_second_part_name_the_same_line() {
        let text = export(3000, 3);
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let late = lines.len() - 40;
        let bad = |at: usize| -> String {
            let mut lines = lines.clone();
            let fixed = lines[at].replacen(",2026-", ",2026-13-01x", 1);
            lines[at] = &fixed;
            lines.concat()
        };
        let (whole, split) = both_ways(&bad(late));
        let whole = whole.expect_err("bad date").to_string();
        assert!(
            whole.contains(&format!("outcomes.csv:{}:", late + 1)),
            "{whole}"
        );
        assert_eq!(split.expect_err("bad date").to_string(), whole);

        // Bad rows in both parts: the first one in the file is reported.
        let mut lines = lines.clone();
        let early = lines[5].replacen(",2026-", ",x2026-", 1);
        let late_line = lines[late].replacen(",2026-", ",x2026-", 1);
        lines[5] = &early;
        lines[late] = &late_line;
        let (whole, split) = both_ways(&lines.concat());
        let whole = whole.expect_err("bad date").to_string();
        assert!(whole.contains("outcomes.csv:6:"), "{whole}");
        assert_eq!(split.expect_err("bad date").to_string(), whole);
    }
}
