//! Calendar dates as day numbers: parsing the dates of outcome exports and
//! formatting timestamps, without a time-zone database (everything is UTC).

/// Days since 1970-01-01 of an ISO date `YYYY-MM-DD`, optionally followed by
/// a time of day (after `T` or a space: `HH:MM`, `HH:MM:SS`, with a
/// fraction of a second or not) and a zone (`Z`, `+HH:MM`, `-HHMM`,
/// `+HH`). Days are UTC days: a time with an offset counts on the day it is
/// in UTC (`2026-09-30T22:00:00-05:00` is 1 October). A time without a
/// zone is taken as UTC. `None` unless the whole text is such a date (no
/// trailing words), or when the date or time does not exist.
pub fn parse_day(text: &str) -> Option<i32> {
    let date = text.get(..10)?;
    let bytes = date.as_bytes();
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(&bytes[0..4])? as i32;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let rest = &text.as_bytes()[10..];
    match rest.first() {
        None => Some(days),
        Some(b'T' | b't' | b' ') => Some(days + utc_day_shift(&rest[1..])?),
        Some(_) => None,
    }
}

/// Days to add to the date for the time of day `t` (`HH:MM[:SS[.f]][zone]`)
/// to fall on its UTC day: -1, 0 or +1; `None` unless `t` is such a time.
fn utc_day_shift(t: &[u8]) -> Option<i32> {
    if t.len() < 5 || t[2] != b':' {
        return None;
    }
    let hour = digits(&t[0..2])?;
    let minute = digits(&t[3..5])?;
    if hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &t[5..];
    if let [b':', a, b, tail @ ..] = rest {
        // 60 for a leap second.
        if digits(&[*a, *b])? > 60 {
            return None;
        }
        rest = tail;
        if let [b'.' | b',', tail @ ..] = rest {
            let fraction = tail.iter().take_while(|b| b.is_ascii_digit()).count();
            if fraction == 0 {
                return None;
            }
            rest = &tail[fraction..];
        }
    }
    let offset_minutes = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (h, m) = match zone {
                [a, b] => (digits(&[*a, *b])?, 0),
                [a, b, c, d] => (digits(&[*a, *b])?, digits(&[*c, *d])?),
                [a, b, b':', c, d] => (digits(&[*a, *b])?, digits(&[*c, *d])?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = (h * 60 + m) as i32;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let utc_minutes = (hour * 60 + minute) as i32 - offset_minutes;
    Some(utc_minutes.div_euclid(24 * 60))
}

/// The number the ASCII digits `s` (at most 9) write; `None` if any byte
/// is not a digit.
fn digits(s: &[u8]) -> Option<u32> {
    s.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
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

/// The calendar date of a day number (inverse of [`parse_day`]'s count),
/// after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A day number (days since 1970-01-01) as `YYYY-MM-DD`.
pub fn day_text(day: i32) -> String {
    let mut text = rfc3339_utc(i64::from(day) * 86_400);
    text.truncate(10);
    text
}

/// Seconds since 1970-01-01T00:00:00Z as RFC 3339 UTC, e.g.
/// `2026-11-22T19:25:51Z`.
pub fn rfc3339_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rem = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::{parse_day, rfc3339_utc};

    #[test]
    fn known_days() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2000-03-01"), Some(11_017));
        assert_eq!(parse_day("2026-11-22T10:00:00Z"), parse_day("2026-11-22"));
        assert_eq!(parse_day("2026-11-22 23:59"), parse_day("2026-11-22"));
    }

    #[test]
    fn times_count_on_their_utc_day_and_trailing_words_are_refused() {
        let day = |t| parse_day(t).expect(t);
        let sept30 = day("2026-09-30");
        assert_eq!(day("2026-09-30T22:00:00-05:00"), sept30 + 1);
        assert_eq!(day("2026-09-30 22:00:00-0500"), sept30 + 1);
        assert_eq!(day("2026-09-30T01:30+02:00"), sept30 - 1);
        assert_eq!(day("2026-09-30T23:59:59.999Z"), sept30);
        assert_eq!(day("2026-09-30T12:00:00+05"), sept30);
        assert_eq!(day("2026-09-30 13:45"), sept30);
        for bad in [
            "2026-09-30 garbage",
            "2026-09-30T",
            "2026-09-30T25:00",
            "2026-09-30T12:60",
            "2026-09-30T12:00:00+2400",
            "2026-09-30T12:00:00.Z",
            "2026-09-30T12:00 UTC",
            "2026-09-30T12:00:00Zx",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_round_trip_through_day_numbers() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400 + 3_723), "2000-02-29T01:02:03Z");
        for day in [-700_000i64, -1, 0, 11_017, 20_779, 2_000_000] {
            let text = rfc3339_utc(day * 86_400);
            assert_eq!(parse_day(&text).map(i64::from), Some(day), "{text}");
        }
    }

    #[test]
    fn rejects_impossible_and_foreign_formats() {
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "22/11/2026",
            "2026-1-5",
            "2026-11-22x",
            "2026-0a-01",
            "20+6-01-01",
            "2026-09-00",
            "2026-09-+1",
            "",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert!(parse_day("2024-02-29").is_some());
        assert_eq!(parse_day("0000-03-01"), Some(-719_468));
    }
}
