//! Labels scrubbed, and rows whose labels scrubbing made equal merged.

use crate::minimise::{ReportRow, merge_equal_labels};
use crate::reporting::SourceRow;

use super::*;

impl Pipeline<'_> {
    /// Source rows to report rows: labels scrubbed, equal labels merged.
    pub(crate) fn scrubbed(&self, rows: Vec<SourceRow>) -> Vec<ReportRow> {
        let rows = rows
            .into_iter()
            .map(|row| {
                let label = match self.labels {
                    Labels::Url => self.scrubber.url(&row.label),
                    Labels::Text => self.scrubber.text(&row.label),
                };
                row.into_report_row(label)
            })
            .collect();
        merge_equal_labels(rows)
    }
}
