//! Events reports: category, action and name, each with a subtable of the next dimension.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Ctx, round_value};
use crate::dataset::Action;
use crate::query::errors::ApiError;
use crate::query::period::Kind;
use crate::query::request::form_encode;
use crate::query::table::{Row, finish};

/// One event occurrence flattened out of its visit.
struct Hit<'a> {
    visit: u64,
    daily: (i64, String),
    category: &'a str,
    action: &'a str,
    name: &'a str,
    value: Option<f64>,
}

#[derive(Default)]
struct EventAgg {
    visits: BTreeSet<u64>,
    daily: BTreeSet<(i64, String)>,
    events: u64,
    with_value: u64,
    sum: f64,
    min: Option<f64>,
    max: Option<f64>,
}

impl EventAgg {
    fn add(&mut self, h: &Hit<'_>) {
        self.visits.insert(h.visit);
        self.daily.insert(h.daily.clone());
        self.events += 1;
        if let Some(v) = h.value {
            self.with_value += 1;
            self.sum += v;
            self.min = Some(self.min.map_or(v, |m| m.min(v)));
            self.max = Some(self.max.map_or(v, |m| m.max(v)));
        }
    }

    fn row(&self, ctx: &Ctx<'_>, label: &str) -> Row {
        let mut r = Row::new(label);
        r.set("nb_visits", self.visits.len());
        r.set("nb_events", self.events);
        r.set("nb_events_with_value", self.with_value);
        r.set("sum_event_value", round_value(self.sum, 2));
        r.set("min_event_value", round_value(self.min.unwrap_or(0.0), 2));
        // When no event carried a value, Matomo sends a day's maximum as 0 (its archiver's
        // SQL `MAX`) and a longer period's as `false` (PHP's `max` adding the days up).
        let no_max = if ctx.period.kind == Kind::Day {
            Value::from(0)
        } else {
            Value::Bool(false)
        };
        r.set(
            "max_event_value",
            self.max.map_or(no_max, |m| round_value(m, 2)),
        );
        if ctx.period.kind == Kind::Day {
            r.set("nb_uniq_visitors", self.daily.len());
        } else {
            r.set("sum_daily_nb_uniq_visitors", self.daily.len());
        }
        let avg = if self.with_value > 0 {
            self.sum / self.with_value as f64
        } else {
            0.0
        };
        r.set("avg_event_value", round_value(avg, 2));
        r
    }
}

type Pick = for<'a> fn(&Hit<'a>) -> &'a str;

fn report(
    ctx: &Ctx<'_>,
    top: Pick,
    sub: Pick,
    names: (&str, &str, &str),
) -> Result<Value, ApiError> {
    let hits: Vec<Hit<'_>> = ctx
        .visits
        .iter()
        .flat_map(|v| {
            v.actions.iter().filter_map(move |a| match a {
                Action::Event {
                    category,
                    action,
                    name,
                    value,
                } => Some(Hit {
                    visit: v.id,
                    daily: (v.day.0, v.visitor_id.clone()),
                    category,
                    action,
                    name,
                    value: *value,
                }),
                _ => None,
            })
        })
        .collect();
    let mut tree: BTreeMap<&str, (EventAgg, BTreeMap<&str, EventAgg>)> = BTreeMap::new();
    for h in &hits {
        let e = tree.entry(top(h)).or_default();
        e.0.add(h);
        e.1.entry(sub(h)).or_default().add(h);
    }
    let (segment_dim, top_col, sub_col) = names;
    let rows = tree
        .into_iter()
        .map(|(label, (agg, subs))| {
            let mut r = agg.row(ctx, label);
            // Matomo 5.0.2 adds a row's visits (and daily visitors) up over its sub-rows: a
            // visit with two event actions of one category counts twice in the category
            // (checked on a real Matomo, `tests/conformance.rs`).
            let visits: usize = subs.values().map(|s| s.visits.len()).sum();
            let daily: usize = subs.values().map(|s| s.daily.len()).sum();
            r.set("nb_visits", visits);
            if ctx.period.kind == Kind::Day {
                r.set("nb_uniq_visitors", daily);
            } else {
                r.set("sum_daily_nb_uniq_visitors", daily);
            }
            // PHP's urlencode, as Matomo writes it: `eventCategory==Appointments+of+…`.
            r.set("segment", format!("{segment_dim}=={}", form_encode(label)));
            r.flat_cols.insert(top_col.into(), Value::from(label));
            r.sub = Some(
                subs.into_iter()
                    .map(|(sl, sa)| {
                        let mut s = sa.row(ctx, sl);
                        s.flat_cols.insert(sub_col.into(), Value::from(sl));
                        s
                    })
                    .collect(),
            );
            r
        })
        .collect();
    Ok(finish(rows, &ctx.filters))
}

pub(crate) fn category(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    report(
        ctx,
        |h| h.category,
        |h| h.action,
        (
            "eventCategory",
            "Events_EventCategory",
            "Events_EventAction",
        ),
    )
}

pub(crate) fn action(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    report(
        ctx,
        |h| h.action,
        |h| h.name,
        ("eventAction", "Events_EventAction", "Events_EventName"),
    )
}

pub(crate) fn name(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    report(
        ctx,
        |h| h.name,
        |h| h.action,
        ("eventName", "Events_EventName", "Events_EventAction"),
    )
}
