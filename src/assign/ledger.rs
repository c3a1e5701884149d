//! The assignment ledger: who is in which arm, append-only.
//!
//! pilot writes the ledger as CSV with the header
//! `customer_id,arm,stratum,assigned_at,design`:
//!
//! - `customer_id`: the id exactly as in the population file;
//! - `arm`: the arm name;
//! - `stratum`: the stratum key (stratify values joined by `|`), blank when
//!   the design is not stratified;
//! - `assigned_at`: when the row was added (RFC 3339, UTC);
//! - `design`: the fingerprint of the split design, `v1:` and 12 hex digits
//!   of SHA-256 over hash scheme, salt, arm names and weights, coverage and
//!   stratify columns. It is the same on every row.
//!
//! Rows are only ever appended: later runs copy the file byte for byte and
//! add rows for new customers. Next to the ledger, `<name>.design.json`
//! records each fingerprint's design in full, so that a changed experiment
//! file can be refused with a message that says what changed.
//!
//! Cells other than ids that a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`) are written with a leading `'`, as are cells
//! that themselves start with `'`; reading removes one such `'` again. Ids
//! are never altered (the population reader refuses formula-like ids).
//!
//! Ledgers made elsewhere are readable too: the id and arm columns are the
//! ones named in `[assignment]`, and `stratum`/`design` are optional.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::population::{FORMULA_STARTS, FastMap};
use crate::config::{Arm, Experiment, HashScheme};
use crate::error::{Error, Result, did_you_mean, shown};
use crate::ids::IdTable;
use crate::io::atomic::write_atomic;
use crate::io::csv_input::{CsvReader, missing_column_message};

/// Header of the id column pilot writes.
pub const ID_HEADER: &str = "customer_id";
/// Header of the arm column pilot writes.
pub const ARM_HEADER: &str = "arm";
/// Header of the stratum column.
pub const STRATUM_HEADER: &str = "stratum";
/// Header of the timestamp column.
pub const ASSIGNED_AT_HEADER: &str = "assigned_at";
/// Header of the design fingerprint column.
pub const DESIGN_HEADER: &str = "design";
/// The header of a ledger pilot creates.
pub const HEADER: [&str; 5] = [
    ID_HEADER,
    ARM_HEADER,
    STRATUM_HEADER,
    ASSIGNED_AT_HEADER,
    DESIGN_HEADER,
];

/// `value`, prefixed with `'` if a spreadsheet would run it as a formula
/// (or if it starts with `'`, so that [`unneutralize`] is exact).
pub fn neutralize(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) || c == '\'' => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// Undoes [`neutralize`]: removes a leading `'` that precedes a formula
/// character or another `'`.
pub fn unneutralize(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest)
            if rest
                .chars()
                .next()
                .is_some_and(|c| FORMULA_STARTS.contains(&c) || c == '\'') =>
        {
            rest
        }
        _ => value,
    }
}

/// Everything that decides which arm a customer gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// `sha256-v1` or `growthbook-v2`.
    pub hash: String,
    /// The hash salt (GrowthBook: seed).
    pub salt: String,
    /// Arms in order (the first is the control) with normalised weights.
    pub arms: Vec<DesignArm>,
    /// Share of eligible customers enrolled.
    pub coverage: f64,
    /// Stratify columns, in order.
    pub stratify: Vec<String>,
}

/// One arm of a [`Design`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignArm {
    /// Arm name.
    pub name: String,
    /// Normalised weight.
    pub weight: f64,
}

impl Design {
    /// The design of an experiment.
    pub fn of(experiment: &Experiment) -> Self {
        Self {
            hash: scheme_name(experiment.assignment.hash).to_string(),
            salt: experiment.meta.salt.clone(),
            arms: experiment
                .arms
                .iter()
                .map(|a| DesignArm {
                    name: a.name.clone(),
                    weight: a.weight,
                })
                .collect(),
            coverage: experiment.assignment.coverage,
            stratify: experiment.assignment.stratify.clone(),
        }
    }

    /// `v1:` and the first 12 hex digits of SHA-256 over the design's
    /// canonical JSON (fields in declaration order, shortest round-trip
    /// numbers).
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&json);
        let mut out = String::from("v1:");
        for byte in &digest[..6] {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }
}

/// The name of a hash scheme in designs and messages.
pub fn scheme_name(scheme: HashScheme) -> &'static str {
    match scheme {
        HashScheme::Sha256V1 => "sha256-v1",
        HashScheme::GrowthBook => "growthbook-v2",
    }
}

/// What differs between two designs, as the phrases "was written with ..."
/// and "now says ..." complete; `None` if nothing does.
pub fn describe_change(old: &Design, new: &Design) -> Option<(String, String)> {
    let mut was = Vec::new();
    let mut now = Vec::new();
    if old.hash != new.hash {
        was.push(format!("hash scheme {}", old.hash));
        now.push(format!("hash scheme {}", new.hash));
    }
    if old.salt != new.salt {
        was.push(format!("salt `{}`", old.salt));
        now.push(format!("salt `{}`", new.salt));
    }
    if old.arms != new.arms {
        let same_names = old.arms.len() == new.arms.len()
            && old
                .arms
                .iter()
                .zip(&new.arms)
                .all(|(a, b)| a.name == b.name);
        let label = if same_names { "weights" } else { "arms" };
        let old_w: Vec<f64> = old.arms.iter().map(|a| a.weight).collect();
        let new_w: Vec<f64> = new.arms.iter().map(|a| a.weight).collect();
        let digits = distinguishing_digits(&old_w, &new_w);
        let list = |arms: &[DesignArm]| {
            arms.iter()
                .map(|a| format!("{} {:.*}", a.name, digits, a.weight))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        was.push(format!("{label} {}", list(&old.arms)));
        now.push(format!("{label} {}", list(&new.arms)));
    }
    if old.coverage != new.coverage {
        let digits = distinguishing_digits(&[old.coverage], &[new.coverage]);
        was.push(format!("coverage {:.*}", digits, old.coverage));
        now.push(format!("coverage {:.*}", digits, new.coverage));
    }
    if old.stratify != new.stratify {
        let strata = |s: &[String]| {
            if s.is_empty() {
                "no stratification".to_string()
            } else {
                format!("stratification by {}", s.join(", "))
            }
        };
        was.push(strata(&old.stratify));
        now.push(strata(&new.stratify));
    }
    (!was.is_empty()).then(|| (was.join(" and "), now.join(" and ")))
}

/// Fewest decimals (at least 2) at which the two lists print differently;
/// 2 if they are equal.
fn distinguishing_digits(a: &[f64], b: &[f64]) -> usize {
    let render = |v: &[f64], d: usize| v.iter().map(|x| format!("{x:.d$}")).collect::<Vec<_>>();
    if a.len() != b.len() || a == b {
        return 2;
    }
    (2..=17)
        .find(|&d| render(a, d) != render(b, d))
        .unwrap_or(17)
}

/// A ledger read from disk.
pub struct Ledger {
    path: PathBuf,
    raw: Vec<u8>,
    delimiter: u8,
    headers: Vec<String>,
    id_col: usize,
    arm_col: usize,
    ids: IdTable,
    arms: Vec<u16>,
    arm_names: Vec<String>,
    arm_lines: Vec<u64>,
    lines: Vec<u64>,
    strata: Option<(Vec<u32>, Vec<String>)>,
    design: Option<String>,
    has_design_column: bool,
    duplicate_rows: u64,
    /// Day number of `assigned_at` per customer, if the column exists and
    /// every value is a date.
    assigned_days: Option<Vec<i32>>,
}

/// Reads the ledger at `path`. `id_column` and `arm_column` name its id and
/// arm columns; if they are missing but the file is a pilot ledger, pilot's
/// own `customer_id` and `arm` are used.
///
/// Errors: blank ids or arms, a customer in two different arms (both lines
/// named), rows with different design fingerprints. A customer listed twice
/// in the same arm is counted in [`Ledger::duplicate_rows`].
pub fn read_ledger(path: &Path, id_column: &str, arm_column: &str) -> Result<Ledger> {
    let raw = fs::read(path).map_err(|e| Error::io(path, "read", &e))?;
    parse_ledger(path, raw, id_column, arm_column)
}

fn parse_ledger(path: &Path, raw: Vec<u8>, id_column: &str, arm_column: &str) -> Result<Ledger> {
    let mut ledger = Ledger {
        path: path.to_path_buf(),
        raw: Vec::new(),
        delimiter: b',',
        headers: Vec::new(),
        id_col: 0,
        arm_col: 0,
        ids: IdTable::default(),
        arms: Vec::new(),
        arm_names: Vec::new(),
        arm_lines: Vec::new(),
        lines: Vec::new(),
        strata: None,
        design: None,
        has_design_column: false,
        duplicate_rows: 0,
        assigned_days: None,
    };
    {
        let mut csv = CsvReader::from_reader(path, raw.as_slice())?;
        ledger.delimiter = csv.delimiter();
        ledger.headers = csv.headers().to_vec();
        let design_col = csv.find_column(DESIGN_HEADER);
        ledger.has_design_column = design_col.is_some();
        let pick = |wanted: &str, own: &str| {
            csv.find_column(wanted)
                .or_else(|| design_col.and_then(|_| csv.find_column(own)))
                .ok_or_else(|| Error::in_file(path, missing_column_message(wanted, csv.headers())))
        };
        ledger.id_col = pick(id_column, ID_HEADER)?;
        ledger.arm_col = pick(arm_column, ARM_HEADER)?;
        let (id_col, arm_col) = (ledger.id_col, ledger.arm_col);
        let stratum_col = csv.find_column(STRATUM_HEADER);
        let assigned_col = csv.find_column(ASSIGNED_AT_HEADER);
        // Dates are optional information: one unreadable value (a ledger
        // edited by hand) turns the enrollment estimate off, not the run.
        let mut raw_days: Option<Vec<i32>> = assigned_col.map(|_| Vec::new());
        let mut strata: (Vec<u32>, Vec<String>) = (Vec::new(), Vec::new());
        let mut design_line = 0;
        let mut list = IdTable::default();
        let mut strata_index: FastMap<u32> = FastMap::default();
        let (mut raw_arms, mut raw_lines, mut raw_strata) = (Vec::new(), Vec::new(), Vec::new());
        let streamed = (|| -> Result<()> {
            while let Some(row) = csv.next_row()? {
                let id = row.text(id_col)?;
                if id.is_empty() {
                    return Err(row.error(id_col, "the customer id is blank"));
                }
                let arm_name = unneutralize(row.text(arm_col)?);
                if arm_name.is_empty() {
                    return Err(row.error(arm_col, "the arm is blank"));
                }
                if let Some(col) = design_col {
                    let design = row.text(col)?;
                    match &ledger.design {
                        None => {
                            ledger.design = Some(design.to_string());
                            design_line = row.line();
                        }
                        Some(first) if first != design => {
                            return Err(row.error(
                            col,
                            format!(
                                "this row was written with split design `{}`, line {design_line} with `{}`; \
                                 a ledger holds one design (was it edited, or combined from two experiments?)",
                                shown(design),
                                shown(first)
                            ),
                        ));
                        }
                        Some(_) => {}
                    }
                }
                let arm = match ledger.arm_names.iter().position(|a| a == arm_name) {
                    Some(a) => a as u16,
                    None => {
                        ledger.arm_names.push(arm_name.to_string());
                        ledger.arm_lines.push(row.line());
                        (ledger.arm_names.len() - 1) as u16
                    }
                };
                if let (Some(col), Some(days)) = (assigned_col, raw_days.as_mut()) {
                    match crate::dates::parse_day(row.text(col)?) {
                        Some(day) => days.push(day),
                        None => raw_days = None,
                    }
                }
                list.push(id);
                raw_arms.push(arm);
                raw_lines.push(row.line());
                if let Some(col) = stratum_col {
                    let key = unneutralize(row.text(col)?);
                    let s = match strata_index.get(key) {
                        Some(&s) => s,
                        None => {
                            let s = strata.1.len() as u32;
                            strata.1.push(key.to_string());
                            strata_index.insert(key.to_string(), s);
                            s
                        }
                    };
                    raw_strata.push(s);
                }
            }
            Ok(())
        })();
        // Index the ids in a tight loop (see `population::read_population`);
        // a customer in two arms is reported before any later error. Most
        // ledgers list each customer once: then the ids are indexed where
        // they are and the per-row lists are the per-customer ones.
        let kept_days = if list.index_pushed().is_ok() {
            ledger.ids = list;
            ledger.arms = raw_arms;
            ledger.lines = raw_lines;
            strata.0 = raw_strata;
            raw_days
        } else {
            ledger.ids = IdTable::with_capacity(list.len());
            let mut kept_days = raw_days.as_ref().map(|_| Vec::with_capacity(list.len()));
            for r in 0..list.len() {
                match ledger.ids.insert_from(&list, r) {
                    Ok(_) => {
                        ledger.arms.push(raw_arms[r]);
                        ledger.lines.push(raw_lines[r]);
                        if let Some(&s) = raw_strata.get(r) {
                            strata.0.push(s);
                        }
                        if let (Some(kept), Some(days)) = (kept_days.as_mut(), raw_days.as_ref()) {
                            kept.push(days[r]);
                        }
                    }
                    Err(first) if ledger.arms[first] == raw_arms[r] => ledger.duplicate_rows += 1,
                    Err(first) => {
                        let field = ledger.headers[ledger.arm_col].as_str();
                        return Err(Error::at_csv(
                            path,
                            raw_lines[r],
                            Some(field),
                            format!(
                                "customer `{}` is in arm `{}` here but in arm `{}` on line {}; \
                                 a customer must stay in one arm",
                                shown(list.get(r)),
                                shown(&ledger.arm_names[usize::from(raw_arms[r])]),
                                shown(&ledger.arm_names[usize::from(ledger.arms[first])]),
                                ledger.lines[first]
                            ),
                        ));
                    }
                }
            }
            kept_days
        };
        streamed?;
        ledger.assigned_days = kept_days;
        if stratum_col.is_some() {
            ledger.strata = Some(strata);
        }
    }
    ledger.raw = raw;
    Ok(ledger)
}

impl Ledger {
    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The content fingerprint of the file as read (as
    /// [`file_fingerprint`](crate::io::fingerprint::file_fingerprint)),
    /// without reading it again.
    pub fn fingerprint(&self) -> String {
        crate::io::fingerprint::bytes_fingerprint(&self.raw)
    }

    /// Number of distinct customers.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True if the ledger has no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of customer `i` (file order).
    pub fn id(&self, i: usize) -> &str {
        self.ids.get(i)
    }

    /// The ledger's customer ids, in file order, with lookup.
    pub fn ids(&self) -> &IdTable {
        &self.ids
    }

    /// The index of `id`, if it is in the ledger.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.ids.find(id)
    }

    /// The arm name of customer `i`.
    pub fn arm_name(&self, i: usize) -> &str {
        &self.arm_names[usize::from(self.arms[i])]
    }

    /// The distinct arm names, in order of first appearance.
    pub fn arm_names(&self) -> &[String] {
        &self.arm_names
    }

    /// The line customer `i` was first listed on.
    pub fn line(&self, i: usize) -> u64 {
        self.lines[i]
    }

    /// The stratum key of customer `i`, if the ledger has a stratum column.
    pub fn stratum(&self, i: usize) -> Option<&str> {
        self.strata
            .as_ref()
            .map(|(rows, keys)| keys[rows[i] as usize].as_str())
    }

    /// The design fingerprint shared by all rows (`None` without a design
    /// column or without rows).
    pub fn design(&self) -> Option<&str> {
        self.design.as_deref()
    }

    /// Whether the file has a `design` column (pilot wrote it).
    pub fn has_design_column(&self) -> bool {
        self.has_design_column
    }

    /// Day numbers (days since 1970-01-01) of each customer's `assigned_at`,
    /// if the ledger records them.
    pub fn assigned_days(&self) -> Option<&[i32]> {
        self.assigned_days.as_deref()
    }

    /// Rows repeating a customer already listed in the same arm.
    pub fn duplicate_rows(&self) -> u64 {
        self.duplicate_rows
    }

    /// Maps each customer to the index of its arm in `arms` (the
    /// experiment's), or fails at the first row naming an unknown arm.
    pub fn arm_indices(&self, arms: &[Arm]) -> Result<Vec<usize>> {
        let mut map = Vec::with_capacity(self.arm_names.len());
        for (name, &line) in self.arm_names.iter().zip(&self.arm_lines) {
            match arms.iter().position(|a| &a.name == name) {
                Some(i) => map.push(i),
                None => {
                    let known: Vec<&str> = arms.iter().map(|a| a.name.as_str()).collect();
                    let mut message = format!(
                        "unknown arm `{}`; the experiment has arms {}",
                        shown(name),
                        known.join(", ")
                    );
                    if let Some(s) = did_you_mean(name, known.iter().copied()) {
                        message.push_str(&format!("; did you mean `{s}`?"));
                    }
                    let field = self.headers[self.arm_col].as_str();
                    return Err(Error::at_csv(&self.path, line, Some(field), message));
                }
            }
        }
        Ok(self.arms.iter().map(|&a| map[usize::from(a)]).collect())
    }
}

/// A row to add to the ledger.
pub struct NewRow<'a> {
    /// Customer id.
    pub id: &'a str,
    /// Index of the arm in the `arm_names` given to [`write_ledger`].
    pub arm: usize,
    /// Stratum key (empty if not stratified).
    pub stratum: &'a str,
}

/// Writes the ledger at `path` atomically: the existing ledger's bytes
/// unchanged (if given) followed by `rows`, in its delimiter and column
/// order; otherwise a new file with [`HEADER`].
pub fn write_ledger<'a>(
    path: &Path,
    existing: Option<&Ledger>,
    arm_names: &[String],
    rows: impl IntoIterator<Item = NewRow<'a>>,
    assigned_at: &str,
    design: &str,
) -> Result<()> {
    let own_header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    let (headers, delimiter, id_col, arm_col) = match existing {
        Some(l) => (&l.headers, l.delimiter, l.id_col, l.arm_col),
        None => (&own_header, b',', 0, 1),
    };
    #[derive(Clone, Copy)]
    enum Slot {
        Id,
        Arm,
        Stratum,
        AssignedAt,
        Design,
        Blank,
    }
    let slots: Vec<Slot> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| match h.as_str() {
            _ if i == id_col => Slot::Id,
            _ if i == arm_col => Slot::Arm,
            STRATUM_HEADER => Slot::Stratum,
            ASSIGNED_AT_HEADER => Slot::AssignedAt,
            DESIGN_HEADER => Slot::Design,
            _ => Slot::Blank,
        })
        .collect();
    let crlf = existing.is_some_and(|l| {
        let first_line_end = l.raw.iter().position(|&b| b == b'\n');
        first_line_end.is_some_and(|i| i > 0 && l.raw[i - 1] == b'\r')
    });
    let assigned_at = neutralize(assigned_at);
    let design = neutralize(design);
    let shown_arms: Vec<Cow<'_, str>> = arm_names.iter().map(|a| neutralize(a)).collect();
    write_atomic(path, |w| {
        let io = |e: std::io::Error| Error::io(path, "write", &e);
        if let Some(l) = existing {
            w.write_all(&l.raw).map_err(io)?;
            if !l.raw.is_empty() && !l.raw.ends_with(b"\n") {
                w.write_all(if crlf { b"\r\n" } else { b"\n" })
                    .map_err(io)?;
            }
        }
        let mut csv = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .terminator(if crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_writer(w);
        let csv_io = |e: csv::Error| Error::io(path, "write", &std::io::Error::from(e));
        if existing.is_none() {
            csv.write_record(HEADER).map_err(csv_io)?;
        }
        for row in rows {
            let stratum = neutralize(row.stratum);
            let arm = shown_arms.get(row.arm).map_or("", |a| a.as_ref());
            let fields = slots.iter().map(|slot| match slot {
                Slot::Id => row.id.as_bytes(),
                Slot::Arm => arm.as_bytes(),
                Slot::Stratum => stratum.as_bytes(),
                Slot::AssignedAt => assigned_at.as_bytes(),
                Slot::Design => design.as_bytes(),
                Slot::Blank => b"",
            });
            csv.write_record(fields).map_err(csv_io)?;
        }
        csv.flush().map_err(io)
    })
}

/// Where the design record of the ledger at `ledger` lives:
/// `assignments.csv` -> `assignments.design.json`.
pub fn design_record_path(ledger: &Path) -> PathBuf {
    ledger.with_extension("design.json")
}

#[derive(Serialize, Deserialize, Default)]
struct DesignRecords {
    about: String,
    designs: BTreeMap<String, Design>,
}

const RECORD_NOTE: &str = "Written by pilot assign: the split design behind each `design` \
     fingerprint in the ledger, so that changes can be named. Keep it next to the ledger.";

/// The designs recorded next to the ledger, by fingerprint (empty if the
/// record is missing or unreadable).
pub fn recorded_designs(ledger: &Path) -> BTreeMap<String, Design> {
    fs::read(design_record_path(ledger))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<DesignRecords>(&bytes).ok())
        .map(|r| r.designs)
        .unwrap_or_default()
}

/// Adds `design` to the record next to `ledger` (atomically; unchanged if
/// it is already there).
pub fn record_design(ledger: &Path, design: &Design) -> Result<()> {
    let fingerprint = design.fingerprint();
    let mut designs = recorded_designs(ledger);
    if designs.get(&fingerprint) == Some(design) {
        return Ok(());
    }
    designs.insert(fingerprint, design.clone());
    let records = DesignRecords {
        about: RECORD_NOTE.to_string(),
        designs,
    };
    let path = design_record_path(ledger);
    let json = serde_json::to_vec_pretty(&records)
        .map_err(|e| Error::io(&path, "write", &std::io::Error::other(e)))?;
    write_atomic(&path, |w| {
        w.write_all(&json)
            .and_then(|_| w.write_all(b"\n"))
            .map_err(|e| Error::io(&path, "write", &e))
    })
}

/// A free name for a backup of `ledger` stamped with `now`:
/// `assignments.csv` -> `assignments.2025-03-01T09-30-00Z.csv` (then `-2`,
/// `-3`, ... if taken).
pub fn backup_path(ledger: &Path, now: &str) -> PathBuf {
    let stamp: String = now
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = ledger
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ledger".to_string());
    let ext = ledger
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let candidate = ledger.with_file_name(format!("{stem}.{stamp}{suffix}{ext}"));
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design() -> Design {
        Design {
            hash: "sha256-v1".into(),
            salt: "s".into(),
            arms: vec![
                DesignArm {
                    name: "control".into(),
                    weight: 0.5,
                },
                DesignArm {
                    name: "pilot".into(),
                    weight: 0.5,
                },
            ],
            coverage: 1.0,
            stratify: vec![],
        }
    }

    #[test]
    fn neutralizing_round_trips() {
        for v in ["=1+2", "+x", "-5", "@a", "'=x", "''", "'plain", "plain", ""] {
            assert_eq!(unneutralize(&neutralize(v)), v, "{v}");
        }
        assert_eq!(neutralize("=1"), "'=1");
        assert_eq!(neutralize("ok"), "ok");
        assert_eq!(unneutralize("'abc"), "'abc");
    }

    #[test]
    fn fingerprints_are_short_and_change_with_the_design() {
        let d = design();
        let f = d.fingerprint();
        assert!(f.starts_with("v1:") && f.len() == 15, "{f}");
        let mut e = d.clone();
        e.coverage = 0.9;
        assert_ne!(f, e.fingerprint());
        assert_eq!(f, design().fingerprint());
    }

    #[test]
    fn changes_are_described_with_enough_digits() {
        let old = design();
        let mut new = design();
        new.arms[0].weight = 0.3;
        new.arms[1].weight = 0.7;
        assert_eq!(
            describe_change(&old, &new),
            Some((
                "weights control 0.50 / pilot 0.50".to_string(),
                "weights control 0.30 / pilot 0.70".to_string()
            ))
        );
        let mut new = design();
        new.coverage = 0.9999;
        new.stratify = vec!["segment".into()];
        new.salt = "t".into();
        assert_eq!(
            describe_change(&old, &new),
            Some((
                "salt `s` and coverage 1.0000 and no stratification".to_string(),
                "salt `t` and coverage 0.9999 and stratification by segment".to_string()
            ))
        );
        assert_eq!(describe_change(&old, &design()), None);
    }

    #[test]
    fn backups_get_free_names() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("assignments.csv");
        let b = backup_path(&ledger, "2025-03-01T09:30:00Z");
        assert_eq!(b, dir.path().join("assignments.2025-03-01T09-30-00Z.csv"));
        fs::write(&b, "x").unwrap();
        let b2 = backup_path(&ledger, "2025-03-01T09:30:00Z");
        assert_eq!(
            b2,
            dir.path().join("assignments.2025-03-01T09-30-00Z-2.csv")
        );
    }
}
