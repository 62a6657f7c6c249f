//! `SitesManager.*`: the sites a token can see, and its access level per site.
//!
//! Site configuration is aggregate, except the excluded IP ranges (staff
//! addresses) and the creator's login, which are **identifying**.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Count;
use crate::Classified;
use crate::privacy::Identifying;
use crate::privacy::{PrivacyClass, Shape};

classified_fields! {
    /// A site as `SitesManager.getSitesWithAtLeastViewAccess` and `getSiteFromId` return it.
    pub struct Site {
        /// The site id.
        #[privacy(aggregate)]
        pub idsite: Count,
        /// The site's name.
        #[privacy(aggregate)]
        pub name: String,
        /// The site's main URL.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub main_url: Option<String>,
        /// When the site was created (`YYYY-MM-DD hh:mm:ss`).
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ts_created: Option<String>,
        /// Whether ecommerce is on (0/1).
        ecommerce: Count,
        /// Whether site search is on (0/1).
        sitesearch: Count,
        /// Query parameters holding site-search keywords.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sitesearch_keyword_parameters: Option<String>,
        /// Query parameters holding site-search categories.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sitesearch_category_parameters: Option<String>,
        /// Time zone id (`Europe/Berlin`).
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub timezone: Option<String>,
        /// Time zone, readable.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub timezone_name: Option<String>,
        /// Currency code (`EUR`).
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub currency: Option<String>,
        /// Currency, readable.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub currency_name: Option<String>,
        /// Whether hits from unknown URLs are dropped (0/1).
        exclude_unknown_urls: Count,
        /// IP addresses and ranges excluded from tracking: usually staff addresses.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub excluded_ips: Option<Identifying<String>>,
        /// Query parameters stripped from URLs.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub excluded_parameters: Option<String>,
        /// User agents excluded from tracking.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub excluded_user_agents: Option<String>,
        /// Referrers excluded from tracking.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub excluded_referrers: Option<String>,
        /// The site's group.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub group: Option<String>,
        /// Measurable type (`website`).
        #[privacy(aggregate)]
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        pub site_type: Option<String>,
        /// Whether URL fragments are kept (0/1/2).
        keep_url_fragment: Count,
        /// Login of the user who created the site (super users only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub creator_login: Option<Identifying<String>>,
    }
}

/// A list of site ids, as the `getSitesIdWith…Access` methods return it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct SiteIdList(pub Vec<Count>);

impl Classified for SiteIdList {
    const SHAPE: Shape = Shape::List(&Shape::Value(PrivacyClass::Aggregate));
}

crate::privacy::leaf_class!(SiteIdList, aggregate);

report! {
    /// `SitesManager.getSitesWithAtLeastViewAccess`: every site the token can view.
    GetSitesWithAtLeastViewAccess = "SitesManager.getSitesWithAtLeastViewAccess" => Vec<Site>;
    /// `SitesManager.getSiteFromId`: one site.
    GetSiteFromId = "SitesManager.getSiteFromId" => Site;
    /// `SitesManager.getSitesIdWithAtLeastViewAccess`: ids the token can at least view.
    GetSitesIdWithAtLeastViewAccess = "SitesManager.getSitesIdWithAtLeastViewAccess" => SiteIdList;
    /// `SitesManager.getSitesIdWithViewAccess`: ids with exactly view access.
    GetSitesIdWithViewAccess = "SitesManager.getSitesIdWithViewAccess" => SiteIdList;
    /// `SitesManager.getSitesIdWithWriteAccess`: ids with write access.
    GetSitesIdWithWriteAccess = "SitesManager.getSitesIdWithWriteAccess" => SiteIdList;
    /// `SitesManager.getSitesIdWithAdminAccess`: ids with admin access.
    GetSitesIdWithAdminAccess = "SitesManager.getSitesIdWithAdminAccess" => SiteIdList;
}
