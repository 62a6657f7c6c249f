//! Site search: keywords, keywords without results, categories.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::dataset::{Action, search_results};
use crate::query::errors::ApiError;
use crate::query::request::form_encode;
use crate::query::table::{Row, finish};
use crate::reports::Ctx;

use super::*;

pub(crate) fn site_search_keywords(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    searches(
        ctx,
        |kw, _| Some(kw.to_string()),
        "siteSearchKeyword",
        Some(ctx.row_limits.site_search),
    )
}

/// `Actions.getSiteSearchNoResultKeywords`: the keywords the site's search found nothing for,
/// shaped as the keyword rows. No fixture.
pub(crate) fn site_search_no_result_keywords(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    searches(
        ctx,
        |kw, _| (search_results(kw) == 0).then(|| kw.to_string()),
        "siteSearchKeyword",
        None,
    )
}

/// `Actions.getSiteSearchCategories`: searches by the category they were made in (searches
/// without one are in no row), as Matomo 5.0.2 archives them (`RecordBuilders/SearchCategories.php`
/// counts actions by `search_cat`: visits, actions, unique visitors, nothing about time or
/// exits) and its API sends them (`ColumnDelete` of `nb_uniq_visitors`, so a day's row has no
/// distinct count and a longer period's its `sum_daily_nb_uniq_visitors`; `nb_pages_per_search`
/// of `nb_actions`; segment `siteSearchCategory==…`).
pub(crate) fn site_search_categories(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    type CategoryAgg = (BTreeSet<u64>, u64, BTreeSet<(i64, String)>);
    let mut by_category: BTreeMap<String, CategoryAgg> = BTreeMap::new();
    for v in &ctx.visits {
        let searches = v
            .actions
            .iter()
            .filter(|a| matches!(a, Action::Search { .. }));
        for (i, _) in searches.enumerate() {
            let Some(category) = v.details.search_categories.get(i).copied().flatten() else {
                continue;
            };
            let e = by_category.entry(category.to_owned()).or_default();
            e.0.insert(v.id);
            e.1 += 1;
            e.2.insert((v.day.0, v.visitor_id.clone()));
        }
    }
    let day = ctx.period.kind == crate::query::period::Kind::Day;
    let rows = by_category
        .into_iter()
        .map(|(category, (visits, actions, daily_visitors))| {
            let mut r = Row::new(category.clone());
            r.set("nb_visits", visits.len());
            r.set("nb_actions", actions);
            if !day {
                r.set("sum_daily_nb_uniq_visitors", daily_visitors.len());
            }
            r.set(
                "nb_pages_per_search",
                round_value(actions as f64 / (visits.len() as f64).max(1.0), 1),
            );
            r.set(
                "segment",
                format!("siteSearchCategory=={}", form_encode(&category)),
            );
            r
        })
        .collect();
    Ok(finish(rows, &ctx.filters))
}

/// A keyword row as archived: its visits (distinct within a day, added up over days), hits,
/// seconds and exits.
#[derive(Clone, Copy, Default)]
struct Searched {
    visits: u64,
    hits: u64,
    time: u64,
    exits: u64,
}

impl Searched {
    fn add(&mut self, other: &Searched) {
        self.visits += other.visits;
        self.hits += other.hits;
        self.time += other.time;
        self.exits += other.exits;
    }
}

/// The site search keywords' archived table: its rows in the archive's order and its
/// truncation row.
#[derive(Default)]
struct SearchTable {
    rows: Vec<(String, Searched)>,
    others: Option<Searched>,
}

impl SearchTable {
    /// A day's table as Matomo's archiver fills it (`ActionReports::archiveDayActions`): rows in
    /// the order of its query (most hits first, then by keyword), each added while the table
    /// holds fewer than `limit` − 1 (`DataTable::addRow`), the others summed into its
    /// truncation row.
    fn day(rows: BTreeMap<String, Searched>, limit: usize) -> SearchTable {
        let mut rows: Vec<(String, Searched)> = rows.into_iter().collect();
        // Stable: ties stay in keyword order.
        rows.sort_by_key(|(_, s)| std::cmp::Reverse(s.hits));
        let mut table = SearchTable::default();
        if rows.len() >= limit {
            for (_, folded) in rows.split_off(limit.saturating_sub(1)) {
                table
                    .others
                    .get_or_insert_with(Searched::default)
                    .add(&folded);
            }
        }
        table.rows = rows;
        table
    }

    /// Subperiods' tables added up by keyword (a keyword new to the sum last, the truncation
    /// rows into one) and cut again as `DataTable::getSerialized`'s `Truncate` does: more rows
    /// than `limit` (the truncation row counted) keep the `limit` − 1 with the most visits.
    fn sum(parts: Vec<SearchTable>, limit: usize) -> SearchTable {
        let mut sum = SearchTable::default();
        for part in parts {
            for (keyword, searched) in part.rows {
                match sum.rows.iter_mut().find(|(mine, _)| *mine == keyword) {
                    Some((_, mine)) => mine.add(&searched),
                    None => sum.rows.push((keyword, searched)),
                }
            }
            if let Some(theirs) = part.others {
                sum.others
                    .get_or_insert_with(Searched::default)
                    .add(&theirs);
            }
        }
        if sum.rows.len() + usize::from(sum.others.is_some()) > limit {
            sum.rows.sort_by_key(|(_, s)| std::cmp::Reverse(s.visits));
            let folded = sum
                .rows
                .split_off(limit.saturating_sub(1).min(sum.rows.len()));
            let mut others = sum.others.take().unwrap_or_default();
            for (_, searched) in &folded {
                others.add(searched);
            }
            sum.others = Some(others);
        }
        sum
    }
}

/// One day's site searches grouped by `key(keyword, category)` (`None`: in no row).
fn day_searches(
    visits: &[&crate::dataset::Visit],
    key: fn(&str, Option<&str>) -> Option<String>,
) -> BTreeMap<String, Searched> {
    let mut by_kw: BTreeMap<String, (BTreeSet<u64>, Searched)> = BTreeMap::new();
    for v in visits {
        let exit = last_page_or_search(v);
        let seconds = report_seconds(v);
        let mut search = 0;
        for (i, a) in v.actions.iter().enumerate() {
            if let Action::Search { keyword } = a {
                let category = v.details.search_categories.get(search).copied().flatten();
                search += 1;
                let Some(label) = key(keyword, category) else {
                    continue;
                };
                let (seen, e) = by_kw.entry(label).or_default();
                seen.insert(v.id);
                e.hits += 1;
                e.time += seconds.get(i).copied().unwrap_or(0);
                e.exits += u64::from(exit == Some(i));
            }
        }
    }
    by_kw
        .into_iter()
        .map(|(kw, (seen, mut e))| {
            e.visits = seen.len() as u64;
            (kw, e)
        })
        .collect()
}

/// Site searches grouped by `key(keyword, category)` (`None`: in no row), archived per day
/// and added up over longer periods; `limit` (the keywords' report) cuts each table as
/// Matomo's archiver does, with `datatable_archiving_maximum_rows_site_search`.
fn searches(
    ctx: &Ctx<'_>,
    key: fn(&str, Option<&str>) -> Option<String>,
    dim: &str,
    limit: Option<usize>,
) -> Result<Value, ApiError> {
    let mut by_day: BTreeMap<crate::calendar::Day, Vec<&crate::dataset::Visit>> = BTreeMap::new();
    for v in &ctx.visits {
        by_day.entry(v.day).or_default().push(v);
    }
    let limit = limit.unwrap_or(usize::MAX);
    let table = super::archive::archive(
        ctx.period,
        &mut |day| {
            let visits = by_day.remove(&day).unwrap_or_default();
            SearchTable::day(day_searches(&visits, key), limit)
        },
        &|parts| SearchTable::sum(parts, limit),
    );
    let row = |label: &str, s: Searched| {
        let mut r = Row::new(label);
        let nv = s.visits as f64;
        r.set("nb_visits", s.visits);
        r.set("nb_hits", s.hits);
        r.set("sum_time_spent", s.time);
        // Only on keywords some visit ended with, as on Matomo.
        if s.exits > 0 {
            r.set("exit_nb_visits", s.exits);
        }
        // Matomo's quotient of hits and visits, to one decimal (`addPagesPerSearchColumn`).
        r.set(
            "nb_pages_per_search",
            round_value(s.hits as f64 / nv.max(1.0), 1),
        );
        r.set("avg_time_on_page", s.time / s.hits.max(1));
        r.set("bounce_rate", ctx.rate(0.0, nv, 0));
        r.set("exit_rate", ctx.rate(s.exits as f64, nv, 0));
        r
    };
    let mut rows: Vec<Row> = table
        .rows
        .into_iter()
        .map(|(kw, s)| {
            let mut r = row(&kw, s);
            // PHP's urlencode, as Matomo writes it (`siteSearchKeyword==returns+policy`).
            r.set("segment", format!("{dim}=={}", form_encode(&kw)));
            r
        })
        .collect();
    if let Some(others) = table.others {
        // Matomo's truncation row: no segment.
        let mut r = row("Others", others);
        r.set("is_summary", true);
        rows.push(r);
    }
    Ok(finish(rows, &ctx.filters))
}
