//! Reading what SCNet leaves loosely typed: ids and counts that come as strings or
//! numbers, and times written in China time without a zone.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde_json::Value;

/// The text of an id that may come as a string or a number; `None` when empty.
pub(crate) fn text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.trim().to_string(),
        Value::Number(number) => number.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A count that may come as a number or as decimal text.
pub(crate) fn count(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|f| f as i64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// China Standard Time, the zone the SCNet pages and clients use (no daylight time).
pub(crate) fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// A time as the `/hpc` filters take it: `yyyy-MM-dd HH:mm:ss` in China time.
pub(crate) fn china_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A time as the `/hpc` answers write it (`yyyy-MM-dd HH:mm:ss` or ISO
/// `yyyy-MM-ddTHH:mm:ss`, with or without a zone), a bare one read as China time.
pub(crate) fn parse_time(value: &Value) -> Option<DateTime<Utc>> {
    let text = value.as_str()?.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.to_utc());
    }
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(|bare| bare.and_local_timezone(china()).single())
        .map(|at| at.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_and_counts_read_from_strings_or_numbers() {
        assert_eq!(text(&json!(35919)).as_deref(), Some("35919"));
        assert_eq!(text(&json!(" 5_1 ")).as_deref(), Some("5_1"));
        assert_eq!(text(&json!("")), None);
        assert_eq!(text(&json!(null)), None);
        assert_eq!(count(&json!("12")), Some(12));
        assert_eq!(count(&json!(12)), Some(12));
        assert_eq!(count(&json!("many")), None);
    }

    #[test]
    fn times_are_china_time_both_ways() {
        let at = parse_time(&json!("2021-11-03T13:56:56")).unwrap();
        assert_eq!(at.to_rfc3339(), "2021-11-03T05:56:56+00:00");
        assert_eq!(parse_time(&json!("2021-11-03 13:56:56")), Some(at));
        assert_eq!(china_time(at), "2021-11-03 13:56:56");
        assert_eq!(parse_time(&json!("soon")), None);
    }
}
