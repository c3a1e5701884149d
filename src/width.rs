//! How many terminal columns text takes, for aligning plain-text tables.
//!
//! Counting `char`s is wrong both ways: East Asian characters and most
//! emoji take two columns, and combining accents (an `e` followed by
//! U+0301) take none. Widths here follow Unicode's East Asian Width and
//! emoji presentation rules, as terminals do.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The number of columns `text` takes in a terminal. Meant for text
/// without control characters: callers replace those before measuring.
pub fn width(text: &str) -> usize {
    text.width()
}

/// The number of columns `c` takes on its own: 2 for wide characters, 0
/// for combining marks and control characters, otherwise 1.
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// `text` followed by spaces up to `columns` columns (left-aligned); text
/// already as wide or wider is returned as it is.
pub fn pad_end(text: &str, columns: usize) -> String {
    format!("{text}{}", spaces(text, columns))
}

/// Spaces up to `columns` columns followed by `text` (right-aligned); text
/// already as wide or wider is returned as it is.
pub fn pad_start(text: &str, columns: usize) -> String {
    format!("{}{text}", spaces(text, columns))
}

fn spaces(text: &str, columns: usize) -> String {
    " ".repeat(columns.saturating_sub(width(text)))
}

/// The length in bytes of the longest start of `text` that is at most
/// `columns` wide. A character is never separated from the zero-width marks
/// after it (combining accents, variation selectors), so a cut never turns
/// `é` into `e` plus a stray accent. May be 0 when the first character is
/// wider than `columns`.
pub fn fit(text: &str, columns: usize) -> usize {
    let mut used = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let w = char_width(c);
        if w > 0 {
            if used + w > columns {
                break;
            }
            used += w;
        }
        end = i + c.len_utf8();
    }
    // Some sequences are wider than their characters added up (a heart
    // with the emoji selector U+FE0F is two columns, not one): measure the
    // cut as a whole and give back characters until it fits.
    while end > 0 && width(&text[..end]) > columns {
        end = text[..end]
            .char_indices()
            .rev()
            .find(|&(_, c)| char_width(c) > 0)
            .map_or(0, |(i, _)| i);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_and_zero_width_characters() {
        assert_eq!(width("Tokyo"), 5);
        assert_eq!(width("東京"), 4);
        assert_eq!(width("🎉"), 2);
        // An e with a combining acute accent is one column, two chars.
        assert_eq!(width("Cafe\u{301}"), 4);
        assert_eq!(width("❤\u{fe0f}"), 2);
    }

    #[test]
    fn padding_fills_to_the_display_width() {
        assert_eq!(pad_end("東京", 6), "東京  ");
        assert_eq!(pad_start("東京", 6), "  東京");
        assert_eq!(pad_end("Cafe\u{301}", 6), "Cafe\u{301}  ");
        assert_eq!(pad_start("too wide", 3), "too wide");
    }

    #[test]
    fn fit_cuts_by_columns_and_keeps_accents_on_their_letter() {
        assert_eq!(fit("東京都", 5), "東京".len());
        assert_eq!(fit("東京都", 1), 0);
        assert_eq!(fit("abc", 10), 3);
        let accented = "e\u{301}e\u{301}e\u{301}";
        assert_eq!(&accented[..fit(accented, 2)], "e\u{301}e\u{301}");
        let hearts = "❤\u{fe0f}❤\u{fe0f}";
        assert_eq!(&hearts[..fit(hearts, 3)], "❤\u{fe0f}");
    }
}
