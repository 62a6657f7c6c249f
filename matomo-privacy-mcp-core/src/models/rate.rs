//! Rates (bounce rate, conversion rate) normalised to one meaning whatever `format_metrics` was.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use super::number::{decimal_from_json, parse_decimal};
use crate::privacy::PlainValue;

/// A rate stored as a **fraction**: `0.45` means 45 %.
///
/// Matomo sends rates in two formats depending on `format_metrics`: with the
/// default (`bc`) and with `1` as a percentage string such as `"45%"`, with
/// `0` as a raw fraction such as `0.45`. Both decode to `Rate(0.45)`, so a
/// caller never has to know which format its request produced. A numeric
/// string without `%` (`"0.45"`) is read as a fraction too. It serialises as
/// the fraction.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, JsonSchema)]
pub struct Rate(pub f64);

impl Rate {
    /// The rate as a percentage (`45.0` for `Rate(0.45)`), for display.
    pub fn percent(self) -> f64 {
        self.0 * 100.0
    }
}

impl PlainValue for Rate {}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent())
    }
}

impl Rate {
    /// Reads a rate Matomo sent as text: a percentage (`"45%"`) or a fraction (`"0.45"`).
    pub(crate) fn from_text(text: &str) -> Option<Self> {
        let trimmed = text.trim();
        let parsed = match trimmed.strip_suffix('%') {
            // Shift the decimal point in the text, not by dividing: "15.38e-2" parses to
            // exactly the f64 nearest 0.1538, as the fraction format does.
            Some(percent) => parse_decimal(percent)
                .and_then(|_| parse_decimal(&format!("{}e-2", percent.trim()))),
            None => parse_decimal(trimmed),
        };
        parsed.map(Rate)
    }
}

decimal_from_json!(
    Rate,
    "a rate, as a percentage string such as \"45%\" or a fraction such as 0.45"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(text: &str) -> Rate {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn percentage_and_fraction_mean_the_same() {
        assert_eq!(rate("\"45%\""), rate("0.45"));
        assert_eq!(rate("\"15.38%\""), Rate(0.1538));
        assert_eq!(rate("\"0%\""), Rate(0.0));
        assert_eq!(rate("\"100%\""), Rate(1.0));
        assert_eq!(rate("1"), Rate(1.0));
        assert_eq!(rate("\"0.45\""), Rate(0.45));
    }

    #[test]
    fn refuses_text_that_is_no_rate() {
        for text in ["\"abc\"", "\"%\"", "\"45 %%\"", "true"] {
            let err = serde_json::from_str::<Rate>(text).unwrap_err().to_string();
            assert!(err.contains("a rate"), "{text}: {err}");
        }
    }

    #[test]
    fn serialises_the_fraction() {
        assert_eq!(serde_json::to_string(&rate("\"12%\"")).unwrap(), "0.12");
        assert_eq!(Rate(0.12).to_string(), "12%");
    }
}
