//! Outlinks and downloads: the domains of the links visitors followed out, and the URLs below,
//! archived as Matomo 5.0.2 archives them.
//!
//! Its day archiver (`ActionReports::archiveDayActions`) meets a day's links in the order of its
//! query (most hits first, then by URL) and walks each as its domain, then its path
//! (`ArchivingHelper::getActionExplodedNames`, `DataTable::walkPath`), into tables that hold
//! `datatable_archiving_maximum_rows_actions` domains and `…_subtable_actions` URLs per domain,
//! their truncation rows counted (`DataTable::addRow` adds a row while the table holds fewer
//! than the limit − 1). A link of a domain met when the top table is full is summed into its
//! "Others" row, one of a full domain into the domain's; a domain is its rows added up
//! (`DataTableSummaryRow::recalculate`). Neither a domain nor a truncation row keeps distinct
//! visitors (`deleteInvalidSummedColumnsFromDataTable`). A week, month or range adds its
//! subperiods' tables up by label and cuts the sum again by visits (`DataTable::getSerialized`'s
//! `Truncate`), as the page URLs' (`archive.rs`).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::calendar::Day;
use crate::dataset::{Action, Visit};
use crate::query::errors::ApiError;
use crate::query::period::Kind;
use crate::query::request::percent_encode;
use crate::query::table::{Row, RowLimits, finish};
use crate::reports::{Ctx, host_of};

/// A link row's counts as archived: visits (distinct within a day, added up over days), hits,
/// and distinct visitors (a day's, added up by day; only on a URL's own row).
#[derive(Clone, Copy, Default)]
struct Clicks {
    visits: u64,
    hits: u64,
    visitors: Option<u64>,
}

impl Clicks {
    fn add(&mut self, other: &Clicks) {
        self.visits += other.visits;
        self.hits += other.hits;
        self.visitors = super::pages::add_distinct(self.visitors, other.visitors);
    }

    /// These counts without distinct visitors, as Matomo keeps a domain or a day's truncation
    /// row.
    fn without_visitors(self) -> Clicks {
        Clicks {
            visitors: None,
            ..self
        }
    }
}

/// A row of a [`Links`] table: a domain (with its URLs below) or a URL (with its full URL).
struct Link {
    /// The domain (`github.com`) or the URL's path below it (`/example/repo`).
    label: String,
    clicks: Clicks,
    kind: LinkKind,
}

enum LinkKind {
    Domain(Links),
    Url(String),
}

/// One archived table of outlinks or downloads: its rows in the archive's order and its
/// truncation row.
#[derive(Default)]
struct Links {
    rows: Vec<Link>,
    others: Option<Clicks>,
}

/// Whether a table of `rows` rows takes no new row (`DataTable::addRow`; 0 is no limit).
fn full(rows: usize, limit: usize) -> bool {
    limit > 0 && rows >= limit - 1
}

impl Links {
    /// Sums `clicks` into the truncation row, without distinct visitors.
    fn fold(&mut self, clicks: &Clicks) {
        self.others
            .get_or_insert_with(Clicks::default)
            .add(&clicks.without_visitors());
    }

    /// A day's table: `links` (full URL, counts) met in the order of Matomo's query, each
    /// walked as its domain and its path.
    fn day(mut links: Vec<(String, Clicks)>, limits: RowLimits) -> Links {
        // Stable: ties stay in URL order.
        links.sort_by_key(|(_, clicks)| Reverse(clicks.hits));
        let mut top = Links::default();
        for (url, clicks) in links {
            let host = host_of(&url).to_string();
            let at = match top.rows.iter().position(|d| d.label == host) {
                Some(at) => at,
                None if full(top.rows.len(), limits.actions) => {
                    top.fold(&clicks);
                    continue;
                }
                None => {
                    top.rows.push(Link {
                        label: host.clone(),
                        clicks: Clicks::default(),
                        kind: LinkKind::Domain(Links::default()),
                    });
                    top.rows.len() - 1
                }
            };
            let Some(LinkKind::Domain(urls)) = top.rows.get_mut(at).map(|d| &mut d.kind) else {
                continue;
            };
            let label = path_label(&url, &host);
            let taken = full(urls.rows.len(), limits.actions_subtable);
            match urls.rows.iter_mut().find(|u| u.label == label) {
                Some(mine) => mine.clicks.add(&clicks),
                None if taken => urls.fold(&clicks),
                None => urls.rows.push(Link {
                    label,
                    clicks,
                    kind: LinkKind::Url(url),
                }),
            }
        }
        for domain in &mut top.rows {
            if let LinkKind::Domain(urls) = &domain.kind {
                domain.clicks = urls.total().without_visitors();
            }
        }
        top
    }

    /// The table's rows and truncation row added up.
    fn total(&self) -> Clicks {
        let mut sum = self.others.unwrap_or_default();
        for row in &self.rows {
            sum.add(&row.clicks);
        }
        sum
    }

    /// Adds `other` by label (a domain's URLs too), a label new to this table last, its
    /// truncation row to this one's.
    fn add(&mut self, other: Links) {
        for link in other.rows {
            match self.rows.iter_mut().find(|mine| mine.label == link.label) {
                Some(mine) => {
                    mine.clicks.add(&link.clicks);
                    if let (LinkKind::Domain(mine), LinkKind::Domain(theirs)) =
                        (&mut mine.kind, link.kind)
                    {
                        mine.add(theirs);
                    }
                }
                None => self.rows.push(link),
            }
        }
        if let Some(theirs) = other.others {
            self.others.get_or_insert_with(Clicks::default).add(&theirs);
        }
    }

    /// Cuts a longer period's sum as `Truncate` does: more rows than `limit` (the truncation row
    /// counted) keep the `limit` − 1 with the most visits (ties in the table's order), the rest
    /// summed into the truncation row; each domain left is cut to `sub_limit` the same way.
    fn truncate(&mut self, limit: usize, sub_limit: usize) {
        if limit > 0 && self.rows.len() + usize::from(self.others.is_some()) > limit {
            self.rows.sort_by_key(|link| Reverse(link.clicks.visits));
            let cut = (limit - 1).min(self.rows.len());
            for link in self.rows.split_off(cut) {
                self.others
                    .get_or_insert_with(Clicks::default)
                    .add(&link.clicks);
            }
        }
        for link in &mut self.rows {
            if let LinkKind::Domain(urls) = &mut link.kind {
                urls.truncate(sub_limit, sub_limit);
            }
        }
    }
}

/// A link's label below its domain: the URL without its scheme and host (`/example/repo`).
fn path_label(url: &str, host: &str) -> String {
    let short = without_scheme(url);
    short.strip_prefix(host).unwrap_or(short).to_string()
}

/// `https://github.com/example/repo` → `github.com/example/repo`.
fn without_scheme(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest)
}

/// A day's links: each URL's visits, hits and distinct visitors.
fn day_links(visits: &[&Visit], pick: fn(&Action) -> Option<&str>) -> Vec<(String, Clicks)> {
    type Seen = (BTreeSet<u64>, u64, BTreeSet<String>);
    let mut by_url: BTreeMap<String, Seen> = BTreeMap::new();
    for v in visits {
        for url in v.actions.iter().filter_map(pick) {
            let e = by_url.entry(url.to_string()).or_default();
            e.0.insert(v.id);
            e.1 += 1;
            e.2.insert(v.visitor_id.clone());
        }
    }
    by_url
        .into_iter()
        .map(|(url, (visits, hits, visitors))| {
            let clicks = Clicks {
                visits: visits.len() as u64,
                hits,
                visitors: Some(visitors.len() as u64),
            };
            (url, clicks)
        })
        .collect()
}

/// A row's counts: visits, hits, no time, and its distinct visitors when it keeps them (a
/// day's, or their sum by day over a longer period).
fn counted(label: &str, clicks: Clicks, day: bool) -> Row {
    let mut r = Row::new(label);
    r.set("nb_visits", clicks.visits);
    r.set("nb_hits", clicks.hits);
    r.set("sum_time_spent", 0);
    if let Some(n) = clicks.visitors {
        let column = if day {
            "nb_uniq_visitors"
        } else {
            "sum_daily_nb_uniq_visitors"
        };
        r.set(column, n);
    }
    r
}

/// A truncation row: no segment, `is_summary` and its flat label (`github.com/ - Others` below a
/// domain, `Others` at the top) only when flattened, as Matomo's flattener marks it.
fn others_row(clicks: Clicks, domain: Option<&str>, dim: &str, day: bool) -> Row {
    let mut r = counted("Others", clicks, day);
    let flat = domain.map_or_else(|| "Others".to_string(), |d| format!("{d}/ - Others"));
    r.flat_label = Some(flat.clone());
    r.flat_cols.insert("is_summary".into(), Value::Bool(true));
    r.flat_cols.insert(dim.into(), Value::from(flat));
    r
}

/// The rows of an archived table; `domain` is the one whose URLs it holds (`None` at the top).
fn to_rows(table: Links, domain: Option<&str>, dim: &str, seg: &str, day: bool) -> Vec<Row> {
    let mut rows = Vec::with_capacity(table.rows.len() + 1);
    for Link {
        label,
        clicks,
        kind,
    } in table.rows
    {
        let mut r = counted(&label, clicks, day);
        match kind {
            LinkKind::Domain(urls) => r.sub = Some(to_rows(urls, Some(&label), dim, seg, day)),
            LinkKind::Url(url) => {
                let short = without_scheme(&url).to_string();
                r.set(
                    "segment",
                    format!("{seg}=={}", percent_encode(&percent_encode(&url))),
                );
                r.set("url", url.clone());
                r.flat_label = Some(short.clone());
                r.flat_cols.insert(dim.into(), Value::from(short));
            }
        }
        rows.push(r);
    }
    if let Some(others) = table.others {
        rows.push(others_row(others, domain, dim, day));
    }
    rows
}

/// Outlinks and downloads: domain rows with one subtable row per URL, archived per day and
/// added up over longer periods, each table cut to the Actions row limits.
fn link_report(
    ctx: &Ctx<'_>,
    pick: fn(&Action) -> Option<&str>,
    dim: &str,
    seg: &str,
) -> Result<Value, ApiError> {
    let mut by_day: BTreeMap<Day, Vec<&Visit>> = BTreeMap::new();
    for v in &ctx.visits {
        by_day.entry(v.day).or_default().push(v);
    }
    let limits = ctx.row_limits;
    let table = super::archive::archive(
        ctx.period,
        &mut |day| {
            let visits = by_day.remove(&day).unwrap_or_default();
            Links::day(day_links(&visits, pick), limits)
        },
        &|parts| {
            let mut sum = Links::default();
            for part in parts {
                sum.add(part);
            }
            sum.truncate(limits.actions, limits.actions_subtable);
            sum
        },
    );
    let day = ctx.period.kind == Kind::Day;
    Ok(finish(to_rows(table, None, dim, seg, day), &ctx.filters))
}

pub(crate) fn outlinks(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    link_report(
        ctx,
        |a| match a {
            Action::Outlink { url } => Some(url),
            _ => None,
        },
        "Actions_ClickedUrl",
        "outlinkUrl",
    )
}

pub(crate) fn downloads(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    link_report(
        ctx,
        |a| match a {
            Action::Download { url } => Some(url),
            _ => None,
        },
        "Actions_DownloadUrl",
        "downloadUrl",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clicks(hits: u64) -> Clicks {
        Clicks {
            visits: hits,
            hits,
            visitors: Some(hits),
        }
    }

    /// A day's table of links (URL, hits = visits = visitors) with 2 domains and 2 URLs per
    /// domain, truncation rows counted.
    fn day_of(links: &[(&str, u64)]) -> Links {
        let limits = RowLimits {
            actions: 2,
            actions_subtable: 2,
            ..RowLimits::default()
        };
        let links = links
            .iter()
            .map(|&(url, hits)| (url.to_string(), clicks(hits)));
        Links::day(links.collect(), limits)
    }

    fn labels(table: &Links) -> Vec<String> {
        let mut out = Vec::new();
        for link in &table.rows {
            out.push(link.label.clone());
            if let LinkKind::Domain(urls) = &link.kind {
                out.extend(
                    urls.rows
                        .iter()
                        .map(|u| format!("{}{}", link.label, u.label)),
                );
                if let Some(o) = urls.others {
                    out.push(format!("{}/ - Others {}", link.label, o.hits));
                }
            }
        }
        if let Some(o) = table.others {
            out.push(format!("Others {}", o.hits));
        }
        out
    }

    #[test]
    fn a_day_walks_each_link_as_its_domain_and_path_into_full_tables() {
        let day = day_of(&[
            ("https://a.example/1", 2),
            ("https://a.example/2", 5),
            ("https://a.example/3", 1),
            ("https://b.example/x", 3),
        ]);
        // Most hits first: a.example/2 opens the only domain row, a.example/1 and /3 go to its
        // truncation row, b.example to the top's.
        assert_eq!(
            labels(&day),
            [
                "a.example",
                "a.example/2",
                "a.example/ - Others 3",
                "Others 3"
            ]
        );
        assert_eq!(day.rows[0].clicks.hits, 8);
        assert_eq!(day.rows[0].clicks.visitors, None);
        assert_eq!(day.others.and_then(|o| o.visitors), None);
    }

    #[test]
    fn a_sum_is_cut_again_by_visits() {
        let monday = day_of(&[("https://a.example/1", 1), ("https://b.example/1", 4)]);
        let tuesday = day_of(&[("https://a.example/1", 6)]);
        let mut sum = Links::default();
        sum.add(monday);
        sum.add(tuesday);
        sum.truncate(2, 2);
        // b.example (4) stayed on Monday; a.example's 1 is in Monday's truncation row.
        // Over both days a.example (6) has more visits: b.example is folded.
        assert_eq!(labels(&sum), ["a.example", "a.example/1", "Others 5"]);
    }
}
