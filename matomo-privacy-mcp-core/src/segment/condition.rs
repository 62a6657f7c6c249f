//! One `dimension OPERATOR value` condition.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::dimension::dimension_class;
use super::error::SegmentError;
use crate::privacy::PrivacyClass;

/// Characters left as they are when a value is URL-encoded: RFC 3986 unreserved.
const VALUE_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A segment comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `==`, equals (with an empty value: is null or empty).
    Equals,
    /// `!=`, not equal (with an empty value: is neither null nor empty).
    NotEquals,
    /// `<=`, numerically at most.
    AtMost,
    /// `>=`, numerically at least.
    AtLeast,
    /// `<`, numerically less.
    Less,
    /// `>`, numerically greater.
    Greater,
    /// `=@`, contains.
    Contains,
    /// `!@`, does not contain.
    DoesNotContain,
    /// `=^`, starts with.
    StartsWith,
    /// `=$`, ends with.
    EndsWith,
}

impl Operator {
    /// Every operator, two-character ones before the one-character ones they start with.
    pub const ALL: [Operator; 10] = [
        Self::Equals,
        Self::NotEquals,
        Self::AtMost,
        Self::AtLeast,
        Self::Contains,
        Self::DoesNotContain,
        Self::StartsWith,
        Self::EndsWith,
        Self::Less,
        Self::Greater,
    ];

    /// The operator as written in a segment.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Equals => "==",
            Self::NotEquals => "!=",
            Self::AtMost => "<=",
            Self::AtLeast => ">=",
            Self::Less => "<",
            Self::Greater => ">",
            Self::Contains => "=@",
            Self::DoesNotContain => "!@",
            Self::StartsWith => "=^",
            Self::EndsWith => "=$",
        }
    }

    /// Whether Matomo accepts an empty value with this operator.
    pub const fn allows_empty_value(self) -> bool {
        matches!(self, Self::Equals | Self::NotEquals)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One condition, `dimension OPERATOR value`, with the value as Matomo compares it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Condition {
    dimension: String,
    operator: Operator,
    value: String,
}

impl Condition {
    /// A condition on `dimension` (letters, digits and `_`, starting with a letter).
    ///
    /// `value` is the plain value (not URL-encoded); it may be empty only with
    /// `==` and `!=`, may not end with a backslash, which Matomo would read as
    /// escaping the next `;` or `,`, and after `<` or `>` may not start with
    /// `=`, which Matomo would read as part of the operator.
    pub fn new(
        dimension: impl Into<String>,
        operator: Operator,
        value: impl Into<String>,
    ) -> Result<Self, SegmentError> {
        let dimension = dimension.into();
        let value = value.into();
        check_dimension(&dimension).map_err(SegmentError::whole)?;
        check_value(operator, &value).map_err(SegmentError::whole)?;
        Ok(Self {
            dimension,
            operator,
            value,
        })
    }

    /// The dimension filtered on, e.g. `countryCode`.
    pub fn dimension(&self) -> &str {
        &self.dimension
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The plain value compared against.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The privacy class of the dimension.
    pub fn class(&self) -> PrivacyClass {
        dimension_class(&self.dimension)
    }
}

/// Writes `dimension OP value` with `;`, `,` escaped and the value URL-encoded once.
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut escaped = String::with_capacity(self.value.len());
        for c in self.value.chars() {
            if matches!(c, ';' | ',') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        write!(
            f,
            "{}{}{}",
            self.dimension,
            self.operator,
            utf8_percent_encode(&escaped, VALUE_ENCODE)
        )
    }
}

pub(crate) fn check_dimension(name: &str) -> Result<(), String> {
    let mut bytes = name.bytes();
    let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    if !starts_with_letter || !bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(format!(
            "`{}` is not a dimension name; names are letters, digits and `_`, starting with a letter (API.getSegmentsMetadata lists them)",
            name.chars().take(40).collect::<String>()
        ));
    }
    Ok(())
}

pub(crate) fn check_value(operator: Operator, value: &str) -> Result<(), String> {
    if value.is_empty() && !operator.allows_empty_value() {
        return Err(format!(
            "the operator `{operator}` needs a value; only `==` and `!=` accept an empty one"
        ));
    }
    if matches!(operator, Operator::Less | Operator::Greater) && value.starts_with('=') {
        return Err(format!(
            "a value after `{operator}` cannot start with `=`: Matomo would read the operator `{operator}=`"
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!(
            "a value may not contain control characters (found U+{:04X}); remove it",
            u32::from(c)
        ));
    }
    if value.ends_with('\\') {
        return Err(
            "a value may not end with a backslash, which Matomo reads as escaping the next separator"
                .into(),
        );
    }
    Ok(())
}
