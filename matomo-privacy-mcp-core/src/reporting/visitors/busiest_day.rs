//! A row of a week, a month or a range proven by its segment on one day, its busiest, before
//! its segment over the whole period is asked.
//!
//! Some reports' rows carry no distinct count Matomo 5.0.2 can be believed on (referrers,
//! languages, site search keywords, OS versions joined by the API: `models::summed`), and no
//! finer report proves them ([`finer`](super::finer)): each such row that could reach the
//! page was counted by its segment over the period, and a segment over a month is an archive
//! of the month from raw visits.
//!
//! # Proof
//!
//! Let `R` be a row's visits in the period (within the caller's segment and the report's
//! covered visits), `R_d` those of day `d`, and `A_d` the visits its segment `S` (built as for
//! the period: the row's own segment, within the report's visits and scope) selects on `d`.
//!
//! 1. A visit belongs to one day, that of its last action (Matomo's `LogAggregator` selects a
//!    period's visits by `visit_last_action_time`), so the period's visits are its days'
//!    together: `R_d ⊆ R`, and `S` on `d` selects visits of the period.
//! 2. `S` is Matomo's own segment for the row (the same string on every day and over the
//!    period for the same dimension value: the row is matched to its day rows by it, not by
//!    its label), built to select the row's visits and narrowed only by conditions every row
//!    visit meets. As [`broader_than`](crate::reporting::pipeline) reasons for the period, a
//!    segment that selects no more visits on `d` than the row counts on `d` (`nb_visits` of
//!    the row in day `d`'s table, the same report within the same segment) selected no visit
//!    outside `R_d`: `A_d ⊆ R_d ⊆ R`, so `A_d`'s distinct visitors (Matomo's exact count for
//!    a day) are among the row's, a lower bound on them. The check is made against the day's
//!    row, never the period's: a segment broader than the row on one day may select fewer
//!    visits than the row has over the month and still take in people outside it.
//! 3. A segment appearing on more than one row (of the answer, or of one day's table) is not
//!    used: its rows' visits could not be told apart, and a sum of two rows' visits would let a
//!    broader segment pass. A merged row (its segment the OR of its parts') has no day row of
//!    that segment, and is asked over the period as before.
//!
//! So a row whose day count passes the check and reaches `k` is proven by it, and its segment
//! over the period is not asked. It was then not *counted* over the period, so over a longer
//! period than a day no "Other" row is asked beside it (the pipeline's `other_visitors`).
//!
//! # Cost
//!
//! Matomo 5.0.2 archives a segment on request for each period it is asked for: a day's
//! archive from that day's raw visits; a week's or a month's by aggregating its days' archives
//! of the segment (each built from raw visits first) and counting the period's distinct
//! visitors from the raw visits of the whole period (`enable_processing_unique_visitors_week`
//! and `_month`, on by default). A month's segment thus reads the month's visits about twice,
//! a day's one day's: about a thirtieth (0.5–6 s against a few hundredths here).
//!
//! The days' tables cost one request of plain archives (`period=day`, the period's days as
//! one multi-period answer, within the caller's segment: the same archives the period's own
//! report was aggregated from), asked only when some row would otherwise be counted over the
//! period. A row whose busiest day has fewer than `k` visits is not asked on a day (its
//! visitors that day are fewer than `k`, so it cannot pass by them, and the request would be
//! added to the period's). Each day with rows to ask is one bulk request of day segments
//! ([`Visitors::on_day`]), so rows share days where they can ([`plan_days`]: a row's busiest
//! day, or a day of at least twice `k` visits that serves more rows); a row that falls short on
//! a shared day is asked again on its busiest day (one more request, only then) before the
//! period's segment, which costs ten to a hundred times more. Only a week, a month or a range
//! of at most [`MAX_DAYS`](super::spans::MAX_DAYS) known days.

use std::collections::{BTreeMap, BTreeSet};

use super::Visitors;
use super::spans::{DaySpan, day};
use crate::client::Nested;
use crate::minimise::ReportRow;
use crate::params::{Day, Limit, Params, Period, Sites, Sort};
use crate::privacy::Reveal;
use crate::reporting::SourceRow;
use crate::reporting::pipeline::{RowReport, UPSTREAM_ROW_CAP, counted_visits, kept_rows};
use crate::segment::Segment;

/// The visits of each row on each day, by the row's segment and the day; a segment on more
/// than one row of a day is in `ambiguous` instead.
#[derive(Debug, Default)]
struct DayVisits {
    visits: BTreeMap<String, BTreeMap<jiff::civil::Date, f64>>,
    ambiguous: BTreeSet<String>,
}

impl DayVisits {
    /// Reads the days' tables of one multi-period answer.
    fn of(tables: &[(jiff::civil::Date, &Vec<SourceRow>)]) -> Self {
        let mut out = Self::default();
        for (date, rows) in tables {
            let mut seen = BTreeSet::new();
            for row in rows.iter() {
                let Some(segment) = &row.segment else {
                    continue;
                };
                let segment = segment.reveal_text();
                if !seen.insert(segment) {
                    out.ambiguous.insert(segment.to_owned());
                }
                if let Some(visits) = counted_visits(&row.metrics) {
                    out.visits
                        .entry(segment.to_owned())
                        .or_default()
                        .insert(*date, visits);
                }
            }
        }
        out
    }

    /// The visits of the rows of `segment` by day; `None` for a segment without day rows, or on
    /// several rows of one day.
    fn of_segment(&self, segment: &str) -> Option<&BTreeMap<jiff::civil::Date, f64>> {
        if self.ambiguous.contains(segment) {
            return None;
        }
        self.visits.get(segment)
    }
}

/// The day of the most visits (the earliest of equals), and those visits.
fn busiest(days: &BTreeMap<jiff::civil::Date, f64>) -> Option<(jiff::civil::Date, f64)> {
    days.iter().fold(None, |best, (&d, &v)| match best {
        Some((_, most)) if most >= v => best,
        _ => Some((d, v)),
    })
}

/// A row asked on a day other than its busiest needs at least this many times `k` visits there:
/// a day of many visits most likely has `k` distinct visitors among them (on the realistic
/// month, a row's visitors on a day were 75–100 % of its visits), and a day that falls short
/// leaves the row to the period's segment, the cost this avoids.
const OTHER_DAY_VISITS_PER_K: f64 = 2.0;

/// The day each row is asked on, with its visits there (`None`: not asked on a day), given each
/// row's visits by day (`None` for a row without day rows of its own).
///
/// Any day of the period proves a row the same way (the module's proof), so the days are chosen
/// for cost: each is one request, each row one day segment in it. A row whose busiest day has
/// fewer than `k` visits is not asked (fewer than `k` visitors that day). Each other row may be
/// asked on its busiest day or on any day where it had at least [`OTHER_DAY_VISITS_PER_K`] × `k`
/// visits; the day that serves the most rows not yet placed is taken first (the earliest of
/// equals), until every row has one.
fn plan_days(
    rows: &[Option<&BTreeMap<jiff::civil::Date, f64>>],
    k: u64,
) -> Vec<Option<(jiff::civil::Date, f64)>> {
    let k = k as f64;
    // Per row: the days it may be asked on.
    let eligible: Vec<Vec<(jiff::civil::Date, f64)>> = rows
        .iter()
        .map(|days| {
            let Some(days) = days else {
                return Vec::new();
            };
            let most = days.values().copied().fold(0.0, f64::max);
            if most < k {
                return Vec::new();
            }
            days.iter()
                .filter(|&(_, &v)| v >= most || v >= OTHER_DAY_VISITS_PER_K * k)
                .map(|(&d, &v)| (d, v))
                .collect()
        })
        .collect();
    let mut planned: Vec<Option<(jiff::civil::Date, f64)>> = vec![None; rows.len()];
    loop {
        let mut serves: BTreeMap<jiff::civil::Date, usize> = BTreeMap::new();
        for (row, days) in eligible.iter().enumerate() {
            if planned[row].is_none() {
                for (d, _) in days {
                    *serves.entry(*d).or_default() += 1;
                }
            }
        }
        // The most rows served; the earliest day of equals (`max_by_key` keeps the last).
        let Some((&day, _)) = serves.iter().rev().max_by_key(|&(_, &n)| n) else {
            return planned;
        };
        for (row, days) in eligible.iter().enumerate() {
            if planned[row].is_none()
                && let Some(&(_, v)) = days.iter().find(|(d, _)| *d == day)
            {
                planned[row] = Some((day, v));
            }
        }
    }
}

/// A row asked on a day: its place in the rows asked, and its visits that day.
type AskedAt = (usize, f64);

/// Whether a segment's count on a day (`known_visits` visits) proves its row there: it selected
/// no more visits than the row counts that day (`day_visits`, the row's own in that day's
/// table: the module's proof, step 2) and its visitors reach `k`.
pub(crate) fn proves_on_day(known: super::Known, day_visits: f64, k: u64) -> bool {
    known.visits as f64 <= day_visits && known.visitors >= k
}

impl Visitors<'_> {
    /// Proves rows of `rows` (of `report`, for this site, period and base segment) by their
    /// segments on their busiest days (the module's proof): `asked` pairs each row's index with
    /// the segment its visitors are counted by; what is returned is the part of `asked` still to
    /// count over the period. Nothing is proven (and `asked` is returned whole) for a day, a
    /// period whose days are not known or are more than
    /// [`MAX_DAYS`](super::spans::MAX_DAYS), or when Matomo does not answer the days' tables or
    /// a day's counts (the period's count is then asked as before).
    pub(crate) async fn prove_on_busiest_days(
        &self,
        report: &RowReport<'_>,
        end: u32,
        rows: &mut [ReportRow],
        asked: Vec<(usize, Segment)>,
        k: u64,
    ) -> Vec<(usize, Segment)> {
        let Some(span) = self.day_span().filter(|span| span.days() > 1) else {
            return asked;
        };
        if asked.is_empty() {
            return asked;
        }
        // Rows with a segment of their own: on no other row of the answer.
        let mut on_rows: BTreeMap<&str, usize> = BTreeMap::new();
        for row in rows.iter() {
            if let Some(segment) = &row.segment {
                *on_rows.entry(segment.reveal_text()).or_default() += 1;
            }
        }
        let own_segment = |i: usize| -> Option<String> {
            let text = rows.get(i)?.segment.as_ref()?.reveal_text();
            (on_rows.get(text) == Some(&1)).then(|| text.to_owned())
        };
        let keyed: Vec<Option<String>> = asked.iter().map(|(i, _)| own_segment(*i)).collect();
        if keyed.iter().all(Option::is_none) {
            return asked;
        }
        let Some(by_day) = self.day_visits(report, end, span).await else {
            return asked;
        };
        let days_of: Vec<_> = keyed
            .iter()
            .map(|key| key.as_deref().and_then(|key| by_day.of_segment(key)))
            .collect();
        let planned = plan_days(&days_of, k);
        let mut proven = vec![false; asked.len()];
        self.ask_on_days(&planned, &asked, rows, k, &mut proven)
            .await;
        // A row that fell short on a day shared with others is asked once more on its busiest
        // day (one more request, only then), before the period's segment.
        let again: Vec<Option<(jiff::civil::Date, f64)>> = planned
            .iter()
            .zip(&days_of)
            .zip(&proven)
            .map(|((planned, days), &proven)| {
                let busiest = busiest(days.as_ref()?)?;
                (!proven && planned.is_some_and(|(d, _)| d != busiest.0)).then_some(busiest)
            })
            .collect();
        self.ask_on_days(&again, &asked, rows, k, &mut proven).await;
        asked
            .into_iter()
            .zip(proven)
            .filter(|(_, proven)| !proven)
            .map(|(asked, _)| asked)
            .collect()
    }

    /// Asks each row of `asked` that `planned` gives a day (with its visits there) on that day
    /// ([`counted_on_days`](Self::counted_on_days)), and proves it by the count that passes
    /// [`proves_on_day`], marking it in `proven`.
    async fn ask_on_days(
        &self,
        planned: &[Option<(jiff::civil::Date, f64)>],
        asked: &[(usize, Segment)],
        rows: &mut [ReportRow],
        k: u64,
        proven: &mut [bool],
    ) {
        // Per day, the rows asked on it: their place in `asked` and their visits that day.
        let mut on_day: BTreeMap<Day, Vec<(AskedAt, Segment)>> = BTreeMap::new();
        for (at, planned) in planned.iter().enumerate() {
            if let Some((date, visits)) = *planned
                && let (Some(day), Some((_, segment))) = (day(date), asked.get(at))
            {
                on_day
                    .entry(day)
                    .or_default()
                    .push(((at, visits), segment.clone()));
            }
        }
        for ((at, day_visits), known) in self.counted_on_days(on_day).await {
            if !proves_on_day(known, day_visits, k) {
                continue;
            }
            if let (Some(row), Some(proven)) = (
                asked.get(at).and_then(|(i, _)| rows.get_mut(*i)),
                proven.get_mut(at),
            ) {
                row.prove_visitors(known.visitors);
                *proven = true;
            }
        }
    }

    /// The report's rows on each day of `span`, within the base segment: one request of the
    /// days' archives, at most as many rows a day as the period's report was asked for (most
    /// visits first, [`kept_rows`]); `None` when Matomo did not answer it, or answered for a
    /// day outside the span ([`DaySpan::day_of`]).
    async fn day_visits(
        &self,
        report: &RowReport<'_>,
        end: u32,
        span: DaySpan,
    ) -> Option<DayVisits> {
        let date = span.date()?;
        let kept = kept_rows(report.method, end);
        let mut params = Params::new()
            .sites(Sites::one(self.site).ok()?)
            .period(Period::Day)
            .date(date)
            .flat(report.flat)
            .limit(Limit::rows(kept.unwrap_or(UPSTREAM_ROW_CAP)).ok()?)
            .with("showColumns", "nb_visits,entry_nb_visits")
            .ok()?;
        if kept.is_some() {
            params = params.sort(Sort::desc("nb_visits").ok()?);
        }
        if let Some(base) = self.base {
            params = params.segment(base.clone());
        }
        let answer = self
            .client
            .report_of::<Vec<SourceRow>>(report.method, report.fixed, &params)
            .await
            .ok()?;
        let Nested::Periods(by_period) = answer else {
            return None;
        };
        let mut tables = Vec::with_capacity(by_period.len());
        for (label, table) in &by_period {
            let date = span.day_of(&label.0)?;
            if let Some(rows) = table.data() {
                tables.push((date, rows));
            }
        }
        Some(DayVisits::of(&tables))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reporting::visitors::Known;

    fn rows(body: &str) -> Vec<SourceRow> {
        serde_json::from_str(body).unwrap()
    }

    fn date(text: &str) -> jiff::civil::Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_rows_days_are_found_by_its_segment_not_its_label() {
        let one = rows(
            r#"[{"label":"Google","nb_visits":4,"segment":"referrerName==Google"},
                {"label":"Bing","nb_visits":9,"segment":"referrerName==Bing"}]"#,
        );
        let two = rows(
            r#"[{"label":"Google (renamed)","nb_visits":7,"segment":"referrerName==Google"},
                {"label":"Bing","nb_visits":9,"segment":"referrerName==Bing"},
                {"label":"Others","nb_visits":50}]"#,
        );
        let days = DayVisits::of(&[(date("2026-11-01"), &one), (date("2026-11-02"), &two)]);
        let google = days.of_segment("referrerName==Google").unwrap();
        assert_eq!(google.get(&date("2026-11-02")), Some(&7.0));
        assert_eq!(google.len(), 2);
        assert!(days.of_segment("referrerName==Yahoo").is_none());
    }

    #[test]
    fn a_segment_on_two_rows_of_a_day_proves_nothing() {
        let one = rows(
            r#"[{"label":"iOS 17.1","nb_visits":30,"segment":"operatingSystemCode==IPA;operatingSystemVersion==17.1"},
                {"label":"iPadOS 17.1","nb_visits":9,"segment":"operatingSystemCode==IPA;operatingSystemVersion==17.1"}]"#,
        );
        let days = DayVisits::of(&[(date("2026-11-01"), &one)]);
        assert!(
            days.of_segment("operatingSystemCode==IPA;operatingSystemVersion==17.1")
                .is_none()
        );
    }

    #[test]
    fn rows_share_a_day_where_each_has_twice_k_visits_else_their_busiest() {
        let days = |pairs: &[(&str, f64)]| -> BTreeMap<jiff::civil::Date, f64> {
            pairs.iter().map(|&(d, v)| (date(d), v)).collect()
        };
        let a = days(&[("2026-11-01", 40.0), ("2026-11-02", 12.0)]);
        let b = days(&[("2026-11-02", 30.0), ("2026-11-03", 31.0)]);
        // Busiest on the 2nd with 9 visits, 6 on the 1st: fewer than 2k, so the 2nd only.
        let c = days(&[("2026-11-01", 6.0), ("2026-11-02", 9.0)]);
        // Never k visits on a day: not asked.
        let d = days(&[("2026-11-01", 4.0), ("2026-11-02", 4.0)]);
        // Their busiest days are three; the 2nd serves them all.
        let planned = plan_days(&[Some(&a), Some(&b), Some(&c), Some(&d), None], 5);
        assert_eq!(
            planned,
            [
                Some((date("2026-11-02"), 12.0)),
                Some((date("2026-11-02"), 30.0)),
                Some((date("2026-11-02"), 9.0)),
                None,
                None,
            ]
        );
    }

    #[test]
    fn a_day_count_proves_only_within_the_rows_visits_that_day_and_from_k() {
        let known = |visitors, visits| Known { visitors, visits };
        assert!(proves_on_day(known(6, 8), 8.0, 5));
        // Broader than the row on that day: more visits selected than the row had.
        assert!(!proves_on_day(known(6, 9), 8.0, 5));
        // Within the row, but fewer than k people.
        assert!(!proves_on_day(known(4, 8), 8.0, 5));
    }
}
