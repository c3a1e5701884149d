//! Customer attributes for analysis: segment values and pre-period
//! covariates, read from the population file for the ledger's customers.

use std::collections::HashMap;
use std::path::Path;

use crate::error::Result;
use crate::ids::IdTable;
use crate::io::csv_input::CsvReader;

/// Segment label for ledger customers missing from the population file.
pub const UNKNOWN_SEGMENT: &str = "(not in population file)";
/// Segment label for a blank cell.
pub const BLANK_SEGMENT: &str = "(blank)";

/// One segment column: its distinct values and each customer's value.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentColumn {
    /// Population column name.
    pub column: String,
    /// Distinct values, in first-seen order.
    pub levels: Vec<String>,
    /// Per customer (index order): position in `levels`.
    pub codes: Vec<u32>,
}

/// One covariate column: each customer's pre-period value.
#[derive(Debug, Clone, PartialEq)]
pub struct CovariateColumn {
    /// Population column name.
    pub column: String,
    /// Per customer: the value, `None` if blank or the customer is missing.
    pub values: Vec<Option<f64>>,
}

/// Attributes of the ledger's customers.
#[derive(Debug, Clone, PartialEq)]
pub struct Attributes {
    /// Requested segment columns, in order.
    pub segments: Vec<SegmentColumn>,
    /// Requested covariate columns, in order.
    pub covariates: Vec<CovariateColumn>,
    /// Ledger customers with no row in the population file.
    pub customers_not_found: u64,
}

impl Attributes {
    /// The covariate column named `name`, if it was requested.
    pub fn covariate(&self, name: &str) -> Option<&CovariateColumn> {
        self.covariates.iter().find(|c| c.column == name)
    }
}

/// Most distinct values a segment column may have, as for the balance
/// report of `pilot assign`: segments compare a few groups (regions,
/// plans); a column of emails or dates as a segment would otherwise take
/// memory and time per distinct value and a table nobody can read.
pub const MAX_SEGMENT_VALUES: usize = 1000;

/// Reads `segments` and `covariates` columns of the population file `path`
/// for the customers in `index`; other customers' rows are skipped.
pub fn read_attributes(
    path: &Path,
    id_column: &str,
    segments: &[String],
    covariates: &[String],
    index: &IdTable,
) -> Result<Attributes> {
    let mut csv = CsvReader::open(path)?;
    let id = csv.column(id_column)?;
    let segment_cols = segments
        .iter()
        .map(|name| csv.column(name))
        .collect::<Result<Vec<_>>>()?;
    let covariate_cols = covariates
        .iter()
        .map(|name| csv.column(name))
        .collect::<Result<Vec<_>>>()?;
    let n = index.len();
    // Level 0 of every segment is "not in population file"; interning keeps
    // one String per distinct value, not per customer.
    let mut lookups: Vec<HashMap<String, u32>> = vec![HashMap::new(); segments.len()];
    let mut out_segments: Vec<SegmentColumn> = segments
        .iter()
        .map(|column| SegmentColumn {
            column: column.clone(),
            levels: vec![UNKNOWN_SEGMENT.to_string()],
            codes: vec![0; n],
        })
        .collect();
    let mut out_covariates: Vec<CovariateColumn> = covariates
        .iter()
        .map(|column| CovariateColumn {
            column: column.clone(),
            values: vec![None; n],
        })
        .collect();
    let mut found = vec![false; n];
    while let Some(row) = csv.next_row()? {
        let Some(c) = index.find(row.text(id)?) else {
            continue;
        };
        found[c] = true;
        for ((col, seg), lookup) in segment_cols.iter().zip(&mut out_segments).zip(&mut lookups) {
            let text = row.text(*col)?;
            let text = if text.is_empty() { BLANK_SEGMENT } else { text };
            let code = match lookup.get(text) {
                Some(&code) => code,
                None => {
                    // Level 0 is "not in the population file".
                    if seg.levels.len() > MAX_SEGMENT_VALUES {
                        return Err(row
                            .error(
                                *col,
                                format!(
                                    "segment column `{}` has more than {MAX_SEGMENT_VALUES} \
                                     distinct values",
                                    seg.column
                                ),
                            )
                            .with_note(
                                "segments compare a few groups, such as region or plan: take \
                                 the column out of [analysis] segments, or add a column that \
                                 groups its values",
                            ));
                    }
                    let code = seg.levels.len() as u32;
                    seg.levels.push(text.to_string());
                    lookup.insert(text.to_string(), code);
                    code
                }
            };
            seg.codes[c] = code;
        }
        for (col, cov) in covariate_cols.iter().zip(&mut out_covariates) {
            cov.values[c] = row.number(*col)?;
        }
    }
    Ok(Attributes {
        segments: out_segments,
        covariates: out_covariates,
        customers_not_found: found.iter().filter(|&&f| !f).count() as u64,
    })
}
