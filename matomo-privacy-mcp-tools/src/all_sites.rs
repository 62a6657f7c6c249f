//! `all_sites`: the all-websites dashboard, each site the deployment serves with its visits
//! summary for one period, each thresholded and (with noise on) noised on its own.
//!
//! Matomo's own dashboard (`MultiSites.getAll`) has no distinct visitors per site, so it cannot
//! be thresholded by people; the summary of each site is the same question `visits_summary`
//! answers, with the same proof behind every number.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use matomo_privacy_mcp_core::models::visits_summary;
use matomo_privacy_mcp_core::params::{Date, Period};
use matomo_privacy_mcp_core::reporting::{Deployment, PeriodArgs, Summary, render_summary};
use matomo_privacy_mcp_core::{Classified, SiteId, ToolError, matomo_tool};

/// The most sites one dashboard shows.
pub const MAX_DASHBOARD_SITES: usize = 50;

/// The arguments of `all_sites`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllSitesArgs {
    /// Default `day`.
    #[serde(default)]
    pub period: Option<Period>,
    /// Default `yesterday`; `today`, `YYYY-MM-DD`, or with `range` also `lastN`, `previousN`, `YYYY-MM-DD,YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<Date>,
    /// An optional Matomo segment on aggregate dimensions, applied to every site.
    #[serde(default)]
    pub segment: Option<String>,
}

/// One site of the dashboard.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct DashboardSite {
    /// The site's name.
    #[privacy(aggregate)]
    pub name: String,
    /// The site's id.
    #[privacy(aggregate)]
    pub site: u32,
    /// Its visits summary, as `visits_summary` answers it; `None` when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Why this site's summary was refused by the privacy policy (its privacy budget spent for
    /// the window, say), while the other sites are shown: sites are separate accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[privacy(aggregate)]
    pub refused: Option<String>,
}

/// Every served site's visits summary for one period.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct Dashboard {
    /// The sites, as `list_sites` orders them.
    pub sites: Vec<DashboardSite>,
    /// Served sites beyond the most one dashboard shows (ask `visits_summary` for them).
    #[privacy(aggregate)]
    pub more_sites: u64,
}

fn render(dashboard: &Dashboard) -> String {
    let mut text = format!("{} site(s):", dashboard.sites.len());
    for site in &dashboard.sites {
        let shown = match (&site.summary, &site.refused) {
            (Some(summary), _) => render_summary(summary),
            (None, Some(reason)) => format!("refused: {reason}"),
            (None, None) => String::new(),
        };
        let _ = write!(text, "\n\n{} (site {}): {shown}", site.name, site.site);
    }
    if dashboard.more_sites > 0 {
        let _ = write!(
            text,
            "\n\n{} more site(s) not shown; ask `visits_summary` for them.",
            dashboard.more_sites
        );
    }
    text
}

/// The all-websites dashboard: visits, visitors, actions and bounce rate of every site this
/// deployment serves, for one period ("which of our sites grew?"). Each site is withheld on its
/// own below `threshold_k` distinct visitors, as `visits_summary` is, and refused on its own
/// when its privacy budget is spent.
#[matomo_tool(render = render)]
pub async fn all_sites(
    deployment: &Deployment,
    args: AllSitesArgs,
) -> Result<Dashboard, ToolError> {
    let listed = deployment.viewable_sites().await?;
    let served = deployment.site_access().sites();
    let sites: Vec<(u32, String)> = listed
        .into_iter()
        .filter_map(|s| {
            let id = u32::try_from(s.idsite.0).ok()?;
            served.contains(&SiteId(id)).then_some((id, s.name))
        })
        .collect();
    let more_sites = sites.len().saturating_sub(MAX_DASHBOARD_SITES) as u64;
    let mut shown = Vec::new();
    for (site, name) in sites.into_iter().take(MAX_DASHBOARD_SITES) {
        let period_args = PeriodArgs {
            site,
            period: args.period,
            date: args.date,
            segment: args.segment.clone(),
        };
        // The same question as `visits_summary`'s, so the same noise and no second charge. Each
        // site's budget is an account of its own, charged all or nothing for its summary: one
        // site refused (its budget spent) leaves the others' answers standing, rather than
        // failing the dashboard after they were charged.
        let (summary, refused) = match deployment
            .summary::<visits_summary::Get>(&period_args)
            .run()
            .await
        {
            Ok(summary) => (Some(summary), None),
            Err(ToolError::PolicyRefusal(reason)) => (None, Some(reason)),
            Err(other) => return Err(other),
        };
        shown.push(DashboardSite {
            name,
            site,
            summary,
            refused,
        });
    }
    Ok(Dashboard {
        sites: shown,
        more_sites,
    })
}
