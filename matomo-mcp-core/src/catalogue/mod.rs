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
mod noisy;
mod report;
mod source_row;
pub mod tools;
mod visitors;
mod vocabulary;

pub use args::{MAX_LIMIT, MAX_OFFSET, MAX_TREND_PERIODS, PeriodArgs, ReportArgs};
pub use deployment::{Deployment, StartupError};
pub use noisy::NoiseSetup;
pub use report::{
    Labels, ReportOutput, UPSTREAM_ROW_CAP, noisy_report_from_body, render as render_report,
    report_from_body, run_report,
};
pub use source_row::SourceRow;

use crate::Toolbox;
use crate::tool::{RegistrationError, Tool, ToolDescriptor};

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

/// Every built-in tool, in listing order.
pub fn all_tools() -> Vec<Box<dyn Tool<Deployment>>> {
    use tools::{overview::*, raw::*, reports::*, site_overview::*, sites::*, visit_log::*};
    vec![
        Box::new(ListSitesTool),
        Box::new(VisitsSummaryTool),
        Box::new(MetricTrendTool),
        Box::new(TopPagesTool),
        Box::new(EntryPagesTool),
        Box::new(PageTitlesTool),
        Box::new(OutlinksTool),
        Box::new(DownloadsTool),
        Box::new(SiteSearchKeywordsTool),
        Box::new(ReferrerTypesTool),
        Box::new(ReferrerWebsitesTool),
        Box::new(SearchEnginesTool),
        Box::new(CampaignsTool),
        Box::new(SocialNetworksTool),
        Box::new(CountriesTool),
        Box::new(CitiesTool),
        Box::new(DeviceTypesTool),
        Box::new(BrowsersTool),
        Box::new(OsVersionsTool),
        Box::new(GoalsOverviewTool),
        Box::new(EcommerceOverviewTool),
        Box::new(SiteOverviewTool),
        Box::new(EventCategoriesTool),
        Box::new(EventActionsTool),
        Box::new(EventNamesTool),
        Box::new(VisitsPerHourTool),
        Box::new(ReportCatalogueTool),
        Box::new(VisitLogTool),
        Box::new(RawPageUrlsTool),
    ]
}

/// The definitions of the built-in tools in `allowed` (all when `None`), without connecting to Matomo.
pub fn descriptors(allowed: Option<&[String]>) -> Result<Vec<ToolDescriptor>, CatalogueError> {
    check_allowed(allowed)?;
    Ok(all_tools()
        .iter()
        .map(|tool| tool.descriptor())
        .filter(|d| is_allowed(allowed, d.name()))
        .collect())
}

fn check_allowed(allowed: Option<&[String]>) -> Result<(), CatalogueError> {
    match allowed
        .into_iter()
        .flatten()
        .find(|n| !TOOL_NAMES.contains(&n.as_str()))
    {
        Some(unknown) => Err(CatalogueError::UnknownTool(unknown.clone())),
        None => Ok(()),
    }
}

fn is_allowed(allowed: Option<&[String]>, name: &str) -> bool {
    allowed.is_none_or(|names| names.iter().any(|n| n == name))
}

/// A toolbox with the built-in tools (those in `allowed`, or all when `None`) over `deployment`,
/// with the deployment's ceiling and a final guard that withholds any result holding the Matomo token.
pub fn toolbox(
    deployment: Deployment,
    allowed: Option<&[String]>,
) -> Result<Toolbox<Deployment>, CatalogueError> {
    check_allowed(allowed)?;
    let ceiling = deployment.ceiling();
    let mut toolbox = Toolbox::guarded(deployment).with_ceiling(ceiling);
    for tool in all_tools() {
        if is_allowed(allowed, tool.descriptor().name()) {
            toolbox = toolbox.try_tool(tool)?;
        }
    }
    Ok(toolbox)
}
