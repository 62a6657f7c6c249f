//! The first day Matomo counts in a `period=range`: not always the range's own first day.
//!
//! Matomo 5.0.2 answers a range from archives of whole days, weeks, months and years
//! (`core/Period/Range.php`, `processOptimalSubperiods`), with `today` the site's today
//! (`Period\Factory::makePeriodFromQueryParams` passes `Date::factory('today', $timezone)`).
//! For a range that ends before today it takes only periods within the range. For one that ends
//! on or after today it also takes periods reaching past the range's end (the current month from
//! its 1st, a week from its Monday: their later days hold no visits yet), and one of them reaches
//! back: a range starting on a Tuesday to a Sunday, in a week that has not ended before today,
//! is answered with that **whole week**, its days before the range's start included, when the
//! range ends after that week's Sunday or on a Sunday that is today.
//!
//! Seen on Matomo 5.0.2 on Sunday 2026-12-06 (site in UTC): `period=range&date=2026-12-02,2026-12-06`
//! (and `last5`, and `2026-12-02,2026-12-07`) counted the 2,337 visits of Monday 2026-11-30,
//! while the days asked held none. Such an answer describes days nobody asked about, and every
//! bound that divides by the range's days (the daily bounds, the contribution bounds of the
//! noise) would divide by too few: the SDK refuses those ranges ([`counted_from`]).
//!
//! Only the range's first part can reach back: every later part starts the day after a month,
//! a week or a run of days that ended on a month's last day or a Sunday, so on a 1st (which
//! the month rule takes whole from that day when the range ends on or after today) or on a Monday.

use super::Day;
use super::date::{civil, from_civil};

/// The first day Matomo 5.0.2 counts in `period=range` from `start` to `end`, when the site's
/// today is `today`: `start` itself, or, for a range Matomo answers with the whole week that
/// holds `start`, that week's Monday. `start` when `end` is before `start`.
///
/// For a range Matomo keeps as a range: it answers `date=D,D` (two equal days written out) as
/// the day `D`, but `last1`, or `D,today` on the day `D`, as a range (on a Sunday, that week).
///
/// ```
/// use matomo_privacy_mcp_core::params::{Day, range_counted_from};
///
/// let day = |d| Day::new(2026, 12, d).unwrap();
/// // Sunday 2026-12-06: a range of this week's Wednesday to today counts the whole week.
/// assert_eq!(range_counted_from(day(2), day(6), day(6)), Day::new(2026, 11, 30).unwrap());
/// // The same days asked on the Monday after: only they are counted.
/// assert_eq!(range_counted_from(day(2), day(6), day(7)), day(2));
/// // Ending yesterday, a range never reaches back.
/// assert_eq!(range_counted_from(day(2), day(5), day(6)), day(2));
/// ```
pub fn range_counted_from(start: Day, end: Day, today: Day) -> Day {
    let (first, last, now) = (civil(start), civil(end), civil(today));
    if last < first || last < now {
        // A range ending before today takes days, weeks, months and years within it only.
        return start;
    }
    if first.day() == 1 {
        // The month (or year) rule takes the period from this 1st: the range reaches its end or
        // passes today, both true here.
        return start;
    }
    let monday_offset = i64::from(first.weekday().to_monday_zero_offset());
    if monday_offset == 0 {
        // A week from its own Monday, or days from it: nothing before `start` either way.
        return start;
    }
    let Some(monday) = shifted(first, -monday_offset) else {
        return start;
    };
    let Some(sunday) = shifted(monday, 6) else {
        return start;
    };
    // Matomo's checks, in its order, for a first part not on a Monday:
    // a range reaching two months on whose week crosses the month's end takes days to that end;
    let months_on = first
        .first_of_month()
        .checked_add(jiff::Span::new().months(2))
        .is_ok_and(|later| later < last);
    if months_on && sunday > first.last_of_month() {
        return start;
    }
    // a week ending after the range (or on its last day, when that is after today) takes days;
    if sunday > last || (sunday == last && last > now) {
        return start;
    }
    // a week that ended before today takes days to its Sunday;
    if sunday < now {
        return start;
    }
    // and otherwise the whole week.
    from_civil(monday).unwrap_or(start)
}

fn shifted(day: jiff::civil::Date, days: i64) -> Option<jiff::civil::Date> {
    day.checked_add(jiff::Span::new().days(days)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// (today, first day, last day, the first day Matomo 5.0.2 counts), each read from the
    /// subperiods `Piwik\Period\Range` builds for that today (its `$today` argument, as the API
    /// passes it), run on the real Matomo 5.0.2 of `../shared/matomo/`.
    #[rustfmt::skip] // one case a line
    const CASES: &[(&str, &str, &str, &str)] = &[
        // Thursday 2026-12-03.
        ("2026-12-03", "2026-12-01", "2026-12-03", "2026-12-01"), // the month of December
        ("2026-12-03", "2026-11-30", "2026-12-03", "2026-11-30"), // the week from its Monday
        ("2026-12-03", "2026-12-02", "2026-12-03", "2026-12-02"), // days 12-02, 12-03
        ("2026-12-03", "2026-12-01", "2026-12-10", "2026-12-01"), // the month of December
        ("2026-12-03", "2026-12-02", "2026-12-20", "2026-11-30"), // weeks from 11-30: reaches back
        ("2026-12-03", "2026-11-01", "2026-12-03", "2026-11-01"), // months November, December
        ("2026-12-03", "2026-01-01", "2026-12-03", "2026-01-01"), // the year 2026
        ("2026-12-03", "2026-11-24", "2026-12-03", "2026-11-24"), // days to 11-29, then a week
        ("2026-12-03", "2026-11-30", "2026-12-02", "2026-11-30"), // ends before today: days
        // Sunday 2026-12-06.
        ("2026-12-06", "2026-12-02", "2026-12-06", "2026-11-30"), // the week 11-30..12-06
        ("2026-12-06", "2026-12-02", "2026-12-07", "2026-11-30"), // weeks from 11-30
        ("2026-12-06", "2026-12-01", "2026-12-06", "2026-12-01"), // the month of December
        ("2026-12-06", "2026-11-01", "2026-12-08", "2026-11-01"), // months November, December
        ("2026-12-06", "2026-12-02", "2026-12-05", "2026-12-02"), // ends yesterday: days
    ];

    #[test]
    fn matomo_counts_a_range_from_where_its_own_range_class_does() {
        for &(today, first, last, counted) in CASES {
            assert_eq!(
                range_counted_from(day(first), day(last), day(today)),
                day(counted),
                "today {today}, range {first},{last}"
            );
        }
    }

    #[test]
    fn a_range_ending_before_today_is_never_widened() {
        // Every start and end of four weeks around a month's end, asked a day after the end.
        let base = day("2026-11-16");
        for a in 0..28 {
            for b in a..28 {
                let (first, last) = (plus(base, a), plus(base, b));
                assert_eq!(range_counted_from(first, last, plus(last, 1)), first);
            }
        }
    }

    fn plus(day: Day, days: i64) -> Day {
        from_civil(shifted(civil(day), days).unwrap()).unwrap()
    }
}
