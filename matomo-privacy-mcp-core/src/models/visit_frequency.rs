//! `VisitFrequency.get`: new versus returning visits. All aggregate.

use super::{Count, Metric, Rate, Seconds};

classified_fields! {
    /// The object `VisitFrequency.get` returns.
    pub struct VisitFrequency {
        /// Visits by new visitors.
        nb_visits_new: Count,
        /// Actions of new visits.
        nb_actions_new: Count,
        /// Unique new visitors (day periods only).
        nb_uniq_visitors_new: Count,
        /// Logged-in new users (day periods only).
        nb_users_new: Count,
        /// New visits that converted.
        nb_visits_converted_new: Count,
        /// Bounces of new visits.
        bounce_count_new: Count,
        /// Visit time of new visits.
        sum_visit_length_new: Seconds,
        /// Most actions in one new visit.
        max_actions_new: Count,
        /// Bounce rate of new visits (a fraction).
        bounce_rate_new: Rate,
        /// Actions per new visit.
        nb_actions_per_visit_new: Metric,
        /// Average duration of new visits.
        avg_time_on_site_new: Seconds,
        /// Visits by returning visitors.
        nb_visits_returning: Count,
        /// Actions of returning visits.
        nb_actions_returning: Count,
        /// Unique returning visitors (day periods only).
        nb_uniq_visitors_returning: Count,
        /// Logged-in returning users (day periods only).
        nb_users_returning: Count,
        /// Returning visits that converted.
        nb_visits_converted_returning: Count,
        /// Bounces of returning visits.
        bounce_count_returning: Count,
        /// Visit time of returning visits.
        sum_visit_length_returning: Seconds,
        /// Most actions in one returning visit.
        max_actions_returning: Count,
        /// Bounce rate of returning visits (a fraction).
        bounce_rate_returning: Rate,
        /// Actions per returning visit.
        nb_actions_per_visit_returning: Metric,
        /// Average duration of returning visits.
        avg_time_on_site_returning: Seconds,
    }
}

report! {
    /// `VisitFrequency.get`: new versus returning visits.
    Get = "VisitFrequency.get" => VisitFrequency;
}
