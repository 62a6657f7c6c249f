//! The calendar under the visitor bounds: which days a range covers, and the periods inside
//! it that Matomo counts distinct visitors for.

use crate::params::{Date, Day, Period, RangeEnd};

use super::*;

/// The days of a range: at most `days` of them, and `inside` (first and last) surely among them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) days: u32,
    pub(super) inside: Option<(jiff::civil::Date, jiff::civil::Date)>,
}

/// The days of `period=range` at `date`, with `today` the day in UTC. A site's today is
/// within a day of UTC's (time zones run from 12 hours behind to 14 ahead), so where the date
/// is relative, the most days and the days surely inside are told from those limits. `None`
/// for a day outside the calendar.
pub(super) fn span(date: Date, today: jiff::civil::Date) -> Option<Span> {
    let plus = |day: jiff::civil::Date, n: i64| day.checked_add(jiff::Span::new().days(n)).ok();
    // The range from `first` to `last`, whose last day is at most `latest` and at least `earliest`.
    let between =
        |first: jiff::civil::Date, earliest: jiff::civil::Date, latest: jiff::civil::Date| {
            let days = u32::try_from((latest - first).get_days().saturating_add(1)).ok()?;
            Some(Span {
                days: days.max(1),
                inside: (first <= earliest).then_some((first, earliest)),
            })
        };
    match date {
        Date::Range { start, end } => {
            let first = civil(start)?;
            let (earliest, latest) = match end {
                RangeEnd::Day(day) => (civil(day)?, civil(day)?),
                RangeEnd::Today => (plus(today, -1)?, plus(today, 1)?),
                RangeEnd::Yesterday => (plus(today, -2)?, today),
            };
            between(first, earliest, latest)
        }
        // `lastN`: the N days to the site's today; `previousN`: the N days before it.
        Date::Last(n) | Date::Previous(n) => {
            let back = i64::from(matches!(date, Date::Previous(_)));
            let first = plus(today, 1 - back - i64::from(n) + 1)?;
            let earliest = plus(today, -1 - back)?;
            Some(Span {
                days: n.max(1),
                inside: (first <= earliest).then_some((first, earliest)),
            })
        }
        Date::Day(_) | Date::Today | Date::Yesterday => Some(Span {
            days: 1,
            inside: None,
        }),
    }
}

/// The most days asked one by one (a range of more proves its parts by segments, and its
/// referrer websites by the range's own table: `referrer_urls`).
pub(super) const MAX_DAYS: u64 = 93;

impl Visitors<'_> {
    /// The days of a week, a month or a range of at most [`MAX_DAYS`] known days.
    pub(super) fn day_span(&self) -> Option<DaySpan> {
        let (first, last) = self.days()?;
        Some(DaySpan { first, last }).filter(|span| span.days() <= MAX_DAYS)
    }

    /// The first and last day of a week, a month or a range of known days.
    pub(super) fn days(&self) -> Option<(jiff::civil::Date, jiff::civil::Date)> {
        match (self.period, self.date) {
            (Period::Week, Date::Day(day)) => {
                let day = civil(day)?;
                let monday = day
                    .checked_sub(
                        jiff::Span::new().days(i64::from(day.weekday().to_monday_zero_offset())),
                    )
                    .ok()?;
                Some((monday, monday.checked_add(jiff::Span::new().days(6)).ok()?))
            }
            (Period::Month, Date::Day(day)) => {
                let day = civil(day)?;
                Some((day.first_of_month(), day.last_of_month()))
            }
            (
                Period::Range,
                Date::Range {
                    start,
                    end: RangeEnd::Day(end),
                },
            ) => Some((civil(start)?, civil(end)?)).filter(|(first, last)| first <= last),
            _ => None,
        }
    }
}

/// The days of a week, a month or a range of known days, from `first` to `last`, asked one by
/// one ([`Visitors::day_span`]: at most [`MAX_DAYS`] of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct DaySpan {
    pub(super) first: jiff::civil::Date,
    pub(super) last: jiff::civil::Date,
}

impl DaySpan {
    /// How many days (0 when `last` is before `first`).
    pub(super) fn days(self) -> u64 {
        u64::try_from((self.last - self.first).get_days()).map_or(0, |days| days.saturating_add(1))
    }

    /// The `date` asking for each of the days (`first,last`, with `period=day`).
    pub(super) fn date(self) -> Option<Date> {
        Date::range(day(self.first)?, RangeEnd::Day(day(self.last)?)).ok()
    }

    /// The day of a period label of Matomo's answer, when it is one of these days. A day
    /// outside proves nothing about the period (and would raise a bound spread over its days),
    /// so the readers of the days' answers read none that holds one.
    pub(super) fn day_of(self, label: &str) -> Option<jiff::civil::Date> {
        label
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|&date| self.first <= date && date <= self.last)
    }
}

#[cfg(test)]
impl DaySpan {
    /// The days from `first` to `last` (`YYYY-MM-DD`).
    #[allow(clippy::unwrap_used)]
    pub(super) fn of(first: &str, last: &str) -> Self {
        Self {
            first: first.parse().unwrap(),
            last: last.parse().unwrap(),
        }
    }
}

/// The whole weeks (Monday to Sunday, as Matomo's) and whole months from `first` to `last`,
/// each as one multi-period request.
pub(super) fn inside(
    first: jiff::civil::Date,
    last: jiff::civil::Date,
) -> Vec<(Period, Date, Bound)> {
    let plus = |day: jiff::civil::Date, n: i64| day.checked_add(jiff::Span::new().days(n)).ok();
    let mut out = Vec::new();
    let to_monday = (7 - i64::from(first.weekday().to_monday_zero_offset())) % 7;
    let from_sunday = (i64::from(last.weekday().to_monday_zero_offset()) + 1) % 7;
    if let (Some(monday), Some(sunday)) = (plus(first, to_monday), plus(last, -from_sunday))
        && monday < sunday
    {
        out.extend(periods(Period::Week, monday, sunday));
    }
    let month_start = if first.day() == 1 {
        Some(first)
    } else {
        plus(first.last_of_month(), 1)
    };
    let month_end = if last == last.last_of_month() {
        Some(last)
    } else {
        plus(last.first_of_month(), -1)
    };
    if let (Some(start), Some(end)) = (month_start, month_end)
        && start < end
    {
        out.extend(periods(Period::Month, start, end));
    }
    out
}

/// `period` over `start,end` (Matomo answers each period from the one holding `start` to the
/// one holding `end`: here exactly those inside).
pub(super) fn periods(
    period: Period,
    start: jiff::civil::Date,
    end: jiff::civil::Date,
) -> Option<(Period, Date, Bound)> {
    let date = Date::range(day(start)?, RangeEnd::Day(day(end)?)).ok()?;
    Some((period, date, Bound::Inside))
}

/// A [`Day`] in jiff's calendar (every `Day` is one), as the bounds' `?` chains take it.
pub(super) fn civil(day: Day) -> Option<jiff::civil::Date> {
    Some(crate::params::civil(day))
}

/// A day of jiff's calendar as a [`Day`] (years 1000 to 9999).
pub(super) fn day(date: jiff::civil::Date) -> Option<Day> {
    crate::params::from_civil(date).ok()
}

/// The current year in UTC, `days_back` days ago; `None` within a day of New Year, when the
/// site's own time zone may already (or still) be in another year.
pub(super) fn utc_year(days_back: i64) -> Option<u16> {
    let day = utc_today()
        .checked_sub(jiff::Span::new().days(days_back))
        .ok()?;
    let near_new_year =
        (day.month() == 12 && day.day() == 31) || (day.month() == 1 && day.day() == 1);
    (!near_new_year)
        .then(|| u16::try_from(day.year()).ok())
        .flatten()
}
