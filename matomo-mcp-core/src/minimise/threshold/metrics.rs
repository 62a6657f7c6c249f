//! Report metrics by name, and how each combines when rows are merged.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Serialize, Serializer};

pub use crate::models::api::MetricName;
use crate::privacy::{Classified, ClassifiedKey, PrivacyClass, Shape};

/// How a metric of several rows combines into the metric of their union.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeRule {
    /// Counts and sums: add them.
    Sum,
    /// Maxima: keep the largest.
    Max,
    /// Minima: keep the smallest.
    Min,
    /// A ratio of two summable metrics: recomputed from the merged numerator and denominator.
    Ratio {
        /// The metric divided.
        numerator: &'static str,
        /// The metric divided by.
        denominator: &'static str,
    },
    /// Distinct counts (unique visitors, users): a visitor can be in several rows, so
    /// the sum would overcount; the merged row leaves them out.
    Distinct,
    /// Not known to combine correctly: left out of merged rows rather than guessed.
    Unknown,
}

/// The merge rule of a Matomo metric, from its name.
pub fn merge_rule(name: &str) -> MergeRule {
    use MergeRule::{Distinct, Max, Min, Sum, Unknown};
    let ratio = |numerator, denominator| MergeRule::Ratio {
        numerator,
        denominator,
    };
    match name {
        "nb_visits"
        | "nb_actions"
        | "sum_visit_length"
        | "bounce_count"
        | "nb_visits_converted"
        | "nb_conversions"
        | "revenue"
        | "items"
        | "nb_hits"
        | "sum_time_spent"
        | "entry_nb_visits"
        | "entry_nb_actions"
        | "entry_sum_visit_length"
        | "entry_bounce_count"
        | "exit_nb_visits"
        | "nb_events"
        | "nb_events_with_value"
        | "sum_event_value"
        | "nb_hits_with_time_server"
        | "sum_bandwidth"
        | "nb_hits_with_bandwidth"
        | "nb_orders"
        | "quantity" => Sum,
        "max_actions" | "max_time_server" | "max_bandwidth" | "max_event_value" => Max,
        "min_time_server" | "min_bandwidth" | "min_event_value" => Min,
        "nb_uniq_visitors"
        | "nb_users"
        | "sum_daily_nb_uniq_visitors"
        | "sum_daily_nb_users"
        | "entry_nb_uniq_visitors"
        | "exit_nb_uniq_visitors" => Distinct,
        "bounce_rate" => ratio("bounce_count", "nb_visits"),
        "nb_actions_per_visit" => ratio("nb_actions", "nb_visits"),
        "avg_time_on_site" => ratio("sum_visit_length", "nb_visits"),
        "conversion_rate" => ratio("nb_visits_converted", "nb_visits"),
        "exit_rate" => ratio("exit_nb_visits", "nb_visits"),
        "avg_time_on_page" => ratio("sum_time_spent", "nb_hits"),
        "avg_event_value" => ratio("sum_event_value", "nb_events_with_value"),
        "avg_bandwidth" => ratio("sum_bandwidth", "nb_hits_with_bandwidth"),
        "avg_order_revenue" => ratio("revenue", "nb_conversions"),
        _ => Unknown,
    }
}

/// A metric's value. Whole numbers serialise as JSON integers, others as floats.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, JsonSchema)]
#[schemars(transparent)]
pub struct MetricValue(pub f64);

impl Serialize for MetricValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact in f64
        let v = self.0;
        if v.fract() == 0.0 && v.abs() < EXACT {
            // The cast is exact: `v` is integral and within i64's exactly representable range.
            serializer.serialize_i64(v as i64)
        } else {
            serializer.serialize_f64(v)
        }
    }
}

/// The metrics of one report row, by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Metrics(BTreeMap<MetricName, MetricValue>);

impl Classified for Metrics {
    const SHAPE: Shape = Shape::Map {
        key: MetricName::KEY,
        value: &Shape::Value(PrivacyClass::Aggregate),
    };
}

impl Metrics {
    /// No metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a metric; non-finite values are ignored, since JSON cannot carry them.
    pub fn set(&mut self, name: &str, value: f64) {
        if value.is_finite() {
            self.0
                .insert(MetricName(name.to_owned()), MetricValue(value));
        }
    }

    /// The known metrics among a JSON object's fields: numbers under a name with a merge rule.
    ///
    /// Everything else (labels, URLs, segments, coordinates, codes) is left out, so
    /// a typed row can be turned into metrics without passing anything unvetted on.
    pub fn known_in(object: &serde_json::Map<String, serde_json::Value>) -> Metrics {
        let mut metrics = Metrics::new();
        for (name, value) in object {
            if let Some(number) = value.as_f64()
                && merge_rule(name) != MergeRule::Unknown
            {
                metrics.set(name, number);
            }
        }
        metrics
    }

    /// Sets a metric (builder style).
    pub fn with(mut self, name: &str, value: f64) -> Self {
        self.set(name, value);
        self
    }

    /// A metric's value.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0
            .iter()
            .find(|(key, _)| key.0 == name)
            .map(|(_, value)| value.0)
    }

    /// Every metric, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0
            .iter()
            .map(|(name, value)| (name.0.as_str(), value.0))
    }

    /// The metrics of the union of `rows`, following each metric's [`MergeRule`].
    ///
    /// A metric that is missing on any row is left out rather than guessed.
    pub fn merged<'a>(rows: impl IntoIterator<Item = &'a Metrics> + Clone) -> Metrics {
        let mut names: Vec<&str> = Vec::new();
        for metrics in rows.clone() {
            for (name, _) in metrics.iter() {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        let all = |name: &str| -> Option<Vec<f64>> {
            rows.clone().into_iter().map(|m| m.get(name)).collect()
        };
        let mut out = Metrics::new();
        for name in names {
            let value = match merge_rule(name) {
                MergeRule::Sum => all(name).map(|v| v.iter().sum()),
                MergeRule::Max => all(name).and_then(|v| v.into_iter().reduce(f64::max)),
                MergeRule::Min => all(name).and_then(|v| v.into_iter().reduce(f64::min)),
                MergeRule::Ratio {
                    numerator,
                    denominator,
                } => match (all(numerator), all(denominator)) {
                    (Some(n), Some(d)) => {
                        let (n, d): (f64, f64) = (n.iter().sum(), d.iter().sum());
                        (d > 0.0).then(|| n / d)
                    }
                    _ => None,
                },
                MergeRule::Distinct | MergeRule::Unknown => None,
            };
            if let Some(value) = value {
                out.set(name, value);
            }
        }
        out
    }
}
