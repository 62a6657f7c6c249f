//! Whether a request's period is over, so its answer can never change.
//!
//! Matomo reads `date` in the site's time zone. When neither the configuration
//! nor Matomo's site list (for `UTC` and fixed `UTC±x` zones) told the site's UTC
//! offset, the earliest time zone Matomo knows (UTC−12) decides what "before
//! today" means, so nothing is ever treated as final too early.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// Decides the freshness of a request's answer at `now`.
pub(crate) fn freshness(
    pairs: &[(String, String)],
    now: SystemTime,
    offsets: &BTreeMap<u32, i32>,
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
    let offset = get("idSite")
        .and_then(|s| s.parse::<u32>().ok())
        .and_then(|site| offsets.get(&site))
        .map(|minutes| i64::from(*minutes) * 60);
    let today = (now + offset.unwrap_or(EARLIEST_OFFSET)).div_euclid(DAY);
    // The next moment at which `yesterday` may name another day.
    let relative_for = || {
        let next = match offset {
            Some(offset) => ((now + offset).div_euclid(DAY) + 1) * DAY - offset,
            None => (now.div_euclid(QUARTER_HOUR) + 1) * QUARTER_HOUR,
        };
        Freshness::FinalFor(Duration::from_secs(u64::try_from(next - now).unwrap_or(0)))
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
/// decimal fraction of a quarter). Named zones such as `Europe/Berlin` need a time-zone
/// database (their offset changes with summer time) and give `None`.
pub(crate) fn fixed_offset_minutes(zone: &str) -> Option<i32> {
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
    use super::*;

    fn at(y: i64, m: i64, d: i64, hour: i64) -> SystemTime {
        let secs = days(y, m, d) * DAY + hour * 3_600;
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    }

    fn of(pairs: &[(&str, &str)], now: SystemTime, offsets: &BTreeMap<u32, i32>) -> Freshness {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        freshness(&pairs, now, offsets)
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
        let utc = BTreeMap::from([(1, fixed_offset_minutes("UTC").unwrap())]);
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
        let berlin = BTreeMap::from([(1, 60)]);
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
        let berlin = BTreeMap::from([(1, 60)]);
        assert_eq!(
            of(&pairs, now, &berlin),
            Freshness::FinalFor(Duration::from_secs(8 * 3_600 - 60))
        );
    }
}
