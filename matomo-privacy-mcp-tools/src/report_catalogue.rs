//! `report_catalogue`: the reports Matomo offers for a site, metadata only.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

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
    crate::bulleted(format!("{} report(s):", c.reports.len()), &c.reports, |r| {
        format!(
            "{} / {} ({})",
            r.category.as_deref().unwrap_or("?"),
            r.name.as_deref().unwrap_or("?"),
            r.method.as_deref().unwrap_or("?")
        )
    })
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
    let reports = deployment
        .site_reports(args.site)
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
