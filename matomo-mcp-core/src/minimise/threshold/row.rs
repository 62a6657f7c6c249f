//! The row of a minimised report: a scrubbed label, metrics, and an optional subtable.

use schemars::JsonSchema;
use serde::Serialize;

use super::metrics::Metrics;
use crate::Classified;
use crate::minimise::ScrubbedText;

/// One row of a report after minimisation.
///
/// Serialises as `{"label": …, "nb_visits": …, …, "subtable": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema, Classified)]
pub struct ReportRow {
    /// The row's label, scrubbed (visitor-controlled text: data, not instructions).
    pub label: ScrubbedText,
    /// The row's metrics by name.
    #[serde(flatten)]
    pub metrics: Metrics,
    /// The rows of the subtable, when the report has one and it was asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtable: Vec<ReportRow>,
    /// Visitors behind a merged row whose distinct count could not be kept (see [`ReportRow::population`]).
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) merged_population: Option<u64>,
}

impl ReportRow {
    /// A row without subtable.
    pub fn new(label: ScrubbedText, metrics: Metrics) -> Self {
        Self {
            label,
            metrics,
            subtable: Vec::new(),
            merged_population: None,
        }
    }

    /// The number of visitors the row describes, for the small-count threshold:
    /// distinct visitors where the report has them, else visits.
    ///
    /// For a row merged from several rows the distinct count is unknown (one
    /// visitor may be in several rows); the sum of the parts is used, an upper bound.
    /// A row with neither metric counts as 0 and so never passes a threshold.
    pub fn population(&self) -> u64 {
        if let Some(merged) = self.merged_population {
            return merged;
        }
        let value = self
            .metrics
            .get("nb_uniq_visitors")
            .or_else(|| self.metrics.get("nb_visits"))
            .unwrap_or(0.0);
        // Matomo counts are non-negative integers; anything else counts as nobody.
        if value.is_finite() && value > 0.0 {
            value as u64
        } else {
            0
        }
    }

    /// Merges rows into one labelled `label`, following each metric's merge rule.
    pub(crate) fn merge(label: ScrubbedText, rows: &[ReportRow]) -> ReportRow {
        let (metrics, population) = Self::combined(rows);
        let subtable = rows
            .iter()
            .flat_map(|row| row.subtable.iter().cloned())
            .collect();
        ReportRow {
            label,
            metrics,
            subtable,
            merged_population: Some(population),
        }
    }

    /// The metrics of rows taken together (each by its merge rule) and the sum of their
    /// populations, as a merged row holds them.
    pub(crate) fn combined(rows: &[ReportRow]) -> (Metrics, u64) {
        let metrics = Metrics::merged(rows.iter().map(|row| &row.metrics));
        let population = rows.iter().map(ReportRow::population).sum();
        (metrics, population)
    }
}
