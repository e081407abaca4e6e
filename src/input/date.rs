//! Publication dates: the rewrite tier compares only articles published close together.
//!
//! A wire story is rewritten by content farms and translated within days of its release;
//! articles on one running story that lie further apart report other developments (on
//! Reuters-21578, in a hand-judged sample of the rewrite tier's pairs, every pair that told
//! the same story lay within a day, while most pairs days or weeks apart were other
//! events). Dates come from a JSONL field or a CSV column and
//! are read in the forms news feeds and archives use:
//!
//! * ISO 8601 / RFC 3339: `2024-03-22`, `2024-03-22T18:05`, `2024-03-22 18:05:31.5+03:00`,
//!   `2024-03-22T15:05:31Z`; also with `/`, one-digit months and days (`2024/3/22`) and a
//!   one-digit hour (`2024-03-22 6:05`);
//! * RFC 2822 (RSS, e-mail): `Fri, 22 Mar 2024 18:05:31 +0300`, `22 Mar 2024 15:05 GMT`;
//! * the month by name: `22-MAR-2024 18:05:31.79` (Reuters-21578), `22 March 2024`,
//!   `March 22, 2024`, `March 22, 2024, 6:05 PM` (news sites' 12-hour clock, `at` allowed);
//! * the day first with points: `22.03.2024 18:05`;
//! * ISO 8601's basic form `20240322`, `20240322T180531Z`;
//! * Unix seconds as a string of digits (`1711130700`), or milliseconds
//!   (`1711130700000`, as JavaScript and many JSON exports write them): a value too large
//!   to be seconds before the year 9999 is read as milliseconds (so milliseconds of
//!   1968-01-12 to 1978-01-11 read as seconds). Years 1 to 9999.
//!
//! A date without a zone is taken as UTC, one without a time as midnight; a trailing
//! comment in parentheses (`+0000 (UTC)`) is ignored. Dates such as `03/22/2024` are
//! refused with an error that says why: their day and month order differs between
//! countries, and a guess would move an article by months. The pre-ingest
//! filter's `--time-field` reads the same forms ([`crate::index::timestamp_of`]).

/// Seconds since 1970-01-01T00:00:00Z of a date in one of the forms above, or `None`
/// when the text is not such a date (or names a day that does not exist).
///
/// ```
/// use neardup::input::date::parse_date;
/// assert_eq!(parse_date("1970-01-02"), Some(86_400));
/// assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0));
/// assert_eq!(parse_date("Thu, 01 Jan 1970 00:01:00 GMT"), Some(60));
/// assert_eq!(parse_date("26-FEB-1987 15:01:01.79"), parse_date("1987-02-26T15:01:01Z"));
/// assert_eq!(parse_date("1711130700"), Some(1_711_130_700));
/// assert_eq!(parse_date("March 22, 2024"), parse_date("20240322"));
/// assert_eq!(parse_date("1711130700000"), Some(1_711_130_700)); // milliseconds
/// assert_eq!(parse_date("March 22, 2024 6:05 PM"), parse_date("2024-03-22T18:05Z"));
/// assert_eq!(parse_date("03/22/2024"), None); // day and month order unknown
/// assert_eq!(parse_date("1987-02-30"), None);
/// assert_eq!(parse_date("yesterday"), None);
/// ```
pub fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if text.len() == 8 && digits.len() == 8 {
            let mut s = Scanner(text.as_bytes());
            let (y, m, d) = (s.digits(4, 4)?, s.digits(2, 2)?, s.digits(2, 2)?);
            return days_from_civil(i64::from(y), m, d).map(|d| d * 86_400);
        }
        return text.parse().ok().and_then(unix_seconds);
    }
    let mut s = Scanner(text.as_bytes());
    let b = s.0;
    // ISO 8601's basic form with a time, `20240322T180500Z`: only there may the time be
    // basic too (`HHMM`).
    let basic = b.len() >= 10 && b[..8].iter().all(u8::is_ascii_digit) && b[8] | 0x20 == b't';
    let date = if basic {
        let (y, m, d) = (s.digits(4, 4)?, s.digits(2, 2)?, s.digits(2, 2)?);
        days_from_civil(i64::from(y), m, d)?
    } else if b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && matches!(b[4], b'-' | b'/') {
        iso_date(&mut s)?
    } else {
        named_month_date(&mut s)?
    };
    // `March 22, 2024, 6:05 PM`, `March 22, 2024 at 6:05 pm`: a comma only before a time,
    // so that a value cut off after it is refused rather than read as midnight.
    let at = |x: &[u8]| x.len() > 3 && x[..2].eq_ignore_ascii_case(b"at") && x[2] == b' ';
    if let Some(rest) = s.0.strip_prefix(b",") {
        let rest = rest.trim_ascii_start();
        if rest.first().is_some_and(u8::is_ascii_digit) || at(rest) {
            s.0 = rest;
        }
    }
    s.skip_space();
    if at(s.0) {
        s.0 = &s.0[3..];
        s.skip_space();
    }
    if s.0.first() == Some(&b'T') || s.0.first() == Some(&b't') {
        s.0 = &s.0[1..];
    }
    let mut seconds = 0;
    if s.0.first().is_some_and(u8::is_ascii_digit) {
        let (hour, secs) = time_of_day(&mut s, basic)?;
        s.skip_space();
        seconds = twelve_hour(&mut s, hour, secs)?;
    }
    s.skip_space();
    let offset = if s.0.is_empty() || s.0[0] == b'(' {
        0
    } else {
        zone(&mut s)?
    };
    s.skip_space();
    // A comment such as `(UTC)` or `(Coordinated Universal Time)`.
    if s.0.first() == Some(&b'(') && s.0.last() == Some(&b')') {
        s.0 = &[];
    }
    if !s.0.is_empty() {
        return None;
    }
    // A zone can move a date at either end of the range past it.
    Some(date * 86_400 + seconds - offset).filter(|t| (UNIX_MIN..=UNIX_MAX).contains(t))
}

/// A whole number of Unix seconds, or of Unix milliseconds when it is too large to be
/// seconds (beyond the year 9999: JavaScript's `Date.now()` and many JSON exports count
/// milliseconds), within the years 1 to 9999. Milliseconds of times between 1968-01-12 and
/// 1978-01-11 are small enough to be seconds and are read as such: no rule can tell them
/// apart.
fn unix_seconds(t: i64) -> Option<i64> {
    if (UNIX_MIN..=UNIX_MAX).contains(&t) {
        return Some(t);
    }
    Some(t.div_euclid(1000)).filter(|t| (UNIX_MIN..=UNIX_MAX).contains(t))
}

/// A 12-hour clock's `AM` / `PM` (any case, with or without points) after a time of day
/// `seconds` into the day whose clock read `hour`: the time on the 24-hour clock; the time
/// unchanged when no such word follows; `None` for an hour that is not 1 to 12 before one.
fn twelve_hour(s: &mut Scanner, hour: u32, seconds: i64) -> Option<i64> {
    let b = s.0;
    let (pm, n) = match b {
        [a, b'.', b'm' | b'M', b'.', ..] => (*a | 0x20 == b'p', 4),
        [a, b'm' | b'M', ..] => (*a | 0x20 == b'p', 2),
        _ => return Some(seconds),
    };
    if !matches!(b[0] | 0x20, b'a' | b'p') || b.get(n).is_some_and(u8::is_ascii_alphabetic) {
        return Some(seconds);
    }
    s.0 = &b[n..];
    let hour = i64::from(hour);
    if !(1..=12).contains(&hour) {
        return None;
    }
    let hour_24 = match (hour, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, false) => h,
        (h, true) => h + 12,
    };
    Some(seconds + (hour_24 - hour) * 3600)
}

/// A time given as text: `None` when blank, else [`parse_date`]'s time, or a message
/// saying what is wrong (the value, and the forms read).
pub fn time_of_text(text: &str) -> Result<Option<i64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_date(text).map(Some).ok_or_else(|| {
        let shown: String = text.chars().take(40).collect();
        if day_month_unknown(text) {
            format!(
                "{shown:?} is not a time: numeric dates with '/' are not read, their day and \
                 month order differs between countries (write dates as 2024-03-22)"
            )
        } else {
            format!("{shown:?} is not a time (expected e.g. {FORMS})")
        }
    })
}

/// Whether a text starts with a date of the form `03/04/2024`, which reads as 3 April in
/// one country and 4 March in another.
fn day_month_unknown(text: &str) -> bool {
    let date = text
        .trim()
        .split(|c: char| c.is_whitespace() || c == ',' || c == 'T')
        .next()
        .unwrap_or("");
    let parts: Vec<&str> = date.split('/').collect();
    let number = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    parts.len() == 3
        && number(parts[0], 1..=2)
        && number(parts[1], 1..=2)
        && number(parts[2], 2..=4)
}

/// A time given as a JSON value: `None` for `null` or a blank string, Unix seconds (or
/// milliseconds, see [`parse_date`]) for a number (a fraction is dropped), [`time_of_text`]
/// for a string. The rewrite tier's `--time-field` and the filter's read times this way.
pub fn time_of_json(value: &serde_json::Value) -> Result<Option<i64>, String> {
    use serde_json::Value;
    match value {
        Value::Null => Ok(None),
        Value::String(s) => time_of_text(s),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                    .map(|f| f.floor() as i64)
            })
            .and_then(unix_seconds)
            .map(Some)
            .ok_or_else(|| {
                format!("{n} is out of range for Unix seconds or milliseconds (years 1 to 9999)")
            }),
        other => Err(format!("{other} is not a time (expected e.g. {FORMS})")),
    }
}

/// The days of the week, lowercased.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds: the range of times read.
const UNIX_MIN: i64 = -62_135_596_800;
const UNIX_MAX: i64 = 253_402_300_799;

/// The forms [`parse_date`] reads, for error messages.
pub const FORMS: &str = "2024-03-22, 2024-03-22T18:05:00Z, Fri, 22 Mar 2024 18:05:00 +0000, \
                         22-MAR-2024 18:05:00, March 22, 2024 6:05 PM, 22.03.2024, \
                         or Unix seconds or milliseconds";

/// The days since 1970-01-01 of a proleptic Gregorian date, or `None` when the day does
/// not exist.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Shift the year to start in March, so the leap day ends it (Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The proleptic Gregorian date (year, month, day) of a day number: the inverse of
/// [`days_from_civil`] (the same algorithm run backwards).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Unix seconds as RFC 3339 in UTC.
///
/// ```
/// use neardup::input::date::format_rfc3339;
/// assert_eq!(format_rfc3339(1_711_130_700), "2024-03-22T18:05:00Z");
/// ```
pub fn format_rfc3339(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct Scanner<'a>(&'a [u8]);

impl Scanner<'_> {
    /// A run of `min..=max` ASCII digits as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self
            .0
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n < min {
            return None;
        }
        let v = self.0[..n]
            .iter()
            .fold(0u32, |v, c| v * 10 + u32::from(c - b'0'));
        self.0 = &self.0[n..];
        Some(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.0.first() == Some(&c) {
            self.0 = &self.0[1..];
            true
        } else {
            false
        }
    }

    fn skip_space(&mut self) {
        while self.0.first().is_some_and(u8::is_ascii_whitespace) {
            self.0 = &self.0[1..];
        }
    }

    /// A run of ASCII letters.
    fn word(&mut self) -> &[u8] {
        let n = self
            .0
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let (w, rest) = self.0.split_at(n);
        self.0 = rest;
        w
    }
}

/// `YYYY-MM-DD` as days since the epoch; also `YYYY/MM/DD`, and a month or day of one
/// digit (`2024-3-5`). The year comes first, so the order is never in doubt.
fn iso_date(s: &mut Scanner) -> Option<i64> {
    let year = s.digits(4, 4)?;
    let sep = *s.0.first()?;
    if !s.eat(b'-') && !s.eat(b'/') {
        return None;
    }
    let month = s.digits(1, 2)?;
    if !s.eat(sep) {
        return None;
    }
    let day = s.digits(1, 2)?;
    days_from_civil(i64::from(year), month, day)
}

/// `[Weekday,] DD Mon YYYY`, `DD-MON-YYYY` or `[Weekday,] Month DD, YYYY` (month by name,
/// any case, short or full; a weekday short or full).
fn named_month_date(s: &mut Scanner) -> Option<i64> {
    let mut month = None;
    if s.0.first().is_some_and(u8::is_ascii_alphabetic) {
        let word = s.word().to_ascii_lowercase();
        if WEEKDAYS
            .iter()
            .any(|d| word == d.as_bytes() || word == d.as_bytes()[..3])
        {
            s.eat(b',');
            s.skip_space();
            if s.0.first().is_some_and(u8::is_ascii_alphabetic) {
                month = Some(month_number(&s.word().to_ascii_lowercase())?);
            }
        } else {
            month = Some(month_number(&word)?);
        }
    }
    let (day, month) = match month {
        // `March 22, 2024`
        Some(m) => {
            s.skip_space();
            let day = s.digits(1, 2)?;
            s.eat(b',');
            s.skip_space();
            (day, m)
        }
        None => {
            let day = s.digits(1, 2)?;
            // `22.03.2024`: written with points, the day comes first wherever it is used.
            if s.eat(b'.') {
                let month = s.digits(1, 2)?;
                if !s.eat(b'.') {
                    return None;
                }
                let year = s.digits(4, 4)?;
                return days_from_civil(i64::from(year), month, day);
            }
            if !s.eat(b'-') {
                s.skip_space();
            }
            let month = month_number(&s.word().to_ascii_lowercase())?;
            if !s.eat(b'-') {
                s.skip_space();
            }
            (day, month)
        }
    };
    let year = s.digits(4, 4)?;
    days_from_civil(i64::from(year), month, day)
}

fn month_number(name: &[u8]) -> Option<u32> {
    let (month, _) = month_of(std::str::from_utf8(name).ok()?)?;
    Some(u32::from(month))
}

/// The month a lowercased word names, 1 to 12, and whether it counts only beside a number.
///
/// In running text (the rewrite tier's tokeniser, [`crate::rewrite::features`]) full names
/// count when capitalised; `may` (a modal verb too) and the abbreviations (`jan` and `jun`
/// are also given names) only next to a number or after a preposition of time: `May 5`,
/// `5 May`, `Feb 26`, `May 1987`, `for May shipment`. In a date field every name counts.
///
/// ```
/// use neardup::input::date::month_of;
/// assert_eq!(month_of("march"), Some((3, false)));
/// assert_eq!(month_of("may"), Some((5, true)));
/// assert_eq!(month_of("sept"), Some((9, true)));
/// assert_eq!(month_of("monday"), None);
/// ```
pub fn month_of(lw: &str) -> Option<(u8, bool)> {
    Some(match lw {
        "january" => (1, false),
        "february" => (2, false),
        "march" => (3, false),
        "april" => (4, false),
        "may" => (5, true),
        "june" => (6, false),
        "july" => (7, false),
        "august" => (8, false),
        "september" => (9, false),
        "october" => (10, false),
        "november" => (11, false),
        "december" => (12, false),
        "jan" => (1, true),
        "feb" => (2, true),
        "mar" => (3, true),
        "apr" => (4, true),
        "jun" => (6, true),
        "jul" => (7, true),
        "aug" => (8, true),
        "sep" | "sept" => (9, true),
        "oct" => (10, true),
        "nov" => (11, true),
        "dec" => (12, true),
        _ => return None,
    })
}

/// `H:MM[:SS[.fraction]]` (an hour of one or two digits), or with `basic` (after a basic
/// date) ISO 8601's `HHMM[SS]`: the hour and the seconds into the day.
fn time_of_day(s: &mut Scanner, basic: bool) -> Option<(u32, i64)> {
    let basic = basic && s.0.len() >= 4 && s.0[..4].iter().all(u8::is_ascii_digit);
    let hour = if basic {
        s.digits(2, 2)?
    } else {
        s.digits(1, 2)?
    };
    if !basic && !s.eat(b':') {
        return None;
    }
    let minute = s.digits(2, 2)?;
    let mut second = 0;
    let more = if basic {
        s.0.first().is_some_and(u8::is_ascii_digit)
    } else {
        s.eat(b':')
    };
    if more {
        second = s.digits(2, 2)?;
        if s.eat(b'.') || s.eat(b',') {
            // Any number of fraction digits, read past without adding them up.
            let n = s.0.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            s.0 = &s.0[n..];
        }
    }
    // 24:00 is not accepted; a leap second (:60) is.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour, i64::from(hour * 3600 + minute * 60 + second)))
}

/// `Z`, `±HH[:MM]`, `±HHMM` or a zone name of RFC 2822 as seconds east of UTC.
fn zone(s: &mut Scanner) -> Option<i64> {
    let sign = match s.0.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => {
            let hours = match s.word().to_ascii_uppercase().as_slice() {
                b"Z" | b"UT" | b"UTC" | b"GMT" => 0,
                b"EDT" => -4,
                b"EST" | b"CDT" => -5,
                b"CST" | b"MDT" => -6,
                b"MST" | b"PDT" => -7,
                b"PST" => -8,
                _ => return None,
            };
            return Some(hours * 3600);
        }
    };
    s.0 = &s.0[1..];
    let hours = s.digits(2, 2)?;
    let minutes = if s.eat(b':') || s.0.first().is_some_and(u8::is_ascii_digit) {
        s.digits(2, 2)?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * i64::from(hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_form_reads_the_same_instant() {
        let t = parse_date("2024-03-22T15:05:31Z").expect("iso");
        // 2024-03-22 is day 19 804 since the epoch.
        assert_eq!(t, 19_804 * 86_400 + 15 * 3600 + 5 * 60 + 31);
        for s in [
            "2024-03-22T15:05:31Z",
            "2024-03-22t15:05:31z",
            "2024-03-22 15:05:31",
            "2024-03-22T15:05:31.250Z",
            "2024-03-22T18:05:31+03:00",
            "2024-03-22T18:05:31+0300",
            "2024-03-22T10:05:31-05",
            "Fri, 22 Mar 2024 18:05:31 +0300",
            "22 Mar 2024 15:05:31 GMT",
            "22 Mar 2024 11:05:31 EDT",
            "22-MAR-2024 15:05:31.79",
            "  22-Mar-2024 15:05:31  ",
            "Friday, March 22, 2024 15:05:31 GMT",
            "March 22, 2024 11:05:31 EDT",
            "Fri, 22 Mar 2024 15:05:31 +0000 (UTC)",
            "2024-03-22T15:05:31.123456789012345Z",
            "20240322T150531Z",
            "2024/03/22 15:05:31",
            "2024/3/22 15:05:31",
            "22.03.2024 15:05:31",
            "March 22, 2024 3:05:31 PM",
            "March 22, 2024, 3:05:31 p.m. GMT",
            "March 22, 2024 at 11:05:31 am EDT",
            "2024-03-22 3:05:31pm",
            "1711119931",
            "1711119931000",
            "1711119931999",
        ] {
            assert_eq!(parse_date(s), Some(t), "{s}");
        }
        let day = 19_804 * 86_400;
        for s in [
            "2024-03-22",
            "22 March 2024",
            "Friday, 22 March 2024",
            "22 Sept 2024",
        ] {
            let want = if s.contains("Sept") {
                days_from_civil(2024, 9, 22).map(|d| d * 86_400)
            } else {
                Some(day)
            };
            assert_eq!(parse_date(s), want, "{s}");
        }
        assert_eq!(
            parse_date("2024-03-22T15:05"),
            Some(day + 15 * 3600 + 5 * 60)
        );
        assert_eq!(parse_date("20240322"), Some(day));
        assert_eq!(parse_date("2024-3-22"), Some(day));
        assert_eq!(parse_date("22.3.2024"), Some(day));
        assert_eq!(parse_date("2024-03-22 12:00 AM"), Some(day));
        assert_eq!(parse_date("2024-03-22 12:00 PM"), Some(day + 12 * 3600));
        assert_eq!(parse_date("2024-03-22 6:05"), Some(day + 6 * 3600 + 5 * 60));
        // A leap second at the end of a 12-hour clock's hour.
        assert_eq!(parse_date("2024-03-22 11:59:60 PM"), Some(day + 86_400));
        assert_eq!(parse_date("2024-03-22 11:59:60 AM"), Some(day + 12 * 3600));
        assert_eq!(parse_date("20240322T1805"), Some(day + 18 * 3600 + 5 * 60));
        assert_eq!(parse_date("Mar 22 2024"), Some(day));
        assert_eq!(parse_date("-86400"), Some(-86_400));
        assert_eq!(parse_date("-1234567"), Some(-1_234_567));
        assert_eq!(parse_date("253402300799"), Some(UNIX_MAX));
        // Beyond the year 9999 as seconds: milliseconds.
        assert_eq!(parse_date("253402300800"), Some(253_402_300));
        assert_eq!(parse_date("253402300799999"), Some(UNIX_MAX));
        assert_eq!(parse_date("253402300800000"), None);
    }

    #[test]
    fn a_day_and_month_in_either_order_are_named() {
        for s in [
            "03/22/2024",
            "22/03/2024 18:05",
            "3/4/24",
            "03/22/2024,",
            "03/22/2024T18:05",
        ] {
            let err = time_of_text(s).unwrap_err();
            assert!(err.contains("numeric dates with '/' are not read"), "{err}");
        }
        let err = time_of_text("2024-13-01").unwrap_err();
        assert!(err.contains("expected e.g."), "{err}");
    }

    #[test]
    fn what_is_not_a_date_is_refused() {
        for s in [
            "",
            "yesterday",
            "2024-03-22T25:00",
            "2024-03-22 13:05 PM",
            "2024-03-22 0:05 AM",
            "2024-03-22 6:05 AMT",
            "2024/03-22",
            "22.03.24",
            "2024-03-22 18:5",
            "March 22, 2024 at",
            "2024-03-22,",
            "March 22, 2024,",
            "2024-03-22 1805",
            "2024-03-22T1805",
            "20240322T",
            "0000-01-01",
            "9999-12-31T23:59:59-05:00",
            "2024-03-22T12",
            "2024-02-30",
            "2023-02-29",
            "31-MAR-1987 605:12:19.12",
            "22 Foo 2024",
            "Someday, 22 Mar 2024",
            "2024-03-22 junk",
            "2024-03-22T10:00+25:00",
            "2024-03-22T10:00+05:",
            "17111199.31",
            "03/22/2024",
            "22/03/2024",
            "20240230",
            "Monkey, 22 Mar 2024",
            "22 Mar 2024 10:00 CEST",
        ] {
            assert_eq!(parse_date(s), None, "{s:?}");
        }
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2000-02-29").is_some());
        assert!(parse_date("1900-02-29").is_none());
    }

    proptest! {
        /// Day numbers count every day once: consecutive dates differ by one, across
        /// month, year and leap-day boundaries.
        #[test]
        fn days_from_civil_counts_consecutive_days(year in 1600i64..2400, month in 1u32..=12) {
            let last = days_in_month(year, month);
            let first = days_from_civil(year, month, 1).expect("first");
            prop_assert_eq!(days_from_civil(year, month, last), Some(first + i64::from(last) - 1));
            let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
            prop_assert_eq!(days_from_civil(ny, nm, 1), Some(first + i64::from(last)));
        }

        #[test]
        fn iso_dates_read_back(days in -100_000i64..100_000, secs in 0i64..86_400) {
            let (year, month, day) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(year, month, day), Some(days));
            let text = format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            );
            prop_assert_eq!(parse_date(&text), Some(days * 86_400 + secs));
            prop_assert_eq!(parse_date(&format_rfc3339(days * 86_400 + secs)), Some(days * 86_400 + secs));
        }
    }
}
