//! `Contents.getContentNames` and `Contents.getContentPieces`: content blocks shown and used,
//! each with a subtable of the other dimension.
//!
//! No fixture records these; the shape follows Matomo's system test
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
    fn row(&self, ctx: &Ctx<'_>, label: &str) -> Row {
        let mut r = Row::new(label);
        r.set("nb_visits", self.visits.len());
        r.set("nb_impressions", self.impressions);
        r.set("nb_interactions", self.interactions);
        if ctx.period.kind == Kind::Day {
            r.set("nb_uniq_visitors", self.daily.len());
        } else {
            r.set("sum_daily_nb_uniq_visitors", self.daily.len());
        }
        r.set(
            "interaction_rate",
            ctx.rate(self.interactions as f64, self.impressions as f64, 2),
        );
        r
    }
}

type Pick = fn(&ContentImpression) -> &str;

fn report(ctx: &Ctx<'_>, top: Pick, sub: Pick, dim: &str) -> Result<Value, ApiError> {
    let mut tree: BTreeMap<String, (ContentAgg, BTreeMap<String, ContentAgg>)> = BTreeMap::new();
    for v in &ctx.visits {
        for c in &v.details.contents {
            let e = tree.entry(top(c).to_string()).or_default();
            for agg in [&mut e.0, e.1.entry(sub(c).to_string()).or_default()] {
                agg.visits.insert(v.id);
                agg.daily.insert((v.day.0, v.visitor_id.clone()));
                agg.impressions += 1;
                agg.interactions += u64::from(c.interactions);
            }
        }
    }
    let rows = tree
        .into_iter()
        .map(|(label, (agg, subs))| {
            let mut r = agg.row(ctx, &label);
            r.set("segment", format!("{dim}=={}", form_encode(&label)));
            r.sub = Some(
                subs.iter()
                    .map(|(sub_label, sub_agg)| sub_agg.row(ctx, sub_label))
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
