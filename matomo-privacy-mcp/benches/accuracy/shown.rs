//! Every number an answer shows, with Matomo's exact value and the counted visits' value
//! beside it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::matomo::{
    Matomo, and, counted_segment, derived, fetch, normalise, page_segments, rows_by_label,
    summary_row, visits_summary,
};
use crate::questions::{Question, Truth, catalogue_tool_of, report_method};

/// One number an answer shows.
#[derive(Clone, Debug)]
pub(crate) struct Shown {
    pub(crate) question: usize,
    pub(crate) tool: &'static str,
    /// The period kind and date it is about.
    pub(crate) period: String,
    pub(crate) date: String,
    /// The row's label, `None` for a summary.
    pub(crate) label: Option<String>,
    pub(crate) metric: String,
    pub(crate) value: f64,
    pub(crate) interval: Option<(f64, f64)>,
    /// Matomo's value for the caller's segment.
    pub(crate) exact: Option<f64>,
    /// Matomo's value over the visits the server counts.
    pub(crate) counted: Option<f64>,
}

/// A shown metric: name, value and 95 % interval.
type Number = (String, f64, Option<(f64, f64)>);

/// Matomo's rows by label: each row's metrics.
type Rows = BTreeMap<String, BTreeMap<String, f64>>;

/// A metric's 95 % intervals: the object's own `intervals` (the new format), else `value ±
/// plus_minus` from the answer's `noise.metrics`.
fn numbers(object: &Value, metrics: &Value, noise: &Value) -> Vec<Number> {
    let mut out = Vec::new();
    let pair = |v: &Value| Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?));
    if let Some(intervals) = object.get("intervals").and_then(Value::as_object) {
        for (name, interval) in intervals {
            if let Some(value) = metrics.get(name).and_then(Value::as_f64) {
                out.push((name.clone(), value, pair(interval)));
            }
        }
        return out;
    }
    for m in noise["metrics"].as_array().into_iter().flatten() {
        let (Some(name), Some(pm)) = (m["name"].as_str(), m["plus_minus"].as_f64()) else {
            continue;
        };
        if let Some(value) = metrics.get(name).and_then(Value::as_f64) {
            out.push((
                name.to_owned(),
                value,
                Some(((value - pm).max(0.0), value + pm)),
            ));
        }
    }
    out
}

/// A row's metrics: its `metrics` object when it has one, else the row itself.
fn metrics_of(row: &Value) -> &Value {
    row.get("metrics").filter(|m| m.is_object()).unwrap_or(row)
}

/// What one question's answer showed, with Matomo's exact values beside.
pub(crate) async fn shown_numbers(
    m: &mut Matomo,
    site: u32,
    index: usize,
    question: &Question,
    out: &Value,
) -> Vec<Shown> {
    let args = &question.args;
    let period = args["period"].as_str().unwrap_or("day").to_owned();
    let date = args["date"].as_str().unwrap_or("yesterday").to_owned();
    let caller = args["segment"].as_str();
    let noise = &out["noise"];
    let mut shown = Vec::new();
    let base =
        |label: Option<String>, metric: String, value: f64, interval, p: &str, d: &str| Shown {
            question: index,
            tool: question.tool,
            period: p.to_owned(),
            date: d.to_owned(),
            label,
            metric,
            value,
            interval,
            exact: None,
            counted: None,
        };
    // A number of the row labelled `label`, beside Matomo's values of the row of its label.
    let in_row = |label: &str, number: Number, d: &str, exact: &Rows, counted: &Rows| {
        let (metric, value, interval) = number;
        let key = normalise(label);
        let mut s = base(Some(label.to_owned()), metric, value, interval, &period, d);
        s.exact = exact.get(&key).and_then(|r| derived(&s.metric, r));
        s.counted = counted.get(&key).and_then(|r| derived(&s.metric, r));
        s
    };
    match &question.truth {
        Truth::Summary {
            method,
            extra,
            population,
        } => {
            let mut extra: Vec<(&str, &str)> = extra.to_vec();
            let goal = args["goal"].as_u64().map(|g| g.to_string());
            if let Some(g) = &goal {
                extra.push(("idGoal", g));
            }
            let ask = Ask {
                site,
                method,
                period: &period,
                date: &date,
                extra: &extra,
                flat: false,
            };
            let exact_segment = and(caller, *population);
            let counted_seg = counted_segment(caller, *population, noise);
            let [exact, counted] = ask
                .exact_and_counted(m, exact_segment.as_deref(), &counted_seg)
                .await
                .map(|answer| summary_row(&answer));
            for (metric, value, interval) in numbers(out, metrics_of(out), noise) {
                let mut s = base(None, metric.clone(), value, interval, &period, &date);
                s.exact = derived(&metric, &exact);
                s.counted = derived(&metric, &counted);
                shown.push(s);
            }
        }
        Truth::Report { method, flat } => {
            let ask = Ask {
                site,
                method,
                period: &period,
                date: &date,
                extra: &[],
                flat: *flat,
            };
            let counted_seg = counted_segment(caller, None, noise);
            let [exact_answer, counted_answer] =
                ask.exact_and_counted(m, caller, &counted_seg).await;
            let parts = page_segments(&exact_answer, *flat);
            let exact = rows_by_label(&exact_answer, *flat);
            let counted = rows_by_label(&counted_answer, *flat);
            for row in out["rows"].as_array().into_iter().flatten() {
                let Some(label) = row["label"].as_str() else {
                    continue;
                };
                let key = normalise(label);
                for number in numbers(row, metrics_of(row), noise) {
                    let mut s = in_row(label, number, &date, &exact, &counted);
                    // A page row merged from several URLs (query strings dropped): its visits are
                    // the union of the parts' visits, which Matomo counts under the OR of the
                    // parts' own segments (one visit may view several of them, so the sum of the
                    // parts' visits is too high).
                    if s.metric == "nb_visits"
                        && let Some(or) =
                            parts.get(&key).filter(|p| p.len() > 1).map(|p| p.join(","))
                    {
                        let exact = and(Some(&or), caller);
                        let union = visits_summary(m, site, &period, &date, exact.as_deref()).await;
                        s.exact = union.get("nb_visits").copied();
                        let counted = format!("{or};{counted_seg}");
                        let union = visits_summary(m, site, &period, &date, Some(&counted)).await;
                        s.counted = union.get("nb_visits").copied();
                    }
                    shown.push(s);
                }
            }
        }
        Truth::Compare => {
            let report = args["report"].as_str().unwrap_or_default();
            let tool = catalogue_tool_of(report);
            let (method, flat) = tool
                .and_then(report_method)
                .unwrap_or((leak(report), false));
            let sides = [("current", &out["current"]), ("previous", &out["previous"])];
            for (side, period_info) in sides {
                let side_date = period_info["date"].as_str().unwrap_or(&date).to_owned();
                let side_noise = if period_info["noise"].is_object() {
                    &period_info["noise"]
                } else {
                    noise
                };
                let ask = Ask {
                    site,
                    method,
                    period: &period,
                    date: &side_date,
                    extra: &[],
                    flat,
                };
                let counted_seg = counted_segment(caller, None, side_noise);
                let [exact, counted] = ask
                    .exact_and_counted(m, caller, &counted_seg)
                    .await
                    .map(|answer| rows_by_label(&answer, flat));
                for row in out["rows"].as_array().into_iter().flatten() {
                    let Some(label) = row["label"].as_str() else {
                        continue;
                    };
                    let metrics = &row[side];
                    if !metrics.is_object() {
                        continue;
                    }
                    let holder = row
                        .get(format!("{side}_intervals"))
                        .map(|i| json!({"intervals": i}))
                        .or_else(|| metrics.get("intervals").map(|i| json!({"intervals": i})))
                        .unwrap_or(Value::Null);
                    for number in numbers(&holder, metrics, side_noise) {
                        shown.push(in_row(label, number, &side_date, &exact, &counted));
                    }
                }
            }
        }
        Truth::Trend => {
            let metric = args["metric"].as_str().unwrap_or("nb_visits").to_owned();
            let period = args["period"].as_str().unwrap_or("day").to_owned();
            for point in out["points"].as_array().into_iter().flatten() {
                let (Some(label), Some(value)) =
                    (point["period"].as_str(), point["value"].as_f64())
                else {
                    continue;
                };
                let date = point_date(&period, label);
                // A point's own intervals when the answer gives them (`intervals` like a row's,
                // or one `interval`), else the answer's `plus_minus`.
                let holder = match (point.get("intervals"), point.get("interval")) {
                    (Some(_), _) => point.clone(),
                    (None, Some(interval)) => json!({"intervals": {metric.clone(): interval}}),
                    (None, None) => Value::Null,
                };
                let metrics = json!({metric.clone(): value});
                let exact = visits_summary(m, site, &period, &date, caller).await;
                let counted_seg = counted_segment(caller, None, noise);
                let counted = visits_summary(m, site, &period, &date, Some(&counted_seg)).await;
                for (metric, value, interval) in numbers(&holder, &metrics, noise) {
                    let mut s = base(None, metric.clone(), value, interval, &period, &date);
                    s.exact = derived(&metric, &exact);
                    s.counted = derived(&metric, &counted);
                    shown.push(s);
                }
            }
        }
    }
    shown
}

/// One request of Matomo's for the truths of a shown number.
struct Ask<'a> {
    site: u32,
    method: &'a str,
    period: &'a str,
    date: &'a str,
    extra: &'a [(&'a str, &'a str)],
    flat: bool,
}

impl Ask<'_> {
    /// Matomo's answers for the caller's segment (`exact`, `None` for all visits) and for the
    /// visits the server counts (`counted`).
    async fn exact_and_counted(
        &self,
        m: &mut Matomo,
        exact: Option<&str>,
        counted: &str,
    ) -> [Value; 2] {
        let mut answers = [Value::Null, Value::Null];
        for (answer, segment) in answers.iter_mut().zip([exact, Some(counted)]) {
            *answer = fetch(
                m,
                self.site,
                self.method,
                self.period,
                self.date,
                segment,
                self.extra,
                self.flat,
            )
            .await;
        }
        answers
    }
}

/// The date Matomo takes for a trend point's label (`2026-11-25`, `2026-W47` or a range
/// `2026-11-23,2026-11-29`, `2026-11`).
fn point_date(period: &str, label: &str) -> String {
    let first = label.split([',', ' ']).next().unwrap_or(label);
    match period {
        "month" if first.len() == 7 => format!("{first}-01"),
        _ => first.to_owned(),
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}
