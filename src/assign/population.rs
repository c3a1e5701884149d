//! Reading the population: the customer export customers are assigned from.
//!
//! One streaming pass over the CSV checks every row (blank, duplicate or
//! formula-like ids are errors with the line; so is a value that is not a
//! number in a column a range filter reads), applies the eligibility
//! filters, builds each eligible customer's stratum, and keeps every other
//! column for the balance report.
//!
//! Columns are classified while streaming: a column stays *numeric* while
//! every non-blank value parses as a number (values kept as `f64`, blanks
//! as NaN, no text kept); the first other value turns it *categorical*
//! (values interned, one `u32` code per row). In a categorical column
//! numbers are written in one canonical form (`7`, `3.5`), so the earlier
//! numeric values and later ones agree. A categorical column with more than
//! [`MAX_LEVELS`] distinct values (names, e-mail addresses) is dropped from
//! the report and its values freed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config::{FilterRule, Population};
use crate::error::{Error, Result, shown};
use crate::ids::{IdTable, Passthrough};
use crate::io::csv_input::{CsvReader, Row, parse_number};
use std::hash::BuildHasherDefault;

/// Most distinct values a categorical column may have and still be reported.
pub const MAX_LEVELS: usize = 1000;

/// The characters that make a spreadsheet treat a cell as a formula.
pub const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

/// What a pass over the population file found.
pub struct PopulationData {
    /// The file, as named in the experiment.
    pub path: PathBuf,
    /// Every row's id, in file order.
    pub ids: IdTable,
    /// Every row's 1-based line.
    pub lines: Vec<u64>,
    /// Every row's eligibility (all filters passed).
    pub eligible: Vec<bool>,
    /// Every row's stratum (index into `strata`); meaningful for eligible rows.
    pub row_stratum: Vec<u32>,
    /// Stratum keys (see [`stratum_key`]); one empty key when not stratified.
    pub strata: Vec<String>,
    /// Every column but the id, one value per row, for the balance report.
    pub columns: Vec<Column>,
}

/// One population column kept for the balance report.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header name.
    pub name: String,
    /// One value per population row.
    pub values: ColumnValues,
}

/// The values of a kept column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Every non-blank value is a number; blanks are NaN.
    Numeric(Vec<f64>),
    /// Text values: `codes[row]` indexes `levels`; the level `""` is blank.
    Categorical {
        /// Distinct values in order of first appearance.
        levels: Vec<String>,
        /// One code per row.
        codes: Vec<u32>,
    },
    /// Not reported; the reason says why.
    Dropped(String),
}

/// Joins stratify values into one key: values are separated by `|`, and
/// `\` and `|` inside values are escaped with `\`, so different value
/// tuples always give different keys.
pub fn stratum_key(values: &[&str], out: &mut String) {
    out.clear();
    for (i, value) in values.iter().enumerate() {
        push_key_part(out, i, value);
    }
}

/// Appends the `i`-th stratify value to a key being built.
fn push_key_part(out: &mut String, i: usize, value: &str) {
    if i > 0 {
        out.push('|');
    }
    for c in value.chars() {
        if c == '\\' || c == '|' {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The error for an id a spreadsheet would run as a formula, or `None`.
pub fn formula_id_problem(id: &str) -> Option<String> {
    let first = id.chars().next()?;
    FORMULA_STARTS.contains(&first).then(|| {
        format!(
            "customer id `{}` starts with `{first}`, which spreadsheets run as a formula; \
             pilot writes ids to the ledger unchanged, so it refuses ids starting with =, +, - or @ \
             (negative numbers included)",
            shown(id)
        )
    })
}

struct Check {
    column: usize,
    rule: FilterRule,
}

/// A string-keyed map with pilot's fast hash (keys are the user's own data).
pub(crate) type FastMap<V> = HashMap<String, V, BuildHasherDefault<Passthrough>>;

enum Builder {
    Numeric(Vec<f64>),
    Categorical {
        index: FastMap<u32>,
        levels: Vec<String>,
        codes: Vec<u32>,
    },
    Dropped(String),
}

/// Reads `population`: every row is checked and kept (ids, lines,
/// eligibility, stratum and the other columns).
///
/// Ids are collected while streaming and indexed afterwards in one tight
/// loop, which lets the processor overlap the scattered memory accesses of
/// the index (several times faster than indexing between CSV rows). A
/// duplicate id is still reported before any error on a later line.
pub fn read_population(population: &Population, stratify: &[String]) -> Result<PopulationData> {
    let path = &population.file;
    let mut csv = CsvReader::open(path)?;
    let id_col = csv.column(&population.id_column)?;
    let mut checks = Vec::with_capacity(population.filters.len());
    for filter in &population.filters {
        checks.push(Check {
            column: csv.column(&filter.column)?,
            rule: filter.rule.clone(),
        });
    }
    let strat_cols = stratify
        .iter()
        .map(|c| csv.column(c))
        .collect::<Result<Vec<_>>>()?;
    let other: Vec<usize> = (0..csv.headers().len())
        .filter(|&i| i != id_col && !csv.headers()[i].is_empty())
        .collect();
    let names: Vec<String> = other.iter().map(|&i| csv.headers()[i].clone()).collect();
    let id_name = csv.headers()[id_col].clone();
    let delimiter = csv.delimiter();

    let mut list = IdTable::default();
    let mut lines = Vec::new();
    let mut eligible_rows = Vec::new();
    let mut row_stratum = Vec::new();
    let mut strata = Vec::new();
    let mut builders: Vec<Builder> = other.iter().map(|_| Builder::Numeric(Vec::new())).collect();
    let mut strata_index: FastMap<u32> = FastMap::default();
    let mut key = String::new();
    let mut scratch = String::new();

    let streamed = (|| -> Result<()> {
        while let Some(row) = csv.next_row()? {
            row.check_utf8()?;
            let id = row.text(id_col)?;
            if id.is_empty() {
                return Err(row.error(id_col, "the customer id is blank"));
            }
            if let Some(problem) = formula_id_problem(id) {
                return Err(row.error(id_col, problem));
            }
            list.push(id);
            lines.push(row.line());
            let mut eligible = true;
            for check in &checks {
                if !passes(&row, check, delimiter)? {
                    eligible = false;
                }
            }
            eligible_rows.push(eligible);
            let stratum = if !eligible {
                u32::MAX
            } else if strat_cols.is_empty() {
                0
            } else {
                key.clear();
                for (i, &c) in strat_cols.iter().enumerate() {
                    push_key_part(&mut key, i, row.text(c)?);
                }
                match strata_index.get(key.as_str()) {
                    Some(&s) => s,
                    None => {
                        let s = strata.len() as u32;
                        strata_index.insert(key.clone(), s);
                        strata.push(key.clone());
                        s
                    }
                }
            };
            row_stratum.push(stratum);
            for (builder, &col) in builders.iter_mut().zip(&other) {
                builder.push(row.text(col)?, delimiter, &mut scratch);
            }
        }
        Ok(())
    })();
    // Index the ids; on a streaming error, an earlier duplicate comes first.
    let mut ids = list;
    if let Err((i, first)) = ids.index_pushed() {
        return Err(Error::at_csv(
            path,
            lines[i],
            Some(&id_name),
            format!(
                "customer id `{}` appears twice, on lines {} and {}; each customer must appear once",
                shown(ids.get(i)),
                lines[first],
                lines[i]
            ),
        ));
    }
    streamed?;
    if strata.is_empty() {
        strata.push(String::new());
    }
    let columns = names
        .into_iter()
        .zip(builders)
        .map(|(name, builder)| Column {
            name,
            values: builder.finish(),
        })
        .collect();
    Ok(PopulationData {
        path: path.clone(),
        ids,
        lines,
        eligible: eligible_rows,
        row_stratum,
        strata,
        columns,
    })
}

fn passes(row: &Row<'_>, check: &Check, delimiter: u8) -> Result<bool> {
    let text = row.text(check.column)?;
    Ok(match &check.rule {
        FilterRule::In(allowed) => allowed.iter().any(|a| a.trim() == text),
        FilterRule::NotIn(denied) => !denied.iter().any(|d| d.trim() == text),
        FilterRule::Range { min, max } => {
            if text.is_empty() {
                false
            } else {
                let Some(v) = parse_number(text, delimiter) else {
                    return Err(row.error(
                        check.column,
                        format!(
                            "{}; a range filter reads this column",
                            crate::io::csv_input::not_a_number_message(text)
                        ),
                    ));
                };
                min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m)
            }
        }
    })
}

impl Builder {
    fn push(&mut self, text: &str, delimiter: u8, scratch: &mut String) {
        match self {
            Builder::Numeric(values) => {
                if text.is_empty() {
                    values.push(f64::NAN);
                } else if let Some(v) = parse_number(text, delimiter) {
                    values.push(v);
                } else {
                    *self = Builder::from_numbers(std::mem::take(values));
                    self.push(text, delimiter, scratch);
                }
            }
            Builder::Categorical {
                index,
                levels,
                codes,
            } => {
                let level = canonical(text, delimiter, scratch);
                let code = match index.get(level) {
                    Some(&code) => code,
                    None => {
                        if levels.len() >= MAX_LEVELS {
                            *self =
                                Builder::Dropped(format!("more than {MAX_LEVELS} distinct values"));
                            return;
                        }
                        let code = levels.len() as u32;
                        index.insert(level.to_string(), code);
                        levels.push(level.to_string());
                        code
                    }
                };
                codes.push(code);
            }
            Builder::Dropped(_) => {}
        }
    }

    fn from_numbers(values: Vec<f64>) -> Builder {
        let mut builder = Builder::Categorical {
            index: FastMap::default(),
            levels: Vec::new(),
            codes: Vec::with_capacity(values.len()),
        };
        let mut scratch = String::new();
        let mut text = String::new();
        for v in values {
            text.clear();
            if !v.is_nan() {
                let _ = write!(text, "{v}");
            }
            builder.push(&text, b',', &mut scratch);
        }
        builder
    }

    fn finish(self) -> ColumnValues {
        match self {
            Builder::Numeric(values) if values.iter().all(|v| v.is_nan()) => {
                ColumnValues::Dropped("no values".to_string())
            }
            Builder::Numeric(values) => ColumnValues::Numeric(values),
            Builder::Categorical { levels, codes, .. } => {
                ColumnValues::Categorical { levels, codes }
            }
            Builder::Dropped(reason) => ColumnValues::Dropped(reason),
        }
    }
}

/// The level for `text` in a categorical column: numbers in canonical form,
/// other text as is.
fn canonical<'a>(text: &'a str, delimiter: u8, scratch: &'a mut String) -> &'a str {
    match parse_number(text, delimiter) {
        Some(v) => {
            scratch.clear();
            let _ = write!(scratch, "{v}");
            scratch.as_str()
        }
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_id_is_quoted_cut() {
        let id = format!("=HYPERLINK(\"{}\")", "a".repeat(5000));
        let message = formula_id_problem(&id).unwrap();
        let quoted = format!(
            "customer id `=HYPERLINK(\"{}...` starts with `=`",
            "a".repeat(28)
        );
        assert!(message.starts_with(&quoted), "{message}");
        assert!(message.len() < 300, "{message}");
    }

    #[test]
    fn stratum_keys_escape_separators() {
        let mut k = String::new();
        stratum_key(&["a|b", "c"], &mut k);
        let first = k.clone();
        stratum_key(&["a", "b|c"], &mut k);
        assert_ne!(first, k);
        assert_eq!(first, "a\\|b|c");
        stratum_key(&["x\\"], &mut k);
        assert_eq!(k, "x\\\\");
    }

    #[test]
    fn columns_switch_from_numeric_to_categorical() {
        let mut b = Builder::Numeric(Vec::new());
        let mut s = String::new();
        for v in ["1", "", "2.50", "n/a", "2.5", "x"] {
            b.push(v, b',', &mut s);
        }
        match b.finish() {
            ColumnValues::Categorical { levels, codes } => {
                assert_eq!(levels, ["1", "", "2.5", "n/a", "x"]);
                assert_eq!(codes, [0, 1, 2, 3, 2, 4]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_many_levels_drop_the_column() {
        let mut b = Builder::Numeric(Vec::new());
        let mut s = String::new();
        for i in 0..=MAX_LEVELS {
            b.push(&format!("name{i}"), b',', &mut s);
        }
        assert_eq!(
            b.finish(),
            ColumnValues::Dropped("more than 1000 distinct values".to_string())
        );
    }
}
