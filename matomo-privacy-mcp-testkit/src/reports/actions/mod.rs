//! Actions reports: page URLs (a tree of path segments), titles, entry and exit pages, pages
//! following a site search, outlinks, downloads, site search (keywords, keywords without
//! results, categories).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

mod links;
mod search;
mod url_tree;

pub(crate) use links::{downloads, outlinks};
pub(crate) use search::{
    site_search_categories, site_search_keywords, site_search_no_result_keywords,
};
pub(crate) use url_tree::{entry_page_urls, exit_page_urls, page_urls, page_urls_following_search};

use super::performance::TIMING_AVERAGES;
use super::{Ctx, round_value};
use crate::dataset::{Action, Visit};
use crate::query::errors::ApiError;
use crate::query::period::Kind;
use crate::query::request::form_encode;
use crate::query::table::{Row, finish};

/// Per-page aggregates; sets of visit ids make directory totals count each visit once.
#[derive(Default, Clone)]
struct PageAgg {
    visits: BTreeSet<u64>,
    daily_visitors: BTreeSet<(i64, String)>,
    hits: u64,
    time: u64,
    entry_visits: BTreeSet<u64>,
    entry_actions: u64,
    entry_length: u64,
    entry_bounces: u64,
    entry_daily: BTreeSet<(i64, String)>,
    exit_visits: BTreeSet<u64>,
    exit_daily: BTreeSet<(i64, String)>,
    /// Views right after a site search.
    following_search: u64,
    /// goal key -> (conversions, revenue, converting visits)
    goals: BTreeMap<String, (u64, f64, BTreeSet<u64>)>,
    /// Per page timing (in `TIMING_RECORDS` order): milliseconds summed over the page views
    /// that sent it, and how many did.
    timings: [(u64, u64); 6],
    /// Per page timing: Matomo's `min_time_…` and `max_time_…` columns in milliseconds, `None`
    /// without page views that sent it. A page's are the fastest and slowest view of each day
    /// added up over the period's days, and a directory's or truncation row's its rows' added
    /// up: Matomo aggregates these columns by summing them, as it does its counts.
    extremes: [(Option<u64>, Option<u64>); 6],
    /// Whether any page view of the report sent timings: Matomo then gives every row the
    /// timing averages (0 for none), and none otherwise.
    table_timed: bool,
}

impl PageAgg {
    fn merge(&mut self, o: &PageAgg) {
        self.visits.extend(o.visits.iter().copied());
        self.daily_visitors.extend(o.daily_visitors.iter().cloned());
        self.hits += o.hits;
        self.time += o.time;
        self.entry_actions += o.entry_actions;
        self.entry_length += o.entry_length;
        self.entry_bounces += o.entry_bounces;
        self.entry_visits.extend(o.entry_visits.iter().copied());
        self.entry_daily.extend(o.entry_daily.iter().cloned());
        self.exit_visits.extend(o.exit_visits.iter().copied());
        self.exit_daily.extend(o.exit_daily.iter().cloned());
        self.following_search += o.following_search;
        self.merge_timings(o);
        for (k, (c, r, vs)) in &o.goals {
            let g = self.goals.entry(k.clone()).or_default();
            g.0 += c;
            g.1 += r;
            g.2.extend(vs.iter().copied());
        }
    }

    /// Adds `o`'s page timings (and whether its report has any) to these.
    fn merge_timings(&mut self, o: &PageAgg) {
        self.table_timed |= o.table_timed;
        for (slot, (sum, hits)) in self.timings.iter_mut().zip(o.timings) {
            slot.0 += sum;
            slot.1 += hits;
        }
        for (slot, (min, max)) in self.extremes.iter_mut().zip(o.extremes) {
            slot.0 = add_up(slot.0, min);
            slot.1 = add_up(slot.1, max);
        }
    }

    fn cols(&self, ctx: &Ctx<'_>) -> Map<String, Value> {
        let mut m = Map::new();
        let nb_visits = self.visits.len() as f64;
        m.insert("nb_visits".into(), Value::from(self.visits.len()));
        m.insert("nb_hits".into(), Value::from(self.hits));
        m.insert("sum_time_spent".into(), Value::from(self.time));
        // Entry and exit columns only on rows that have entries or exits, as Matomo's archiver
        // sets them from the visits' entry and exit actions (a client reads a missing one as 0).
        let (entries, exits) = (!self.entry_visits.is_empty(), !self.exit_visits.is_empty());
        if entries {
            m.insert(
                "entry_nb_visits".into(),
                Value::from(self.entry_visits.len()),
            );
            m.insert("entry_nb_actions".into(), Value::from(self.entry_actions));
            m.insert(
                "entry_sum_visit_length".into(),
                Value::from(self.entry_length),
            );
            m.insert("entry_bounce_count".into(), Value::from(self.entry_bounces));
        }
        if exits {
            m.insert("exit_nb_visits".into(), Value::from(self.exit_visits.len()));
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
        m.insert(visitors.into(), Value::from(self.daily_visitors.len()));
        if entries {
            m.insert(entry.into(), Value::from(self.entry_daily.len()));
        }
        if exits {
            m.insert(exit.into(), Value::from(self.exit_daily.len()));
        }
        let goals: Map<String, Value> = self
            .goals
            .iter()
            .map(|(k, (c, r, vs))| {
                let mut g = Map::new();
                g.insert("nb_conversions".into(), Value::from(*c));
                // As Matomo's rows: no revenue for a goal without any.
                if *r != 0.0 {
                    g.insert("revenue".into(), round_value(*r, 2));
                }
                g.insert("nb_conversions_page_uniq".into(), Value::from(vs.len()));
                let rate = if nb_visits > 0.0 {
                    vs.len() as f64 / nb_visits
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
            ctx.rate(self.entry_bounces as f64, self.entry_visits.len() as f64, 0),
        );
        m.insert(
            "exit_rate".into(),
            ctx.rate(self.exit_visits.len() as f64, nb_visits, 0),
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
            m.insert(format!("min_{timing}"), seconds(min));
            m.insert(format!("max_{timing}"), seconds(max));
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
    fn page_load_time(&self) -> Value {
        round_value(self.timing_averages().iter().flatten().sum(), 3)
    }
}

/// The columns of a truncation row: every count of `rows` added up (`goals` left out), and the
/// averages and rates computed again from the sums, as Matomo does on output.
fn summed_cols(ctx: &Ctx<'_>, rows: &[Row]) -> Map<String, Value> {
    let mut sums: BTreeMap<String, u64> = BTreeMap::new();
    for row in rows {
        for (name, value) in &row.cols {
            if let Some(n) = value.as_u64()
                && !name.starts_with("avg_")
            {
                *sums.entry(name.clone()).or_default() += n;
            }
        }
    }
    let sum = |name: &str| sums.get(name).copied().unwrap_or(0);
    let mut m: Map<String, Value> = sums
        .iter()
        .map(|(name, n)| (name.clone(), Value::from(*n)))
        .collect();
    m.insert(
        "avg_time_on_page".into(),
        Value::from((sum("sum_time_spent") as f64 / sum("nb_hits").max(1) as f64).round() as u64),
    );
    m.insert(
        "bounce_rate".into(),
        ctx.rate(
            sum("entry_bounce_count") as f64,
            sum("entry_nb_visits") as f64,
            0,
        ),
    );
    m.insert(
        "exit_rate".into(),
        ctx.rate(sum("exit_nb_visits") as f64, sum("nb_visits") as f64, 0),
    );
    m
}

/// A page's `min_time_…` or `max_time_…` added up over days as Matomo's `Row::sumRowArray`
/// does: a day's `null` (no view sent the timing) after a number makes the sum 0, the next
/// numbers are added to that; before any number it stays `null`.
#[derive(Clone, Copy, Default)]
enum DaySum {
    #[default]
    Nothing,
    Null,
    Number(u64),
}

impl DaySum {
    fn add(self, day: Option<u64>) -> DaySum {
        match (self, day) {
            (DaySum::Nothing, None) => DaySum::Null,
            (DaySum::Null | DaySum::Number(_), None) => DaySum::Number(0),
            (DaySum::Number(sum), Some(ms)) => DaySum::Number(sum + ms),
            (DaySum::Nothing | DaySum::Null, Some(ms)) => DaySum::Number(ms),
        }
    }

    fn value(self) -> Option<u64> {
        match self {
            DaySum::Number(sum) => Some(sum),
            DaySum::Nothing | DaySum::Null => None,
        }
    }
}

/// Two of Matomo's summed columns added up (`None`: no value on either side).
fn add_up(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

/// The longest time Matomo gives one action (`visit_standard_length`, 30 minutes).
const LONGEST_ACTION_SECONDS: i64 = 1800;

/// The seconds Matomo's reports give each action of the visit (`sum_time_spent`), by index: its
/// archiver adds up, per page (or site search), the seconds each later request but an event
/// waited since the visit's request before it (`time_spent_ref_action`), on the page the visit
/// was last on (its exit then: a site search after that page takes them itself, and events,
/// outlinks and downloads leave it as it is). An event's seconds count for nothing, and the
/// last page gets none: a heartbeat lengthens the visit only. (The visitor log counts a page's
/// time up to the next page view, events and the visit's end included.)
fn report_seconds(v: &Visit) -> Vec<u64> {
    let times = v.action_times();
    let mut seconds = vec![0; v.actions.len()];
    let mut on = None;
    for (i, action) in v.actions.iter().enumerate() {
        if i > 0
            && !matches!(action, Action::Event { .. })
            && let (Some(on), Some(now), Some(before)) = (on, times.get(i), times.get(i - 1))
            && let Some(slot) = seconds.get_mut(on)
        {
            *slot += u64::try_from((now - before).clamp(0, LONGEST_ACTION_SECONDS)).unwrap_or(0);
        }
        if matches!(action, Action::Page { .. } | Action::Search { .. }) {
            on = Some(i);
        }
    }
    seconds
}

/// Aggregates page views keyed by `key(url, title)`.
fn page_aggs(ctx: &Ctx<'_>, key: impl Fn(&str, &str) -> String) -> BTreeMap<String, PageAgg> {
    let mut out: BTreeMap<String, PageAgg> = BTreeMap::new();
    // Each page's fastest and slowest view of each timing, per day.
    type DayExtremes = [Option<(u64, u64)>; 6];
    let mut day_extremes: BTreeMap<(String, i64), DayExtremes> = BTreeMap::new();
    for v in &ctx.visits {
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
            let a = out.entry(key(url, title)).or_default();
            // Every page's day has its entry: a day without a timing is Matomo's `null`.
            let day = day_extremes.entry((key(url, title), v.day.0)).or_default();
            if let Some(t) = timings.get(i) {
                for ((slot, extreme), ms) in a.timings.iter_mut().zip(day.iter_mut()).zip(t.all()) {
                    if let Some(ms) = ms {
                        slot.0 += ms;
                        slot.1 += 1;
                        *extreme =
                            Some(extreme.map_or((ms, ms), |(lo, hi)| (lo.min(ms), hi.max(ms))));
                    }
                }
            }
            a.following_search += u64::from(after_search.get(i).copied().unwrap_or(false));
            let first_hit = a.visits.insert(v.id);
            a.daily_visitors.insert((v.day.0, v.visitor_id.clone()));
            a.hits += 1;
            a.time += page_seconds.get(i).copied().unwrap_or(0);
            if i == 0 {
                a.entry_visits.insert(v.id);
                a.entry_actions += v.nb_actions();
                a.entry_length += v.duration;
                a.entry_bounces += u64::from(v.is_bounce());
                a.entry_daily.insert((v.day.0, v.visitor_id.clone()));
            }
            if i + 1 == pages.len() && exits_on_a_page {
                a.exit_visits.insert(v.id);
                a.exit_daily.insert((v.day.0, v.visitor_id.clone()));
            }
            if first_hit {
                add_goals(a, v);
            }
        }
    }
    // The days in order, as Matomo adds up a week's or month's rows from its days'.
    let mut folds: BTreeMap<String, [(DaySum, DaySum); 6]> = BTreeMap::new();
    for ((page, _), day) in day_extremes {
        let fold = folds.entry(page).or_default();
        for (slot, extreme) in fold.iter_mut().zip(day) {
            slot.0 = slot.0.add(extreme.map(|(lo, _)| lo));
            slot.1 = slot.1.add(extreme.map(|(_, hi)| hi));
        }
    }
    for (page, fold) in folds {
        if let Some(a) = out.get_mut(&page) {
            for (slot, (min, max)) in a.extremes.iter_mut().zip(fold) {
                *slot = (min.value(), max.value());
            }
        }
    }
    let timed = out
        .values()
        .any(|a| a.timings.iter().any(|(_, hits)| *hits > 0));
    for a in out.values_mut() {
        a.table_timed = timed;
    }
    out
}

/// Whether the visit's exit is a page view: Matomo's exit action is the last page view or site
/// search (events, outlinks and downloads leave it as it is), checked on a real Matomo 5.0.2.
fn exits_on_a_page(v: &Visit) -> bool {
    last_page_or_search(v).is_some_and(|i| matches!(v.actions.get(i), Some(Action::Page { .. })))
}

/// The index of the visit's last page view or site search: where Matomo says it exited.
fn last_page_or_search(v: &Visit) -> Option<usize> {
    v.actions
        .iter()
        .rposition(|a| matches!(a, Action::Page { .. } | Action::Search { .. }))
}

fn add_goals(a: &mut PageAgg, v: &Visit) {
    for c in &v.conversions {
        let k = c
            .goal
            .map(|g| format!("idgoal={g}"))
            .unwrap_or_else(|| "idgoal=ecommerceOrder".into());
        let g = a.goals.entry(k).or_default();
        g.0 += 1;
        g.1 += c.revenue;
        g.2.insert(v.id);
    }
}

/// Title reports: which titles, and their segment dimension and flat column (`None`: rows
/// without either).
fn titles(
    ctx: &Ctx<'_>,
    keep: fn(&PageAgg) -> bool,
    labelled: Option<(&str, &str)>,
) -> Result<Value, ApiError> {
    let rows = page_aggs(ctx, |_, t| t.to_string())
        .into_iter()
        .filter(|(_, agg)| keep(agg))
        .map(|(title, agg)| {
            let mut r = Row::new(title.clone());
            r.cols = agg.cols(ctx);
            r.top_cols
                .insert("avg_page_load_time".into(), agg.page_load_time());
            if let Some((dim, flat_col)) = labelled {
                // PHP's urlencode twice, as Matomo 5.0.2 writes title segments
                // (`pageTitle==Example%2BShop%2B-%2BHome`).
                r.set(
                    "segment",
                    format!("{dim}=={}", form_encode(&form_encode(&title))),
                );
                r.flat_cols.insert(flat_col.into(), Value::from(title));
            }
            r
        })
        .collect();
    Ok(finish(rows, &ctx.filters))
}

pub(crate) fn page_titles(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    titles(ctx, |_| true, Some(("pageTitle", "Actions_PageTitle")))
}

/// `Actions.getExitPageTitles`: titles of the pages where visits ended (segment
/// `exitPageTitle==…`). No fixture: shaped as the page titles.
pub(crate) fn exit_page_titles(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    titles(
        ctx,
        |a| !a.exit_visits.is_empty(),
        Some(("exitPageTitle", "Actions_ExitPageTitle")),
    )
}

/// `Actions.getPageTitlesFollowingSiteSearch`: titles of pages viewed right after a search,
/// without a segment or `Actions_PageTitle`, as Matomo 5.0.2 sends them: the method calls
/// `getPageTitles` unflattened and keeps the rows with `nb_hits_following_search` above 0
/// (`keepPagesFollowingSearch`); the API turns a row's `segmentValue` into a segment with the
/// report's dimension (`AddSegmentBySegmentValue`), and this report's, `DestinationPage`, has
/// no segment; a `flat=1` request goes through the generic flattener, which adds no
/// `Actions_PageTitle`.
pub(crate) fn page_titles_following_search(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    titles(ctx, |a| a.following_search > 0, None)
}

/// Visits, hits and daily unique visitors of one link.
type LinkAgg = (BTreeSet<u64>, u64, BTreeSet<(i64, String)>);
