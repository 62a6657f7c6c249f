//! Visits to conversion: converting visits by the visitor's visit number, or by the days since
//! their first visit, in Matomo's ranges ("1 visit", …, "9-14 visits", "101+ visits"; "0 days",
//! …, "365+ days").
//!
//! Matomo's own `Goals.getVisitsUntilConversion` and `Goals.getDaysToConversion` count
//! *conversions* per range, without a segment per row and without distinct visitors: no row of
//! theirs can be proven to describe `k` people, so the `report` tool refuses them. This tool
//! answers the same question with numbers the SDK can prove: for each range it asks Matomo for
//! the visits and distinct visitors of the segment `caller's segment; converted; range`
//! (`visitCount>=9;visitCount<=14;visitConverted==1`), all in one cached bulk request.
//!
//! The rows are converting *visits*, not conversions: a visit converting two goals counts once.
//! They split those visits: every converting visit has one visit number (one count of days), the
//! ranges do not overlap and leave no gap, so each converting visit is in exactly one row. That
//! is what lets the suppressed rows together be counted by Matomo (the converting visits in none
//! of the shown ranges) and shown as one "Other" row when `k` visitors are behind them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dp::Spread;
use crate::dp::answer::Noisy;
use crate::minimise::{Metrics, ReportRow, VisitorCount};
use crate::params::Period;
use crate::privacy::PrivacyClass;
use crate::reporting::Deployment;
use crate::reporting::args::{MAX_LIMIT, PeriodArgs, ReportArgs};
use crate::reporting::noisy::bounded_segment;
use crate::reporting::pipeline::{Labels, Pipeline, ReportOutput};
use crate::reporting::summary::Population;
use crate::reporting::visitors::{Known, Visitors};
use crate::segment::Segment;
use crate::{Classified, ToolError};

/// What the converting visits are grouped by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversionBy {
    /// The visit's number among the visitor's visits (Matomo's `visitCount`): "how many visits
    /// until people convert?".
    #[default]
    VisitNumber,
    /// Whole days since the visitor's first visit (Matomo's `daysSinceFirstVisit`): "how long
    /// after their first visit do people convert?".
    DaysSinceFirstVisit,
}

/// A range of values: `lo..=hi`, or `lo` and above when `hi` is `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Range {
    lo: u32,
    hi: Option<u32>,
}

const fn one(n: u32) -> Range {
    Range { lo: n, hi: Some(n) }
}

const fn span(lo: u32, hi: u32) -> Range {
    Range { lo, hi: Some(hi) }
}

const fn from(lo: u32) -> Range {
    Range { lo, hi: None }
}

/// Matomo's visits-to-conversion ranges (`GeneralGoalsRecords::$visitCountRanges`), with its
/// last one, "more than 100", written as 101 and above.
#[rustfmt::skip] // laid out as Matomo's own array: the single values, then the spans
const VISIT_NUMBERS: &[Range] = &[
    one(1), one(2), one(3), one(4), one(5), one(6), one(7), one(8),
    span(9, 14), span(15, 25), span(26, 50), span(51, 100), from(101),
];

/// Matomo's days-to-conversion ranges (`GeneralGoalsRecords::$daysToConvRanges`), with its last
/// one, "more than 364", written as 365 and above.
#[rustfmt::skip] // as VISIT_NUMBERS
const DAYS: &[Range] = &[
    one(0), one(1), one(2), one(3), one(4), one(5), one(6), one(7),
    span(8, 14), span(15, 30), span(31, 60), span(61, 120), span(121, 364), from(365),
];

impl ConversionBy {
    /// Its name in arguments and answers: `visit_number` or `days_since_first_visit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VisitNumber => "visit_number",
            Self::DaysSinceFirstVisit => "days_since_first_visit",
        }
    }

    fn dimension(self) -> &'static str {
        match self {
            Self::VisitNumber => "visitCount",
            Self::DaysSinceFirstVisit => "daysSinceFirstVisit",
        }
    }

    /// The ranges, in order: each starts one above where the one before ends, so that every
    /// value from the first's start up is in exactly one (checked by a test).
    fn ranges(self) -> &'static [Range] {
        match self {
            Self::VisitNumber => VISIT_NUMBERS,
            Self::DaysSinceFirstVisit => DAYS,
        }
    }

    /// Matomo's label of a range ("1 visit", "2 visits", "9-14 visits", "101+ visits"; "0 days",
    /// "1 day", "8-14 days", "365+ days").
    fn label(self, range: Range) -> String {
        let (one, many) = match self {
            Self::VisitNumber => ("visit", "visits"),
            Self::DaysSinceFirstVisit => ("day", "days"),
        };
        match range {
            Range { lo: 1, hi: Some(1) } => format!("1 {one}"),
            Range { lo, hi: Some(hi) } if lo == hi => format!("{lo} {many}"),
            Range { lo, hi: Some(hi) } => format!("{lo}-{hi} {many}"),
            Range { lo, hi: None } => format!("{lo}+ {many}"),
        }
    }

    /// The segment of a range's visits.
    ///
    /// A visit number is a whole number, so `visitCount>=9;visitCount<=14`. Days are not: Matomo
    /// reads `daysSinceFirstVisit` as seconds since the first visit, the value times 86400, so
    /// `daysSinceFirstVisit==3` would select the visits exactly 259200 s after the first one.
    /// Each range of days is therefore half-open, `>=lo;<hi+1`: whole days `lo` to `hi`, the
    /// same days Matomo's own report counts (the seconds divided by 86400, rounded down).
    fn segment(self, range: Range) -> String {
        let dim = self.dimension();
        match (self, range) {
            (Self::VisitNumber, Range { lo, hi: Some(hi) }) if lo == hi => format!("{dim}=={lo}"),
            (Self::VisitNumber, Range { lo, hi: Some(hi) }) => format!("{dim}>={lo};{dim}<={hi}"),
            (Self::DaysSinceFirstVisit, Range { lo, hi: Some(hi) }) => {
                format!("{dim}>={lo};{dim}<{}", u64::from(hi) + 1)
            }
            (_, Range { lo, hi: None }) => format!("{dim}>={lo}"),
        }
    }

    /// The visits in none of `range`'s values, as one OR-group (`visitCount<9,visitCount>14`),
    /// so that the complements of several ranges AND together into one segment.
    fn outside(self, range: Range) -> String {
        let dim = self.dimension();
        match (self, range) {
            (Self::VisitNumber, Range { lo, hi: Some(hi) }) => format!("{dim}<{lo},{dim}>{hi}"),
            (Self::DaysSinceFirstVisit, Range { lo, hi: Some(hi) }) => {
                format!("{dim}<{lo},{dim}>={}", u64::from(hi) + 1)
            }
            (_, Range { lo, hi: None }) => format!("{dim}<{lo}"),
        }
    }

    /// The visits some range covers: from the first range's start up. It leaves out what no
    /// range counts (a visit whose days since the first visit Matomo does not know), so that
    /// within it the ranges split the visits exactly.
    fn covered(self) -> String {
        let lo = self.ranges().first().map_or(0, |range| range.lo);
        format!("{}>={lo}", self.dimension())
    }
}

/// Parses a segment the SDK wrote itself.
fn own_segment(text: &str) -> Result<Segment, ToolError> {
    Segment::parse(text).map_err(|e| ToolError::internal(format!("the segment `{text}`: {e}")))
}

/// The arguments of [`Deployment::visits_to_conversion`] (and of the `visits_to_conversion` tool).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitsToConversionArgs {
    /// The site, period and segment.
    #[serde(flatten)]
    pub scope: PeriodArgs,
    /// One goal's id (from Matomo's goal list): the visits that converted it. Without it, the
    /// visits that converted any goal or placed an order.
    #[serde(default)]
    pub goal: Option<u32>,
    /// `visit_number` (default): by the visit's number among the visitor's visits;
    /// `days_since_first_visit`: by whole days since the visitor's first visit.
    #[serde(default)]
    pub by: Option<ConversionBy>,
}

crate::with_period_args!(VisitsToConversionArgs);

/// Converting visits by range of visit number or of days since the first visit.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct VisitsToConversion {
    /// What the rows are ranges of: `visit_number` or `days_since_first_visit`.
    #[privacy(aggregate)]
    pub by: String,
    /// The goal whose converting visits are counted; absent for any goal or order.
    #[privacy(aggregate)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<u32>,
    /// One row per range with converting visits, in the ranges' order (then "Other"): `nb_visits`
    /// is the range's converting visits (not conversions: a visit converting two goals counts
    /// once), `nb_uniq_visitors` their distinct visitors (days, weeks and months only). Every
    /// converting visit is in exactly one range.
    pub ranges: ReportOutput,
}

impl Deployment {
    /// Converting visits by the visit's number among the visitor's visits ("1 visit", …,
    /// "9-14 visits", "101+ visits"), or by whole days since the visitor's first visit ("0
    /// days", …, "365+ days"), for one site and period, over all goals and orders or one goal.
    ///
    /// Each range's visits and distinct visitors are counted by Matomo from a segment (the
    /// caller's, converting, in the range), in one cached bulk request: every converting visit is
    /// in exactly one range, so a range is shown with `threshold_k` distinct visitors and the rest
    /// together as "Other" where Matomo proves `threshold_k` behind them.
    ///
    /// # Errors
    ///
    /// The site not served, the segment refused, Matomo unreachable, the privacy budget spent.
    pub async fn visits_to_conversion(
        &self,
        args: &VisitsToConversionArgs,
    ) -> Result<VisitsToConversion, ToolError> {
        visits_to_conversion(self, args.clone()).await
    }
}

async fn visits_to_conversion(
    deployment: &Deployment,
    args: VisitsToConversionArgs,
) -> Result<VisitsToConversion, ToolError> {
    let by = args.by.unwrap_or_default();
    let population = match args.goal {
        Some(id) => Population::ConvertedGoal(id),
        None => Population::Converted,
    };
    // Every range is one row of the answer: all of them on one page.
    let report_args = ReportArgs {
        scope: args.scope,
        limit: Some(MAX_LIMIT),
        offset: None,
        all_metrics: None,
    };
    let (request, segment) = report_args
        .checked(deployment, PrivacyClass::Aggregate)
        .await?;
    let segment = bounded_segment(deployment, segment, Spread::OneRowPerVisit)?;
    let converted = population
        .segment()
        .ok_or_else(|| ToolError::internal("the converting visits' segment did not parse"))?;
    let counted = converted.and(&own_segment(&by.covered())?);
    // The converting visits some range covers, within the caller's segment (and the bounds):
    // the population every count below is within.
    let base = match segment {
        Some(segment) => segment.and(&counted),
        None => counted,
    };
    let ranges = by.ranges();
    let visitors = Visitors::new(&deployment.client, &request, Some(&base));
    let mut asked = vec![None];
    for range in ranges {
        asked.push(Some(own_segment(&by.segment(*range))?));
    }
    // The counts are the answer: Matomo's errors and wrong types are the tool's errors.
    let known = visitors.counts(&asked).await?;
    let (whole, per_range) = known.split_first().unwrap_or((&None, &[]));
    let whole = *whole;
    let pipeline = Pipeline {
        scrubber: &deployment.scrubber,
        threshold: deployment.threshold,
        request: &request,
        labels: Labels::Text,
        noise: Noisy::for_answer(
            deployment,
            "visits_to_conversion",
            &request,
            Some(&base),
            Spread::OneRowPerVisit,
        ),
        scope: None,
    };
    let k = deployment.threshold.k();
    // As in every report: with noise, no converting visits at all is withheld like a few.
    let empty = pipeline.noise.is_some() && whole.is_some_and(|whole| whole.visits == 0);
    let output = if empty || Known::too_few(whole, k) {
        pipeline.withheld().await?
    } else {
        let whole = whole.unwrap_or_default();
        let rows = range_rows(deployment, by, request.period, per_range);
        let other = other_visitors(&visitors, by, whole, &rows, per_range, k).await?;
        let mut output = pipeline.finish(rows, other, 0, false).await?;
        in_range_order(by, &mut output);
        output
    };
    Ok(VisitsToConversion {
        by: by.as_str().to_owned(),
        goal: args.goal,
        ranges: output,
    })
}

/// One row per range: its converting visits, and its distinct visitors (shown where Matomo
/// counts them for the period itself: days, weeks and months; for years and ranges of days they
/// are a lower bound, used for the threshold only).
fn range_rows(
    deployment: &Deployment,
    by: ConversionBy,
    period: Period,
    known: &[Option<Known>],
) -> Vec<ReportRow> {
    let exact = matches!(period, Period::Day | Period::Week | Period::Month);
    by.ranges()
        .iter()
        .zip(known)
        .map(|(range, known)| {
            // A count Matomo did not give proves nobody: the row describes no one it can show.
            let known = known.unwrap_or_default();
            #[allow(clippy::cast_precision_loss)]
            let mut metrics = Metrics::new().with("nb_visits", known.visits as f64);
            if exact {
                #[allow(clippy::cast_precision_loss)]
                metrics.set("nb_uniq_visitors", known.visitors as f64);
            }
            ReportRow::new(deployment.scrubber.text(&by.label(*range)), metrics)
                .with_visitors(VisitorCount::from_matomo(known.visitors))
        })
        .collect()
}

/// The distinct visitors behind the rows below `k` together, when some row with visits is.
///
/// Proof: within the base segment (the caller's, converting, covered by the ranges) every visit
/// is in exactly one range, so a visit is in a suppressed row exactly when it is in the base and
/// in none of the passing ranges; ANDing the complement of each passing range (one OR-group
/// each) selects exactly those visits, and Matomo counts their visitors. With no passing range,
/// they are the base's own visitors.
async fn other_visitors(
    visitors: &Visitors<'_>,
    by: ConversionBy,
    whole: Known,
    rows: &[ReportRow],
    known: &[Option<Known>],
    k: u64,
) -> Result<Option<u64>, ToolError> {
    let passes = |row: &ReportRow| row.visitors() >= k;
    if !rows.iter().any(|row| !passes(row) && row.visits() > 0) {
        return Ok(None);
    }
    // A range Matomo did not count cannot be told apart from the others: nothing is proven.
    if known.iter().any(Option::is_none) {
        return Ok(None);
    }
    let mut exclusion: Option<Segment> = None;
    for (range, _) in by.ranges().iter().zip(rows).filter(|(_, row)| passes(row)) {
        let outside = own_segment(&by.outside(*range))?;
        exclusion = Some(match exclusion {
            Some(so_far) => so_far.and(&outside),
            None => outside,
        });
    }
    let Some(exclusion) = exclusion else {
        return Ok(Some(whole.visitors));
    };
    let known = visitors.within(&[Some(exclusion)]).await?;
    Ok(known.first().copied().flatten().map(|known| known.visitors))
}

/// Puts the shown rows in the ranges' order (a histogram reads in order), "Other" last.
fn in_range_order(by: ConversionBy, output: &mut ReportOutput) {
    let labels: Vec<String> = by.ranges().iter().map(|range| by.label(*range)).collect();
    output.rows.sort_by_key(|row| {
        labels
            .iter()
            .position(|label| label == row.label.as_str())
            .unwrap_or(labels.len())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each range starts one above the end of the one before, and only the last is open: every
    /// value from the first start up is in exactly one range, so the rows split the visits.
    #[test]
    fn the_ranges_touch_nowhere_and_leave_no_gap() {
        for by in [ConversionBy::VisitNumber, ConversionBy::DaysSinceFirstVisit] {
            let ranges = by.ranges();
            for pair in ranges.windows(2) {
                let end = pair[0]
                    .hi
                    .unwrap_or_else(|| panic!("{by:?}: open before the end"));
                assert_eq!(pair[1].lo, end + 1, "{by:?}: {pair:?}");
            }
            assert!(ranges.iter().all(|r| r.hi.is_none_or(|hi| hi >= r.lo)));
            assert!(ranges.last().is_some_and(|r| r.hi.is_none()), "{by:?}");
        }
    }

    #[test]
    fn labels_and_segments_are_matomos() {
        let visits = ConversionBy::VisitNumber;
        let days = ConversionBy::DaysSinceFirstVisit;
        let labels: Vec<String> = visits.ranges().iter().map(|r| visits.label(*r)).collect();
        assert_eq!(labels[..3], ["1 visit", "2 visits", "3 visits"]);
        assert_eq!(
            labels[8..],
            [
                "9-14 visits",
                "15-25 visits",
                "26-50 visits",
                "51-100 visits",
                "101+ visits"
            ]
        );
        let labels: Vec<String> = days.ranges().iter().map(|r| days.label(*r)).collect();
        assert_eq!(labels[..2], ["0 days", "1 day"]);
        assert_eq!(labels[12..], ["121-364 days", "365+ days"]);
        assert_eq!(visits.segment(one(3)), "visitCount==3");
        assert_eq!(visits.segment(span(9, 14)), "visitCount>=9;visitCount<=14");
        assert_eq!(visits.segment(from(101)), "visitCount>=101");
        assert_eq!(visits.outside(span(9, 14)), "visitCount<9,visitCount>14");
        assert_eq!(
            days.segment(one(0)),
            "daysSinceFirstVisit>=0;daysSinceFirstVisit<1"
        );
        assert_eq!(
            days.segment(span(8, 14)),
            "daysSinceFirstVisit>=8;daysSinceFirstVisit<15"
        );
        assert_eq!(
            days.outside(span(8, 14)),
            "daysSinceFirstVisit<8,daysSinceFirstVisit>=15"
        );
        assert_eq!(days.outside(from(365)), "daysSinceFirstVisit<365");
        assert_eq!(visits.covered(), "visitCount>=1");
        assert_eq!(days.covered(), "daysSinceFirstVisit>=0");
        for by in [visits, days] {
            for range in by.ranges() {
                for text in [by.segment(*range), by.outside(*range)] {
                    assert!(own_segment(&text).is_ok(), "{text}");
                }
            }
        }
    }

    /// A range's segment and its complement agree with the range on every value near its bounds.
    #[test]
    fn a_segment_and_its_complement_split_the_values() {
        let holds = |segment: &str, x: u32| {
            segment.split(';').all(|group| {
                group.split(',').any(|c| {
                    let (op, value) = ["==", ">=", "<=", "<", ">"]
                        .iter()
                        .find_map(|op| c.split_once(op).map(|(_, v)| (*op, v)))
                        .unwrap();
                    let v: u32 = value.parse().unwrap();
                    match op {
                        "==" => x == v,
                        ">=" => x >= v,
                        "<=" => x <= v,
                        "<" => x < v,
                        _ => x > v,
                    }
                })
            })
        };
        for by in [ConversionBy::VisitNumber, ConversionBy::DaysSinceFirstVisit] {
            for x in 0..400 {
                let inside: Vec<bool> = by
                    .ranges()
                    .iter()
                    .map(|range| holds(&by.segment(*range), x))
                    .collect();
                for (range, inside) in by.ranges().iter().zip(&inside) {
                    assert_ne!(
                        *inside,
                        holds(&by.outside(*range), x),
                        "{by:?} {range:?} {x}"
                    );
                }
                let covered = holds(&by.covered(), x);
                assert_eq!(
                    inside.iter().filter(|i| **i).count(),
                    usize::from(covered),
                    "{by:?} {x}"
                );
            }
        }
    }
}
