//! Labels scrubbed, and rows whose labels scrubbing made equal merged.

use crate::minimise::{ReportRow, merge_equal_labels};
use crate::reporting::SourceRow;
use crate::reporting::visitors::daily;

use super::*;

impl Pipeline<'_> {
    /// Source rows to report rows: labels scrubbed, each row's visitors known from its daily
    /// counts where they bound them ([`daily`]) or from its parts' rows (a country's cities,
    /// `visitors::finer`), equal labels merged.
    ///
    /// The bound is taken per Matomo row, before merging: a merged row's daily counts are a
    /// sum over its parts, which may count one visitor once per part in a day; the merged row
    /// keeps the largest part's bound ([`ReportRow::merge`]).
    pub(crate) fn scrubbed(&self, rows: Vec<SourceRow>) -> Vec<ReportRow> {
        let rows = rows
            .into_iter()
            .map(|row| {
                let label = match self.labels {
                    Labels::Url => self.scrubber.url(&row.label),
                    Labels::Text => self.scrubber.text(&row.label),
                };
                let known = daily::from_daily_counts(&row, self.request.period, self.request.date)
                    .max(row.part_visitors());
                let mut row = row.into_report_row(label);
                if known > 0 {
                    row.prove_visitors(known);
                }
                row
            })
            .collect();
        merge_equal_labels(rows)
    }
}
