//! `Live.getVisitorProfile`: one visitor's history, summed over their visits.
//!
//! Even the totals are counts about one person, so they are **pseudonymous**.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::Visit;
use crate::Classified;
use crate::models::{Count, GoalKey, Metric, Seconds};
use crate::privacy::{ClassifiedKey, PrivacyClass, Pseudonymous, Shape};

/// One visitor's conversions or revenue per goal (`{"idgoal=1": 25}`): pseudonymous.
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct GoalTotals(pub BTreeMap<GoalKey, Pseudonymous<Metric>>);

impl Classified for GoalTotals {
    const SHAPE: Shape = Shape::Map {
        key: GoalKey::KEY,
        value: &Shape::Value(PrivacyClass::Pseudonymous),
    };
}

crate::privacy::leaf_class!(GoalTotals, pseudonymous);

impl<'de> Deserialize<'de> for GoalTotals {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // PHP encodes an empty map as `[]`.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum MapOrEmptyList {
            Map(BTreeMap<GoalKey, Pseudonymous<Metric>>),
            List([(); 0]),
        }
        Ok(match MapOrEmptyList::deserialize(deserializer)? {
            MapOrEmptyList::Map(map) => GoalTotals(map),
            MapOrEmptyList::List(_) => GoalTotals::default(),
        })
    }
}

classified_fields! {
    /// The visitor's first or last visit in brief.
    #[serde(rename_all = "camelCase")]
    pub struct FirstOrLastVisit {
        /// Unix time of the visit.
        (pseudonymous) date: Count,
        /// Date of the visit, readable.
        (pseudonymous) pretty_date: String,
        /// Days since the visit.
        (pseudonymous) days_ago: Count,
        /// Channel type.
        (pseudonymous) referrer_type: String,
        /// The full referrer URL.
        (identifying) referrer_url: String,
        /// The referrer in brief, with a keyword if any (`Bing (basic tee)`).
        (identifying) referral_summary: String,
    }
}

classified_fields! {
    /// A page the visitor viewed, with how often.
    pub struct VisitedPage {
        /// The page URL.
        (identifying) url: String,
        /// Views by this visitor.
        (pseudonymous) count: Count,
    }
}

classified_fields! {
    /// A device type the visitor used, with how often.
    pub struct ProfileDevice {
        /// Device type.
        #[serde(rename = "type")]
        (pseudonymous) device_type: String,
        /// Visits with the device type.
        (pseudonymous) count: Count,
        /// Icon path.
        (aggregate) icon: String,
    }
}

classified_fields! {
    /// A continent or country the visitor came from, with how often.
    #[serde(rename_all = "camelCase")]
    pub struct ProfilePlace {
        /// Continent code (continents only).
        (pseudonymous) continent: String,
        /// Country code (countries only).
        (pseudonymous) country: String,
        /// Visits from there.
        (pseudonymous) nb_visits: Count,
        /// Readable name.
        (pseudonymous) pretty_name: String,
        /// Cities (countries only).
        (pseudonymous) cities: Vec<String>,
    }
}

classified_fields! {
    /// The scalar fields of a [`VisitorProfile`].
    #[serde(rename_all = "camelCase")]
    pub struct ProfileFields {
        /// The visitor id.
        (pseudonymous) visitor_id: String,
        /// The visitor's User ID (Matomo sends `false` when none).
        (identifying) user_id: String,
        /// The previous visitor in the log (`false` when none).
        (pseudonymous) previous_visitor_id: String,
        /// The next visitor in the log (`false` when none).
        (pseudonymous) next_visitor_id: String,
        /// Whether more visits exist than were aggregated.
        (aggregate) has_more_visits: bool,
        /// How many visits were aggregated.
        (aggregate) visits_aggregated: Count,
        /// Whether any visit had coordinates.
        (aggregate) has_lat_long: bool,
        /// Visits.
        (pseudonymous) total_visits: Count,
        /// Time on site over all visits.
        (pseudonymous) total_visit_duration: Seconds,
        /// Time on site, readable.
        (pseudonymous) total_visit_duration_pretty: String,
        /// Actions.
        (pseudonymous) total_actions: Count,
        /// Outlinks.
        (pseudonymous) total_outlinks: Count,
        /// Downloads.
        (pseudonymous) total_downloads: Count,
        /// Site searches.
        (pseudonymous) total_searches: Count,
        /// Page views.
        (pseudonymous) total_page_views: Count,
        /// Unique page views.
        (pseudonymous) total_unique_page_views: Count,
        /// Revisited pages.
        (pseudonymous) total_revisited_pages: Count,
        /// Events.
        (pseudonymous) total_events: Count,
        /// Goal conversions.
        (pseudonymous) total_goal_conversions: Count,
        /// Ecommerce revenue.
        (pseudonymous) total_ecommerce_revenue: Metric,
        /// Orders.
        (pseudonymous) total_ecommerce_conversions: Count,
        /// Items ordered.
        (pseudonymous) total_ecommerce_items: Count,
        /// Abandoned carts.
        (pseudonymous) total_abandoned_carts: Count,
        /// Value of abandoned carts.
        (pseudonymous) total_abandoned_carts_revenue: Metric,
        /// Items in abandoned carts.
        (pseudonymous) total_abandoned_carts_items: Count,
    }
}

classified_fields! {
    /// The object `Live.getVisitorProfile` returns.
    #[serde(rename_all = "camelCase")]
    pub struct VisitorProfile {
        /// Scalar fields and totals.
        #[serde(flatten)]
        pub fields: ProfileFields,
        /// Conversions per goal.
        (typed) total_conversions_by_goal: GoalTotals,
        /// Revenue per goal.
        (typed) total_revenue_by_goal: GoalTotals,
        /// The first visit.
        (typed) first_visit: FirstOrLastVisit,
        /// The last visit.
        (typed) last_visit: FirstOrLastVisit,
        /// The most recent visits, in full.
        (typed) last_visits: Vec<Visit>,
        /// Pages viewed, with counts.
        (typed) visited_pages: Vec<VisitedPage>,
        /// Device types used.
        (typed) devices: Vec<ProfileDevice>,
        /// Continents visited from.
        (typed) continents: Vec<ProfilePlace>,
        /// Countries visited from.
        (typed) countries: Vec<ProfilePlace>,
    }
}
