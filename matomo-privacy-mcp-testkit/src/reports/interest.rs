//! Range reports: `VisitorInterest.*` (visits by length, pages, visit number and days since the
//! last visit) and `Goals.getVisitsUntilConversion` / `getDaysToConversion`.
//!
//! No fixture records these; they follow Matomo's sources. Matomo counts each range with its
//! own SQL `BETWEEN lo AND hi` (and `> lo` for the open one), so ranges whose bounds touch
//! overlap: a visit of exactly 60 s is in "31–60s" *and* "1-2 min". The labels are Matomo's
//! beautified ones ("0–10s" with an en dash, "1-2 min", "30+ min", "1 page", "6-7 pages", "1 visit",
//! "9-14 visits", "0 days", "1 day", "8-14 days", "365+ days"), every range is a row even
//! without visits, and rows keep the ranges' order unless a sort is asked for.
//!
//! `VisitorInterest` rows carry only `nb_visits` and the segment Matomo's
//! `AddSegmentByRangeLabel` builds (`visitDuration>=60;visitDuration<=120`, `actions==1`,
//! `visitCount>=201`); days since the last visit count returning visits only, with a first
//! "New visits" row (`visitorType==new`). The `Goals` rows carry only `nb_conversions` and no
//! segment.

use serde_json::Value;

use super::Ctx;
use crate::dataset::Visit;
use crate::query::errors::ApiError;
use crate::query::table::{Row, finish_in_order};

/// A range: `(lo, Some(hi))` is `lo..=hi`, `(lo, None)` is "more than `lo`".
type Range = (u64, Option<u64>);

/// Visit lengths in seconds (Matomo's `VisitorInterest` time gaps, minutes turned to seconds):
/// listed whole, as the minute ranges touch (see [`consecutive`] for the other gap lists).
const DURATIONS: &[Range] = &[
    (0, Some(10)),
    (11, Some(30)),
    (31, Some(60)),
    (60, Some(120)),
    (120, Some(240)),
    (240, Some(420)),
    (420, Some(600)),
    (600, Some(900)),
    (900, Some(1800)),
    (1800, None),
];

/// The ends of the actions per visit: 1, 2, 3, 4, 5, 6-7, 8-10, 11-14, 15-20, more than 20.
const PAGES: &[u64] = &[1, 2, 3, 4, 5, 7, 10, 14, 20];

/// The ends of the visit's number among the visitor's visits: 1 to 8, 9-14, 15-25, 26-50,
/// 51-100, 101-200, more than 200.
const VISIT_NUMBERS: &[u64] = &[1, 2, 3, 4, 5, 6, 7, 8, 14, 25, 50, 100, 200];

/// The ends of whole days (since the last visit; from the first visit to a conversion): 0 to 7,
/// 8-14, 15-30, 31-60, 61-120, 121-364, more than 364.
const DAYS: &[u64] = &[0, 1, 2, 3, 4, 5, 6, 7, 14, 30, 60, 120, 364];

/// The ends of the visits until a conversion (Matomo's goal visit-count ranges,
/// `$visitCountRanges` of the Goals plugin: like the visit numbers above up to 100, then
/// "101+").
const VISITS_TO_CONVERSION: &[u64] = &[1, 2, 3, 4, 5, 6, 7, 8, 14, 25, 50, 100];

/// The ranges of Matomo's gap lists that follow on from each other, given by their `ends`: the
/// first end is a range of its own, each next one runs from one past the end before it to its
/// own, and the last is "more than the last end". All but the visit lengths are of this kind.
fn consecutive(ends: &[u64]) -> Vec<Range> {
    let starts = ends
        .first()
        .copied()
        .into_iter()
        .chain(ends.iter().map(|e| e + 1));
    let mut ranges: Vec<Range> = starts.zip(ends).map(|(lo, &hi)| (lo, Some(hi))).collect();
    ranges.extend(ends.last().map(|&last| (last, None)));
    ranges
}

fn contains(range: Range, x: u64) -> bool {
    match range {
        (lo, Some(hi)) => lo <= x && x <= hi,
        (lo, None) => x > lo,
    }
}

/// Matomo's raw label of a range (`"0-10"`, `"1801+"`), as `AddSegmentByRangeLabel` reads it.
fn raw_label(range: Range) -> String {
    match range {
        (lo, Some(hi)) => format!("{lo}-{hi}"),
        (lo, None) => format!("{}+", lo + 1),
    }
}

/// `AddSegmentByRangeLabel`: `dim==lo` for a one-value range, `dim>=lo;dim<=hi`, `dim>=lo`.
fn range_segment(dim: &str, range: Range) -> String {
    match range {
        (lo, Some(hi)) if lo == hi => format!("{dim}=={lo}"),
        (lo, Some(hi)) => format!("{dim}>={lo};{dim}<={hi}"),
        (lo, None) => format!("{dim}>={}", lo + 1),
    }
}

/// `BeautifyRangeLabels` with a singular for exactly 1 and `"{} {plural}"` otherwise.
fn counted_label(range: Range, one: &str, plural: &str) -> String {
    match range {
        (1, Some(1)) => one.to_string(),
        (lo, Some(hi)) if lo == hi => format!("{lo} {plural}"),
        _ => format!("{} {plural}", raw_label(range)),
    }
}

/// `BeautifyTimeRangeLabels`: seconds below a minute, whole minutes above.
fn time_label(range: Range) -> String {
    match range {
        // An en dash, as Matomo 5.0.2 writes the seconds (`0–10s`, but `1-2 min`).
        (lo, Some(hi)) if hi <= 60 => format!("{lo}\u{2013}{hi}s"),
        (lo, Some(hi)) => format!("{}-{} min", lo / 60, hi / 60),
        (lo, None) => format!("{}+ min", lo / 60),
    }
}

/// One `nb_visits` row per range, the visits counted by `value` (`None`: not counted).
fn visit_ranges(
    ctx: &Ctx<'_>,
    ranges: &[Range],
    value: impl Fn(&Visit) -> Option<u64>,
    label: impl Fn(Range) -> String,
    dim: &str,
) -> Vec<Row> {
    ranges
        .iter()
        .map(|&range| {
            let visits = ctx
                .visits
                .iter()
                .filter(|v| value(v).is_some_and(|x| contains(range, x)))
                .count();
            let mut r = Row::new(label(range));
            r.set("nb_visits", visits);
            r.set("segment", range_segment(dim, range));
            r
        })
        .collect()
}

/// `VisitorInterest.getNumberOfVisitsPerVisitDuration`.
pub(crate) fn per_visit_duration(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let rows = visit_ranges(
        ctx,
        DURATIONS,
        |v| Some(v.duration),
        time_label,
        "visitDuration",
    );
    Ok(finish_in_order(rows, &ctx.filters))
}

/// `VisitorInterest.getNumberOfVisitsPerPage` (all actions of the visit, Matomo's
/// `visit_total_actions`).
pub(crate) fn per_page(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let rows = visit_ranges(
        ctx,
        &consecutive(PAGES),
        |v| Some(v.nb_actions()),
        |r| counted_label(r, "1 page", "pages"),
        "actions",
    );
    Ok(finish_in_order(rows, &ctx.filters))
}

/// `VisitorInterest.getNumberOfVisitsByVisitCount`.
pub(crate) fn by_visit_count(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let rows = visit_ranges(
        ctx,
        &consecutive(VISIT_NUMBERS),
        |v| Some(u64::from(v.visit_count)),
        |r| counted_label(r, "1 visit", "visits"),
        "visitCount",
    );
    Ok(finish_in_order(rows, &ctx.filters))
}

/// `VisitorInterest.getNumberOfVisitsByDaysSinceLast`: returning visits by days since the
/// previous one, after a row of the new visits.
pub(crate) fn by_days_since_last(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let mut new = Row::new("New visits");
    new.set(
        "nb_visits",
        ctx.visits.iter().filter(|v| !v.returning).count(),
    );
    new.set("segment", "visitorType==new");
    let mut rows = vec![new];
    rows.extend(visit_ranges(
        ctx,
        &consecutive(DAYS),
        // Matomo 5.0.2 counts `visitor_returning` 1 only: a returning customer's visit is in no row.
        |v| {
            (v.returning && !v.details.returning_customer)
                .then_some(u64::from(v.details.days_since_last))
        },
        |r| counted_label(r, "1 day", "days"),
        "daysSinceLastVisit",
    ));
    Ok(finish_in_order(rows, &ctx.filters))
}

/// Conversions of the request's `idGoal` (a goal id, `ecommerceOrder`; all when absent), each
/// with the visit it happened in.
fn conversions<'a>(ctx: &Ctx<'a>) -> Vec<&'a Visit> {
    let wanted = ctx.req.non_empty("idGoal");
    ctx.visits
        .iter()
        .flat_map(|&v| {
            v.conversions
                .iter()
                .filter(move |c| match (wanted, c.goal) {
                    // Without a goal (or goal 0, which PHP reads as none), Matomo's overview
                    // adds up the tables of the site's own goals only: orders are left out
                    // (`GeneralGoalsRecords::getOverviewFromGoalTables`, Matomo 5.0.2).
                    (None | Some("0"), goal) => goal.is_some(),
                    (Some("ecommerceOrder"), None) => true,
                    (Some(id), Some(goal)) => id == goal.to_string(),
                    _ => false,
                })
                .map(move |_| v)
        })
        .collect()
}

/// One `nb_conversions` row per range of `value` over the conversions.
fn conversion_ranges(
    ctx: &Ctx<'_>,
    ranges: &[Range],
    value: impl Fn(&Visit) -> u64,
    one: &str,
    plural: &str,
) -> Value {
    let converting = conversions(ctx);
    let rows = ranges
        .iter()
        .map(|&range| {
            let n = converting
                .iter()
                .filter(|v| contains(range, value(v)))
                .count();
            let mut r = Row::new(counted_label(range, one, plural));
            r.set("nb_conversions", n);
            r
        })
        .collect();
    finish_in_order(rows, &ctx.filters)
}

/// `Goals.getVisitsUntilConversion`: conversions by the visitor's visit number at the time.
pub(crate) fn visits_until_conversion(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    Ok(conversion_ranges(
        ctx,
        &consecutive(VISITS_TO_CONVERSION),
        |v| u64::from(v.visit_count),
        "1 visit",
        "visits",
    ))
}

/// `Goals.getDaysToConversion`: conversions by whole days since the visitor's first visit.
pub(crate) fn days_to_conversion(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    Ok(conversion_ranges(
        ctx,
        &consecutive(DAYS),
        |v| u64::from(v.details.days_since_first),
        "1 day",
        "days",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_segments_are_matomos() {
        assert_eq!(time_label((0, Some(10))), "0\u{2013}10s");
        assert_eq!(time_label((60, Some(120))), "1-2 min");
        assert_eq!(time_label((1800, None)), "30+ min");
        assert_eq!(counted_label((1, Some(1)), "1 page", "pages"), "1 page");
        assert_eq!(counted_label((2, Some(2)), "1 page", "pages"), "2 pages");
        assert_eq!(counted_label((6, Some(7)), "1 page", "pages"), "6-7 pages");
        assert_eq!(counted_label((20, None), "1 page", "pages"), "21+ pages");
        assert_eq!(counted_label((0, Some(0)), "1 day", "days"), "0 days");
        assert_eq!(range_segment("actions", (1, Some(1))), "actions==1");
        assert_eq!(
            range_segment("visitDuration", (60, Some(120))),
            "visitDuration>=60;visitDuration<=120"
        );
        assert_eq!(range_segment("visitCount", (200, None)), "visitCount>=201");
        // Touching bounds overlap, as Matomo's `BETWEEN` does.
        assert!(contains(DURATIONS[2], 60) && contains(DURATIONS[3], 60));
        assert!(!contains(DURATIONS[9], 1800) && contains(DURATIONS[9], 1801));
    }

    /// The visit-number and day ranges of the conversion reports touch nowhere: every value is
    /// in exactly one (the open last range starts above the one before it ends).
    #[test]
    fn conversion_ranges_split_every_value() {
        for ends in [VISITS_TO_CONVERSION, DAYS, VISIT_NUMBERS] {
            let ranges = consecutive(ends);
            let first = ranges[0].0;
            for x in first..1000 {
                let n = ranges.iter().filter(|r| contains(**r, x)).count();
                assert_eq!(n, 1, "{x} in {n} ranges of {ranges:?}");
            }
        }
        let labels: Vec<String> = consecutive(VISITS_TO_CONVERSION)
            .iter()
            .map(|r| counted_label(*r, "1 visit", "visits"))
            .collect();
        assert_eq!(labels[8], "9-14 visits");
        assert_eq!(labels[12], "101+ visits");
    }

    /// The gap lists given by their ends come out as Matomo's ranges.
    #[test]
    fn consecutive_ranges_follow_on_from_their_ends() {
        let pages: Vec<String> = consecutive(PAGES)
            .into_iter()
            .map(|r| counted_label(r, "1 page", "pages"))
            .collect();
        assert_eq!(
            pages,
            [
                "1 page",
                "2 pages",
                "3 pages",
                "4 pages",
                "5 pages",
                "6-7 pages",
                "8-10 pages",
                "11-14 pages",
                "15-20 pages",
                "21+ pages"
            ]
        );
        assert_eq!(consecutive(DAYS)[..2], [(0, Some(0)), (1, Some(1))]);
        assert_eq!(consecutive(DAYS)[12..], [(121, Some(364)), (364, None)]);
        assert!(consecutive(&[]).is_empty());
    }
}
