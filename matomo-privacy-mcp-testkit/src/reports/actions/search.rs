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
    searches(ctx, |kw, _| Some(kw.to_string()), "siteSearchKeyword")
}

/// `Actions.getSiteSearchNoResultKeywords`: the keywords the site's search found nothing for,
/// shaped as the keyword rows. No fixture.
pub(crate) fn site_search_no_result_keywords(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    searches(
        ctx,
        |kw, _| (search_results(kw) == 0).then(|| kw.to_string()),
        "siteSearchKeyword",
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

/// Site searches grouped by `key(keyword, category)` (`None`: in no row).
fn searches(
    ctx: &Ctx<'_>,
    key: fn(&str, Option<&str>) -> Option<String>,
    dim: &str,
) -> Result<Value, ApiError> {
    let mut by_kw: BTreeMap<String, (BTreeSet<u64>, u64, u64, u64)> = BTreeMap::new();
    for v in &ctx.visits {
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
                let e = by_kw.entry(label).or_default();
                e.0.insert(v.id);
                e.1 += 1;
                e.2 += seconds.get(i).copied().unwrap_or(0);
                e.3 += u64::from(exit == Some(i));
            }
        }
    }
    let rows = by_kw
        .into_iter()
        .map(|(kw, (visits, hits, time, exits))| {
            let mut r = Row::new(kw.clone());
            let nv = visits.len() as f64;
            r.set("nb_visits", visits.len());
            r.set("nb_hits", hits);
            r.set("sum_time_spent", time);
            // Only on keywords some visit ended with, as on Matomo.
            if exits > 0 {
                r.set("exit_nb_visits", exits);
            }
            // Matomo's quotient of hits and visits, to one decimal (`addPagesPerSearchColumn`).
            r.set(
                "nb_pages_per_search",
                round_value(hits as f64 / nv.max(1.0), 1),
            );
            r.set("avg_time_on_page", time / hits.max(1));
            r.set("bounce_rate", ctx.rate(0.0, nv, 0));
            r.set("exit_rate", ctx.rate(exits as f64, nv, 0));
            // PHP's urlencode, as Matomo writes it (`siteSearchKeyword==returns+policy`).
            r.set("segment", format!("{dim}=={}", form_encode(&kw)));
            r
        })
        .collect();
    Ok(finish(rows, &ctx.filters))
}
