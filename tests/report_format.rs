//! Exact strings for the report number formatting: these are what shop
//! owners and bank managers read, so every rule is pinned here.

use pilot::format::{
    Minus, NOT_AVAILABLE, Unit, count, days, fmt_sig, interval, money, money_compact, number,
    p_value, pct, pp, signed_money, signed_pct, with_minus,
};

const NON_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

#[test]
fn number_inserts_thousands_separators() {
    assert_eq!(number(12000.0, 0), "12,000");
    assert_eq!(number(1234567.891, 2), "1,234,567.89");
    assert_eq!(number(-1234.0, 0), "-1,234");
    assert_eq!(number(0.0, 0), "0");
    assert_eq!(number(0.0, 2), "0.00");
    assert_eq!(number(999.0, 0), "999");
    assert_eq!(number(1000.0, 0), "1,000");
    assert_eq!(number(100000.0, 1), "100,000.0");
    assert_eq!(number(0.5, 3), "0.500");
}

#[test]
fn number_rounds_half_away_from_zero_on_the_written_value() {
    // The doubles for 2.675 and 1.005 are slightly below the half; people
    // expect the half to round up.
    assert_eq!(number(2.675, 2), "2.68");
    assert_eq!(number(1.005, 2), "1.01");
    assert_eq!(number(0.125, 2), "0.13");
    assert_eq!(number(0.5, 0), "1");
    assert_eq!(number(1.5, 0), "2");
    assert_eq!(number(2.5, 0), "3");
    assert_eq!(number(-2.5, 0), "-3");
    assert_eq!(number(-2.675, 2), "-2.68");
    assert_eq!(number(2.674, 2), "2.67");
    assert_eq!(number(999999.5, 0), "1,000,000");
    assert_eq!(number(9.995, 2), "10.00");
}

#[test]
fn number_never_shows_negative_zero() {
    assert_eq!(number(-0.0, 0), "0");
    assert_eq!(number(-0.001, 2), "0.00");
    assert_eq!(number(-0.4, 0), "0");
}

#[test]
fn number_handles_huge_and_tiny_values() {
    assert_eq!(number(1e20, 0), "100,000,000,000,000,000,000");
    assert_eq!(number(-1.5e15, 0), "-1,500,000,000,000,000");
    assert_eq!(number(1e-300, 2), "0.00");
    assert_eq!(number(f64::MAX, 0).len(), 309 + 102);
    assert_eq!(number(f64::MIN_POSITIVE, 3), "0.000");
    // Absurd precision is capped, not allocated.
    assert_eq!(number(1.5, usize::MAX).len(), 2 + 350);
    let long = fmt_sig(1.5, usize::MAX);
    assert!(
        long.starts_with("1.5000") && long.len() <= 2 + 350,
        "{long}"
    );
    assert_eq!(fmt_sig(5e-324, 2), format!("0.{}50", "0".repeat(323)));
}

#[test]
fn significant_digits_keep_integer_digits() {
    assert_eq!(fmt_sig(0.012345, 3), "0.0123");
    assert_eq!(fmt_sig(123456.7, 3), "123,457");
    assert_eq!(fmt_sig(1.0, 3), "1.00");
    assert_eq!(fmt_sig(2.5, 3), "2.50");
    assert_eq!(fmt_sig(12.345, 3), "12.3");
    assert_eq!(fmt_sig(-0.00098765, 2), "-0.00099");
    assert_eq!(fmt_sig(0.0, 3), "0");
    assert_eq!(fmt_sig(-0.0, 3), "0");
    assert_eq!(fmt_sig(1234.5, 2), "1,235");
    assert_eq!(fmt_sig(0.5, 0), "0.5");
}

#[test]
fn significant_digits_do_not_grow_on_carry() {
    assert_eq!(fmt_sig(9.996, 3), "10.0");
    assert_eq!(fmt_sig(0.09996, 3), "0.100");
    assert_eq!(fmt_sig(99.96, 3), "100");
    assert_eq!(fmt_sig(0.9999, 1), "1");
}

#[test]
fn money_uses_cents_below_100_and_whole_units_above() {
    assert_eq!(money(-1234.5, "$"), "-$1,235");
    assert_eq!(money(12.5, "$"), "$12.50");
    assert_eq!(money(0.35, "$"), "$0.35");
    assert_eq!(money(99.99, "$"), "$99.99");
    assert_eq!(money(99.996, "$"), "$100");
    assert_eq!(money(100.0, "$"), "$100");
    assert_eq!(money(250.4, "$"), "$250");
    assert_eq!(money(5.0, "$"), "$5.00");
    assert_eq!(money(1_234_567.0, "$"), "$1,234,567");
}

#[test]
fn money_zero_has_no_sign_and_no_cents() {
    assert_eq!(money(0.0, "$"), "$0");
    assert_eq!(money(-0.001, "$"), "$0");
    assert_eq!(signed_money(0.0, "$"), "$0");
    assert_eq!(money(0.0, "EUR"), "0 EUR");
}

#[test]
fn money_places_symbols_before_and_codes_after() {
    assert_eq!(money(1234.5, "EUR"), "1,235 EUR");
    assert_eq!(money(-1234.5, "CHF"), "-1,235 CHF");
    assert_eq!(money(12.5, "€"), "€12.50");
    assert_eq!(money(-12.5, "£"), "-£12.50");
    assert_eq!(money(12.5, "US$"), "US$12.50");
    assert_eq!(money(12.5, "kr"), "12.50 kr");
    assert_eq!(money(12.5, " EUR "), "12.50 EUR");
    assert_eq!(money(12.5, ""), "12.50");
}

#[test]
fn signed_money_marks_gains() {
    assert_eq!(signed_money(1234.5, "$"), "+$1,235");
    assert_eq!(signed_money(-3.2, "$"), "-$3.20");
    assert_eq!(signed_money(80.0, "EUR"), "+80.00 EUR");
}

#[test]
fn compact_money_for_axis_labels() {
    assert_eq!(money_compact(12000.0, "$"), "$12k");
    assert_eq!(money_compact(1_234_567.0, "$"), "$1.2M");
    assert_eq!(money_compact(-350.0, "$"), "-$350");
    assert_eq!(money_compact(2000.0, "$"), "$2k");
    assert_eq!(money_compact(2500.0, "$"), "$2.5k");
    assert_eq!(money_compact(125_000.0, "$"), "$125k");
    assert_eq!(money_compact(999_999.0, "$"), "$1M");
    assert_eq!(money_compact(999.7, "$"), "$1k");
    assert_eq!(money_compact(3.4e9, "$"), "$3.4B");
    assert_eq!(money_compact(2e15, "$"), "$2,000T");
    assert_eq!(money_compact(2.5, "$"), "$2.50");
    assert_eq!(money_compact(5.0, "$"), "$5");
    assert_eq!(money_compact(0.0, "$"), "$0");
    assert_eq!(money_compact(12000.0, "EUR"), "12k EUR");
    assert_eq!(money_compact(-1_500_000.0, "€"), "-€1.5M");
}

#[test]
fn percentages_use_one_decimal() {
    assert_eq!(pct(0.1234), "12.3%");
    assert_eq!(pct(0.5), "50.0%");
    assert_eq!(pct(0.00125), "0.1%");
    assert_eq!(pct(0.0), "0%");
    assert_eq!(pct(-0.25), "-25.0%");
}

#[test]
fn percentages_from_100_drop_decimals() {
    assert_eq!(pct(1.0), "100%");
    assert_eq!(pct(2.5), "250%");
    assert_eq!(pct(0.99996), "100%");
    assert_eq!(pct(0.9994), "99.9%");
    assert_eq!(signed_pct(-1.0), "-100%");
}

#[test]
fn small_percentages_keep_a_significant_digit() {
    assert_eq!(pct(0.0004), "0.04%");
    assert_eq!(pct(0.00004), "0.004%");
    assert_eq!(pct(0.000001), "0.0001%");
    assert_eq!(pct(0.0000001), "~0%");
    assert_eq!(signed_pct(-0.0004), "-0.04%");
    assert_eq!(signed_pct(-1e-300), "~0%");
    // The scaling by 100 is decimal, so no 0.049999999999999996 artefact.
    assert_eq!(pct(0.0005), "0.1%");
    assert_eq!(pct(0.00005), "0.005%");
}

#[test]
fn signed_percentages() {
    assert_eq!(signed_pct(0.051), "+5.1%");
    assert_eq!(signed_pct(-0.004), "-0.4%");
    assert_eq!(signed_pct(0.0), "0%");
    assert_eq!(signed_pct(-0.0), "0%");
    assert_eq!(signed_pct(0.12345), "+12.3%");
    assert_eq!(signed_pct(0.00055), "+0.1%");
}

#[test]
fn percentage_points() {
    assert_eq!(pp(0.023), "+2.3 pp");
    assert_eq!(pp(-0.004), "-0.4 pp");
    assert_eq!(pp(0.0), "0 pp");
    assert_eq!(pp(0.0002), "+0.02 pp");
}

#[test]
fn p_values() {
    assert_eq!(p_value(0.0001), "p < 0.001");
    assert_eq!(p_value(0.0), "p < 0.001");
    assert_eq!(p_value(0.00099), "p < 0.001");
    assert_eq!(p_value(0.001), "p = 0.001");
    assert_eq!(p_value(0.0042), "p = 0.004");
    assert_eq!(p_value(0.042), "p = 0.042");
    assert_eq!(p_value(0.0455), "p = 0.046");
    assert_eq!(p_value(0.31), "p = 0.31");
    assert_eq!(p_value(0.5), "p = 0.50");
    assert_eq!(p_value(0.0999), "p = 0.10");
    assert_eq!(p_value(0.99), "p = 0.99");
    assert_eq!(p_value(0.995), "p > 0.99");
    assert_eq!(p_value(1.0), "p > 0.99");
    assert_eq!(p_value(-0.1), NOT_AVAILABLE);
    assert_eq!(p_value(1.5), NOT_AVAILABLE);
}

#[test]
fn intervals_with_either_minus() {
    assert_eq!(
        interval(-0.012, 0.045, signed_pct, Minus::Ascii),
        "[-1.2%, +4.5%]"
    );
    assert_eq!(
        interval(-0.012, 0.045, signed_pct, Minus::Unicode),
        "[\u{2212}1.2%, +4.5%]"
    );
    assert_eq!(
        interval(-1234.5, -10.0, |x| money(x, "$"), Minus::Unicode),
        "[\u{2212}$1,235, \u{2212}$10.00]"
    );
    assert_eq!(interval(0.01, 0.03, pp, Minus::Ascii), "[+1.0 pp, +3.0 pp]");
    assert_eq!(
        interval(f64::NAN, 0.1, signed_pct, Minus::Ascii),
        NOT_AVAILABLE
    );
    assert_eq!(
        interval(0.0, f64::INFINITY, signed_pct, Minus::Ascii),
        NOT_AVAILABLE
    );
}

#[test]
fn with_minus_only_touches_a_leading_sign() {
    assert_eq!(with_minus("-5%".into(), Minus::Unicode), "\u{2212}5%");
    assert_eq!(with_minus("-5%".into(), Minus::Ascii), "-5%");
    assert_eq!(with_minus("e-mail".into(), Minus::Unicode), "e-mail");
}

#[test]
fn durations() {
    assert_eq!(days(17.3), "about 18 days");
    assert_eq!(days(0.2), "about 1 day");
    assert_eq!(days(1.0), "about 1 day");
    assert_eq!(days(0.0), "0 days");
    assert_eq!(days(31.0), "about 31 days");
    assert_eq!(days(40.0), "about 6 weeks");
    assert_eq!(days(90.0), "about 13 weeks");
    assert_eq!(days(91.0), "about 3 months");
    assert_eq!(days(200.0), "about 7 months");
    assert_eq!(days(729.0), "about 24 months");
    assert_eq!(days(800.0), "about 2 years");
    assert!(days(1e300).starts_with("about 2,737"));
    assert_eq!(days(-1.0), NOT_AVAILABLE);
}

#[test]
fn counts_with_plurals() {
    assert_eq!(count(1, "customer", "customers"), "1 customer");
    assert_eq!(count(2, "customer", "customers"), "2 customers");
    assert_eq!(count(0, "customer", "customers"), "0 customers");
    assert_eq!(count(12000, "customer", "customers"), "12,000 customers");
    assert_eq!(
        count(u64::MAX, "order", "orders"),
        "18,446,744,073,709,551,615 orders"
    );
}

#[test]
fn unit_values() {
    assert_eq!(Unit::Share.value(0.1234), "12.3%");
    assert_eq!(Unit::Relative.value(0.051), "+5.1%");
    assert_eq!(Unit::Points.value(0.023), "+2.3 pp");
    assert_eq!(Unit::Money("$".into()).value(-1234.5), "-$1,235");
    assert_eq!(Unit::Number.value(0.012345), "0.0123");
}

#[test]
fn tick_labels_are_consistent_across_an_axis() {
    assert_eq!(
        Unit::Relative.ticks(&[-0.1, -0.05, 0.0, 0.05, 0.1]),
        ["-10%", "-5%", "0%", "+5%", "+10%"]
    );
    assert_eq!(
        Unit::Relative.ticks(&[-0.025, 0.0, 0.025]),
        ["-2.5%", "0%", "+2.5%"]
    );
    assert_eq!(Unit::Share.ticks(&[0.0, 0.1, 0.2]), ["0%", "10%", "20%"]);
    assert_eq!(
        Unit::Relative.ticks(&[-0.05, -0.025, 0.0, 0.025, 0.05]),
        ["-5%", "-2.5%", "0%", "+2.5%", "+5%"]
    );
    assert_eq!(Unit::Points.ticks(&[0.0, 0.01]), ["0 pp", "+1 pp"]);
    let usd = Unit::Money("$".into());
    assert_eq!(
        usd.ticks(&[0.0, 2500.0, 5000.0, 7500.0]),
        ["$0", "$2.5k", "$5k", "$7.5k"]
    );
    assert_eq!(
        usd.ticks(&[-500.0, 0.0, 500.0, 1000.0]),
        ["-$0.5k", "$0", "$0.5k", "$1k"]
    );
    assert_eq!(
        usd.ticks(&[1_000_000.0, 1_250_000.0, 1_500_000.0]),
        ["$1M", "$1.25M", "$1.5M"]
    );
    assert_eq!(usd.ticks(&[0.0, 0.5, 1.0]), ["$0", "$0.50", "$1.00"]);
    assert_eq!(usd.ticks(&[0.0, 20.0, 40.0]), ["$0", "$20", "$40"]);
    assert_eq!(
        Unit::Money("EUR".into()).ticks(&[0.0, 20000.0]),
        ["0 EUR", "20k EUR"]
    );
    assert_eq!(Unit::Number.ticks(&[0.0, 0.25, 0.5]), ["0", "0.25", "0.5"]);
    assert_eq!(Unit::Number.ticks(&[0.0, 5000.0]), ["0", "5,000"]);
    assert_eq!(Unit::Number.ticks(&[]), Vec::<String>::new());
}

#[test]
fn every_function_is_total_on_non_finite_input() {
    for x in NON_FINITE {
        assert_eq!(number(x, 2), NOT_AVAILABLE);
        assert_eq!(fmt_sig(x, 3), NOT_AVAILABLE);
        assert_eq!(money(x, "$"), NOT_AVAILABLE);
        assert_eq!(signed_money(x, "$"), NOT_AVAILABLE);
        assert_eq!(money_compact(x, "$"), NOT_AVAILABLE);
        assert_eq!(pct(x), NOT_AVAILABLE);
        assert_eq!(signed_pct(x), NOT_AVAILABLE);
        assert_eq!(pp(x), NOT_AVAILABLE);
        assert_eq!(p_value(x), NOT_AVAILABLE);
        assert_eq!(days(x), NOT_AVAILABLE);
        for unit in [
            Unit::Share,
            Unit::Relative,
            Unit::Points,
            Unit::Money("$".into()),
            Unit::Number,
        ] {
            assert_eq!(unit.value(x), NOT_AVAILABLE);
            assert_eq!(unit.ticks(&[x])[0], NOT_AVAILABLE);
        }
    }
}

#[test]
fn no_output_ever_spells_nan_or_inf() {
    let values = [
        0.0,
        -0.0,
        1e-320,
        -1e-320,
        1e308,
        -1e308,
        0.5,
        2.675,
        f64::NAN,
        f64::INFINITY,
    ];
    for x in values {
        for s in [
            number(x, 2),
            fmt_sig(x, 3),
            money(x, "$"),
            money_compact(x, "$"),
            pct(x),
            signed_pct(x),
            pp(x),
            p_value(x),
            days(x),
        ] {
            let lower = s.to_lowercase();
            assert!(!lower.contains("nan") && !lower.contains("inf"), "{s}");
        }
    }
}

#[test]
fn probabilities_never_round_to_certainty() {
    use pilot::format::probability;
    assert_eq!(probability(0.9996), "> 99.9%");
    assert_eq!(probability(0.0004), "< 0.1%");
    assert_eq!(probability(1.0), "100%");
    assert_eq!(probability(0.0), "0%");
    assert_eq!(probability(0.594), "59.4%");
}
