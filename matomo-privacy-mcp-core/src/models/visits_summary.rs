//! `VisitsSummary.get`: the headline visit metrics of a site and period.

use super::{Count, Metric, Rate, Seconds};

classified_fields! {
    /// The object `VisitsSummary.get` returns for one site and period. All aggregate.
    ///
    /// A day without data returns zeros; `nb_uniq_visitors`/`nb_users` are absent
    /// for periods where uniques are not processed (year, range).
    pub struct VisitsSummary {
        /// Unique visitors.
        nb_uniq_visitors: Count,
        /// Logged-in users.
        nb_users: Count,
        /// Visits.
        nb_visits: Count,
        /// Actions.
        nb_actions: Count,
        /// Visits that converted a goal.
        nb_visits_converted: Count,
        /// Visits with a single action.
        bounce_count: Count,
        /// Total visit time.
        sum_visit_length: Seconds,
        /// Most actions in one visit.
        max_actions: Count,
        /// Share of visits that bounced (a fraction).
        bounce_rate: Rate,
        /// Average actions per visit.
        nb_actions_per_visit: Metric,
        /// Average visit duration.
        avg_time_on_site: Seconds,
    }
}

report! {
    /// `VisitsSummary.get`: visits, actions, bounces and time on site.
    Get = "VisitsSummary.get" => VisitsSummary;
}
