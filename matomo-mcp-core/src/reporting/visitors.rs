//! How many distinct visitors are known to be behind a site, period and segment: lower bounds
//! from Matomo's own counts, which the threshold relies on.
//!
//! Matomo counts distinct visitors (`nb_uniq_visitors` of `VisitsSummary.get`) for days, weeks
//! and months, with any segment. It does not for years and ranges (by default), so for those
//! the bound is the largest count of a period inside: the visitors of a year include those of
//! each of its months, and the visitors of a range those of each of its days. That is a lower
//! bound, often well below the truth; it never overstates.

use serde_json::Value;

use super::args::{Request, to_tool_error};
use crate::ToolError;
use crate::client::{ClientError, MatomoClient};
use crate::models::{Report, visits_summary};
use crate::params::{Date, Day, Params, Period, RangeEnd, Sites};
use crate::segment::Segment;

/// Distinct visitors known behind some visits, and how many visits they made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Known {
    /// A lower bound on the distinct visitors.
    pub visitors: u64,
    /// The visits (exact).
    pub visits: u64,
}

impl Known {
    /// Whether an answer about these visits must be withheld as a whole: they are made by fewer
    /// than `k` distinct visitors, or Matomo did not count them (`None`), which proves nothing.
    pub(crate) fn too_few(whole: Option<Known>, k: u64) -> bool {
        whole.is_none_or(|whole| whole.visits > 0 && whole.visitors < k)
    }
}

/// Asks Matomo how many visitors are behind segments of one site and period.
pub(crate) struct Visitors<'a> {
    client: &'a MatomoClient,
    site: u32,
    period: Period,
    date: Date,
    base: Option<&'a Segment>,
}

impl<'a> Visitors<'a> {
    /// For the request's site and period, within `base` (the caller's segment) when given.
    pub(crate) fn new(
        client: &'a MatomoClient,
        request: &Request,
        base: Option<&'a Segment>,
    ) -> Self {
        Self {
            client,
            site: request.site,
            period: request.period,
            date: request.date,
            base,
        }
    }

    /// The whole site, period and base segment; `None` when Matomo did not count it (a year
    /// within a day of New Year, an answer of another shape). An error from Matomo is the tool's
    /// error: the report it guards would fail the same way.
    pub(crate) async fn whole(&self) -> Result<Option<Known>, ToolError> {
        match self.answers(&[None]).await?.and_then(|mut all| all.pop()) {
            Some(Ok(value)) => Ok(known(&value)),
            Some(Err(error)) => Err(to_tool_error(error)),
            None => Ok(None),
        }
    }

    /// For each segment (within the base segment; `None` for the base itself), in one cached
    /// bulk request. `None` for a count Matomo did not give (a segment it refuses, an answer of
    /// another shape, a year within a day of New Year): callers treat it as nobody known.
    pub(crate) async fn within(
        &self,
        segments: &[Option<Segment>],
    ) -> Result<Vec<Option<Known>>, ToolError> {
        let Some(answers) = self.answers(segments).await? else {
            return Ok(vec![None; segments.len()]);
        };
        Ok(answers
            .into_iter()
            .map(|answer| answer.ok().and_then(|value| known(&value)))
            .collect())
    }

    /// [`within`](Self::within) for a tool whose answer is made of these counts: an error from
    /// Matomo, or a count that is no number, is the tool's error rather than "nobody known"
    /// (which would show an empty answer as if nobody had come).
    pub(crate) async fn counts(
        &self,
        segments: &[Option<Segment>],
    ) -> Result<Vec<Option<Known>>, ToolError> {
        let Some(answers) = self.answers(segments).await? else {
            return Ok(vec![None; segments.len()]);
        };
        answers
            .into_iter()
            .map(|answer| {
                let value = answer.map_err(to_tool_error)?;
                strictly_known(&value).map(Some).ok_or_else(|| {
                    ToolError::upstream(
                        "Matomo's count of visits and visitors was not made of numbers",
                    )
                })
            })
            .collect()
    }

    /// Matomo's answer for each segment; `None` when the period's visitors cannot be counted.
    async fn answers(
        &self,
        segments: &[Option<Segment>],
    ) -> Result<Option<Vec<Result<Value, ClientError>>>, ToolError> {
        let Some((period, date)) = self.counting_periods() else {
            return Ok(None);
        };
        let sites = Sites::one(self.site)?;
        let calls = segments
            .iter()
            .map(|segment| {
                // Only the two counts: cheaper, and never the same request as a tool's own
                // `VisitsSummary.get` (whose cached answer must have been decoded first).
                let mut params = Params::new()
                    .sites(sites.clone())
                    .period(period)
                    .date(date)
                    .with("showColumns", "nb_uniq_visitors,nb_visits")?;
                let combined = match (self.base, segment) {
                    (Some(base), Some(s)) => Some(base.and(s)),
                    (Some(base), None) => Some(base.clone()),
                    (None, s) => s.clone(),
                };
                if let Some(segment) = combined {
                    params = params.segment(segment);
                }
                Ok((visits_summary::Get::METHOD, params))
            })
            .collect::<Result<Vec<_>, ToolError>>()?;
        let answers = self.client.call_many(&calls).await.map_err(to_tool_error)?;
        Ok(Some(answers))
    }

    /// The period and date to count distinct visitors over: the request's own where Matomo
    /// counts them, else the periods inside it (months of a year, days of a range). `None`
    /// when those cannot be told for certain.
    fn counting_periods(&self) -> Option<(Period, Date)> {
        match self.period {
            Period::Day | Period::Week | Period::Month => Some((self.period, self.date)),
            Period::Range => Some((Period::Day, self.date)),
            Period::Year => {
                let year = match self.date {
                    Date::Day(day) => day.year(),
                    Date::Today => utc_year(0)?,
                    Date::Yesterday => utc_year(1)?,
                    _ => return None,
                };
                let start = Day::new(year, 1, 1).ok()?;
                let end = Day::new(year, 12, 31).ok()?;
                Some((Period::Month, Date::range(start, RangeEnd::Day(end)).ok()?))
            }
        }
    }
}

/// The current year in UTC, `days_back` days ago; `None` within a day of New Year, when the
/// site's own time zone may already (or still) be in another year.
fn utc_year(days_back: i64) -> Option<u16> {
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let day = today.checked_sub(jiff::Span::new().days(days_back)).ok()?;
    let near_new_year =
        (day.month() == 12 && day.day() == 31) || (day.month() == 1 && day.day() == 1);
    (!near_new_year)
        .then(|| u16::try_from(day.year()).ok())
        .flatten()
}

/// The distinct visitors and visits of a `VisitsSummary.get` answer: one object, or one per
/// period (the largest count of visitors, the sum of visits), or `[]` for no data; `None` for
/// anything else.
fn known(value: &Value) -> Option<Known> {
    let one = |object: &serde_json::Map<String, Value>| Known {
        visitors: number(object.get("nb_uniq_visitors")),
        visits: number(object.get("nb_visits")),
    };
    match value {
        Value::Object(object) if object.contains_key("nb_visits") => Some(one(object)),
        Value::Object(periods) => {
            Some(periods.values().filter_map(Value::as_object).map(one).fold(
                Known::default(),
                |all, part| Known {
                    visitors: all.visitors.max(part.visitors),
                    visits: all.visits + part.visits,
                },
            ))
        }
        Value::Array(items) if items.is_empty() => Some(Known::default()),
        _ => None,
    }
}

/// [`known`], but only when every count present is a number (or a numeric string).
fn strictly_known(value: &Value) -> Option<Known> {
    let counts_are_numbers = |object: &serde_json::Map<String, Value>| {
        ["nb_uniq_visitors", "nb_visits"]
            .iter()
            .filter_map(|name| object.get(*name))
            .all(|v| v.as_u64().is_some() || v.as_str().is_some_and(|s| s.parse::<u64>().is_ok()))
    };
    let fine = match value {
        Value::Object(object) if object.contains_key("nb_visits") => counts_are_numbers(object),
        Value::Object(periods) => periods.values().all(|period| match period {
            Value::Object(object) => counts_are_numbers(object),
            Value::Array(items) => items.is_empty(),
            _ => false,
        }),
        _ => true,
    };
    fine.then(|| known(value)).flatten()
}

/// A count as Matomo sends it (a number or a numeric string); anything else is 0.
fn number(value: Option<&Value>) -> u64 {
    match value {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_period_or_the_largest_inside() {
        assert_eq!(
            known(&json!({"nb_uniq_visitors": 15, "nb_visits": "17"})),
            Some(Known {
                visitors: 15,
                visits: 17
            })
        );
        // A year's months: the most visitors of any month, every visit.
        let months = json!({"2026-01": {"nb_uniq_visitors": 4, "nb_visits": 9},
                            "2026-02": [],
                            "2026-03": {"nb_uniq_visitors": 7, "nb_visits": 8}});
        assert_eq!(
            known(&months),
            Some(Known {
                visitors: 7,
                visits: 17
            })
        );
        // A period without distinct counts proves nobody.
        assert_eq!(
            known(&json!({"nb_visits": 200})),
            Some(Known {
                visitors: 0,
                visits: 200
            })
        );
        assert_eq!(known(&json!([])), Some(Known::default()));
        // Anything else is no count at all, not a count of nobody.
        assert_eq!(known(&json!("error")), None);
        assert_eq!(known(&json!([1])), None);
    }

    #[test]
    fn strict_counts_refuse_what_is_no_number() {
        assert!(strictly_known(&json!({"nb_uniq_visitors": 15, "nb_visits": "17"})).is_some());
        assert!(strictly_known(&json!({"2026-01": {"nb_visits": 9}, "2026-02": []})).is_some());
        assert!(strictly_known(&json!({"nb_uniq_visitors": "abc", "nb_visits": 3})).is_none());
        assert!(strictly_known(&json!({"2026-01": {"nb_visits": [1]}})).is_none());
        assert!(strictly_known(&json!({"2026-01": "x"})).is_none());
        assert!(strictly_known(&json!("error")).is_none());
    }

    #[test]
    fn an_uncounted_population_withholds_the_answer() {
        let some = |visitors, visits| Some(Known { visitors, visits });
        assert!(Known::too_few(None, 5), "no count proves nobody");
        assert!(Known::too_few(some(4, 30), 5));
        assert!(!Known::too_few(some(5, 30), 5));
        assert!(
            !Known::too_few(some(0, 0), 5),
            "no visits: nobody to protect, nothing to show"
        );
    }
}
