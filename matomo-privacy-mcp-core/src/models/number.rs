//! Lenient counts and metrics: Matomo sends the same number as `17`, `"17"` or `17.0`.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize};

use crate::privacy::PlainValue;

/// A non-negative whole number of things (visits, hits, conversions).
///
/// Matomo sends counts as JSON numbers, as numeric strings (`"1"`, seen in
/// multi-period and Live responses) or as floats with no fraction; all three
/// decode here, anything else (`"abc"`, `-1`, `1.5`) is a serde error.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema,
)]
pub struct Count(pub u64);

/// A decimal metric (revenue, averages, event values) from a JSON number or a numeric string.
///
/// Used where Matomo may send a fraction; whole counts use [`Count`].
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, JsonSchema)]
pub struct Metric(pub f64);

impl PlainValue for Count {}
impl PlainValue for Metric {}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Decodes `$ty`, a newtype over `f64` with a `from_text` of its own, from a JSON number or
/// from the text Matomo sends instead (through `from_text`); an error says it expected
/// `$expecting`. Every decimal value of the models decodes so, whatever `format_metrics` was.
macro_rules! decimal_from_json {
    ($ty:ident, $expecting:literal) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct DecimalVisitor;

                impl serde::de::Visitor<'_> for DecimalVisitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }

                    // Matomo's numbers are far below 2^53; a larger one rounds, as in JSON.
                    #[allow(clippy::cast_precision_loss)]
                    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<$ty, E> {
                        Ok($ty(value as f64))
                    }

                    #[allow(clippy::cast_precision_loss)]
                    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<$ty, E> {
                        Ok($ty(value as f64))
                    }

                    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<$ty, E> {
                        Ok($ty(value))
                    }

                    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<$ty, E> {
                        $ty::from_text(value).ok_or_else(|| {
                            E::invalid_value(serde::de::Unexpected::Str(value), &self)
                        })
                    }
                }

                deserializer.deserialize_any(DecimalVisitor)
            }
        }
    };
}
pub(crate) use decimal_from_json;

/// Parses a finite decimal number from Matomo text, trimming blanks; `None` if it is not one.
pub(crate) fn parse_decimal(text: &str) -> Option<f64> {
    let value: f64 = text.trim().parse().ok()?;
    value.is_finite().then_some(value)
}

fn count_from_f64<E: de::Error>(value: f64) -> Result<Count, E> {
    // Integral and within u64: 2^64 is exactly representable, so `<` excludes it.
    if value.is_finite()
        && value >= 0.0
        && value.fract() == 0.0
        && value < 18_446_744_073_709_551_616.0
    {
        // The checks above make the conversion exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Count(value as u64))
    } else {
        Err(E::invalid_value(Unexpected::Float(value), &CountVisitor))
    }
}

struct CountVisitor;

impl Visitor<'_> for CountVisitor {
    type Value = Count;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative whole number, as a JSON number or a numeric string")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Count, E> {
        Ok(Count(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Count, E> {
        u64::try_from(value)
            .map(Count)
            .map_err(|_| E::invalid_value(Unexpected::Signed(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Count, E> {
        count_from_f64(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Count, E> {
        if let Ok(parsed) = value.trim().parse::<u64>() {
            return Ok(Count(parsed));
        }
        match parse_decimal(value) {
            Some(parsed) => count_from_f64(parsed)
                .map_err(|_: E| E::invalid_value(Unexpected::Str(value), &self)),
            None => Err(E::invalid_value(Unexpected::Str(value), &self)),
        }
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CountVisitor)
    }
}

impl Metric {
    /// Reads a metric Matomo sent as text: a plain decimal.
    pub(crate) fn from_text(text: &str) -> Option<Self> {
        parse_decimal(text).map(Metric)
    }
}

decimal_from_json!(Metric, "a number, as a JSON number or a numeric string");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_accepts_numbers_strings_and_integral_floats() {
        for text in ["17", "\"17\"", "17.0", "\" 17 \""] {
            let count: Count = serde_json::from_str(text).unwrap();
            assert_eq!(count, Count(17), "{text}");
        }
    }

    #[test]
    fn count_refuses_garbage_with_a_clear_message() {
        for text in ["\"abc\"", "-1", "1.5", "\"1.5\"", "true", "null"] {
            let err = serde_json::from_str::<Count>(text).unwrap_err().to_string();
            assert!(err.contains("a non-negative whole number"), "{text}: {err}");
        }
    }

    #[test]
    fn metric_accepts_numbers_and_numeric_strings() {
        assert_eq!(
            serde_json::from_str::<Metric>("141.99").unwrap(),
            Metric(141.99)
        );
        assert_eq!(
            serde_json::from_str::<Metric>("\"141.99\"").unwrap(),
            Metric(141.99)
        );
        assert_eq!(serde_json::from_str::<Metric>("-3").unwrap(), Metric(-3.0));
        let err = serde_json::from_str::<Metric>("\"NaN\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a number"), "{err}");
    }

    #[test]
    fn serialises_as_plain_json_numbers() {
        assert_eq!(serde_json::to_string(&Count(3)).unwrap(), "3");
        assert_eq!(serde_json::to_string(&Metric(0.5)).unwrap(), "0.5");
    }
}
