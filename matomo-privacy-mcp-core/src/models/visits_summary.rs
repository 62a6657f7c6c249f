//! `VisitsSummary.get`: the headline visit metrics of a site and period.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Count, Metric, Rate, Seconds};
use crate::Classified;

/// The object `VisitsSummary.get` returns for one site and period. All aggregate.
///
/// A day without data returns zeros; `nb_uniq_visitors`/`nb_users` are absent
/// for periods where uniques are not processed (year, range).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct VisitsSummary {
    /// Unique visitors.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub nb_uniq_visitors: Option<Count>,
    /// Logged-in users.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub nb_users: Option<Count>,
    /// Visits.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub nb_visits: Option<Count>,
    /// Actions.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub nb_actions: Option<Count>,
    /// Visits that converted a goal.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub nb_visits_converted: Option<Count>,
    /// Visits with a single action.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub bounce_count: Option<Count>,
    /// Total visit time.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub sum_visit_length: Option<Seconds>,
    /// Most actions in one visit.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub max_actions: Option<Count>,
    /// Share of visits that bounced (a fraction).
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub bounce_rate: Option<Rate>,
    /// Average actions per visit.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub nb_actions_per_visit: Option<Metric>,
    /// Average visit duration.
    #[privacy(aggregate)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::models::absent::false_as_none"
    )]
    pub avg_time_on_site: Option<Seconds>,
}

report! {
    /// `VisitsSummary.get`: visits, actions, bounces and time on site.
    Get = "VisitsSummary.get" => VisitsSummary;
}
