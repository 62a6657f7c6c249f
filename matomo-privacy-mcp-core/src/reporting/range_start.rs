//! Ranges Matomo would answer with days before their start ([`range_counted_from`]) are
//! refused before anything is asked: their numbers would describe days nobody asked about, and
//! every bound that divides by the range's days would divide by too few.

use crate::ToolError;
use crate::params::{Date, Day, Period, RangeEnd, range_counted_from};
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
            let utc_days = jiff::Timestamp::now().as_second().div_euclid(86_400);
            let utc_yesterday = jiff::civil::Date::new(1970, 1, 1)
                .ok()
                .and_then(|epoch| epoch.checked_add(jiff::Span::new().days(utc_days - 1)).ok())
                .and_then(|date| day_of(date).ok());
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

fn day_of(date: jiff::civil::Date) -> Result<Day, ToolError> {
    Day::new(
        u16::try_from(date.year()).unwrap_or(0),
        date.month().unsigned_abs(),
        date.day().unsigned_abs(),
    )
    .map_err(|e| ToolError::internal(e.to_string()))
}

/// Refuses `request` when Matomo would count its range from a day before its start, `today`
/// being the site's today; names what to ask instead.
///
/// # Errors
///
/// [`ToolError::invalid_arguments`] for such a range.
pub(crate) fn refuse_days_before_the_start(request: &Request, today: Day) -> Result<(), ToolError> {
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
        "Matomo would answer this range with the whole week from {from}, days before {start} \
         included: a range that ends on or after the site's today ({today}) and starts within \
         a week not over before today is counted over that whole week. Ask `period: \"week\"` \
         with `date: \"{start}\"` for that week, or end the range before today: a range that \
         ends before today is counted over its own days"
    )))
}
