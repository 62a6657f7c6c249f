//! `date`: a single day, a keyword, `lastN`/`previousN`, or a range of days.

use std::fmt;
use std::str::FromStr;

use super::ParamError;

use super::period::Period;

/// The most periods one `lastN`/`previousN` may ask for, to keep requests bounded.
pub const MAX_PERIODS: u32 = 1000;

/// A calendar day, `YYYY-MM-DD`, checked to exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    year: u16,
    month: u8,
    day: u8,
}

impl Day {
    /// A day that exists in the Gregorian calendar, between the years 1000 and 9999.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, ParamError> {
        let valid = (1000..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        if !valid {
            return Err(ParamError::new(
                "date",
                format!("`{year:04}-{month:02}-{day:02}` is not a calendar day"),
            ));
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }
}

/// The same day in jiff's calendar (every `Day` is one: years 1000-9999 are within its range).
pub(crate) fn civil(day: Day) -> jiff::civil::Date {
    // `Day` is checked to exist and jiff's range is -9999..=9999: no conversion can fail.
    let (Ok(year), Ok(month), Ok(dd)) = (
        i16::try_from(day.year),
        i8::try_from(day.month),
        i8::try_from(day.day),
    ) else {
        return jiff::civil::Date::ZERO;
    };
    jiff::civil::Date::new(year, month, dd).unwrap_or(jiff::civil::Date::ZERO)
}

/// A day of jiff's calendar as a `Day` (years 1000-9999).
pub(crate) fn from_civil(date: jiff::civil::Date) -> Result<Day, ParamError> {
    let year = u16::try_from(date.year())
        .map_err(|_| ParamError::new("date", format!("`{date}` is out of range")))?;
    // jiff's months and days are 1-12 and 1-31.
    Day::new(year, date.month().unsigned_abs(), date.day().unsigned_abs())
}

/// Today by this machine's clock, in UTC. A site's today is within a day of it (time zones run
/// from 12 hours behind UTC to 14 ahead).
pub(crate) fn utc_today() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Day {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            ParamError::new(
                "date",
                format!("`{s}` is not a day; write it as YYYY-MM-DD, e.g. 2026-11-20"),
            )
        };
        let bytes = s.as_bytes();
        let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(bad());
        }
        if !(digits(0..4) && digits(5..7) && digits(8..10)) {
            return Err(bad());
        }
        let year = s[0..4].parse().map_err(|_| bad())?;
        let month = s[5..7].parse().map_err(|_| bad())?;
        let day = s[8..10].parse().map_err(|_| bad())?;
        Self::new(year, month, day)
    }
}

/// The end of a date range: a day, or a keyword Matomo resolves in the site's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeEnd {
    /// A fixed day.
    Day(Day),
    /// Today in the site's time zone.
    Today,
    /// Yesterday in the site's time zone.
    Yesterday,
}

impl fmt::Display for RangeEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day(day) => day.fmt(f),
            Self::Today => f.write_str("today"),
            Self::Yesterday => f.write_str("yesterday"),
        }
    }
}

/// The `date` parameter.
///
/// ```
/// use matomo_privacy_mcp_core::params::{Date, Period};
///
/// let date: Date = "2026-11-01,yesterday".parse().unwrap();
/// assert!(date.is_multi_period(Period::Day));
/// assert!(!date.is_multi_period(Period::Range));
/// assert_eq!("last7".parse::<Date>().unwrap(), Date::last(7).unwrap());
/// assert!("2026-02-30".parse::<Date>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Date {
    /// Today in the site's time zone.
    Today,
    /// Yesterday in the site's time zone.
    Yesterday,
    /// One fixed day.
    Day(Day),
    /// The last N periods, ending with the current one (`lastN`).
    Last(u32),
    /// The N periods before the current one (`previousN`).
    Previous(u32),
    /// From a day to another day (or today/yesterday), inclusive.
    Range {
        /// The first day.
        start: Day,
        /// The last day.
        end: RangeEnd,
    },
}

impl Date {
    /// `lastN`; N must be between 1 and [`MAX_PERIODS`].
    pub fn last(n: u32) -> Result<Self, ParamError> {
        check_count("last", n).map(Self::Last)
    }

    /// `previousN`; N must be between 1 and [`MAX_PERIODS`].
    pub fn previous(n: u32) -> Result<Self, ParamError> {
        check_count("previous", n).map(Self::Previous)
    }

    /// A range of days; the start may not be after a fixed end.
    pub fn range(start: Day, end: RangeEnd) -> Result<Self, ParamError> {
        let date = Self::Range { start, end };
        date.validate()?;
        Ok(date)
    }

    /// Whether, with this `period`, Matomo answers one result per period
    /// (an object keyed by period label) instead of a single result.
    pub fn is_multi_period(&self, period: Period) -> bool {
        period != Period::Range
            && matches!(self, Self::Last(_) | Self::Previous(_) | Self::Range { .. })
    }

    /// Whether the date names days relative to today (`yesterday`, `last7`, a range ending
    /// `today`), which Matomo resolves in the site's time zone.
    pub fn is_relative(&self) -> bool {
        match self {
            Self::Day(_) => false,
            Self::Range { end, .. } => !matches!(end, RangeEnd::Day(_)),
            Self::Today | Self::Yesterday | Self::Last(_) | Self::Previous(_) => true,
        }
    }

    /// The most calendar days one period of `period` at this date can span, never fewer than
    /// it does: a month or a year whose day is known counts its own days, relative ones their
    /// longest (31, 366), and a range ending today or yesterday reaches to tomorrow by this
    /// machine's clock in UTC (the site's today is at most that). `lastN`/`previousN` with a
    /// period other than `range` name several periods: the days of one.
    ///
    /// What a visitor can contribute to one answer grows with it
    /// ([`ContributionBounds`](crate::dp::ContributionBounds)).
    ///
    /// ```
    /// use matomo_privacy_mcp_core::params::{Date, Period};
    ///
    /// let day: Date = "2026-02-10".parse().unwrap();
    /// assert_eq!(day.max_days(Period::Day), 1);
    /// assert_eq!(day.max_days(Period::Month), 28);
    /// let range: Date = "2026-11-01,2026-11-23".parse().unwrap();
    /// assert_eq!(range.max_days(Period::Range), 23);
    /// assert_eq!(Date::last(7).unwrap().max_days(Period::Range), 7);
    /// ```
    pub fn max_days(&self, period: Period) -> u32 {
        let known = match self {
            Self::Day(day) => Some(*day),
            _ => None,
        };
        match period {
            Period::Day => 1,
            Period::Week => 7,
            Period::Month => known.map_or(31, |d| u32::from(days_in_month(d.year, d.month))),
            Period::Year => known.map_or(366, |d| {
                if days_in_month(d.year, 2) == 29 {
                    366
                } else {
                    365
                }
            }),
            Period::Range => match *self {
                Self::Last(n) | Self::Previous(n) => n,
                Self::Today | Self::Yesterday | Self::Day(_) => 1,
                Self::Range { start, end } => {
                    let end = match end {
                        RangeEnd::Day(day) => civil(day),
                        // Tomorrow in UTC: no time zone's today is later.
                        RangeEnd::Today | RangeEnd::Yesterday => {
                            utc_today().tomorrow().unwrap_or(jiff::civil::Date::MAX)
                        }
                    };
                    let days = (end - civil(start)).get_days();
                    u32::try_from(days.saturating_add(1)).unwrap_or(1).max(1)
                }
            },
        }
    }

    /// The same days named by their dates, `today` being the site's today (Matomo resolves
    /// relative dates in the site's time zone): `yesterday` becomes that day, `last7` with
    /// `period` `range` the seven days ending `today`, `previous7` the seven ending the day
    /// before, and a range ending `today` or `yesterday` ends on that day. Fixed dates, and
    /// `lastN`/`previousN` with another period (several periods), stay as they are.
    ///
    /// One statistic asked with a relative and with an absolute date is then one question (one
    /// noise draw, charged once).
    ///
    /// ```
    /// use matomo_privacy_mcp_core::params::{Date, Day, Period};
    ///
    /// let today = Day::new(2026, 12, 5).unwrap();
    /// let dated = |date: &str, period| date.parse::<Date>().unwrap().dated(period, today).unwrap().to_string();
    /// assert_eq!(dated("yesterday", Period::Day), "2026-12-04");
    /// assert_eq!(dated("today", Period::Month), "2026-12-05");
    /// assert_eq!(dated("last7", Period::Range), "2026-11-29,2026-12-05");
    /// assert_eq!(dated("previous7", Period::Range), "2026-11-28,2026-12-04");
    /// assert_eq!(dated("2026-11-01,yesterday", Period::Range), "2026-11-01,2026-12-04");
    /// assert_eq!(dated("last7", Period::Day), "last7");
    /// ```
    pub fn dated(self, period: Period, today: Day) -> Result<Self, ParamError> {
        let day_back = |days: u32| -> Result<Day, ParamError> {
            let date = civil(today)
                .checked_sub(jiff::Span::new().days(i64::from(days)))
                .map_err(|_| ParamError::new("date", "reaches before the calendar's start"))?;
            from_civil(date)
        };
        let end = |end: RangeEnd| match end {
            RangeEnd::Day(day) => Ok(day),
            RangeEnd::Today => Ok(today),
            RangeEnd::Yesterday => day_back(1),
        };
        let dated = match (self, period) {
            (Self::Today, _) => Self::Day(today),
            (Self::Yesterday, _) => Self::Day(day_back(1)?),
            (Self::Last(n), Period::Range) => Self::Range {
                start: day_back(n - 1)?,
                end: RangeEnd::Day(today),
            },
            (Self::Previous(n), Period::Range) => Self::Range {
                start: day_back(n)?,
                end: RangeEnd::Day(day_back(1)?),
            },
            (Self::Range { start, end: last }, _) => Self::Range {
                start,
                end: RangeEnd::Day(end(last)?),
            },
            (other, _) => other,
        };
        dated.validate()?;
        Ok(dated)
    }

    /// Re-checks dates built directly from the enum variants.
    pub(crate) fn validate(&self) -> Result<(), ParamError> {
        match *self {
            Self::Last(n) => check_count("last", n).map(drop),
            Self::Previous(n) => check_count("previous", n).map(drop),
            Self::Range {
                start,
                end: RangeEnd::Day(end),
            } if start > end => Err(ParamError::new(
                "date",
                format!("the range starts ({start}) after it ends ({end}); swap the two days"),
            )),
            _ => Ok(()),
        }
    }
}

crate::string_form::string_form!(Date, "MatomoDate", {
    "type": "string",
    "description": "today, yesterday, a day YYYY-MM-DD, lastN or previousN (N periods ending with the current or the previous one), or a range YYYY-MM-DD,YYYY-MM-DD whose end may be today or yesterday",
    "examples": ["yesterday", "2026-11-20", "last7", "2026-11-01,2026-11-20"]
});

fn check_count(keyword: &str, n: u32) -> Result<u32, ParamError> {
    if n == 0 || n > MAX_PERIODS {
        return Err(ParamError::new(
            "date",
            format!("`{keyword}{n}` is out of bounds; N must be between 1 and {MAX_PERIODS}"),
        ));
    }
    Ok(n)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Today => f.write_str("today"),
            Self::Yesterday => f.write_str("yesterday"),
            Self::Day(day) => day.fmt(f),
            Self::Last(n) => write!(f, "last{n}"),
            Self::Previous(n) => write!(f, "previous{n}"),
            Self::Range { start, end } => write!(f, "{start},{end}"),
        }
    }
}

impl FromStr for Date {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some((start, end)) = s.split_once(',') {
            let end = match end {
                "today" => RangeEnd::Today,
                "yesterday" => RangeEnd::Yesterday,
                day => RangeEnd::Day(day.parse()?),
            };
            return Self::range(start.parse()?, end);
        }
        let count = |digits: &str| -> Result<u32, ParamError> {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ParamError::new(
                    "date",
                    format!("`{s}` is not a date; lastN and previousN take a number, e.g. last7"),
                ));
            }
            digits.parse().map_err(|_| {
                ParamError::new(
                    "date",
                    format!("`{s}` asks for too many periods; N must be at most {MAX_PERIODS}"),
                )
            })
        };
        match s {
            "today" => Ok(Self::Today),
            "yesterday" => Ok(Self::Yesterday),
            _ if s.starts_with("last") => Self::last(count(&s[4..])?),
            _ if s.starts_with("previous") => Self::previous(count(&s[8..])?),
            _ if s.len() == 10 => s.parse().map(Self::Day),
            _ => Err(ParamError::new(
                "date",
                format!(
                    "`{s}` is not a date; use today, yesterday, YYYY-MM-DD, lastN, previousN or YYYY-MM-DD,YYYY-MM-DD"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_round_trips() {
        for text in [
            "today",
            "yesterday",
            "2026-11-20",
            "2024-02-29",
            "last7",
            "previous30",
            "2026-11-01,2026-11-20",
            "2026-11-01,today",
            "2026-11-01,yesterday",
        ] {
            assert_eq!(text.parse::<Date>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn invalid_dates_are_refused() {
        for text in [
            "",
            "now",
            "2026-13-01",
            "2026-02-29",
            "1900-02-29",
            "2026-1-01",
            "26-11-20",
            "last0",
            "last",
            "last-1",
            "last1001",
            "last99999999999",
            "previousx",
            "2026-11-20,2026-11-01",
            "today,2026-11-01",
            "2026-11-01,now",
            "2026-11-01,2026-11-02,2026-11-03",
            "２０２６-11-20",
        ] {
            let err = text.parse::<Date>().unwrap_err();
            assert!(matches!(err, ParamError { .. }), "{text}");
        }
        assert!(Date::Last(0).validate().is_err());
    }

    #[test]
    fn travels_as_a_json_string() {
        let date: Date = serde_json::from_str("\"last7\"").unwrap();
        assert_eq!(date, Date::Last(7));
        assert_eq!(serde_json::to_string(&date).unwrap(), "\"last7\"");
        let err = serde_json::from_str::<Date>("\"2026-02-30\"").unwrap_err();
        assert!(err.to_string().contains("not a calendar day"), "{err}");
        let schema = schemars::schema_for!(Date);
        assert_eq!(schema.get("type").unwrap(), "string");
    }

    #[test]
    fn leap_years_follow_the_gregorian_rules() {
        assert!(Day::new(2000, 2, 29).is_ok());
        assert!(Day::new(2100, 2, 29).is_err());
        assert!(Day::new(2024, 4, 31).is_err());
        assert!(Day::new(2024, 12, 31).is_ok());
    }

    #[test]
    fn multi_period_follows_matomo() {
        let range: Date = "2026-11-01,2026-11-20".parse().unwrap();
        assert!(range.is_multi_period(Period::Week));
        assert!(!range.is_multi_period(Period::Range));
        assert!(Date::last(3).unwrap().is_multi_period(Period::Month));
        assert!(!Date::Yesterday.is_multi_period(Period::Day));
        assert!(!Date::Day(Day::new(2026, 11, 20).unwrap()).is_multi_period(Period::Year));
    }
}
