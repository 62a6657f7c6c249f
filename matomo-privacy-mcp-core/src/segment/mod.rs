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
//! use matomo_privacy_mcp_core::PrivacyClass;
//! use matomo_privacy_mcp_core::segment::Segment;
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
    /// use matomo_privacy_mcp_core::segment::Segment;
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

    /// The visits matching at least one of `parts`, when Matomo's grammar (an AND of OR-groups,
    /// no parentheses) can write it; `None` when it cannot, or for no parts.
    ///
    /// The AND-groups every part has are kept as they are, and what is left of each part must
    /// be one OR-group: then `(S ∧ g1) ∨ (S ∧ g2) ∨ … = S ∧ (g1 ∨ g2 ∨ …)` (distributivity),
    /// and `g1 ∨ g2 ∨ …` is one OR-group holding every condition of each. A part with nothing
    /// left is `S` itself; every other part is within `S`, so the union is `S`. The result
    /// selects exactly the visits some part selects: not one more, not one fewer.
    ///
    /// So `pageUrl==a` or `pageUrl==b` is `pageUrl==a,pageUrl==b`, and
    /// `referrerType==search;referrerName==A` or `referrerType==search;referrerName==B` is
    /// `referrerType==search;referrerName==A,referrerName==B`.
    pub(crate) fn any_of(parts: &[Segment]) -> Option<Segment> {
        let (first, others) = parts.split_first()?;
        let shared: Vec<&Vec<Condition>> = first
            .groups
            .iter()
            .filter(|group| others.iter().all(|part| part.groups.contains(group)))
            .collect();
        let mut any: Vec<Condition> = Vec::new();
        for part in parts {
            let mut rest = part.groups.iter().filter(|group| !shared.contains(group));
            let Some(group) = rest.next() else {
                // This part is the shared groups alone: the union is too.
                return Segment::all_of(shared.into_iter().cloned().collect()).ok();
            };
            // Two groups left would be `S ∧ g ∧ h` inside an OR: no parentheses to write it.
            if rest.any(|other| other != group) {
                return None;
            }
            for condition in group {
                if !any.contains(condition) {
                    any.push(condition.clone());
                }
            }
        }
        let mut groups: Vec<Vec<Condition>> = shared.into_iter().cloned().collect();
        groups.push(any);
        Segment::all_of(groups).ok()
    }

    /// The visits *not* matching a segment made only of `==` conditions, in Matomo's grammar;
    /// `None` for any other segment (Matomo's grammar has no "does not start with" to negate
    /// `=^`), or when the negation would take more than [`MAX_NEGATION_GROUPS`] AND-groups.
    ///
    /// By De Morgan, `¬(G1 ∧ … ∧ Gm) = ¬G1 ∨ … ∨ ¬Gm`, and `¬Gi`, for an OR-group `Gi`, is the
    /// AND of its conditions' `!=`. Distributed back into an AND of OR-groups, that is one
    /// group `(¬c1 ∨ … ∨ ¬cm)` for each way of picking one condition `ci` of each `Gi`: every
    /// visit outside the segment fails some `Gi` entirely, so it fails the picked condition
    /// of `Gi` in every group; every visit inside passes some condition of each `Gi`, and the
    /// group picking conditions it passes fails. So `a==1;b==2` becomes `a!=1,b!=2` (one
    /// pick), `a==1,a==2` (a merged row) becomes `a!=1;a!=2`, and `s==0;a==1,a==2` becomes
    /// `s!=0,a!=1;s!=0,a!=2`.
    ///
    /// Only meaningful on dimensions with one value per visit: on an action dimension Matomo
    /// reads `pageUrl!=x` as "no action with URL x", which is not the complement of a row.
    pub(crate) fn negation(&self) -> Option<Segment> {
        let negated: Vec<Vec<Condition>> = self
            .groups
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|c| {
                        (c.operator() == Operator::Equals)
                            .then(|| {
                                Condition::new(c.dimension(), Operator::NotEquals, c.value()).ok()
                            })
                            .flatten()
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<_>>()?;
        let choices = negated
            .iter()
            .try_fold(1usize, |n, group| n.checked_mul(group.len()))?;
        if choices == 0 || choices > MAX_NEGATION_GROUPS {
            return None;
        }
        // Every pick of one negated condition per group, as one OR-group each.
        let mut groups: Vec<Vec<Condition>> = vec![Vec::new()];
        for options in &negated {
            groups = groups
                .into_iter()
                .flat_map(|picked| {
                    options.iter().map(move |condition| {
                        let mut picked = picked.clone();
                        if !picked.contains(condition) {
                            picked.push(condition.clone());
                        }
                        picked
                    })
                })
                .collect();
        }
        Segment::all_of(groups).ok()
    }
}

/// The most AND-groups [`Segment::negation`] writes: each pick of one condition per OR-group
/// is one, and a merged row of 40 parts inside a covering condition is 40 of them; past that
/// the segment grows as a product, so the complement is left unknown.
pub(crate) const MAX_NEGATION_GROUPS: usize = 64;

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

    /// Every visit of a small world, as the values of three one-valued dimensions.
    fn visits() -> Vec<[&'static str; 3]> {
        let values = ["x", "y", "z"];
        let mut all = Vec::new();
        for a in values {
            for b in values {
                for c in values {
                    all.push([a, b, c]);
                }
            }
        }
        all
    }

    /// Whether a visit (`a`, `b`, `c`) matches a segment of `==`/`!=` conditions on them.
    fn matches(segment: &Segment, visit: [&str; 3]) -> bool {
        segment.groups().iter().all(|group| {
            group.iter().any(|c| {
                let actual = match c.dimension() {
                    "a" => visit[0],
                    "b" => visit[1],
                    _ => visit[2],
                };
                match c.operator() {
                    Operator::Equals => actual == c.value(),
                    Operator::NotEquals => actual != c.value(),
                    other => panic!("{other}"),
                }
            })
        })
    }

    #[test]
    fn the_union_of_parts_selects_exactly_the_visits_of_some_part() {
        let parse = |s: &str| Segment::parse(s).unwrap();
        let union = |parts: &[&str]| {
            Segment::any_of(&parts.iter().map(|p| parse(p)).collect::<Vec<_>>())
                .map(|s| s.to_string())
        };
        assert_eq!(union(&["a==x", "a==y"]).as_deref(), Some("a==x,a==y"));
        assert_eq!(
            union(&["b==x;a==x", "b==x;a==y", "b==x;a==x"]).as_deref(),
            Some("b==x;a==x,a==y")
        );
        // A part that is the shared groups alone: the union is those groups.
        assert_eq!(union(&["b==x;a==x", "b==x"]).as_deref(), Some("b==x"));
        // An OR-group per part is joined into one.
        assert_eq!(
            union(&["a==x,a==y", "c==z"]).as_deref(),
            Some("a==x,a==y,c==z")
        );
        // `(a ∧ b) ∨ c` has no form without parentheses.
        assert_eq!(union(&["a==x;b==x", "c==z"]), None);
        assert_eq!(union(&[]), None);
        // Against every visit of the small world, for many sets of parts.
        let conditions = ["a==x", "a==y", "b==x,b==z", "c==y", "a==x;b==y"];
        let mut checked = 0;
        for i in 0..conditions.len() {
            for j in 0..conditions.len() {
                for shared in [None, Some("c==z"), Some("b==y,c==x")] {
                    let part =
                        |c: &str| parse(&shared.map_or(c.to_owned(), |s| format!("{s};{c}")));
                    let mut parts = vec![part(conditions[i]), part(conditions[j])];
                    if let Some(shared) = shared.filter(|_| i == j) {
                        parts.push(parse(shared));
                    }
                    let Some(union) = Segment::any_of(&parts) else {
                        // Only a part of two groups of its own has no form.
                        assert!(i == 4 || j == 4, "{parts:?}");
                        continue;
                    };
                    checked += 1;
                    for visit in visits() {
                        assert_eq!(
                            matches(&union, visit),
                            parts.iter().any(|p| matches(p, visit)),
                            "{union} at {visit:?}"
                        );
                    }
                }
            }
        }
        assert!(checked >= 48, "{checked}");
    }

    #[test]
    fn a_negation_selects_exactly_the_visits_outside() {
        let parse = |s: &str| Segment::parse(s).unwrap();
        let not = |s: &str| parse(s).negation().map(|n| n.to_string());
        assert_eq!(not("a==x;b==y").as_deref(), Some("a!=x,b!=y"));
        // A merged row: none of its parts.
        assert_eq!(not("a==x,a==y").as_deref(), Some("a!=x;a!=y"));
        assert_eq!(
            not("c==z;a==x,a==y").as_deref(),
            Some("c!=z,a!=x;c!=z,a!=y")
        );
        // No "does not start with": not written.
        assert_eq!(not("a=^x"), None);
        assert_eq!(not("a==x;b=@y"), None);
        // Past the cap the complement is left unknown.
        let wide: Vec<String> = (0..=MAX_NEGATION_GROUPS)
            .map(|i| format!("a=={i}"))
            .collect();
        assert!(not(&wide.join(",")).is_none());
        let segments = [
            "a==x",
            "a==x;b==y",
            "a==x,a==y",
            "c==z;a==x,a==y",
            "a==x,b==y;b==x,c==z",
            "a==x,b==x,c==x;a==y",
        ];
        for text in segments {
            let segment = parse(text);
            let outside = segment.negation().unwrap();
            for visit in visits() {
                assert_eq!(
                    matches(&outside, visit),
                    !matches(&segment, visit),
                    "{text} / {outside} at {visit:?}"
                );
            }
        }
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
