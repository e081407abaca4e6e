//! Timestamps and window lengths for `--time-field` / `--window`.
//!
//! Articles carry their publication time as RFC 3339 (`2024-03-22T18:05:00Z`,
//! `2024-03-22T20:05:00+02:00`, fractions allowed; or any other form
//! [`crate::input::date::parse_date`] reads) or as Unix seconds or milliseconds (a JSON
//! number or a string of digits). All become Unix seconds (`i64`); sub-second parts are dropped, which is far
//! finer than any news window. A window is a whole number with a unit: `90s`, `30m`,
//! `72h`, `7d` (a bare number is seconds).

use serde_json::Value;

use crate::input::date::time_of_json;
pub use crate::input::date::{format_rfc3339, parse_date};

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

/// Reads a timestamp from a JSON value as [`time_of_json`] does; here a time is required,
/// so `null` and a blank string are errors too.
pub fn timestamp_of(value: &Value) -> Result<i64, String> {
    match time_of_json(value) {
        Ok(Some(t)) => Ok(t),
        Ok(None) if value.is_null() => Err("timestamp is null".into()),
        Ok(None) => Err("timestamp is empty".into()),
        Err(e) => Err(format!("timestamp {e}")),
    }
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
            ("2024-03-22T18:05:00", Some(1_711_130_700)),
            ("2000-02-29T00:00:00Z", Some(951_782_400)),
            ("2001-02-29T00:00:00Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("yesterday", None),
        ];
        for &(s, want) in cases {
            assert_eq!(timestamp_of(&serde_json::json!(s)).ok(), want, "{s}");
        }
        for secs in [0, 951_782_400, 1_711_130_700, -86_400] {
            assert_eq!(parse_date(&format_rfc3339(secs)), Some(secs));
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
