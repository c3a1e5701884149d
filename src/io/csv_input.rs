//! Streaming input of user CSV files (customer exports, outcomes, ledgers).
//!
//! Spreadsheets and shop systems write CSV in many dialects. This reader
//! accepts the common ones without configuration:
//!
//! - a UTF-8 byte order mark is skipped (Excel's "CSV UTF-8" writes one);
//! - the delimiter is detected from the header line: `,`, `;` (European
//!   exports) or tab, whichever occurs most often outside quotes;
//! - LF and CRLF line ends, quoted fields with embedded delimiters, quotes
//!   and line breaks;
//! - whitespace around every field and header name is trimmed.
//!
//! Blank lines are skipped. Rows are streamed through one reused [`csv::ByteRecord`], so reading does
//! not allocate per row. Every problem is reported as an [`Error`] naming the
//! file, the 1-based physical line (the line a record starts on) and the
//! column: ragged rows, text that is not UTF-8, duplicate header names,
//! missing columns (with a did-you-mean), numbers that do not parse.
//!
//! ```no_run
//! # use pilot::io::csv_input::CsvReader;
//! # fn main() -> pilot::Result<()> {
//! let mut csv = CsvReader::open("customers.csv".as_ref())?;
//! let id = csv.column("customer_id")?;
//! let orders = csv.column("orders")?;
//! while let Some(row) = csv.next_row()? {
//!     let id = row.text(id)?;
//!     let orders = row.number(orders)?; // None when blank
//!     # let _ = (id, orders);
//! }
//! # Ok(())
//! # }
//! ```

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, did_you_mean};
use crate::io::progress::Counting;

/// How many header names a "missing column" error lists before eliding.
const LISTED_COLUMNS: usize = 12;

/// A streaming reader of one CSV file with a header line.
pub struct CsvReader<R: Read> {
    path: PathBuf,
    reader: csv::Reader<EndWithNewline<BufReader<R>>>,
    headers: Vec<String>,
    delimiter: u8,
    record: csv::ByteRecord,
}

impl CsvReader<Counting<File>> {
    /// Opens `path` and reads its header line. The path is used as given in
    /// error messages. Bytes read count towards [`crate::io::progress`].
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, "read", &e))?;
        Self::from_reader(path, Counting(file))
    }
}

impl<R: Read> CsvReader<R> {
    /// Reads CSV from `source`; `path` names it in error messages.
    pub fn from_reader(path: &Path, source: R) -> Result<Self> {
        let mut buffered = BufReader::with_capacity(1 << 16, source);
        let (delimiter, bom) = sniff(path, &mut buffered)?;
        buffered.consume(bom);
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .buffer_capacity(1 << 16)
            .from_reader(EndWithNewline {
                inner: buffered,
                last: b'\n',
                done: false,
            });
        let mut this = Self {
            path: path.to_path_buf(),
            reader,
            headers: Vec::new(),
            delimiter,
            record: csv::ByteRecord::new(),
        };
        this.read_header()?;
        Ok(this)
    }

    /// Reads the next record that is not a blank line; returns its first line.
    fn read_record(&mut self) -> Result<Option<u64>> {
        read_record_into(&mut self.reader, &self.path, &mut self.record)
    }

    fn read_header(&mut self) -> Result<()> {
        let Some(line) = self.read_record()? else {
            return Err(Error::in_file(
                &self.path,
                "the file is empty; expected a header line with columns",
            ));
        };
        let mut headers = Vec::with_capacity(self.record.len());
        for (i, raw) in self.record.iter().enumerate() {
            let name = std::str::from_utf8(raw).map_err(|_| {
                Error::at_csv(
                    &self.path,
                    line,
                    None,
                    format!(
                        "header field {} is not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\")",
                        i + 1
                    ),
                )
            })?;
            let name = name.trim();
            if !name.is_empty()
                && let Some(first) = headers.iter().position(|h: &String| h == name)
            {
                return Err(Error::at_csv(
                    &self.path,
                    line,
                    Some(name),
                    format!(
                        "the header line names this column twice (fields {} and {}); rename one of them",
                        first + 1,
                        i + 1
                    ),
                ));
            }
            headers.push(name.to_string());
        }
        self.headers = headers;
        Ok(())
    }

    /// The source the reader reads from (for example a
    /// [`Fingerprinting`](crate::io::fingerprint::Fingerprinting) reader,
    /// whose fingerprint covers the whole file once every row is read).
    pub fn source(&self) -> &R {
        self.reader.get_ref().inner.get_ref()
    }

    /// The file name used in errors.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The detected delimiter (`b','`, `b';'` or `b'\t'`).
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The trimmed header names, in file order (blank names stay blank).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The index of the column named `name`, if present.
    pub fn find_column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The index of the column named `name`, or an error listing the columns
    /// that exist and suggesting a close match.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.find_column(name)
            .ok_or_else(|| Error::in_file(&self.path, missing_column_message(name, &self.headers)))
    }

    /// Reads the next data row, or `None` at the end of the file. The row
    /// borrows the reader's reused record.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        let Some(line) = self.read_record()? else {
            return Ok(None);
        };
        self.check_width(&self.record, line)?;
        Ok(Some(Row {
            record: &self.record,
            headers: &self.headers,
            path: &self.path,
            line,
            delimiter: self.delimiter,
        }))
    }

    /// Reads the next data row into place `at` of `ahead` (replacing the
    /// row read there before); `Ok(false)` at the end of the file.
    ///
    /// With [`row_ahead`](Self::row_ahead) this lets a caller look at
    /// rows before it handles the ones before them (to start their memory
    /// accesses early). Such a caller must handle the rows it read before
    /// a row that fails here before it reports the error, so that errors
    /// come in file order as with [`next_row`](Self::next_row).
    pub fn read_ahead(&mut self, ahead: &mut ReadAhead, at: usize) -> Result<bool> {
        let record = &mut ahead.records[at];
        let Some(line) = read_record_into(&mut self.reader, &self.path, record)? else {
            return Ok(false);
        };
        self.check_width(record, line)?;
        ahead.lines[at] = line;
        Ok(true)
    }

    /// The row last read into place `at` of `ahead`.
    pub fn row_ahead<'a>(&'a self, ahead: &'a ReadAhead, at: usize) -> Row<'a> {
        Row {
            record: &ahead.records[at],
            headers: &self.headers,
            path: &self.path,
            line: ahead.lines[at],
            delimiter: self.delimiter,
        }
    }

    /// The error for a record whose field count differs from the header's.
    fn check_width(&self, record: &csv::ByteRecord, line: u64) -> Result<()> {
        if record.len() == self.headers.len() {
            return Ok(());
        }
        Err(Error::at_csv(
            &self.path,
            line,
            None,
            format!(
                "expected {} fields as in the header line, found {}",
                self.headers.len(),
                record.len()
            ),
        ))
    }
}

/// Reads the next record that is not a blank line into `record`; returns
/// the line it starts on.
fn read_record_into<R: Read>(
    reader: &mut csv::Reader<EndWithNewline<BufReader<R>>>,
    path: &Path,
    record: &mut csv::ByteRecord,
) -> Result<Option<u64>> {
    loop {
        let found = reader
            .read_byte_record(record)
            .map_err(|e| csv_error(path, e))?;
        if !found {
            return Ok(None);
        }
        // Records end at `\n` (a `\r` before it is trimmed with the last
        // field), so the reader's line count after the record, less the
        // line breaks inside quoted fields and the terminator, is the
        // line the record starts on ([`EndWithNewline`] makes sure the
        // last record has a terminator too). Blank lines skipped before the
        // record are counted correctly this way, unlike with
        // `ByteRecord::position`, which points before them.
        let end = reader.position().line();
        let start = record.position().map_or(0, |p| p.line());
        // The input always ends with `\n`, which terminates the last
        // record; a record the reader finished only at the end of the
        // input holds that `\n` inside quotes: a quote never closed.
        if reader.get_ref().done && record.as_slice().ends_with(b"\n") {
            let embedded = memchr_count(record.as_slice());
            return Err(Error::at_csv(
                path,
                end.saturating_sub(embedded).max(1),
                None,
                "a quote `\"` opened in this row is never closed, so the rest of the file reads as one field; close or remove it",
            ));
        }
        let line = if end == start + 1 {
            // One physical line: the common case, no need to count.
            start
        } else {
            let embedded = memchr_count(record.as_slice());
            end.saturating_sub(embedded + 1).max(1)
        };
        let blank = record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty());
        if !blank {
            return Ok(Some(line));
        }
    }
}

/// Places for rows read ahead by [`CsvReader::read_ahead`]: reused
/// records, so reading ahead allocates nothing per row.
pub struct ReadAhead {
    records: Vec<csv::ByteRecord>,
    lines: Vec<u64>,
}

impl ReadAhead {
    /// Room for `capacity` rows.
    pub fn new(capacity: usize) -> Self {
        Self {
            records: vec![csv::ByteRecord::new(); capacity],
            lines: vec![0; capacity],
        }
    }

    /// Number of places.
    pub fn capacity(&self) -> usize {
        self.records.len()
    }
}

/// Passes bytes through and adds a final `\n` if the input does not end
/// with one, so that every record is terminated.
struct EndWithNewline<R> {
    inner: R,
    last: u8,
    done: bool,
}

impl<R: Read> Read for EndWithNewline<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last = buf[n - 1];
            return Ok(n);
        }
        self.done = true;
        if self.last == b'\n' {
            return Ok(0);
        }
        buf[0] = b'\n';
        Ok(1)
    }
}

/// One data row; fields are addressed by column index.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    record: &'a csv::ByteRecord,
    headers: &'a [String],
    path: &'a Path,
    line: u64,
    delimiter: u8,
}

impl<'a> Row<'a> {
    /// The 1-based line the row starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Number of fields (always the header's).
    pub fn len(&self) -> usize {
        self.record.len()
    }

    /// True if the row has no fields.
    pub fn is_empty(&self) -> bool {
        self.record.is_empty()
    }

    /// The raw bytes of a field, untrimmed.
    pub fn raw(&self, column: usize) -> &'a [u8] {
        self.record.get(column).unwrap_or(&[])
    }

    /// Checks that every field is UTF-8 (one pass over the whole record),
    /// naming the first field that is not.
    pub fn check_utf8(&self) -> Result<()> {
        if std::str::from_utf8(self.record.as_slice()).is_ok() {
            return Ok(());
        }
        for column in 0..self.record.len() {
            self.text(column)?;
        }
        Ok(())
    }

    /// The trimmed text of a field; an error if it is not UTF-8.
    #[inline]
    pub fn text(&self, column: usize) -> Result<&'a str> {
        let raw = self.raw(column);
        if raw.is_ascii() {
            // The common case, without a call per field: ASCII is UTF-8,
            // and in ASCII `str::trim` removes exactly these bytes.
            let trimmed = trim_ascii_whitespace(raw);
            // SAFETY: `trimmed` is ASCII (a part of `raw`, checked above),
            // and ASCII bytes are valid UTF-8.
            return Ok(unsafe { std::str::from_utf8_unchecked(trimmed) });
        }
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(s.trim()),
            Err(_) => Err(self.error(
                column,
                "the value is not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\")",
            )),
        }
    }

    /// The field as a number; `None` if blank. See [`parse_number`].
    pub fn number(&self, column: usize) -> Result<Option<f64>> {
        let text = self.text(column)?;
        if text.is_empty() {
            return Ok(None);
        }
        match parse_number(text, self.delimiter) {
            Some(v) => Ok(Some(v)),
            None => Err(self.error(column, not_a_number_message(text))),
        }
    }

    /// An input error located at this row and column.
    pub fn error(&self, column: usize, message: impl Into<String>) -> Error {
        let field = self.headers.get(column).map(String::as_str);
        Error::at_csv(self.path, self.line, field, message)
    }

    /// An input error located at this row, without a column.
    pub fn row_error(&self, message: impl Into<String>) -> Error {
        Error::at_csv(self.path, self.line, None, message)
    }
}

/// `bytes` without the ASCII characters `char::is_whitespace` is true for
/// (space, tab, line feed, vertical tab, form feed, carriage return) at
/// either end; for ASCII text the same as `str::trim`.
#[inline]
fn trim_ascii_whitespace(bytes: &[u8]) -> &[u8] {
    let space = |b: &u8| matches!(b, b' ' | b'\t'..=b'\r');
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// The message for a value that should have been a number.
pub fn not_a_number_message(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let trimmed = lower.trim_start_matches(['+', '-']);
    if matches!(trimmed, "nan" | "inf" | "infinity") {
        format!("expected a finite number, found `{text}`")
    } else {
        format!("expected a number, found `{text}`")
    }
}

/// Parses a trimmed, non-blank field as a finite number.
///
/// Accepts what Rust's `f64` parser accepts (`12`, `-3.5`, `+7`, `.5`,
/// `1e3`) except NaN and infinities. In files delimited by `;` (where
/// spreadsheets in most of Europe write decimal commas) a single decimal
/// comma is accepted too: `3,5` is 3.5. Thousands separators are not.
pub fn parse_number(text: &str, delimiter: u8) -> Option<f64> {
    if let Some(value) = parse_plain_decimal(text) {
        return Some(value);
    }
    let value = match text.parse::<f64>() {
        Ok(v) => v,
        Err(_) if delimiter == b';' => decimal_comma(text)?,
        Err(_) => return None,
    };
    value.is_finite().then_some(value)
}

/// The common case of [`parse_number`] fast: an optional sign, at most 15
/// digits and at most one decimal point, no exponent. The digits form an
/// integer below 2^53 and the point a power of ten up to 10^15, both exact
/// as `f64`, so their quotient is correctly rounded by the one division:
/// bit for bit what `str::parse` returns (Clinger's fast path). Other text
/// is left to `str::parse` (`None`).
fn parse_plain_decimal(text: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.len() > 16 {
        return None;
    }
    let (mut mantissa, mut count, mut point) = (0u64, 0usize, None);
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
            }
            b'.' if point.is_none() => point = Some(count),
            _ => return None,
        }
    }
    if count == 0 || count > 15 {
        return None;
    }
    let value = mantissa as f64 / POW10[count - point.unwrap_or(count)];
    Some(if negative { -value } else { value })
}

fn decimal_comma(text: &str) -> Option<f64> {
    let (whole, frac) = text.split_once(',')?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let sign_free = whole.strip_prefix(['+', '-']).unwrap_or(whole);
    if frac.is_empty() || !digits(frac) || !digits(sign_free) || text.contains('.') {
        return None;
    }
    let mut buf = String::with_capacity(text.len());
    buf.push_str(whole);
    buf.push('.');
    buf.push_str(frac);
    buf.parse().ok()
}

/// "missing column `x` (found: a, b, c); did you mean `y`?"
pub fn missing_column_message(name: &str, headers: &[String]) -> String {
    let named: Vec<&str> = headers
        .iter()
        .map(String::as_str)
        .filter(|h| !h.is_empty())
        .collect();
    let mut listed = named
        .iter()
        .take(LISTED_COLUMNS)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if named.len() > LISTED_COLUMNS {
        listed.push_str(&format!(", and {} more", named.len() - LISTED_COLUMNS));
    }
    let mut message = format!("missing column `{name}` (found: {listed})");
    if let Some(suggestion) = did_you_mean(name, named.iter().copied()) {
        message.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    message
}

/// Detects the delimiter and the byte-order-mark length from the start of
/// the input, without consuming it.
fn sniff<R: Read>(path: &Path, reader: &mut BufReader<R>) -> Result<(u8, usize)> {
    let buf = reader.fill_buf().map_err(|e| Error::io(path, "read", &e))?;
    if buf.starts_with(&[0xFF, 0xFE]) || buf.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::in_file(
            path,
            "the file is UTF-16 text; save it as UTF-8 (in Excel: \"CSV UTF-8\")",
        ));
    }
    if !buf.contains(&b'\n') && buf.contains(&b'\r') {
        return Err(Error::in_file(
            path,
            "the file ends its lines with a carriage return only (old Mac format); save it with Windows or Unix line breaks",
        ));
    }
    let bom = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    Ok((detect_delimiter(&buf[bom..]), bom))
}

/// The most frequent of `,` `;` tab outside quotes on the first line
/// (`,` when none occurs; ties prefer `,` then `;`).
pub fn detect_delimiter(start: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in start {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

fn memchr_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

fn csv_error(path: &Path, err: csv::Error) -> Error {
    let line = err.position().map(|p| p.line());
    match err.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(path, "read", &e),
        other => {
            let message = format!("cannot read CSV: {other:?}");
            match line {
                Some(line) => Error::at_csv(path, line, None, message),
                None => Error::in_file(path, message),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &[u8]) -> Result<CsvReader<&[u8]>> {
        CsvReader::from_reader(Path::new("c.csv"), text)
    }

    #[test]
    fn reads_bom_crlf_semicolons_quotes_and_trims() {
        let mut r =
            reader(b"\xEF\xBB\xBFid ; name;amount\r\n 1 ;\"a;b\";3,5\r\n2;\" x \";\r\n").unwrap();
        assert_eq!(r.delimiter(), b';');
        assert_eq!(r.headers(), ["id", "name", "amount"]);
        let row = r.next_row().unwrap().unwrap();
        assert_eq!(row.line(), 2);
        assert_eq!(row.text(0).unwrap(), "1");
        assert_eq!(row.text(1).unwrap(), "a;b");
        assert_eq!(row.number(2).unwrap(), Some(3.5));
        let row = r.next_row().unwrap().unwrap();
        assert_eq!(row.line(), 3);
        assert_eq!(row.text(1).unwrap(), "x");
        assert_eq!(row.number(2).unwrap(), None);
        assert!(r.next_row().unwrap().is_none());
    }

    #[test]
    fn blank_lines_and_missing_final_line_break_keep_line_numbers() {
        let mut r = reader(b"\r\nid,x\r\n\r\n1,2\r\n\n\n3,\"a\r\nb\"\r\n4,5").unwrap();
        assert_eq!(r.headers(), ["id", "x"]);
        let lines: Vec<(u64, String)> = std::iter::from_fn(|| {
            r.next_row()
                .unwrap()
                .map(|row| (row.line(), row.text(1).unwrap().to_string()))
        })
        .collect();
        assert_eq!(
            lines,
            [
                (4, "2".to_string()),
                (7, "a\r\nb".to_string()),
                (9, "5".to_string())
            ]
        );
    }

    #[test]
    fn ascii_trimming_matches_str_trim() {
        for b in 0..128u8 {
            let space = trim_ascii_whitespace(&[b]).is_empty();
            assert_eq!(space, (b as char).is_whitespace(), "byte {b}");
        }
        for text in ["", " ", " a ", "\x0b1\x0c", "a b", "\t\r\n", "x\x1f"] {
            assert_eq!(
                trim_ascii_whitespace(text.as_bytes()),
                text.trim().as_bytes()
            );
        }
        let mut r = reader(b"a,b\n \x0bx\t, \xc2\xa0y\xc2\xa0\n").unwrap();
        let row = r.next_row().unwrap().unwrap();
        assert_eq!(row.text(0).unwrap(), "x");
        assert_eq!(row.text(1).unwrap(), "y");
    }

    #[test]
    fn detects_tabs_and_defaults_to_commas() {
        assert_eq!(detect_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(detect_delimiter(b"single\n"), b',');
        assert_eq!(detect_delimiter(b"\"a;b\",c\n"), b',');
    }

    #[test]
    fn line_numbers_count_embedded_line_breaks() {
        let mut r = reader(b"id,note\n1,\"two\nlines\"\n2,x,y\n").unwrap();
        let _ = r.next_row().unwrap().unwrap();
        let err = r.next_row().err().unwrap();
        assert_eq!(
            err.to_string(),
            "error: c.csv:4: expected 2 fields as in the header line, found 3"
        );
    }

    #[test]
    fn numbers_reject_nan_and_infinity() {
        assert_eq!(parse_number("1e3", b','), Some(1000.0));
        assert_eq!(parse_number("-0.25", b','), Some(-0.25));
        assert_eq!(parse_number("NaN", b','), None);
        assert_eq!(parse_number("inf", b','), None);
        assert_eq!(parse_number("3,5", b','), None);
        assert_eq!(parse_number("1.000,5", b';'), None);
        assert_eq!(parse_number("-3,25", b';'), Some(-3.25));
        assert_eq!(
            not_a_number_message("-inf"),
            "expected a finite number, found `-inf`"
        );
        let mut r = reader(b"x\nabc\n").unwrap();
        let row = r.next_row().unwrap().unwrap();
        assert_eq!(
            row.number(0).unwrap_err().to_string(),
            "error: c.csv:2: column `x`: expected a number, found `abc`"
        );
    }

    #[test]
    fn the_fast_decimal_path_agrees_with_str_parse_bit_for_bit() {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "+0",
            "5.",
            ".5",
            "+.5",
            "-.5",
            ".",
            "-",
            "+",
            "-.",
            "",
            "00012.50",
            "1.2.3",
            "1e5",
            "5.e3",
            "1_0",
            " 1",
            "0.1",
            "0.3",
            "123456789012345",
            "1234567890123456",
            "-999999999999999",
            "99999999999999.9",
            ".000000000000001",
            "9007199254740993",
            "0.000000000000000000001",
            "1,5",
            "+-1",
            "٣",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // A deterministic spread of decimals: every split of many digit strings.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 10u64.pow((x >> 60) as u32 % 16 + 1)).to_string();
            let point = (x >> 40) as usize % (digits.len() + 1);
            let sign = ["", "-", "+"][(x >> 20) as usize % 3];
            texts.push(format!("{sign}{}.{}", &digits[..point], &digits[point..]));
            texts.push(format!("{sign}{digits}"));
        }
        for text in &texts {
            let fast = parse_plain_decimal(text);
            let std = text.parse::<f64>().ok();
            if let Some(v) = fast {
                assert_eq!(Some(v.to_bits()), std.map(f64::to_bits), "{text}");
            }
            assert_eq!(
                parse_number(text, b',').map(f64::to_bits),
                std.filter(|v| v.is_finite()).map(f64::to_bits),
                "{text}"
            );
        }
        assert_eq!(parse_plain_decimal("12.25"), Some(12.25));
        assert_eq!(parse_plain_decimal("1e5"), None);
    }

    #[test]
    fn header_problems_are_reported() {
        let err = reader(b"").err().unwrap();
        assert_eq!(
            err.to_string(),
            "error: c.csv: the file is empty; expected a header line with columns"
        );
        let err = reader(b"a,b,a\n").err().unwrap();
        assert_eq!(
            err.to_string(),
            "error: c.csv:1: column `a`: the header line names this column twice (fields 1 and 3); rename one of them"
        );
        let r = reader(b"customer_id,region\n").unwrap();
        assert_eq!(
            r.column("custome_id").unwrap_err().to_string(),
            "error: c.csv: missing column `custome_id` (found: customer_id, region); did you mean `customer_id`?"
        );
        assert_eq!(
            r.column("segment").unwrap_err().to_string(),
            "error: c.csv: missing column `segment` (found: customer_id, region)"
        );
    }

    #[test]
    fn missing_file_names_the_file() {
        let err = CsvReader::open(Path::new("/nonexistent/x.csv"))
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "error: /nonexistent/x.csv: cannot read file: no such file or directory"
        );
    }
}
