//! `Contents.getContentNames` and `Contents.getContentPieces`: content blocks shown and used,
//! each with a subtable of the other dimension.
//!
//! Compared with Matomo 5.0.2 by the conformance suite; the shape follows its system test
//! `test_Contents__Contents.getContentNames_month`: `nb_visits`, `nb_impressions`,
//! `nb_interactions`, unique visitors (`nb_uniq_visitors` for a day, else
//! `sum_daily_nb_uniq_visitors`), `interaction_rate` (`"25%"`, two decimals) and, on the
//! top-level rows only (Matomo's `AddSegmentValue` skips subtables), `segment`
//! (`contentName==Text+Ad`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Ctx;
use crate::dataset::ContentImpression;
use crate::query::errors::ApiError;
use crate::query::period::Kind;
use crate::query::request::form_encode;
use crate::query::table::{Row, finish};

#[derive(Default)]
struct ContentAgg {
    visits: BTreeSet<u64>,
    daily: BTreeSet<(i64, String)>,
    impressions: u64,
    interactions: u64,
}

impl ContentAgg {
    /// The counts of a row: visits, visitors (a day's), impressions and interactions.
    fn counts(&self) -> [u64; 4] {
        [
            self.visits.len() as u64,
            self.daily.len() as u64,
            self.impressions,
            self.interactions,
        ]
    }
}

/// A row of `counts` (visits, visitors, impressions, interactions).
fn row(ctx: &Ctx<'_>, label: &str, [visits, visitors, impressions, interactions]: [u64; 4]) -> Row {
    let mut r = Row::new(label);
    r.set("nb_visits", visits);
    r.set("nb_impressions", impressions);
    r.set("nb_interactions", interactions);
    if ctx.period.kind == Kind::Day {
        r.set("nb_uniq_visitors", visitors);
    } else {
        r.set("sum_daily_nb_uniq_visitors", visitors);
    }
    r.set(
        "interaction_rate",
        ctx.rate(interactions as f64, impressions as f64, 2),
    );
    r
}

type Pick = fn(&ContentImpression) -> &str;

fn report(ctx: &Ctx<'_>, top: Pick, sub: Pick, dim: &str) -> Result<Value, ApiError> {
    let mut tree: BTreeMap<String, BTreeMap<String, ContentAgg>> = BTreeMap::new();
    for v in &ctx.visits {
        for c in &v.details.contents {
            let agg = tree
                .entry(top(c).to_string())
                .or_default()
                .entry(sub(c).to_string())
                .or_default();
            agg.visits.insert(v.id);
            agg.daily.insert((v.day.0, v.visitor_id.clone()));
            agg.impressions += 1;
            agg.interactions += u64::from(c.interactions);
        }
    }
    let rows = tree
        .into_iter()
        .map(|(label, subs)| {
            // Matomo archives each name, piece and target apart and adds them up into the
            // top-level row (`sumRowWithLabel`): a visit that saw two pieces of one name is
            // two of its visits, a visitor two of its visitors.
            let mut sums = [0; 4];
            for sub in subs.values() {
                for (sum, n) in sums.iter_mut().zip(sub.counts()) {
                    *sum += n;
                }
            }
            let mut r = row(ctx, &label, sums);
            r.set("segment", format!("{dim}=={}", form_encode(&label)));
            r.sub = Some(
                subs.iter()
                    .map(|(sub_label, sub_agg)| row(ctx, sub_label, sub_agg.counts()))
                    .collect(),
            );
            r
        })
        .collect();
    Ok(finish(rows, &ctx.filters))
}

/// `Contents.getContentNames`: content names, with their pieces as subtable.
pub(crate) fn names(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    report(ctx, |c| &c.name, |c| &c.piece, "contentName")
}

/// `Contents.getContentPieces`: content pieces, with their names as subtable.
pub(crate) fn pieces(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    report(ctx, |c| &c.piece, |c| &c.name, "contentPiece")
}
