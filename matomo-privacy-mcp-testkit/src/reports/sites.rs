//! Methods that are not per period: sites, goals, token privileges, version, report metadata.

use serde_json::{Value, json};

use crate::dataset::{Dataset, Site};
use crate::query::auth::Access;

/// The Matomo version the emulator claims to be (the fixtures' version).
pub(crate) const MATOMO_VERSION: &str = "5.0.2";

fn currency_name(c: &str) -> &'static str {
    match c {
        "EUR" => "Euro",
        "GBP" => "British Pound",
        _ => "US Dollar",
    }
}

/// A site as `SitesManager` returns it; `creator_login` only for super users, as in the fixtures.
pub(crate) fn site_json(s: &Site, super_user: bool) -> Value {
    let mut v = json!({
        "idsite": s.id, "name": s.name, "main_url": s.main_url, "ts_created": s.ts_created,
        "ecommerce": u8::from(s.ecommerce), "sitesearch": 1, "sitesearch_keyword_parameters": "",
        "sitesearch_category_parameters": "", "timezone": s.timezone, "currency": s.currency,
        "exclude_unknown_urls": 0, "excluded_ips": "", "excluded_parameters": "", "excluded_user_agents": "",
        "excluded_referrers": "", "group": "", "type": "website", "keep_url_fragment": 0,
        "timezone_name": s.timezone, "currency_name": currency_name(&s.currency),
    });
    if let (true, Value::Object(m)) = (super_user, &mut v) {
        m.insert("creator_login".into(), json!("anonymous"));
    }
    v
}

pub(crate) fn sites_with_view(ds: &Dataset, access: &Access) -> Value {
    Value::Array(
        ds.sites
            .iter()
            .filter(|s| access.can_view(s.id))
            .map(|s| site_json(s, access.super_user))
            .collect(),
    )
}

/// `SitesManager.getSiteFromId`: one site the token can view, as an object (`one_site` has
/// checked the access with Matomo's own message).
pub(crate) fn site_from_id(ds: &Dataset, id: u32, access: &Access) -> Value {
    ds.site(id)
        .map_or(Value::Null, |s| site_json(s, access.super_user))
}

/// `SitesManager.getSitesIdWith{AtLeastView,View,Write,Admin}Access`, as a super user sees them too
/// (a super user has admin on every site but no explicit view or write grants).
pub(crate) fn site_ids(ds: &Dataset, access: &Access, level: &str) -> Value {
    let all: Vec<u32> = ds.sites.iter().map(|s| s.id).collect();
    let ids: Vec<u32> = match level {
        "AtLeastView" => access.viewable(&all),
        "View" if !access.super_user => all
            .iter()
            .copied()
            .filter(|s| {
                access.view.contains(s) && !access.write.contains(s) && !access.admin.contains(s)
            })
            .collect(),
        "Write" if !access.super_user => all
            .iter()
            .copied()
            .filter(|s| access.write.contains(s))
            .collect(),
        "Admin" if access.super_user => all,
        "Admin" => all
            .iter()
            .copied()
            .filter(|s| access.admin.contains(s))
            .collect(),
        _ => Vec::new(),
    };
    json!(ids)
}

pub(crate) fn goals(ds: &Dataset, site: u32) -> Value {
    Value::Array(
        ds.goals
            .iter()
            .filter(|g| g.site == site)
            .map(|g| {
                // A manual goal converts as often as it is sent (the recorded "Manual Lead").
                let allow_multiple = u8::from(g.match_attribute == "manually");
                let mut v = json!({
                    "idsite": g.site, "idgoal": g.id, "name": g.name, "description": "",
                    "match_attribute": g.match_attribute, "allow_multiple": allow_multiple,
                    "revenue": super::round_value(g.revenue, 2), "deleted": 0, "event_value_as_revenue": 0,
                });
                if let (true, Value::Object(m)) = (g.match_attribute != "manually", &mut v) {
                        m.insert("pattern".into(), json!(g.pattern));
                        m.insert("pattern_type".into(), json!(if g.match_attribute == "url" { "contains" } else { "exact" }));
                        m.insert("case_sensitive".into(), json!(0));
                }
                v
            })
            .collect(),
    )
}

/// (category, subcategory, name, module, action) of the reports this emulator serves.
const REPORTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Visitors",
        "Overview",
        "Visits Summary",
        "VisitsSummary",
        "get",
    ),
    ("Actions", "Pages", "Page URLs", "Actions", "getPageUrls"),
    (
        "Actions",
        "Page titles",
        "Page titles",
        "Actions",
        "getPageTitles",
    ),
    (
        "Actions",
        "Entry pages",
        "Entry pages",
        "Actions",
        "getEntryPageUrls",
    ),
    ("Actions", "Outlinks", "Outlinks", "Actions", "getOutlinks"),
    (
        "Actions",
        "Downloads",
        "Downloads",
        "Actions",
        "getDownloads",
    ),
    (
        "Actions",
        "Site Search",
        "Site Search Keywords",
        "Actions",
        "getSiteSearchKeywords",
    ),
    (
        "Referrers",
        "All Channels",
        "Channel Type",
        "Referrers",
        "getReferrerType",
    ),
    (
        "Referrers",
        "Websites",
        "Websites",
        "Referrers",
        "getWebsites",
    ),
    (
        "Referrers",
        "Search Engines & Keywords",
        "Search Engines",
        "Referrers",
        "getSearchEngines",
    ),
    (
        "Referrers",
        "Campaigns",
        "Campaigns",
        "Referrers",
        "getCampaigns",
    ),
    (
        "Referrers",
        "Social Networks",
        "Social Networks",
        "Referrers",
        "getSocials",
    ),
    (
        "Visitors",
        "Locations",
        "Country",
        "UserCountry",
        "getCountry",
    ),
    (
        "Visitors",
        "Locations",
        "Region",
        "UserCountry",
        "getRegion",
    ),
    ("Visitors", "Locations", "City", "UserCountry", "getCity"),
    (
        "Visitors",
        "Devices",
        "Device type",
        "DevicesDetection",
        "getType",
    ),
    (
        "Visitors",
        "Software",
        "Browsers",
        "DevicesDetection",
        "getBrowsers",
    ),
    (
        "Visitors",
        "Software",
        "Operating System versions",
        "DevicesDetection",
        "getOsVersions",
    ),
    ("Goals", "Overview", "Goals", "Goals", "get"),
    (
        "Actions",
        "Events",
        "Event Categories",
        "Events",
        "getCategory",
    ),
    ("Actions", "Events", "Event Actions", "Events", "getAction"),
    ("Actions", "Events", "Event Names", "Events", "getName"),
    (
        "Visitors",
        "Times",
        "Visits per hour in the site's timezone",
        "VisitTime",
        "getVisitInformationPerServerTime",
    ),
    ("Visitors", "User IDs", "User IDs", "UserId", "getUsers"),
    // Issue 18: the reports within reach of the generic `report` tool, named as Matomo
    // 5.0.2's own catalogue names them (`API.getReportMetadata` fixture).
    (
        "Visitors",
        "Locations",
        "Continent",
        "UserCountry",
        "getContinent",
    ),
    (
        "Visitors",
        "Locations",
        "Web-browser language",
        "UserLanguage",
        "getLanguage",
    ),
    (
        "Visitors",
        "Locations",
        "Language code",
        "UserLanguage",
        "getLanguageCode",
    ),
    (
        "Visitors",
        "Devices",
        "Device brand",
        "DevicesDetection",
        "getBrand",
    ),
    (
        "Visitors",
        "Devices",
        "Device model",
        "DevicesDetection",
        "getModel",
    ),
    (
        "Visitors",
        "Software",
        "Operating System families",
        "DevicesDetection",
        "getOsFamilies",
    ),
    (
        "Visitors",
        "Software",
        "Browser version",
        "DevicesDetection",
        "getBrowserVersions",
    ),
    (
        "Visitors",
        "Software",
        "Browser engines",
        "DevicesDetection",
        "getBrowserEngines",
    ),
    (
        "Visitors",
        "Devices",
        "Screen Resolution",
        "Resolution",
        "getResolution",
    ),
    (
        "Visitors",
        "Software",
        "Configurations",
        "Resolution",
        "getConfiguration",
    ),
    (
        "Visitors",
        "Times",
        "Visits per local time",
        "VisitTime",
        "getVisitInformationPerLocalTime",
    ),
    (
        "Visitors",
        "Times",
        "Visits by day of the week",
        "VisitTime",
        "getByDayOfWeek",
    ),
    (
        "Actions",
        "Exit pages",
        "Exit pages",
        "Actions",
        "getExitPageUrls",
    ),
    (
        "Actions",
        "Exit pages",
        "Exit page titles",
        "Actions",
        "getExitPageTitles",
    ),
    (
        "Actions",
        "Site Search",
        "Search Keywords with No Results",
        "Actions",
        "getSiteSearchNoResultKeywords",
    ),
    (
        "Actions",
        "Site Search",
        "Search Categories",
        "Actions",
        "getSiteSearchCategories",
    ),
    (
        "Actions",
        "Site Search",
        "Pages Following a Site Search",
        "Actions",
        "getPageUrlsFollowingSiteSearch",
    ),
    (
        "Actions",
        "Site Search",
        "Page Titles Following a Site Search",
        "Actions",
        "getPageTitlesFollowingSiteSearch",
    ),
    (
        "Actions",
        "Engagement",
        "Length of visits",
        "VisitorInterest",
        "getNumberOfVisitsPerVisitDuration",
    ),
    (
        "Actions",
        "Engagement",
        "Pages per visit",
        "VisitorInterest",
        "getNumberOfVisitsPerPage",
    ),
    (
        "Actions",
        "Engagement",
        "Visits by visit number",
        "VisitorInterest",
        "getNumberOfVisitsByVisitCount",
    ),
    (
        "Actions",
        "Engagement",
        "Visits by days since last visit",
        "VisitorInterest",
        "getNumberOfVisitsByDaysSinceLast",
    ),
    (
        "Referrers",
        "All Channels",
        "All Channels",
        "Referrers",
        "getAll",
    ),
    (
        "Actions",
        "Contents",
        "Content Name",
        "Contents",
        "getContentNames",
    ),
    (
        "Actions",
        "Contents",
        "Content Piece",
        "Contents",
        "getContentPieces",
    ),
    (
        "Goals",
        "Overview",
        "Visits to Conversion",
        "Goals",
        "getVisitsUntilConversion",
    ),
    (
        "Goals",
        "Overview",
        "Days to Conversion",
        "Goals",
        "getDaysToConversion",
    ),
    (
        "Actions",
        "Performance",
        "Performance overview",
        "PagePerformance",
        "get",
    ),
];

/// The metric columns Matomo 5.0.2's `API.getReportMetadata` names for a report, with their
/// labels (as its catalogue for the conformance fixture's site lists them).
fn metrics_of(module: &str, action: &str) -> &'static [(&'static str, &'static str)] {
    match (module, action) {
        ("VisitsSummary", "get") => &[
            ("max_actions", "Maximum actions in one visit"),
            ("nb_actions", "Actions"),
            ("nb_uniq_visitors", "Unique visitors"),
            ("nb_users", "Users"),
            ("nb_visits", "Visits"),
        ],
        ("Actions", "getPageUrls") | ("Actions", "getPageTitles") => {
            &[("nb_hits", "Pageviews"), ("nb_visits", "Unique Pageviews")]
        }
        ("Actions", "getEntryPageUrls") => &[
            ("entry_bounce_count", "Bounces"),
            ("entry_nb_visits", "Entrances"),
        ],
        ("Actions", "getOutlinks") => &[("nb_hits", "Clicks"), ("nb_visits", "Unique Clicks")],
        ("Actions", "getDownloads") => {
            &[("nb_hits", "Downloads"), ("nb_visits", "Unique Downloads")]
        }
        ("Actions", "getSiteSearchKeywords") => &[
            ("nb_pages_per_search", "Search Results pages"),
            ("nb_visits", "Searches"),
        ],
        ("Referrers", "getReferrerType")
        | ("Referrers", "getWebsites")
        | ("Referrers", "getSearchEngines")
        | ("Referrers", "getCampaigns")
        | ("Referrers", "getSocials")
        | ("DevicesDetection", "getType")
        | ("DevicesDetection", "getBrowsers")
        | ("DevicesDetection", "getOsVersions")
        | ("VisitTime", "getVisitInformationPerServerTime")
        | ("UserLanguage", "getLanguage")
        | ("UserLanguage", "getLanguageCode")
        | ("DevicesDetection", "getBrand")
        | ("DevicesDetection", "getModel")
        | ("DevicesDetection", "getOsFamilies")
        | ("DevicesDetection", "getBrowserVersions")
        | ("DevicesDetection", "getBrowserEngines")
        | ("Resolution", "getResolution")
        | ("Resolution", "getConfiguration")
        | ("VisitTime", "getVisitInformationPerLocalTime")
        | ("VisitTime", "getByDayOfWeek")
        | ("Referrers", "getAll") => &[
            ("nb_actions", "Actions"),
            ("nb_uniq_visitors", "Unique visitors"),
            ("nb_users", "Users"),
            ("nb_visits", "Visits"),
        ],
        ("UserCountry", "getCountry")
        | ("UserCountry", "getRegion")
        | ("UserCountry", "getCity")
        | ("UserCountry", "getContinent") => &[
            ("nb_actions", "Actions"),
            ("nb_uniq_visitors", "Unique visitors"),
            ("nb_visits", "Visits"),
        ],
        ("Goals", "get") => &[
            ("nb_conversions", "Conversions"),
            ("nb_visits_converted", "Visits with Conversions"),
            ("revenue", "Revenue"),
        ],
        ("Events", "getCategory") | ("Events", "getAction") | ("Events", "getName") => &[
            ("max_event_value", "Maximum Event value"),
            ("min_event_value", "Minimum Event value"),
            ("nb_events", "Events"),
            ("nb_events_with_value", "Events with a value"),
            ("sum_event_value", "Event value"),
        ],
        ("UserId", "getUsers") => &[
            ("label", "Label"),
            ("nb_actions", "Actions"),
            ("nb_visits", "Visits"),
            ("nb_visits_converted", "Visits with Conversions"),
        ],
        ("Actions", "getExitPageUrls") | ("Actions", "getExitPageTitles") => &[
            ("exit_nb_visits", "Exits"),
            ("nb_visits", "Unique Pageviews"),
        ],
        ("Actions", "getSiteSearchNoResultKeywords") => &[("nb_visits", "Searches")],
        ("Actions", "getSiteSearchCategories") => &[
            ("exit_rate", "% Search Exits"),
            ("nb_pages_per_search", "Search Results pages"),
            ("nb_visits", "Searches"),
        ],
        ("Actions", "getPageUrlsFollowingSiteSearch")
        | ("Actions", "getPageTitlesFollowingSiteSearch") => &[
            ("nb_hits", "Pageviews"),
            ("nb_hits_following_search", "Clicked in search results"),
        ],
        ("VisitorInterest", "getNumberOfVisitsPerVisitDuration")
        | ("VisitorInterest", "getNumberOfVisitsPerPage")
        | ("VisitorInterest", "getNumberOfVisitsByVisitCount")
        | ("VisitorInterest", "getNumberOfVisitsByDaysSinceLast") => &[("nb_visits", "Visits")],
        ("Contents", "getContentNames") | ("Contents", "getContentPieces") => &[
            ("nb_impressions", "Impressions"),
            ("nb_interactions", "Content Interactions"),
        ],
        ("Goals", "getVisitsUntilConversion") | ("Goals", "getDaysToConversion") => {
            &[("nb_conversions", "Conversions")]
        }
        ("PagePerformance", "get") => &[
            ("avg_page_load_time", "Avg. page load time"),
            ("avg_time_dom_completion", "Avg. DOM completion time"),
            ("avg_time_dom_processing", "Avg. DOM processing time"),
            ("avg_time_network", "Avg. network time"),
            ("avg_time_on_load", "Avg. on load time"),
            ("avg_time_server", "Avg. server time"),
            ("avg_time_transfer", "Avg. transfer time"),
        ],
        _ => &[("nb_visits", "Visits"), ("nb_actions", "Actions")],
    }
}

/// `API.getReportMetadata`. Like real Matomo, the image graph URLs embed the caller's `token_auth`,
/// so a client that passes metadata through verbatim leaks its token; tests rely on that.
pub(crate) fn report_metadata(ds: &Dataset, site: u32, token: &str) -> Value {
    let today = ds.today;
    let month_ago = today.plus(-29);
    Value::Array(
        REPORTS
            .iter()
            .map(|(category, sub, name, module, action)| {
                let base = format!(
                    "index.php?module=API&method=ImageGraph.get&idSite={site}&apiModule={module}&apiAction={action}&token_auth={token}"
                );
                let metrics: serde_json::Map<String, Value> = metrics_of(module, action)
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                    .collect();
                let metric_types: serde_json::Map<String, Value> = metrics
                    .keys()
                    .filter(|k| *k != "label")
                    .map(|k| (k.clone(), Value::from("number")))
                    .collect();
                json!({
                    "category": category, "subcategory": sub, "name": name, "module": module, "action": action,
                    "metrics": metrics,
                    "metricTypes": metric_types,
                    "imageGraphUrl": format!("{base}&period=day&date=today"),
                    "imageGraphEvolutionUrl": format!("{base}&period=day&date={month_ago},{today}"),
                    "uniqueId": format!("{module}_{action}"),
                })
            })
            .collect(),
    )
}
