//! `period` and `date` parameters turned into concrete day ranges with Matomo's labels.

use super::errors::{self, ApiError};
use super::range;
use crate::calendar::Day;

/// The period kinds Matomo knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Day,
    Week,
    Month,
    Year,
    Range,
}

/// One concrete period.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Period {
    pub kind: Kind,
    /// The first day: for a range, Matomo's (`getDateStart`), its first part's first day, which
    /// is before the day asked when Matomo takes a week from its Monday ([`range`](super::range)).
    pub start: Day,
    /// The last day: for a range, the day asked (Matomo's `getDateEnd`), even when its last part
    /// ends later.
    pub end: Day,
    /// A range's parts, in date order, as Matomo builds them given its today
    /// ([`range::subperiods`]); empty for other kinds.
    pub parts: Vec<Period>,
}

impl Period {
    /// The key Matomo uses when several periods are returned.
    pub(crate) fn label(&self) -> String {
        let (y, m, _) = self.start.ymd();
        match self.kind {
            Kind::Day => self.start.to_string(),
            Kind::Week | Kind::Range => format!("{},{}", self.start, self.end),
            Kind::Month => format!("{y:04}-{m:02}"),
            Kind::Year => format!("{y:04}"),
        }
    }

    fn containing(kind: Kind, d: Day) -> Period {
        let (start, end) = match kind {
            Kind::Day | Kind::Range => (d, d),
            Kind::Week => (d.week_start(), d.week_start().plus(6)),
            Kind::Month => (d.month_start(), d.month_end()),
            Kind::Year => {
                let (y, _, _) = d.ymd();
                (
                    Day::from_ymd(y, 1, 1).unwrap_or(d),
                    Day::from_ymd(y, 12, 31).unwrap_or(d),
                )
            }
        };
        Period {
            kind,
            start,
            end,
            parts: Vec::new(),
        }
    }

    fn step(&self, n: i64) -> Period {
        let d = match self.kind {
            Kind::Day | Kind::Range => self.start.plus(n),
            Kind::Week => self.start.plus(7 * n),
            Kind::Month => self.start.plus_months(n),
            Kind::Year => self.start.plus_months(12 * n),
        };
        Period::containing(self.kind, d)
    }
}

/// The requested periods, and whether the answer is keyed by period label.
#[derive(Debug, Clone)]
pub(crate) struct Periods {
    pub list: Vec<Period>,
    pub multi: bool,
}

fn parse_day(s: &str, today: Day) -> Result<Day, ApiError> {
    match s {
        "today" | "now" => Ok(today),
        "yesterday" => Ok(today.plus(-1)),
        _ => Day::parse(s).ok_or_else(|| ApiError::payload(errors::BAD_DATE)),
    }
}

fn last_n(s: &str) -> Option<(bool, i64)> {
    if let Some(n) = s.strip_prefix("last") {
        return n.parse().ok().filter(|n| *n > 0).map(|n| (true, n));
    }
    s.strip_prefix("previous")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .map(|n| (false, n))
}

/// Parses `period` and `date` against the emulator's "today": the dataset's, the same day for
/// every site (its `today` in the site's own time zone, as Matomo's is for a range: the site's
/// today at midnight). A range's parts depend on it ([`range::subperiods`]).
pub(crate) fn parse(
    period: Option<&str>,
    date: Option<&str>,
    today: Day,
) -> Result<Periods, ApiError> {
    let period = period.ok_or_else(|| ApiError::payload(errors::missing("period")))?;
    let kind = match period {
        "day" => Kind::Day,
        "week" => Kind::Week,
        "month" => Kind::Month,
        "year" => Kind::Year,
        "range" => Kind::Range,
        other => return Err(ApiError::payload(errors::bad_period(other))),
    };
    let date = date.ok_or_else(|| ApiError::payload(errors::missing("date")))?;
    if kind == Kind::Range {
        let (start, end) = if let Some((last, n)) = last_n(date) {
            let end = if last { today } else { today.plus(-1) };
            (end.plus(1 - n), end)
        } else if let Some((a, b)) = date.split_once(',') {
            (parse_day(a, today)?, parse_day(b, today)?)
        } else {
            return Err(ApiError::payload(errors::bad_range(date)));
        };
        // Its visits are those of `start..=end` with Matomo's start: the days of a week taken
        // whole before the range's first day count. Days of a last part after `end` are after
        // today, where no visit is.
        // Two equal days written out are archived as that day
        // (`Period\Factory::convertRangeToDateIfNeeded`), though answered as a range.
        let parts = match date.split_once(',') {
            Some((a, b)) if a == b => vec![Period::containing(Kind::Day, start)],
            _ => range::subperiods(start, end, today),
        };
        let start = parts.first().map_or(start, |p| p.start.min(start));
        return Ok(Periods {
            list: vec![Period {
                kind,
                start,
                end,
                parts,
            }],
            multi: false,
        });
    }
    if let Some((last, n)) = last_n(date) {
        let anchor = Period::containing(kind, today);
        let newest = if last { anchor } else { anchor.step(-1) };
        let list = (0..n.min(500)).rev().map(|i| newest.step(-i)).collect();
        return Ok(Periods { list, multi: true });
    }
    if let Some((a, b)) = date.split_once(',') {
        let (a, b) = (parse_day(a, today)?, parse_day(b, today)?);
        let mut list = Vec::new();
        let mut p = Period::containing(kind, a);
        while p.start <= b && list.len() < 1000 {
            list.push(p.clone());
            p = p.step(1);
        }
        return Ok(Periods { list, multi: true });
    }
    let d = parse_day(date, today)?;
    Ok(Periods {
        list: vec![Period::containing(kind, d)],
        multi: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_matomo() {
        let today = Day::parse("2026-11-26").unwrap();
        let w = parse(Some("week"), Some("last3"), today).unwrap();
        let labels: Vec<String> = w.list.iter().map(Period::label).collect();
        assert_eq!(
            labels,
            [
                "2026-11-09,2026-11-15",
                "2026-11-16,2026-11-22",
                "2026-11-23,2026-11-29"
            ]
        );
        let m = parse(Some("month"), Some("last3"), today).unwrap();
        assert_eq!(
            m.list.iter().map(Period::label).collect::<Vec<_>>(),
            ["2026-09", "2026-10", "2026-11"]
        );
        let d = parse(Some("day"), Some("2026-11-18,2026-11-20"), today).unwrap();
        assert_eq!(d.list.len(), 3);
        assert!(d.multi);
        assert!(parse(Some("range"), Some("2026-11-25"), today).is_err());
        assert!(parse(Some("day"), Some("not-a-date"), today).is_err());
        assert_eq!(
            parse(Some("year"), Some("2026-01-01"), today).unwrap().list[0].label(),
            "2026"
        );
    }
}
