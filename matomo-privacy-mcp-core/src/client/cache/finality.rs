//! Whether a request's period is over, so its answer can never change.
//!
//! Matomo reads `date` in the site's time zone. When neither the configuration
//! nor Matomo's site list told the site's time zone, the earliest time zone
//! Matomo knows (UTC−12) decides what "before today" means, so nothing is ever
//! treated as final too early.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

const DAY: i64 = 86_400;
/// The westernmost UTC offset Matomo accepts, in minutes.
const EARLIEST_OFFSET_MINUTES: i32 = -12 * 60;
/// Every UTC offset in use is a multiple of a quarter hour.
const QUARTER_HOUR: i64 = 900;

/// How long an answer stays true.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// The period ended before today: the answer is final.
    Final,
    /// Final, but the request names it relatively (`yesterday`, `previous7`), so the same
    /// words mean another period after this many seconds.
    FinalFor(Duration),
    /// Today is part of the period (or the request has no date): the answer still changes.
    Live,
}

/// A site's time zone as far as the cache knows it.
#[derive(Clone, Debug)]
pub(crate) enum SiteZone {
    /// A fixed UTC offset, in minutes.
    Fixed(i32),
    /// A zone of the time-zone database, whose offset changes with summer time.
    Named(TimeZone),
}

impl SiteZone {
    /// The zone Matomo names `name`: `UTC`, a fixed `UTC±x`, or a time-zone database name such
    /// as `Europe/Berlin`; `None` for a name neither spelling nor the database knows.
    pub(crate) fn from_matomo(name: &str) -> Option<Self> {
        let name = name.trim();
        fixed_offset_minutes(name)
            .map(Self::Fixed)
            .or_else(|| TimeZone::get(name).ok().map(Self::Named))
    }

    /// The site's calendar day at `now` (seconds since the epoch).
    pub(crate) fn date_at(&self, now: i64) -> Option<jiff::civil::Date> {
        let instant = Timestamp::from_second(now).ok()?;
        match self {
            Self::Fixed(minutes) => {
                let offset = jiff::tz::Offset::from_seconds(minutes.checked_mul(60)?).ok()?;
                Some(TimeZone::fixed(offset).to_datetime(instant).date())
            }
            Self::Named(zone) => Some(zone.to_datetime(instant).date()),
        }
    }

    /// The UTC offset in seconds at `now` (seconds since the epoch).
    pub(crate) fn offset_at(&self, now: i64) -> Option<i64> {
        match self {
            Self::Fixed(minutes) => Some(i64::from(*minutes) * 60),
            Self::Named(zone) => {
                let instant = Timestamp::from_second(now).ok()?;
                Some(i64::from(zone.to_offset(instant).seconds()))
            }
        }
    }

    /// The local day at `now` and the instant the next one starts.
    fn day_at(&self, now: i64) -> Option<(Date, i64)> {
        let today = self.date_at(now)?;
        match self {
            Self::Fixed(_) => {
                let offset = self.offset_at(now)?;
                Some((today, ((now + offset).div_euclid(DAY) + 1) * DAY - offset))
            }
            // The next midnight may have another offset than now (summer time starts or ends
            // tonight), and in a few zones midnight itself is skipped: the database knows.
            Self::Named(zone) => {
                let next = today
                    .tomorrow()
                    .ok()?
                    .to_zoned_datetime(zone.clone())
                    .ok()?;
                Some((today, next.timestamp().as_second()))
            }
        }
    }
}

/// Decides the freshness of a request's answer at `now`; `zone_of` tells a site's time zone
/// when it is known.
pub(crate) fn freshness(
    pairs: &[(String, String)],
    now: SystemTime,
    zone_of: impl FnOnce(u32) -> Option<SiteZone>,
) -> Freshness {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(date) = get("date") else {
        return Freshness::Live;
    };
    let period = get("period").unwrap_or("day");
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
    let known = get("idSite")
        .and_then(|s| s.parse::<u32>().ok())
        .and_then(zone_of)
        .and_then(|zone| zone.day_at(now));
    // Unknown: the day of the westernmost zone, and a new day possibly every quarter hour.
    let unknown = || {
        let westernmost = SiteZone::Fixed(EARLIEST_OFFSET_MINUTES).date_at(now)?;
        Some((
            westernmost,
            (now.div_euclid(QUARTER_HOUR) + 1) * QUARTER_HOUR,
        ))
    };
    let Some((today, next_day)) = known.or_else(unknown) else {
        return Freshness::Live;
    };
    // The next moment at which `yesterday` may name another day.
    let relative_for = || {
        Freshness::FinalFor(Duration::from_secs(
            u64::try_from(next_day - now).unwrap_or(0),
        ))
    };
    let end = match date.split_once(',') {
        Some((_, end)) => end,
        None if date.starts_with("last") => return Freshness::Live,
        None if date.starts_with("previous") => return relative_for(),
        None => date,
    };
    match end {
        "yesterday" => relative_for(),
        "today" | "now" => Freshness::Live,
        day => match day.parse::<Date>().ok().map(|d| period_end(d, period)) {
            Some(Some(end)) if end < today => Freshness::Final,
            _ => Freshness::Live,
        },
    }
}

/// The UTC offset in minutes of a time zone as Matomo names it, when the name alone says it:
/// `UTC` and fixed offsets such as `UTC+5.5` or `UTC-3` (Matomo's spelling, hours with a
/// decimal fraction of a quarter). Named zones such as `Europe/Berlin` need the time-zone
/// database (their offset changes with summer time) and give `None`.
fn fixed_offset_minutes(zone: &str) -> Option<i32> {
    let rest = zone.trim().strip_prefix("UTC")?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, hours) = match rest.as_bytes().first()? {
        b'+' => (1.0, &rest[1..]),
        b'-' => (-1.0, &rest[1..]),
        _ => return None,
    };
    if hours.is_empty() || !hours.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let minutes = sign * hours.parse::<f64>().ok()? * 60.0;
    // Every offset in use is a whole quarter hour between UTC-12 and UTC+14.
    let in_use = minutes % 15.0 == 0.0 && (-720.0..=840.0).contains(&minutes);
    // Checked above: a whole number of minutes within ±840.
    #[allow(clippy::cast_possible_truncation)]
    in_use.then_some(minutes as i32)
}

/// The last day of the `period` that contains `day`.
fn period_end(day: Date, period: &str) -> Option<Date> {
    match period {
        "day" | "range" => Some(day),
        // Matomo's weeks run Monday to Sunday.
        "week" => {
            let to_sunday = day.weekday().until(Weekday::Sunday);
            day.checked_add(Span::new().days(i64::from(to_sunday))).ok()
        }
        "month" => Some(day.last_of_month()),
        "year" => Some(day.last_of_year()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn at(y: i16, m: i8, d: i8, hour: i8) -> SystemTime {
        let utc = jiff::civil::date(y, m, d)
            .at(hour, 0, 0, 0)
            .to_zoned_datetime(TimeZone::UTC);
        SystemTime::try_from(utc.unwrap().timestamp()).unwrap()
    }

    fn of(pairs: &[(&str, &str)], now: SystemTime, zones: &BTreeMap<u32, SiteZone>) -> Freshness {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        freshness(&pairs, now, |site| zones.get(&site).cloned())
    }

    #[test]
    fn fixed_zones_are_read_and_named_ones_are_not() {
        for (zone, minutes) in [
            ("UTC", Some(0)),
            ("UTC+0", Some(0)),
            ("UTC+5.5", Some(330)),
            ("UTC-3", Some(-180)),
            ("UTC+12.75", Some(765)),
            ("UTC-12", Some(-720)),
            ("UTC+14", Some(840)),
            ("UTC+15", None),
            ("UTC+5.1", None),
            ("UTC+", None),
            ("UTC+a", None),
            ("UTC+1e1", None),
            ("Europe/Berlin", None),
            ("", None),
        ] {
            assert_eq!(fixed_offset_minutes(zone), minutes, "{zone}");
        }
    }

    #[test]
    fn a_learned_offset_makes_yesterday_final_at_the_sites_midnight() {
        // 02:00 UTC on the 26th: for a UTC site the 25th is over; assuming UTC-12, it is not.
        let now = at(2026, 11, 26, 2);
        let pairs = [("idSite", "1"), ("period", "day"), ("date", "2026-11-25")];
        assert_eq!(of(&pairs, now, &BTreeMap::new()), Freshness::Live);
        let utc = BTreeMap::from([(1, SiteZone::from_matomo("UTC").unwrap())]);
        assert_eq!(of(&pairs, now, &utc), Freshness::Final);
    }

    #[test]
    fn periods_end_on_sunday_and_the_last_of_month_and_year() {
        let day = |y, m, d| jiff::civil::date(y, m, d);
        assert_eq!(
            period_end(day(2026, 11, 26), "week"),
            Some(day(2026, 11, 29))
        );
        assert_eq!(
            period_end(day(2026, 11, 29), "week"),
            Some(day(2026, 11, 29))
        );
        assert_eq!(period_end(day(2024, 2, 3), "month"), Some(day(2024, 2, 29)));
        assert_eq!(period_end(day(2026, 5, 3), "year"), Some(day(2026, 12, 31)));
        assert_eq!(period_end(day(2026, 5, 3), "range"), Some(day(2026, 5, 3)));
        assert_eq!(period_end(day(2026, 5, 3), "decade"), None);
    }

    #[test]
    fn past_periods_are_final_and_current_ones_live() {
        let none = BTreeMap::new();
        let now = at(2026, 11, 26, 15);
        let day = |date| of(&[("period", "day"), ("date", date)], now, &none);
        assert_eq!(day("2026-11-24"), Freshness::Final);
        assert_eq!(day("2026-11-26"), Freshness::Live);
        assert_eq!(day("today"), Freshness::Live);
        assert_eq!(day("last7"), Freshness::Live);
        assert!(matches!(day("yesterday"), Freshness::FinalFor(_)));
        assert!(matches!(day("previous7"), Freshness::FinalFor(_)));
        assert_eq!(day("nonsense"), Freshness::Live);
        let period = |period, date| of(&[("period", period), ("date", date)], now, &none);
        assert_eq!(period("week", "2026-11-23"), Freshness::Live);
        assert_eq!(period("week", "2026-11-16"), Freshness::Final);
        assert_eq!(period("month", "2026-11-01"), Freshness::Live);
        assert_eq!(period("month", "2026-10-31"), Freshness::Final);
        assert_eq!(period("range", "2026-11-01,2026-11-20"), Freshness::Final);
        assert_eq!(period("range", "2026-11-01,today"), Freshness::Live);
        assert!(matches!(
            period("range", "2026-11-01,yesterday"),
            Freshness::FinalFor(_)
        ));
        assert_eq!(of(&[("idSite", "1")], now, &none), Freshness::Live);
    }

    #[test]
    fn without_a_time_zone_yesterday_in_utc_is_not_yet_final() {
        // 05:00 UTC on the 26th is still the 25th at UTC−12: the 25th may still get visits.
        let now = at(2026, 11, 26, 5);
        let pairs = [("idSite", "1"), ("period", "day"), ("date", "2026-11-25")];
        assert_eq!(of(&pairs, now, &BTreeMap::new()), Freshness::Live);
        let berlin = BTreeMap::from([(1, SiteZone::Fixed(60))]);
        assert_eq!(of(&pairs, now, &berlin), Freshness::Final);
    }

    #[test]
    fn relative_dates_expire_at_the_next_possible_midnight() {
        let now = at(2026, 11, 26, 15) + Duration::from_secs(60);
        let pairs = [("idSite", "1"), ("period", "day"), ("date", "yesterday")];
        assert_eq!(
            of(&pairs, now, &BTreeMap::new()),
            Freshness::FinalFor(Duration::from_secs(14 * 60))
        );
        let berlin = BTreeMap::from([(1, SiteZone::Fixed(60))]);
        assert_eq!(
            of(&pairs, now, &berlin),
            Freshness::FinalFor(Duration::from_secs(8 * 3_600 - 60))
        );
    }

    fn named(zone: &str) -> BTreeMap<u32, SiteZone> {
        let zone = SiteZone::from_matomo(zone).unwrap();
        assert!(matches!(zone, SiteZone::Named(_)));
        BTreeMap::from([(1, zone)])
    }

    #[test]
    fn named_zones_come_from_the_time_zone_database() {
        assert!(SiteZone::from_matomo("Europe/Berlin").is_some());
        assert!(SiteZone::from_matomo(" America/New_York ").is_some());
        assert!(matches!(
            SiteZone::from_matomo("UTC+2"),
            Some(SiteZone::Fixed(120))
        ));
        assert!(SiteZone::from_matomo("Mars/Olympus_Mons").is_none());
        assert!(SiteZone::from_matomo("").is_none());
        // Berlin is UTC+1 in winter and UTC+2 in summer.
        let berlin = SiteZone::from_matomo("Europe/Berlin").unwrap();
        let seconds = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        assert_eq!(berlin.offset_at(seconds(at(2026, 1, 15, 12))), Some(3_600));
        assert_eq!(berlin.offset_at(seconds(at(2026, 7, 15, 12))), Some(7_200));
    }

    #[test]
    fn a_named_zone_ends_the_day_at_the_sites_midnight_in_summer_and_winter() {
        let pairs = [("idSite", "1"), ("period", "day"), ("date", "2026-07-14")];
        let berlin = named("Europe/Berlin");
        // 21:30 UTC on 14 July is 23:30 in Berlin (UTC+2): the 14th is not over; 22:30 UTC is
        // 00:30 on the 15th: it is. A fixed UTC+1 would wait an hour longer.
        let summer = at(2026, 7, 14, 21) + Duration::from_secs(1_800);
        assert_eq!(of(&pairs, summer, &berlin), Freshness::Live);
        assert_eq!(
            of(&pairs, summer + Duration::from_secs(3_600), &berlin),
            Freshness::Final
        );
        let pairs = [("idSite", "1"), ("period", "day"), ("date", "2026-11-25")];
        // In November Berlin is UTC+1: 23:30 UTC on the 25th is 00:30 on the 26th.
        let winter = at(2026, 11, 25, 22) + Duration::from_secs(1_800);
        assert_eq!(of(&pairs, winter, &berlin), Freshness::Live);
        assert_eq!(
            of(&pairs, winter + Duration::from_secs(3_600), &berlin),
            Freshness::Final
        );
    }

    #[test]
    fn yesterday_expires_at_the_next_midnight_even_across_a_summer_time_change() {
        let pairs = [("idSite", "1"), ("period", "day"), ("date", "yesterday")];
        // Berlin moves to summer time at 02:00 on 29 March 2026, so that day has 23 hours.
        // At 00:30 local (23:30 UTC on the 28th) the next midnight is 22:00 UTC on the 29th:
        // 22.5 hours away, not the 23.5 hours the winter offset would give.
        let now = at(2026, 3, 28, 23) + Duration::from_secs(1_800);
        assert_eq!(
            of(&pairs, now, &named("Europe/Berlin")),
            Freshness::FinalFor(Duration::from_secs(22 * 3_600 + 1_800))
        );
        // New York leaves summer time on 1 November 2026 (a 25-hour day): at 00:30 local
        // (04:30 UTC) the next midnight is 05:00 UTC on the 2nd, 24.5 hours away.
        let now = at(2026, 11, 1, 4) + Duration::from_secs(1_800);
        assert_eq!(
            of(&pairs, now, &named("America/New_York")),
            Freshness::FinalFor(Duration::from_secs(24 * 3_600 + 1_800))
        );
    }
}
