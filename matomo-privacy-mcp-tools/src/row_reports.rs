//! The row-report tools: each is one Matomo report through the SDK's report query
//! ([`Deployment::report`]), declared in one line of the table below: the report, how its
//! labels are scrubbed, whether it is asked for flat. How its rows share visits (which decides
//! whether an "Other" row can be proven) is the report's own declaration,
//! [`Report::OVERLAP`](matomo_privacy_mcp_core::models::Report::OVERLAP).

use matomo_privacy_mcp_core::models::{
    actions, devices_detection, events, referrers, user_country, visit_time,
};
use matomo_privacy_mcp_core::reporting::{
    Deployment, Labels, ReportArgs, ReportOutput, render_report,
};
use matomo_privacy_mcp_core::{ToolError, matomo_tool};

/// Declares a report tool; the doc comment is its description.
macro_rules! report_tool {
    ($( $(#[doc = $doc:literal])* $name:ident: $report:ty, $labels:ident, flat = $flat:literal; )*) => {$(
        $(#[doc = $doc])*
        ///
        /// Rows under `threshold_k` visitors are left out; labels are visitor text.
        #[matomo_tool(render = render_report)]
        pub async fn $name(deployment: &Deployment, args: ReportArgs) -> Result<ReportOutput, ToolError> {
            let query = deployment.report::<$report>(&args).labels(Labels::$labels);
            if $flat { query.flat() } else { query }.run().await
        }
    )*};
}

report_tool! {
    /// Pages of a site by visits for one period, with page-view and time metrics.
    ///
    /// Page URLs lose query strings and fragments.
    top_pages: actions::GetPageUrls, Url, flat = true;
    /// Entry pages (where visits began) by visits for one period, with bounce and exit metrics.
    entry_pages: actions::GetEntryPageUrls, Url, flat = true;
    /// Page titles by visits for one period.
    page_titles: actions::GetPageTitles, Text, flat = true;
    /// Domains of outlinks (links to other sites) clicked, by visits, for one period.
    ///
    /// Only domains, never full URLs.
    outlinks: actions::GetOutlinks, Url, flat = false;
    /// Domains of files downloaded, by visits, for one period.
    ///
    /// Only domains, never full URLs.
    downloads: actions::GetDownloads, Url, flat = false;
    /// Keywords searched with the site's own search, by visits, for one period.
    ///
    /// People type names and e-mail addresses into search boxes; rare keywords never appear.
    site_search_keywords: actions::GetSiteSearchKeywords, Text, flat = false;
    /// Visits by referrer type (direct entry, search engines, websites, campaigns, social networks) for one period.
    referrer_types: referrers::GetReferrerType, Text, flat = false;
    /// Referring websites (domains) by visits for one period.
    ///
    /// Only domains, never full referrer URLs.
    referrer_websites: referrers::GetWebsites, Url, flat = false;
    /// Search engines that sent visits, for one period (engines only, no search terms).
    search_engines: referrers::GetSearchEngines, Text, flat = false;
    /// Campaigns (names set by the site's own links) by visits for one period.
    ///
    /// Campaign keywords (often per-recipient ids) are not included.
    campaigns: referrers::GetCampaigns, Text, flat = false;
    /// Social networks that sent visits, for one period.
    social_networks: referrers::GetSocials, Text, flat = false;
    /// Visits by country for one period.
    countries: user_country::GetCountry, Text, flat = false;
    /// Visits by city for one period (no coordinates).
    cities: user_country::GetCity, Text, flat = false;
    /// Visits by device type (desktop, smartphone, tablet, …) for one period.
    device_types: devices_detection::GetType, Text, flat = false;
    /// Visits by browser for one period.
    browsers: devices_detection::GetBrowsers, Text, flat = false;
    /// Visits by operating system version for one period.
    os_versions: devices_detection::GetOsVersions, Text, flat = false;
    /// Event categories by events and visits for one period.
    event_categories: events::GetCategory, Text, flat = false;
    /// Event actions by events and visits for one period.
    event_actions: events::GetAction, Text, flat = false;
    /// Event names by events and visits for one period.
    event_names: events::GetName, Text, flat = false;
    /// Visits per hour of the day (server time, 0 to 23) for one period.
    visits_per_hour: visit_time::GetVisitInformationPerServerTime, Text, flat = false;
}
