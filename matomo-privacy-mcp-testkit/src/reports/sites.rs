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
                let mut v = json!({
                    "idsite": g.site, "idgoal": g.id, "name": g.name, "description": "",
                    "match_attribute": g.match_attribute, "allow_multiple": 0,
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
        "Acquisition",
        "All Channels",
        "Channel Type",
        "Referrers",
        "getReferrerType",
    ),
    (
        "Acquisition",
        "Websites",
        "Websites",
        "Referrers",
        "getWebsites",
    ),
    (
        "Acquisition",
        "Search Engines & Keywords",
        "Search Engines",
        "Referrers",
        "getSearchEngines",
    ),
    (
        "Acquisition",
        "Campaigns",
        "Campaigns",
        "Referrers",
        "getCampaigns",
    ),
    (
        "Acquisition",
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
        "Behaviour",
        "Events",
        "Event Categories",
        "Events",
        "getCategory",
    ),
    (
        "Behaviour",
        "Events",
        "Event Actions",
        "Events",
        "getAction",
    ),
    ("Behaviour", "Events", "Event Names", "Events", "getName"),
    (
        "Visitors",
        "Times",
        "Visits per server time",
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
                json!({
                    "category": category, "subcategory": sub, "name": name, "module": module, "action": action,
                    "metrics": {"nb_visits": "Visits", "nb_actions": "Actions"},
                    "metricTypes": {"nb_visits": "number", "nb_actions": "number"},
                    "imageGraphUrl": format!("{base}&period=day&date=today"),
                    "imageGraphEvolutionUrl": format!("{base}&period=day&date={month_ago},{today}"),
                    "uniqueId": format!("{module}_{action}"),
                })
            })
            .collect(),
    )
}
