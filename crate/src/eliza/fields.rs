//! Tolerant readers for the loosely typed JSON the server sends.
//!
//! The same fact arrives under different names and types depending on the path it took
//! (`createdAt` as milliseconds in broadcasts, as an ISO string in history; attachments as an
//! array, a single object or nothing). These helpers accept every observed form and return
//! `None` / an empty value for anything else, so that a malformed field degrades one message
//! instead of failing the whole payload.

use serde_json::Value;

/// `value[key]` as a string.
pub(crate) fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// `value[key]` as an owned string, if it is a non-empty string.
pub(crate) fn string_at(value: &Value, key: &str) -> Option<String> {
    str_at(value, key).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Largest distance from the epoch a JavaScript `Date` can hold: ±100 million days, in ms.
pub(crate) const MAX_TIMESTAMP_MS: i64 = 8_640_000_000_000_000;

/// A point in time as milliseconds since the Unix epoch: a number, a numeric string, or an ISO
/// 8601 date-time (`2026-11-25T20:49:33.075Z`). Anything outside a JavaScript `Date`'s range is
/// `None`: `new Date(9e15)` is an Invalid Date, and one stored time that cannot be shown or
/// compared breaks every view and history query that uses it.
pub(crate) fn timestamp_ms(value: &Value) -> Option<i64> {
    let ms = match value {
        Value::Number(n) => match n.as_i64() {
            Some(ms) => Some(ms),
            None => {
                n.as_f64().filter(|f| f.is_finite() && f.abs() <= MAX_TIMESTAMP_MS as f64).map(|f| f as i64)
            }
        },
        Value::String(s) => s.trim().parse::<i64>().ok().or_else(|| parse_iso8601(s)),
        _ => None,
    };
    ms.filter(|ms| ms.unsigned_abs() <= MAX_TIMESTAMP_MS.unsigned_abs())
}

/// The strings of an array (other elements skipped); a lone string counts as one.
pub(crate) fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Attachments as an array: missing or `null` is empty, a lone value is wrapped.
pub(crate) fn attachments(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) => Value::Array(Vec::new()),
        Some(Value::Array(items)) => Value::Array(items.clone()),
        Some(other) => Value::Array(vec![other.clone()]),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff…][Z|±HH:MM]`, as produced by JavaScript's `Date.toISOString` and
/// PostgreSQL. No zone means UTC.
fn parse_iso8601(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |range: core::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits.iter().try_fold(0i64, |acc, d| acc.checked_mul(10)?.checked_add(i64::from(d - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let separators = (b.get(4), b.get(7), b.get(10), b.get(13), b.get(16));
    if separators != (Some(&b'-'), Some(&b'-'), Some(&b'T'), Some(&b':'), Some(&b':'))
        && separators != (Some(&b'-'), Some(&b'-'), Some(&b' '), Some(&b':'), Some(&b':'))
    {
        return None;
    }
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        // Milliseconds are the first three fraction digits, padded on the right.
        let mut scale = 100;
        for d in &b[start..i.min(start + 3)] {
            millis += i64::from(d - b'0') * scale;
            scale /= 10;
        }
    }
    let offset_minutes = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = num(i + 1..i + 3)?;
            let rest = &b[i + 3..];
            let minutes = match rest {
                [] => 0,
                [b':', ..] if rest.len() == 3 => num(i + 4..i + 6)?,
                _ if rest.len() == 2 => num(i + 3..i + 5)?,
                _ => return None,
            };
            let total = hours * 60 + minutes;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn iso_strings_match_the_servers_millisecond_fields() {
        // The same stored message, as `createdAt` and `created_at` in one history entry.
        assert_eq!(timestamp_ms(&json!("2026-11-25T20:49:33.075Z")), Some(1_795_639_773_075));
        assert_eq!(timestamp_ms(&json!(1_795_639_773_075i64)), Some(1_795_639_773_075));
        assert_eq!(timestamp_ms(&json!("1970-01-01T00:00:00Z")), Some(0));
        assert_eq!(timestamp_ms(&json!("1970-01-01 01:00:00+01:00")), Some(0));
        assert_eq!(timestamp_ms(&json!("1970-01-01T00:00:00.5-0030")), Some(1_800_500));
        assert_eq!(timestamp_ms(&json!("2000-02-29T12:00:00.123456Z")), Some(951_825_600_123));
        assert_eq!(timestamp_ms(&json!(1.5e12)), Some(1_500_000_000_000));
        assert_eq!(timestamp_ms(&json!("1795639773075")), Some(1_795_639_773_075));
        // The edges of a JavaScript Date are still dates.
        assert_eq!(timestamp_ms(&json!(8.64e15)), Some(MAX_TIMESTAMP_MS));
        assert_eq!(timestamp_ms(&json!(-8_640_000_000_000_000i64)), Some(-MAX_TIMESTAMP_MS));
        assert_eq!(timestamp_ms(&json!("8640000000000000")), Some(MAX_TIMESTAMP_MS));
    }

    #[test]
    fn malformed_timestamps_are_none() {
        for bad in [
            json!("2026-13-01T00:00:00Z"),
            json!("2026-11-25T20:49"),
            json!("2026-11-25T20:49:33.Z"),
            json!("2026-11-25T20:49:33Zjunk"),
            json!("२०२६-11-25T20:49:33Z"),
            json!(""),
            json!(1e300),
            json!(f64::NAN),
            json!(9e15),
            json!(9_000_000_000_000_000i64),
            json!(-8_640_000_000_000_001i64),
            json!(i64::MIN),
            json!(u64::MAX),
            json!("9000000000000000"),
            json!("NaN"),
            json!(null),
            json!({}),
        ] {
            assert_eq!(timestamp_ms(&bad), None, "{bad}");
        }
    }

    #[test]
    fn attachments_are_always_an_array() {
        assert_eq!(attachments(None), json!([]));
        assert_eq!(attachments(Some(&json!(null))), json!([]));
        assert_eq!(attachments(Some(&json!({"url": "u"}))), json!([{"url": "u"}]));
        assert_eq!(attachments(Some(&json!(["a"]))), json!(["a"]));
    }
}
