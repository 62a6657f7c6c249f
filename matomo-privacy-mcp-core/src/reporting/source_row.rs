//! A report row as the pipeline reads it: the label and the known metrics, nothing else.
//!
//! The report tools keep only a row's label (to scrub) and its known metrics. Decoding the
//! full model row first (URLs, segments, goal tables, subtables, flattened metric structs)
//! only to drop it again cost more than the rest of the pipeline, and materialised identifying
//! fields that were never going to be shown. [`SourceRow`] reads a row in one pass: the label,
//! the fields whose name has a [`MergeRule`](crate::minimise::MergeRule), and every other field
//! skipped without being allocated.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};

use crate::Classified;
use crate::minimise::{
    Metrics, ReportRow, ScrubbedText, Scrubber, VisitCount, VisitorCount, known_metric,
};
use crate::models::answer::decoding_matomo;
use crate::models::{Metric, Money, Rate, Seconds};
use crate::privacy::Identifying;
use crate::reporting::visitors::daily;

/// One row of a Matomo report, reduced at decode time to what minimisation uses.
///
/// Reads Matomo's number formats the way the typed models do (`17`, `"17"`, `"45%"` as 0.45,
/// `"5 min 56s"` as 356, `"$1,346.70"`), treats `false`, `null` and `""` as absent, and refuses
/// a known metric of another JSON type (an object, an array, `true`) with an error naming it.
///
/// ```
/// use matomo_privacy_mcp_core::reporting::SourceRow;
/// use matomo_privacy_mcp_core::privacy::Identifying;
///
/// let row: SourceRow = serde_json::from_str(
///     r#"{"label":"/pricing","url":"https://example.org/pricing?mail=a@b.org","nb_visits":"12","bounce_rate":"25%"}"#,
/// ).unwrap();
/// assert_eq!(row.label, Identifying::new(String::from("/pricing")));
/// assert_eq!(row.metrics.get("nb_visits"), Some(12.0));
/// assert_eq!(row.metrics.get("bounce_rate"), Some(0.25));
/// // The URL was never kept.
/// assert_eq!(row.metrics.iter().count(), 2);
///
/// let err = serde_json::from_str::<SourceRow>(r#"{"label":"/","nb_visits":{"a":1}}"#).unwrap_err();
/// assert!(err.to_string().contains("`nb_visits`"), "{err}");
/// ```
///
/// Its label is identifying, whatever the report: it is Matomo's text before scrubbing, and
/// the only way to show it is through [`Scrubber`](crate::minimise::Scrubber) and the threshold.
#[derive(Clone, Debug, Default, PartialEq, Classified)]
pub struct SourceRow {
    /// The row's label, as Matomo sent it (not yet scrubbed).
    pub label: Identifying<String>,
    /// The row's known metrics.
    pub metrics: Metrics,
    /// Matomo's segment selecting the row's visits (`deviceType==smartphone`), when it sent one:
    /// the pipeline asks Matomo how many distinct visitors it selects. It holds the label
    /// unscrubbed, so it is identifying too, and never shown.
    pub segment: Option<Identifying<String>>,
    /// Matomo's distinct visitors and visits for the row, kept only when the row was read from
    /// one of Matomo's answers by the SDK's client: what the threshold may believe. A row
    /// decoded from other text, or written in code, has none.
    counts: MatomoCounts,
}

/// The counts the threshold believes, as Matomo sent them with a row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Classified)]
struct MatomoCounts {
    visitors: Option<VisitorCount>,
    visits: Option<VisitCount>,
    /// `sum_daily_nb_uniq_visitors` of a week, month, year or range: the sum over the days of
    /// each day's distinct visitors, which bounds the period's from below
    /// ([`reporting::visitors::daily`](crate::reporting::visitors)).
    #[privacy(aggregate)]
    daily_visitors: Option<u64>,
    /// Distinct visitors known behind the row from Matomo's rows of its parts (a country's
    /// from its cities, [`reporting::visitors::finer`](crate::reporting::visitors)), 0 if none.
    #[privacy(aggregate)]
    part_visitors: u64,
}

impl SourceRow {
    /// The row as a summary of other rows: Matomo's truncation row ("Others", `"/help/ - Others"`,
    /// marked `"is_summary": true`, or the last row of an answer cut with `filter_truncate`),
    /// with neither its segment nor its distinct counts.
    ///
    /// Neither is a lower bound on the visitors behind the rows it sums. Its distinct counts
    /// (`nb_uniq_visitors`, `sum_daily_*`, …) are Matomo's sums of the summed rows' own, which
    /// count a visitor once per row; and its segment, when it has one, is its parent's (the
    /// whole directory, `pageUrl=^…/help`), which selects the visitors of the rows shown beside
    /// it as well: 5 people behind a "/help/ - Others" row were once proven by the 131 of the
    /// directory. Without them the row proves nothing on its own: it is suppressed, and merged
    /// into an "Other" row only where that row's own proof holds (it excludes the shown rows).
    pub fn into_summary(mut self) -> Self {
        self.segment = None;
        self.metrics.remove_distinct_counts();
        self.counts.visitors = None;
        self.counts.daily_visitors = None;
        self.counts.part_visitors = 0;
        self
    }

    /// A row with this label and these metrics, as code writes it: it carries no count of
    /// Matomo's, so it proves no visitors.
    pub fn new(label: Identifying<String>, metrics: Metrics) -> Self {
        Self {
            label,
            metrics,
            segment: None,
            counts: MatomoCounts::default(),
        }
    }

    /// Matomo's distinct visitors for the row (`nb_uniq_visitors`, sent for days), when the row
    /// was read from Matomo's answer by the SDK's client.
    pub fn visitors(&self) -> Option<VisitorCount> {
        self.counts.visitors
    }

    /// Matomo's sum of the row's daily distinct visitors (`sum_daily_nb_uniq_visitors`, sent for
    /// longer periods than a day), when the row was read from Matomo's answer by the SDK's client.
    pub(crate) fn daily_visitors(&self) -> Option<u64> {
        self.counts.daily_visitors
    }

    /// Distinct visitors known behind the row from Matomo's rows of its parts, 0 if none.
    pub(crate) fn part_visitors(&self) -> u64 {
        self.counts.part_visitors
    }

    /// Records that Matomo's rows of the row's parts prove `visitors` behind it (a lower bound,
    /// proven by the caller).
    pub(crate) fn prove_by_parts(&mut self, visitors: u64) {
        self.counts.part_visitors = self.counts.part_visitors.max(visitors);
    }

    /// Matomo's visits for the row, when the row was read from Matomo's answer by the SDK's
    /// client.
    pub fn visits(&self) -> Option<VisitCount> {
        self.counts.visits
    }

    /// The row for the threshold, its label scrubbed as a URL, with Matomo's count of its
    /// visitors: label and count stay together, from the same row of Matomo's answer.
    pub fn scrubbed_url(self, scrubber: &Scrubber) -> ReportRow {
        let label = scrubber.url(&self.label);
        self.into_report_row(label)
    }

    /// Like [`scrubbed_url`](Self::scrubbed_url), for a label of free text.
    pub fn scrubbed_text(self, scrubber: &Scrubber) -> ReportRow {
        let label = scrubber.text(&self.label);
        self.into_report_row(label)
    }

    /// The row for the threshold under `label`, which the caller scrubbed from this row's.
    ///
    /// Matomo's count of the row's visitors goes with it only where the row's segment does not
    /// say that Matomo added the row up from several ([`daily::day_count_is_distinct`]).
    pub(crate) fn into_report_row(self, label: ScrubbedText) -> ReportRow {
        let visitors = self
            .counts
            .visitors
            .filter(|_| daily::day_count_is_distinct(&self));
        ReportRow::from_matomo(label, self.metrics, self.segment, visitors)
    }
}

impl<'de> Deserialize<'de> for SourceRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = SourceRow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a report row: an object with a label and metrics")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SourceRow, A::Error> {
        let mut label = None;
        let mut segment = None;
        let mut summary = false;
        let mut metrics = Metrics::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::Label => {
                    if label.is_some() {
                        return Err(de::Error::duplicate_field("label"));
                    }
                    label = Some(map.next_value_seed(LabelSeed)?);
                }
                Key::Metric(name) => {
                    if let Some(value) = map.next_value_seed(MetricSeed(name))?
                        && !metrics.insert_known(name, value)
                    {
                        return Err(de::Error::duplicate_field(name));
                    }
                }
                Key::Segment => {
                    // Only a string is a segment; Matomo sends nothing else under this name.
                    segment = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(text) if !text.is_empty() => Some(text),
                        _ => None,
                    };
                }
                Key::Summary => {
                    // Anything but `true` is an ordinary row, as Matomo marks only its own.
                    summary =
                        map.next_value::<serde_json::Value>()? == serde_json::Value::Bool(true);
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let label = label.ok_or_else(|| de::Error::missing_field("label"))?;
        // Only the client, decoding Matomo's answer, vouches for the counts, and only for the
        // distinct counts of rows Matomo did not add up from others.
        let counts = if decoding_matomo() {
            let whole = |name| {
                metrics
                    .get(name)
                    .map(|v| crate::minimise::threshold::count(Some(v)))
            };
            let distinct =
                |name| whole(name).filter(|_| !crate::models::answer::decoding_summed_rows());
            MatomoCounts {
                visitors: distinct("nb_uniq_visitors").map(VisitorCount::from_matomo),
                visits: whole("nb_visits").map(VisitCount::from_matomo),
                daily_visitors: distinct("sum_daily_nb_uniq_visitors"),
                part_visitors: 0,
            }
        } else {
            MatomoCounts::default()
        };
        let row = SourceRow {
            label: Identifying::new(label),
            metrics,
            segment: segment.map(Identifying::new),
            counts,
        };
        Ok(if summary { row.into_summary() } else { row })
    }
}

/// What a row's field is to the pipeline, decided from its name without allocating it.
enum Key {
    Label,
    Segment,
    /// `is_summary`: Matomo's mark on the truncation rows it archived.
    Summary,
    Metric(&'static str),
    Other,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
        Ok(match name {
            "label" => Key::Label,
            "segment" => Key::Segment,
            "is_summary" => Key::Summary,
            _ => known_metric(name).map_or(Key::Other, |(known, _)| Key::Metric(known)),
        })
    }
}

/// A label: a string, or a number Matomo sent unquoted (kept as its JSON text).
struct LabelSeed;

impl<'de> DeserializeSeed<'de> for LabelSeed {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for LabelSeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row label (a string)")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
        Ok(value.to_owned())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<String, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<String, E> {
        serde_json::Number::from_f64(value)
            .map(|n| n.to_string())
            .ok_or_else(|| E::invalid_value(Unexpected::Float(value), &self))
    }
}

/// A known metric's value: `None` for Matomo's "no value" (`false`, `null`, `""`).
struct MetricSeed(&'static str);

impl MetricSeed {
    fn invalid<E: de::Error>(&self, found: Unexpected<'_>) -> E {
        E::custom(format_args!(
            "invalid value for metric `{}`: {found}, expected a number, a numeric string, a \
             percentage, a duration or an amount",
            self.0
        ))
    }
}

impl<'de> DeserializeSeed<'de> for MetricSeed {
    type Value = Option<f64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<f64>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MetricSeed {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a value for metric `{}`", self.0)
    }

    // Matomo's metrics are far below 2^53; rounding a larger count is acceptable for a metric.
    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Option<f64>, E> {
        Ok(Some(value as f64))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Option<f64>, E> {
        Ok(Some(value as f64))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Option<f64>, E> {
        Ok(Some(value))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Option<f64>, E> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        // The models' own text readers, most common format first; each accepts plain decimals
        // identically, and the special formats (%, durations, currency) cannot be confused.
        // (Called directly rather than through their `Deserialize`: a refused format there
        // costs a formatted error message, and most rows hold a percentage.)
        Metric::from_text(text)
            .map(|m| m.0)
            .or_else(|| Rate::from_text(text).map(|r| r.0))
            .or_else(|| Seconds::from_text(text).map(|s| s.0))
            .or_else(|| Money::from_text(text).map(|m| m.0))
            .map(Some)
            .ok_or_else(|| self.invalid(Unexpected::Str(text)))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Option<f64>, E> {
        if value {
            Err(self.invalid(Unexpected::Bool(true)))
        } else {
            Ok(None)
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Option<f64>, A::Error> {
        Err(self.invalid(Unexpected::Seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Option<f64>, A::Error> {
        Err(self.invalid(Unexpected::Map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(json: &str) -> Result<SourceRow, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn reads_every_number_format_matomo_sends() {
        let r = row(r#"{"label":"x","nb_visits":"17","nb_hits":17.0,"bounce_rate":"15.38%",
            "avg_time_on_page":"5 min 56s","revenue":"$1,346.70","exit_rate":0.5,"sum_time_spent":-3}"#)
        .unwrap();
        assert_eq!(r.metrics.get("nb_visits"), Some(17.0));
        assert_eq!(r.metrics.get("nb_hits"), Some(17.0));
        assert_eq!(r.metrics.get("bounce_rate"), Some(0.1538));
        assert_eq!(r.metrics.get("avg_time_on_page"), Some(356.0));
        assert_eq!(r.metrics.get("revenue"), Some(1346.7));
        assert_eq!(r.metrics.get("exit_rate"), Some(0.5));
        assert_eq!(r.metrics.get("sum_time_spent"), Some(-3.0));
    }

    #[test]
    fn absent_values_are_left_out() {
        let r =
            row(r#"{"label":"x","nb_visits":false,"nb_hits":null,"revenue":"","nb_actions":" "}"#)
                .unwrap();
        assert!(r.metrics.is_empty(), "{r:?}");
    }

    #[test]
    fn only_the_label_and_known_metrics_are_kept() {
        let r = row(
            r#"{"label":"/a","url":"https://x.org/?email=jane@example.org",
            "segment":"pageUrl==x","goals":{"idgoal=1":{"nb_conversions":3}},
            "subtable":[{"label":"deep","nb_visits":1}],"idsubdatatable":4,"nb_visits":9,
            "unknown_metric":3}"#,
        )
        .unwrap();
        assert_eq!(r.label, Identifying::new(String::from("/a")));
        let names: Vec<&str> = r.metrics.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["nb_visits"]);
    }

    #[test]
    fn numeric_labels_keep_their_json_text() {
        let label = |json| Identifying::new(String::from(json));
        assert_eq!(row(r#"{"label":7}"#).unwrap().label, label("7"));
        assert_eq!(row(r#"{"label":-2}"#).unwrap().label, label("-2"));
        assert_eq!(row(r#"{"label":1.5}"#).unwrap().label, label("1.5"));
    }

    #[test]
    fn wrong_types_are_refused_with_the_field_named() {
        for (json, expected) in [
            (
                r#"{"label":"x","nb_visits":{"a":1}}"#,
                "metric `nb_visits`: map",
            ),
            (
                r#"{"label":"x","nb_hits":[1]}"#,
                "metric `nb_hits`: sequence",
            ),
            (
                r#"{"label":"x","revenue":true}"#,
                "metric `revenue`: boolean `true`",
            ),
            (
                r#"{"label":"x","nb_visits":"many"}"#,
                "metric `nb_visits`: string \"many\"",
            ),
            (r#"{"label":{"a":1},"nb_visits":1}"#, "a row label"),
            (r#"{"label":null}"#, "a row label"),
            (r#"{"nb_visits":1}"#, "missing field `label`"),
            (r#"{"label":"a","label":"b"}"#, "duplicate field `label`"),
            (
                r#"{"label":"a","nb_visits":1,"nb_visits":2}"#,
                "duplicate field `nb_visits`",
            ),
            (r#"["label","a"]"#, "a report row"),
        ] {
            let err = row(json).unwrap_err().to_string();
            assert!(err.contains(expected), "{json}: {err}");
        }
    }
}
