//! Splitting CSV bytes into records and fields, fast.
//!
//! Reading an export is the main cost of an analysis, so the common case
//! gets a short path: a record without a quote character is split at the
//! delimiters found by a vectorised search (`memchr`), and its fields are
//! handed out as ranges of the read buffer, without copying. A record that
//! holds a quote anywhere is handed, whole, to `csv_core` (the state
//! machine under the `csv` crate), whose unescaped fields are written back
//! over the record's own bytes; both paths therefore split every input the
//! way `csv_core` does, which a test checks on random inputs.
//!
//! The dialect: the given delimiter, `"` quotes with `""` inside quoted
//! fields, records ending at `\n` (a `\r` before it stays in the last field
//! for the caller to trim), blank lines skipped. Input that does not end
//! with a line break gets one, so the last record always ends; a quote
//! still open at the end of the input is then an error instead of a record
//! that swallows the rest of the file.
//!
//! A tokenizer can also read one part of a file (see [`Tokenizer::part`]):
//! from a byte offset known to start a record, up to the first record that
//! starts at or after an end offset. Parts let several threads read one
//! file, and each part fingerprints exactly the bytes it consumed.

use std::io::Read;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Result};

/// Read buffer size for large inputs; it grows beyond only for a record
/// longer than this.
const BUFFER: usize = 1 << 18;
/// First read buffer size: small files need no more.
const FIRST_BUFFER: usize = 1 << 13;
/// Longest record read: field ranges are 32-bit, and a record this long
/// is a quote left open, not data.
const MAX_RECORD: usize = 1 << 30;

/// The records of one [`Tokenizer::fill`]: field ranges into the
/// tokenizer's buffer, valid until the next fill.
#[derive(Debug, Default)]
pub struct Batch {
    /// Field ranges, `fields` per row (the first row's: the header's).
    bounds: Vec<(u32, u32)>,
    /// The line each row starts on.
    lines: Vec<u64>,
    /// Per row: every byte is ASCII (so every field is UTF-8).
    ascii: Vec<bool>,
    /// Fields per row; `None` until the header is read.
    width: Option<usize>,
    /// A problem found after the rows of this batch; report it once they
    /// are handled.
    error: Option<Error>,
}

impl Batch {
    /// Rows in the batch.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True if the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The line row `r` starts on.
    pub fn line(&self, r: usize) -> u64 {
        self.lines[r]
    }

    /// True if every byte of row `r` is ASCII.
    pub fn ascii(&self, r: usize) -> bool {
        self.ascii[r]
    }

    /// The field ranges of row `r`.
    pub fn fields(&self, r: usize) -> &[(u32, u32)] {
        match self.width {
            Some(w) => &self.bounds[r * w..(r + 1) * w],
            None => &self.bounds,
        }
    }

    /// The error that ended the batch, if any (taken: reported once).
    pub fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    fn clear(&mut self) {
        self.bounds.clear();
        self.lines.clear();
        self.ascii.clear();
        self.error = None;
    }
}

/// The state of a walk over the structure masks of the buffer.
struct Scan {
    /// Input position of the 64 bytes `mask` and `high` describe.
    block: usize,
    /// Delimiters, line breaks and quotes not yet taken, one bit per byte.
    mask: u64,
    /// Bytes beyond ASCII in the block.
    high: u64,
    /// Bit where the current record starts in this block (0 if it started
    /// in an earlier one).
    from: usize,
    /// The record has bytes beyond ASCII in the blocks left behind.
    wide: bool,
}

impl Scan {
    /// True if the record's bytes up to input position `end` (not
    /// included, in this block) are all ASCII.
    fn ascii_before(&self, end: usize) -> bool {
        !self.wide && self.high & !mask_below(self.from) & mask_below(end - self.block) == 0
    }
}

/// What [`Tokenizer::quoted_field`] found.
enum Quoted {
    /// A field quoted whole: its closing quote, the delimiter or line
    /// break after it, and the line breaks inside.
    Field {
        close: usize,
        end: usize,
        lines: u64,
    },
    /// The buffer ends inside the field.
    NeedMore,
    /// A quote inside the field (or text after the closing quote): left
    /// to `csv_core`.
    Other,
}

/// Why [`Tokenizer::records`] stopped.
enum Step {
    /// The batch is full, or a quoted record was read.
    Row,
    /// The buffer ends inside the record: read more.
    NeedMore,
    /// The end of the input, or of the part.
    Done,
}

/// Splits a byte stream into records; see the module documentation.
pub struct Tokenizer<R> {
    path: PathBuf,
    source: R,
    buf: Vec<u8>,
    /// Start of the next record in `buf` (a record boundary).
    pos: usize,
    /// End of the data in `buf`.
    filled: usize,
    /// Offset in the input of `buf[0]`.
    offset: u64,
    /// The source is exhausted (and a final line break added if missing).
    eof: bool,
    /// A line break was added after the source's last byte.
    added_newline: bool,
    /// The last byte read from the source.
    last: u8,
    /// Line number of the line at `pos`.
    line: u64,
    /// Records starting at or after this input offset belong to the next part.
    end: u64,
    delimiter: u8,
    /// Splits records with quotes; between records at the start of one.
    core: csv_core::Reader,
    /// How far `core` got into the record at `pos` before the buffer ran
    /// out (input, output and field ends taken), to go on from there once
    /// more input is read.
    partial: (usize, usize, usize),
    scratch: Vec<u8>,
    scratch_ends: Vec<usize>,
    hasher: Xxh3,
    /// `buf[..hashed]` is in `hasher`.
    hashed: usize,
}

impl<R: Read> Tokenizer<R> {
    /// A tokenizer of the whole input `source`; `path` names it in errors.
    /// Call [`skip`](Self::skip) for a byte order mark, then read the
    /// header with [`fill`](Self::fill) before setting the width.
    pub fn new(path: &Path, source: R) -> Self {
        Self::part(path, source, 0, 1, u64::MAX)
    }

    /// A tokenizer of one part of an input: `source` is positioned at input
    /// offset `start`, which starts a record on line `line`; the part ends
    /// before the first record that starts at or after offset `end`.
    pub fn part(path: &Path, source: R, start: u64, line: u64, end: u64) -> Self {
        Self {
            path: path.to_path_buf(),
            source,
            buf: vec![0; FIRST_BUFFER],
            pos: 0,
            filled: 0,
            offset: start,
            eof: false,
            added_newline: false,
            last: b'\n',
            line,
            end,
            delimiter: b',',
            core: primed(b','),
            partial: (0, 0, 0),
            scratch: Vec::new(),
            scratch_ends: Vec::new(),
            hasher: Xxh3::new(),
            hashed: 0,
        }
    }

    /// Ends the input before the first record that starts at or after
    /// input offset `end`.
    pub fn set_end(&mut self, end: u64) {
        self.end = end;
    }

    /// Sets the field delimiter (`,` until set).
    pub fn set_delimiter(&mut self, delimiter: u8) {
        self.delimiter = delimiter;
        self.core = primed(delimiter);
    }

    /// The first bytes of the input (up to a buffer's worth), read if need
    /// be, for sniffing the format before reading records.
    pub fn peek(&mut self) -> Result<&[u8]> {
        while !self.eof && self.filled < 4096 {
            if !self.read_more()? {
                break;
            }
        }
        let real = self.filled - usize::from(self.added_newline);
        Ok(&self.buf[self.pos..real])
    }

    /// Skips `n` bytes at the start (a byte order mark); they still count
    /// towards the fingerprint.
    pub fn skip(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.filled);
    }

    /// The source being read.
    pub fn source(&self) -> &R {
        &self.source
    }

    /// The input offset of the next record: after a part is read, where it
    /// ended (the start of the next part if that part began at a record).
    pub fn position(&self) -> u64 {
        self.offset + self.pos as u64
    }

    /// The line number at [`position`](Self::position).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The fingerprint of the bytes consumed so far (all of the input once
    /// it is read to the end): XXH3-128 as
    /// [`file_fingerprint`](crate::io::fingerprint::file_fingerprint).
    pub fn digest(&mut self) -> u128 {
        self.hash_to(self.pos);
        self.hasher.digest128()
    }

    /// The bytes of the buffer the batch's ranges point into.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.filled]
    }

    /// Replaces `batch` with up to `max` further rows (at least one unless
    /// the input or part is done, or a problem ends the batch first: then
    /// [`Batch::take_error`] returns it after the rows before it). The
    /// first row read while `batch` has no width is the header; set the
    /// width with [`set_width`] before reading data rows, whose field
    /// count must then match.
    pub fn fill(&mut self, batch: &mut Batch, max: usize) -> Result<()> {
        batch.clear();
        let max = if batch.width.is_none() { 1 } else { max };
        loop {
            match self.records(batch, max) {
                Ok(Step::NeedMore) if batch.is_empty() && !self.eof => {
                    self.read_more()?;
                }
                Ok(_) => return Ok(()),
                Err(err) => {
                    batch.error = Some(err);
                    return Ok(());
                }
            }
        }
    }

    /// Tokenizes records from `pos` into `batch` until it holds `max` rows
    /// ([`Step::Row`]), the input or part ends, or the buffer ends inside a
    /// record.
    ///
    /// The scan keeps a mask of the delimiters, line breaks and quotes in
    /// the 64 bytes from `block`, one bit per byte, and walks its set bits:
    /// a few instructions per field instead of a state machine step per
    /// byte.
    fn records(&mut self, batch: &mut Batch, max: usize) -> Result<Step> {
        let mut scan = self.scan_from(self.pos);
        loop {
            if batch.len() >= max {
                return Ok(Step::Row);
            }
            if self.offset + self.pos as u64 >= self.end {
                return Ok(Step::Done);
            }
            if self.pos == self.filled {
                return Ok(if self.eof { Step::Done } else { Step::NeedMore });
            }
            let first = batch.bounds.len();
            let mut start = self.pos;
            // Line breaks inside quoted fields of the record.
            let mut breaks = 0;
            scan.from = self.pos - scan.block;
            scan.wide = false;
            loop {
                let Some(at) = self.next_structural(&mut scan) else {
                    batch.bounds.truncate(first);
                    return Ok(Step::NeedMore);
                };
                let mut end = at;
                if self.buf[at] == b'"' {
                    let quoted = if at == start {
                        self.quoted_field(&mut scan, at)
                    } else {
                        Quoted::Other
                    };
                    match quoted {
                        Quoted::Field {
                            close,
                            end: after,
                            lines,
                        } => {
                            breaks += lines;
                            start = at + 1;
                            end = close;
                            batch.bounds.push((start as u32, end as u32));
                            if self.buf[after] != b'\n' {
                                start = after + 1;
                                continue;
                            }
                            end = after;
                        }
                        Quoted::NeedMore if !self.eof => {
                            batch.bounds.truncate(first);
                            return Ok(Step::NeedMore);
                        }
                        // A quote inside a field, or still open at the
                        // end of the input (`csv_core` reports it).
                        Quoted::NeedMore | Quoted::Other => {
                            batch.bounds.truncate(first);
                            if let Step::NeedMore = self.quoted_record(batch)? {
                                return Ok(Step::NeedMore);
                            }
                            scan = self.scan_from(self.pos);
                            break;
                        }
                    }
                } else {
                    batch.bounds.push((start as u32, at as u32));
                }
                if self.buf[end] == b'\n' {
                    self.pos = end + 1;
                    let line = self.line;
                    self.line += 1 + breaks;
                    let ascii = scan.ascii_before(end);
                    self.finish(batch, first, line, ascii)?;
                    break;
                }
                start = end + 1;
            }
        }
    }

    /// A scan of the structure masks from input position `at`.
    fn scan_from(&self, at: usize) -> Scan {
        let (mask, high) = self.structure(at);
        Scan {
            block: at,
            mask,
            high,
            from: 0,
            wide: false,
        }
    }

    /// The position of the next delimiter, line break or quote, taken from
    /// `scan`; `None` where the data in the buffer ends.
    #[inline]
    fn next_structural(&self, scan: &mut Scan) -> Option<usize> {
        while scan.mask == 0 {
            scan.wide |= scan.high & !mask_below(scan.from) != 0;
            scan.from = 0;
            scan.block += 64;
            if scan.block >= self.filled {
                return None;
            }
            (scan.mask, scan.high) = self.structure(scan.block);
        }
        let at = scan.block + scan.mask.trailing_zeros() as usize;
        scan.mask &= scan.mask - 1;
        Some(at)
    }

    /// Reads the field opened by the quote at `open`, if it is quoted
    /// whole: the closing quote must be followed by the delimiter or the
    /// line break (taken from `scan` too).
    #[inline]
    fn quoted_field(&self, scan: &mut Scan, open: usize) -> Quoted {
        let mut lines = 0;
        let close = loop {
            let Some(at) = self.next_structural(scan) else {
                return Quoted::NeedMore;
            };
            match self.buf[at] {
                b'"' => break at,
                b'\n' => lines += 1,
                _ => {}
            }
        };
        debug_assert!(close > open);
        let Some(end) = self.next_structural(scan) else {
            return Quoted::NeedMore;
        };
        if end == close + 1 && (self.buf[end] == b'\n' || self.buf[end] == self.delimiter) {
            Quoted::Field { close, end, lines }
        } else {
            Quoted::Other
        }
    }

    /// The masks of delimiters, line breaks and quotes, and of bytes
    /// beyond ASCII, among the (up to) 64 bytes of data from `from`: bit
    /// `i` for byte `from + i`.
    #[inline]
    fn structure(&self, from: usize) -> (u64, u64) {
        if from + 64 <= self.filled {
            let block: &[u8; 64] = self.buf[from..from + 64].try_into().unwrap_or(&[0; 64]);
            return structure_mask(block, self.delimiter);
        }
        // Past the data the buffer holds stale bytes: copy what is data.
        let mut block = [0u8; 64];
        let n = self.filled.saturating_sub(from);
        block[..n].copy_from_slice(&self.buf[from..from + n]);
        let (mask, high) = structure_mask(&block, self.delimiter);
        (mask & mask_below(n), high & mask_below(n))
    }

    /// Hands a record with quotes to `csv_core` and writes its unescaped
    /// fields back over the record's bytes (never longer than they).
    #[cold]
    fn quoted_record(&mut self, batch: &mut Batch) -> Result<Step> {
        let start = self.pos;
        let (mut nin, mut nout, mut nends) = self.partial;
        loop {
            if self.scratch.len() < self.filled - start {
                self.scratch.resize(self.filled - start, 0);
            }
            if self.scratch_ends.len() < nends + 16 {
                self.scratch_ends.resize(nends + 16, 0);
            }
            let input = &self.buf[start + nin..self.filled];
            // `csv_core` takes empty input for the end of the input, and
            // would end the record there; the end is told below instead.
            let (result, i, o, e) = if input.is_empty() {
                (csv_core::ReadRecordResult::InputEmpty, 0, 0, 0)
            } else {
                self.core.read_record(
                    input,
                    &mut self.scratch[nout..],
                    &mut self.scratch_ends[nends..],
                )
            };
            nin += i;
            nout += o;
            nends += e;
            match result {
                csv_core::ReadRecordResult::Record => break,
                csv_core::ReadRecordResult::OutputFull
                | csv_core::ReadRecordResult::OutputEndsFull => {}
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                    if !self.eof {
                        self.partial = (nin, nout, nends);
                        return Ok(Step::NeedMore);
                    }
                    // Not cloned: `csv_core` 0.1.13's `Clone` for its
                    // state machine copies only part of it.
                    self.core = primed(self.delimiter);
                    self.partial = (0, 0, 0);
                    // The input ends with a line break, which ends every
                    // record outside quotes: this one is inside a quote.
                    return Err(Error::at_csv(
                        &self.path,
                        self.line,
                        None,
                        "a quote `\"` opened in this row is never closed, so the rest of the file reads as one field; close or remove it",
                    ));
                }
            }
        }
        self.partial = (0, 0, 0);
        let end = start + nin;
        self.hash_to(end);
        let line = self.line;
        self.line += memchr::memchr_iter(b'\n', &self.buf[start..end]).count() as u64;
        self.buf[start..start + nout].copy_from_slice(&self.scratch[..nout]);
        let first = batch.bounds.len();
        let mut field_start = 0;
        for &field_end in &self.scratch_ends[..nends] {
            batch
                .bounds
                .push(((start + field_start) as u32, (start + field_end) as u32));
            field_start = field_end;
        }
        self.pos = end;
        let ascii = self.buf[start..start + nout].is_ascii();
        self.finish(batch, first, line, ascii)?;
        Ok(Step::Row)
    }

    /// Checks the record whose fields start at `first` and keeps it as a
    /// row, or drops it as a blank line.
    #[inline]
    fn finish(&mut self, batch: &mut Batch, first: usize, line: u64, ascii: bool) -> Result<()> {
        let fields = batch.bounds.len() - first;
        if fields == 1 {
            let (s, e) = batch.bounds[first];
            if is_blank(&self.buf[s as usize..e as usize]) {
                batch.bounds.truncate(first);
                return Ok(());
            }
        }
        if let Some(width) = batch.width
            && fields != width
        {
            batch.bounds.truncate(first);
            return Err(Error::at_csv(
                &self.path,
                line,
                None,
                format!("expected {width} fields as in the header line, found {fields}"),
            ));
        }
        batch.ascii.push(ascii);
        batch.lines.push(line);
        Ok(())
    }

    /// Reads more input after the data, first moving the unread bytes to
    /// the front of the buffer (or growing it when one record fills it).
    /// `Ok(false)` at the end of the input.
    fn read_more(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.hash_to(self.pos);
            self.buf.copy_within(self.pos..self.filled, 0);
            self.offset += self.pos as u64;
            self.filled -= self.pos;
            self.pos = 0;
            self.hashed = 0;
        }
        if self.buf.len() < BUFFER && self.filled > self.buf.len() / 2 {
            self.buf.resize(self.buf.len() * 2, 0);
        } else if self.filled == self.buf.len() {
            if self.buf.len() >= MAX_RECORD {
                return Err(Error::at_csv(
                    &self.path,
                    self.line,
                    None,
                    "this row is longer than 1 GiB; a quote `\"` opened in it is probably never closed",
                ));
            }
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = loop {
            match self.source.read(&mut self.buf[self.filled..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(&self.path, "read", &e)),
            }
        };
        if n == 0 {
            self.eof = true;
            if self.last != b'\n' {
                self.buf[self.filled] = b'\n';
                self.filled += 1;
                self.added_newline = true;
            }
            return Ok(false);
        }
        self.last = self.buf[self.filled + n - 1];
        self.filled += n;
        Ok(true)
    }

    /// Adds `buf[hashed..to]` to the fingerprint, leaving out the line
    /// break added at the end of the input.
    fn hash_to(&mut self, to: usize) {
        let to = to.min(self.filled - usize::from(self.added_newline));
        if to > self.hashed {
            self.hasher.update(&self.buf[self.hashed..to]);
            self.hashed = to;
        }
    }
}

/// Bits `0..n` set (all 64 for `n >= 64`).
fn mask_below(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// Bit `i` set where `block[i]` is the delimiter, a line break or a
/// quote; and bit `i` set where `block[i]` is beyond ASCII. With SSE2
/// (every x86-64 CPU): sixteen bytes per compare.
#[cfg(target_arch = "x86_64")]
#[inline]
fn structure_mask(block: &[u8; 64], delimiter: u8) -> (u64, u64) {
    // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 CPU has it.
    unsafe { sse2_structure_mask(block, delimiter) }
}

/// [`structure_mask`] with SSE2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn sse2_structure_mask(block: &[u8; 64], delimiter: u8) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let delimiter = _mm_set1_epi8(delimiter as i8);
    let newline = _mm_set1_epi8(b'\n' as i8);
    let quote = _mm_set1_epi8(b'"' as i8);
    let (mut mask, mut high) = (0u64, 0u64);
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: `chunk` holds 16 readable bytes, and `_mm_loadu_si128`
        // reads 16 bytes from any address (no alignment needed).
        let bytes = unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) };
        let hits = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(bytes, delimiter),
                _mm_cmpeq_epi8(bytes, newline),
            ),
            _mm_cmpeq_epi8(bytes, quote),
        );
        mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * k);
        high |= u64::from(_mm_movemask_epi8(bytes) as u16) << (16 * k);
    }
    (mask, high)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn structure_mask(block: &[u8; 64], delimiter: u8) -> (u64, u64) {
    portable_structure_mask(block, delimiter)
}

/// [`structure_mask`] in plain integer arithmetic, eight bytes at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn portable_structure_mask(block: &[u8; 64], delimiter: u8) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let (delimiter, newline, quote) = (
        ONES * u64::from(delimiter),
        ONES * u64::from(b'\n'),
        ONES * u64::from(b'"'),
    );
    let (mut mask, mut high) = (0, 0);
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let hits =
            equal_bytes(word, delimiter) | equal_bytes(word, newline) | equal_bytes(word, quote);
        mask |= gather(hits) << (8 * k);
        high |= gather(word & 0x8080_8080_8080_8080) << (8 * k);
    }
    (mask, high)
}

/// The high bit of each byte of `word` that equals the byte repeated in
/// `pattern`, exactly (no carries cross bytes: each byte's low seven bits
/// plus 0x7F stay below 0x100).
#[inline]
fn equal_bytes(word: u64, pattern: u64) -> u64 {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let t = word ^ pattern;
    !(((t & LOW) + LOW) | t) & !LOW
}

/// The high bits of the eight bytes of `high` as the low eight bits.
#[inline]
fn gather(high: u64) -> u64 {
    (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Sets the number of fields every data row must have.
pub fn set_width(batch: &mut Batch, width: usize) {
    batch.width = Some(width);
}

/// A `csv_core` reader at the start of a record that will not mistake a
/// record starting with the bytes of a byte order mark for one (it strips
/// a BOM only before its first input, so it is given a blank line first).
fn primed(delimiter: u8) -> csv_core::Reader {
    let mut core = csv_core::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv_core::Terminator::Any(b'\n'))
        .build();
    let (mut out, mut ends) = ([0u8; 1], [0usize; 1]);
    let _ = core.read_record(b"\n", &mut out, &mut ends);
    core
}

/// True for a line that holds only ASCII whitespace: a blank line, which
/// is skipped (a line of other blank characters is a row of one field).
fn is_blank(bytes: &[u8]) -> bool {
    bytes.trim_ascii().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out at most `step` bytes per read, so that
    /// records end up split across reads at every possible place.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.data.len().min(self.step).min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Per record its line, whether it is all ASCII, and its fields; and
    /// whether a quote was left open at the end.
    type Records = (Vec<(u64, bool, Vec<Vec<u8>>)>, bool);

    /// Every record of `input` as `csv_core` alone splits it (with a line
    /// break added at the end), blank ones left out, each with the line it
    /// starts on; and whether a quote is left open at the end.
    fn oracle(input: &[u8], delimiter: u8) -> Records {
        let mut data = input.to_vec();
        if data.last().is_some_and(|&b| b != b'\n') {
            data.push(b'\n');
        }
        let mut core = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(csv_core::Terminator::Any(b'\n'))
            .build();
        let (mut out, mut ends) = (vec![0u8; data.len() + 1], vec![0usize; data.len() + 1]);
        let mut records = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let mut start = at;
            while start < data.len() && data[start] == b'\n' {
                start += 1;
            }
            let (result, nin, _, nend) = core.read_record(&data[at..], &mut out, &mut ends);
            match result {
                csv_core::ReadRecordResult::Record => {}
                csv_core::ReadRecordResult::InputEmpty if start < data.len() => {
                    return (records, true);
                }
                _ => break,
            }
            let mut fields = Vec::new();
            let mut from = 0;
            for &end in &ends[..nend] {
                fields.push(out[from..end].to_vec());
                from = end;
            }
            at += nin;
            if fields.len() == 1 && fields[0].trim_ascii().is_empty() {
                continue;
            }
            let line = 1 + data[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            let ascii = fields.iter().all(|f| f.is_ascii());
            records.push((line, ascii, fields));
        }
        (records, false)
    }

    /// The records the tokenizer finds, reading `step` bytes at a time.
    fn tokenized(input: &[u8], delimiter: u8, step: usize) -> Records {
        let mut tokenizer = Tokenizer::new(Path::new("t.csv"), Trickle { data: input, step });
        tokenizer.set_delimiter(delimiter);
        let mut records = Vec::new();
        let mut batch = Batch::default();
        loop {
            tokenizer.fill(&mut batch, 1).expect("no read errors");
            if let Some(err) = batch.take_error() {
                assert!(err.to_string().contains("never closed"), "{err}");
                return (records, true);
            }
            if batch.is_empty() {
                return (records, false);
            }
            let bytes = tokenizer.bytes();
            let fields = batch
                .fields(0)
                .iter()
                .map(|&(s, e)| bytes[s as usize..e as usize].to_vec())
                .collect();
            records.push((batch.line(0), batch.ascii(0), fields));
        }
    }

    #[test]
    fn splits_every_input_as_csv_core_does() {
        let alphabet: &[&[u8]] = &[
            b"a",
            b"bc",
            b",",
            b",",
            b";",
            b"\"",
            b"\"",
            b"\n",
            b"\n",
            b"\r",
            b" ",
            "é".as_bytes(),
            b"\"\"",
            b"\"a,b\"",
            b"\"x\ny\"",
            b"\"q\"",
        ];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for case in 0..2000 {
            let mut input = Vec::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 300) as usize;
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                input.extend_from_slice(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            let delimiter = if case % 3 == 0 { b';' } else { b',' };
            let expected = oracle(&input, delimiter);
            for step in [1, 7, 1 << 20] {
                assert_eq!(
                    tokenized(&input, delimiter, step),
                    expected,
                    "case {case}, step {step}: {:?}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }

    #[test]
    fn records_longer_than_the_buffer_are_read_whole() {
        let long = "x".repeat(3 * BUFFER);
        let input = format!("a,b\n1,{long}\n2,\"{long}\n{long}\"\n3,4");
        let (records, open) = tokenized(input.as_bytes(), b',', 1 << 20);
        assert!(!open);
        let lines: Vec<u64> = records.iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 2, 3, 5]);
        assert_eq!(records[1].2[1].len(), long.len());
        assert_eq!(records[2].2[1].len(), 2 * long.len() + 1);
        assert_eq!(records[3].2, [b"3".to_vec(), b"4".to_vec()]);
    }

    #[test]
    fn rows_beyond_ascii_are_flagged_across_blocks() {
        let pad = "x".repeat(150);
        for (line, ascii) in [
            (format!("é{pad},1"), false),
            (format!("{pad}é,1"), false),
            (format!("{pad},1é"), false),
            (format!("{pad},1"), true),
        ] {
            for lead in 1..70 {
                let input = format!("{}\n{line}\n", "y".repeat(lead));
                let (records, _) = tokenized(input.as_bytes(), b',', 1 << 20);
                assert_eq!(records[1].1, ascii, "{lead} {line}");
                assert!(records[0].1);
            }
        }
    }

    #[test]
    fn the_digest_covers_the_input_exactly() {
        for input in ["a,b\n1,2\n", "a,b\n1,2", "a,\"b\n\"\n\n1,2\r\n", ""] {
            let mut tokenizer = Tokenizer::new(
                Path::new("t.csv"),
                Trickle {
                    data: input.as_bytes(),
                    step: 3,
                },
            );
            let mut batch = Batch::default();
            loop {
                tokenizer.fill(&mut batch, 1).expect("reads");
                if batch.is_empty() {
                    break;
                }
            }
            assert_eq!(
                tokenizer.digest(),
                xxhash_rust::xxh3::xxh3_128(input.as_bytes()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn structure_masks_find_exactly_the_special_bytes() {
        let mut block = [0u8; 64];
        for (i, b) in block.iter_mut().enumerate() {
            *b = [b'a', b',', b'\n', b'"', 0x80, 0xFF, b'-', b';', 0x7F][(i * 7 + i / 8) % 9];
        }
        let bits = |keep: &dyn Fn(u8) -> bool| {
            block
                .iter()
                .enumerate()
                .filter(|&(_, &b)| keep(b))
                .fold(0u64, |m, (i, _)| m | 1 << i)
        };
        let expected = (
            bits(&|b| matches!(b, b',' | b'\n' | b'"')),
            bits(&|b| b >= 0x80),
        );
        assert_eq!(structure_mask(&block, b','), expected);
        assert_eq!(portable_structure_mask(&block, b','), expected);
    }
}
