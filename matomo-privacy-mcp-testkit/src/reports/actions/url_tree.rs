//! The page URL reports (`Actions.getPageUrls`, entry and exit pages, pages following a site
//! search): each day's page aggregates arranged in Matomo's tree of path segments and cut to its
//! archiving limits, a longer period's added up from them ([`period_table`]), each row with the
//! segment that selects it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::archive::{Entry, EntryKind, Table};
use super::pages::{PageAgg, archived_table};
use crate::query::errors::ApiError;
use crate::query::request::{percent_decode, percent_encode};
use crate::query::table::{Row, RowLimits, finish, finish_keeping};
use crate::reports::{Ctx, host_of};

/// The path (with query) of a URL on the site: `/products/shoes/x?y=1`.
fn path_of(url: &str) -> String {
    let host = host_of(url);
    let rest = url.split_once(host).map(|(_, r)| r).unwrap_or("/");
    if rest.is_empty() {
        "/".into()
    } else {
        rest.to_string()
    }
}

/// Tree node of the page URL hierarchy.
#[derive(Default)]
struct Node {
    agg: PageAgg,
    leaf: Option<(String, String)>,
    /// For a directory: its path (`/products/shoes/`) and its URL without the last slash
    /// (`https://shop.example.com/products/shoes`), which its segment selects as a prefix.
    dir: Option<(String, String)>,
    children: BTreeMap<String, Node>,
}

fn insert(
    node: &mut Node,
    segments: &[String],
    leaf_label: String,
    full_url: String,
    agg: &PageAgg,
) {
    insert_below(node, "", segments, leaf_label, full_url, agg);
}

fn insert_below(
    node: &mut Node,
    path: &str,
    segments: &[String],
    leaf_label: String,
    full_url: String,
    agg: &PageAgg,
) {
    node.agg.add(agg);
    match segments.split_first() {
        None => {
            let leaf = node.children.entry(leaf_label.clone()).or_default();
            leaf.agg.add(agg);
            leaf.leaf = Some((leaf_label, full_url));
        }
        Some((dir, rest)) => {
            let path = format!("{path}/{dir}");
            let child = node.children.entry(dir.clone()).or_default();
            if child.dir.is_none() {
                let origin = &full_url[..full_url.len() - path_of(&full_url).len()];
                child.dir = Some((format!("{path}/"), format!("{origin}{path}")));
            }
            insert_below(child, &path, rest, leaf_label, full_url, agg)
        }
    }
}

impl Node {
    /// Adds every page below this node (or this page) to a day's truncation row.
    fn pages_into(&self, others: &mut PageAgg) {
        if self.leaf.is_some() {
            others.absorb(&self.agg);
        }
        for child in self.children.values() {
            child.pages_into(others);
        }
    }

    /// The hits and URL of the node's page Matomo's archiver meets first (most hits, then the
    /// first URL): where its row takes its place in its table.
    fn first_page(&self) -> (u64, &str) {
        let own = self
            .leaf
            .as_ref()
            .map(|(_, url)| (self.agg.hits, url.as_str()));
        own.into_iter()
            .chain(self.children.values().map(Node::first_page))
            .min_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)))
            .unwrap_or((0, ""))
    }
}

/// How a URL report's rows name themselves: the flat column, and the segment dimension with
/// whether its values are encoded twice (Matomo's exit-page rows are, `exitPageUrl==https%253A…`).
#[derive(Clone, Copy)]
struct UrlRows {
    flat_col: &'static str,
    dim: &'static str,
    twice: bool,
}

impl UrlRows {
    fn encode(self, value: &str) -> String {
        if self.twice {
            percent_encode(&percent_encode(value))
        } else {
            percent_encode(value)
        }
    }
}

/// A day's archived table of a node's children, as Matomo's day archiver builds it: it adds the
/// pages to its tree in the order of its query (most hits first, then by URL), each table taking
/// rows while it holds fewer than its limit ([`RowLimits`]) less one (`DataTable::addRow` with
/// `setMaximumAllowedRows`) and summing the others into its truncation row: a directory of as
/// many rows as its limit already has one. Rows keep that order, the archive's.
fn day_table(node: Node, limits: RowLimits, level: usize) -> Table {
    let limit = if level == 0 {
        limits.actions
    } else {
        limits.actions_subtable
    };
    let mut children: Vec<(String, Node)> = node.children.into_iter().collect();
    children.sort_by(|(_, a), (_, b)| {
        let (a, b) = (a.first_page(), b.first_page());
        b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1))
    });
    let kept = if children.len() >= limit {
        limit.saturating_sub(1)
    } else {
        children.len()
    };
    let mut table = Table::default();
    for (i, (label, mut child)) in children.into_iter().enumerate() {
        if i >= kept {
            // Every page below a folded row goes to the truncation row, one by one.
            child.pages_into(table.others.get_or_insert_with(PageAgg::default));
            continue;
        }
        let (agg, kind) = match (child.leaf.take(), child.dir.take()) {
            (Some((_, url)), _) => (child.agg, EntryKind::Page(url)),
            (None, dir) => {
                let (path, url) = dir.unwrap_or_default();
                let table = day_table(child, limits, level + 1);
                // A directory is its rows added up, truncation row last
                // (`DataTableSummaryRow::recalculate`), without distinct counts, which do not add
                // up (`ArchivingHelper::deleteInvalidSummedColumnsFromDataTable`).
                let mut agg = PageAgg::default();
                for entry in &table.rows {
                    agg.add(&entry.agg);
                }
                if let Some(others) = &table.others {
                    agg.add(others);
                }
                let agg = agg.without_distinct_counts();
                (
                    agg,
                    EntryKind::Folder {
                        path,
                        url,
                        table: Box::new(table),
                    },
                )
            }
        };
        table.rows.push(Entry { label, agg, kind });
    }
    // Nor from a day's truncation rows.
    table.others = table.others.map(PageAgg::without_distinct_counts);
    table
}

/// The rows of an archived table, each with the segment that selects it; `dir` is the directory
/// the table is of (`None` at the top), `timed` whether any page view of the report sent timings.
fn to_rows(
    ctx: &Ctx<'_>,
    table: Table,
    style: UrlRows,
    dir: Option<(&str, &str)>,
    timed: bool,
) -> Vec<Row> {
    let cols = |agg: &mut PageAgg| {
        agg.table_timed = timed;
        agg.cols(ctx)
    };
    let mut rows: Vec<Row> = Vec::with_capacity(table.rows.len() + 1);
    for Entry {
        label,
        mut agg,
        kind,
    } in table.rows
    {
        // Matomo labels rows with the URL's escapes decoded (its `SafeDecodeLabel` on every
        // report's output: `?email=alice.smith@example.org`), while `url`, the flat
        // `Actions_PageUrl` and the segment keep them as tracked.
        let mut r = Row::new(percent_decode(&label));
        r.cols = cols(&mut agg);
        r.top_cols
            .insert("avg_page_load_time".into(), agg.page_load_time());
        match kind {
            EntryKind::Page(url) => {
                let path = path_of(&url);
                r.set("segment", format!("{}=={}", style.dim, style.encode(&url)));
                r.set("url", url);
                r.flat_label = Some(percent_decode(&path));
                r.flat_cols.insert(style.flat_col.into(), Value::from(path));
            }
            EntryKind::Folder { path, url, table } => {
                r.set("segment", format!("{}=^{}", style.dim, style.encode(&url)));
                r.sub = Some(to_rows(ctx, *table, style, Some((&path, &url)), timed));
            }
        }
        rows.push(r);
    }
    if let Some(mut others) = table.others {
        // Matomo's truncation row: the counts of the rows it replaces added up, their timings'
        // averages over all their timed page views, its parent's page segment (in a subtable;
        // none at the top), and `is_summary`; no goals.
        let mut r = Row::new("Others");
        r.cols = cols(&mut others);
        r.cols.remove("goals");
        r.top_cols
            .insert("avg_page_load_time".into(), others.page_load_time());
        r.set("is_summary", true);
        if let Some((path, url)) = dir {
            // The page report's dimension in the entry and exit page reports too, as Matomo
            // 5.0.2 writes it (`pageUrl=^…`).
            r.set(
                "segment",
                format!("{}=^{}", PAGE_ROWS.dim, PAGE_ROWS.encode(url)),
            );
            r.flat_label = Some(format!("{} - Others", percent_decode(path)));
            r.flat_cols.insert(
                style.flat_col.into(),
                Value::from(format!("{path} - Others")),
            );
        }
        rows.push(r);
    }
    rows
}

/// A day's tree of `pages`' path segments.
fn tree(pages: BTreeMap<String, PageAgg>) -> Node {
    let mut root = Node::default();
    for (url, agg) in pages {
        let path = path_of(&url);
        let (path_part, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_string(), format!("?{q}")),
            None => (path.clone(), String::new()),
        };
        let mut segs: Vec<String> = path_part
            .split('/')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let leaf = if path_part.ends_with('/') || segs.is_empty() {
            if query.is_empty() {
                "/index".to_string()
            } else {
                format!("/{query}")
            }
        } else {
            format!("/{}{query}", segs.pop().unwrap_or_default())
        };
        insert(&mut root, &segs, leaf, url, &agg);
    }
    root
}

/// The period's archived page URL table, and whether any of its page views sent timings.
fn archived(ctx: &Ctx<'_>) -> (Table, bool) {
    archived_table(
        ctx,
        |url, _| url.to_string(),
        |pages| day_table(tree(pages), ctx.row_limits, 0),
    )
}

/// The rows of the period's page URL table, named as `style` says.
fn url_rows(ctx: &Ctx<'_>, style: UrlRows) -> Vec<Row> {
    let (table, timed) = archived(ctx);
    to_rows(ctx, table, style, None, timed)
}

/// Whether a row has visits in `column` (Matomo's rows without such visits have no column).
fn has(row: &Row, column: &str) -> bool {
    row.cols
        .get(column)
        .and_then(Value::as_u64)
        .is_some_and(|n| n > 0)
}

/// Page URLs as the page reports name their rows: `pageUrl==https%253A…`, encoded twice, as
/// the recorded `Actions.getPageUrls_flat.json` shows.
const PAGE_ROWS: UrlRows = UrlRows {
    flat_col: "Actions_PageUrl",
    dim: "pageUrl",
    twice: true,
};

pub(crate) fn page_urls(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    Ok(finish(url_rows(ctx, PAGE_ROWS), &ctx.filters))
}

/// `Actions.getEntryPageUrls`: pages where visits began. As for exit pages, only the rows
/// without entries of the table asked for are dropped (Matomo's `ColumnCallbackDeleteRow` is not
/// recursive): asked flat, a folder with entries keeps its pages that had none, without entry
/// columns (the SDK leaves such rows out).
pub(crate) fn entry_page_urls(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    entry_or_exit_pages(ctx, "Actions_EntryPageUrl", "entryPageUrl", |r| {
        has(r, "entry_nb_visits")
    })
}

/// `Actions.getExitPageUrls`: pages where visits ended, as the fixture: every page metric,
/// `Actions_ExitPageUrl` when flat, and the segment on the exit page, encoded twice.
pub(crate) fn exit_page_urls(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    entry_or_exit_pages(ctx, "Actions_ExitPageUrl", "exitPageUrl", |r| {
        has(r, "exit_nb_visits")
    })
}

/// The entry or exit page report: the page rows with `flat_col` when flat and row segments on
/// `dim`, of which the table asked for keeps those `keep` keeps.
fn entry_or_exit_pages(
    ctx: &Ctx<'_>,
    flat_col: &'static str,
    dim: &'static str,
    keep: fn(&Row) -> bool,
) -> Result<Value, ApiError> {
    // As the fixture: `entryPageUrl==https%253A…`, encoded twice.
    let style = UrlRows {
        flat_col,
        dim,
        twice: true,
    };
    let rows = url_rows(ctx, style);
    Ok(finish_keeping(rows, &ctx.filters, keep))
}

/// `Actions.getPageUrlsFollowingSiteSearch`: the page report's rows of pages viewed right after a
/// site search, as Matomo 5.0.2 answers. Its method asks `getPageUrls` unflattened and keeps, in
/// each table it returns, the rows with `nb_hits_following_search` above 0
/// (`keepPagesFollowingSearch`): a directory only if a page below followed a search, an "Others"
/// row likewise. A page has no segment of its own: the API turns a row's `segmentValue` into a
/// segment with the report's dimension (`AddSegmentBySegmentValue`), and this report's,
/// `DestinationPage`, has none. Asked flat, the generic flattener (`Flattener`, label separator
/// `/`) joins the directories' labels to the page's without the leading `/` (`products/shoes/x`,
/// a directory's index `products/`, a top-level page as it is, `/cart`, its index `/`), gives a
/// page its directory's segment (the metadata it copies down) and `Actions_DestinationPage`, and
/// no `Actions_PageUrl`.
pub(crate) fn page_urls_following_search(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let (table, timed) = archived(ctx);
    let mut rows = to_rows(ctx, table.following_search(), PAGE_ROWS, None, timed);
    as_destination_pages(&mut rows, "");
    Ok(finish(rows, &ctx.filters))
}

/// Renames the rows of a table of `Actions.getPageUrlsFollowingSiteSearch` as Matomo's generic
/// flattener names them below `prefix` (the directories' labels above, each followed by `/`).
fn as_destination_pages(rows: &mut [Row], prefix: &str) {
    for r in rows.iter_mut() {
        r.flat_cols.remove(PAGE_ROWS.flat_col);
        let label = if r.cols.contains_key("is_summary") {
            // The flattener's truncation row: `products/ - Others`.
            if prefix.is_empty() {
                r.label.clone()
            } else {
                format!("{prefix} - {}", r.label)
            }
        } else {
            // Asked flat, the Actions filter ends a page's `/index` with its `/` alone.
            let own = match r.label.strip_suffix("/index") {
                Some(before) if r.sub.is_none() => format!("{}/", before.trim_end_matches('/')),
                _ => r.label.clone(),
            };
            let own = match own.strip_prefix('/') {
                Some(rest) if prefix.ends_with('/') => rest.to_owned(),
                _ => own,
            };
            format!("{prefix}{own}")
        };
        match r.sub.as_mut() {
            Some(sub) => {
                // A directory's segment goes down to the rows below it when flattened.
                if let Some(segment) = r.cols.get("segment").cloned() {
                    r.flat_cols.insert("segment".into(), segment);
                }
                as_destination_pages(sub, &format!("{label}/"));
            }
            None => {
                if !r.cols.contains_key("is_summary") {
                    r.cols.remove("segment");
                }
                r.flat_cols
                    .insert("Actions_DestinationPage".into(), Value::from(label.clone()));
                r.flat_label = Some(label);
            }
        }
    }
}
