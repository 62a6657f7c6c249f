//! `site_overview`: visits, goals and top referrer types of one site, fetched together
//! ([`Deployment::site_overview`]).

use matomo_privacy_mcp_core::reporting::{
    Deployment, PeriodArgs, SiteOverview, render_report, render_summary,
};
use matomo_privacy_mcp_core::{ToolError, matomo_tool};

fn render_overview(o: &SiteOverview) -> String {
    format!(
        "Visits. {}\n\nGoals. {}\n\nReferrer types. {}",
        render_summary(&o.visits),
        render_summary(&o.goals),
        render_report(&o.referrer_types)
    )
}

/// An overview of one site for one period: the visits summary, the goals overview and the top 5 referrer
/// types, fetched from Matomo together.
///
/// Prefer it to calling `visits_summary`, `goals_overview` and `referrer_types` one after the other. Numbers
/// about fewer than `threshold_k` visitors are withheld; the optional `segment` applies to all three parts
/// and may only use aggregate dimensions.
#[matomo_tool(render = render_overview)]
pub async fn site_overview(
    deployment: &Deployment,
    args: PeriodArgs,
) -> Result<SiteOverview, ToolError> {
    deployment.site_overview(&args).await
}
