//! One visit of the visitor log.

use super::ActionDetail;
use crate::models::{Count, Metric, Seconds};

classified_fields! {
    /// The visit-level fields of a [`Visit`], each classified.
    #[serde(rename_all = "camelCase")]
    pub struct VisitFields {
        /// The site.
        (aggregate) id_site: Count,
        /// The site's name.
        (aggregate) site_name: String,
        /// The site's currency code.
        (aggregate) site_currency: String,
        /// The visit id.
        (pseudonymous) id_visit: Count,
        /// The visitor's IP address (anonymised as configured).
        (identifying) visit_ip: String,
        /// The visitor id (hex).
        (pseudonymous) visitor_id: String,
        /// The device fingerprint (hex of `config_id`).
        (pseudonymous) fingerprint: String,
        /// The User ID set by the site.
        (identifying) user_id: String,
        /// Date of the visit in the site's time zone.
        (pseudonymous) server_date: String,
        /// Hour the visit started, server time.
        (pseudonymous) visit_server_hour: String,
        /// Unix time of the last action.
        (pseudonymous) server_timestamp: Count,
        /// Unix time of the first action.
        (pseudonymous) first_action_timestamp: Count,
        /// Unix time of the last action.
        (pseudonymous) last_action_timestamp: Count,
        /// Date and time of the last action.
        (pseudonymous) last_action_date_time: String,
        /// Time of the last action, readable.
        (pseudonymous) server_time_pretty: String,
        /// Date of the visit, readable.
        (pseudonymous) server_date_pretty: String,
        /// Date of the first action, readable.
        (pseudonymous) server_date_pretty_first_action: String,
        /// Time of the first action, readable.
        (pseudonymous) server_time_pretty_first_action: String,
        /// Visitor-local time of the visit.
        (pseudonymous) visit_local_time: String,
        /// Visitor-local hour of the visit.
        (pseudonymous) visit_local_hour: String,
        /// `new`, `returning` or `returningCustomer`.
        (aggregate) visitor_type: String,
        /// Whether the visit converted a goal (0/1).
        (aggregate) visit_converted: Count,
        /// `none`, `ordered`, `abandonedCart`, ….
        (aggregate) visit_ecommerce_status: String,
        /// The visitor's visit count: links visits together.
        (pseudonymous) visit_count: Count,
        /// Days since the visitor's first visit.
        (pseudonymous) days_since_first_visit: Count,
        /// Seconds since the visitor's first visit.
        (pseudonymous) seconds_since_first_visit: Count,
        /// Days since the visitor's last visit.
        (pseudonymous) days_since_last_visit: Count,
        /// Seconds since the visitor's last visit.
        (pseudonymous) seconds_since_last_visit: Count,
        /// Days since the visitor's last order.
        (pseudonymous) days_since_last_ecommerce_order: Count,
        /// Seconds since the visitor's last order.
        (pseudonymous) seconds_since_last_ecommerce_order: Count,
        /// Length of the visit.
        (aggregate) visit_duration: Seconds,
        /// Length of the visit, readable.
        (aggregate) visit_duration_pretty: String,
        /// Actions in the visit.
        (aggregate) actions: Count,
        /// Interactions in the visit.
        (aggregate) interactions: Count,
        /// Site searches in the visit.
        (aggregate) searches: Count,
        /// Events in the visit.
        (aggregate) events: Count,
        /// Goal conversions in the visit.
        (aggregate) goal_conversions: Count,
        /// Revenue of the visit's orders: ties the visit to its orders.
        (pseudonymous) total_ecommerce_revenue: Metric,
        /// Orders in the visit.
        (pseudonymous) total_ecommerce_conversions: Count,
        /// Items ordered in the visit.
        (pseudonymous) total_ecommerce_items: Count,
        /// Value of carts abandoned in the visit.
        (pseudonymous) total_abandoned_carts_revenue: Metric,
        /// Carts abandoned in the visit.
        (pseudonymous) total_abandoned_carts: Count,
        /// Items in carts abandoned in the visit.
        (pseudonymous) total_abandoned_carts_items: Count,
        /// Channel type (`search`, `website`, …).
        (aggregate) referrer_type: String,
        /// Channel type, readable.
        (aggregate) referrer_type_name: String,
        /// Search engine, website or campaign name.
        (aggregate) referrer_name: String,
        /// The search keyword or campaign keyword that brought the visitor.
        (identifying) referrer_keyword: String,
        /// The full referrer URL.
        (identifying) referrer_url: String,
        /// The search engine's URL.
        (aggregate) referrer_search_engine_url: String,
        /// The social network's URL.
        (aggregate) referrer_social_network_url: String,
        /// Browser language code.
        (aggregate) language_code: String,
        /// Browser language.
        (aggregate) language: String,
        /// Device type.
        (aggregate) device_type: String,
        /// Device brand.
        (aggregate) device_brand: String,
        /// Device model: narrows the visitor down in combination.
        (pseudonymous) device_model: String,
        /// Operating system with version.
        (aggregate) operating_system: String,
        /// Operating system name.
        (aggregate) operating_system_name: String,
        /// Operating system code.
        (aggregate) operating_system_code: String,
        /// Operating system version.
        (aggregate) operating_system_version: String,
        /// Browser engine.
        (aggregate) browser_family: String,
        /// Browser with version.
        (aggregate) browser: String,
        /// Browser name.
        (aggregate) browser_name: String,
        /// Browser code.
        (aggregate) browser_code: String,
        /// Browser version: narrows the visitor down in combination.
        (pseudonymous) browser_version: String,
        /// Screen resolution: narrows the visitor down in combination.
        (pseudonymous) resolution: String,
        /// Browser plugins: narrow the visitor down in combination.
        (pseudonymous) plugins: String,
        /// Continent.
        (aggregate) continent: String,
        /// Continent code.
        (aggregate) continent_code: String,
        /// Country.
        (aggregate) country: String,
        /// Country code.
        (aggregate) country_code: String,
        /// Region.
        (pseudonymous) region: String,
        /// Region code.
        (pseudonymous) region_code: String,
        /// City.
        (pseudonymous) city: String,
        /// "City, Region, Country".
        (pseudonymous) location: String,
        /// Latitude.
        (pseudonymous) latitude: Metric,
        /// Longitude.
        (pseudonymous) longitude: Metric,
    }
}

classified_fields! {
    /// A visit of `Live.getLastVisitsDetails` (and of a profile's `lastVisits`).
    ///
    /// Every field is optional: `hideColumns` removes any of them (recursively for Live).
    pub struct Visit {
        /// The visit-level fields.
        #[serde(flatten)]
        pub fields: VisitFields,
        /// The visit's actions (empty with `doNotFetchActions=1`).
        #[serde(rename = "actionDetails")]
        (typed) action_details: Vec<ActionDetail>,
    }
}
