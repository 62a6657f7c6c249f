//! How many distinct visitors are known to be behind a site, period and segment: lower bounds
//! from Matomo's own counts, which the threshold relies on.
//!
//! Matomo counts distinct visitors (`nb_uniq_visitors` of `VisitsSummary.get`) for days, weeks
//! and months, with any segment. It does not for years and ranges (by default); for those the
//! bound is the largest of several lower bounds, each asked of Matomo in the same bulk request
//! as the visits and each proven at [`Bound`]:
//!
//! - the largest count of any period inside that Matomo counts: each month of a year; each
//!   day, and each whole week and whole month, of a range ([`Bound::Inside`]);
//! - the visits of the period that are their visitor's first in it, as far as Matomo can tell
//!   (`visitCount==1,daysSinceLastVisit>=N`, [`Bound::Firsts`]): at most one per visitor.
//!
//! Each is a lower bound, so their maximum is one too; none ever overstates.

use std::collections::BTreeMap;

use serde_json::Value;

mod busiest_day;
mod continents;
pub(crate) mod daily;
pub(crate) mod finer;
mod os_versions;
mod parts;
mod referrer_urls;
mod spans;

use super::args::{Request, to_tool_error};
use crate::ToolError;
use crate::client::{ClientError, MatomoClient};
use crate::models::{Report, visits_summary};
use crate::params::{Date, Day, Params, Period, RangeEnd, Sites, utc_today};
use crate::segment::{Condition, MAX_SEGMENT_LEN, Operator, Segment};
use spans::*;

/// Distinct visitors known behind some visits, and how many visits they made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Known {
    /// A lower bound on the distinct visitors.
    pub visitors: u64,
    /// The visits (exact).
    pub visits: u64,
}

impl Known {
    /// Whether an answer about these visits must be withheld as a whole: they are made by fewer
    /// than `k` distinct visitors, or Matomo did not count them (`None`), which proves nothing.
    pub fn too_few(whole: Option<Known>, k: u64) -> bool {
        whole.is_none_or(|whole| whole.visits > 0 && whole.visitors < k)
    }

    /// With the visitors raised to `at_least` when that bound is higher.
    fn at_least(self, visitors: u64) -> Known {
        Known {
            visitors: self.visitors.max(visitors),
            ..self
        }
    }
}

/// A further lower bound on the distinct visitors of a year or a range, asked of Matomo next to
/// the count of its visits (and ignored when Matomo does not answer it: it can only raise the
/// bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    /// The largest `nb_uniq_visitors` of the periods asked (one or several, a multi-period
    /// answer), every one of them wholly inside the request's period.
    ///
    /// Proof: every visit of a period inside is a visit of the request's period, so the
    /// visitors of each period inside are among the request's; the largest of those counts is
    /// at most their number.
    Inside,
    /// `nb_visits` of the request's own period over the visits that match
    /// `visitCount==1,daysSinceLastVisit>=days`, where `days` is more than the period's length
    /// in days.
    ///
    /// Proof that each visitor has at most one such visit in the period, so that their number
    /// is at most the period's distinct visitors (within any segment, which only takes visits
    /// away):
    ///
    /// 1. What Matomo stores (5.0, `plugins/VisitorInterest/Columns/`): `visitCount` is
    ///    `visitor_count_visits`, the previous visit's count plus one, or 1 for a visitor
    ///    without one (`CoreHome/Columns/VisitsCount.php`); `daysSinceLastVisit` is
    ///    `FLOOR(visitor_seconds_since_last / 86400)` (`VisitorDaysSinceLast.php`), so `>= N`
    ///    holds exactly when `visitor_seconds_since_last >= N × 86,400`; and
    ///    `visitor_seconds_since_last` is this visit's first request time minus the
    ///    *first action* time of the visitor's previous visit (`VisitorSecondsSinceLast.php`,
    ///    `visit_first_action_time`; NULL, matching nothing, for a visit tracked before it).
    /// 2. A visit belongs to the days of its *last* action (`LogAggregator`,
    ///    `visit_last_action_time`), and with Matomo's default `create_new_visit_after_midnight
    ///    = 1` (which its configuration says not to change where reports are archived) a visit
    ///    ends at midnight in the site's time zone: all of a visit's actions are on one day of
    ///    the site. So a visit of a range of `L` days of the site starts and ends inside those
    ///    days, which last at most `L × 86,400` seconds plus the clock changes among them
    ///    (daylight saving time: an hour, two at most anywhere), under `(L + 1) × 86,400`.
    ///    (A year is a period of `L = 365` or `366` such days.)
    /// 3. Suppose a visitor had two such visits `v1` before `v2` in the period. `v2` comes after
    ///    a visit of the same visitor, so its count is the previous one's plus one, at least 2,
    ///    and it matches by its days: its previous visit `p` (`v1` or one after it) started at
    ///    least `N × 86,400` seconds before `v2`. But `p` started no earlier than `v1`, inside
    ///    the period (2), and `v2` started inside it too, so less than `(L + 1) × 86,400 <=
    ///    N × 86,400` seconds apart: a contradiction. Hence `N = L + 1`; with `N = L` a range
    ///    crossing the end of daylight saving time (25 hours in one day) could count one
    ///    visitor twice.
    ///
    /// What it counts: the visitors whose first visit in the period is their first ever, or
    /// comes `N` days or more after their previous one; for a site of new visitors, nearly
    /// all. It assumes what the threshold assumes everywhere: one visitor is one visitor as
    /// Matomo tells them apart, and the previous visit Matomo measures from is theirs (as
    /// when visits are tracked in the order they happen, live or replayed from logs).
    Firsts {
        /// `N`: the period's length in days, at most, plus one.
        days: u32,
    },
}

impl Bound {
    /// The segment the bound's count is asked for, beyond the caller's (and the row's).
    fn segment(self) -> Option<Segment> {
        match self {
            Self::Inside => None,
            Self::Firsts { days } => Segment::all_of(vec![vec![
                Condition::new("visitCount", Operator::Equals, "1").ok()?,
                Condition::new("daysSinceLastVisit", Operator::AtLeast, days.to_string()).ok()?,
            ]])
            .ok(),
        }
    }

    /// The visitors Matomo's answer proves; 0 for an answer of another shape.
    fn visitors(self, answer: &Value) -> u64 {
        match self {
            Self::Inside => known(answer).map_or(0, |known| known.visitors),
            // One period asked, one object: its visits are as many distinct visitors. Over a
            // range or a year Matomo 5.0.2 counts no unique visitors, so the summary asked with
            // `showColumns=nb_uniq_visitors,nb_visits` is left with one column, which its
            // renderer sends bare, as `{"value": n}`: that is `nb_visits` (a summary without
            // `nb_visits` has no other column); and were it `nb_uniq_visitors`, the distinct
            // visitors among those visits are as well among the period's.
            Self::Firsts { .. } => match answer {
                Value::Object(object) if object.contains_key("nb_visits") => {
                    number(object.get("nb_visits"))
                }
                Value::Object(object) if object.len() == 1 => number(object.get("value")),
                _ => 0,
            },
        }
    }
}

/// How the visitors of the request's period are counted: the periods whose `VisitsSummary.get`
/// gives the visits (and a first bound), and the further bounds.
struct Plan {
    counted: (Period, Date),
    bounds: Vec<(Period, Date, Bound)>,
}

/// Matomo's answers for one segment: the count of the visits, and the most visitors the
/// further bounds prove (0 for none).
struct Counted {
    answer: Result<Value, ClientError>,
    at_least: u64,
    /// A segment's count of no visits from a Matomo that answers zeros for segments it has not
    /// archived (see [`Visitors::refuses_segments`]): nothing is known about its visitors.
    unarchived: bool,
}

impl Counted {
    /// What the count proves; `None` for an error, an answer of another shape or a segment
    /// Matomo did not archive.
    fn known(self) -> Option<Known> {
        let at_least = self.at_least;
        self.answer
            .ok()
            .filter(|_| !self.unarchived)
            .and_then(|value| known(&value))
            .map(|known| known.at_least(at_least))
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

    /// The same site and base segment on one day of the period. A day's segment is archived
    /// from that day's raw visits alone, where a month's is archived from all of its days', and
    /// the visitors of a segment on a day inside the period are among its visitors over the
    /// period (a visit belongs to the one day of its last action), so a day's count is a lower
    /// bound for the period at about a thirtieth of a month's cost.
    pub(crate) fn on_day(&self, day: Day) -> Visitors<'a> {
        Visitors {
            period: Period::Day,
            date: Date::Day(day),
            ..*self
        }
    }

    /// Each segment of `asked` counted on its day, within the base segment, in one bulk request
    /// a day ([`on_day`](Self::on_day): a day's count is a lower bound on the period's
    /// visitors of the segment), with its key `T`. A day Matomo does not answer, a segment it
    /// did not archive (answered with zeros) or a count it did not make is left out: the
    /// caller asks the period's segment instead.
    pub(super) async fn counted_on_days<T>(
        &self,
        asked: BTreeMap<Day, Vec<(T, Segment)>>,
    ) -> Vec<(T, Known)> {
        let mut found = Vec::new();
        for (day, those) in asked {
            let (keys, segments): (Vec<T>, Vec<Segment>) = those.into_iter().unzip();
            let segments: Vec<Option<Segment>> = segments.into_iter().map(Some).collect();
            let Ok(Some(answers)) = self.on_day(day).answers_marking_unarchived(&segments).await
            else {
                continue;
            };
            for (key, counted) in keys.into_iter().zip(answers) {
                if let Some(known) = counted.known() {
                    found.push((key, known));
                }
            }
        }
        found
    }

    /// The whole site, period and base segment; `None` when Matomo did not count it (a year
    /// within a day of New Year, an answer of another shape). An error from Matomo is the tool's
    /// error: the report it guards would fail the same way.
    pub(crate) async fn whole(&self) -> Result<Option<Known>, ToolError> {
        match self.answers(&[None]).await?.and_then(|mut all| all.pop()) {
            Some(Counted {
                answer: Ok(value),
                at_least,
                ..
            }) => Ok(known(&value).map(|known| known.at_least(at_least))),
            Some(Counted {
                answer: Err(error), ..
            }) => Err(to_tool_error(error)),
            None => Ok(None),
        }
    }

    /// For each segment (within the base segment; `None` for the base itself), in one cached
    /// bulk request. `None` for a count Matomo did not give (a segment it refuses or that is
    /// too long to send, an answer of another shape, a year within a day of New Year): callers
    /// treat it as nobody known.
    pub(crate) async fn within(
        &self,
        segments: &[Option<Segment>],
    ) -> Result<Vec<Option<Known>>, ToolError> {
        self.each_answer(segments, |counted| Ok(counted.known()))
            .await
    }

    /// [`within`](Self::within) for a tool whose answer is made of these counts: an error from
    /// Matomo, or a count that is no number, is the tool's error rather than "nobody known"
    /// (which would show an empty answer as if nobody had come).
    pub(crate) async fn counts(
        &self,
        segments: &[Option<Segment>],
    ) -> Result<Vec<Option<Known>>, ToolError> {
        self.each_answer(segments, |counted| {
            let value = counted.answer.map_err(to_tool_error)?;
            strictly_known(&value)
                .map(|known| Some(known.at_least(counted.at_least)))
                .ok_or_else(|| {
                    ToolError::upstream(
                        "Matomo's count of visits and visitors was not made of numbers",
                    )
                })
        })
        .await
    }

    /// `read` of each segment's answer, in one bulk request ([`answers`](Self::answers)); every
    /// count unknown when the period's visitors cannot be counted.
    async fn each_answer(
        &self,
        segments: &[Option<Segment>],
        read: impl FnMut(Counted) -> Result<Option<Known>, ToolError>,
    ) -> Result<Vec<Option<Known>>, ToolError> {
        let Some(answers) = self.answers(segments).await? else {
            return Ok(vec![None; segments.len()]);
        };
        answers.into_iter().map(read).collect()
    }

    /// Matomo's answers for each segment, in one bulk request; `None` when the period's visitors
    /// cannot be counted. A segment Matomo did not archive is the tool's error
    /// ([`SEGMENTS_NOT_ARCHIVED`]): read as nobody, it would withhold or hide what is there.
    async fn answers(
        &self,
        segments: &[Option<Segment>],
    ) -> Result<Option<Vec<Counted>>, ToolError> {
        let answers = self.answers_marking_unarchived(segments).await?;
        if answers.iter().flatten().any(|counted| counted.unarchived) {
            return Err(ToolError::upstream(SEGMENTS_NOT_ARCHIVED));
        }
        Ok(answers)
    }

    /// [`answers`](Self::answers), with a segment Matomo did not archive marked
    /// ([`Counted::unarchived`]) for the caller to handle rather than failing the whole count.
    async fn answers_marking_unarchived(
        &self,
        segments: &[Option<Segment>],
    ) -> Result<Option<Vec<Counted>>, ToolError> {
        let Some(plan) = self.plan() else {
            return Ok(None);
        };
        let sites = Sites::one(self.site)?;
        let mut calls = Vec::new();
        // Whether each call has a segment: a segment Matomo has not archived may be answered
        // with zeros (see `refuses_segments`).
        let mut segmented = Vec::new();
        // Per segment, where its count and each bound's are among the calls (`None`: not sent).
        let mut asked: Vec<(Option<usize>, Vec<Option<usize>>)> =
            Vec::with_capacity(segments.len());
        let mut ask = |period: Period, date: Date, segment: Option<Segment>| {
            // Matomo cuts a longer segment short without a word, and a cut segment selects
            // other (more) visits: such a count is not asked at all.
            if segment
                .as_ref()
                .is_some_and(|segment| segment.to_string().len() > MAX_SEGMENT_LEN)
            {
                return Ok(None);
            }
            // Only the two counts: cheaper, and never the same request as a tool's own
            // `VisitsSummary.get` (whose cached answer must have been decoded first).
            let mut params = Params::new()
                .sites(sites.clone())
                .period(period)
                .date(date)
                .with("showColumns", "nb_uniq_visitors,nb_visits")?;
            segmented.push(segment.is_some());
            if let Some(segment) = segment {
                params = params.segment(segment);
            }
            calls.push((visits_summary::Get::METHOD, params));
            Ok::<_, ToolError>(Some(calls.len() - 1))
        };
        for segment in segments {
            let combined = match (self.base, segment) {
                (Some(base), Some(s)) => Some(base.and(s)),
                (Some(base), None) => Some(base.clone()),
                (None, s) => s.clone(),
            };
            let (period, date) = plan.counted;
            let counted = ask(period, date, combined.clone())?;
            let mut bounds = Vec::with_capacity(plan.bounds.len());
            for &(period, date, bound) in &plan.bounds {
                let segment = match (bound.segment(), &combined) {
                    (Some(more), Some(combined)) => Some(combined.and(&more)),
                    (Some(more), None) => Some(more),
                    (None, combined) => combined.clone(),
                };
                bounds.push(ask(period, date, segment)?);
            }
            asked.push((counted, bounds));
        }
        let mut answers: Vec<Option<Result<Value, ClientError>>> = self
            .client
            .call_many(&calls)
            .await
            .map_err(to_tool_error)?
            .into_iter()
            .map(Some)
            .collect();
        let zeros: Vec<bool> = answers
            .iter()
            .zip(&segmented)
            .map(|(answer, &segmented)| {
                segmented
                    && matches!(answer, Some(Ok(value)) if known(value).is_some_and(|k| k.visits == 0))
            })
            .collect();
        // Only a zero is in doubt: a segment Matomo counted visits for was archived.
        let refused = zeros.contains(&true) && self.refuses_segments(plan.counted).await?;
        let unarchived =
            |i: Option<usize>| refused && i.is_some_and(|i| zeros.get(i).copied().unwrap_or(false));
        let unarchived: Vec<bool> = asked
            .iter()
            .map(|(counted, bounds)| {
                unarchived(*counted) || bounds.iter().any(|&bound| unarchived(bound))
            })
            .collect();
        let mut take = |i: Option<usize>| i.and_then(|i| answers.get_mut(i)).and_then(Option::take);
        Ok(Some(
            asked
                .into_iter()
                .zip(unarchived)
                .map(|((counted, bounds), unarchived)| {
                    let answer = take(counted).unwrap_or_else(|| {
                        Err(ClientError::invalid_parameter(
                            "segment",
                            format!("longer than the {MAX_SEGMENT_LEN} bytes Matomo reads"),
                        ))
                    });
                    let at_least = plan
                        .bounds
                        .iter()
                        .zip(bounds)
                        .filter_map(|(&(_, _, bound), i)| match take(i)? {
                            Ok(value) => Some(bound.visitors(&value)),
                            // A bound Matomo did not give proves nothing more.
                            Err(_) => None,
                        })
                        .max()
                        .unwrap_or(0);
                    Counted {
                        answer,
                        at_least,
                        unarchived,
                    }
                })
                .collect(),
        ))
    }

    /// Whether Matomo answers zeros for segments it has not archived, rather than archiving
    /// them: asked only after a segment was counted as no visits. With
    /// `browser_archiving_disabled_enforce = 1` (common where cron archives the reports) Matomo
    /// answers a segment nobody pre-processed with zeros, which every proof here would read as
    /// nobody (rows suppressed, answers withheld as about too few people, a zero shown as a
    /// count). A segment selecting every visit ([`probe_segment`]) that counts none while the
    /// period has visits tells the two apart; with archiving on request it costs one segment
    /// archive per period and process, once.
    async fn refuses_segments(&self, (period, date): (Period, Date)) -> Result<bool, ToolError> {
        let sites = Sites::one(self.site)?;
        let params = Params::new()
            .sites(sites)
            .period(period)
            .date(date)
            .with("showColumns", "nb_uniq_visitors,nb_visits")?;
        let every_visit = Segment::parse(probe_segment())
            .map_err(|e| ToolError::internal(format!("the probe segment: {e}")))?;
        let calls = [
            (visits_summary::Get::METHOD, params.clone()),
            (visits_summary::Get::METHOD, params.segment(every_visit)),
        ];
        let answers = self.client.call_many(&calls).await.map_err(to_tool_error)?;
        let visits = |i: usize| match answers.get(i) {
            Some(Ok(value)) => known(value).map(|k| k.visits),
            _ => None,
        };
        Ok(matches!((visits(0), visits(1)), (Some(all), Some(0)) if all > 0))
    }

    /// How to count the request's period: its own where Matomo counts distinct visitors, else
    /// the periods inside it (months of a year, days of a range) and the further bounds. `None`
    /// when the periods inside cannot be told for certain.
    fn plan(&self) -> Option<Plan> {
        let own = |days: u32| (self.period, self.date, Bound::Firsts { days });
        match self.period {
            Period::Day | Period::Week | Period::Month => Some(Plan {
                counted: (self.period, self.date),
                bounds: Vec::new(),
            }),
            Period::Range => {
                // A range whose days cannot be told (a start after today) is counted by its
                // days alone.
                let mut bounds = Vec::new();
                if let Some(span) = span(self.date, utc_today()) {
                    bounds.push(own(span.days.saturating_add(1)));
                    if let Some((first, last)) = span.inside {
                        bounds.extend(inside(first, last));
                    }
                }
                Some(Plan {
                    counted: (Period::Day, self.date),
                    bounds,
                })
            }
            Period::Year => {
                let year = match self.date {
                    Date::Day(day) => day.year(),
                    Date::Today => utc_year(0)?,
                    Date::Yesterday => utc_year(1)?,
                    _ => return None,
                };
                let start = Day::new(year, 1, 1).ok()?;
                let end = Day::new(year, 12, 31).ok()?;
                let days = if Day::new(year, 2, 29).is_ok() {
                    366
                } else {
                    365
                };
                Some(Plan {
                    counted: (Period::Month, Date::range(start, RangeEnd::Day(end)).ok()?),
                    bounds: vec![own(days + 1)],
                })
            }
        }
    }
}

/// A segment selecting every visit that no Matomo can have archived before this process:
/// `visitCount>=0;visitorId!=<16 hex drawn at start>` (a visitor id is 16 hex characters, and
/// one of them excluded is, in practice, nobody). Fixed for the process, so that Matomo archives
/// it once per period when it archives on request; new in each process, so that an archive left
/// from a time Matomo did archive on request cannot hide that it no longer does.
fn probe_segment() -> &'static str {
    use std::hash::{BuildHasher, Hasher};
    static PROBE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PROBE.get_or_init(|| {
        // The standard library's per-process random keys: no dependency for one number.
        let drawn = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        format!("visitCount>=0;visitorId!={drawn:016x}")
    })
}

/// What the operator reads when Matomo does not archive segments on request.
pub(crate) const SEGMENTS_NOT_ARCHIVED: &str = "Matomo answered no visits for a segment of a \
period that has visits: it does not archive segments on request (browser_archiving_disabled_enforce \
= 1, or browser-triggered archiving off, in Matomo's config/config.ini.php), and every number this \
server shows is proven by counting a segment. Ask Matomo's administrator to set \
browser_archiving_disabled_enforce = 0 under [General] (browser-triggered archiving stays off for \
plain reports), so that Matomo archives segments when asked";

/// The distinct visitors and visits of a `VisitsSummary.get` answer: one object, or one per
/// period (the largest count of visitors, the sum of visits), or `[]` for no data; `None` for
/// anything else.
///
/// A period where Matomo counts no distinct visitors (a range, a year, or any period where its
/// operator turned the counting off) leaves `nb_visits` alone, which Matomo 5.0.2 renders bare:
/// `{"value": n}`, or `n` in a map of periods. Those are visits, and no visitor is proven.
fn known(value: &Value) -> Option<Known> {
    let one = |object: &serde_json::Map<String, Value>| Known {
        visitors: number(object.get("nb_uniq_visitors")),
        visits: number(object.get("nb_visits")),
    };
    let visits_alone = |visits: &Value| Known {
        visitors: 0,
        visits: number(Some(visits)),
    };
    match value {
        Value::Object(object) if object.contains_key("nb_visits") => Some(one(object)),
        Value::Object(object) if object.len() == 1 && object.contains_key("value") => {
            object.get("value").map(visits_alone)
        }
        Value::Object(periods) => Some(
            periods
                .values()
                .filter_map(|period| match period {
                    Value::Object(object) => Some(one(object)),
                    Value::Number(_) | Value::String(_) => Some(visits_alone(period)),
                    _ => None,
                })
                .fold(Known::default(), |all, part| Known {
                    visitors: all.visitors.max(part.visitors),
                    visits: all.visits + part.visits,
                }),
        ),
        Value::Array(items) if items.is_empty() => Some(Known::default()),
        _ => None,
    }
}

/// [`known`], but only when every count present is a number (or a numeric string).
fn strictly_known(value: &Value) -> Option<Known> {
    let is_count =
        |v: &Value| v.as_u64().is_some() || v.as_str().is_some_and(|s| s.parse::<u64>().is_ok());
    let counts_are_numbers = |object: &serde_json::Map<String, Value>| {
        ["nb_uniq_visitors", "nb_visits"]
            .iter()
            .filter_map(|name| object.get(*name))
            .all(&is_count)
    };
    let fine = match value {
        Value::Object(object) if object.contains_key("nb_visits") => counts_are_numbers(object),
        // `{"value": n}`, or bare counts in a map of periods: `nb_visits` alone (see `known`).
        Value::Object(periods) => periods.values().all(|period| match period {
            Value::Object(object) => counts_are_numbers(object),
            Value::Array(items) => items.is_empty(),
            other => is_count(other),
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
mod tests;
