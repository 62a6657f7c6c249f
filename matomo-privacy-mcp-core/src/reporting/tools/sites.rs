//! Tools about the Matomo instance itself: which sites may be read, which reports exist.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::models::{api, sites_manager};
use crate::params::{Params, Sites};
use crate::reporting::Deployment;
use crate::reporting::args::to_tool_error;
use crate::{Classified, ToolError, matomo_tool};

/// One site the deployment serves.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct SiteInfo {
    /// The site id, used by every other tool.
    #[privacy(aggregate)]
    pub id: u64,
    /// The site's name.
    #[privacy(aggregate)]
    pub name: String,
    /// The site's main URL.
    #[privacy(aggregate)]
    pub main_url: Option<String>,
    /// The site's time zone (reports' days follow it).
    #[privacy(aggregate)]
    pub timezone: Option<String>,
    /// The site's currency.
    #[privacy(aggregate)]
    pub currency: Option<String>,
    /// Whether e-commerce tracking is on.
    #[privacy(aggregate)]
    pub ecommerce: bool,
}

/// The sites this deployment serves.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct SiteList {
    /// The sites.
    pub sites: Vec<SiteInfo>,
}

fn render_sites(list: &SiteList) -> String {
    let mut text = format!("{} site(s):", list.sites.len());
    for s in &list.sites {
        let _ = write!(
            text,
            "\n- {} {} ({})",
            s.id,
            s.name,
            s.main_url.as_deref().unwrap_or("no URL")
        );
    }
    text
}

/// Sites this deployment may read: id, name, main URL, time zone, currency, e-commerce.
///
/// Call it first: every other tool takes a site id from this list.
#[matomo_tool(render = render_sites)]
pub async fn list_sites(deployment: &Deployment) -> Result<SiteList, ToolError> {
    let sites = site_list(deployment).await?;
    // The list says each site's time zone: the report cache then knows when a site's day is over.
    if let Some(cache) = deployment.client.cache() {
        for site in &sites {
            if let (Ok(id), Some(zone)) = (u32::try_from(site.idsite.0), &site.timezone) {
                cache.learn_site_time_zone(id, zone);
            }
        }
    }
    let served = deployment.sites.sites();
    let sites = sites
        .into_iter()
        .filter(|s| u32::try_from(s.idsite.0).is_ok_and(|id| served.contains(&crate::SiteId(id))))
        .map(|s| SiteInfo {
            id: s.idsite.0,
            name: s.name,
            main_url: s.main_url,
            timezone: s.timezone,
            currency: s.currency,
            ecommerce: s.ecommerce.is_some_and(|e| e.0 == 1),
        })
        .collect();
    Ok(SiteList { sites })
}

/// The arguments of `report_catalogue`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueArgs {
    /// The site id.
    pub site: u32,
}

/// One report Matomo offers.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct ReportInfo {
    /// Category, such as "Visitors".
    #[privacy(aggregate)]
    pub category: Option<String>,
    /// The report's name.
    #[privacy(aggregate)]
    pub name: Option<String>,
    /// The API method, `Module.action`.
    #[privacy(aggregate)]
    pub method: Option<String>,
    /// The metrics it has, by column name.
    #[privacy(aggregate)]
    pub metrics: Vec<String>,
}

/// The reports Matomo offers for a site.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct ReportCatalogue {
    /// The reports.
    pub reports: Vec<ReportInfo>,
}

fn render_catalogue(c: &ReportCatalogue) -> String {
    let mut text = format!("{} report(s):", c.reports.len());
    for r in &c.reports {
        let _ = write!(
            text,
            "\n- {} / {} ({})",
            r.category.as_deref().unwrap_or("?"),
            r.name.as_deref().unwrap_or("?"),
            r.method.as_deref().unwrap_or("?")
        );
    }
    text
}

/// The reports Matomo offers for a site, with their metrics (metadata only, never data).
///
/// Useful to learn what a metric means or which report holds it. Matomo's image URLs, which embed the
/// API token, are never included.
#[matomo_tool(render = render_catalogue)]
pub async fn report_catalogue(
    deployment: &Deployment,
    args: CatalogueArgs,
) -> Result<ReportCatalogue, ToolError> {
    deployment.check_site(args.site)?;
    let reports = site_reports(deployment, args.site)
        .await?
        .into_iter()
        .map(|r| {
            let d = r.description;
            let method = match (&d.module, &d.action) {
                (Some(m), Some(a)) => Some(format!("{m}.{a}")),
                _ => None,
            };
            let metrics = r
                .metrics
                .map(|m| m.0.into_keys().map(|k| k.0).collect())
                .unwrap_or_default();
            ReportInfo {
                category: d.category,
                name: d.name,
                method,
                metrics,
            }
        })
        .collect();
    Ok(ReportCatalogue { reports })
}

/// Every site the token may view (`SitesManager.getSitesWithAtLeastViewAccess`), through the
/// report cache: names and time zones for the tools that need them.
pub(crate) async fn site_list(
    deployment: &Deployment,
) -> Result<Vec<sites_manager::Site>, ToolError> {
    deployment
        .client
        .report_with::<sites_manager::GetSitesWithAtLeastViewAccess>(&Params::new())
        .await
        .map_err(to_tool_error)?
        .into_one()
        .ok_or_else(|| ToolError::internal("Matomo answered the site list in an unexpected shape"))
}

/// Today in the site's time zone, from Matomo's site list (through the cache): relative dates
/// are then asked for by their dates, so that two questions cannot straddle a midnight and a
/// statistic is one question however its date is written.
pub(crate) async fn site_today(
    deployment: &Deployment,
    site: u32,
) -> Result<jiff::civil::Date, ToolError> {
    site_list(deployment)
        .await?
        .iter()
        .find(|s| s.idsite.0 == u64::from(site))
        .and_then(|s| s.timezone.as_deref())
        .and_then(crate::client::today_in)
        .ok_or_else(|| {
            ToolError::invalid_arguments(format!(
                "Matomo did not say site {site}'s time zone, so `today` and `yesterday` cannot be dated; give `date` as YYYY-MM-DD"
            ))
        })
}

/// The site's report catalogue (`API.getReportMetadata`), through the report cache.
pub(crate) async fn site_reports(
    deployment: &Deployment,
    site: u32,
) -> Result<Vec<api::ReportMetadata>, ToolError> {
    let params = Params::new().sites(Sites::one(site)?);
    deployment
        .client
        .report_with::<api::GetReportMetadata>(&params)
        .await
        .map_err(to_tool_error)?
        .into_one()
        .ok_or_else(|| {
            ToolError::internal("Matomo answered the report metadata in an unexpected shape")
        })
}
