//! Reading one outcome value according to its metric kind.
//!
//! Exports from shops and survey tools write booleans and scores in many
//! ways; every form a real export produces is accepted, anything else is a
//! located error that says what was expected.

use crate::config::{Metric, MetricKind};
use crate::error::shown;
use crate::io::csv_input::parse_number;

/// How to read a metric's cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRule {
    /// 0/1 and the common spellings of yes/no.
    Binary,
    /// Any finite number.
    Number,
    /// A whole number within an inclusive scale.
    Scale {
        /// Lowest allowed answer.
        low: i64,
        /// Highest allowed answer.
        high: i64,
    },
}

impl ValueRule {
    /// The rule for a metric's main column.
    pub fn for_metric(metric: &Metric) -> Self {
        match metric.kind {
            MetricKind::Binary => Self::Binary,
            MetricKind::Mean | MetricKind::Ratio => Self::Number,
            MetricKind::Nps => Self::Scale { low: 0, high: 10 },
            MetricKind::Csat => Self::Scale { low: 1, high: 5 },
            MetricKind::Ordinal | MetricKind::Ces => {
                let (low, high) = metric.scale.unwrap_or((i64::MIN, i64::MAX));
                Self::Scale { low, high }
            }
        }
    }

    /// Parses a trimmed, non-blank cell. `Err` holds the message for the
    /// user (the caller adds file, line and column).
    #[inline]
    pub fn parse(self, text: &str, delimiter: u8) -> Result<f64, String> {
        match self {
            Self::Binary => parse_binary(text).ok_or_else(|| {
                format!(
                    "expected 0 or 1 (or yes/no, true/false), found `{}`",
                    shown(text)
                )
            }),
            Self::Number => parse_number(text, delimiter)
                .ok_or_else(|| crate::io::csv_input::not_a_number_message(text)),
            Self::Scale { low, high } => {
                let value = parse_number(text, delimiter)
                    .filter(|v| v.fract() == 0.0)
                    .ok_or_else(|| {
                        format!(
                            "expected a whole number from {low} to {high}, found `{}`",
                            shown(text)
                        )
                    })?;
                if value < low as f64 || value > high as f64 {
                    return Err(format!(
                        "expected a whole number from {low} to {high}, found `{}`",
                        shown(text)
                    ));
                }
                Ok(value)
            }
        }
    }
}

/// `1`/`0`, `1.0`/`0.0`, `true`/`false`, `yes`/`no`, `y`/`n`, any case.
fn parse_binary(text: &str) -> Option<f64> {
    match text {
        "1" => return Some(1.0),
        "0" => return Some(0.0),
        _ => {}
    }
    const YES: [&str; 4] = ["1", "true", "yes", "y"];
    const NO: [&str; 4] = ["0", "false", "no", "n"];
    if YES.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return Some(1.0);
    }
    if NO.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return Some(0.0);
    }
    match text.parse::<f64>() {
        Ok(v) if v == 0.0 || v == 1.0 => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_accepts_export_spellings() {
        for yes in ["1", "TRUE", "true", "Yes", "y", "1.0"] {
            assert_eq!(ValueRule::Binary.parse(yes, b','), Ok(1.0), "{yes}");
        }
        for no in ["0", "FALSE", "no", "N", "0.0"] {
            assert_eq!(ValueRule::Binary.parse(no, b','), Ok(0.0), "{no}");
        }
        assert_eq!(
            ValueRule::Binary.parse("2", b','),
            Err("expected 0 or 1 (or yes/no, true/false), found `2`".to_string())
        );
    }

    #[test]
    fn scales_reject_fractions_and_out_of_range() {
        let nps = ValueRule::Scale { low: 0, high: 10 };
        assert_eq!(nps.parse("10", b','), Ok(10.0));
        assert_eq!(
            nps.parse("11", b','),
            Err("expected a whole number from 0 to 10, found `11`".to_string())
        );
        assert_eq!(
            nps.parse("7.5", b','),
            Err("expected a whole number from 0 to 10, found `7.5`".to_string())
        );
    }

    #[test]
    fn long_cells_are_cut_in_messages() {
        let cell = "x".repeat(10_000);
        let cut = format!("`{}...`", "x".repeat(40));
        for rule in [
            ValueRule::Binary,
            ValueRule::Number,
            ValueRule::Scale { low: 0, high: 10 },
        ] {
            let message = rule.parse(&cell, b',').unwrap_err();
            assert!(message.ends_with(&cut), "{message}");
        }
    }

    #[test]
    fn numbers_reject_nan_and_accept_decimal_commas_in_semicolon_files() {
        assert!(ValueRule::Number.parse("NaN", b',').is_err());
        assert_eq!(ValueRule::Number.parse("3,5", b';'), Ok(3.5));
    }
}
