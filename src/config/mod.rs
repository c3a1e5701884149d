//! Experiment files: parsing, validation, and the validated types.
//!
//! [`load`] reads an experiment file, [`parse`] turns its text into a
//! validated [`Experiment`], and [`template`] writes the commented starting
//! point for `pilot init NAME`. The file format is documented for users in
//! `docs/experiment-file.md`.
//!
//! Every error points at the offending place in the file
//! (`error: FILE:LINE:COL: message`, the line and carets) and says what was
//! expected and what was found. Checks that need other files (does the
//! customer CSV exist, does it have the filter column) happen later; the
//! validated types keep the spans those checks need.

mod reader;
mod template;
pub mod types;
mod validate;

use std::path::Path;

pub use template::template;
pub use types::*;

use crate::error::{Error, Result};
use reader::Ctx;

/// Reads and validates the experiment file at `path`.
///
/// Relative data paths inside the file are resolved against the file's
/// directory (see [`parse`]).
pub fn load(path: &Path) -> Result<Experiment> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", &e))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        // Point at the first bad byte; the lossy text has the same prefix.
        Error::at_span(
            path,
            &text,
            at..at + 1,
            "the file is not UTF-8 text; save it with UTF-8 encoding",
        )
    })?;
    parse(path, &source)
}

/// Adds to a "no such file" error which setting of the experiment file
/// named that path, so the user knows what to correct: the path is the one
/// pilot resolved (relative to the experiment file), which may not be the
/// one they typed.
pub fn name_the_setting(err: Error, exp: &Experiment) -> Error {
    let Some(missing) = err.missing_file() else {
        return err;
    };
    let outcomes = exp.outcomes.as_ref();
    let named_by = [
        (Some(&exp.population.file), "[population] file"),
        (Some(&exp.assignment.file), "[assignment] file"),
        (outcomes.and_then(|o| o.file.as_ref()), "[outcomes] file"),
        (
            outcomes.and_then(|o| o.summary.as_ref()),
            "[outcomes] summary",
        ),
    ]
    .into_iter()
    .find_map(|(path, setting)| (path.map(|p| p.as_path()) == Some(missing)).then_some(setting));
    match named_by {
        Some(setting) => err.with_note(format!(
            "{} names it as {setting}; paths there are relative to the experiment file's folder",
            exp.path.display()
        )),
        None => err,
    }
}

/// Parses and validates experiment-file text. Pure: no filesystem access.
///
/// `path` is the file's name as the user gave it; it appears in errors and
/// relative data paths (`population.file`, `assignment.file`,
/// `outcomes.file`, `outcomes.summary`) are joined to its directory without
/// canonicalizing: `experiments/x.toml` with `file = "customers.csv"` gives
/// `experiments/customers.csv`.
pub fn parse(path: &Path, source: &str) -> Result<Experiment> {
    let ctx = Ctx { path, source };
    let doc = toml::de::DeTable::parse(source).map_err(|e| syntax_error(ctx, &e))?;
    validate::experiment(ctx, doc.get_ref())
}

/// Checks an experiment name given outside a file (`pilot init NAME`):
/// lowercase letters, digits and '-', starting with a letter or digit.
pub fn check_experiment_name(name: &str) -> Result<()> {
    match validate::name_problem(name) {
        Some((message, note)) => {
            let error = Error::input(message);
            Err(match note {
                Some(n) => error.with_note(n),
                None => error,
            })
        }
        None => Ok(()),
    }
}

/// The message for a section header that repeats or clashes with an earlier
/// one (`[arms]` after `[[arms]]`). `line` is the header's line.
fn duplicate_section(source: &str, line: &str) -> String {
    // Header without comment and spaces: `[ roi.clv ] # x` -> `[roi.clv]`.
    let bare = |l: &str| -> String {
        let l = l.split('#').next().unwrap_or(l);
        l.chars().filter(|c| !c.is_whitespace()).collect()
    };
    let this = bare(line);
    let name = this.trim_matches(|c| c == '[' || c == ']');
    let other = if this.starts_with("[[") {
        format!("[{name}]")
    } else {
        format!("[[{name}]]")
    };
    if source.lines().any(|l| bare(l) == other) {
        format!(
            "invalid TOML: {this} clashes with the earlier {other}; a section is either \
             written once as [name] or repeated as [[name]]"
        )
    } else {
        format!("invalid TOML: section {this} appears twice; each [section] may appear only once")
    }
}

/// Turns a TOML syntax error into a located, plain message.
fn syntax_error(ctx: Ctx<'_>, e: &toml::de::Error) -> Error {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().lines().next().unwrap_or("").trim();
    // The offending line, to recognise section headers and bare words.
    let before = ctx.source.get(..span.start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = ctx
        .source
        .get(line_start..)
        .and_then(|rest| rest.lines().next())
        .unwrap_or("")
        .trim();
    if message == "duplicate key" {
        let key = ctx.text(&span);
        if line.starts_with('[') {
            return ctx.err(span, duplicate_section(ctx.source, line));
        }
        return ctx.err(
            span,
            format!("invalid TOML: duplicate key `{key}`; a key may appear only once in a section"),
        );
    }
    let error = ctx.err(span, format!("invalid TOML: {message}"));
    if message.starts_with("string values must be quoted")
        && let Some((key, value)) = line.split_once('=')
    {
        let value = value.split('#').next().unwrap_or("").trim();
        if !value.is_empty() {
            return error.with_note(format!(
                "put text in double quotes: {} = \"{value}\"",
                key.trim()
            ));
        }
    }
    error
}
