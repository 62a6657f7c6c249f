//! The referrer reports by channel (`Referrers.getReferrerType`, `getSearchEngines`,
//! `getWebsites`, `getSocials`, `getCampaigns`), from their tables as Matomo 5.0.2 archives
//! them under its row limits ([`archive`]). `Referrers.getAll` is in [`super::grouped`].
//!
//! A truncation row is labelled `Others`, has no segment, and is marked `is_summary` when the
//! report is flattened: the channels' with `referrer_type` -1, the search engines' with the
//! unknown engine's logo (`xx.png`, and `url` "URL unknown!" when not flattened); flattened,
//! each level's dimension column (`Referrers_SearchEngine`, `Referrers_Keyword`, …) holds
//! `Others`, and a subtable's truncation row is `<name> - Others`. Checked on a real Matomo
//! 5.0.2 (`tests/conformance/truncation.rs`) for the channels, search engines, their keywords
//! and campaigns; no website or social network there has more URLs than its subtable holds,
//! so their URLs' truncation rows follow the same rule unchecked.

mod archive;

use serde_json::Value;

use self::archive::{Entry, Labels, Table, archived};
use super::dimensions::{main_domain, referrer_type_name, row, segment, several_periods};
use super::grouped::{add_up_distinct_counts, referrer_part};
use super::{Ctx, host_of};
use crate::dataset::{Referrer, Visit};
use crate::query::errors::ApiError;
use crate::query::request::form_encode;
use crate::query::table::{Row, finish};

/// A channel row's segment as Matomo 5.0.2 writes it for search engines, campaigns and social
/// networks: the channel, then its name (`referrerType==search;referrerName==DuckDuckGo`), so
/// that it selects that channel's visits only (checked on a real Matomo, `tests/conformance.rs`).
fn channel_segment(channel: &str, name: &str) -> String {
    format!("referrerType=={channel};{}", segment("referrerName", name))
}

/// A row of `visits` (with goals or not), its distinct counts the sums of those of the groups
/// Matomo archives ([`referrer_part`]).
fn summed_row(ctx: &Ctx<'_>, label: &str, visits: &[&Visit], goals: bool) -> Row {
    let mut r = row(ctx, label, visits, goals);
    add_up_distinct_counts(&mut r, visits, referrer_part);
    r
}

/// A truncation row: `Others`, `is_summary` when flattened, its dimension column `dimension`.
fn others_row(ctx: &Ctx<'_>, visits: &[&Visit], goals: bool, dimension: &str) -> Row {
    let mut r = summed_row(ctx, "Others", visits, goals);
    if ctx.filters.flat {
        r.set("is_summary", true);
    }
    r.flat_cols.insert(dimension.into(), Value::from("Others"));
    r
}

/// Further columns of a top row, from its label and visits.
type TopColumns<'f> = dyn Fn(&mut Row, &str, &[&Visit]) + 'f;

/// A record's report: its archived rows ([`Labels`]) and their subtables, each finished by
/// `top` (a row, its label and visits) and its subtable's rows by `sub` (the same, and the
/// parent's label).
struct Rendering<'f> {
    labels: Labels,
    /// A top row's segment, from its label.
    segment: fn(&str) -> String,
    goals_in_subtables: bool,
    /// The dimension columns a flattened row names its top and subtable labels in.
    dimensions: (&'static str, &'static str),
    top: Option<&'f TopColumns<'f>>,
    sub: &'f dyn Fn(&mut Row, &str, &str),
    /// The top truncation row's own columns (a search engine's url and logo).
    others: &'f dyn Fn(&mut Row),
}

impl Rendering<'_> {
    fn rows(&self, ctx: &Ctx<'_>) -> Vec<Row> {
        let table = archived(ctx.period, &ctx.visits, self.labels, ctx.row_limits);
        let mut rows: Vec<Row> = table
            .rows
            .into_iter()
            .map(|Entry { label, visits, sub }| {
                let mut r = summed_row(ctx, &label, &visits, true);
                r.set("segment", (self.segment)(&label));
                r.flat_cols
                    .insert(self.dimensions.0.into(), Value::from(label.clone()));
                if let Some(top) = self.top {
                    top(&mut r, &label, &visits);
                }
                if let Some(sub) = sub {
                    r.sub = Some(self.sub_rows(ctx, &label, sub));
                }
                r
            })
            .collect();
        if let Some(others) = table.others {
            let mut r = others_row(ctx, &others, true, self.dimensions.0);
            (self.others)(&mut r);
            rows.push(r);
        }
        rows
    }

    fn sub_rows(&self, ctx: &Ctx<'_>, parent: &str, table: Table<'_>) -> Vec<Row> {
        let goals = self.goals_in_subtables;
        let mut rows: Vec<Row> = table
            .rows
            .into_iter()
            .map(|entry| {
                let mut r = summed_row(ctx, &entry.label, &entry.visits, goals);
                r.flat_cols
                    .insert(self.dimensions.1.into(), Value::from(entry.label.clone()));
                (self.sub)(&mut r, &entry.label, parent);
                r
            })
            .collect();
        if let Some(others) = table.others {
            rows.push(others_row(ctx, &others, goals, self.dimensions.1));
        }
        rows
    }
}

/// `Referrers.getReferrerType`: a row per channel. Asked expanded, each channel's subtable is
/// its own report (`SetGetReferrerTypeSubtables` asks `getReferrerType` with the channel as
/// `idSubtable`, which answers `getKeywords`, `getWebsites`, `getCampaigns` or `getSocials`,
/// their own subtables not loaded), and over several periods none at all (the filter skips
/// them when `Range::isMultiplePeriod`).
pub(crate) fn referrer_type(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let embedded = !(ctx.filters.expanded && several_periods(ctx));
    let labels: Labels = |v| Some((referrer_type_name(&v.referrer).1.to_string(), None));
    let table = archived(ctx.period, &ctx.visits, labels, ctx.row_limits);
    let mut rows: Vec<Row> = table
        .rows
        .into_iter()
        .map(|Entry { visits, .. }| {
            let (label, code) = referrer_type_name(&visits[0].referrer);
            let mut r = summed_row(ctx, label, &visits, true);
            r.set(
                "segment",
                format!("referrerType=={}", visits[0].referrer.type_code()),
            );
            r.set("referrer_type", code);
            if code != 1 && embedded {
                let mut sub = match code {
                    2 => KEYWORDS.rows(ctx),
                    3 => WEBSITES.rows(ctx),
                    6 => CAMPAIGNS.rows(ctx),
                    _ => SOCIALS.rows(ctx),
                };
                sub.iter_mut().for_each(|s| s.sub = None);
                r.sub = Some(sub);
            }
            r
        })
        .collect();
    if let Some(others) = table.others {
        let mut r = summed_row(ctx, "Others", &others, true);
        r.set("referrer_type", -1);
        if ctx.filters.flat {
            r.set("is_summary", true);
        }
        rows.push(r);
    }
    Ok(finish(rows, &ctx.filters))
}

/// `Referrers.getKeywords`' rows (the search channel's subtable in `getReferrerType`): a row per
/// search keyword, adding up its search engines' (`KEYWORDS_RECORD_NAME`, with goals), with the
/// segment `referrerType==search;referrerKeyword==…`.
const KEYWORDS: Rendering<'static> = Rendering {
    segment: |keyword| {
        format!(
            "referrerType==search;{}",
            segment("referrerKeyword", keyword)
        )
    },
    labels: |v| match &v.referrer {
        Referrer::Search { keyword, .. } => Some((keyword.clone(), None)),
        _ => None,
    },
    goals_in_subtables: false,
    dimensions: ("Referrers_Keyword", "Referrers_SearchEngine"),
    top: None,
    sub: &|_, _, _| {},
    others: &|_| {},
};

/// The page a search engine shows a keyword's results on, as Matomo links a keyword's row
/// (`SearchEngine::getBackLinkFromUrlAndKeyword`): DuckDuckGo's `/?q=`, the others' `/search?q=`.
fn search_url(domain: &str, keyword: &str) -> String {
    let path = if domain == "duckduckgo.com" {
        ""
    } else {
        "search"
    };
    format!("http://{domain}/{path}?q={}", form_encode(keyword))
}

pub(crate) fn search_engines(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let domains: std::collections::BTreeMap<String, String> = ctx
        .visits
        .iter()
        .filter_map(|v| match &v.referrer {
            Referrer::Search { engine, host, .. } => {
                Some((engine.clone(), main_domain(host).to_string()))
            }
            _ => None,
        })
        .collect();
    let domain = |engine: &str| domains.get(engine).cloned().unwrap_or_default();
    let unknown = "plugins/Morpheus/icons/dist/searchEngines/xx.png";
    let flat = ctx.filters.flat;
    let rows = Rendering {
        segment: |engine| channel_segment("search", engine),
        labels: |v| match &v.referrer {
            Referrer::Search {
                engine, keyword, ..
            } => Some((engine.clone(), Some(keyword.clone()))),
            _ => None,
        },
        goals_in_subtables: false,
        dimensions: ("Referrers_SearchEngine", "Referrers_Keyword"),
        top: Some(&|r, engine, _| {
            let domain = domain(engine);
            r.set("url", format!("http://{domain}"));
            let logo = format!("plugins/Morpheus/icons/dist/searchEngines/{domain}.png");
            r.set("logo", logo.clone());
            r.flat_cols.insert("logo".into(), Value::from(logo));
        }),
        sub: &|r, keyword, engine| {
            let url = search_url(&domain(engine), keyword);
            r.flat_cols.insert("url".into(), Value::from(url));
        },
        others: &|r| {
            r.set("logo", unknown);
            if !flat {
                r.set("url", "URL unknown!");
            }
        },
    }
    .rows(ctx);
    Ok(finish(rows, &ctx.filters))
}

pub(crate) fn websites(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    Ok(finish(WEBSITES.rows(ctx), &ctx.filters))
}

/// A row per referring website, its subtable the website's referrer URLs.
const WEBSITES: Rendering<'static> = Rendering {
    segment: |host| segment("referrerName", host),
    labels: |v| match &v.referrer {
        Referrer::Website { url } => Some((host_of(url).to_string(), Some(url.clone()))),
        _ => None,
    },
    goals_in_subtables: false,
    dimensions: ("Referrers_Website", "Referrers_WebsitePage"),
    top: None,
    sub: &|p, url, host| {
        let path = url
            .split_once(host)
            .map(|(_, p)| p.trim_start_matches('/'))
            .unwrap_or("")
            .to_string();
        p.label = path.clone();
        p.flat_label = Some(format!("{host}/{path}"));
        p.embedded_label = Some(url.to_string());
        p.flat_cols.insert("url".into(), Value::from(url));
        p.flat_cols
            .insert("Referrers_Website".into(), Value::from(host));
        p.flat_cols
            .insert("Referrers_WebsitePage".into(), Value::from(path));
    },
    others: &|_| {},
};

pub(crate) fn socials(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    Ok(finish(SOCIALS.rows(ctx), &ctx.filters))
}

/// A row per social network, its subtable the network's referrer URLs; flattened, a URL row
/// shows its network's url, logo and segment.
const SOCIALS: Rendering<'static> = Rendering {
    segment: |network| channel_segment("social", network),
    labels: |v| match &v.referrer {
        Referrer::Social { network, url } => Some((network.clone(), Some(url.clone()))),
        _ => None,
    },
    goals_in_subtables: false,
    dimensions: ("Referrers_SocialNetwork", "Referrers_WebsitePage"),
    top: Some(&|r, network, vs| {
        let url = match &vs[0].referrer {
            Referrer::Social { url, .. } => url.clone(),
            _ => String::new(),
        };
        let domain = main_domain(host_of(&url));
        let logo = format!("plugins/Morpheus/icons/dist/socials/{domain}.png");
        let segment = channel_segment("social", network);
        // Flattened, a URL row shows its network's url, logo and segment.
        for (column, value) in [("url", domain), ("logo", &logo), ("segment", &segment)] {
            r.set(column, value);
            r.flat_cols.insert(column.into(), Value::from(value));
        }
    }),
    sub: &|_, _, _| {},
    others: &|_| {},
};

/// A row per campaign, its subtable the campaign's keywords (stored lower case): Matomo 5.0.2's
/// archiver adds each visit's and conversion's group into its keyword's row, goals included,
/// when it has a keyword (`RecordBuilders/Referrers.php`,
/// `sumRowWithLabelToSubtable($row['referer_keyword'])`). Flattened, a keyword's row has its
/// campaign's segment and its own.
const CAMPAIGNS: Rendering<'static> = Rendering {
    segment: |name| channel_segment("campaign", name),
    labels: |v| match &v.referrer {
        Referrer::Campaign { name, keyword } => {
            let keyword = Some(keyword.to_lowercase()).filter(|k| !k.is_empty());
            Some((name.to_lowercase(), keyword))
        }
        _ => None,
    },
    goals_in_subtables: true,
    dimensions: ("Referrers_Campaign", "Referrers_Keyword"),
    top: None,
    sub: &|r, keyword, name| {
        let both = format!(
            "{};referrerType==campaign;{}",
            channel_segment("campaign", name),
            segment("referrerKeyword", keyword)
        );
        r.flat_cols.insert("segment".into(), Value::from(both));
    },
    others: &|_| {},
};

pub(crate) fn campaigns(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    Ok(finish(CAMPAIGNS.rows(ctx), &ctx.filters))
}
