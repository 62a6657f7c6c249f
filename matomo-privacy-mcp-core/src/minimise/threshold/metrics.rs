//! Report metrics by name, and how each combines when rows are merged.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Serialize, Serializer};

pub use crate::models::api::MetricName;

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

/// Declares the known metrics once: [`known_metric`] maps a name to its `'static` spelling and
/// its merge rule with one `match` (so no allocation and no linear scan per row field).
macro_rules! known_metrics {
    ($( $rule:expr => [$($name:literal),* $(,)?]; )*) => {
        /// A known Matomo metric: its name as a `'static` string, and its merge rule.
        ///
        /// `None` for anything else (labels, URLs, segments, unknown columns).
        pub fn known_metric(name: &str) -> Option<(&'static str, MergeRule)> {
            match name {
                $($( $name => Some(($name, $rule)), )*)*
                _ => None,
            }
        }
    };
}

const fn ratio(numerator: &'static str, denominator: &'static str) -> MergeRule {
    MergeRule::Ratio {
        numerator,
        denominator,
    }
}

known_metrics! {
    MergeRule::Sum => [
        "nb_visits", "nb_actions", "sum_visit_length", "bounce_count", "nb_visits_converted",
        "nb_conversions", "revenue", "items", "nb_hits", "sum_time_spent", "entry_nb_visits",
        "entry_nb_actions", "entry_sum_visit_length", "entry_bounce_count", "exit_nb_visits",
        "nb_events", "nb_events_with_value", "sum_event_value", "nb_hits_with_time_server",
        "sum_bandwidth", "nb_hits_with_bandwidth", "nb_orders", "quantity",
    ];
    MergeRule::Max => ["max_actions", "max_time_server", "max_bandwidth", "max_event_value"];
    MergeRule::Min => ["min_time_server", "min_bandwidth", "min_event_value"];
    MergeRule::Distinct => [
        "nb_uniq_visitors", "nb_users", "sum_daily_nb_uniq_visitors", "sum_daily_nb_users",
        "entry_nb_uniq_visitors", "exit_nb_uniq_visitors",
    ];
    ratio("bounce_count", "nb_visits") => ["bounce_rate"];
    ratio("nb_actions", "nb_visits") => ["nb_actions_per_visit"];
    ratio("sum_visit_length", "nb_visits") => ["avg_time_on_site"];
    ratio("nb_visits_converted", "nb_visits") => ["conversion_rate"];
    ratio("exit_nb_visits", "nb_visits") => ["exit_rate"];
    ratio("sum_time_spent", "nb_hits") => ["avg_time_on_page"];
    ratio("sum_event_value", "nb_events_with_value") => ["avg_event_value"];
    ratio("sum_bandwidth", "nb_hits_with_bandwidth") => ["avg_bandwidth"];
    ratio("revenue", "nb_conversions") => ["avg_order_revenue"];
}

/// The merge rule of a Matomo metric, from its name ([`MergeRule::Unknown`] for anything else).
pub fn merge_rule(name: &str) -> MergeRule {
    known_metric(name).map_or(MergeRule::Unknown, |(_, rule)| rule)
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

/// The metrics of one report row, by name, in name order.
///
/// Known metric names are held as `'static` strings and the few metrics of a row in a sorted
/// vector: a report of 100,000 rows builds 100,000 of these, so a map with an allocated key per
/// metric cost more than everything else the pipeline does with a row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics(Vec<(Cow<'static, str>, MetricValue)>);

/// `Serialize`, `JsonSchema` and `Classified` for a list of (metric name, value) pairs kept in
/// name order: written and described as the map it stands for, metric name → value, all
/// aggregate. A list rather than a map because a report builds one per row (see [`Metrics`]).
macro_rules! by_metric_name {
    ($list:ty, $value:ty) => {
        impl serde::Serialize for $list {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (name, value) in &self.0 {
                    map.serialize_entry(name.as_ref(), value)?;
                }
                map.end()
            }
        }

        impl schemars::JsonSchema for $list {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                <std::collections::BTreeMap<$crate::models::api::MetricName, $value>>::schema_name()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                <std::collections::BTreeMap<$crate::models::api::MetricName, $value>>::json_schema(
                    generator,
                )
            }

            fn inline_schema() -> bool {
                <std::collections::BTreeMap<$crate::models::api::MetricName, $value>>::inline_schema()
            }
        }

        impl $crate::privacy::Classified for $list {
            const SHAPE: $crate::privacy::Shape = $crate::privacy::Shape::Map {
                key: <$crate::models::api::MetricName as $crate::privacy::ClassifiedKey>::KEY,
                value: &$crate::privacy::Shape::Value($crate::privacy::PrivacyClass::Aggregate),
            };
        }

        $crate::privacy::leaf_class!($list, aggregate);
    };
}
pub(super) use by_metric_name;

by_metric_name!(Metrics, MetricValue);

impl Metrics {
    /// No metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a metric; non-finite values are ignored, since JSON cannot carry them.
    pub fn set(&mut self, name: &str, value: f64) {
        let name = match known_metric(name) {
            Some((known, _)) => Cow::Borrowed(known),
            None => Cow::Owned(name.to_owned()),
        };
        self.set_named(name, value);
    }

    /// Sets a metric whose name is already a known metric's `'static` spelling.
    pub(crate) fn set_known(&mut self, name: &'static str, value: f64) {
        self.set_named(Cow::Borrowed(name), value);
    }

    /// Adds a known metric that is not there yet; `false` (and no change) if it is.
    ///
    /// A non-finite value is ignored (and counts as added), as in [`Metrics::set`].
    pub(crate) fn insert_known(&mut self, name: &'static str, value: f64) -> bool {
        match self.0.binary_search_by(|(key, _)| key.as_ref().cmp(name)) {
            Ok(_) => false,
            Err(i) => {
                if value.is_finite() {
                    self.0.insert(i, (Cow::Borrowed(name), MetricValue(value)));
                }
                true
            }
        }
    }

    fn set_named(&mut self, name: Cow<'static, str>, value: f64) {
        if !value.is_finite() {
            return;
        }
        match self
            .0
            .binary_search_by(|(key, _)| key.as_ref().cmp(name.as_ref()))
        {
            Ok(i) => self.0[i].1 = MetricValue(value),
            Err(i) => self.0.insert(i, (name, MetricValue(value))),
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
                && let Some((known, _)) = known_metric(name)
            {
                metrics.set_known(known, number);
            }
        }
        metrics
    }

    /// Drops every count of distinct visitors or users ([`MergeRule::Distinct`]): what a row
    /// that sums other rows cannot be trusted with.
    pub(crate) fn remove_distinct_counts(&mut self) {
        self.0
            .retain(|(name, _)| merge_rule(name) != MergeRule::Distinct);
    }

    /// Keeps the metrics whose position in [`iter`](Self::iter) order is `true` in `keep`.
    pub(crate) fn retain_by_index(&mut self, keep: &[bool]) {
        let mut i = 0;
        self.0.retain(|_| {
            let kept = keep.get(i).copied().unwrap_or(false);
            i += 1;
            kept
        });
    }

    /// Sets a metric (builder style).
    pub fn with(mut self, name: &str, value: f64) -> Self {
        self.set(name, value);
        self
    }

    /// How many metrics there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no metrics.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A metric's value.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0
            .binary_search_by(|(key, _)| key.as_ref().cmp(name))
            .ok()
            .map(|i| self.0[i].1.0)
    }

    /// Every metric, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(name, value)| (name.as_ref(), value.0))
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
