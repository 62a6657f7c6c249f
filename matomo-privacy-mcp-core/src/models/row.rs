//! What report rows share: the visit metrics, the plain dimension row, and embedded subtables.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Count, GoalsByKey, Metric, Money, Rate, Seconds};
use crate::Classified;

classified_fields! {
    /// The metrics every visit-dimension report row carries (Referrers, UserCountry,
    /// DevicesDetection, VisitTime, UserId, …). All aggregate.
    ///
    /// Every field is optional: `showColumns`/`hideColumns` remove any of them, and
    /// periods without unique-visitor processing send `sum_daily_*` instead.
    pub struct VisitMetrics {
        /// Visits.
        nb_visits: Count,
        /// Unique visitors (day-level periods only).
        nb_uniq_visitors: Count,
        /// Logged-in users (day-level periods only).
        nb_users: Count,
        /// Sum of daily unique visitors, where uniques are not computed for the period.
        sum_daily_nb_uniq_visitors: Count,
        /// Sum of daily users, where users are not computed for the period.
        sum_daily_nb_users: Count,
        /// Actions (page views, downloads, outlinks, searches, events).
        nb_actions: Count,
        /// Most actions in one visit.
        max_actions: Count,
        /// Total visit time.
        sum_visit_length: Seconds,
        /// Visits with a single action.
        bounce_count: Count,
        /// Visits that converted at least one goal.
        nb_visits_converted: Count,
        /// Goal conversions.
        nb_conversions: Count,
        /// Goal and ecommerce revenue.
        revenue: Money,
        /// Share of visits that converted (a fraction).
        conversion_rate: Rate,
        /// Share of visits that bounced (a fraction).
        bounce_rate: Rate,
        /// Average actions per visit.
        nb_actions_per_visit: Metric,
        /// Average visit duration.
        avg_time_on_site: Seconds,
        /// Metrics per goal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub goals: Option<GoalsByKey>,
    }
}

impl VisitMetrics {
    /// Visits (0 when Matomo sent none).
    pub fn visits(&self) -> u64 {
        self.nb_visits.map_or(0, |c| c.0)
    }

    /// Distinct visitors where Matomo computes them for the period (day-level periods), else `None`.
    pub fn unique_visitors(&self) -> Option<u64> {
        self.nb_uniq_visitors.map(|c| c.0)
    }

    /// Actions (0 when Matomo sent none).
    pub fn actions(&self) -> u64 {
        self.nb_actions.map_or(0, |c| c.0)
    }

    /// Total visit time in seconds (0 when Matomo sent none).
    pub fn visit_seconds(&self) -> f64 {
        self.sum_visit_length.map_or(0.0, |s| s.0)
    }

    /// Share of visits that bounced, as a fraction, if Matomo sent it.
    pub fn bounce_rate(&self) -> Option<f64> {
        self.bounce_rate.map(|r| r.0)
    }
}

/// A row labelled with text the site sets (an event category, action or name; a content name
/// or piece), `L` saying the label's class, with metrics `M` and a subtable (the next dimension,
/// with `idSubtable` or `expanded=1`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct LabelledRow<L, M> {
    /// The label.
    pub label: L,
    /// A segment selecting the row (`eventAction==…`, `contentName==…`); it repeats the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<L>,
    /// Id of the row's subtable, to fetch with `idSubtable`.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub idsubdatatable: Option<Count>,
    /// The row's metrics.
    #[serde(flatten)]
    pub metrics: M,
}

classified_fields! {
    /// A row whose label is a value from a fixed, public vocabulary (a device type,
    /// a browser, an hour of the day, a channel type): everything aggregate.
    pub struct DimensionRow {
        /// The dimension value, as Matomo displays it.
        #[privacy(aggregate)]
        pub label: String,
        /// A segment selecting the row (`deviceType==desktop`); it repeats the label.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub segment: Option<String>,
        /// Icon path in the Matomo UI.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub logo: Option<String>,
        /// Icon height in pixels.
        #[privacy(aggregate)]
        #[serde(
            rename = "logoHeight",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub logo_height: Option<Count>,
        /// Id of the row's subtable, to fetch with `idSubtable`.
        idsubdatatable: Count,
        /// The row's metrics.
        #[serde(flatten)]
        pub metrics: VisitMetrics,
    }
}

/// A report row of type `R` that may embed its subtable rows of type `S` (`expanded=1`).
///
/// Without `expanded=1` the subtable is absent and the row carries
/// `idsubdatatable` instead. Serialises as `R`'s fields plus `subtable`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct Expanded<R, S> {
    /// The row itself.
    #[serde(flatten)]
    pub row: R,
    /// The embedded subtable rows, with `expanded=1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtable: Option<Vec<S>>,
}

impl<R, S> std::ops::Deref for Expanded<R, S> {
    type Target = R;

    fn deref(&self) -> &R {
        &self.row
    }
}

/// A hierarchical report row (page URLs, page titles) whose subtables hold rows of the same type, to any depth.
///
/// Without `expanded=1` the subtable is absent and the row carries `idsubdatatable` instead.
/// Serialises as `R`'s fields plus `subtable`. The type is truly recursive: `derive(Classified)`
/// proves that `subtable` holds `Tree<R>` itself, so every level's classes are the top level's and
/// no level is dropped at decode time.
///
/// ```
/// use matomo_privacy_mcp_core::models::Tree;
/// use matomo_privacy_mcp_core::models::actions::PageRow;
///
/// let deep = r#"[{"label":"a","subtable":[{"label":"b","subtable":[{"label":"c","subtable":[
///     {"label":"d","subtable":[{"label":"e","subtable":[{"label":"f","subtable":[{"label":"g"}]}]}]}]}]}]}]"#;
/// let rows: Vec<Tree<PageRow>> = serde_json::from_str(deep).unwrap();
/// let mut depth = 0;
/// let mut level = rows.first();
/// while let Some(row) = level {
///     depth += 1;
///     level = row.subtable.as_ref().and_then(|s| s.first());
/// }
/// assert_eq!(depth, 7);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct Tree<R> {
    /// The row itself.
    #[serde(flatten)]
    pub row: R,
    /// The embedded subtable rows, with `expanded=1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtable: Option<Vec<Tree<R>>>,
}

impl<R> std::ops::Deref for Tree<R> {
    type Target = R;

    fn deref(&self) -> &R {
        &self.row
    }
}
