//! Per-page aggregates as Matomo's archive stores a page row: counts that add up, a day's
//! distinct counts added up over days, and page timings.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::super::performance::TIMING_AVERAGES;
use super::super::{Ctx, round_value};
use super::archive::{Table, period_table};
use super::{exits_on_a_page, report_seconds};
use crate::calendar::Day;
use crate::dataset::{Action, Visit};
use crate::query::period::Kind;

/// One row of a page report as Matomo's archive holds it. Every column adds up, as Matomo's
/// `Row::sumRow` adds rows: a page's over the days of a period, a directory's over its rows, a
/// truncation row's over the rows it replaces (a visit to two of them counts twice).
#[derive(Default, Clone)]
pub(super) struct PageAgg {
    /// Visits that viewed the page (a visit counted once per page).
    pub visits: u64,
    /// Distinct visitors of each day added up; `None` where Matomo deletes the column
    /// (directories and a day's truncation rows, `Actions\Metrics::$columnsToDeleteAfterAggregation`).
    pub daily_visitors: Option<u64>,
    /// Page views.
    pub hits: u64,
    /// Seconds on the page (`sum_time_spent`).
    pub time: u64,
    /// Visits that began here, their distinct visitors of each day added up (as
    /// `daily_visitors`), and their actions, length and bounces.
    pub entry_visits: u64,
    pub entry_daily: Option<u64>,
    pub entry_actions: u64,
    pub entry_length: u64,
    pub entry_bounces: u64,
    /// Visits that ended here, and their distinct visitors of each day added up.
    pub exit_visits: u64,
    pub exit_daily: Option<u64>,
    /// Views right after a site search.
    pub following_search: u64,
    /// goal key -> (conversions, revenue, converting visits)
    pub goals: BTreeMap<String, (u64, f64, u64)>,
    /// Per page timing (in `TIMING_RECORDS` order): milliseconds summed over the page views
    /// that sent it, and how many did.
    pub timings: [(u64, u64); 6],
    /// Per page timing: Matomo's `min_time_…` and `max_time_…` columns in milliseconds. A day's
    /// page row has the day's fastest and slowest view (`null` without a view that sent the
    /// timing); rows add them up as Matomo does its counts ([`DaySum`]).
    pub extremes: [(DaySum, DaySum); 6],
    /// Whether any page view of the report sent timings: Matomo then gives every row the
    /// timing averages (0 for none), and none otherwise.
    pub table_timed: bool,
}

impl PageAgg {
    /// Adds `o` to this row, column by column.
    pub(super) fn add(&mut self, o: &PageAgg) {
        self.visits += o.visits;
        self.daily_visitors = add_distinct(self.daily_visitors, o.daily_visitors);
        self.hits += o.hits;
        self.time += o.time;
        self.entry_visits += o.entry_visits;
        self.entry_actions += o.entry_actions;
        self.entry_length += o.entry_length;
        self.entry_bounces += o.entry_bounces;
        self.entry_daily = add_distinct(self.entry_daily, o.entry_daily);
        self.exit_visits += o.exit_visits;
        self.exit_daily = add_distinct(self.exit_daily, o.exit_daily);
        self.following_search += o.following_search;
        self.table_timed |= o.table_timed;
        for (slot, (sum, hits)) in self.timings.iter_mut().zip(o.timings) {
            slot.0 += sum;
            slot.1 += hits;
        }
        for (slot, (min, max)) in self.extremes.iter_mut().zip(o.extremes) {
            slot.0 = slot.0.plus(min);
            slot.1 = slot.1.plus(max);
        }
        for (k, (c, r, n)) in &o.goals {
            let g = self.goals.entry(k.clone()).or_default();
            g.0 += c;
            g.1 += r;
            g.2 += n;
        }
    }

    /// Adds page row `o` as Matomo's day archiver adds a page to a row it already holds, here a
    /// truncation row (`ArchivingHelper::updateActionsTableWithRowQuery`): counts summed, but each
    /// timing's fastest and slowest view kept (`getColumnValuesMerged` with the `min` and `max`
    /// aggregations `PagePerformance` declares), not added up.
    pub(super) fn absorb(&mut self, o: &PageAgg) {
        let extremes = self.extremes;
        self.add(o);
        for ((slot, (min, max)), (their_min, their_max)) in
            self.extremes.iter_mut().zip(extremes).zip(o.extremes)
        {
            *slot = (min.lowest(their_min), max.highest(their_max));
        }
    }

    /// This row without its distinct counts, as Matomo keeps a directory or a day's truncation
    /// row (it cannot add distinct counts up).
    pub(super) fn without_distinct_counts(mut self) -> PageAgg {
        self.daily_visitors = None;
        self.entry_daily = None;
        self.exit_daily = None;
        self
    }

    pub(super) fn cols(&self, ctx: &Ctx<'_>) -> Map<String, Value> {
        let mut m = Map::new();
        let nb_visits = self.visits as f64;
        m.insert("nb_visits".into(), Value::from(self.visits));
        m.insert("nb_hits".into(), Value::from(self.hits));
        m.insert("sum_time_spent".into(), Value::from(self.time));
        // Entry and exit columns only on rows that have entries or exits, as Matomo's archiver
        // sets them from the visits' entry and exit actions (a client reads a missing one as 0).
        let (entries, exits) = (self.entry_visits > 0, self.exit_visits > 0);
        if entries {
            m.insert("entry_nb_visits".into(), Value::from(self.entry_visits));
            m.insert("entry_nb_actions".into(), Value::from(self.entry_actions));
            m.insert(
                "entry_sum_visit_length".into(),
                Value::from(self.entry_length),
            );
            m.insert("entry_bounce_count".into(), Value::from(self.entry_bounces));
        }
        if exits {
            m.insert("exit_nb_visits".into(), Value::from(self.exit_visits));
        }
        // Within a day, (day, visitor) pairs are distinct visitors, as Matomo counts them;
        // over longer periods Matomo sums them per day.
        let (visitors, entry, exit) = if ctx.period.kind == Kind::Day {
            (
                "nb_uniq_visitors",
                "entry_nb_uniq_visitors",
                "exit_nb_uniq_visitors",
            )
        } else {
            (
                "sum_daily_nb_uniq_visitors",
                "sum_daily_entry_nb_uniq_visitors",
                "sum_daily_exit_nb_uniq_visitors",
            )
        };
        if let Some(n) = self.daily_visitors {
            m.insert(visitors.into(), Value::from(n));
        }
        if let (true, Some(n)) = (entries, self.entry_daily) {
            m.insert(entry.into(), Value::from(n));
        }
        if let (true, Some(n)) = (exits, self.exit_daily) {
            m.insert(exit.into(), Value::from(n));
        }
        let goals: Map<String, Value> = self
            .goals
            .iter()
            .map(|(k, (c, r, n))| {
                let mut g = Map::new();
                g.insert("nb_conversions".into(), Value::from(*c));
                // As Matomo's rows: no revenue for a goal without any.
                if *r != 0.0 {
                    g.insert("revenue".into(), round_value(*r, 2));
                }
                g.insert("nb_conversions_page_uniq".into(), Value::from(*n));
                let rate = if nb_visits > 0.0 {
                    *n as f64 / nb_visits
                } else {
                    0.0
                };
                g.insert("nb_conversions_page_rate".into(), round_value(rate, 3));
                (k.clone(), Value::Object(g))
            })
            .collect();
        m.insert("goals".into(), Value::Object(goals));
        let hits = self.hits.max(1) as f64;
        m.insert(
            "avg_time_on_page".into(),
            Value::from((self.time as f64 / hits).round() as u64),
        );
        m.insert(
            "bounce_rate".into(),
            ctx.rate(self.entry_bounces as f64, self.entry_visits as f64, 0),
        );
        m.insert(
            "exit_rate".into(),
            ctx.rate(self.exit_visits as f64, nb_visits, 0),
        );
        // Only on pages viewed after a search, as Matomo's archiver sets it.
        if self.following_search > 0 {
            m.insert(
                "nb_hits_following_search".into(),
                Value::from(self.following_search),
            );
        }
        self.insert_timings(&mut m, ctx.period.kind == Kind::Day);
        m
    }

    /// Matomo's `PagePerformance` columns of a page row: each timing's average in seconds over
    /// the page views that sent it (0 for none), in reports with timings only.
    ///
    /// Beside each average, Matomo's `nb_hits_with_time_…` and `min_time_…` / `max_time_…`
    /// (`null` without page views that sent it): a day's as its archive stores them, numeric
    /// text with four decimals (`"9"`, `"0.0160"`), a longer period's as numbers.
    fn insert_timings(&self, m: &mut Map<String, Value>, day: bool) {
        if !self.table_timed {
            return;
        }
        let seconds = |ms: Option<u64>| match ms {
            None => Value::Null,
            Some(ms) if day => Value::from(format!("{:.4}", ms as f64 / 1000.0)),
            Some(ms) => round_value(ms as f64 / 1000.0, 3),
        };
        let averages = self.timing_averages();
        for (i, name) in TIMING_AVERAGES.iter().enumerate() {
            let timing = name.trim_start_matches("avg_");
            let (_, hits) = self.timings[i];
            let (min, max) = self.extremes[i];
            let hits = if day {
                Value::from(hits.to_string())
            } else {
                Value::from(hits)
            };
            m.insert(format!("nb_hits_with_{timing}"), hits);
            m.insert(format!("min_{timing}"), seconds(min.value()));
            m.insert(format!("max_{timing}"), seconds(max.value()));
            m.insert((*name).into(), round_value(averages[i].unwrap_or(0.0), 3));
        }
    }

    /// Each timing's average in seconds, `None` without page views that sent it.
    fn timing_averages(&self) -> [Option<f64>; 6] {
        self.timings
            .map(|(sum, hits)| (hits > 0).then(|| sum as f64 / 1000.0 / hits as f64))
    }

    /// The page load time of a top-level row: the sum of the timings' averages (Matomo's
    /// `AveragePageLoadTime`), not the average of each view's sum; 0 without timings.
    pub(super) fn page_load_time(&self) -> Value {
        round_value(self.timing_averages().iter().flatten().sum(), 3)
    }
}

/// Two distinct counts added up: a row without the column adds nothing, as Matomo's `sumRow`
/// skips a column the other row lacks.
pub(super) fn add_distinct(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

/// A `min_time_…` or `max_time_…` column as Matomo's `Row::sumRowArray` adds it up: a `null`
/// (no view sent the timing) added to a number makes the sum 0, the next numbers are added to
/// that; added to nothing or `null` it stays `null` (Matomo reads a `null` column as missing).
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub(super) enum DaySum {
    /// The column is missing.
    #[default]
    Nothing,
    Null,
    Number(u64),
}

impl DaySum {
    fn plus(self, other: DaySum) -> DaySum {
        match (self, other) {
            (this, DaySum::Nothing) => this,
            (DaySum::Nothing | DaySum::Null, DaySum::Null) => DaySum::Null,
            (DaySum::Number(_), DaySum::Null) => DaySum::Number(0),
            (DaySum::Number(sum), DaySum::Number(ms)) => DaySum::Number(sum + ms),
            (DaySum::Nothing | DaySum::Null, DaySum::Number(ms)) => DaySum::Number(ms),
        }
    }

    /// The smaller of two numbers, either without the other (a `null` column reads as missing).
    fn lowest(self, other: DaySum) -> DaySum {
        match (self, other) {
            (DaySum::Number(a), DaySum::Number(b)) => DaySum::Number(a.min(b)),
            (DaySum::Number(a), _) => DaySum::Number(a),
            (_, theirs) => theirs,
        }
    }

    /// The larger of two numbers, either without the other.
    fn highest(self, other: DaySum) -> DaySum {
        match (self, other) {
            (DaySum::Number(a), DaySum::Number(b)) => DaySum::Number(a.max(b)),
            (DaySum::Number(a), _) => DaySum::Number(a),
            (_, theirs) => theirs,
        }
    }

    fn value(self) -> Option<u64> {
        match self {
            DaySum::Number(sum) => Some(sum),
            DaySum::Nothing | DaySum::Null => None,
        }
    }
}

/// The visits and visitors behind one page's distinct counts of one day.
#[derive(Default)]
struct Distinct<'a> {
    visits: BTreeSet<u64>,
    visitors: BTreeSet<&'a str>,
    entry_visitors: BTreeSet<&'a str>,
    exit_visitors: BTreeSet<&'a str>,
    converting: BTreeMap<String, BTreeSet<u64>>,
    /// Each timing's fastest and slowest view.
    extremes: [Option<(u64, u64)>; 6],
}

/// Page views aggregated per day (in day order), keyed by `key(url, title)`: the rows of each
/// day's archive, before any truncation.
fn page_aggs_by_day<'v>(
    visits: &[&'v Visit],
    key: impl Fn(&str, &str) -> String,
) -> Vec<(Day, BTreeMap<String, PageAgg>)> {
    let mut by_day: BTreeMap<Day, Vec<&'v Visit>> = BTreeMap::new();
    for v in visits {
        by_day.entry(v.day).or_default().push(v);
    }
    by_day
        .into_iter()
        .map(|(day, visits)| (day, day_page_aggs(&visits, &key)))
        .collect()
}

/// The period's archived table of page rows keyed by `key(url, title)`, each day's built from
/// its rows by `day_table` and longer periods' added up from them ([`period_table`]), and
/// whether any of its page views sent timings (Matomo then gives every row the timing
/// averages).
pub(super) fn archived_table(
    ctx: &Ctx<'_>,
    key: impl Fn(&str, &str) -> String,
    day_table: impl Fn(BTreeMap<String, PageAgg>) -> Table,
) -> (Table, bool) {
    let mut by_day: BTreeMap<Day, BTreeMap<String, PageAgg>> =
        page_aggs_by_day(&ctx.visits, key).into_iter().collect();
    let timed = by_day
        .values()
        .flat_map(BTreeMap::values)
        .any(|a| a.table_timed);
    let table = period_table(ctx.period, ctx.row_limits, &mut |day| {
        day_table(by_day.remove(&day).unwrap_or_default())
    });
    (table, timed)
}

/// One day's page rows, keyed by `key(url, title)`.
fn day_page_aggs<'v>(
    visits: &[&'v Visit],
    key: impl Fn(&str, &str) -> String,
) -> BTreeMap<String, PageAgg> {
    let mut out: BTreeMap<String, (PageAgg, Distinct<'v>)> = BTreeMap::new();
    for &v in visits {
        let pages: Vec<_> = v.pages().collect();
        let exits_on_a_page = exits_on_a_page(v);
        // Which page views follow a site search: Matomo's `idaction_name_ref` of the view is a
        // search, the visit's last page view or search before it (events, outlinks and
        // downloads between them do not count).
        let after_search: Vec<bool> = v
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| matches!(a, Action::Page { .. }))
            .map(|(i, _)| {
                v.actions[..i]
                    .iter()
                    .rfind(|a| matches!(a, Action::Page { .. } | Action::Search { .. }))
                    .is_some_and(|a| matches!(a, Action::Search { .. }))
            })
            .collect();
        let timings = v.page_timings();
        let seconds = report_seconds(v);
        let page_seconds: Vec<u64> = v
            .actions
            .iter()
            .zip(&seconds)
            .filter(|(a, _)| matches!(a, Action::Page { .. }))
            .map(|(_, s)| *s)
            .collect();
        for (i, (url, title, _)) in pages.iter().enumerate() {
            let (a, seen) = out.entry(key(url, title)).or_default();
            if let Some(t) = timings.get(i) {
                for ((slot, extreme), ms) in
                    a.timings.iter_mut().zip(&mut seen.extremes).zip(t.all())
                {
                    if let Some(ms) = ms {
                        slot.0 += ms;
                        slot.1 += 1;
                        *extreme =
                            Some(extreme.map_or((ms, ms), |(lo, hi)| (lo.min(ms), hi.max(ms))));
                    }
                }
            }
            a.following_search += u64::from(after_search.get(i).copied().unwrap_or(false));
            let first_hit = seen.visits.insert(v.id);
            seen.visitors.insert(&v.visitor_id);
            a.hits += 1;
            a.time += page_seconds.get(i).copied().unwrap_or(0);
            if i == 0 {
                a.entry_visits += 1;
                a.entry_actions += v.nb_actions();
                a.entry_length += v.duration;
                a.entry_bounces += u64::from(v.is_bounce());
                seen.entry_visitors.insert(&v.visitor_id);
            }
            if i + 1 == pages.len() && exits_on_a_page {
                a.exit_visits += 1;
                seen.exit_visitors.insert(&v.visitor_id);
            }
            if first_hit {
                add_goals(a, &mut seen.converting, v);
            }
        }
    }
    let timed = out
        .values()
        .any(|(a, _)| a.timings.iter().any(|(_, hits)| *hits > 0));
    out.into_iter()
        .map(|(page, (mut a, seen))| {
            a.visits = seen.visits.len() as u64;
            a.daily_visitors = Some(seen.visitors.len() as u64);
            a.entry_daily = Some(seen.entry_visitors.len() as u64);
            a.exit_daily = Some(seen.exit_visitors.len() as u64);
            for (k, visits) in &seen.converting {
                if let Some(g) = a.goals.get_mut(k) {
                    g.2 = visits.len() as u64;
                }
            }
            // A day's page row has each timing's extremes, `null` when no view sent it.
            for (slot, extreme) in a.extremes.iter_mut().zip(seen.extremes) {
                *slot = match extreme {
                    Some((lo, hi)) => (DaySum::Number(lo), DaySum::Number(hi)),
                    None => (DaySum::Null, DaySum::Null),
                };
            }
            a.table_timed = timed;
            (page, a)
        })
        .collect()
}

fn add_goals(a: &mut PageAgg, converting: &mut BTreeMap<String, BTreeSet<u64>>, v: &Visit) {
    for c in &v.conversions {
        let k = c
            .goal
            .map(|g| format!("idgoal={g}"))
            .unwrap_or_else(|| "idgoal=ecommerceOrder".into());
        let g = a.goals.entry(k.clone()).or_default();
        g.0 += 1;
        g.1 += c.revenue;
        converting.entry(k).or_default().insert(v.id);
    }
}
