//! How a metric's values read on the page: rates in percent (changes in
//! percentage points), money in the ROI's currency, NPS in points, other
//! values with three significant digits.

use crate::analysis::result::MetricResult;
use crate::format::{
    Minus, Unit, fmt_sig, money, number, pct, pp, signed_money, signed_pct, with_minus,
};

/// Words in a metric name that mark it as an amount of money. The report
/// carries no unit per metric, so the name is the only hint; a metric that
/// does not match is shown as a plain number, which is never wrong, only
/// less friendly.
const MONEY_WORDS: [&str; 17] = [
    "revenue", "margin", "profit", "sales", "spend", "spending", "value", "price", "cost", "costs",
    "aov", "basket", "income", "turnover", "gmv", "arpu", "ltv",
];

/// The unit a metric is shown in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MetricUnit {
    /// A share of customers (binary, CSAT): values in percent, changes in
    /// percentage points.
    Rate,
    /// Money per customer (or per order, for a ratio), in this currency.
    Money(String),
    /// Net Promoter Score: values and changes in points (-100..100).
    Score,
    /// Anything else, in the metric's own units.
    Number,
}

impl MetricUnit {
    /// The unit of `metric`; `currency` is the ROI's, if there is one.
    pub(super) fn of(metric: &MetricResult, currency: Option<&str>) -> MetricUnit {
        match metric.kind.as_str() {
            "binary" | "csat" => MetricUnit::Rate,
            "nps" => MetricUnit::Score,
            "mean" | "ratio" => match currency {
                Some(c) if names_money(&metric.name) => MetricUnit::Money(c.to_string()),
                _ => MetricUnit::Number,
            },
            _ => MetricUnit::Number,
        }
    }

    /// A value of the metric (an arm's rate, mean or score), Unicode minus.
    pub(super) fn value(&self, x: f64) -> String {
        let text = match self {
            MetricUnit::Rate => pct(x),
            MetricUnit::Money(c) => money(x, c),
            MetricUnit::Score => number(x, 1),
            MetricUnit::Number => fmt_sig(x, 3),
        };
        with_minus(text, Minus::Unicode)
    }

    /// A change of the metric (treatment minus control), always signed,
    /// Unicode minus: `+6.2 pp`, `−$1.08`, `+22.3 points`, `+0.084`.
    pub(super) fn change(&self, x: f64) -> String {
        let text = match self {
            MetricUnit::Rate => pp(x),
            MetricUnit::Money(c) => signed_money(x, c),
            MetricUnit::Score => format!("{} points", plus(number(x, 1))),
            MetricUnit::Number => plus(fmt_sig(x, 3)),
        };
        with_minus(text, Minus::Unicode)
    }

    /// The size of a change without a sign (an interval's width).
    pub(super) fn size(&self, x: f64) -> String {
        let text = self.change(x.abs());
        text.strip_prefix('+').map(str::to_string).unwrap_or(text)
    }

    /// `low to high` as changes.
    pub(super) fn range(&self, low: f64, high: f64) -> String {
        format!("{} to {}", self.change(low), self.change(high))
    }

    /// The chart unit of changes in this metric.
    pub(super) fn chart_unit(&self) -> Unit {
        match self {
            MetricUnit::Rate => Unit::Points,
            MetricUnit::Money(c) => Unit::Money(c.clone()),
            MetricUnit::Score | MetricUnit::Number => Unit::Number,
        }
    }
}

/// Whether any word of `name` (split at anything not a letter or digit,
/// and at camelCase humps) is a money word.
fn names_money(name: &str) -> bool {
    let mut spaced = String::with_capacity(name.len() + 8);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && previous_lower {
            spaced.push(' ');
        }
        previous_lower = c.is_lowercase();
        spaced.push(if c.is_alphanumeric() { c } else { ' ' });
    }
    spaced
        .split_whitespace()
        .any(|word| MONEY_WORDS.contains(&word.to_lowercase().as_str()))
}

/// A relative change, signed, Unicode minus: `+41.1%`, `−6.7%`.
pub(super) fn relative(x: f64) -> String {
    with_minus(signed_pct(x), Minus::Unicode)
}

/// A relative interval: `−5.7% to +87.8%`.
pub(super) fn relative_range(low: f64, high: f64) -> String {
    format!("{} to {}", relative(low), relative(high))
}

/// Money, Unicode minus: `−$5,437`.
pub(super) fn cash(x: f64, currency: &str) -> String {
    with_minus(money(x, currency), Minus::Unicode)
}

/// Adds a `+` to a positive formatted number (zero and `n/a` stay bare).
fn plus(text: String) -> String {
    let positive = text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    if positive { format!("+{text}") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_recognised_by_whole_words() {
        assert!(names_money("revenue_90d"));
        assert!(names_money("gross_margin_90d"));
        assert!(names_money("order_value"));
        assert!(names_money("basketSize"));
        assert!(!names_money("orders_90d"));
        assert!(!names_money("valued_customers"));
        assert!(!names_money("tickets"));
    }

    #[test]
    fn changes_are_signed_in_their_units() {
        assert_eq!(MetricUnit::Rate.change(0.0624), "+6.2 pp");
        assert_eq!(
            MetricUnit::Money("$".into()).change(-1.083),
            "\u{2212}$1.08"
        );
        assert_eq!(MetricUnit::Score.change(22.33), "+22.3 points");
        assert_eq!(MetricUnit::Number.change(0.0838), "+0.0838");
        assert_eq!(MetricUnit::Number.change(0.0), "0");
        assert_eq!(MetricUnit::Rate.size(-0.021), "2.1 pp");
    }
}
