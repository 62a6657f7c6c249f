//! The row of a minimised report: a scrubbed label, metrics, and an optional subtable.

use schemars::JsonSchema;
use serde::Serialize;

use super::metrics::Metrics;
use crate::Classified;
use crate::minimise::ScrubbedText;
use crate::privacy::Identifying;

/// One row of a report after minimisation.
///
/// Serialises as `{"label": …, "nb_visits": …, …, "subtable": [...]}`.
///
/// The threshold asks two things of a row: how many distinct visitors it is *known* to
/// describe ([`visitors`](Self::visitors), a lower bound, what a threshold may rely on) and how
/// many visits it counts ([`visits`](Self::visits), an upper bound on its visitors, which only
/// ever proves that a row is too small).
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
    /// Distinct visitors proven behind the row by other means than its own metrics.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) proven_visitors: Option<u64>,
    /// Matomo's segment selecting the row's visits, kept only to ask Matomo about them.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) segment: Option<Identifying<String>>,
}

impl ReportRow {
    /// A row without subtable.
    pub fn new(label: ScrubbedText, metrics: Metrics) -> Self {
        Self {
            label,
            metrics,
            subtable: Vec::new(),
            proven_visitors: None,
            segment: None,
        }
    }

    /// Records that at least `visitors` distinct visitors are behind the row, as Matomo
    /// answered for the row's own segment (or another count you can prove).
    ///
    /// A lower bound only ever rises: a smaller count than one already known is ignored.
    pub fn with_visitors(mut self, visitors: u64) -> Self {
        self.prove_visitors(visitors);
        self
    }

    pub(crate) fn prove_visitors(&mut self, visitors: u64) {
        self.proven_visitors = Some(self.visitors().max(visitors));
    }

    /// The number of distinct visitors the row is known to describe, a lower bound: what
    /// [`with_visitors`](Self::with_visitors) proved, else Matomo's `nb_uniq_visitors` for the
    /// row, else 0.
    ///
    /// Visits are not visitors (one person may make every visit of a row), so a row with
    /// only `nb_visits` is known to describe nobody in particular and never passes a threshold
    /// of more than one: the report pipeline asks Matomo for such rows' visitors.
    pub fn visitors(&self) -> u64 {
        let own = count(self.metrics.get("nb_uniq_visitors"));
        self.proven_visitors.map_or(own, |proven| proven.max(own))
    }

    /// The number of visits the row counts (`nb_visits`, else `entry_nb_visits`, else its
    /// distinct visitors): an upper bound on its visitors, 0 for a row that describes nobody.
    pub fn visits(&self) -> u64 {
        ["nb_visits", "entry_nb_visits", "nb_uniq_visitors"]
            .iter()
            .find_map(|name| self.metrics.get(name))
            .map_or_else(|| self.visitors(), |v| count(Some(v)).max(self.visitors()))
    }

    /// Merges rows into one labelled `label`, following each metric's merge rule.
    ///
    /// The merged row's visitors are the most that any part is known to have: the union of
    /// the parts' visitors contains each part's, so that is a lower bound; their sum is not
    /// (one person can be behind every part).
    pub(crate) fn merge(label: ScrubbedText, rows: &[ReportRow]) -> ReportRow {
        let metrics = Metrics::merged(rows.iter().map(|row| &row.metrics));
        let subtable = rows
            .iter()
            .flat_map(|row| row.subtable.iter().cloned())
            .collect();
        ReportRow {
            label,
            metrics,
            subtable,
            proven_visitors: Some(rows.iter().map(ReportRow::visitors).max().unwrap_or(0)),
            segment: None,
        }
    }
}

/// A Matomo count as a whole number; anything but a finite positive number counts as nobody.
pub(crate) fn count(value: Option<f64>) -> u64 {
    match value {
        // Matomo counts are non-negative integers: the cast only drops a fraction.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(v) if v.is_finite() && v > 0.0 => v as u64,
        _ => 0,
    }
}
