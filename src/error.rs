//! User-facing errors.
//!
//! Every error a user can cause names the file it comes from and, for TOML and
//! CSV input, the line (and column or field) and what was expected. The
//! rendering is plain text so that tests can pin exact messages:
//!
//! ```text
//! error: experiments/x.toml:4:1: unknown key `nmae` in [experiment]; did you mean `name`?
//!   |
//! 4 | nmae = 3
//!   | ^^^^
//! ```

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Result type used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure this is; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user's input (experiment file, CSV) is wrong.
    Input,
    /// The command would contradict earlier work (for example a ledger written
    /// with other weights) and needs an explicit flag to proceed.
    Conflict,
    /// The operating system refused (permissions, disk full, missing file).
    Io,
}

/// Where in a file an error was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it (relative paths stay relative).
    pub file: PathBuf,
    /// 1-based line number, if known.
    pub line: Option<u64>,
    /// 1-based column (characters, not bytes), if known.
    pub column: Option<u64>,
    /// CSV column name the error concerns, if any.
    pub field: Option<String>,
    /// The offending source line and the highlighted character range in it.
    pub snippet: Option<Snippet>,
}

/// One source line with a highlighted range, shown under the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The full text of the line, without its line break.
    pub text: String,
    /// Highlighted range in characters within `text`.
    pub highlight: Range<usize>,
}

/// A user-facing error with an optional location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    // Boxed so that `Result<T, Error>` stays small on the happy path.
    location: Option<Box<Location>>,
    notes: Vec<String>,
}

impl Error {
    /// An input error without a location (prefer a located constructor).
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Input,
            message: message.into(),
            location: None,
            notes: Vec::new(),
        }
    }

    /// An error about a whole file (no line), for example a missing column.
    pub fn in_file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self::input(message).with_location(Location {
            file: file.as_ref().to_path_buf(),
            line: None,
            column: None,
            field: None,
            snippet: None,
        })
    }

    /// An error at a byte span of a TOML (or any text) source. Computes the
    /// line and column and attaches the offending line.
    pub fn at_span(
        file: impl AsRef<Path>,
        source: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column, snippet) = locate(source, span);
        Self::input(message).with_location(Location {
            file: file.as_ref().to_path_buf(),
            line: Some(line),
            column: Some(column),
            field: None,
            snippet: Some(snippet),
        })
    }

    /// An error in a CSV file at a 1-based line, optionally in a named column.
    pub fn at_csv(
        file: impl AsRef<Path>,
        line: u64,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self::input(message).with_location(Location {
            file: file.as_ref().to_path_buf(),
            line: Some(line),
            column: None,
            field: field.map(str::to_owned),
            snippet: None,
        })
    }

    /// An operating-system error while `action` (e.g. "read", "write") on `file`.
    pub fn io(file: impl AsRef<Path>, action: &str, err: &std::io::Error) -> Self {
        let reason = match err.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => err.to_string(),
        };
        Self {
            kind: ErrorKind::Io,
            message: format!("cannot {action} file: {reason}"),
            location: Some(Box::new(Location {
                file: file.as_ref().to_path_buf(),
                line: None,
                column: None,
                field: None,
                snippet: None,
            })),
            notes: Vec::new(),
        }
    }

    /// Marks this error as a conflict with earlier work.
    pub fn conflict(mut self) -> Self {
        self.kind = ErrorKind::Conflict;
        self
    }

    /// Replaces the location.
    pub fn with_location(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    /// Moves the error's line down by `lines`: for an error found in a part
    /// of a file read from the middle, which counts lines from its start.
    pub fn below_line(mut self, lines: u64) -> Self {
        if let Some(line) = self.location.as_mut().and_then(|l| l.line.as_mut()) {
            *line += lines;
        }
        self
    }

    /// Adds a hint shown after the message (`help: ...`).
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message without location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The location, if any.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_deref()
    }

    /// The file this error says does not exist, if it is that error.
    pub fn missing_file(&self) -> Option<&Path> {
        let not_found =
            self.kind == ErrorKind::Io && self.message.ends_with("no such file or directory");
        not_found
            .then(|| self.location.as_deref().map(|l| l.file.as_path()))
            .flatten()
    }

    /// The process exit code for this error (documented in the README).
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Input => 1,
            ErrorKind::Io => 1,
            ErrorKind::Conflict => 3,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("error: ")?;
        if let Some(loc) = &self.location {
            write!(f, "{}", loc.file.display())?;
            if let Some(line) = loc.line {
                write!(f, ":{line}")?;
                if let Some(col) = loc.column {
                    write!(f, ":{col}")?;
                }
            }
            f.write_str(": ")?;
            if let Some(field) = &loc.field {
                write!(f, "column `{}`: ", shown(field))?;
            }
        }
        f.write_str(&self.message)?;
        if let Some(Location {
            line: Some(line),
            snippet: Some(snippet),
            ..
        }) = self.location.as_deref()
        {
            let gutter = line.to_string().len();
            let pad = " ".repeat(gutter);
            // The caret goes under the highlight in display columns: a
            // wide character before it takes two spaces, an accent none.
            let lead: String = snippet
                .text
                .chars()
                .take(snippet.highlight.start)
                .map(|c| match c {
                    '\t' => "\t".to_string(),
                    c => " ".repeat(crate::width::char_width(c)),
                })
                .collect();
            let highlighted: String = snippet
                .text
                .chars()
                .skip(snippet.highlight.start)
                .take(snippet.highlight.len())
                .collect();
            let width = crate::width::width(&highlighted).max(1);
            write!(
                f,
                "\n{pad} |\n{line} | {}\n{pad} | {lead}{}",
                snippet.text,
                "^".repeat(width)
            )?;
        }
        for note in &self.notes {
            write!(f, "\nhelp: {note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Converts a byte span into a 1-based (line, column) and the line's snippet.
/// Columns count characters so that non-ASCII names point at the right place.
fn locate(source: &str, span: Range<usize>) -> (u64, u64, Snippet) {
    let start = floor_char_boundary(source, span.start.min(source.len()));
    let end = floor_char_boundary(source, span.end.min(source.len())).max(start);
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let text = source[line_start..line_end].trim_end_matches('\r');
    let line = source[..start].matches('\n').count() as u64 + 1;
    let col_chars = source[line_start..start].chars().count();
    let hl_end = end.min(line_start + text.len()).max(start);
    let hl_chars = source[start..hl_end].chars().count();
    (
        line,
        col_chars as u64 + 1,
        Snippet {
            text: text.to_string(),
            highlight: col_chars..col_chars + hl_chars,
        },
    )
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// How many characters of user text a message quotes before cutting.
const SHOWN_CHARS: usize = 40;

/// User text (a cell, a column or arm name) as a message quotes it: cut
/// after 40 characters with `...`, so a pasted paragraph or a misread
/// binary file cannot flood the terminal, and with control characters
/// escaped, so a line break or escape sequence in it cannot garble the
/// message.
pub fn shown(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Suggests the candidate closest to `word` by edit distance, if it is close
/// enough to be a plausible typo (at most a third of the word's length).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_error_shows_line_column_and_caret() {
        let src = "[experiment]\nname = \"x\"\nnmae = 3\n";
        let start = src.find("nmae").unwrap();
        let e = Error::at_span("exp.toml", src, start..start + 4, "unknown key `nmae`");
        assert_eq!(
            e.to_string(),
            "error: exp.toml:3:1: unknown key `nmae`\n  |\n3 | nmae = 3\n  | ^^^^"
        );
    }

    #[test]
    fn csv_error_names_line_and_field() {
        let e = Error::at_csv("c.csv", 17, Some("orders"), "expected a number, found `x`");
        assert_eq!(
            e.to_string(),
            "error: c.csv:17: column `orders`: expected a number, found `x`"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "name = \"é\" x";
        let start = src.find('x').unwrap();
        let e = Error::at_span("f", src, start..start + 1, "m");
        assert_eq!(e.location().unwrap().column, Some(12));
    }

    #[test]
    fn the_caret_sits_under_the_highlight_after_wide_characters() {
        let src = "city = \"東京\" oops";
        let start = src.find("oops").unwrap();
        let e = Error::at_span("f.toml", src, start..start + 4, "m");
        let shown = e.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        let source = lines[lines.len() - 2];
        let caret = lines[lines.len() - 1];
        let col = |l: &str, s: &str| crate::width::width(&l[..l.find(s).unwrap()]);
        assert_eq!(col(caret, "^"), col(source, "oops"), "\n{shown}");
        assert!(caret.ends_with(" ^^^^"), "\n{shown}");
    }

    #[test]
    fn shown_cuts_long_text_and_escapes_control_characters() {
        assert_eq!(shown("north"), "north");
        assert_eq!(shown("a\nb\x1b[2J"), "a\\nb\\u{1b}[2J");
        let forty = "é".repeat(40);
        assert_eq!(shown(&forty), forty);
        assert_eq!(shown(&"é".repeat(41)), format!("{forty}..."));
        assert_eq!(shown(&"x".repeat(100_000)).len(), 43);
    }

    #[test]
    fn a_huge_header_is_cut_in_the_location() {
        let header = "h".repeat(5000);
        let e = Error::at_csv("data.csv", 2, Some(&header), "m");
        assert_eq!(
            e.to_string(),
            format!("error: data.csv:2: column `{}...`: m", "h".repeat(40))
        );
    }

    #[test]
    fn suggestions_only_for_close_words() {
        let keys = ["weight", "name"];
        assert_eq!(did_you_mean("wieght", keys), Some("weight"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
