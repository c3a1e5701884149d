//! The one sanitizer for text printed to a terminal.
//!
//! CSV cells, descriptions and names are user text. Printed raw, an ESC in
//! a cell clears the screen or sets the window title, and a right-to-left
//! override reorders the line around it. Everything pilot prints as plain
//! text passes through here; the coloured terminal report cleans each user
//! string with [`terminal_line`] before it adds colour codes of its own. The
//! experiment file refuses names with direction controls outright (with
//! [`is_unsafe_for_terminal`]).

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: control characters
/// (ESC starts sequences that clear the screen or set the window title)
/// and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
/// U+2066-U+2069), which reorder the text around them.
pub fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// User text for one line of a terminal: line breaks and tabs become
/// spaces, every other unsafe character ([`is_unsafe_for_terminal`]) U+FFFD.
pub fn terminal_line(text: &str) -> Cow<'_, str> {
    sanitize(text, ' ')
}

/// Whole plain-text output (a table, a summary, Markdown) for a terminal:
/// line breaks are kept, tabs become spaces, every other unsafe character
/// U+FFFD. For output that carries no colour codes of its own.
pub fn printable(text: &str) -> Cow<'_, str> {
    sanitize(text, '\n')
}

fn sanitize(text: &str, newline: char) -> Cow<'_, str> {
    let clean = |c: char| match c {
        '\n' => newline,
        '\r' | '\t' => ' ',
        c if is_unsafe_for_terminal(c) => '\u{fffd}',
        c => c,
    };
    if text.chars().all(|c| clean(c) == c) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(clean).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_direction_controls_never_pass() {
        let hostile = "a\u{1b}[2Jb\u{1b}]0;title\u{7}c\u{202e}d\u{2066}e\u{9b}f\tg\r\nh";
        assert_eq!(
            printable(hostile),
            "a\u{fffd}[2Jb\u{fffd}]0;title\u{fffd}c\u{fffd}d\u{fffd}e\u{fffd}f g \nh"
        );
        assert_eq!(
            terminal_line(hostile),
            "a\u{fffd}[2Jb\u{fffd}]0;title\u{fffd}c\u{fffd}d\u{fffd}e\u{fffd}f g  h"
        );
        // Plain text is borrowed, not copied.
        assert!(matches!(printable("plain\ntext"), Cow::Borrowed(_)));
        assert!(matches!(terminal_line("plain"), Cow::Borrowed(_)));
        assert!(matches!(terminal_line("two\nlines"), Cow::Owned(_)));
    }
}
