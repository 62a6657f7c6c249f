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
        (aggregate, strict) main_url: String,
        /// When the site was created (`YYYY-MM-DD hh:mm:ss`).
        (aggregate, strict) ts_created: String,
        /// Whether ecommerce is on (0/1).
        ecommerce: Count,
        /// Whether site search is on (0/1).
        sitesearch: Count,
        /// Query parameters holding site-search keywords.
        (aggregate, strict) sitesearch_keyword_parameters: String,
        /// Query parameters holding site-search categories.
        (aggregate, strict) sitesearch_category_parameters: String,
        /// Time zone id (`Europe/Berlin`).
        (aggregate, strict) timezone: String,
        /// Time zone, readable.
        (aggregate, strict) timezone_name: String,
        /// Currency code (`EUR`).
        (aggregate, strict) currency: String,
        /// Currency, readable.
        (aggregate, strict) currency_name: String,
        /// Whether hits from unknown URLs are dropped (0/1).
        exclude_unknown_urls: Count,
        /// IP addresses and ranges excluded from tracking: usually staff addresses.
        (typed) excluded_ips: Identifying<String>,
        /// Query parameters stripped from URLs.
        (aggregate, strict) excluded_parameters: String,
        /// User agents excluded from tracking.
        (aggregate, strict) excluded_user_agents: String,
        /// Referrers excluded from tracking.
        (aggregate, strict) excluded_referrers: String,
        /// The site's group.
        (aggregate, strict) group: String,
        /// Measurable type (`website`).
        #[privacy(aggregate)]
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        pub site_type: Option<String>,
        /// Whether URL fragments are kept (0/1/2).
        keep_url_fragment: Count,
        /// Login of the user who created the site (super users only).
        (typed) creator_login: Identifying<String>,
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
