//! The periods Matomo 5.0.2 builds a `period=range` from, given its "today".
//!
//! Matomo answers a range by adding up archives of days, weeks, months and years
//! (`core/Period/Range.php`, `processOptimalSubperiods` and `isEndOfWeekLaterThanEndDate`); the
//! API gives it the site's today at midnight (`core/Period/Factory.php`,
//! `makePeriodFromQueryParams`). For a range that ended before today the parts lie within the
//! range. A range that reaches today may take periods that are not over yet whole: the month or
//! year it starts on the first day of, the week its last part starts on the Monday of, and the
//! week it starts in the middle of when that week has not ended before today, **the days of that
//! week before the range's start included** (`2026-12-02,2026-12-06` on Sunday 6 December is the
//! week from Monday 30 November; its numbers count the visits of 30 November and 1 December).

use super::period::{Kind, Period};
use crate::calendar::Day;

/// A period of `kind` from `start` to `end` (not a range: no parts).
pub(crate) fn span(kind: Kind, start: Day, end: Day) -> Period {
    Period {
        kind,
        start,
        end,
        parts: Vec::new(),
    }
}

/// Each day of `start..=end`.
pub(crate) fn days(start: Day, end: Day) -> Vec<Period> {
    (0..=end.0 - start.0)
        .map(|i| span(Kind::Day, start.plus(i), start.plus(i)))
        .collect()
}

/// Whether a period starting on the range's current first day and ending on `period_end` is
/// taken whole: it lies within the range, or the range reaches today and the period is not over
/// yet (it ends after today).
fn whole(period_end: Day, last: Day, today: Day) -> bool {
    period_end <= last || (today <= last && today < period_end)
}

/// The range `first..=last`'s parts in date order, as Matomo 5.0.2 builds them when its today
/// is `today`: whole years and months from their first day, whole weeks, and days around them.
pub(crate) fn subperiods(first: Day, last: Day, today: Day) -> Vec<Period> {
    let mut out = Vec::new();
    let mut start = first;
    while start <= last {
        let (year, month, day) = start.ymd();
        let year_end = Day::from_ymd(year, 12, 31).unwrap_or(last);
        let (month_start, month_end) = (start.month_start(), start.month_end());
        let next = if (month, day) == (1, 1) && whole(year_end, last, today) {
            out.push(span(Kind::Year, start, year_end));
            year_end
        } else if start == month_start && whole(month_end, last, today) {
            out.push(span(Kind::Month, start, month_end));
            month_end
        } else {
            let week_start = start.week_start();
            let week_end = week_start.plus(6);
            // Two months or more to go: the days up to the month's end, then whole months.
            let months_next = start.plus_months(2).month_start() < last;
            // The range ends within this week; a week ending on the range's last day counts as
            // cut when that day is after today (the rest of the range is days, not the week).
            let cut = week_end > last || (week_end == last && last > today);
            let ended = week_end < today;
            if months_next && week_end > month_end {
                out.extend(days(start, month_end));
                month_end
            } else if cut && (last < today || week_start != start) {
                out.extend(days(start, last));
                break;
            } else if week_start < start && ended {
                out.extend(days(start, week_end));
                week_end
            } else {
                // The whole week: one within the range, one the range starts on the Monday of and
                // that reaches today, or one the range starts in the middle of that has not
                // ended before today (its days before `start` included).
                out.push(span(Kind::Week, week_start, week_end));
                week_end
            }
        };
        start = next.plus(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::period::parse;

    /// What Matomo 5.0.2 itself builds: `Piwik\Period\Range` given each `today`
    /// (`new Range('range', $date, 'UTC', $today)`, `getSubperiods()`), printed by the harness
    /// of issue 27 as `date => parts`, each part `d:`/`w:`/`m:`/`y:` and its first and last day.
    const MATOMO: &str = r"
# Past ranges: the parts lie within the range.
today 2026-12-06
2026-11-12,2026-11-26 => d:2026-11-12,2026-11-12 d:2026-11-13,2026-11-13 d:2026-11-14,2026-11-14 d:2026-11-15,2026-11-15 w:2026-11-16,2026-11-22 d:2026-11-23,2026-11-23 d:2026-11-24,2026-11-24 d:2026-11-25,2026-11-25 d:2026-11-26,2026-11-26
2026-09-30,2026-12-02 => d:2026-09-30,2026-09-30 m:2026-10-01,2026-10-31 m:2026-11-01,2026-11-30 d:2026-12-01,2026-12-01 d:2026-12-02,2026-12-02
previous5 => d:2026-12-01,2026-12-01 d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05
previous7 => d:2026-11-29,2026-11-29 d:2026-11-30,2026-11-30 d:2026-12-01,2026-12-01 d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05
# Ending today, a Sunday: a mid-week start takes the whole week from its Monday; from the 1st, the month.
today 2026-12-06
2026-12-02,2026-12-06 => w:2026-11-30,2026-12-06
# (`today` written in a date is read from the clock by the harness: printed on 2026-12-06.)
2026-12-02,today => w:2026-11-30,2026-12-06
last5 => w:2026-11-30,2026-12-06
last1 => w:2026-11-30,2026-12-06
last7 => w:2026-11-30,2026-12-06
last14 => w:2026-11-23,2026-11-29 w:2026-11-30,2026-12-06
2026-11-30,2026-12-06 => w:2026-11-30,2026-12-06
2026-11-20,2026-12-06 => d:2026-11-20,2026-11-20 d:2026-11-21,2026-11-21 d:2026-11-22,2026-11-22 w:2026-11-23,2026-11-29 w:2026-11-30,2026-12-06
2026-12-01,2026-12-06 => m:2026-12-01,2026-12-31
# Ending tomorrow and after this week (today a Sunday).
today 2026-12-06
2026-12-02,2026-12-07 => w:2026-11-30,2026-12-06 w:2026-12-07,2026-12-13
2026-12-07,2026-12-08 => w:2026-12-07,2026-12-13
2026-12-02,2026-12-20 => w:2026-11-30,2026-12-06 w:2026-12-07,2026-12-13 w:2026-12-14,2026-12-20
2026-12-03,2026-12-13 => w:2026-11-30,2026-12-06 w:2026-12-07,2026-12-13
2026-12-02,2026-12-27 => w:2026-11-30,2026-12-06 w:2026-12-07,2026-12-13 w:2026-12-14,2026-12-20 w:2026-12-21,2026-12-27
# Ending today, a Monday: the days before this week, and this week whole.
today 2026-12-07
2026-12-02,2026-12-07 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05 d:2026-12-06,2026-12-06 w:2026-12-07,2026-12-13
last3 => d:2026-12-05,2026-12-05 d:2026-12-06,2026-12-06 w:2026-12-07,2026-12-13
last1 => w:2026-12-07,2026-12-13
previous3 => d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05 d:2026-12-06,2026-12-06
2026-11-25,2026-12-07 => d:2026-11-25,2026-11-25 d:2026-11-26,2026-11-26 d:2026-11-27,2026-11-27 d:2026-11-28,2026-11-28 d:2026-11-29,2026-11-29 w:2026-11-30,2026-12-06 w:2026-12-07,2026-12-13
2026-12-02,2026-12-13 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05 d:2026-12-06,2026-12-06 w:2026-12-07,2026-12-13
2026-12-01,2026-12-07 => m:2026-12-01,2026-12-31
# Ending today, a Tuesday.
today 2026-12-08
last1 => d:2026-12-08,2026-12-08
last3 => d:2026-12-06,2026-12-06 w:2026-12-07,2026-12-13
2026-12-02,2026-12-08 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05 d:2026-12-06,2026-12-06 w:2026-12-07,2026-12-13
2026-12-08,2026-12-10 => d:2026-12-08,2026-12-08 d:2026-12-09,2026-12-09 d:2026-12-10,2026-12-10
# Ending today, a Wednesday.
today 2026-12-02
2026-12-02,2026-12-02 => d:2026-12-02,2026-12-02
last3 => w:2026-11-30,2026-12-06
2026-11-25,2026-12-02 => d:2026-11-25,2026-11-25 d:2026-11-26,2026-11-26 d:2026-11-27,2026-11-27 d:2026-11-28,2026-11-28 d:2026-11-29,2026-11-29 w:2026-11-30,2026-12-06
2026-12-02,2026-12-13 => w:2026-11-30,2026-12-06 w:2026-12-07,2026-12-13
2026-12-02,2026-12-06 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05 d:2026-12-06,2026-12-06
# Ending today, a Thursday: a mid-week start cut by the range's end stays days; from the 1st, the month.
today 2026-12-03
2026-12-02,2026-12-03 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03
last3 => m:2026-12-01,2026-12-31
2026-12-01,2026-12-03 => m:2026-12-01,2026-12-31
2026-12-01,2026-12-31 => m:2026-12-01,2026-12-31
2026-12-03,2026-12-06 => d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05 d:2026-12-06,2026-12-06
# Ending today, a Friday and a Saturday.
today 2026-12-04
last3 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04
2026-12-02,2026-12-04 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04
2026-12-02,2026-12-06 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05 d:2026-12-06,2026-12-06
today 2026-12-05
2026-12-02,2026-12-05 => d:2026-12-02,2026-12-02 d:2026-12-03,2026-12-03 d:2026-12-04,2026-12-04 d:2026-12-05,2026-12-05
2026-11-25,2026-12-05 => d:2026-11-25,2026-11-25 d:2026-11-26,2026-11-26 d:2026-11-27,2026-11-27 d:2026-11-28,2026-11-28 d:2026-11-29,2026-11-29 w:2026-11-30,2026-12-06
last8 => d:2026-11-28,2026-11-28 d:2026-11-29,2026-11-29 w:2026-11-30,2026-12-06
# From 1 January, the year; around the new year.
today 2027-01-05
2027-01-01,2027-01-05 => y:2027-01-01,2027-12-31
2026-12-01,2027-01-05 => m:2026-12-01,2026-12-31 y:2027-01-01,2027-12-31
last10 => d:2026-12-27,2026-12-27 w:2026-12-28,2027-01-03 w:2027-01-04,2027-01-10
2026-12-30,2027-01-05 => d:2026-12-30,2026-12-30 d:2026-12-31,2026-12-31 d:2027-01-01,2027-01-01 d:2027-01-02,2027-01-02 d:2027-01-03,2027-01-03 w:2027-01-04,2027-01-10
today 2027-01-01
last1 => y:2027-01-01,2027-12-31
2026-12-28,2027-01-01 => w:2026-12-28,2027-01-03
# A past range in a month not over (today 2026-11-26, a Thursday).
today 2026-11-26
2026-11-01,2026-11-20 => d:2026-11-01,2026-11-01 w:2026-11-02,2026-11-08 w:2026-11-09,2026-11-15 d:2026-11-16,2026-11-16 d:2026-11-17,2026-11-17 d:2026-11-18,2026-11-18 d:2026-11-19,2026-11-19 d:2026-11-20,2026-11-20
2026-11-12,2026-11-22 => d:2026-11-12,2026-11-12 d:2026-11-13,2026-11-13 d:2026-11-14,2026-11-14 d:2026-11-15,2026-11-15 w:2026-11-16,2026-11-22
previous14 => d:2026-11-12,2026-11-12 d:2026-11-13,2026-11-13 d:2026-11-14,2026-11-14 d:2026-11-15,2026-11-15 w:2026-11-16,2026-11-22 d:2026-11-23,2026-11-23 d:2026-11-24,2026-11-24 d:2026-11-25,2026-11-25
";

    fn described(parts: &[Period]) -> String {
        parts
            .iter()
            .map(|p| {
                let letter = match p.kind {
                    Kind::Day => 'd',
                    Kind::Week => 'w',
                    Kind::Month => 'm',
                    Kind::Year => 'y',
                    Kind::Range => 'r',
                };
                format!("{letter}:{},{}", p.start, p.end)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_range_takes_the_parts_matomo_takes_given_its_today() {
        let mut today = None;
        let mut cases = 0;
        for line in MATOMO
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            if let Some(day) = line.strip_prefix("today ") {
                today = Day::parse(day);
                continue;
            }
            let (date, parts) = line.split_once(" => ").unwrap();
            let today = today.unwrap();
            let range = parse(Some("range"), Some(date), today).unwrap();
            let [range] = range.list.as_slice() else {
                panic!("{date}: one range expected");
            };
            assert_eq!(described(&range.parts), parts, "today {today}, date {date}");
            cases += 1;
        }
        assert_eq!(cases, 54);
    }

    #[test]
    fn two_equal_days_are_that_day() {
        // Matomo's API makes `X,X` the day X before building a range (its `Range` class alone
        // would take this Monday's whole week).
        let today = Day::parse("2026-12-07").unwrap();
        for date in ["2026-12-07,2026-12-07", "today,today"] {
            let range = parse(Some("range"), Some(date), today).unwrap();
            assert_eq!(described(&range.list[0].parts), "d:2026-12-07,2026-12-07");
        }
        let range = parse(Some("range"), Some("2026-12-07,today"), today).unwrap();
        assert_eq!(described(&range.list[0].parts), "w:2026-12-07,2026-12-13");
    }

    #[test]
    fn a_range_widened_to_its_week_starts_on_the_monday_and_ends_where_asked() {
        // Matomo's `getDateStart` is its first part's first day, `getDateEnd` the day asked.
        let today = Day::parse("2026-12-06").unwrap();
        let range = parse(Some("range"), Some("2026-12-02,2026-12-07"), today).unwrap();
        let range = &range.list[0];
        assert_eq!(range.start.to_string(), "2026-11-30");
        assert_eq!(range.end.to_string(), "2026-12-07");
        let last_part = range.parts.last().map(|p| p.end.to_string());
        assert_eq!(last_part.as_deref(), Some("2026-12-13"));
    }
}
