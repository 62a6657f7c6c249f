//! The row of a minimised report: a scrubbed label, metrics, and an optional subtable.

use schemars::JsonSchema;
use serde::Serialize;

use super::counted::VisitorCount;
use super::metrics::Metrics;
use crate::Classified;
use crate::minimise::ScrubbedText;
use crate::privacy::{Identifying, Reveal};
use crate::segment::Segment;

/// The most Matomo rows whose segments a merged row's segment joins (`pageUrl==a,pageUrl==b,…`).
///
/// Matomo archives every new segment from its logs when first asked (one SQL query with a
/// condition per part, over every visit of the period, and for an action dimension a lookup
/// of each URL among the site's actions): a row scrubbing made of hundreds of URLs (a
/// password reset link per visit) would cost that once per row and period. Past this many
/// parts the row stays unproven, known by its largest part.
pub(crate) const MAX_MERGED_PARTS: usize = 40;

/// The longest merged segment, as sent (values URL-encoded).
///
/// Matomo cuts every segment at 8192 bytes without a word (`Segment::SEGMENT_TRUNCATE_LIMIT`),
/// and a cut segment selects other visits than the row's; the row's segment is sent ANDed with
/// the caller's segment (up to that limit itself, usually far shorter), so half of it is left
/// for the rest. Requests whose whole segment is still too long are not sent at all.
pub(crate) const MAX_MERGED_SEGMENT_LEN: usize = 4_000;

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
    /// Distinct visitors Matomo counted behind the row: read with the row from Matomo's answer,
    /// or asked of Matomo for the row's own segment. Never read from [`metrics`](Self::metrics),
    /// which the tool may have written itself.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) proven_visitors: Option<u64>,
    /// Matomo's segment selecting the row's visits, kept only to ask Matomo about them.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) segment: Option<Identifying<String>>,
    /// Distinct visitors known behind parts of the row's visits (`("entry_nb_visits", 7)`)
    /// where its metrics no longer carry Matomo's count: a merged row, whose distinct counts
    /// cannot be added up, knows at least its largest part's.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) part_visitors: Vec<(&'static str, u64)>,
}

impl ReportRow {
    /// A row without subtable, known to describe nobody yet: `metrics` are what the row shows,
    /// and a `nb_uniq_visitors` among them proves nothing (a tool can write any number there).
    /// Use [`SourceRow::scrubbed_url`](crate::reporting::SourceRow::scrubbed_url) or
    /// [`SourceRow::scrubbed_text`](crate::reporting::SourceRow::scrubbed_text) for a row of Matomo's,
    /// which keeps Matomo's count, or prove its visitors with [`with_visitors`](Self::with_visitors).
    pub fn new(label: ScrubbedText, metrics: Metrics) -> Self {
        Self {
            label,
            metrics,
            subtable: Vec::new(),
            proven_visitors: None,
            segment: None,
            part_visitors: Vec::new(),
        }
    }

    /// Records that at least `visitors` distinct visitors are behind the row, as Matomo
    /// answered for the row's own segment: a [`VisitorCount`], which only the SDK makes (or a
    /// declaration on the tool, [`VisitorCount::declare`]).
    ///
    /// A lower bound only ever rises: a smaller count than one already known is ignored.
    pub fn with_visitors(mut self, visitors: VisitorCount) -> Self {
        self.prove_visitors(visitors.get());
        self
    }

    /// The row of one of Matomo's rows: its label (scrubbed from that row's), metrics and
    /// segment, and the distinct visitors Matomo sent with it, if it was read from Matomo.
    pub(crate) fn from_matomo(
        label: ScrubbedText,
        metrics: Metrics,
        segment: Option<Identifying<String>>,
        visitors: Option<VisitorCount>,
    ) -> Self {
        let mut out = Self::new(label, metrics);
        out.segment = segment;
        out.proven_visitors = visitors.map(VisitorCount::get);
        out
    }

    /// The row as if the client had read it from Matomo's answer: its `nb_uniq_visitors`
    /// (and its subtable's) believed. For tests of the threshold without a Matomo.
    #[cfg(test)]
    pub(crate) fn read_from_matomo(mut self) -> Self {
        if let Some(visitors) = self.metrics.get("nb_uniq_visitors") {
            self.prove_visitors(count(Some(visitors)));
        }
        self.subtable = std::mem::take(&mut self.subtable)
            .into_iter()
            .map(Self::read_from_matomo)
            .collect();
        self
    }

    pub(crate) fn prove_visitors(&mut self, visitors: u64) {
        self.proven_visitors = Some(self.visitors().max(visitors));
    }

    /// The number of distinct visitors the row is known to describe, a lower bound: the most
    /// Matomo counted for it (sent with the row, asked for its segment, or proven by
    /// [`with_visitors`](Self::with_visitors)), else 0.
    ///
    /// Only counts of Matomo's prove anything: a `nb_uniq_visitors` in the row's metrics that
    /// a tool wrote itself does not. Visits are not visitors (one person may make every visit
    /// of a row), so a row with only `nb_visits` is known to describe nobody in particular and
    /// never passes a threshold of more than one: the report pipeline asks Matomo for such
    /// rows' visitors.
    pub fn visitors(&self) -> u64 {
        self.proven_visitors.unwrap_or(0)
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
    /// (one person can be behind every part). When every part has a segment, the merged row
    /// has their union ([`merged_segment`]), so that Matomo can count the union's visitors.
    pub(crate) fn merge(label: ScrubbedText, rows: &[ReportRow]) -> ReportRow {
        let metrics = Metrics::merged(rows.iter().map(|row| &row.metrics));
        let subtable = rows
            .iter()
            .flat_map(|row| row.subtable.iter().cloned())
            .collect();
        // The distinct visitors of a part of the union (its entries, its exits) are at least
        // those of the same part of any one row merged into it: a lower bound the sub-metric
        // rule may use, never shown (the union's own distinct count is unknown).
        let part_visitors = [
            ("entry_nb_visits", "entry_nb_uniq_visitors"),
            ("exit_nb_visits", "exit_nb_uniq_visitors"),
        ]
        .into_iter()
        .filter_map(|(part, distinct)| {
            let known = rows
                .iter()
                .filter_map(|row| {
                    row.metrics
                        .get(distinct)
                        .map(|v| super::count(Some(v)))
                        .or_else(|| {
                            row.part_visitors
                                .iter()
                                .find(|(name, _)| *name == part)
                                .map(|(_, v)| *v)
                        })
                })
                .max()?;
            Some((part, known))
        })
        .collect();
        ReportRow {
            label,
            metrics,
            subtable,
            proven_visitors: Some(rows.iter().map(ReportRow::visitors).max().unwrap_or(0)),
            segment: merged_segment(rows),
            part_visitors,
        }
    }
}

/// The segment of a row merged from `rows`: the OR of theirs, `None` unless every part has one
/// that parses and the union can be written within [`MAX_MERGED_PARTS`] and
/// [`MAX_MERGED_SEGMENT_LEN`].
///
/// Proof that Matomo's distinct visitors for it (within the caller's segment `B`) are a lower
/// bound on the merged row's, never more:
///
/// 1. The pipeline relies on each part's segment `s_i`, ANDed with `B` (and with the report's
///    covering condition or row scope, which only take visits away), selecting only visits
///    of part `i`: the set `V_i` whose metrics Matomo reported in that row. That is what a
///    single row's proof rests on already.
/// 2. The merged row's metrics are the parts' together, so its visits are `V_1 ∪ … ∪ V_n` and
///    its visitors are the distinct visitors of that union.
/// 3. The union segment `u` selects exactly the visits some `s_i` selects
///    ([`Segment::any_of`]: distributivity, no condition added or dropped). `B ∧ u =
///    (B ∧ s_1) ∨ … ∨ (B ∧ s_n)`, whatever Matomo's row-level semantics for action
///    dimensions: a visit has an action matching `B ∧ (a ∨ b)` exactly when it has one matching
///    `B ∧ a` or one matching `B ∧ b`. So `B ∧ u` selects a subset of `V_1 ∪ … ∪ V_n`
///    (by 1), and its distinct visitors are at most the merged row's: a lower bound.
/// 4. The segment is never cut short by Matomo (which would drop conditions and select more):
///    its length is capped here, and the whole segment asked is checked before it is sent
///    (`reporting::visitors`).
///
/// Merged *subtable* rows get one too; only top-level rows are ever counted.
fn merged_segment(rows: &[ReportRow]) -> Option<Identifying<String>> {
    if rows.len() > MAX_MERGED_PARTS {
        return None;
    }
    let parts = rows
        .iter()
        .map(|row| Segment::parse(row.segment.as_ref()?.reveal_text()).ok())
        .collect::<Option<Vec<_>>>()?;
    let union = Segment::any_of(&parts)?.to_string();
    (union.len() <= MAX_MERGED_SEGMENT_LEN).then(|| Identifying::new(union))
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
