//! Whether a request's period is over, so its answer can never change.
//!
//! Matomo reads `date` in the site's time zone. When neither the configuration
//! nor Matomo's site list told the site's time zone, the earliest time zone
//! Matomo knows (UTC−12) decides what "before today" means, so nothing is ever
//! treated as final too early.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::tz::TimeZone;

const DAY: i64 = 86_400;
/// The westernmost UTC offset Matomo accepts, in seconds.
const EARLIEST_OFFSET: i64 = -12 * 3_600;
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

    /// The local day at `now` (days since 1970-01-01) and the instant the next one starts.
    fn day_at(&self, now: i64) -> Option<(i64, i64)> {
        match self {
            Self::Fixed(_) => {
                let offset = self.offset_at(now)?;
                let today = (now + offset).div_euclid(DAY);
                Some((today, (today + 1) * DAY - offset))
            }
            // The next midnight may have another offset than now (summer time starts or ends
            // tonight), and in a few zones midnight itself is skipped: the database knows.
            Self::Named(zone) => {
                let local = zone.to_datetime(Timestamp::from_second(now).ok()?).date();
                let today = days(
                    i64::from(local.year()),
                    i64::from(local.month()),
                    i64::from(local.day()),
                );
                let next = local
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
    let (today, next_day) = known.unwrap_or((
        (now + EARLIEST_OFFSET).div_euclid(DAY),
        (now.div_euclid(QUARTER_HOUR) + 1) * QUARTER_HOUR,
    ));
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
        day => match parse_day(day).map(|d| period_end(d, period)) {
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

/// The last day of the `period` that contains `day` (days since 1970-01-01).
fn period_end(day: i64, period: &str) -> Option<i64> {
    let (y, m, _) = civil(day);
    match period {
        "day" | "range" => Some(day),
        // 1970-01-01 was a Thursday; Matomo's weeks run Monday to Sunday.
        "week" => Some(day - (day + 3).rem_euclid(7) + 6),
        "month" => {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            Some(days(ny, nm, 1) - 1)
        }
        "year" => Some(days(y + 1, 1, 1) - 1),
        _ => None,
    }
}

/// `YYYY-MM-DD` as days since 1970-01-01.
fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days(y, m, d))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of days since 1970-01-01.
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn at(y: i64, m: i64, d: i64, hour: i64) -> SystemTime {
        let secs = days(y, m, d) * DAY + hour * 3_600;
        UNIX_EPOCH + Duration::from_secs(secs as u64)
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
    fn calendar_round_trips() {
        for day in [-800_000, -1, 0, 1, 19_000, 20_783, 2_000_000] {
            let (y, m, d) = civil(day);
            assert_eq!(days(y, m, d), day);
        }
        assert_eq!(days(2026, 11, 26), 20_783);
        assert_eq!(
            period_end(days(2026, 11, 26), "week"),
            Some(days(2026, 11, 29))
        );
        assert_eq!(
            period_end(days(2024, 2, 3), "month"),
            Some(days(2024, 2, 29))
        );
        assert_eq!(
            period_end(days(2026, 5, 3), "year"),
            Some(days(2026, 12, 31))
        );
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
