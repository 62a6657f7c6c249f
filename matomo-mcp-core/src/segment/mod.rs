//! Matomo segments: parsed, validated and classified before they are sent.
//!
//! A segment restricts a report to matching visits (`countryCode==de;deviceType==smartphone`).
//! Because its values travel in the request and row counts reveal whether one
//! person matched, a segment is as sensitive as its most sensitive dimension:
//! [`Segment::max_class`] tells which, so a policy can refuse `userId==…`
//! under an aggregate-only ceiling.
//!
//! Grammar (Matomo's `SegmentExpression`): conditions `name OPERATOR value`
//! joined by `;` (AND) and `,` (OR), where OR binds tighter, so `a;b,c` is
//! `a AND (b OR c)`; no parentheses; `\;` and `\,` are a literal `;` and `,`
//! in a value. [`Segment::parse`] URL-decodes its input once (as Matomo does,
//! `+` included) before parsing; [`Display`](std::fmt::Display) writes the
//! values URL-encoded once, the form Matomo expects as the `segment`
//! parameter, so `parse(segment.to_string()) == segment`.
//!
//! ```
//! use matomo_mcp_core::PrivacyClass;
//! use matomo_mcp_core::segment::Segment;
//!
//! let segment = Segment::parse("countryCode==de;deviceType==smartphone,deviceType==tablet").unwrap();
//! assert_eq!(segment.groups().len(), 2);
//! assert_eq!(segment.max_class(), PrivacyClass::Aggregate);
//!
//! let risky = Segment::parse("pageUrl=@%2Fcheckout%3Fmail%3D").unwrap();
//! assert_eq!(risky.max_class(), PrivacyClass::Identifying);
//! assert_eq!(risky.to_string(), "pageUrl=@%2Fcheckout%3Fmail%3D");
//!
//! let err = Segment::parse("countryCode=de").unwrap_err();
//! assert_eq!(err.position, Some(12));
//! ```

mod condition;
mod dimension;
mod error;
mod parse;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

pub use condition::{Condition, Operator};
pub use dimension::dimension_class;
pub use error::SegmentError;
pub use parse::MAX_SEGMENT_LEN;

use crate::privacy::PrivacyClass;

/// A validated segment: an AND of groups, each an OR of conditions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    groups: Vec<Vec<Condition>>,
}

impl Segment {
    /// Parses a segment as a user or Matomo wrote it; see the [module docs](self).
    pub fn parse(input: &str) -> Result<Self, SegmentError> {
        parse::parse(input).map(|groups| Self { groups })
    }

    /// Builds a segment from AND-groups of OR-ed conditions; no group may be empty.
    pub fn all_of(groups: Vec<Vec<Condition>>) -> Result<Self, SegmentError> {
        if groups.is_empty() || groups.iter().any(Vec::is_empty) {
            return Err(SegmentError::whole(
                "a segment needs at least one condition, and every AND-group at least one",
            ));
        }
        Ok(Self { groups })
    }

    /// The AND-groups; the conditions in each group are OR-ed.
    pub fn groups(&self) -> &[Vec<Condition>] {
        &self.groups
    }

    /// Every condition, in order.
    pub fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.groups.iter().flatten()
    }

    /// The dimensions filtered on, without duplicates.
    pub fn dimensions(&self) -> BTreeSet<&str> {
        self.conditions().map(Condition::dimension).collect()
    }

    /// The most sensitive class among the dimensions.
    pub fn max_class(&self) -> PrivacyClass {
        self.conditions()
            .map(Condition::class)
            .fold(PrivacyClass::Aggregate, PrivacyClass::max)
    }
}

impl Segment {
    /// The visits matching both segments (`self;other`).
    ///
    /// ```
    /// use matomo_mcp_core::segment::Segment;
    ///
    /// let de = Segment::parse("countryCode==de").unwrap();
    /// let phones = Segment::parse("deviceType==smartphone,deviceType==tablet").unwrap();
    /// assert_eq!(de.and(&phones).to_string(), "countryCode==de;deviceType==smartphone,deviceType==tablet");
    /// ```
    pub fn and(&self, other: &Segment) -> Segment {
        let mut groups = self.groups.clone();
        groups.extend(other.groups.iter().cloned());
        Segment { groups }
    }

    /// The visits *not* matching a segment made only of `==` conditions joined by AND, as
    /// one OR-group of `!=` conditions (De Morgan); `None` for any other segment, whose
    /// negation Matomo's grammar (no parentheses, no "does not start with") cannot always write.
    ///
    /// Only meaningful on dimensions with one value per visit: on an action dimension Matomo
    /// reads `pageUrl!=x` as "no action with URL x", which is not the complement of a row.
    pub(crate) fn negation(&self) -> Option<Segment> {
        let group = self
            .conditions()
            .map(|c| {
                (c.operator() == Operator::Equals)
                    .then(|| Condition::new(c.dimension(), Operator::NotEquals, c.value()).ok())
                    .flatten()
            })
            .collect::<Option<Vec<_>>>()?;
        let single_conditions = self.groups.iter().all(|g| g.len() == 1);
        (single_conditions && !group.is_empty()).then(|| Segment {
            groups: vec![group],
        })
    }
}

impl From<Condition> for Segment {
    fn from(condition: Condition) -> Self {
        Self {
            groups: vec![vec![condition]],
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (g, group) in self.groups.iter().enumerate() {
            if g > 0 {
                f.write_str(";")?;
            }
            for (c, condition) in group.iter().enumerate() {
                if c > 0 {
                    f.write_str(",")?;
                }
                condition.fmt(f)?;
            }
        }
        Ok(())
    }
}

impl FromStr for Segment {
    type Err = SegmentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::string_form::string_form!(Segment, "MatomoSegment", {
    "type": "string",
    "description": "A Matomo segment: conditions `dimension OPERATOR value` (operators == != <= >= < > =@ !@ =^ =$) joined by ; (AND) and , (OR, binding tighter), e.g. countryCode==de;deviceType==smartphone",
    "examples": ["countryCode==de", "deviceType==smartphone,deviceType==tablet"]
});

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(name: &str, op: Operator, value: &str) -> Condition {
        Condition::new(name, op, value).unwrap()
    }

    #[test]
    fn or_binds_tighter_than_and() {
        let segment = Segment::parse("a==1;b==2,c==3").unwrap();
        assert_eq!(
            segment.groups(),
            [
                vec![cond("a", Operator::Equals, "1")],
                vec![
                    cond("b", Operator::Equals, "2"),
                    cond("c", Operator::Equals, "3")
                ],
            ]
        );
    }

    #[test]
    fn every_operator_parses() {
        for op in Operator::ALL {
            let text = format!("visitCount{op}5");
            let segment = Segment::parse(&text).unwrap();
            let condition = segment.conditions().next().unwrap();
            assert_eq!(condition.operator(), op, "{text}");
            assert_eq!(condition.value(), "5");
            assert_eq!(segment.to_string(), text);
        }
    }

    #[test]
    fn escapes_and_encoding() {
        let segment = Segment::parse(r"pageTitle==a\;b\,c;x!=").unwrap();
        let values: Vec<_> = segment.conditions().map(Condition::value).collect();
        assert_eq!(values, ["a;b,c", ""]);
        assert_eq!(segment.to_string(), "pageTitle==a%5C%3Bb%5C%2Cc;x!=");
        assert_eq!(Segment::parse(&segment.to_string()).unwrap(), segment);

        // Decoded once: an encoded whole segment, `+` as space, and Matomo's own row segments.
        let encoded = Segment::parse("countryCode%3D%3Dde%3BbrowserCode%3D%3DFF").unwrap();
        assert_eq!(encoded.to_string(), "countryCode==de;browserCode==FF");
        let spaced = Segment::parse("pageTitle=@Hello+World").unwrap();
        assert_eq!(spaced.conditions().next().unwrap().value(), "Hello World");
        let row = Segment::parse("pageUrl==https%253A%252F%252Fshop.example.com%252F").unwrap();
        assert_eq!(
            row.conditions().next().unwrap().value(),
            "https%3A%2F%2Fshop.example.com%2F"
        );
        assert_eq!(
            row.to_string(),
            "pageUrl==https%253A%252F%252Fshop.example.com%252F"
        );
    }

    #[test]
    fn errors_name_the_position() {
        let cases = [
            ("countryCode=de", Some(12), "expected an operator"),
            ("countryCode==de;", Some(17), "trailing"),
            ("countryCode==de; deviceType==tablet", Some(17), "found ` `"),
            ("==de", Some(1), "expected a dimension name"),
            ("1abc==de", Some(1), "start with a letter"),
            ("countryCode=@", Some(14), "needs a value"),
            ("a>", Some(3), "needs a value"),
            ("countryCode", Some(12), "found the end"),
            ("", None, "empty"),
            ("   ", None, "empty"),
            ("a==%FF", None, "UTF-8"),
            (r"a==b\", Some(4), "backslash"),
        ];
        for (input, position, needle) in cases {
            let err = Segment::parse(input).unwrap_err();
            assert_eq!(err.position, position, "{input}: {err}");
            assert!(err.to_string().contains(needle), "{input}: {err}");
        }
        let long = format!("a=={}", "x".repeat(MAX_SEGMENT_LEN));
        assert!(Segment::parse(&long).is_err());
    }

    #[test]
    fn dimensions_and_max_class() {
        let segment =
            Segment::parse("countryCode==de;dimension2==x,userId==bob;countryCode!=fr").unwrap();
        assert_eq!(
            segment.dimensions().into_iter().collect::<Vec<_>>(),
            ["countryCode", "dimension2", "userId"]
        );
        assert_eq!(segment.max_class(), PrivacyClass::Identifying);
        assert_eq!(
            Segment::parse("visitorId==abc").unwrap().max_class(),
            PrivacyClass::Pseudonymous
        );
    }

    #[test]
    fn travels_as_a_json_string() {
        let segment: Segment = serde_json::from_str("\"countryCode==de\"").unwrap();
        assert_eq!(serde_json::to_value(&segment).unwrap(), "countryCode==de");
        let err = serde_json::from_str::<Segment>("\"countryCode=de\"").unwrap_err();
        assert!(err.to_string().contains("at character 12"), "{err}");
    }

    #[test]
    fn built_segments_are_checked() {
        assert!(Segment::all_of(vec![]).is_err());
        assert!(Segment::all_of(vec![vec![]]).is_err());
        assert!(Condition::new("page url", Operator::Equals, "x").is_err());
        assert!(Condition::new("pageUrl", Operator::Contains, "").is_err());
        assert!(Condition::new("visitCount", Operator::Less, "=3").is_err());
        assert!(Condition::new("visitCount", Operator::Equals, "=3").is_ok());
        let segment: Segment = cond("city", Operator::StartsWith, "Ber").into();
        assert_eq!(segment.to_string(), "city=^Ber");
    }
}
