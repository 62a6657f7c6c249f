//! `API.get`: every plugin's headline metrics merged, and which plugins `columns`,
//! `showColumns` and `hideColumns` select, as Matomo 5.0.2's `API\API::get` does.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::performance::{averages, totals};
use super::{Ctx, host_of, round_value, summary};
use crate::dataset::record_names;
use crate::dataset::{Action, Referrer, TIMING_AVERAGE_COLUMNS};
use crate::query::errors::ApiError;
use crate::query::period::Kind;
use crate::query::request::ApiRequest;

/// `API.get`: every plugin's headline metrics merged, as the recorded `API.get_day.json` shows
/// them: the visit summary (also of new and of returning visits), the referrer channels, the
/// page performance records and their averages, the goal conversions and the action counts.
///
/// With `columns`, `showColumns` or `hideColumns`, as Matomo 5.0.2's `API\API::get`: only the
/// plugins they leave metrics of are asked (each with the columns [`Plugin::passed`], see
/// [`Keeps`]), and only the asked columns are kept (a single column is then rendered as its
/// bare value, as any summary left with one: `summary::rendered`). Columns that select no
/// plugin are answered `[]` before any period ([`selects_nothing`]).
pub(crate) fn api_get(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let Value::Object(visits) = summary::visits_summary(ctx)? else {
        return Ok(Value::Object(Map::new()));
    };
    let mut frequency = Map::new();
    for (suffix, returning) in [("new", false), ("returning", true)] {
        let part = ctx.with_visits(
            ctx.visits
                .iter()
                .copied()
                .filter(|v| v.returning == returning)
                .collect(),
        );
        if let Value::Object(of_part) = summary::visits_summary(&part)? {
            for name in PER_VISITOR_TYPE {
                if let Some(value) = of_part.get(name) {
                    frequency.insert(format!("{name}_{suffix}"), value.clone());
                }
            }
        }
    }
    let mut referrers = Map::new();
    channels(ctx, &mut referrers);
    let mut performance = Map::new();
    let totals = totals(ctx.visits.iter().copied());
    for ((sum_name, hits_name), (sum, hits)) in record_names().into_iter().zip(totals) {
        // In seconds, as Matomo 5.0.2 sends them (`PagePerformance\API::get` divides each
        // archived millisecond sum by 1000).
        performance.insert(sum_name, round_value(sum as f64 / 1000.0, 3));
        performance.insert(hits_name, Value::from(hits));
    }
    averages(&totals, &mut performance);
    let goals = match summary::goals(ctx)? {
        Value::Object(goals) => goals,
        _ => Map::new(),
    };
    let mut actions = Map::new();
    action_counts(ctx, &mut actions);
    let parts = [visits, frequency, referrers, performance, goals, actions];
    let columns = Columns::of(ctx.req);
    if columns.asked.is_none() && columns.shown.is_none() && columns.hidden.is_none() {
        return Ok(Value::Object(parts.into_iter().flatten().collect()));
    }
    let mut kept = Map::new();
    for (plugin, part) in PLUGINS.iter().zip(parts) {
        let passed = plugin.passed(&columns);
        if passed.is_empty() {
            continue;
        }
        kept.extend(part.into_iter().filter(|(k, _)| {
            columns
                .asked
                .as_ref()
                .is_none_or(|a| a.contains(&k.as_str()))
                && plugin.keeps.kept(k, &passed, &columns)
        }));
    }
    Ok(Value::Object(kept))
}

/// `API.get` for a period without visits in a map of periods: Matomo 5.0.2 merges the plugins'
/// tables of that period, and a plugin's table has a row only when the plugin asked its archive
/// for a single metric (`DataTableFactory::makeFromMetricsArray` adds a 0 row then, "to ensure
/// that the PHP renderer outputs 0 when only one column is queried"); `[]` when none did.
pub(crate) fn without_visits(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let Value::Object(zeros) = api_get(ctx)? else {
        return Ok(Value::Array(Vec::new()));
    };
    let columns = Columns::of(ctx.req);
    let kind = ctx.period.kind;
    let stored: Vec<String> = PLUGINS
        .iter()
        .flat_map(|plugin| plugin.single_metric(&plugin.passed(&columns), kind))
        .collect();
    let row: Map<String, Value> = zeros
        .into_iter()
        .filter(|(k, _)| stored.contains(k))
        .collect();
    Ok(if row.is_empty() {
        Value::Array(Vec::new())
    } else {
        Value::Object(row)
    })
}

/// The column lists of an `API.get` request: `columns`, `showColumns`, `hideColumns`.
struct Columns<'r> {
    asked: Option<Vec<&'r str>>,
    shown: Option<Vec<&'r str>>,
    hidden: Option<Vec<&'r str>>,
}

impl<'r> Columns<'r> {
    fn of(req: &'r ApiRequest) -> Self {
        Columns {
            asked: req.list("columns"),
            shown: req.list("showColumns"),
            hidden: req.list("hideColumns"),
        }
    }

    /// Whether `showColumns` and `hideColumns` leave `column`.
    fn visible(&self, column: &str) -> bool {
        self.shown.as_ref().is_none_or(|s| s.contains(&column))
            && self.hidden.as_ref().is_none_or(|h| !h.contains(&column))
    }
}

/// True when `API.get` asks no plugin (`columns`, `showColumns` or `hideColumns` leave none
/// of any plugin's metrics, see [`Plugin::passed`]): Matomo 5.0.2 then answers an empty table,
/// `[]`, whatever the sites and periods.
pub(crate) fn selects_nothing(req: &ApiRequest) -> bool {
    let columns = Columns::of(req);
    PLUGINS.iter().all(|p| p.passed(&columns).is_empty())
}

/// True when `API.get` asks `Referrers.get` (the columns leave some of its metrics).
pub(crate) fn asks_referrers(req: &ApiRequest) -> bool {
    !REFERRERS.passed(&Columns::of(req)).is_empty()
}

/// Which of its columns a plugin's `get` sends when `API.get` passes it the asked columns its
/// metadata lists (Matomo 5.0.2, checked against its answers).
#[derive(Clone, Copy)]
enum Keeps {
    /// It has no `columns` parameter and sends everything (`PagePerformance.get`, whose sums
    /// and counts `API.get` then keeps when asked; `Referrers.get`).
    Everything,
    /// Only the passed columns (`VisitsSummary.get`, `Actions.get`).
    Listed,
    /// Only the passed columns whose visit summary column the request's `showColumns` and
    /// `hideColumns` leave (`VisitFrequency.get` asks `VisitsSummary.get` for `nb_visits` of new
    /// visits through `Request::processRequest`, which inherits them: `showColumns=nb_visits_new`
    /// deletes its `nb_visits`, and so `nb_visits_new`).
    ListedThroughVisitsSummary,
    /// The passed columns, of all visits and of new and of returning ones (`Goals.get`:
    /// `nb_conversions` brings `nb_conversions_new_visit`).
    ListedPerVisitorType,
}

impl Keeps {
    fn kept(self, column: &str, listed: &[&str], columns: &Columns<'_>) -> bool {
        match self {
            Keeps::Everything => true,
            Keeps::Listed => listed.contains(&column),
            Keeps::ListedThroughVisitsSummary => {
                listed.contains(&column)
                    && visitor_type(column).is_some_and(|(base, _)| columns.visible(base))
            }
            Keeps::ListedPerVisitorType => listed.contains(&super::summary::goal_column(column)),
        }
    }
}

/// `VisitFrequency.get`'s column split into the visit summary's and the visitor type
/// (`nb_visits_new`: `nb_visits`, `_new`).
fn visitor_type(column: &str) -> Option<(&str, &str)> {
    ["_new", "_returning"]
        .into_iter()
        .find_map(|suffix| Some((column.strip_suffix(suffix)?, suffix)))
}

/// A plugin `API.get` merges: the columns its `get` report's metadata lists (metrics and
/// processed metrics), which select it.
struct Plugin {
    /// Its metrics, then its processed metrics.
    listed: &'static [&'static str],
    /// How many of `listed` are metrics (stored in its archive).
    metrics: usize,
    keeps: Keeps,
    /// Whether its `get` asks its archive for the columns passed (and so for a single metric
    /// when passed one): not `Referrers.get` and `PagePerformance.get`, which ask for all theirs.
    asks_passed: bool,
}

impl Plugin {
    /// The columns `API.get` passes to the plugin's `get`, none when it does not ask it, as
    /// Matomo 5.0.2's `API\API::get`: its report metadata's metrics and processed metrics,
    /// each list without the request's `hideColumns` and within its `showColumns`
    /// (`ProcessedReport::getReportMetadata` filters them so); not asked when no metric is
    /// left; of the rest, those in `columns` when given.
    fn passed(&self, columns: &Columns<'_>) -> Vec<&'static str> {
        let (metrics, processed) = self.listed.split_at(self.metrics.min(self.listed.len()));
        if !metrics.iter().any(|c| columns.visible(c)) {
            return Vec::new();
        }
        metrics
            .iter()
            .chain(processed)
            .copied()
            .filter(|c| columns.visible(c))
            .filter(|c| columns.asked.as_ref().is_none_or(|a| a.contains(c)))
            .collect()
    }

    /// The column of the 0 row its table has for a period without visits: when it asks its
    /// archive for one metric alone (one passed column, a metric: each processed metric needs
    /// two), per visitor type for `VisitFrequency.get` (its two requests apart). Matomo counts
    /// no unique visitors or users over a year, where asking for them asks for nothing.
    fn single_metric(&self, passed: &[&str], kind: Kind) -> Vec<String> {
        let metrics = &self.listed[..self.metrics.min(self.listed.len())];
        let counted = |c: &str| {
            !matches!(c, "nb_uniq_visitors" | "nb_users")
                || !matches!(kind, Kind::Year | Kind::Range)
        };
        let one = |cols: Vec<&str>| match cols.as_slice() {
            [c] if counted(c) => Some((*c).to_owned()),
            _ => None,
        };
        match (self.asks_passed, self.keeps) {
            (false, _) => Vec::new(),
            (true, Keeps::ListedThroughVisitsSummary) => ["_new", "_returning"]
                .into_iter()
                .filter_map(|suffix| {
                    let of_type: Vec<&str> = passed
                        .iter()
                        .filter_map(|c| visitor_type(c).filter(|(_, s)| *s == suffix))
                        .map(|(base, _)| base)
                        .collect();
                    let all_metrics = passed
                        .iter()
                        .filter(|c| visitor_type(c).is_some_and(|(_, s)| s == suffix))
                        .all(|c| metrics.contains(c));
                    one(of_type)
                        .filter(|_| all_metrics)
                        .map(|base| format!("{base}{suffix}"))
                })
                .collect(),
            (true, _) => one(passed
                .iter()
                .copied()
                .filter(|c| metrics.contains(c))
                .collect())
            .filter(|_| passed.iter().all(|c| metrics.contains(c)))
            .into_iter()
            .collect(),
        }
    }
}

/// `Referrers.get`, the third of [`PLUGINS`].
const REFERRERS: &Plugin = &PLUGINS[2];

/// The plugins in the order [`api_get`] builds their parts.
const PLUGINS: [Plugin; 6] = [
    Plugin {
        listed: &[
            "nb_uniq_visitors",
            "nb_visits",
            "nb_users",
            "nb_actions",
            "max_actions",
            "bounce_rate",
            "nb_actions_per_visit",
            "avg_time_on_site",
        ],
        metrics: 5,
        keeps: Keeps::Listed,
        asks_passed: true,
    },
    Plugin {
        listed: &[
            "nb_visits_returning",
            "nb_actions_returning",
            "nb_uniq_visitors_returning",
            "nb_users_returning",
            "max_actions_returning",
            "nb_visits_new",
            "nb_actions_new",
            "nb_uniq_visitors_new",
            "nb_users_new",
            "max_actions_new",
            "avg_time_on_site_returning",
            "nb_actions_per_visit_returning",
            "bounce_rate_returning",
            "avg_time_on_site_new",
            "nb_actions_per_visit_new",
            "bounce_rate_new",
        ],
        metrics: 10,
        keeps: Keeps::ListedThroughVisitsSummary,
        asks_passed: true,
    },
    Plugin {
        listed: &[
            "Referrers_visitorsFromSearchEngines",
            "Referrers_visitorsFromSearchEngines_percent",
            "Referrers_visitorsFromSocialNetworks",
            "Referrers_visitorsFromSocialNetworks_percent",
            "Referrers_visitorsFromDirectEntry",
            "Referrers_visitorsFromDirectEntry_percent",
            "Referrers_visitorsFromWebsites",
            "Referrers_visitorsFromWebsites_percent",
            "Referrers_visitorsFromCampaigns",
            "Referrers_visitorsFromCampaigns_percent",
            "Referrers_distinctSearchEngines",
            "Referrers_distinctSocialNetworks",
            "Referrers_distinctWebsites",
            "Referrers_distinctKeywords",
            "Referrers_distinctCampaigns",
        ],
        metrics: usize::MAX,
        keeps: Keeps::Everything,
        asks_passed: false,
    },
    Plugin {
        listed: &TIMING_AVERAGE_COLUMNS,
        metrics: usize::MAX,
        keeps: Keeps::Everything,
        asks_passed: false,
    },
    Plugin {
        listed: &[
            "nb_conversions",
            "nb_visits_converted",
            "revenue",
            "conversion_rate",
        ],
        metrics: 3,
        keeps: Keeps::ListedPerVisitorType,
        asks_passed: true,
    },
    Plugin {
        listed: &[
            "nb_pageviews",
            "nb_uniq_pageviews",
            "nb_downloads",
            "nb_uniq_downloads",
            "nb_outlinks",
            "nb_uniq_outlinks",
            "nb_searches",
            "nb_keywords",
            "avg_time_generation",
        ],
        metrics: 8,
        keeps: Keeps::Listed,
        asks_passed: true,
    },
];

/// The visit summary's metrics `API.get` repeats for new and for returning visits.
const PER_VISITOR_TYPE: [&str; 8] = [
    "nb_visits",
    "nb_actions",
    "nb_uniq_visitors",
    "nb_users",
    "max_actions",
    "bounce_rate",
    "nb_actions_per_visit",
    "avg_time_on_site",
];

/// `Referrers.get`'s part: visits per channel (and their share), distinct referrers per channel.
fn channels(ctx: &Ctx<'_>, m: &mut Map<String, Value>) {
    let mut visits: BTreeMap<&str, u64> = BTreeMap::new();
    let mut distinct: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for v in &ctx.visits {
        *visits.entry(v.referrer.type_code()).or_default() += 1;
        let mut note = |what: &'static str, value: &str| {
            distinct.entry(what).or_default().insert(value.to_owned());
        };
        match &v.referrer {
            Referrer::Direct => {}
            Referrer::Search {
                engine, keyword, ..
            } => {
                note("SearchEngines", engine);
                note("Keywords", keyword);
            }
            Referrer::Website { url } => {
                note("Websites", host_of(url));
                note("WebsitesUrls", url);
            }
            Referrer::Social { network, .. } => note("SocialNetworks", network),
            Referrer::Campaign { name, .. } => note("Campaigns", name),
        }
    }
    let all = ctx.visits.len() as f64;
    for (channel, code) in [
        ("SearchEngines", "search"),
        ("SocialNetworks", "social"),
        ("DirectEntry", "direct"),
        ("Websites", "website"),
        ("Campaigns", "campaign"),
    ] {
        let n = visits.get(code).copied().unwrap_or(0);
        m.insert(format!("Referrers_visitorsFrom{channel}"), Value::from(n));
        m.insert(
            format!("Referrers_visitorsFrom{channel}_percent"),
            ctx.rate(n as f64, all, 0),
        );
    }
    for what in [
        "SearchEngines",
        "SocialNetworks",
        "Keywords",
        "Websites",
        "WebsitesUrls",
        "Campaigns",
    ] {
        let n = distinct.get(what).map_or(0, BTreeSet::len);
        m.insert(format!("Referrers_distinct{what}"), Value::from(n));
    }
}

/// `Actions.get`'s part: page views, downloads, outlinks (each also once per visit and URL),
/// site searches and their distinct keywords.
fn action_counts(ctx: &Ctx<'_>, m: &mut Map<String, Value>) {
    let (mut pages, mut downloads, mut outlinks, mut searches) = (0u64, 0u64, 0u64, 0u64);
    let mut unique: BTreeSet<(u64, u8, &str)> = BTreeSet::new();
    let mut keywords: BTreeSet<&str> = BTreeSet::new();
    for v in &ctx.visits {
        for action in &v.actions {
            match action {
                Action::Page { url, .. } => {
                    pages += 1;
                    unique.insert((v.id, 0, url));
                }
                Action::Download { url } => {
                    downloads += 1;
                    unique.insert((v.id, 1, url));
                }
                Action::Outlink { url } => {
                    outlinks += 1;
                    unique.insert((v.id, 2, url));
                }
                Action::Search { keyword } => {
                    searches += 1;
                    keywords.insert(keyword);
                }
                Action::Event { .. } => {}
            }
        }
    }
    let distinct = |kind: u8| unique.iter().filter(|(_, k, _)| *k == kind).count();
    m.insert("nb_pageviews".into(), Value::from(pages));
    m.insert("nb_uniq_pageviews".into(), Value::from(distinct(0)));
    m.insert("nb_downloads".into(), Value::from(downloads));
    m.insert("nb_uniq_downloads".into(), Value::from(distinct(1)));
    m.insert("nb_outlinks".into(), Value::from(outlinks));
    m.insert("nb_uniq_outlinks".into(), Value::from(distinct(2)));
    m.insert("nb_searches".into(), Value::from(searches));
    m.insert("nb_keywords".into(), Value::from(keywords.len()));
}
