//! Matomo's segment grammar over the common visit dimensions: `dim OP value`, `,` = OR, `;` = AND
//! (OR binds tighter), values URL-encoded.

use super::errors::{self, ApiError};
use super::request::percent_decode;
use crate::calendar::Day;
use crate::dataset::{Action, Dataset, Visit};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
    Contains,
    NotContains,
    Starts,
    Ends,
}

const OPS: [(&str, Op); 10] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("=@", Op::Contains),
    ("!@", Op::NotContains),
    ("=^", Op::Starts),
    ("=$", Op::Ends),
    ("<", Op::Lt),
    (">", Op::Gt),
];

/// The dimensions the emulator can filter on.
pub(crate) const DIMENSIONS: &[&str] = &[
    "countryCode",
    "continentCode",
    "regionCode",
    "city",
    "deviceType",
    "deviceBrand",
    "browserCode",
    "operatingSystemCode",
    "operatingSystemVersion",
    "referrerType",
    "referrerName",
    "referrerKeyword",
    "visitorType",
    "visitServerHour",
    "visitorId",
    "userId",
    "visitConverted",
    "visitConvertedGoalId",
    "actions",
    "visitDuration",
    "visitCount",
    "pageUrl",
    "pageTitle",
    "eventCategory",
    "eventAction",
    "siteSearchKeyword",
    "entryPageUrl",
    "eventName",
    "outlinkUrl",
    "downloadUrl",
    "visitEcommerceStatus",
    "languageCode",
    "resolution",
    "visitLocalHour",
    "visitStartServerHour",
    "deviceModel",
    "browserName",
    "browserVersion",
    "browserEngine",
    "operatingSystemName",
    "daysSinceLastVisit",
    "secondsSinceLastVisit",
    "daysSinceFirstVisit",
    "exitPageUrl",
    "entryPageTitle",
    "exitPageTitle",
    "siteSearchCategory",
    "contentName",
    "contentPiece",
    "contentTarget",
];

#[derive(Debug, Clone)]
struct Condition {
    dim: String,
    op: Op,
    value: String,
}

/// A parsed segment: AND of ORs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Segment {
    all: Vec<Vec<Condition>>,
}

impl Segment {
    pub(crate) fn parse(s: &str) -> Result<Segment, ApiError> {
        let mut all = Vec::new();
        for and_part in s.split(';').filter(|p| !p.is_empty()) {
            let mut any = Vec::new();
            for cond in and_part.split(',') {
                any.push(parse_condition(cond)?);
            }
            all.push(any);
        }
        Ok(Segment { all })
    }

    pub(crate) fn matches(&self, v: &Visit) -> bool {
        self.all.iter().all(|any| any.iter().any(|c| c.matches(v)))
    }
}

fn parse_condition(cond: &str) -> Result<Condition, ApiError> {
    let found = OPS
        .iter()
        .filter_map(|(tok, op)| cond.find(tok).map(|i| (i, *tok, *op)))
        .min_by_key(|(i, _, _)| *i);
    let Some((i, tok, op)) = found else {
        return Err(ApiError::payload(errors::bad_segment_condition(cond)));
    };
    let dim = &cond[..i];
    if dim.is_empty() || !dim.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(ApiError::payload(errors::bad_segment_condition(cond)));
    }
    if !DIMENSIONS.contains(&dim) {
        return Err(ApiError::payload(errors::unknown_segment(dim)));
    }
    Ok(Condition {
        dim: dim.to_string(),
        op,
        value: percent_decode(&cond[i + tok.len()..]),
    })
}

impl Condition {
    fn matches(&self, v: &Visit) -> bool {
        let values: Vec<String> = visit_values(&self.dim, v);
        // Matomo's row segments encode URL values twice (`pageUrl==https%253A%252F%252F…`), and
        // titles too (`pageTitle==Example%2BShop`): Matomo decodes action values once more.
        let twice = self.dim.ends_with("Url") || self.dim.ends_with("Title");
        let expected = if twice && self.value.contains(['%', '+']) {
            percent_decode(&self.value)
        } else {
            self.value.clone()
        };
        let test = |actual: &str| compare(self.op, actual, &expected);
        match self.op {
            // A negative condition on an action dimension holds when no action matches the positive one.
            Op::Ne | Op::NotContains if values.len() != 1 => values.iter().all(|a| test(a)),
            _ => values.iter().any(|a| test(a)),
        }
    }
}

fn compare(op: Op, actual: &str, expected: &str) -> bool {
    let (a, e) = (actual.to_lowercase(), expected.to_lowercase());
    let num = || Some((actual.parse::<f64>().ok()?, expected.parse::<f64>().ok()?));
    match op {
        Op::Eq => a == e,
        Op::Ne => a != e,
        Op::Contains => a.contains(&e),
        Op::NotContains => !a.contains(&e),
        Op::Starts => a.starts_with(&e),
        Op::Ends => a.ends_with(&e),
        Op::Le => num().is_some_and(|(x, y)| x <= y),
        Op::Ge => num().is_some_and(|(x, y)| x >= y),
        Op::Lt => num().is_some_and(|(x, y)| x < y),
        Op::Gt => num().is_some_and(|(x, y)| x > y),
    }
}

fn visit_values(dim: &str, v: &Visit) -> Vec<String> {
    let one = |s: &str| vec![s.to_string()];
    match dim {
        "countryCode" => one(v.location.country_code),
        "continentCode" => one(v.location.continent_code),
        "regionCode" => one(v.location.region_code),
        "city" => one(v.location.city),
        "deviceType" => one(v.device.device_type),
        "deviceBrand" => one(v.device.brand),
        "browserCode" => one(v.browser.code),
        "operatingSystemCode" => one(v.browser.os_code),
        "operatingSystemVersion" => one(v.browser.os_version),
        "referrerType" => one(v.referrer.type_code()),
        "referrerName" => one(&crate::dataset::referrer_name(&v.referrer)),
        "referrerKeyword" => one(&crate::dataset::referrer_keyword(&v.referrer)),
        "visitorType" => one(match (v.returning, v.details.returning_customer) {
            (false, _) => "new",
            (true, false) => "returning",
            (true, true) => "returningCustomer",
        }),
        "visitServerHour" => one(&v.server_hour().to_string()),
        "visitorId" => one(&v.visitor_id),
        "userId" => one(v.user_id.as_deref().unwrap_or("")),
        "visitConverted" => one(if v.converted() { "1" } else { "0" }),
        "visitConvertedGoalId" => v
            .conversions
            .iter()
            .filter_map(|c| c.goal.map(|g| g.to_string()))
            .collect(),
        "actions" => one(&v.nb_actions().to_string()),
        "visitDuration" => one(&v.duration.to_string()),
        "visitCount" => one(&v.visit_count.to_string()),
        "pageUrl" => v.pages().map(|(u, _, _)| u.to_string()).collect(),
        "pageTitle" => v.pages().map(|(_, t, _)| t.to_string()).collect(),
        "eventCategory" | "eventAction" => v
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Event {
                    category, action, ..
                } => Some(if dim == "eventCategory" {
                    category.clone()
                } else {
                    action.clone()
                }),
                _ => None,
            })
            .collect(),
        "entryPageUrl" => v.pages().take(1).map(|(u, _, _)| u.to_string()).collect(),
        "eventName" => v
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Event { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect(),
        "outlinkUrl" | "downloadUrl" => v
            .actions
            .iter()
            .filter_map(|a| match (a, dim) {
                (Action::Outlink { url }, "outlinkUrl")
                | (Action::Download { url }, "downloadUrl") => Some(url.clone()),
                _ => None,
            })
            .collect(),
        "visitEcommerceStatus" => one(if v.conversions.iter().any(|c| c.goal.is_none()) {
            "ordered"
        } else {
            "none"
        }),
        "siteSearchKeyword" => v
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Search { keyword } => Some(keyword.clone()),
                _ => None,
            })
            .collect(),
        "languageCode" => one(v.details.language),
        "resolution" => one(v.details.resolution),
        "visitLocalHour" => one(&v.local_hour().to_string()),
        "visitStartServerHour" => one(&v.server_hour().to_string()),
        "deviceModel" => one(v.device.model),
        "browserName" => one(v.browser.name),
        "browserVersion" => one(v.browser.version),
        "browserEngine" => one(v.browser.family),
        "operatingSystemName" => one(v.browser.os_name),
        "daysSinceLastVisit" => one(&v.details.days_since_last.to_string()),
        "secondsSinceLastVisit" => one(&v.details.seconds_since_last.to_string()),
        "daysSinceFirstVisit" => one(&v.details.days_since_first.to_string()),
        "exitPageUrl" => v
            .pages()
            .last()
            .map(|(u, _, _)| u.to_string())
            .into_iter()
            .collect(),
        "entryPageTitle" => v.pages().take(1).map(|(_, t, _)| t.to_string()).collect(),
        "exitPageTitle" => v
            .pages()
            .last()
            .map(|(_, t, _)| t.to_string())
            .into_iter()
            .collect(),
        "siteSearchCategory" => v
            .searches()
            .filter_map(|(_, category)| category.map(str::to_string))
            .collect(),
        "contentName" | "contentPiece" | "contentTarget" => v
            .details
            .contents
            .iter()
            .map(|c| match dim {
                "contentName" => c.name.clone(),
                "contentPiece" => c.piece.clone(),
                _ => c.target.clone(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Ground truth for tests, as the emulator's segments select it (here, beside the segment
/// grammar it reads, so that the dataset need not know the query layer).
impl Dataset {
    /// The site's visits within `start..=end` that match every segment of `segments`, as the
    /// emulator applies them: for ground truth about rows Matomo sends without a segment
    /// (continents, OS families, weekdays), which a test selects among these itself.
    ///
    /// Errors name a segment the emulator cannot read.
    pub fn visits_matching(
        &self,
        site: u32,
        start: Day,
        end: Day,
        segments: &[&str],
    ) -> Result<Vec<&Visit>, String> {
        let parsed = segments
            .iter()
            .map(|s| Segment::parse(s).map_err(|e| format!("{s}: {e:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self
            .visits_in(site, start, end)
            .filter(|v| parsed.iter().all(|p| p.matches(v)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Day;
    use crate::dataset::Dataset;

    /// The dimensions the conversion tools filter on answer every comparison as the visit's own
    /// values do: visit number, days since the first visit, converted, and the converted goals.
    #[test]
    fn visit_number_days_and_conversions_compare_with_every_operator() {
        let today = Day::from_ymd(2026, 11, 26).unwrap();
        let data = Dataset::generate(5, today);
        let visits = &data.visits[..2000.min(data.visits.len())];
        type Holds = fn(u64, u64) -> bool;
        let ops: [(&str, Holds); 5] = [
            ("==", |a, b| a == b),
            (">=", |a, b| a >= b),
            ("<=", |a, b| a <= b),
            (">", |a, b| a > b),
            ("<", |a, b| a < b),
        ];
        let mut matched = 0;
        for (op, holds) in ops {
            for value in [0u64, 1, 2, 3, 7, 14, 30] {
                for (dim, own) in [
                    (
                        "visitCount",
                        (|v: &Visit| u64::from(v.visit_count)) as fn(&Visit) -> u64,
                    ),
                    ("daysSinceFirstVisit", |v| {
                        u64::from(v.details.days_since_first)
                    }),
                    ("visitConverted", |v| u64::from(v.converted())),
                ] {
                    let segment = Segment::parse(&format!("{dim}{op}{value}")).unwrap();
                    for v in visits {
                        let expected = holds(own(v), value);
                        assert_eq!(segment.matches(v), expected, "{dim}{op}{value} {v:?}");
                        matched += usize::from(expected);
                    }
                }
                // A visit converting several goals matches when any of them does.
                let segment = Segment::parse(&format!("visitConvertedGoalId{op}{value}")).unwrap();
                for v in visits {
                    let expected = v
                        .conversions
                        .iter()
                        .filter_map(|c| c.goal)
                        .any(|goal| holds(u64::from(goal), value));
                    assert_eq!(segment.matches(v), expected, "goal {op}{value} {v:?}");
                }
            }
        }
        assert!(matched > 0);
        // A range of days and a converted goal together, as `visits_to_conversion` sends them.
        let segment =
            Segment::parse("daysSinceFirstVisit>=8;daysSinceFirstVisit<15;visitConvertedGoalId==1")
                .unwrap();
        let expected = visits
            .iter()
            .filter(|v| (8..15).contains(&v.details.days_since_first))
            .filter(|v| v.conversions.iter().any(|c| c.goal == Some(1)))
            .count();
        assert_eq!(
            visits.iter().filter(|v| segment.matches(v)).count(),
            expected
        );
    }
}
