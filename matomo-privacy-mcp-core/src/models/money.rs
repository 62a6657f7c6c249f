//! Amounts of money, also when `format_metrics=1` formatted them (`"$1,346.70"`).

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use super::number::{decimal_from_json, parse_decimal};
use crate::privacy::PlainValue;

/// An amount in the site's currency (revenue, prices), as a plain number.
///
/// Decodes a JSON number or numeric string, and the formatted strings Matomo
/// sends with `format_metrics=1` or in processed reports: `"$1,346.70"`,
/// `"1.346,70 €"`, `"$788"`. The currency symbol is dropped (the site's
/// currency is in its settings). Of `,` and `.`, the last one followed by one
/// or two digits is the decimal separator; the other is a thousands separator.
/// Serialises as the number.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, JsonSchema)]
pub struct Money(pub f64);

impl PlainValue for Money {}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Reads a formatted amount: keeps digits, sign and separators, then normalises the separators.
fn parse_formatted(text: &str) -> Option<f64> {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    if !kept.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // Whatever else the text held must be a currency sign or spacing, not letters and digits mixed in.
    if text.chars().any(|c| c.is_ascii_alphabetic()) && !text.chars().all(is_currency_text) {
        return None;
    }
    let decimal = kept
        .rfind(['.', ','])
        .filter(|&at| (1..=2).contains(&(kept.len() - at - 1)));
    let mut normal = String::with_capacity(kept.len());
    for (at, c) in kept.char_indices() {
        match c {
            '.' | ',' if Some(at) == decimal => normal.push('.'),
            '.' | ',' => {}
            _ => normal.push(c),
        }
    }
    parse_decimal(&normal)
}

/// Characters a formatted amount may carry: digits, separators, spacing, a currency code or sign.
fn is_currency_text(c: char) -> bool {
    c.is_ascii_digit()
        || c.is_ascii_uppercase()
        || c.is_whitespace()
        || !c.is_ascii()
        || ".,-".contains(c)
}

impl Money {
    /// Reads an amount Matomo sent as text: a plain decimal or a formatted amount (`"$1,346.70"`).
    pub(crate) fn from_text(text: &str) -> Option<Self> {
        parse_decimal(text)
            .or_else(|| parse_formatted(text))
            .map(Money)
    }
}

decimal_from_json!(
    Money,
    "an amount of money, as a number or a formatted string such as \"$1,346.70\""
);

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str) -> f64 {
        serde_json::from_str::<Money>(text).unwrap().0
    }

    #[test]
    fn reads_plain_and_formatted_amounts() {
        assert_eq!(money("1346.7"), 1346.7);
        assert_eq!(money("\"1346.70\""), 1346.7);
        assert_eq!(money("\"$1,346.70\""), 1346.7);
        assert_eq!(money("\"$788\""), 788.0);
        assert_eq!(money("\"1.346,70\u{a0}€\""), 1346.7);
        assert_eq!(money("\"USD 2,000\""), 2000.0);
        assert_eq!(money("\"-$5.5\""), -5.5);
    }

    #[test]
    fn refuses_text_without_an_amount() {
        for text in ["\"abc\"", "\"$\"", "\"12 apples\"", "true"] {
            let err = serde_json::from_str::<Money>(text).unwrap_err().to_string();
            assert!(err.contains("an amount of money"), "{text}: {err}");
        }
    }
}
