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
//! Blank lines are skipped. Rows are split by [`crate::io::tokenizer`]
//! inside one reused buffer, so reading does not allocate per row. Every
//! problem is reported as an [`Error`] naming the file, the 1-based
//! physical line (the line a record starts on) and the column: ragged
//! rows, text that is not UTF-8, duplicate header names, missing columns
//! (with a did-you-mean), numbers that do not parse.
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
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, did_you_mean, shown};
use crate::io::progress::Counting;
use crate::io::tokenizer::{Batch, Tokenizer, set_width};

/// How many header names a "missing column" error lists before eliding.
const LISTED_COLUMNS: usize = 12;

/// Rows tokenized at a time for [`CsvReader::next_row`].
const ROWS: usize = 64;

/// A streaming reader of one CSV file with a header line.
pub struct CsvReader<R: Read> {
    path: PathBuf,
    tokenizer: Tokenizer<R>,
    headers: Vec<String>,
    delimiter: u8,
    batch: Batch,
    /// The next row of `batch` that [`CsvReader::next_row`] returns.
    next: usize,
}

impl CsvReader<Counting<File>> {
    /// Opens `path` and reads its header line. The path is used as given in
    /// error messages. Bytes read count towards [`crate::io::progress`].
    ///
    /// A pipe, FIFO or device is refused before it is opened: pilot reads
    /// an input more than once (its header when checking the experiment,
    /// then the rows, in parallel parts), which a pipe cannot give, and
    /// opening a FIFO with no writer would wait forever.
    pub fn open(path: &Path) -> Result<Self> {
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() && !m.is_dir() => {
                return Err(Error::in_file(
                    path,
                    "is a pipe or a device, not a file: pilot reads an input more than once",
                )
                .with_note("save the export to a file first and point the setting at that file"));
            }
            _ => {}
        }
        let file = File::open(path).map_err(|e| Error::io(path, "read", &e))?;
        Self::from_reader(path, Counting(file))
    }
}

impl<R: Read> CsvReader<R> {
    /// Reads CSV from `source`; `path` names it in error messages.
    pub fn from_reader(path: &Path, source: R) -> Result<Self> {
        let mut tokenizer = Tokenizer::new(path, source);
        let (delimiter, bom) = sniff(path, tokenizer.peek()?)?;
        tokenizer.skip(bom);
        tokenizer.set_delimiter(delimiter);
        let mut this = Self {
            path: path.to_path_buf(),
            tokenizer,
            headers: Vec::new(),
            delimiter,
            batch: Batch::default(),
            next: 0,
        };
        this.read_header()?;
        Ok(this)
    }

    /// A reader of one part of a file whose header `like` has read: from
    /// `source`, positioned at input offset `start`, which begins a record
    /// on line `line`, up to the first record starting at or after `end`.
    /// See [`Tokenizer::part`] for how parts are checked to join up.
    pub fn part<S: Read>(
        like: &CsvReader<S>,
        source: R,
        start: u64,
        line: u64,
        end: u64,
    ) -> CsvReader<R> {
        let mut tokenizer = Tokenizer::part(&like.path, source, start, line, end);
        tokenizer.set_delimiter(like.delimiter);
        let mut batch = Batch::default();
        set_width(&mut batch, like.headers.len());
        CsvReader {
            path: like.path.clone(),
            tokenizer,
            headers: like.headers.clone(),
            delimiter: like.delimiter,
            batch,
            next: 0,
        }
    }

    /// Stops reading before the first record that starts at or after
    /// input offset `end` (for the first part of a file read in parts).
    pub fn end_at(&mut self, end: u64) {
        self.tokenizer.set_end(end);
    }

    fn read_header(&mut self) -> Result<()> {
        self.tokenizer.fill(&mut self.batch, 1)?;
        if let Some(err) = self.batch.take_error() {
            return Err(err);
        }
        if self.batch.is_empty() {
            return Err(Error::in_file(
                &self.path,
                "the file is empty; expected a header line with columns",
            ));
        }
        let line = self.batch.line(0);
        let bytes = self.tokenizer.bytes();
        let mut headers = Vec::with_capacity(self.batch.fields(0).len());
        for (i, &(s, e)) in self.batch.fields(0).iter().enumerate() {
            let name = std::str::from_utf8(&bytes[s as usize..e as usize]).map_err(|_| {
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
        set_width(&mut self.batch, headers.len());
        self.headers = headers;
        self.next = self.batch.len();
        Ok(())
    }

    /// The source the reader reads from.
    pub fn source(&self) -> &R {
        self.tokenizer.source()
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

    /// The input offset where the next row starts (after the header line
    /// at first; where a part ended once it is read).
    pub fn position(&self) -> u64 {
        self.tokenizer.position()
    }

    /// The line number at [`position`](Self::position).
    pub fn line(&self) -> u64 {
        self.tokenizer.line()
    }

    /// The XXH3-128 of every byte read so far: of the whole file once it
    /// is read to the end, of exactly the bytes of a part once it is read.
    pub fn digest(&mut self) -> u128 {
        self.tokenizer.digest()
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
    /// borrows the reader's buffer.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        if self.next >= self.batch.len() {
            if let Some(err) = self.batch.take_error() {
                return Err(err);
            }
            self.tokenizer.fill(&mut self.batch, ROWS)?;
            self.next = 0;
            if self.batch.is_empty() {
                return match self.batch.take_error() {
                    Some(err) => Err(err),
                    None => Ok(None),
                };
            }
        }
        self.next += 1;
        Ok(Some(self.batch_row(self.next - 1)))
    }

    /// Reads up to `max` further rows at once, for callers that look at
    /// several rows before handling the first (to start their memory
    /// accesses early); the rows are [`batch_row`](Self::batch_row)`(0..n)`.
    /// `Ok(0)` at the end of the file. A row that cannot be read ends a
    /// batch early: [`batch_error`](Self::batch_error) then returns its
    /// error, to report after the rows before it, so that errors come in
    /// file order as with [`next_row`](Self::next_row).
    pub fn read_batch(&mut self, max: usize) -> Result<usize> {
        self.tokenizer.fill(&mut self.batch, max.max(1))?;
        self.next = self.batch.len();
        Ok(self.batch.len())
    }

    /// Row `r` of the last batch.
    pub fn batch_row(&self, r: usize) -> Row<'_> {
        Row {
            bytes: self.tokenizer.bytes(),
            fields: self.batch.fields(r),
            ascii: self.batch.ascii(r),
            headers: &self.headers,
            path: &self.path,
            line: self.batch.line(r),
            delimiter: self.delimiter,
        }
    }

    /// The problem that ended the last batch, if any (returned once).
    pub fn batch_error(&mut self) -> Option<Error> {
        self.batch.take_error()
    }
}

/// One data row; fields are addressed by column index.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    bytes: &'a [u8],
    fields: &'a [(u32, u32)],
    /// Every byte of the row is ASCII.
    ascii: bool,
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
        self.fields.len()
    }

    /// True if the row has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The raw bytes of a field, untrimmed.
    #[inline]
    pub fn raw(&self, column: usize) -> &'a [u8] {
        match self.fields.get(column) {
            Some(&(s, e)) => &self.bytes[s as usize..e as usize],
            None => &[],
        }
    }

    /// Checks that every field is UTF-8 (one pass over the whole record),
    /// naming the first field that is not.
    pub fn check_utf8(&self) -> Result<()> {
        let whole = match (self.fields.first(), self.fields.last()) {
            (Some(&(s, _)), Some(&(_, e))) => &self.bytes[s as usize..e as usize],
            _ => &[],
        };
        if std::str::from_utf8(whole).is_ok() {
            return Ok(());
        }
        for column in 0..self.fields.len() {
            self.text(column)?;
        }
        Ok(())
    }

    /// The trimmed text of a field; an error if it is not UTF-8.
    #[inline]
    pub fn text(&self, column: usize) -> Result<&'a str> {
        let raw = self.raw(column);
        if self.ascii || raw.is_ascii() {
            // The common case, without a call per field: ASCII is UTF-8,
            // and in ASCII `str::trim` removes exactly these bytes (none
            // when both ends are printable, the usual case).
            let trimmed = match (raw.first(), raw.last()) {
                (Some(&a), Some(&b)) if a > b' ' && b > b' ' => raw,
                _ => trim_ascii_whitespace(raw),
            };
            // SAFETY: `trimmed` is ASCII (a part of `raw`, which is part
            // of a row checked to be ASCII, or checked itself), and ASCII
            // bytes are valid UTF-8.
            return Ok(unsafe { std::str::from_utf8_unchecked(trimmed) });
        }
        self.unicode_text(column, raw)
    }

    /// [`text`](Self::text) for a field with bytes beyond ASCII.
    #[cold]
    fn unicode_text(&self, column: usize, raw: &'a [u8]) -> Result<&'a str> {
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(s.trim()),
            Err(_) => Err(self.error(
                column,
                "the value is not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\")",
            )),
        }
    }

    /// The field as a number; `None` if blank. See [`parse_number`].
    #[inline]
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

/// The message for a value that should have been a number (the value
/// shown cut and escaped, see [`shown`]).
pub fn not_a_number_message(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let trimmed = lower.trim_start_matches(['+', '-']);
    if matches!(trimmed, "nan" | "inf" | "infinity") {
        format!("expected a finite number, found `{}`", shown(text))
    } else {
        format!("expected a number, found `{}`", shown(text))
    }
}

/// Parses a trimmed, non-blank field as a finite number.
///
/// Accepts what Rust's `f64` parser accepts (`12`, `-3.5`, `+7`, `.5`,
/// `1e3`) except NaN and infinities. In files delimited by `;` (where
/// spreadsheets in most of Europe write decimal commas) a single decimal
/// comma is accepted too: `3,5` is 3.5. Thousands separators are not.
#[inline]
pub fn parse_number(text: &str, delimiter: u8) -> Option<f64> {
    match parse_plain_decimal(text) {
        Some(value) => Some(value),
        None => parse_other_number(text, delimiter),
    }
}

/// [`parse_number`] for text that is not a plain decimal.
#[cold]
fn parse_other_number(text: &str, delimiter: u8) -> Option<f64> {
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
#[inline]
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
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    // `point`: where the decimal point is, or the length if there is none.
    let (mut mantissa, mut point) = (0u64, digits.len());
    for (i, &b) in digits.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && point == digits.len() {
            point = i;
        } else {
            return None;
        }
    }
    let decimals = digits.len() - point.min(digits.len() - 1) - 1;
    let count = digits.len() - usize::from(point < digits.len());
    if count == 0 || count > 15 {
        return None;
    }
    let value = mantissa as f64 / POW10[decimals];
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
        .map(|h| shown(h))
        .collect::<Vec<_>>()
        .join(", ");
    if named.len() > LISTED_COLUMNS {
        listed.push_str(&format!(", and {} more", named.len() - LISTED_COLUMNS));
    }
    let mut message = format!("missing column `{}` (found: {listed})", shown(name));
    if let Some(suggestion) = did_you_mean(name, named.iter().copied()) {
        message.push_str(&format!("; did you mean `{}`?", shown(suggestion)));
    }
    message
}

/// Detects the delimiter and the byte-order-mark length from the start of
/// the input, without consuming it.
fn sniff(path: &Path, buf: &[u8]) -> Result<(u8, usize)> {
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
    fn long_cells_and_headers_are_cut_in_messages() {
        let long = "9".repeat(30) + &"x".repeat(300);
        let message = not_a_number_message(&long);
        assert!(message.len() < 120, "{message}");
        assert!(
            message.starts_with("expected a number, found `999"),
            "{message}"
        );
        let headers = vec!["id".to_string(), "y".repeat(500)];
        let message = missing_column_message("amount", &headers);
        assert!(message.len() < 150, "{message}");
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
