//! Escaping of user-supplied text for HTML and SVG (XML) output (for the
//! terminal, see [`crate::sanitize`]).
//!
//! Every string a user typed (experiment names, descriptions, arm names,
//! segment values, currency symbols) goes through [`html`] before it lands in
//! element content and through [`attr`] before it lands in an attribute
//! value. Both return the input borrowed when nothing needs escaping, so the
//! common case does not allocate.
//!
//! Besides the five markup characters, both functions replace the control
//! characters that XML 1.0 forbids outright (U+0000 to U+001F except tab,
//! line feed and carriage return, plus U+FFFE and U+FFFF) with U+FFFD: they
//! cannot be written even as character references, and a single one would
//! make a whole SVG chart ill-formed.

use std::borrow::Cow;

/// Escapes text for HTML or XML element content: `& < > " '` become
/// entities, and characters XML cannot carry become U+FFFD.
///
/// Quotes are escaped here too (not strictly needed in content) so the
/// output is also safe if a caller mistakenly puts it in an attribute.
pub fn html(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Escapes text for a double- or single-quoted attribute value.
///
/// Same as [`html`], and additionally writes tab, line feed and carriage
/// return as character references: an XML parser normalises literal ones in
/// attribute values to spaces, so the value would not round-trip.
pub fn attr(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, in_attribute: bool) -> Cow<'_, str> {
    let needs = |c: char| replacement(c, in_attribute).is_some();
    let Some(first) = text.find(needs) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        match replacement(c, in_attribute) {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn replacement(c: char, in_attribute: bool) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        // &#39; rather than &apos;: HTML 4 does not know &apos;.
        '\'' => Some("&#39;"),
        '\t' if in_attribute => Some("&#9;"),
        '\n' if in_attribute => Some("&#10;"),
        '\r' if in_attribute => Some("&#13;"),
        // Carriage returns in content are normalised away by XML parsers;
        // keep them as references so text round-trips.
        '\r' => Some("&#13;"),
        '\t' | '\n' => None,
        '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => Some("\u{fffd}"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(html("Coffee shop, SMS"), Cow::Borrowed(_)));
        assert!(matches!(attr("Coffee shop, SMS"), Cow::Borrowed(_)));
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            html(r#"<script>alert("x")</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        );
        assert_eq!(html("Tom & Jerry's"), "Tom &amp; Jerry&#39;s");
        assert_eq!(attr("a\"b'c"), "a&quot;b&#39;c");
    }

    #[test]
    fn whitespace_round_trips_in_attributes() {
        assert_eq!(attr("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
        assert_eq!(html("a\tb\nc"), "a\tb\nc");
    }

    #[test]
    fn forbidden_control_characters_are_replaced() {
        assert_eq!(html("a\u{0}b\u{1b}c"), "a\u{fffd}b\u{fffd}c");
        assert_eq!(attr("\u{ffff}"), "\u{fffd}");
    }
}
