//! Small-count suppression: no row describing fewer than `k` visitors is shown.
//!
//! Rows below `k` are merged into one row labelled as such, with additive
//! metrics summed and ratios recomputed (or left out, never wrong); if that row
//! is itself below `k`, it is dropped too. Subtables are thresholded the same
//! way, and every result says how many rows were suppressed.

mod metrics;
mod row;
mod shown;

pub use metrics::{MergeRule, MetricName, MetricValue, Metrics, known_metric, merge_rule};
pub use row::ReportRow;
pub use shown::{ThresholdedLabel, ThresholdedRow};

use std::collections::HashMap;

/// The smallest number of visitors a shown row may describe.
///
/// ```
/// use matomo_mcp_core::minimise::{Metrics, ReportRow, Scrubber, Threshold};
///
/// let scrubber = Scrubber::builder().build().unwrap();
/// let row = |label: &str, visits: f64| ReportRow::new(scrubber.text(label), Metrics::new().with("nb_visits", visits));
/// let out = Threshold::new(5).unwrap().apply(vec![row("/", 40.0), row("/a", 3.0), row("/b", 2.0), row("/c", 1.0)]);
/// assert_eq!(out.rows.len(), 2);
/// assert_eq!(out.rows[1].label.as_str(), "Other (3 rows with fewer than 5 visitors each)");
/// assert_eq!(out.rows[1].metrics.get("nb_visits"), Some(6.0));
/// assert_eq!(out.suppressed_rows, 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    k: u64,
}

/// A threshold that cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the small-count threshold k must be at least 1 (5 is the default; 1 turns suppression off)"
)]
pub struct InvalidThreshold;

/// The rows that passed, and how many did not.
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholded {
    /// Rows at or above `k`, in their original order, then the merged row if it passed.
    pub rows: Vec<ThresholdedRow>,
    /// Rows (at any depth) below `k`: merged into an "Other" row or dropped.
    pub suppressed_rows: usize,
}

impl Default for Threshold {
    fn default() -> Self {
        Self { k: Self::DEFAULT_K }
    }
}

impl Threshold {
    /// The default `k`.
    pub const DEFAULT_K: u64 = 5;

    /// A threshold of `k` visitors; `k = 1` shows every row that has visitors.
    pub fn new(k: u64) -> Result<Self, InvalidThreshold> {
        if k == 0 {
            Err(InvalidThreshold)
        } else {
            Ok(Self { k })
        }
    }

    /// The threshold.
    pub fn k(&self) -> u64 {
        self.k
    }

    /// Suppresses the rows (and subtable rows) below `k`.
    pub fn apply(&self, rows: Vec<ReportRow>) -> Thresholded {
        let mut suppressed_rows = 0;
        let rows = self.table(rows, &mut suppressed_rows);
        Thresholded {
            rows,
            suppressed_rows,
        }
    }

    fn table(&self, rows: Vec<ReportRow>, suppressed: &mut usize) -> Vec<ThresholdedRow> {
        let mut kept = Vec::with_capacity(rows.len());
        let mut below = Vec::new();
        for mut row in rows {
            let population = row.population();
            if population >= self.k {
                let subtable = self.table(std::mem::take(&mut row.subtable), suppressed);
                kept.push(ThresholdedRow::new(
                    ThresholdedLabel::shown(row.label.into_string()),
                    row.metrics,
                    subtable,
                    population,
                ));
            } else {
                *suppressed += 1 + count_rows(&row.subtable);
                // The details of rare rows are exactly what must not be shown.
                row.subtable.clear();
                below.push(row);
            }
        }
        if !below.is_empty() {
            let label = format!(
                "Other ({} rows with fewer than {} visitors each)",
                below.len(),
                self.k
            );
            // The rare rows' subtables were cleared above: an "Other" row has none.
            let (metrics, population) = ReportRow::combined(&below);
            if population >= self.k {
                kept.push(ThresholdedRow::new(
                    ThresholdedLabel::other(label),
                    metrics,
                    Vec::new(),
                    population,
                ));
            }
        }
        kept
    }
}

fn count_rows(rows: &[ReportRow]) -> usize {
    rows.iter().map(|row| 1 + count_rows(&row.subtable)).sum()
}

/// Merges rows whose labels are equal (as happens after scrubbing), keeping the first one's position.
pub fn merge_equal_labels(rows: Vec<ReportRow>) -> Vec<ReportRow> {
    // Find each row's group (the index of the first row with its label) without cloning a
    // label: most reports have no equal labels, and then the rows go through as they are.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    let mut group_of = Vec::with_capacity(rows.len());
    let mut any_equal = false;
    for (i, row) in rows.iter().enumerate() {
        let group = *first.entry(row.label.as_str()).or_insert(i);
        any_equal |= group != i;
        group_of.push(group);
    }
    drop(first);
    let merge_subtable = |mut row: ReportRow| {
        row.subtable = merge_equal_labels(std::mem::take(&mut row.subtable));
        row
    };
    if !any_equal {
        return rows.into_iter().map(merge_subtable).collect();
    }
    let mut groups: Vec<Vec<ReportRow>> =
        std::iter::repeat_with(Vec::new).take(rows.len()).collect();
    for (row, group) in rows.into_iter().zip(group_of) {
        groups[group].push(row);
    }
    groups
        .into_iter()
        .filter_map(|mut group| match group.len() {
            0 => None,
            1 => group.pop().map(merge_subtable),
            _ => {
                let label = group.first()?.label.clone();
                Some(merge_subtable(ReportRow::merge(label, &group)))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
