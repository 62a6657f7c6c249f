//! The ready-made MCP tools over Matomo: each passes its answer through the pipeline of
//! [`matomo_privacy_mcp_core::reporting`] and is a type a server registers on its own, next to
//! tools of its own.
//!
//! This crate uses the SDK's public API and nothing else, so that the compiler proves what the
//! docs promise: a custom tool can do whatever one of these does. Most are one query of the SDK
//! ([`Deployment::report`], [`Deployment::summary`]) with a description and a text. Three
//! answers are SDK queries of their own, because what they need is the SDK's to do:
//! [`Deployment::trend`] (every point paid for together or not at all),
//! [`Deployment::site_overview`] (three answers in one bulk request) and
//! [`Deployment::visits_to_conversion`] (ranges whose visitors are proven by segments); their
//! tools here are arguments, a description and a text. The others read the deployment's typed
//! client, its checked requests ([`ReportArgs::checked`]) and the visitors Matomo proves
//! ([`Deployment::distinct_visitors`]), as any tool may.
//!
//! [`all`] is the one list of them, in listing order: the application's catalogue, its
//! allow-lists and the privacy manifest are derived from it; a tool's own attribute
//! (`#[matomo_tool(exact_only)]`) says whether it is left out while noise is on. All are
//! aggregate but [`visit_log`] (pseudonymous) and [`raw_page_urls`] (identifying), hidden until
//! a toolbox's ceiling is raised.
//!
//! ```no_run
//! # fn demo(deployment: matomo_privacy_mcp_core::reporting::Deployment) {
//! use matomo_privacy_mcp_core::Toolbox;
//! use matomo_privacy_mcp_tools::{CountriesTool, VisitsSummaryTool};
//!
//! // Two of them, next to tools of your own; the toolbox guards the deployment's token and
//! // starts at its ceiling.
//! let toolbox = Toolbox::with_state(deployment)
//!     .tool(VisitsSummaryTool)
//!     .tool(CountriesTool);
//! # let _ = toolbox; }
//! ```
//!
//! # Layout: one module per tool, but one table for the row reports
//!
//! A tool with logic of its own (arguments, steps, a text) has a module named after it
//! ([`metric_trend`], [`compare_periods`], …). Twenty tools are one Matomo row report each,
//! differing only in the report, how its labels are scrubbed and whether it is asked for flat:
//! they are one line each of a table in [`row_reports`], since a file each would repeat the
//! same ten lines twenty times. The four summaries (visits, returning visits, goals,
//! e-commerce) share [`summaries`] for the same reason, and the two tools about the Matomo
//! instance ([`list_sites`], [`report_catalogue`]) have a module each.

pub mod all_sites;
pub mod annotations;
pub mod compare_periods;
pub mod list_sites;
pub mod metric_trend;
pub mod page_performance;
pub mod raw_page_urls;
pub mod report;
pub mod report_catalogue;
pub mod row_reports;
pub mod saved_segments;
pub mod site_overview;
pub mod summaries;
pub mod visit_log;
pub mod visits_to_conversion;

pub use all_sites::AllSitesTool;
pub use annotations::AnnotationsTool;
pub use compare_periods::ComparePeriodsTool;
pub use list_sites::ListSitesTool;
pub use metric_trend::MetricTrendTool;
pub use page_performance::PagePerformanceTool;
pub use raw_page_urls::RawPageUrlsTool;
pub use report::ReportTool;
pub use report_catalogue::ReportCatalogueTool;
pub use row_reports::{
    BrowsersTool, CampaignsTool, CitiesTool, CountriesTool, DeviceTypesTool, DownloadsTool,
    EntryPagesTool, EventActionsTool, EventCategoriesTool, EventNamesTool, OsVersionsTool,
    OutlinksTool, PageTitlesTool, ReferrerTypesTool, ReferrerWebsitesTool, SearchEnginesTool,
    SiteSearchKeywordsTool, SocialNetworksTool, TopPagesTool, VisitsPerHourTool,
};
pub use saved_segments::SavedSegmentsTool;
pub use site_overview::SiteOverviewTool;
pub use summaries::{
    EcommerceOverviewTool, GoalsOverviewTool, ReturningVisitsTool, VisitsSummaryTool,
};
pub use visit_log::VisitLogTool;
pub use visits_to_conversion::VisitsToConversionTool;

/// Whether a toolbox serves a tool with noise on or off: every tool but those declared
/// `#[matomo_tool(exact_only)]` while noise is on (the SDK's rule, re-exported here beside the
/// list it filters).
pub use matomo_privacy_mcp_core::reporting::served_with;

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::reporting::Deployment;
#[cfg(doc)]
use matomo_privacy_mcp_core::reporting::ReportArgs;
use matomo_privacy_mcp_core::tool::{RegistrationError, Tool};

/// Declares the one list of tools: [`all`] and [`NAMES`], in the same order.
macro_rules! ready_made {
    ($($tool:ident),* $(,)?) => {
        /// Every ready-made tool's name, in listing order: the names of [`all`], for error
        /// messages and allow-lists checked without building a tool.
        pub const NAMES: &[&str] = &[$($tool::NAME),*];

        /// Every ready-made tool, in the order a listing shows them.
        pub fn all() -> Vec<Box<dyn Tool<Deployment>>> {
            vec![$(Box::new($tool)),*]
        }
    };
}

ready_made!(
    ListSitesTool,
    VisitsSummaryTool,
    ReturningVisitsTool,
    AllSitesTool,
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
    VisitsToConversionTool,
    SiteOverviewTool,
    EventCategoriesTool,
    EventActionsTool,
    EventNamesTool,
    VisitsPerHourTool,
    PagePerformanceTool,
    ReportCatalogueTool,
    ReportTool,
    ComparePeriodsTool,
    AnnotationsTool,
    SavedSegmentsTool,
    VisitLogTool,
    RawPageUrlsTool,
);

/// A toolbox with the tools `keep` selects (by name) over `deployment`, with the deployment's
/// ceiling and the final guard that withholds any result holding the Matomo token
/// ([`Deployment::toolbox_of`] over the list).
///
/// `toolbox(deployment, |_| true)` serves every ready-made tool; tools above the ceiling are
/// registered but neither listed nor callable, and exact-only tools ([`served_with`]) are left
/// out while the deployment has noise on.
///
/// # Errors
///
/// Never for the ready-made tools (their names are distinct); the error is the toolbox's.
pub fn toolbox(
    deployment: Deployment,
    keep: impl Fn(&str) -> bool,
) -> Result<Toolbox<Deployment>, RegistrationError> {
    deployment.toolbox_of(
        all()
            .into_iter()
            .filter(|tool| keep(tool.descriptor().name())),
    )
}

/// The text of a list answer: `header`, then a line `- …` for each of `items`, as `line`
/// writes it.
fn bulleted<T>(header: String, items: &[T], line: impl Fn(&T) -> String) -> String {
    items.iter().fold(header, |mut text, item| {
        text.push_str("\n- ");
        text.push_str(&line(item));
        text
    })
}
