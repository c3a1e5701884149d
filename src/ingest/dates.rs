//! Calendar dates in outcome exports, as day numbers for comparisons.

/// Days since 1970-01-01 of an ISO date `YYYY-MM-DD`, optionally followed by
/// a time (`T...` or a space), which is ignored: the window is by day.
/// `None` if the text is not such a date or the date does not exist.
pub fn parse_day(text: &str) -> Option<i32> {
    let date = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    let bytes = date.as_bytes();
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i32 = digits(&date[0..4])?;
    let month: u32 = digits(&date[5..7])?;
    let day: u32 = digits(&date[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: exact for the proleptic Gregorian
/// calendar, no tables.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_day;

    #[test]
    fn known_days() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2000-03-01"), Some(11_017));
        assert_eq!(parse_day("2026-11-22T10:00:00Z"), parse_day("2026-11-22"));
        assert_eq!(parse_day("2026-11-22 23:59"), parse_day("2026-11-22"));
    }

    #[test]
    fn rejects_impossible_and_foreign_formats() {
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "22/11/2026",
            "2026-1-5",
            "2026-11-22x",
            "",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert!(parse_day("2024-02-29").is_some());
    }
}
