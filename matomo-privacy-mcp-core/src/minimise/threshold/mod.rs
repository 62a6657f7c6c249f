//! Small-count suppression by people, not rows: no number is shown that fewer than `k`
//! distinct visitors are known to be behind.
//!
//! - A row is shown when its *known* distinct visitors ([`ReportRow::visitors`], a lower bound)
//!   reach `k`. Visits never count as visitors, and rows merged because their scrubbed labels
//!   became equal know only the largest part's visitors, not the sum, until Matomo counts the
//!   union of their parts (the report pipeline asks for the OR of their segments, which a
//!   merged row carries: see [`merge_equal_labels`]).
//! - Rows with no visits at all are left out and not counted as suppressed: they describe nobody.
//! - The other rows are suppressed. They form one "Other" row only when the caller proves that
//!   at least `k` distinct visitors are behind them together ([`Threshold::apply_with_other`]);
//!   the sum of their visitors is an upper bound and proves nothing.
//! - Inside a shown row, a metric computed from fewer than `k` of its visitors is withheld by
//!   the sub-metric rule (see [`cells`](self#the-sub-metric-rule)), and the result names it.
//!
//! # The sub-metric rule
//!
//! Each metric is computed from all of a row's visits (visits, actions, page views, time), from
//! a part of them (entries, exits, bounces, converting visits), or from another metric (rates,
//! revenue). A part's visitors are Matomo's distinct count when it sends one, else at least
//! `visitors(row) − (visits(row) − visits(part))`. A metric above 0 whose visitors are not known
//! to reach `k` is withheld, with every metric computed from it; maxima and minima are one
//! visit's own value and always withheld.

mod cells;
mod counted;
mod interval;
mod metrics;
mod row;
mod shown;
mod typed_metrics;

pub use counted::{VisitCount, VisitorCount};
pub use interval::{Interval, Intervals, rank_ranges};
pub use metrics::{MergeRule, MetricName, MetricValue, Metrics, known_metric, merge_rule};
pub use row::ReportRow;
pub use shown::{ThresholdedLabel, ThresholdedRow};

pub(crate) use cells::Cells;
pub(crate) use row::count;

use std::collections::{BTreeSet, HashMap};

/// The smallest number of distinct visitors behind any number shown.
///
/// Only Matomo's counts prove visitors: rows read by the client
/// ([`SourceRow::scrubbed_url`](crate::reporting::SourceRow::scrubbed_url)) carry them, and
/// [`ReportRow::with_visitors`] takes a [`VisitorCount`], which only the SDK makes. A count
/// written in code proves nothing (the rows of Matomo's answers are thresholded in
/// [`report_from_body`](crate::reporting::report_from_body)'s example):
///
/// ```
/// use matomo_privacy_mcp_core::minimise::{Metrics, ReportRow, Scrubber, Threshold};
///
/// let scrubber = Scrubber::builder().build().unwrap();
/// let row = |label: &str, visits: f64, visitors: f64| {
///     let metrics = Metrics::new().with("nb_visits", visits).with("nb_uniq_visitors", visitors);
///     ReportRow::new(scrubber.text(label), metrics)
/// };
/// let rows = vec![row("/", 40.0, 31.0), row("/a", 9.0, 1.0), row("/c", 0.0, 0.0)];
/// let out = Threshold::new(5).unwrap().apply(rows);
/// // Made-up counts pass nothing; "/c" describes nobody and is not counted.
/// assert!(out.rows.is_empty());
/// assert_eq!(out.suppressed_rows, 2);
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

/// The rows that passed, and what did not.
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholded {
    /// Rows with at least `k` known visitors, in their original order, then the "Other" row if
    /// one was proven.
    pub rows: Vec<ThresholdedRow>,
    /// Rows (at any depth) with visitors but fewer than `k` known: in the "Other" row, or left out.
    pub suppressed_rows: usize,
    /// Metrics withheld from at least one shown row by the sub-metric rule.
    pub withheld_metrics: BTreeSet<&'static str>,
}

impl Thresholded {
    /// Whether the suppressed rows of the top level were shown together as an "Other" row.
    pub fn other_shown(&self) -> bool {
        self.rows.iter().any(ThresholdedRow::is_other)
    }
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

    /// Whether a row is known to describe at least `k` distinct visitors.
    pub fn passes(&self, row: &ReportRow) -> bool {
        row.visitors() >= self.k
    }

    /// Whether a row may still pass once its visitors are known: it has at least `k` visits.
    pub fn could_pass(&self, row: &ReportRow) -> bool {
        row.visits() >= self.k
    }

    /// Suppresses the rows (and subtable rows) with fewer than `k` known visitors; no "Other" row.
    pub fn apply(&self, rows: Vec<ReportRow>) -> Thresholded {
        self.apply_with_other(rows, None)
    }

    /// Like [`apply`](Self::apply), and shows the top level's suppressed rows merged into one
    /// "Other" row when `other_visitors`, the distinct visitors Matomo counted behind those rows
    /// together (for a segment that excludes every shown row), reach `k`.
    pub fn apply_with_other(
        &self,
        rows: Vec<ReportRow>,
        other_visitors: Option<VisitorCount>,
    ) -> Thresholded {
        let other_visitors = other_visitors.map(VisitorCount::get);
        let mut out = Thresholded {
            rows: Vec::new(),
            suppressed_rows: 0,
            withheld_metrics: BTreeSet::new(),
        };
        let (kept, below) = self.table(rows, &mut out);
        out.rows = kept;
        if let Some(visitors) = other_visitors.filter(|v| *v >= self.k)
            && !below.is_empty()
        {
            let label = format!(
                "Other ({} rows with fewer than {} visitors each)",
                below.len(),
                self.k
            );
            let mut metrics = Metrics::merged(below.iter().map(|row| &row.metrics));
            let visits = count_visits(&metrics).max(visitors);
            cells::withhold(
                &mut metrics,
                visitors,
                visits,
                self.k,
                &mut out.withheld_metrics,
            );
            out.rows.push(ThresholdedRow::new(
                ThresholdedLabel::other(label),
                metrics,
                Vec::new(),
                visitors,
                visits,
            ));
        }
        out
    }

    /// Withholds the metrics of one row or summary that fewer than `k` of its `visitors`
    /// (known distinct visitors, making `visits` visits) are behind: the sub-metric rule.
    /// Returns what is left and the names withheld.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::minimise::{Metrics, Threshold};
    ///
    /// let day = Metrics::new().with("nb_visits", 23.0).with("bounce_count", 2.0).with("max_actions", 14.0);
    /// let (shown, withheld) = Threshold::new(5).unwrap().cells(&day, 21, 23);
    /// assert_eq!(shown.get("nb_visits"), Some(23.0));
    /// assert_eq!(withheld.into_iter().collect::<Vec<_>>(), ["bounce_count", "max_actions"]);
    /// ```
    pub fn cells(
        &self,
        metrics: &Metrics,
        visitors: u64,
        visits: u64,
    ) -> (Metrics, BTreeSet<&'static str>) {
        self.cells_with_parts(metrics, visitors, visits, &[])
    }

    /// Like [`cells`](Self::cells), with the distinct visitors of some parts of the visits known
    /// (for example `("bounce_count", 12)`, Matomo's count for the segment `actions==1`), which
    /// then decide for those parts instead of the bound.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::minimise::{Metrics, Threshold};
    ///
    /// let month = Metrics::new().with("nb_visits", 209.0).with("nb_visits_converted", 72.0);
    /// let threshold = Threshold::new(5).unwrap();
    /// // 58 visitors made 209 visits: the bound says nothing about the 72 converting visits.
    /// assert_eq!(threshold.cells(&month, 58, 209).0.get("nb_visits_converted"), None);
    /// let parts = [("nb_visits_converted", 31)];
    /// assert_eq!(threshold.cells_with_parts(&month, 58, 209, &parts).0.get("nb_visits_converted"), Some(72.0));
    /// ```
    pub fn cells_with_parts(
        &self,
        metrics: &Metrics,
        visitors: u64,
        visits: u64,
        parts: &[(&'static str, u64)],
    ) -> (Metrics, BTreeSet<&'static str>) {
        Cells::new(metrics, visitors, visits.max(visitors), self.k)
            .with_parts(parts)
            .apply()
    }

    /// The rows that pass, thresholded inside, and the rows below `k` (their subtables cleared).
    fn table(
        &self,
        rows: Vec<ReportRow>,
        out: &mut Thresholded,
    ) -> (Vec<ThresholdedRow>, Vec<ReportRow>) {
        let mut kept = Vec::with_capacity(rows.len());
        let mut below = Vec::new();
        for mut row in rows {
            if row.visits() == 0 {
                // Nobody is described: neither shown nor suppressed.
                continue;
            }
            let visitors = row.visitors();
            if visitors >= self.k {
                let (subtable, _) = self.table(std::mem::take(&mut row.subtable), out);
                let visits = row.visits();
                let mut metrics = row.metrics;
                let keep = cells::Cells::new(&metrics, visitors, visits, self.k)
                    .with_parts(&row.part_visitors)
                    .decide(&mut out.withheld_metrics);
                metrics.retain_by_index(&keep);
                kept.push(ThresholdedRow::new(
                    ThresholdedLabel::shown(row.label.into_string()),
                    metrics,
                    subtable,
                    visitors,
                    visits,
                ));
            } else {
                out.suppressed_rows += 1 + count_rows(&row.subtable);
                // The details of rare rows are exactly what must not be shown.
                row.subtable.clear();
                below.push(row);
            }
        }
        (kept, below)
    }
}

fn count_visits(metrics: &Metrics) -> u64 {
    row::count(
        metrics
            .get("nb_visits")
            .or_else(|| metrics.get("entry_nb_visits")),
    )
}

fn count_rows(rows: &[ReportRow]) -> usize {
    rows.iter()
        .filter(|row| row.visits() > 0)
        .map(|row| 1 + count_rows(&row.subtable))
        .sum()
}

/// Merges rows whose labels are equal (as happens after scrubbing), keeping the first one's position.
///
/// A merged row knows its largest part's distinct visitors, and carries the OR of its parts'
/// segments (`pageUrl==a,pageUrl==b`) when every part has one, so that Matomo can count the
/// union's: at most 40 parts and 4000 characters, past which Matomo would be asked to archive
/// a segment as long as a page, and the row stays unproven.
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
