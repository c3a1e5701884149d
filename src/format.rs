//! Numbers for people: shop owners, partners and bank managers read these.
//!
//! Every function here is total: NaN and infinities give [`NOT_AVAILABLE`]
//! (`"n/a"`), never `"NaN"` or `"inf"`, and no function panics.
//!
//! # Rules
//!
//! * **Rounding** is half away from zero on the number *as the user would
//!   write it*: the value is first turned into its shortest decimal form
//!   (Rust's `{:e}`, which round-trips), then rounded digit by digit. So
//!   `2.675` to two decimals is `2.68` and `0.125` is `0.13`, although the
//!   binary doubles are slightly below those halves; formatting with `{:.2}`
//!   would give `2.67` and `0.12` (it rounds the exact binary value, half to
//!   even). Percentages are scaled by 100 in decimal, not by a float multiply,
//!   so `0.0005` is `0.05%` and never `0.049999999999999996%`.
//! * **Separators** are English-style and locale-independent: `,` between
//!   thousands, `.` before decimals (`1,234,567.89`).
//! * **Zero** never carries a sign: `-0.001` to two decimals is `0.00`.
//! * **Money** ([`money`]): amounts whose magnitude rounds to 100 or more are
//!   shown in whole units (`$1,235`, `$100`); smaller ones in cents (`$12.50`,
//!   `$0.35`), where cents matter. Zero is `$0`. A currency made only of
//!   letters (`EUR`, `CHF`, `kr`) goes after the amount with a space
//!   (`1,235 EUR`); anything else is a symbol and goes before it (`$`, `€`,
//!   `£`, `US$`), after the minus sign (`-$1,235`).
//! * **Compact money** ([`money_compact`], for axis labels and tight spaces):
//!   `k`, `M`, `B`, `T` for thousands, millions, billions, trillions; one
//!   decimal below 10 of the unit, none above, trailing `.0` dropped (`$12k`,
//!   `$1.2M`, `$2k`); under 1,000 whole units from 10 up (`-$350`), cents
//!   below 10 unless whole (`$2.50`, `$5`).
//! * **Percentages** ([`pct`], [`signed_pct`], [`pp`]): one decimal
//!   (`12.3%`, `+5.1%`, `-0.4%`); none from 100% up (`250%`); a non-zero value
//!   that would read `0.0%` gets one significant digit instead (`0.04%`,
//!   `0.004%`, down to `0.0001%`; smaller magnitudes read `~0%`). Exact zero
//!   is `0%`, unsigned. Differences of two rates are percentage points:
//!   `pp(0.023)` is `+2.3 pp`.
//! * **p-values** ([`p_value`]): `p < 0.001`, then two significant digits
//!   with at most three decimals (`p = 0.042`, `p = 0.31`, `p = 0.004`), and
//!   `p > 0.99` at the top.
//! * **Significant digits** ([`fmt_sig`]): at least `sig` significant digits,
//!   but integer digits are never rounded away (`123,457`, not `123,000`: a
//!   reader takes trailing zeros for exact); trailing zeros after the point
//!   are kept, they are significant (`2.50`).
//! * **Minus signs** ([`Minus`]): ASCII `-` for terminals, Markdown and CSV
//!   (copy-pasteable into spreadsheets); U+2212 `−` for HTML and SVG, where
//!   it is as wide as `+` and does not break lines. Functions produce ASCII;
//!   [`with_minus`] and [`interval`] convert.
//! * **Durations** ([`days`]): whole days rounded *up* to 31 days (a pilot
//!   that needs 17.3 days of data is not done after 17), then weeks, months
//!   and years rounded to nearest; always prefixed `about`.

/// What every function prints for NaN, infinities and other values that
/// cannot be shown (a p-value outside 0..=1, a negative duration).
pub const NOT_AVAILABLE: &str = "n/a";

/// The character a negative number starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Minus {
    /// ASCII hyphen-minus `-`: terminals, Markdown, CSV.
    Ascii,
    /// U+2212 MINUS SIGN `−`: HTML and SVG.
    Unicode,
}

/// Replaces a leading ASCII `-` of an already formatted number with the
/// chosen minus sign; other text is returned unchanged.
pub fn with_minus(text: String, minus: Minus) -> String {
    match (minus, text.strip_prefix('-')) {
        (Minus::Unicode, Some(rest)) => format!("\u{2212}{rest}"),
        _ => text,
    }
}

/// `x` with thousands separators and exactly `decimals` decimals, rounded
/// half away from zero: `number(1234567.891, 2)` is `1,234,567.89`.
/// Decimals beyond 350 are not shown: no double has digits past that.
pub fn number(x: f64, decimals: usize) -> String {
    match Decimal::new(x) {
        Some(d) => d.round(decimals).signed(false),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// `x` with at least `sig` significant digits (minimum 1) and no integer
/// digit rounded away: `fmt_sig(0.012345, 3)` is `0.0123`,
/// `fmt_sig(123456.7, 3)` is `123,457`; zero is `0`.
pub fn fmt_sig(x: f64, sig: usize) -> String {
    match Decimal::new(x) {
        Some(d) if d.is_zero() => "0".to_string(),
        Some(d) => d.round_sig(sig.max(1), usize::MAX).signed(false),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// A money amount: whole units from 100 up, cents below (`$12.50`,
/// `-$1,235`, `1,235 EUR`); see the module rules for currency placement.
pub fn money(x: f64, currency: &str) -> String {
    money_with_sign(x, currency, false)
}

/// Like [`money`] with a `+` on positive amounts, for changes: `+$1,235`.
pub fn signed_money(x: f64, currency: &str) -> String {
    money_with_sign(x, currency, true)
}

fn money_with_sign(x: f64, currency: &str, plus: bool) -> String {
    let Some(d) = Decimal::new(x) else {
        return NOT_AVAILABLE.to_string();
    };
    let cents = d.round(2);
    let shown = if cents.int_len() >= 3 {
        d.round(0)
    } else {
        cents
    };
    place_currency(&shown, &shown.unsigned(), currency, plus)
}

/// A short money amount for axis labels: `$12k`, `$1.2M`, `-$350`, `$2.50`.
pub fn money_compact(x: f64, currency: &str) -> String {
    let Some(d) = Decimal::new(x) else {
        return NOT_AVAILABLE.to_string();
    };
    let mut unit = if d.exp >= 3 { (d.exp / 3).min(4) } else { 0 };
    loop {
        let shown = if unit == 0 {
            if d.exp >= 1 {
                d.round(0)
            } else {
                let cents = d.round(2);
                if cents.frac.iter().all(|&c| c == 0) {
                    d.round(0)
                } else {
                    cents
                }
            }
        } else {
            let scaled = d.clone().shift(-3 * unit);
            let decimals = if scaled.exp == 0 { 1 } else { 0 };
            scaled.round(decimals).trim_zeros()
        };
        // 999.7k rounds to 1000k: say 1M instead.
        if shown.int_len() >= 4 && unit < 4 {
            unit += 1;
            continue;
        }
        let text = format!("{}{}", shown.unsigned(), UNIT_SUFFIX[unit as usize]);
        return place_currency(&shown, &text, currency, false);
    }
}

const UNIT_SUFFIX: [&str; 5] = ["", "k", "M", "B", "T"];

/// Puts sign and currency around an unsigned amount; letters-only
/// currencies are codes and go after, anything else is a symbol and goes
/// first.
fn place_currency(value: &Fixed, amount: &str, currency: &str, plus: bool) -> String {
    // "$0" reads better than "$0.00", and zero never has a sign.
    let (sign, amount) = if value.is_zero() {
        ("", "0")
    } else {
        (value.sign(plus), amount)
    };
    let currency = currency.trim();
    if currency.is_empty() {
        format!("{sign}{amount}")
    } else if currency.chars().all(char::is_alphabetic) {
        format!("{sign}{amount} {currency}")
    } else {
        format!("{sign}{currency}{amount}")
    }
}

/// A fraction as a percentage: `pct(0.1234)` is `12.3%`; see the module
/// rules for the number of digits.
pub fn pct(x: f64) -> String {
    percent(x, false, "%")
}

/// Above this relative change (+10,000%, a hundredfold) the digits carry no
/// meaning for a reader: a bound of +2,000,000,000,000% at three customers
/// per arm says only that the data do not limit the change from above.
const LARGEST_SHOWN_CHANGE: f64 = 100.0;

/// A change as a signed percentage: `+5.1%`, `-0.4%`, `0%`; beyond a
/// hundredfold, `> +10,000%`.
pub fn signed_pct(x: f64) -> String {
    if x > LARGEST_SHOWN_CHANGE && x.is_finite() {
        return format!("> {}", percent(LARGEST_SHOWN_CHANGE, true, "%"));
    }
    percent(x, true, "%")
}

/// A difference of two rates (fractions) in percentage points:
/// `pp(0.023)` is `+2.3 pp`.
pub fn pp(x: f64) -> String {
    percent(x, true, " pp")
}

fn percent(x: f64, plus: bool, suffix: &str) -> String {
    let Some(d) = Decimal::new(x) else {
        return NOT_AVAILABLE.to_string();
    };
    if d.is_zero() {
        return format!("0{suffix}");
    }
    let v = d.shift(2);
    let mut shown = v.round(1);
    if shown.int_len() >= 3 {
        shown = v.round(0);
    } else if shown.is_zero() {
        if v.exp < -4 {
            return format!("~0{suffix}");
        }
        shown = v.round_sig(1, 4);
    }
    format!("{}{suffix}", shown.signed(plus))
}

/// A probability that never rounds to a certainty it is not: 0.9996 reads
/// `> 99.9%` and 0.0004 `< 0.1%`, not `100%` and `0%`.
pub fn probability(p: f64) -> String {
    if p > 0.999 && p < 1.0 {
        "> 99.9%".to_string()
    } else if p < 0.001 && p > 0.0 {
        "< 0.1%".to_string()
    } else {
        pct(p)
    }
}

/// A p-value for people: `p < 0.001`, `p = 0.042`, `p = 0.31`, `p > 0.99`.
pub fn p_value(p: f64) -> String {
    if !(0.0..=1.0).contains(&p) {
        return NOT_AVAILABLE.to_string();
    }
    if p < 0.001 {
        return "p < 0.001".to_string();
    }
    if p > 0.99 {
        return "p > 0.99".to_string();
    }
    match Decimal::new(p) {
        Some(d) => format!("p = {}", d.round_sig(2, 3).signed(false)),
        None => NOT_AVAILABLE.to_string(),
    }
}

/// An interval `[lo, hi]` with each end formatted by `fmt` and negative
/// signs written as `minus`: `interval(-0.012, 0.045, signed_pct,
/// Minus::Ascii)` is `[-1.2%, +4.5%]`. `n/a` if either end is not finite.
pub fn interval(lo: f64, hi: f64, fmt: impl Fn(f64) -> String, minus: Minus) -> String {
    if !lo.is_finite() || !hi.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    format!(
        "[{}, {}]",
        with_minus(fmt(lo), minus),
        with_minus(fmt(hi), minus)
    )
}

/// A duration given in days, for people: `about 18 days` (17.3 days, days
/// rounded up), `about 6 weeks`, `about 3 months`, `about 2 years`; `0 days`
/// for zero; `n/a` for negative or non-finite input.
pub fn days(d: f64) -> String {
    if !d.is_finite() || d < 0.0 {
        return NOT_AVAILABLE.to_string();
    }
    if d == 0.0 {
        return "0 days".to_string();
    }
    let whole_days = d.ceil();
    if whole_days <= 31.0 {
        format!("about {}", count(whole_days as u64, "day", "days"))
    } else if d < 91.0 {
        format!("about {} weeks", number((d / 7.0).round(), 0))
    } else if d < 730.0 {
        format!("about {} months", number((d / 30.4375).round(), 0))
    } else {
        format!("about {} years", number((d / 365.25).round(), 0))
    }
}

/// A count with its noun: `count(1, "customer", "customers")` is
/// `1 customer`, `count(12000, ...)` is `12,000 customers`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    let noun = if n == 1 { one } else { many };
    format!("{} {noun}", group(&n.to_string()))
}

/// The unit of a value on a chart axis or in a chart label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// A fraction shown as a plain percentage (`12.3%`), e.g. a share.
    Share,
    /// A relative change shown as a signed percentage (`+5.1%`).
    Relative,
    /// A difference of rates in percentage points (`+2.3 pp`).
    Points,
    /// Money in the given currency (`$1,235`, ticks `$12k`).
    Money(String),
    /// A plain number in the metric's own units (3 significant digits).
    Number,
}

impl Unit {
    /// One value in this unit, ASCII minus.
    pub fn value(&self, x: f64) -> String {
        match self {
            Unit::Share => pct(x),
            Unit::Relative => signed_pct(x),
            Unit::Points => pp(x),
            Unit::Money(currency) => money(x, currency),
            Unit::Number => fmt_sig(x, 3),
        }
    }

    /// Labels for a set of axis ticks, formatted consistently: for money
    /// the same `k`/`M` scale on every tick (`$0`, `$2.5k`, `$5k`), cents on
    /// every tick if any needs them (`$0.50`, `$1.00`); otherwise trailing
    /// zeros dropped (`-2.5%`, `0%`, `+5%`), since nice ticks cannot be
    /// misread that way. At most three decimals. ASCII minus.
    pub fn ticks(&self, ticks: &[f64]) -> Vec<String> {
        let decimals_needed = |ds: &[Option<Decimal>]| {
            ds.iter()
                .flatten()
                .map(Decimal::frac_len)
                .max()
                .unwrap_or(0)
                .min(3)
        };
        match self {
            Unit::Share | Unit::Relative | Unit::Points => {
                let scaled: Vec<Option<Decimal>> = ticks
                    .iter()
                    .map(|&t| Decimal::new(t).map(|d| d.shift(2)))
                    .collect();
                let decimals = decimals_needed(&scaled);
                let (plus, suffix) = match self {
                    Unit::Share => (false, "%"),
                    Unit::Relative => (true, "%"),
                    _ => (true, " pp"),
                };
                scaled
                    .iter()
                    .map(|d| match d {
                        Some(d) if d.is_zero() => format!("0{suffix}"),
                        Some(d) => {
                            format!("{}{suffix}", d.round(decimals).trim_zeros().signed(plus))
                        }
                        None => NOT_AVAILABLE.to_string(),
                    })
                    .collect()
            }
            Unit::Money(currency) => {
                let ds: Vec<Option<Decimal>> = ticks.iter().map(|&t| Decimal::new(t)).collect();
                let top = ds
                    .iter()
                    .flatten()
                    .filter(|d| !d.is_zero())
                    .map(|d| d.exp)
                    .max()
                    .unwrap_or(0);
                let unit = if top >= 3 { (top / 3).min(4) } else { 0 };
                let scaled: Vec<Option<Decimal>> = ds
                    .into_iter()
                    .map(|d| d.map(|d| d.shift(-3 * unit)))
                    .collect();
                let decimals = decimals_needed(&scaled);
                // In plain units money with cents shows them on every tick
                // ($0.50, $1.00); scaled ticks drop trailing zeros ($5k).
                let cents = unit == 0 && decimals > 0;
                let decimals = if cents { decimals.max(2) } else { decimals };
                scaled
                    .iter()
                    .map(|d| match d {
                        Some(d) => {
                            let shown = d.round(decimals);
                            let shown = if cents { shown } else { shown.trim_zeros() };
                            let text =
                                format!("{}{}", shown.unsigned(), UNIT_SUFFIX[unit as usize]);
                            place_currency(&shown, &text, currency, false)
                        }
                        None => NOT_AVAILABLE.to_string(),
                    })
                    .collect()
            }
            Unit::Number => {
                let ds: Vec<Option<Decimal>> = ticks.iter().map(|&t| Decimal::new(t)).collect();
                let decimals = decimals_needed(&ds);
                ds.iter()
                    .map(|d| match d {
                        Some(d) => d.round(decimals).trim_zeros().signed(false),
                        None => NOT_AVAILABLE.to_string(),
                    })
                    .collect()
            }
        }
    }
}

/// Inserts `,` between groups of three digits of a plain digit string.
fn group(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The most decimals any function writes: the smallest subnormal double,
/// 4.9e-324, has its 17th significant digit at the 340th decimal. Also
/// keeps an absurd `decimals` argument from allocating without bound.
const MAX_DECIMALS: usize = 350;

/// A finite number as its shortest round-tripping decimal digits:
/// value = 0.d1d2d3... x 10^(exp + 1), i.e. `exp` is the power of ten of the
/// first digit. Zero is `digits == [0]`, `exp == 0`.
#[derive(Debug, Clone)]
struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    exp: i32,
}

impl Decimal {
    fn new(x: f64) -> Option<Decimal> {
        if !x.is_finite() {
            return None;
        }
        // `{:e}` prints the shortest digits that read back as the same
        // double, e.g. "-1.2345e-5"; rounding those is rounding what the
        // user typed, not the binary approximation of it.
        let text = format!("{x:e}");
        let (mantissa, exp) = text.split_once('e')?;
        let digits: Vec<u8> = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        let d = Decimal {
            neg: mantissa.starts_with('-'),
            digits,
            exp: exp.parse().ok()?,
        };
        if d.is_zero() {
            return Some(Decimal {
                neg: false,
                digits: vec![0],
                exp: 0,
            });
        }
        Some(d)
    }

    fn is_zero(&self) -> bool {
        self.digits.iter().all(|&d| d == 0)
    }

    /// Multiplies by 10^k exactly.
    fn shift(mut self, k: i32) -> Decimal {
        if !self.is_zero() {
            self.exp += k;
        }
        self
    }

    /// Number of digits after the decimal point in the shortest form.
    fn frac_len(&self) -> usize {
        if self.is_zero() {
            return 0;
        }
        (self.digits.len() as i64 - 1 - i64::from(self.exp)).max(0) as usize
    }

    /// Rounds half away from zero to `decimals` decimals (at most
    /// [`MAX_DECIMALS`]).
    fn round(&self, decimals: usize) -> Fixed {
        let decimals = decimals.min(MAX_DECIMALS);
        let point = i64::from(self.exp) + 1;
        let (mut v, mut int_len) = if point <= 0 {
            let mut v = vec![0u8; (1 - point) as usize];
            v.extend_from_slice(&self.digits);
            (v, 1usize)
        } else {
            let mut v = self.digits.clone();
            let int_len = point as usize;
            if v.len() < int_len {
                v.resize(int_len, 0);
            }
            (v, int_len)
        };
        let keep = int_len.saturating_add(decimals);
        if v.len() > keep {
            // The shortest form has no trailing zeros, so a 5 here means
            // "exactly half or more": round away from zero.
            let up = v[keep] >= 5;
            v.truncate(keep);
            if up {
                let mut i = keep;
                loop {
                    if i == 0 {
                        v.insert(0, 1);
                        int_len += 1;
                        break;
                    }
                    i -= 1;
                    if v[i] == 9 {
                        v[i] = 0;
                    } else {
                        v[i] += 1;
                        break;
                    }
                }
            }
        } else {
            v.resize(keep, 0);
        }
        let frac = v.split_off(int_len);
        let leading = v.iter().take_while(|&&d| d == 0).count().min(v.len() - 1);
        v.drain(..leading);
        Fixed {
            neg: self.neg,
            int: v,
            frac,
        }
    }

    /// Rounds to `sig` significant digits, keeping all integer digits and
    /// at most `max_decimals` decimals.
    fn round_sig(&self, sig: usize, max_decimals: usize) -> Fixed {
        // Capped so the cast cannot wrap; `round` caps the decimals anyway.
        let sig = sig.min(MAX_DECIMALS) as i64;
        let wanted = (sig - 1 - i64::from(self.exp)).max(0);
        let decimals = (wanted as usize).min(max_decimals);
        let shown = self.round(decimals);
        // 9.996 to 3 digits is 10.00: one digit too many after the carry.
        if decimals > 0 && shown.magnitude().is_some_and(|m| m > self.exp) {
            return self.round(decimals - 1);
        }
        shown
    }
}

/// A rounded decimal: integer digits (no leading zeros, at least one) and
/// fraction digits (exactly as many as asked for).
#[derive(Debug, Clone)]
struct Fixed {
    neg: bool,
    int: Vec<u8>,
    frac: Vec<u8>,
}

impl Fixed {
    fn is_zero(&self) -> bool {
        self.int.iter().chain(&self.frac).all(|&d| d == 0)
    }

    /// Number of integer digits, `0` counting as one.
    fn int_len(&self) -> usize {
        self.int.len()
    }

    /// Power of ten of the first non-zero digit; `None` for zero.
    fn magnitude(&self) -> Option<i32> {
        if self.int != [0] {
            return Some(self.int.len() as i32 - 1);
        }
        let first = self.frac.iter().position(|&d| d != 0)?;
        Some(-(first as i32) - 1)
    }

    fn trim_zeros(mut self) -> Fixed {
        while self.frac.last() == Some(&0) {
            self.frac.pop();
        }
        self
    }

    /// `-`, `+` (only if `plus`) or nothing; zero never has a sign.
    fn sign(&self, plus: bool) -> &'static str {
        if self.is_zero() {
            ""
        } else if self.neg {
            "-"
        } else if plus {
            "+"
        } else {
            ""
        }
    }

    /// Digits with separators, no sign: `1,234.50`.
    fn unsigned(&self) -> String {
        let int: String = self.int.iter().map(|&d| char::from(b'0' + d)).collect();
        let mut out = group(&int);
        if !self.frac.is_empty() {
            out.push('.');
            out.extend(self.frac.iter().map(|&d| char::from(b'0' + d)));
        }
        out
    }

    fn signed(&self, plus: bool) -> String {
        format!("{}{}", self.sign(plus), self.unsigned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_rounding_carries_through_nines() {
        assert_eq!(number(999.995, 2), "1,000.00");
        assert_eq!(number(0.95, 1), "1.0");
        assert_eq!(number(0.0004, 2), "0.00");
        assert_eq!(number(5e-324, 2), "0.00");
    }

    #[test]
    fn frac_len_counts_shortest_digits() {
        assert_eq!(Decimal::new(0.25).unwrap().frac_len(), 2);
        assert_eq!(Decimal::new(2500.0).unwrap().frac_len(), 0);
        assert_eq!(Decimal::new(0.0).unwrap().frac_len(), 0);
    }

    #[test]
    fn group_inserts_separators() {
        assert_eq!(group("1"), "1");
        assert_eq!(group("1234"), "1,234");
        assert_eq!(group("123456"), "123,456");
    }
}
