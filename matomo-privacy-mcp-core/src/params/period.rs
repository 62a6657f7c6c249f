//! `period`: the length of each reporting period.

use std::fmt;
use std::str::FromStr;

use super::ParamError;

/// The reporting period (`period`).
///
/// `Range` turns a multi-date [`Date`](super::Date) into one aggregated
/// period; every other period with such a date yields one result per period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    /// One calendar day.
    Day,
    /// A week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
    /// An arbitrary span of days, aggregated into one period.
    Range,
}

impl Period {
    /// The value Matomo expects.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
            Self::Range => "range",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Period {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Day, Self::Week, Self::Month, Self::Year, Self::Range]
            .into_iter()
            .find(|period| period.as_str() == s)
            .ok_or_else(|| {
                ParamError::new(
                    "period",
                    format!("`{s}` is not a period; use day, week, month, year or range"),
                )
            })
    }
}

crate::string_form::string_form!(Period, "MatomoPeriod", {
    "type": "string",
    "enum": ["day", "week", "month", "year", "range"],
    "description": "The length of each reporting period; range aggregates a multi-day date into one period"
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_prints() {
        for period in [
            Period::Day,
            Period::Week,
            Period::Month,
            Period::Year,
            Period::Range,
        ] {
            assert_eq!(period.to_string().parse::<Period>().unwrap(), period);
        }
        assert!("Day".parse::<Period>().is_err());
        assert!("quarter".parse::<Period>().is_err());
        assert_eq!(
            serde_json::from_str::<Period>("\"week\"").unwrap(),
            Period::Week
        );
        assert!(serde_json::from_str::<Period>("\"Week\"").is_err());
    }
}
