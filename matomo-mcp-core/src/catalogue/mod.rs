//! The built-in tool catalogue over a [`Deployment`].
//!
//! Aggregate tools, listed by default: sites, visits summary, metric trends,
//! pages, entry pages, page titles, outlinks, downloads, site search keywords,
//! referrer types, websites, search engines, campaigns, social networks,
//! countries, cities, device types, browsers, OS versions, goals and e-commerce
//! overviews, event categories, actions and names, visits per hour, and the
//! report catalogue. Every one passes through minimisation: labels scrubbed,
//! equal labels merged, rows under the threshold merged or dropped.
//!
//! Above the default ceiling, and so hidden until the operator raises it:
//! `visit_log` (pseudonymous) and `raw_page_urls` (identifying).

mod args;
mod deployment;
mod report;
pub mod tools;

pub use args::{MAX_LIMIT, MAX_OFFSET, MAX_TREND_PERIODS, PeriodArgs, ReportArgs};
pub use deployment::{Deployment, StartupError};
pub use report::{
    Labels, ReportOutput, UPSTREAM_ROW_CAP, render as render_report, report_from_body,
};

use crate::Toolbox;
use crate::tool::{RegistrationError, Tool};

/// Every built-in tool's name, in listing order.
pub const TOOL_NAMES: &[&str] = &[
    "list_sites",
    "visits_summary",
    "metric_trend",
    "top_pages",
    "entry_pages",
    "page_titles",
    "outlinks",
    "downloads",
    "site_search_keywords",
    "referrer_types",
    "referrer_websites",
    "search_engines",
    "campaigns",
    "social_networks",
    "countries",
    "cities",
    "device_types",
    "browsers",
    "os_versions",
    "goals_overview",
    "ecommerce_overview",
    "site_overview",
    "event_categories",
    "event_actions",
    "event_names",
    "visits_per_hour",
    "report_catalogue",
    "visit_log",
    "raw_page_urls",
];

/// Why the catalogue could not be assembled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// `tools.allowed` names a tool that does not exist.
    #[error("configuration `tools.allowed (MATOMO_MCP_ALLOWED_TOOLS)`: there is no tool `{0}`; the tools are {names}", names = TOOL_NAMES.join(", "))]
    UnknownTool(String),
    /// A tool could not be registered (a bug).
    #[error(transparent)]
    Registration(#[from] RegistrationError),
}

/// A toolbox with the built-in tools (those in `allowed`, or all when `None`) over `deployment`,
/// with the deployment's ceiling and a final guard that withholds any result holding the Matomo token.
pub fn toolbox(
    deployment: Deployment,
    allowed: Option<&[String]>,
) -> Result<Toolbox<Deployment>, CatalogueError> {
    if let Some(unknown) = allowed
        .into_iter()
        .flatten()
        .find(|n| !TOOL_NAMES.contains(&n.as_str()))
    {
        return Err(CatalogueError::UnknownTool(unknown.clone()));
    }
    let ceiling = deployment.ceiling();
    let guard = deployment.token_guard.clone();
    let mut toolbox = Toolbox::with_state(deployment)
        .with_ceiling(ceiling)
        .with_guard(guard);
    let wanted = |name: &str| allowed.is_none_or(|names| names.iter().any(|n| n == name));
    macro_rules! register {
        ($($tool:expr),* $(,)?) => {$(
            if wanted(Tool::<crate::catalogue::Deployment>::descriptor(&$tool).name()) {
                toolbox = toolbox.try_tool($tool)?;
            }
        )*};
    }
    use tools::{overview::*, raw::*, reports::*, site_overview::*, sites::*, visit_log::*};
    register!(
        ListSitesTool,
        VisitsSummaryTool,
        MetricTrendTool,
        TopPagesTool,
        EntryPagesTool,
        PageTitlesTool,
        OutlinksTool,
        DownloadsTool,
        SiteSearchKeywordsTool,
        ReferrerTypesTool,
        ReferrerWebsitesTool,
        SearchEnginesTool,
        CampaignsTool,
        SocialNetworksTool,
        CountriesTool,
        CitiesTool,
        DeviceTypesTool,
        BrowsersTool,
        OsVersionsTool,
        GoalsOverviewTool,
        EcommerceOverviewTool,
        SiteOverviewTool,
        EventCategoriesTool,
        EventActionsTool,
        EventNamesTool,
        VisitsPerHourTool,
        ReportCatalogueTool,
        VisitLogTool,
        RawPageUrlsTool,
    );
    Ok(toolbox)
}
