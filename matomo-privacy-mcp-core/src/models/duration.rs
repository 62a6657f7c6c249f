//! Durations in seconds, also when `format_metrics=1` spelled them out (`"5 min 56s"`).

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use super::number::{decimal_from_json, parse_decimal};
use crate::privacy::PlainValue;

/// A duration in **seconds** (average time on site, time spent on a page).
///
/// Decodes a JSON number or numeric string (the default formats), Matomo's
/// English "pretty" form used with `format_metrics=1` (`"56s"`, `"5 min 56s"`,
/// `"1 hours 56 min"`, `"2 days 3 hours"`, `"1 years 4 days"`) and the clock form
/// `"00:05:56"`. Serialises as the number of seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, JsonSchema)]
pub struct Seconds(pub f64);

impl PlainValue for Seconds {}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

fn unit_seconds(unit: &str) -> Option<f64> {
    match unit {
        "s" | "sec" | "second" | "seconds" => Some(1.0),
        "min" | "mins" | "minute" | "minutes" => Some(60.0),
        "h" | "hour" | "hours" => Some(3_600.0),
        "d" | "day" | "days" => Some(86_400.0),
        "y" | "year" | "years" => Some(31_536_000.0),
        _ => None,
    }
}

/// `"5 min 56s"` and friends: numbers each followed by a unit, glued or spaced.
fn parse_sentence(text: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut pending: Option<f64> = None;
    let mut any = false;
    for token in text.split_whitespace() {
        let split = token
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(token.len());
        let (number, unit) = token.split_at(split);
        match (number.is_empty(), unit.is_empty()) {
            (false, true) if pending.is_none() => pending = Some(parse_decimal(number)?),
            (false, false) if pending.is_none() => {
                total += parse_decimal(number)? * unit_seconds(unit)?;
                any = true;
            }
            (true, false) => {
                total += pending.take()? * unit_seconds(unit)?;
                any = true;
            }
            _ => return None,
        }
    }
    (any && pending.is_none()).then_some(total)
}

/// `"00:05:56"` or `"05:56"`.
fn parse_clock(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    parts.iter().try_fold(0.0, |total, part| {
        let digits = part.trim();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return None;
        }
        Some(total * 60.0 + parse_decimal(digits)?)
    })
}

impl Seconds {
    /// Reads a duration Matomo sent as text: seconds, a clock (`"00:05:56"`) or a sentence
    /// (`"5 min 56s"`).
    pub(crate) fn from_text(text: &str) -> Option<Self> {
        parse_decimal(text)
            .or_else(|| parse_clock(text))
            .or_else(|| parse_sentence(text))
            .map(Seconds)
    }
}

decimal_from_json!(
    Seconds,
    "a duration, as seconds or as text such as \"5 min 56s\" or \"00:05:56\""
);

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> f64 {
        serde_json::from_str::<Seconds>(text).unwrap().0
    }

    #[test]
    fn reads_every_format() {
        assert_eq!(secs("356"), 356.0);
        assert_eq!(secs("\"356\""), 356.0);
        assert_eq!(secs("\"5 min 56s\""), 356.0);
        assert_eq!(secs("\"56s\""), 56.0);
        assert_eq!(secs("\"1 hours 56 min\""), 6_960.0);
        assert_eq!(secs("\"2 days 3 hours\""), 183_600.0);
        assert_eq!(secs("\"00:05:56\""), 356.0);
    }

    #[test]
    fn refuses_what_is_no_duration() {
        for text in [
            "\"abc\"",
            "\"5 fortnights\"",
            "\"min\"",
            "\"5\u{a0}min 3\"",
            "\"1:2:3:4\"",
            "true",
        ] {
            let err = serde_json::from_str::<Seconds>(text)
                .unwrap_err()
                .to_string();
            assert!(err.contains("a duration"), "{text}: {err}");
        }
    }
}
