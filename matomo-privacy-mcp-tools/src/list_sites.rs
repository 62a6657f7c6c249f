//! `list_sites`: the sites this deployment may read, which every other tool takes an id from.

use schemars::JsonSchema;
use serde::Serialize;

use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::{Classified, SiteId, ToolError, matomo_tool};

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
    crate::bulleted(format!("{} site(s):", list.sites.len()), &list.sites, |s| {
        let url = s.main_url.as_deref().unwrap_or("no URL");
        format!("{} {} ({url})", s.id, s.name)
    })
}

/// Sites this deployment may read: id, name, main URL, time zone, currency, e-commerce.
///
/// Call it first: every other tool takes a site id from this list.
#[matomo_tool(render = render_sites)]
pub async fn list_sites(deployment: &Deployment) -> Result<SiteList, ToolError> {
    let sites = deployment.viewable_sites().await?;
    // The list says each site's time zone: the report cache then knows when a site's day is over.
    if let Some(cache) = deployment.client().cache() {
        for site in &sites {
            if let (Ok(id), Some(zone)) = (u32::try_from(site.idsite.0), &site.timezone) {
                cache.learn_site_time_zone(id, zone);
            }
        }
    }
    let served = deployment.site_access().sites();
    let sites = sites
        .into_iter()
        .filter(|s| u32::try_from(s.idsite.0).is_ok_and(|id| served.contains(&SiteId(id))))
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
