//! Sorting and paging the rows that may be shown, and the answer they make.

use crate::ToolError;
use crate::dp::answer::{Charged, Seen};
use crate::minimise::threshold::Interval;
use crate::minimise::{Thresholded, ThresholdedRow};

use super::*;

impl Pipeline<'_> {
    /// Sorts and pages thresholded rows, drawing the noise of the shown ones when `charged`.
    pub(super) fn page(
        &self,
        mut thresholded: Thresholded,
        charged: Option<(Charged<'_>, u64)>,
        unchecked: u64,
        truncated: bool,
    ) -> Result<ReportOutput, ToolError> {
        let request = self.request;
        // "Other" comes last; every other row by visits, most first, as Matomo sorts by default.
        let other = thresholded
            .rows
            .iter()
            .position(ThresholdedRow::is_other)
            .map(|i| thresholded.rows.remove(i));
        let total_rows = (thresholded.rows.len() + usize::from(other.is_some())) as u64;
        // The visits intervals of every ranked row, for the ranks of the shown ones.
        let ranked: Vec<Interval> = thresholded
            .rows
            .iter()
            .filter_map(|row| row.intervals.get("nb_visits"))
            .collect();
        // Only the rows up to the end of the page need an order: select them in linear time,
        // then sort just those.
        let mut keyed: Vec<(u64, ThresholdedRow)> = thresholded
            .rows
            .into_iter()
            .map(|row| (row.visits(), row))
            .collect();
        let order = |a: &(u64, ThresholdedRow), b: &(u64, ThresholdedRow)| {
            b.0.cmp(&a.0).then_with(|| a.1.label.cmp(&b.1.label))
        };
        let wanted = (request.offset as usize).saturating_add(request.limit as usize);
        if keyed.len() > wanted {
            keyed.select_nth_unstable_by(wanted, order);
            keyed.truncate(wanted);
        }
        keyed.sort_by(order);
        let mut rows: Vec<ThresholdedRow> = keyed
            .into_iter()
            .map(|(_, row)| row)
            .chain(other)
            .skip(request.offset as usize)
            .take(request.limit as usize)
            .collect();
        let noise = charged.map(|(charged, uncertain_rows)| {
            let mut seen = Seen::default();
            for row in &mut rows {
                let noisy = seen.noisy(&charged.release, row.label.as_str(), &row.metrics);
                let visits = noisy.intervals.get("nb_visits");
                row.replace_with_noisy(noisy.metrics, noisy.intervals);
                // Ranks among every shown row (of any page), as far as the intervals tell.
                row.rank = visits.filter(|_| !row.is_other()).map_or_else(Vec::new, |this| {
                    let above = |pred: &dyn Fn(&Interval) -> bool| {
                        u32::try_from(ranked.iter().filter(|other| pred(other)).count())
                            .unwrap_or(u32::MAX)
                    };
                    let best = above(&|other| other.low() > this.high()) + 1;
                    // Every row whose interval reaches this one's, itself included.
                    let worst = above(&|other| other.high() >= this.low());
                    vec![best, worst.max(best)]
                });
            }
            let mut note = charged.note(seen);
            note.uncertain_rows = uncertain_rows;
            if ranked.len() > 1 {
                note.order = Some(
                    if charged.release.completion().is_some() {
                        "Rows are listed by their noisy counted visits (the counting rule's narrow noise decides the order; scaling to Matomo's visits multiplies every row alike); `rank` gives the ranks each row may hold as far as those counted intervals tell (1–3: anywhere from first to third), so rows whose ranks overlap are not told apart by this answer."
                    } else {
                        "Rows are listed by their noisy visits; `rank` gives the ranks each row may hold as far as the intervals tell (1–3: anywhere from first to third), so rows whose ranks overlap are not told apart by this answer."
                    }
                    .to_owned(),
                );
            }
            note
        });
        Ok(ReportOutput {
            asked: request.asked(),
            rows,
            total_rows,
            suppressed_rows: thresholded.suppressed_rows as u64,
            unchecked_rows: unchecked,
            withheld_metrics: thresholded
                .withheld_metrics
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
            withheld: false,
            threshold_k: self.threshold.k(),
            truncated,
            too_uncertain: noise
                .as_ref()
                .filter(|note| total_rows == 0 && note.uncertain_rows > 0)
                .map(|note| note.too_small("nb_visits")),
            noise,
        })
    }
}
