//! `Events.*`: tracked events by category, action and name.
//!
//! All three are free text set by the site. Categories are usually a small
//! fixed set and are **pseudonymous**; actions and names (and `flat=1` labels,
//! which join category and action) can carry form values and are **identifying**.

use super::{Count, Expanded, LabelledRow, Metric};
use crate::privacy::{Identifying, Pseudonymous};

classified_fields! {
    /// Event metrics of a row. All aggregate.
    pub struct EventMetrics {
        /// Visits with the event.
        nb_visits: Count,
        /// Unique visitors (day periods only).
        nb_uniq_visitors: Count,
        /// Sum of daily unique visitors, for longer periods.
        sum_daily_nb_uniq_visitors: Count,
        /// Events.
        nb_events: Count,
        /// Events that carried a value.
        nb_events_with_value: Count,
        /// Sum of event values.
        sum_event_value: Metric,
        /// Smallest event value (absent when no event had a value).
        min_event_value: Metric,
        /// Largest event value (Matomo sends `false` when no event had a value).
        max_event_value: Metric,
        /// Average event value.
        avg_event_value: Metric,
    }
}

/// An event category row: categories are pseudonymous. Its subtable holds the category's
/// actions (or names, per `secondaryDimension`).
pub type EventCategoryRow = LabelledRow<Pseudonymous<String>, EventMetrics>;

/// An event action or name row, or a `flat=1` row ("Category - action"): identifying.
pub type EventDetailRow = LabelledRow<Identifying<String>, EventMetrics>;

report! {
    /// `Events.getCategory`: categories; with `expanded=1` their actions (or names, per `secondaryDimension`).
    GetCategory = "Events.getCategory" => Vec<Expanded<EventCategoryRow, EventDetailRow>>;
    /// `Events.getCategory` with `flat=1`: "Category - action" rows.
    GetCategoryFlat = "Events.getCategory" ["flat" = "1"] => Vec<EventDetailRow>;
    /// `Events.getAction`: actions; with `expanded=1` their names.
    GetAction = "Events.getAction" => Vec<Expanded<EventDetailRow, EventDetailRow>>;
    /// `Events.getName`: names; with `expanded=1` their actions.
    GetName = "Events.getName" => Vec<Expanded<EventDetailRow, EventDetailRow>>;
}
