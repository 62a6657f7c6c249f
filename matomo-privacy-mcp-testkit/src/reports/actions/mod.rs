//! Actions reports: page URLs (a tree of path segments), titles, entry and exit pages, pages
//! following a site search, outlinks, downloads, site search (keywords, keywords without
//! results, categories).

use serde_json::Value;

pub(super) mod archive;
mod links;
mod pages;
mod search;
mod url_tree;

pub(crate) use links::{downloads, outlinks};
pub(crate) use search::{
    site_search_categories, site_search_keywords, site_search_no_result_keywords,
};
pub(crate) use url_tree::{entry_page_urls, exit_page_urls, page_urls, page_urls_following_search};

use super::{Ctx, round_value};
use crate::dataset::{Action, Visit};
use crate::query::errors::ApiError;
use crate::query::request::form_encode;
use crate::query::table::{Row, finish};
use pages::{PageAgg, archived_table};

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

/// Title reports: which titles, their segment dimension (`None`: rows without a segment) and
/// the column a flat answer names each row in (the truncation row too, `Others`). The titles are archived as the page URLs are ([`archive::period_table`]),
/// in one table without directories (Matomo's `action_title_category_delimiter` is empty by
/// default), cut to the top-level row limit; `keep` chooses the rows of that table, its
/// truncation row too, as the report's method filters them.
fn titles(
    ctx: &Ctx<'_>,
    keep: fn(&PageAgg) -> bool,
    dimension: Option<&str>,
    flat_col: &str,
) -> Result<Value, ApiError> {
    let (table, timed) = archived_table(
        ctx,
        |_, title| title.to_string(),
        |titles| archive::flat_day_table(titles, ctx.row_limits.actions),
    );
    let row = |label: &str, mut agg: PageAgg| {
        agg.table_timed = timed;
        let mut r = Row::new(label);
        r.cols = agg.cols(ctx);
        r.top_cols
            .insert("avg_page_load_time".into(), agg.page_load_time());
        r.flat_cols.insert(flat_col.into(), Value::from(label));
        r
    };
    let mut rows: Vec<Row> = Vec::with_capacity(table.rows.len() + 1);
    for entry in table.rows.into_iter().filter(|e| keep(&e.agg)) {
        let title = entry.label;
        let mut r = row(&title, entry.agg);
        if let Some(dim) = dimension {
            // PHP's urlencode twice, as Matomo 5.0.2 writes title segments
            // (`pageTitle==Example%2BShop%2B-%2BHome`).
            r.set(
                "segment",
                format!("{dim}=={}", form_encode(&form_encode(&title))),
            );
        }
        rows.push(r);
    }
    if let Some(others) = table.others.filter(keep) {
        // Matomo's truncation row, as the page URLs' top level has it: no segment, no goals.
        let mut r = row("Others", others);
        r.cols.remove("goals");
        r.set("is_summary", true);
        rows.push(r);
    }
    Ok(finish(rows, &ctx.filters))
}

pub(crate) fn page_titles(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    titles(ctx, |_| true, Some("pageTitle"), "Actions_PageTitle")
}

/// `Actions.getExitPageTitles`: titles of the pages where visits ended (segment
/// `exitPageTitle==…`). No fixture: shaped as the page titles.
pub(crate) fn exit_page_titles(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    titles(
        ctx,
        |a| a.exit_visits > 0,
        Some("exitPageTitle"),
        "Actions_ExitPageTitle",
    )
}

/// `Actions.getPageTitlesFollowingSiteSearch`: titles of pages viewed right after a search,
/// without a segment or `Actions_PageTitle`, as Matomo 5.0.2 sends them: the method calls
/// `getPageTitles` unflattened and keeps the rows with `nb_hits_following_search` above 0
/// (`keepPagesFollowingSearch`), its truncation row too; the API turns a row's `segmentValue`
/// into a segment with the report's dimension (`AddSegmentBySegmentValue`), and this report's,
/// `DestinationPage`, has no segment; a `flat=1` request goes through the generic flattener,
/// which names each row in `Actions_DestinationPage` (the report's dimension), not
/// `Actions_PageTitle`.
pub(crate) fn page_titles_following_search(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    titles(
        ctx,
        |a| a.following_search > 0,
        None,
        "Actions_DestinationPage",
    )
}
