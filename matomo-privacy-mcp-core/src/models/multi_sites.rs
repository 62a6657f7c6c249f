//! `MultiSites.getAll`: the all-websites dashboard. All aggregate.

use super::{Count, Money, Rate};

classified_fields! {
    /// A site's totals and their change against the previous period.
    pub struct SiteTotals {
        /// Visits.
        nb_visits: Count,
        /// Actions.
        nb_actions: Count,
        /// Page views.
        nb_pageviews: Count,
        /// Revenue.
        revenue: Money,
        /// Change in visits (a fraction: `1.0` is +100 %).
        visits_evolution: Rate,
        /// Change in actions (a fraction).
        actions_evolution: Rate,
        /// Change in page views (a fraction).
        pageviews_evolution: Rate,
        /// Change in revenue (a fraction).
        revenue_evolution: Rate,
        /// Visits in the previous period.
        previous_nb_visits: Count,
        /// Actions in the previous period.
        previous_nb_actions: Count,
    }
}

classified_fields! {
    /// One site of `MultiSites.getAll`.
    pub struct SiteOverviewRow {
        /// The site's name.
        #[privacy(aggregate)]
        pub label: String,
        /// The site id.
        idsite: Count,
        /// The site's main URL.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub main_url: Option<String>,
        /// The site's totals.
        #[serde(flatten)]
        pub totals: SiteTotals,
    }
}

report! {
    /// `MultiSites.getAll`: totals of every site the token can view.
    GetAll = "MultiSites.getAll" => Vec<SiteOverviewRow>;
}
