//! `VisitsSummary.get` and `Goals.get`: one object of metrics per site and period.

use serde_json::{Map, Value};

use super::metrics::VisitAgg;
use super::{Ctx, round_value};
use crate::query::errors::ApiError;
use crate::query::period::Kind;

/// A summary as Matomo 5.0.2 renders its `DataTable\Simple` (`Renderer::convertDataTableToArray`),
/// once `showColumns`, `hideColumns` or `columns` have cut it: left with one column, the bare
/// value of that column; with none, `[]`. Alone in the answer, that value is sent as
/// `{"value": …}` (the JSON renderer wraps any bare value); in a map of periods or sites it
/// stays bare (`{"2026-11-20": 1442, …}`).
pub(crate) fn rendered(summary: Value) -> Value {
    match summary {
        Value::Object(columns) if columns.len() <= 1 => columns
            .into_iter()
            .next()
            .map_or_else(|| Value::Array(Vec::new()), |(_, value)| value),
        other => other,
    }
}

pub(crate) fn visits_summary(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let a = VisitAgg::of(ctx.visits.iter().copied());
    let mut m = Map::new();
    if matches!(ctx.period.kind, Kind::Day | Kind::Week | Kind::Month) {
        m.insert("nb_uniq_visitors".into(), Value::from(a.visitors.len()));
        m.insert("nb_users".into(), Value::from(a.users.len()));
    }
    let visits = a.nb_visits as f64;
    a.insert_counts(&mut m);
    m.insert(
        "bounce_rate".into(),
        ctx.rate(a.bounce_count as f64, visits, 0),
    );
    let per_visit = if visits > 0.0 {
        a.nb_actions as f64 / visits
    } else {
        0.0
    };
    m.insert("nb_actions_per_visit".into(), round_value(per_visit, 1));
    let avg = if visits > 0.0 {
        (a.sum_visit_length as f64 / visits).round() as u64
    } else {
        0
    };
    m.insert("avg_time_on_site".into(), ctx.duration(avg));
    Ok(Value::Object(m))
}

/// `VisitsSummary.get` as its API answers it: with `columns`, only those columns (Matomo 5.0.2's
/// `VisitsSummary\API::get` queues a `ColumnDelete` keeping them; one it does not have, such as
/// `nb_uniq_visitors` over a range, is not there).
pub(crate) fn visits_summary_get(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    Ok(keep_asked(ctx, visits_summary(ctx)?, |column| column))
}

/// `VisitsSummary.get` for a period without visits in a map of periods: Matomo 5.0.2 asks its
/// archive for the metrics the asked `columns` need (`Report::getMetricsRequiredForReport`: a
/// processed metric needs two), and when that is a single metric its table has a 0 row for it
/// (`DataTableFactory::makeFromMetricsArray`); else no row, `[]`.
pub(crate) fn visits_summary_without_visits(ctx: &Ctx<'_>) -> Value {
    let counted = matches!(ctx.period.kind, Kind::Day | Kind::Week | Kind::Month);
    let one = single_stored_metric(ctx, |column| match column {
        "bounce_rate" => vec!["bounce_count", "nb_visits"],
        "nb_actions_per_visit" => vec!["nb_actions", "nb_visits"],
        "avg_time_on_site" => vec!["sum_visit_length", "nb_visits"],
        "nb_uniq_visitors" | "nb_users" if !counted => Vec::new(),
        "nb_uniq_visitors"
        | "nb_users"
        | "nb_visits"
        | "nb_actions"
        | "max_actions"
        | "bounce_count"
        | "sum_visit_length"
        | "nb_visits_converted" => vec![column],
        _ => Vec::new(),
    });
    match one {
        Some(one) => Value::Object(Map::from_iter([(one.to_owned(), Value::from(0))])),
        None => Value::Array(Vec::new()),
    }
}

/// `Goals.get` as its API answers it: with `columns`, only those columns, each of all visits and
/// of new and of returning ones (`nb_conversions` brings `nb_conversions_new_visit` and
/// `nb_conversions_returning_visit`; `nb_conversions_new_visit` asked alone is nothing), as
/// Matomo 5.0.2 answers.
pub(crate) fn goals_get(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    Ok(keep_asked(ctx, goals(ctx)?, goal_column))
}

/// `Goals.get` for a period without visits in a map of periods: as
/// [`visits_summary_without_visits`], the asked column's three (of all visits, of new, of
/// returning ones) at 0 when the asked `columns` need one stored metric (a conversion rate needs
/// two), else `[]`.
pub(crate) fn goals_without_visits(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let one = single_stored_metric(ctx, |column| match column {
        "conversion_rate" => vec!["nb_visits_converted", "nb_visits"],
        "avg_order_revenue" => vec!["revenue", "nb_conversions"],
        "nb_conversions"
        | "nb_visits_converted"
        | "revenue"
        | "items"
        | "revenue_subtotal"
        | "revenue_tax"
        | "revenue_shipping"
        | "revenue_discount" => vec![column],
        _ => Vec::new(),
    });
    let (Some(one), Value::Object(zeros)) = (one, goals(ctx)?) else {
        return Ok(Value::Array(Vec::new()));
    };
    Ok(Value::Object(
        zeros
            .into_iter()
            .filter(|(k, _)| goal_column(k) == one)
            .collect(),
    ))
}

/// A `Goals.get` column without its visitor type (`nb_conversions_new_visit`: `nb_conversions`).
pub(super) fn goal_column(column: &str) -> &str {
    column
        .strip_suffix("_new_visit")
        .or_else(|| column.strip_suffix("_returning_visit"))
        .unwrap_or(column)
}

/// `summary` with `columns`, when given, keeping the columns whose `asked` name (the column
/// itself, or what it is a part of) was asked.
fn keep_asked(ctx: &Ctx<'_>, summary: Value, asked: fn(&str) -> &str) -> Value {
    match (asked_columns(ctx), summary) {
        (Some(columns), Value::Object(summary)) => Value::Object(
            summary
                .into_iter()
                .filter(|(k, _)| columns.contains(&asked(k)))
                .collect(),
        ),
        (_, summary) => summary,
    }
}

/// The one stored metric the asked `columns` need (each column's by `needs`), if they need
/// exactly one.
fn single_stored_metric<'r>(
    ctx: &Ctx<'r>,
    needs: impl Fn(&'r str) -> Vec<&'r str>,
) -> Option<&'r str> {
    let mut needed: Vec<&str> = Vec::new();
    for column in asked_columns(ctx).unwrap_or_default() {
        for metric in needs(column) {
            if !needed.contains(&metric) {
                needed.push(metric);
            }
        }
    }
    match needed.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The columns of the request's `columns`, when given.
fn asked_columns<'r>(ctx: &Ctx<'r>) -> Option<Vec<&'r str>> {
    ctx.req.list("columns")
}

/// Which conversions `Goals.get` counts: all goals (and orders), one goal, or ecommerce orders.
enum Which {
    All,
    Goal(String),
    Orders,
}

pub(crate) fn goals(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let which = match ctx.req.non_empty("idGoal") {
        None => Which::All,
        Some("ecommerceOrder") => Which::Orders,
        Some(id) => Which::Goal(format!("idgoal={id}")),
    };
    let mut m = Map::new();
    let (new, returning): (Vec<_>, Vec<_>) = ctx.visits.iter().copied().partition(|v| !v.returning);
    let orders = matches!(which, Which::Orders);
    for (suffix, visits) in [
        ("", ctx.visits.clone()),
        ("_new_visit", new),
        ("_returning_visit", returning),
    ] {
        let agg = VisitAgg::of(visits.iter().copied());
        let selected: Vec<_> = agg
            .goals
            .iter()
            .filter(|(k, _)| match &which {
                Which::All => true,
                Which::Goal(key) => *k == key,
                Which::Orders => *k == "idgoal=ecommerceOrder",
            })
            .map(|(_, g)| g)
            .collect();
        let conversions: u64 = selected.iter().map(|g| g.conversions).sum();
        let mut converted_visits = std::collections::BTreeSet::new();
        for g in &selected {
            converted_visits.extend(g.visits.iter().copied());
        }
        let revenue: f64 = selected.iter().map(|g| g.revenue).sum();
        let items: u64 = selected.iter().map(|g| g.items).sum();
        m.insert(format!("nb_conversions{suffix}"), Value::from(conversions));
        m.insert(
            format!("nb_visits_converted{suffix}"),
            Value::from(converted_visits.len()),
        );
        m.insert(format!("revenue{suffix}"), round_value(revenue, 2));
        if orders {
            m.insert(format!("revenue_subtotal{suffix}"), round_value(revenue, 2));
            m.insert(format!("revenue_tax{suffix}"), Value::from(0));
            m.insert(format!("revenue_shipping{suffix}"), Value::from(0));
            m.insert(format!("revenue_discount{suffix}"), Value::from(0));
            m.insert(format!("items{suffix}"), Value::from(items));
            let avg = if conversions > 0 {
                revenue / conversions as f64
            } else {
                0.0
            };
            m.insert(format!("avg_order_revenue{suffix}"), round_value(avg, 2));
        }
        m.insert(
            format!("conversion_rate{suffix}"),
            ctx.rate(converted_visits.len() as f64, visits.len() as f64, 2),
        );
    }
    Ok(Value::Object(m))
}
