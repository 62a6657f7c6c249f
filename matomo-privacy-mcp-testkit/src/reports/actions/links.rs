//! Outlinks and downloads: the domains of the links visitors followed out, and the URLs below.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::dataset::Action;
use crate::query::errors::ApiError;
use crate::query::period::Kind;
use crate::query::request::percent_encode;
use crate::query::table::{Row, finish};
use crate::reports::{Ctx, host_of};

use super::*;

/// Outlinks and downloads: domain rows with one subtable row per URL.
fn link_report(
    ctx: &Ctx<'_>,
    pick: fn(&Action) -> Option<&str>,
    dim: &str,
    seg: &str,
) -> Result<Value, ApiError> {
    let mut by_url: BTreeMap<String, LinkAgg> = BTreeMap::new();
    for v in &ctx.visits {
        for a in &v.actions {
            if let Some(url) = pick(a) {
                let e = by_url.entry(url.to_string()).or_default();
                e.0.insert(v.id);
                e.1 += 1;
                e.2.insert((v.day.0, v.visitor_id.clone()));
            }
        }
    }
    let mut domains: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for (url, (visits, hits, daily)) in by_url {
        let host = host_of(&url).to_string();
        let short = url
            .split_once("://")
            .map(|(_, r)| r.to_string())
            .unwrap_or(url.clone());
        let mut r = Row::new(short.strip_prefix(&host).unwrap_or(&short).to_string());
        r.set("nb_visits", visits.len());
        r.set("nb_hits", hits);
        r.set("sum_time_spent", 0);
        // A link's row counts its visitors as Matomo does: distinct within a day, summed per
        // day over longer periods (the domain rows have neither, as on Matomo 5.0.2).
        if ctx.period.kind == Kind::Day {
            r.set("nb_uniq_visitors", daily.len());
        } else {
            r.set("sum_daily_nb_uniq_visitors", daily.len());
        }
        r.set("url", url.clone());
        r.set(
            "segment",
            format!("{seg}=={}", percent_encode(&percent_encode(&url))),
        );
        r.flat_label = Some(short.clone());
        r.flat_cols.insert(dim.into(), Value::from(short));
        domains.entry(host).or_default().push(r);
    }
    let rows = domains
        .into_iter()
        .map(|(host, subs)| {
            let mut r = Row::new(host);
            let (mut visits, mut hits) = (0u64, 0u64);
            for s in &subs {
                visits += s.cols.get("nb_visits").and_then(Value::as_u64).unwrap_or(0);
                hits += s.cols.get("nb_hits").and_then(Value::as_u64).unwrap_or(0);
            }
            r.set("nb_visits", visits);
            r.set("nb_hits", hits);
            r.set("sum_time_spent", 0);
            r.sub = Some(subs);
            r
        })
        .collect();
    Ok(finish(rows, &ctx.filters))
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
