//! Timestamps and window lengths for `--time-field` / `--window`.
//!
//! Articles carry their publication time as RFC 3339 (`2024-03-22T18:05:00Z`,
//! `2024-03-22T20:05:00+02:00`, fractions allowed) or as Unix seconds (a JSON number or a
//! string of digits). Both become Unix seconds (`i64`); sub-second parts are dropped, which
//! is far finer than any news window. A window is a whole number with a unit: `90s`, `30m`,
//! `72h`, `7d` (a bare number is seconds).

use serde_json::Value;

/// Parses a window length such as `72h` into seconds.
///
/// ```
/// use neardup::index::parse_window;
/// assert_eq!(parse_window("72h"), Ok(72 * 3600));
/// assert_eq!(parse_window("7d"), Ok(7 * 86_400));
/// assert!(parse_window("3 weeks").is_err());
/// ```
pub fn parse_window(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "window {s:?}: expected a number with a unit s, m, h or d (e.g. 72h)"
            ))
        }
    };
    let n: i64 = digits.parse().map_err(|_| {
        format!("window {s:?}: expected a number with a unit s, m, h or d (e.g. 72h)")
    })?;
    if n <= 0 {
        return Err(format!("window {s:?} must be positive"));
    }
    n.checked_mul(scale)
        .ok_or_else(|| format!("window {s:?} is too long"))
}

/// Formats a window length in the largest unit that divides it (`259200` → `72h`... → `3d`).
pub fn format_window(secs: i64) -> String {
    for (unit, scale) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs % scale == 0 {
            return format!("{}{unit}", secs / scale);
        }
    }
    format!("{secs}s")
}

/// Reads a timestamp from a JSON value: a number (Unix seconds), a string of digits (Unix
/// seconds) or an RFC 3339 string.
pub fn timestamp_of(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                    .map(|f| f.floor() as i64)
            })
            .ok_or_else(|| format!("timestamp {n} is out of range")),
        Value::String(s) => {
            let t = s.trim();
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                t.parse()
                    .map_err(|_| format!("timestamp {s:?} is out of range"))
            } else {
                parse_rfc3339(t).ok_or_else(|| {
                    format!("timestamp {s:?} is neither RFC 3339 (2024-03-22T18:05:00Z) nor Unix seconds")
                })
            }
        }
        Value::Null => Err("timestamp is null".into()),
        other => Err(format!(
            "timestamp {other} is neither RFC 3339 nor Unix seconds"
        )),
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (a space or lower-case `t` also separates
/// date and time, `z` is accepted) into Unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let off = h * 3600 + m * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Formats Unix seconds as RFC 3339 in UTC.
pub fn format_rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant, "chrono-Compatible
/// Low-Level Date Algorithms", `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`] (same source).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_and_unix_seconds() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2024-03-22T18:05:00Z", Some(1_711_130_700)),
            ("2024-03-22T20:05:00+02:00", Some(1_711_130_700)),
            ("2024-03-22t18:05:00.123z", Some(1_711_130_700)),
            ("2024-03-22 18:05:00Z", Some(1_711_130_700)),
            ("2000-02-29T00:00:00Z", Some(951_782_400)),
            ("2001-02-29T00:00:00Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("2024-03-22T18:05:00", None),
            ("2024-03-22", None),
            ("yesterday", None),
        ];
        for &(s, want) in cases {
            assert_eq!(parse_rfc3339(s), want, "{s}");
        }
        for secs in [0, 951_782_400, 1_711_130_700, -86_400] {
            assert_eq!(parse_rfc3339(&format_rfc3339(secs)), Some(secs));
        }
        assert_eq!(
            timestamp_of(&serde_json::json!(1_711_130_700)),
            Ok(1_711_130_700)
        );
        assert_eq!(
            timestamp_of(&serde_json::json!("1711130700")),
            Ok(1_711_130_700)
        );
        assert!(timestamp_of(&serde_json::json!("soon")).is_err());
        assert!(timestamp_of(&serde_json::json!(null)).is_err());
    }

    #[test]
    fn windows() {
        assert_eq!(parse_window("90s"), Ok(90));
        assert_eq!(parse_window("30m"), Ok(1800));
        assert_eq!(parse_window("3600"), Ok(3600));
        assert!(parse_window("0h").is_err());
        assert!(parse_window("h").is_err());
        assert!(parse_window("5w").is_err());
        assert_eq!(format_window(259_200), "3d");
        assert_eq!(format_window(7200), "2h");
        assert_eq!(format_window(61), "61s");
    }
}
