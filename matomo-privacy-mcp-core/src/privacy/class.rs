//! The three privacy classes and their order.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How close a value comes to a natural person.
///
/// The classes are ordered `Aggregate < Pseudonymous < Identifying`: a tool, a
/// deployment or a segment that allows a class allows every class below it.
/// The classification follows Matomo's own privacy guidance (section 2,
/// "Personal data exposure") and the field tables of the Reporting API
/// reference shipped with this project.
///
/// ```
/// use matomo_privacy_mcp_core::PrivacyClass;
///
/// const CEILING: PrivacyClass = PrivacyClass::Aggregate;
/// const OK: bool = PrivacyClass::Aggregate.is_within(CEILING);
/// assert!(OK);
/// assert!(PrivacyClass::Identifying > PrivacyClass::Pseudonymous);
/// assert_eq!(serde_json::to_string(&PrivacyClass::Pseudonymous).unwrap(), "\"pseudonymous\"");
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum PrivacyClass {
    /// Counts and rates over many visits; no row singles out a visitor.
    Aggregate = 0,
    /// Singles out one visitor or visit without naming them (visitor ids, keyed
    /// pseudonyms, exact timestamps, coordinates); identifiable once combined
    /// with other data.
    Pseudonymous = 1,
    /// Names a person or is likely to carry personal data (user ids, IP
    /// addresses, full URLs, page titles, search keywords).
    Identifying = 2,
}

impl PrivacyClass {
    /// Every class, from the least to the most sensitive.
    pub const ALL: [PrivacyClass; 3] = [Self::Aggregate, Self::Pseudonymous, Self::Identifying];

    /// The lower-case name used in configuration, `_meta` and messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Aggregate => "aggregate",
            Self::Pseudonymous => "pseudonymous",
            Self::Identifying => "identifying",
        }
    }

    /// One line saying what the class means, for manifests and tool descriptions.
    pub const fn meaning(self) -> &'static str {
        match self {
            Self::Aggregate => "counts and rates over many visits; no row singles out a visitor",
            Self::Pseudonymous => {
                "singles out a visitor or visit without naming them; identifiable when combined with other data"
            }
            Self::Identifying => "names a person or is likely to carry personal data",
        }
    }

    /// The more sensitive of two classes; usable in `const` items.
    pub const fn max(self, other: PrivacyClass) -> PrivacyClass {
        if (self as u8) >= (other as u8) {
            self
        } else {
            other
        }
    }

    /// Whether `self` is allowed under `ceiling`; usable in `const` items.
    pub const fn is_within(self, ceiling: PrivacyClass) -> bool {
        (self as u8) <= (ceiling as u8)
    }
}

impl fmt::Display for PrivacyClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a string that names no privacy class.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a privacy class; use `aggregate`, `pseudonymous` or `identifying`")]
pub struct UnknownPrivacyClass(pub String);

impl std::str::FromStr for PrivacyClass {
    type Err = UnknownPrivacyClass;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|class| class.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownPrivacyClass(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_ordered_from_aggregate_to_identifying() {
        assert!(PrivacyClass::Aggregate < PrivacyClass::Pseudonymous);
        assert!(PrivacyClass::Pseudonymous < PrivacyClass::Identifying);
        let mut shuffled = vec![
            PrivacyClass::Identifying,
            PrivacyClass::Aggregate,
            PrivacyClass::Pseudonymous,
        ];
        shuffled.sort();
        assert_eq!(shuffled, PrivacyClass::ALL.to_vec());
    }

    #[test]
    fn const_helpers_agree_with_ord() {
        for a in PrivacyClass::ALL {
            for b in PrivacyClass::ALL {
                assert_eq!(a.max(b), std::cmp::max(a, b));
                assert_eq!(a.is_within(b), a <= b);
            }
        }
        const MAX: PrivacyClass = PrivacyClass::Aggregate.max(PrivacyClass::Identifying);
        assert_eq!(MAX, PrivacyClass::Identifying);
    }

    #[test]
    fn serialises_lower_case_and_parses_back() {
        for class in PrivacyClass::ALL {
            let json = serde_json::to_string(&class).unwrap();
            assert_eq!(json, format!("\"{}\"", class.as_str()));
            assert_eq!(serde_json::from_str::<PrivacyClass>(&json).unwrap(), class);
            assert_eq!(class.as_str().parse::<PrivacyClass>().unwrap(), class);
            assert_eq!(class.to_string(), class.as_str());
        }
        let err = "secret".parse::<PrivacyClass>().unwrap_err();
        assert!(err.to_string().contains("use `aggregate`"), "{err}");
    }
}
