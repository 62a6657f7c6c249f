//! Ready-made tools over a [`Deployment`], by kind: each passes its answer through the whole
//! pipeline of [`reporting`](super) and is a type a server registers on its own.
//!
//! [`all`] is the one list of them, in listing order; the application's catalogue, its
//! allow-lists are checked against it; a tool's own attribute says whether it is exact-only. All are aggregate but `visit_log`
//! (pseudonymous) and `raw_page_urls` (identifying), hidden until a toolbox's ceiling is raised.
//!
//! ```no_run
//! # fn demo(deployment: matomo_privacy_mcp_core::reporting::Deployment) {
//! use matomo_privacy_mcp_core::Toolbox;
//! use matomo_privacy_mcp_core::reporting::tools::{reports::CountriesTool, summaries::VisitsSummaryTool};
//!
//! // Two of them, next to tools of your own; the toolbox guards the deployment's token and
//! // starts at its ceiling.
//! let toolbox = Toolbox::with_state(deployment)
//!     .tool(VisitsSummaryTool)
//!     .tool(CountriesTool);
//! # let _ = toolbox; }
//! ```

pub mod all_sites;
pub mod annotations;
pub mod any_report;
pub mod compare;
pub mod page_performance;
pub mod raw;
pub mod reports;
pub mod saved_segments;
pub mod site_overview;
pub mod sites;
pub mod summaries;
pub mod trends;
pub mod visit_log;
pub mod visits_to_conversion;

use super::Deployment;
use crate::Toolbox;
use crate::tool::{RegistrationError, Tool, ToolDescriptor};

/// Every ready-made tool, in the order a listing shows them.
pub fn all() -> Vec<Box<dyn Tool<Deployment>>> {
    use self::{
        all_sites::*, annotations::*, any_report::*, compare::*, page_performance::*, raw::*,
        reports::*, saved_segments::*, site_overview::*, sites::*, summaries::*, trends::*,
        visit_log::*, visits_to_conversion::*,
    };
    vec![
        Box::new(ListSitesTool),
        Box::new(VisitsSummaryTool),
        Box::new(ReturningVisitsTool),
        Box::new(AllSitesTool),
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
        Box::new(VisitsToConversionTool),
        Box::new(SiteOverviewTool),
        Box::new(EventCategoriesTool),
        Box::new(EventActionsTool),
        Box::new(EventNamesTool),
        Box::new(VisitsPerHourTool),
        Box::new(PagePerformanceTool),
        Box::new(ReportCatalogueTool),
        Box::new(ReportTool),
        Box::new(ComparePeriodsTool),
        Box::new(AnnotationsTool),
        Box::new(SavedSegmentsTool),
        Box::new(VisitLogTool),
        Box::new(RawPageUrlsTool),
    ]
}

/// Whether a toolbox serves a ready-made tool with noise on or off (`noise`): every tool but
/// those declared `#[matomo_tool(exact_only)]` while noise is on.
pub fn served_with(tool: &ToolDescriptor, noise: bool) -> bool {
    !(noise && tool.exact_only())
}

/// A toolbox with the tools `keep` selects (by name) over `deployment`, with the deployment's
/// ceiling and the final guard that withholds any result holding the Matomo token.
///
/// `toolbox(deployment, |_| true)` serves every ready-made tool; tools above the ceiling are
/// registered but neither listed nor callable, and exact-only tools ([`served_with`]) are left out while the
/// deployment has noise on.
pub fn toolbox(
    deployment: Deployment,
    keep: impl Fn(&str) -> bool,
) -> Result<Toolbox<Deployment>, RegistrationError> {
    let noisy = deployment.noise.is_some();
    let mut toolbox = Toolbox::with_state(deployment);
    for tool in all() {
        let descriptor = tool.descriptor();
        if served_with(&descriptor, noisy) && keep(descriptor.name()) {
            toolbox = toolbox.try_tool(tool)?;
        }
    }
    Ok(toolbox)
}
