//! The sites' time zones: Matomo puts a visit on the day, week and month of its site's local
//! time, and reports server hours in it, so the dataset draws each site's visits over local
//! days and the reports read local hours. Only the zones the dataset's sites use, with today's
//! DST rules (the EU's since 1996, the US's since 2007); any other name is UTC.

use super::Site;
use crate::calendar::Day;

const HOUR: i64 = 3_600;

/// The last Sunday of a month whose last day is `last`.
fn last_sunday(last: Day) -> Day {
    last.plus(-((last.weekday() + 1) % 7))
}

/// The `n`th Sunday (1-based) of the month starting on `first`.
fn nth_sunday(first: Day, n: i64) -> Day {
    first.plus((6 - first.weekday()) + 7 * (n - 1))
}

/// Seconds east of UTC of the IANA zone `timezone` at the instant `ts`.
pub(crate) fn utc_offset(timezone: &str, ts: i64) -> i64 {
    let (year, _, _) = Day(ts.div_euclid(86_400)).ymd();
    let day = |m, d| Day::from_ymd(year, m, d).unwrap_or(Day(0));
    match timezone {
        // Summer time from 01:00 UTC on March's last Sunday to 01:00 UTC on October's.
        "Europe/Berlin" => {
            let start = last_sunday(day(3, 31)).midnight_ts() + HOUR;
            let end = last_sunday(day(10, 31)).midnight_ts() + HOUR;
            if (start..end).contains(&ts) {
                2 * HOUR
            } else {
                HOUR
            }
        }
        // Daylight time from 02:00 local (07:00 UTC) on March's second Sunday to 02:00 local
        // (06:00 UTC) on November's first.
        "America/New_York" => {
            let start = nth_sunday(day(3, 1), 2).midnight_ts() + 7 * HOUR;
            let end = nth_sunday(day(11, 1), 1).midnight_ts() + 6 * HOUR;
            if (start..end).contains(&ts) {
                -4 * HOUR
            } else {
                -5 * HOUR
            }
        }
        _ => 0,
    }
}

impl Site {
    /// Seconds east of UTC of the site's time zone at the instant `ts`.
    pub fn utc_offset(&self, ts: i64) -> i64 {
        utc_offset(&self.timezone, ts)
    }

    /// The instant the site's local `day` starts (its local midnight, in Unix seconds).
    pub fn local_midnight(&self, day: Day) -> i64 {
        let utc = day.midnight_ts();
        // The offset a little after midnight: no zone here changes it around midnight.
        utc - self.utc_offset(utc - utc_offset(&self.timezone, utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i64, m: u32, d: u32, h: i64) -> i64 {
        Day::from_ymd(y, m, d).map_or(0, Day::midnight_ts) + h * HOUR
    }

    #[test]
    fn offsets_follow_the_dst_rules() {
        // 2026: EU summer time 29 March – 25 October, US daylight time 8 March – 1 November.
        assert_eq!(utc_offset("Europe/Berlin", ts(2026, 3, 29, 0)), HOUR);
        assert_eq!(utc_offset("Europe/Berlin", ts(2026, 3, 29, 1)), 2 * HOUR);
        assert_eq!(utc_offset("Europe/Berlin", ts(2026, 10, 25, 0)), 2 * HOUR);
        assert_eq!(utc_offset("Europe/Berlin", ts(2026, 10, 25, 1)), HOUR);
        assert_eq!(utc_offset("Europe/Berlin", ts(2026, 11, 20, 12)), HOUR);
        assert_eq!(utc_offset("America/New_York", ts(2026, 3, 8, 6)), -5 * HOUR);
        assert_eq!(utc_offset("America/New_York", ts(2026, 3, 8, 7)), -4 * HOUR);
        assert_eq!(
            utc_offset("America/New_York", ts(2026, 11, 1, 5)),
            -4 * HOUR
        );
        assert_eq!(
            utc_offset("America/New_York", ts(2026, 11, 1, 6)),
            -5 * HOUR
        );
        assert_eq!(utc_offset("UTC", ts(2026, 7, 1, 0)), 0);
    }
}
