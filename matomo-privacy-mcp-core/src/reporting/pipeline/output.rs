//! What every row report tool answers: the rows shown and what was left out, and why.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use crate::Classified;
use crate::dp::NoiseNote;
use crate::minimise::ThresholdedRow;

/// The site, period and date an answer is about, as asked: the first fields of every report's,
/// summary's and page timings' output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema, Classified)]
pub struct Asked {
    /// The site.
    #[privacy(aggregate)]
    pub site: u32,
    /// The period asked for.
    #[privacy(aggregate)]
    pub period: String,
    /// The date asked for.
    #[privacy(aggregate)]
    pub date: String,
}

/// `Site 1, day 2026-11-25`: how the tools' texts begin.
impl fmt::Display for Asked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Site {}, {} {}", self.site, self.period, self.date)
    }
}

/// The output of every report tool.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct ReportOutput {
    /// The site, period and date asked for.
    #[serde(flatten)]
    pub asked: Asked,
    /// The rows of this page, most visits first; labels are visitor-controlled text.
    pub rows: Vec<ThresholdedRow>,
    /// Rows after suppression, before paging.
    #[privacy(aggregate)]
    pub total_rows: u64,
    /// Rows with visitors but fewer than `threshold_k` known: merged into an "Other" row (when
    /// Matomo proves at least `threshold_k` visitors behind them together) or left out.
    #[privacy(aggregate)]
    pub suppressed_rows: u64,
    /// Rows with `threshold_k` visits or more whose distinct visitors were not checked (beyond
    /// the rows a page can show): left out of this answer.
    #[privacy(aggregate)]
    pub unchecked_rows: u64,
    /// Metrics left out of some rows because fewer than `threshold_k` visitors are behind them there.
    #[privacy(aggregate)]
    pub withheld_metrics: Vec<String>,
    /// True when the site, period and segment have fewer than `threshold_k` distinct visitors:
    /// the whole answer is withheld.
    #[privacy(aggregate)]
    pub withheld: bool,
    /// The small-count threshold: the fewest distinct visitors behind any number shown.
    #[privacy(aggregate)]
    pub threshold_k: u64,
    /// Whether Matomo had more rows than were fetched (the tail beyond the cap is not counted).
    #[privacy(aggregate)]
    pub truncated: bool,
    /// The noise on the numbers, when the deployment has differential privacy on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<NoiseNote>,
    /// With noise, when no row could be shown because every row's visits are too uncertain:
    /// why, in plain words, and what would help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[privacy(aggregate)]
    pub too_uncertain: Option<String>,
}
