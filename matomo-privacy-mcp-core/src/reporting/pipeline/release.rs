//! What of the proven rows may be shown: the threshold, and the noise when it is on.

use crate::ToolError;
use crate::minimise::ReportRow;
use crate::minimise::VisitorCount;
use crate::minimise::threshold::count;

use super::*;

impl Pipeline<'_> {
    /// An answer with no numbers: the period and segment describe fewer than `k` visitors (or
    /// Matomo did not say how many).
    pub(crate) async fn withheld(&self) -> Result<ReportOutput, ToolError> {
        let mut output = self.finish(Vec::new(), None, 0, false).await?;
        output.withheld = true;
        Ok(output)
    }

    /// Thresholds, adds noise to (when on), sorts and pages rows whose visitors are as known
    /// as they will be.
    ///
    /// With noise, a row is shown when Matomo counts at least `k` distinct visitors behind it
    /// (the threshold, exact), its noisy visits are at least `k` (a check on released numbers
    /// only), its visits' interval is no wider than its visits, *and* its noisy visits reach
    /// the floor above which chance selections among the report's rows stay rare
    /// ([`Release::selection_floor`](crate::dp::Release::selection_floor));
    /// otherwise it is counted in `noise.uncertain_rows`: too few visitors for a private figure.
    /// The interval judged is the one shown, completed to Matomo's visits when the answer is
    /// ([`Completion`](crate::dp::Completion)). Rows are ordered by their noisy *counted* visits
    /// (the narrow noise of the counting rule; completing multiplies every row by the same
    /// share, so the order is the same), which reveals nothing the numbers do not, and each
    /// carries the ranks its counted interval allows.
    pub(crate) async fn finish(
        &self,
        rows: Vec<ReportRow>,
        other_visitors: Option<u64>,
        unchecked: u64,
        truncated: bool,
    ) -> Result<ReportOutput, ToolError> {
        let mut thresholded = self
            .threshold
            .apply_with_other(rows, other_visitors.map(VisitorCount::from_matomo));
        let charged = match &self.noise {
            Some(noise) => {
                let charged = noise
                    .charge(
                        thresholded
                            .rows
                            .iter()
                            .map(|row| (row.label.as_str(), &row.metrics)),
                    )
                    .await?;
                let visits = charged.release.noisy_column(
                    "nb_visits",
                    thresholded
                        .rows
                        .iter()
                        .map(|row| (row.label.as_str(), &row.metrics)),
                );
                let k = self.threshold.k();
                // Among many rows, some with little behind them draw large noise: a row is
                // shown only above the floor that keeps such chance selections rare.
                let floor = charged
                    .release
                    .selection_floor("nb_visits", thresholded.rows.len())
                    .unwrap_or(0.0);
                let mut uncertain = 0;
                let mut kept = Vec::with_capacity(thresholded.rows.len());
                for (mut row, visits) in std::mem::take(&mut thresholded.rows)
                    .into_iter()
                    .zip(visits)
                {
                    match visits {
                        Some((value, interval)) => {
                            row.order_by_visits(count(Some(value)));
                            // Shown completed to Matomo's visits: useful or not as shown.
                            let (shown, shown_interval) =
                                charged.release.shown("nb_visits", value, interval);
                            if count(Some(value)) < k {
                                thresholded.suppressed_rows += 1;
                            } else if !shown_interval.is_useful(shown) || value < floor {
                                uncertain += 1;
                            } else {
                                // The counted interval: what the ranks are told by.
                                row.intervals.set("nb_visits", interval);
                                kept.push(row);
                            }
                        }
                        // A report without visits: its rows are shown as their other
                        // numbers allow.
                        None => kept.push(row),
                    }
                }
                thresholded.rows = kept;
                Some((charged, uncertain))
            }
            None => None,
        };
        self.page(thresholded, charged, unchecked, truncated)
    }
}
