//! A typed, span-aware reader over a parsed TOML document.
//!
//! The experiment file is parsed into toml's spanned document tree
//! ([`toml::de::DeTable`]) and read through [`Table`] and [`Field`] instead
//! of `#[derive(Deserialize)]` structs. The reader plays the role of
//! `#[serde(deny_unknown_fields)]` plus `Spanned<T>` on every value, but it
//! knows which table and key it is reading, so every message can name both
//! in plain language (serde's messages know neither, and rewriting them would
//! mean parsing their English text).

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::types::Span;
use crate::error::{Error, Result, did_you_mean, shown};

/// A spanned TOML value.
pub(crate) type Node<'a> = Spanned<DeValue<'a>>;

/// The file being read: its name and text, for building errors.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// The experiment file, as the user named it.
    pub path: &'a Path,
    /// Its full text.
    pub source: &'a str,
}

impl<'a> Ctx<'a> {
    /// An error pointing at `span` of the file.
    pub fn err(&self, span: Span, message: impl Into<String>) -> Error {
        Error::at_span(self.path, self.source, span, message)
    }

    /// The source text of `span`, as the user wrote it.
    pub fn text(&self, span: &Span) -> &'a str {
        self.source.get(span.clone()).unwrap_or("").trim()
    }
}

/// One TOML table being read, with the name used for it in messages.
#[derive(Clone)]
pub(crate) struct Table<'a> {
    /// The file.
    pub ctx: Ctx<'a>,
    /// The table's entries.
    pub entries: &'a DeTable<'a>,
    /// How messages name the table, e.g. `[[arms]]`.
    pub name: String,
    /// The table's header (or the inline table) in the file.
    pub span: Span,
}

impl<'a> Table<'a> {
    /// Rejects any key not in `allowed`, the first in file order first.
    pub fn allow(&self, allowed: &[&str]) -> Result<()> {
        let unknown = self
            .entries
            .keys()
            .filter(|k| !allowed.contains(&k.get_ref().as_ref()))
            .min_by_key(|k| k.span().start);
        let Some(key) = unknown else {
            return Ok(());
        };
        let word = key.get_ref().as_ref();
        let message = match did_you_mean(word, allowed.iter().copied()) {
            Some(s) => format!(
                "unknown key `{}` in {}; did you mean `{s}`?",
                shown(word),
                self.name
            ),
            None => format!(
                "unknown key `{}` in {}; expected one of: {}",
                shown(word),
                self.name,
                allowed.join(", ")
            ),
        };
        Err(self.ctx.err(key.span(), message))
    }

    /// The same table under another name, e.g. `[[metrics]] `revenue``
    /// once the metric's name is known.
    pub fn renamed(&self, name: String) -> Table<'a> {
        Table {
            name,
            ..self.clone()
        }
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &'static str) -> Option<Field<'a>> {
        self.entries.get_key_value(key).map(|(k, node)| Field {
            ctx: self.ctx,
            key,
            key_span: k.span(),
            node,
        })
    }

    /// The value of `key`; an error at the table's header if it is absent.
    pub fn required(&self, key: &'static str) -> Result<Field<'a>> {
        self.get(key)
            .ok_or_else(|| self.err(format!("missing `{key}` in {}", self.name)))
    }

    /// An error at the table's header (or the inline table).
    pub fn err(&self, message: impl Into<String>) -> Error {
        self.ctx.err(self.span.clone(), message)
    }
}

/// One `key = value` of a table.
#[derive(Clone)]
pub(crate) struct Field<'a> {
    /// The file.
    pub ctx: Ctx<'a>,
    /// The key, as messages name it.
    pub key: &'static str,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub node: &'a Node<'a>,
}

impl<'a> Field<'a> {
    /// Where the value is written.
    pub fn span(&self) -> Span {
        self.node.span()
    }

    /// The value as the user wrote it.
    pub fn text(&self) -> &'a str {
        self.ctx.text(&self.node.span())
    }

    /// An error at the value.
    pub fn err(&self, message: impl Into<String>) -> Error {
        self.ctx.err(self.span(), message)
    }

    /// The "must be X, found Y" error, with a hint when the fix is plain.
    pub fn wrong_type(&self, expected: &str) -> Error {
        wrong_type(
            self.ctx,
            &format!("`{}`", self.key),
            expected,
            self.node,
            Some(self.key),
        )
    }

    /// A string.
    pub fn string(&self) -> Result<String> {
        match self.node.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            _ => Err(self.wrong_type("a string")),
        }
    }

    /// A string that is not blank.
    pub fn nonblank(&self) -> Result<String> {
        let s = self.string()?;
        if s.trim().is_empty() {
            return Err(self.err(format!("`{}` must not be empty", self.key)));
        }
        Ok(s)
    }

    /// `true` or `false`.
    pub fn boolean(&self) -> Result<bool> {
        match self.node.get_ref() {
            DeValue::Boolean(b) => Ok(*b),
            _ => Err(self.wrong_type("true or false")),
        }
    }

    /// A finite number; TOML integers are accepted.
    pub fn number(&self) -> Result<f64> {
        let value = match self.node.get_ref() {
            DeValue::Integer(i) => {
                if i.radix() == 10 {
                    i.as_str().parse::<f64>().ok()
                } else {
                    i64::from_str_radix(i.as_str(), i.radix())
                        .ok()
                        .map(|v| v as f64)
                }
            }
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => return Err(self.wrong_type("a number")),
        };
        match value {
            Some(v) if v.is_finite() => Ok(v),
            Some(v) if v.is_nan() => Err(self.err(format!(
                "`{}` must be a number, found nan (not a number)",
                self.key
            ))),
            _ => Err(self.err(format!(
                "`{}` must be a finite number, found {}",
                self.key,
                self.text()
            ))),
        }
    }

    /// A whole number; `12.0` counts as 12.
    pub fn whole(&self) -> Result<i64> {
        let not_whole = || {
            self.err(format!(
                "`{}` must be a whole number, found {}",
                self.key,
                self.text()
            ))
        };
        match self.node.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| {
                self.err(format!(
                    "`{}` is too large, found {}",
                    self.key,
                    self.text()
                ))
            }),
            DeValue::Float(_) => {
                let v = self.number().map_err(|_| not_whole())?;
                if v.fract() != 0.0 || v.abs() > 9.0e15 {
                    return Err(not_whole());
                }
                Ok(v as i64)
            }
            _ => Err(self.wrong_type("a whole number")),
        }
    }

    /// A list of strings, each with its span.
    pub fn strings(&self) -> Result<Vec<Spanned<String>>> {
        let DeValue::Array(items) = self.node.get_ref() else {
            return Err(self.wrong_type("a list of strings"));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) => Ok(Spanned::new(item.span(), s.to_string())),
                _ => Err(wrong_type(
                    self.ctx,
                    &format!("each item of `{}`", self.key),
                    "a string",
                    item,
                    None,
                )),
            })
            .collect()
    }

    /// A table, named `name` in messages.
    pub fn table(&self, name: impl Into<String>) -> Result<Table<'a>> {
        match self.node.get_ref() {
            DeValue::Table(entries) => Ok(Table {
                ctx: self.ctx,
                entries,
                name: name.into(),
                span: self.span(),
            }),
            _ => Err(self.wrong_type("a table")),
        }
    }

    /// The items of a list, with their spans.
    pub fn list(&self, expected: &str) -> Result<&'a [Node<'a>]> {
        match self.node.get_ref() {
            DeValue::Array(items) => Ok(items),
            _ => Err(self.wrong_type(expected)),
        }
    }
}

/// Plain-language name of a value's type, with its article.
pub(crate) fn describe(node: &DeValue<'_>) -> &'static str {
    match node {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) | DeValue::Float(_) => "a number",
        DeValue::Boolean(true) => "true",
        DeValue::Boolean(false) => "false",
        DeValue::Datetime(d) if d.date.is_none() => "a time",
        DeValue::Datetime(d) if d.time.is_some() => "a date and time",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// "`what` must be `expected`, found ..." at the value, with a `help:` line
/// when the fix is plain: quotes around a number or true/false, or missing
/// quotes around text. `key` is the key the value belongs to, or `None` for
/// an item of a list.
pub(crate) fn wrong_type(
    ctx: Ctx<'_>,
    what: &str,
    expected: &str,
    node: &Node<'_>,
    key: Option<&str>,
) -> Error {
    let error = ctx.err(
        node.span(),
        format!(
            "{what} must be {expected}, found {}",
            describe(node.get_ref())
        ),
    );
    let lhs = key.map_or_else(String::new, |k| format!("{k} = "));
    match node.get_ref() {
        DeValue::String(s) => {
            let s = s.trim();
            let numeric = expected.contains("number") && s.parse::<f64>().is_ok();
            let boolean = expected == "true or false" && (s == "true" || s == "false");
            if numeric || boolean {
                return error.with_note(format!("remove the quotes: {lhs}{s}"));
            }
            error
        }
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) if expected == "a string" => {
            let text = ctx.text(&node.span());
            error.with_note(format!("put text in double quotes: {lhs}\"{text}\""))
        }
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_field<T>(src: &str, f: impl FnOnce(Field<'_>) -> T) -> T {
        let doc = DeTable::parse(src).expect("valid toml");
        let ctx = Ctx {
            path: Path::new("t.toml"),
            source: src,
        };
        let table = Table {
            ctx,
            entries: doc.get_ref(),
            name: "the file".into(),
            span: 0..0,
        };
        f(table.get("x").expect("key x"))
    }

    #[test]
    fn integers_are_numbers() {
        assert_eq!(with_field("x = 1", |f| f.number()).ok(), Some(1.0));
        assert_eq!(with_field("x = 0x10", |f| f.number()).ok(), Some(16.0));
        assert_eq!(with_field("x = 1_000", |f| f.number()).ok(), Some(1000.0));
    }

    #[test]
    fn whole_accepts_integral_floats_only() {
        assert_eq!(with_field("x = 12.0", |f| f.whole()).ok(), Some(12));
        assert_eq!(with_field("x = 1e3", |f| f.whole()).ok(), Some(1000));
        let e = with_field("x = 1.5", |f| f.whole()).unwrap_err();
        assert_eq!(e.message(), "`x` must be a whole number, found 1.5");
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        let e = with_field("x = inf", |f| f.number()).unwrap_err();
        assert_eq!(e.message(), "`x` must be a finite number, found inf");
        let e = with_field("x = 1e400", |f| f.number()).unwrap_err();
        assert_eq!(e.message(), "`x` must be a finite number, found 1e400");
        let e = with_field("x = nan", |f| f.number()).unwrap_err();
        assert_eq!(
            e.message(),
            "`x` must be a number, found nan (not a number)"
        );
    }

    #[test]
    fn type_errors_name_both_types() {
        let cases = [
            ("x = \"a\"", "a string"),
            ("x = 1", "a number"),
            ("x = \"true\"", "a string"),
            ("x = 0", "a number"),
            ("x = [1]", "a list"),
            ("x = { a = 1 }", "a table"),
            ("x = 2026-01-01", "a date"),
            ("x = 2026-01-01T10:00:00", "a date and time"),
        ];
        for (src, found) in cases {
            let e = with_field(src, |f| f.boolean()).unwrap_err();
            assert_eq!(
                e.message(),
                format!("`x` must be true or false, found {found}")
            );
        }
    }
}
