//! Ranges Matomo would answer with days before their start ([`range_counted_from`]) are
//! refused before anything is asked: their numbers would describe days nobody asked about, and
//! every bound that divides by the range's days would divide by too few.

use crate::ToolError;
use crate::params::{Date, Day, Period, RangeEnd, from_civil, range_counted_from, utc_today};
use crate::reporting::Deployment;
use crate::reporting::args::Request;

/// Whether `period` at `date` may end on or after the site's today, so that Matomo's range
/// rule for today can apply: `lastN`, a range to `today`, or one to a day no earlier than
/// yesterday in UTC (a site's today is within a day of UTC's). Ranges ending `yesterday`
/// and `previousN` end before today in every time zone.
pub(crate) fn may_end_on_or_after_today(period: Period, date: Date) -> bool {
    if period != Period::Range {
        return false;
    }
    match date {
        Date::Last(_)
        | Date::Range {
            end: RangeEnd::Today,
            ..
        } => true,
        Date::Range {
            end: RangeEnd::Day(end),
            ..
        } => {
            let utc_yesterday = utc_today()
                .yesterday()
                .ok()
                .and_then(|d| from_civil(d).ok());
            // A calendar this far out of range is no day of the range rule: ask.
            utc_yesterday.is_none_or(|yesterday| end >= yesterday)
        }
        _ => false,
    }
}

/// The site's today (in its time zone) as a [`Day`].
///
/// # Errors
///
/// Matomo unreachable, or not telling the site's time zone.
pub(crate) async fn site_day(deployment: &Deployment, site: u32) -> Result<Day, ToolError> {
    day_of(deployment.site_today(site).await?)
}

/// The days that may be the site's today: its today where Matomo says its time zone, and
/// otherwise each day a time zone's today can be (UTC's yesterday, today and tomorrow).
///
/// # Errors
///
/// Matomo unreachable.
pub(crate) async fn possible_todays(
    deployment: &Deployment,
    site: u32,
) -> Result<Vec<Day>, ToolError> {
    if let Some(today) = deployment.site_today_if_known(site).await? {
        return Ok(vec![day_of(today)?]);
    }
    let today = utc_today();
    Ok([today.yesterday(), Ok(today), today.tomorrow()]
        .into_iter()
        .filter_map(|date| from_civil(date.ok()?).ok())
        .collect())
}

fn day_of(date: jiff::civil::Date) -> Result<Day, ToolError> {
    from_civil(date).map_err(|e| ToolError::internal(e.to_string()))
}

/// Refuses `request` when Matomo would count its range from a day before its start, the site's
/// today being any of `todays`; names what to ask instead.
///
/// # Errors
///
/// [`ToolError::invalid_arguments`] for such a range.
pub(crate) fn refuse_days_before_the_start(
    request: &Request,
    todays: &[Day],
) -> Result<(), ToolError> {
    todays
        .iter()
        .try_for_each(|&today| refuse_for(request, today))
}

fn refuse_for(request: &Request, today: Day) -> Result<(), ToolError> {
    if request.period != Period::Range {
        return Ok(());
    }
    // Two equal days written out are a day to Matomo (`convertRangeToDateIfNeeded`).
    if let Date::Range {
        start,
        end: RangeEnd::Day(end),
    } = request.date
        && start == end
    {
        return Ok(());
    }
    let Ok(Date::Range {
        start,
        end: RangeEnd::Day(end),
    }) = request.date.dated(Period::Range, today)
    else {
        return Ok(());
    };
    let from = range_counted_from(start, end, today);
    if from >= start {
        return Ok(());
    }
    Err(ToolError::invalid_arguments(format!(
        "Matomo would count this range from {from}, days before {start} included: a range that \
         ends on or after the site's today ({today}) and starts within a week not over before \
         today is counted over the whole week, from its Monday. Start the range on {from} (for \
         this week alone, `period: \"week\"` with `date: \"{start}\"`), or end it before \
         today: either is counted over its own days"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(date: &str) -> Request {
        Request {
            site: 1,
            period: Period::Range,
            date: date.parse().unwrap_or(Date::Yesterday),
            limit: 10,
            offset: 0,
        }
    }

    fn day(text: &str) -> Day {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn a_range_is_refused_when_any_possible_today_would_widen_it() {
        // Wednesday to Sunday 2026-12-06: widened when today is that Sunday, not on the Monday
        // after; where the site's today is not known, both may be it.
        let request = range("2026-12-02,2026-12-06");
        assert!(refuse_days_before_the_start(&request, &[day("2026-12-07")]).is_ok());
        let refused = refuse_days_before_the_start(
            &request,
            &[day("2026-12-05"), day("2026-12-06"), day("2026-12-07")],
        );
        assert!(
            refused.is_err_and(|e| e.to_string().contains("Start the range on 2026-11-30")),
            "refused"
        );
        // Two equal days written out are a day, and another period is not a range.
        assert!(
            refuse_days_before_the_start(&range("2026-12-06,2026-12-06"), &[day("2026-12-06")])
                .is_ok()
        );
        let week = Request {
            period: Period::Week,
            ..range("2026-12-02")
        };
        assert!(refuse_days_before_the_start(&week, &[day("2026-12-06")]).is_ok());
    }
}
