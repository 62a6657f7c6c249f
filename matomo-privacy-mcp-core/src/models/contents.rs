//! `Contents.*`: content blocks (banners, teasers, forms) shown to visitors and used by them.
//!
//! Names and pieces are free text set by the site, and pieces can be personalised ("Welcome
//! back, …") or be what a visitor wrote, so labels and segments are **identifying**, as for
//! page titles. Metrics are aggregate.

use super::{Count, Expanded, LabelledRow, Rate};
use crate::privacy::Identifying;

classified_fields! {
    /// Content metrics of a row. All aggregate.
    pub struct ContentMetrics {
        /// Visits that saw the content.
        nb_visits: Count,
        /// Unique visitors (day periods only).
        nb_uniq_visitors: Count,
        /// Sum of daily unique visitors, for longer periods.
        sum_daily_nb_uniq_visitors: Count,
        /// Times the content was shown.
        nb_impressions: Count,
        /// Times it was clicked or otherwise used.
        nb_interactions: Count,
        /// Interactions per impression (a fraction).
        interaction_rate: Rate,
    }
}

/// A content name or piece row: identifying. Its subtable holds the pieces of a name, or the
/// names of a piece.
pub type ContentRow = LabelledRow<Identifying<String>, ContentMetrics>;

report! {
    /// `Contents.getContentNames`: content names; with `expanded=1` their pieces.
    GetContentNames = "Contents.getContentNames" => Vec<Expanded<ContentRow, ContentRow>>;
    /// `Contents.getContentPieces`: content pieces; with `expanded=1` their names.
    GetContentPieces = "Contents.getContentPieces" => Vec<Expanded<ContentRow, ContentRow>>;
}
