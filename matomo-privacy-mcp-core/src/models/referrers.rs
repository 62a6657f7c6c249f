//! `Referrers.*`: where visits came from.
//!
//! Channel types, referring domains, search engine and campaign names are
//! aggregate. Full referrer URLs and search keywords are **identifying** (a
//! webmail URL, a search query); campaign keywords are **pseudonymous** (email
//! campaigns often put per-recipient ids there).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Count, DimensionRow, Expanded, Overlap, VisitMetrics};
use crate::Classified;
use crate::privacy::{Identifying, Pseudonymous};

classified_fields! {
    /// A `Referrers.getReferrerType` row: one channel type.
    pub struct ReferrerTypeRow {
        /// The channel row (label such as "Search Engines").
        #[serde(flatten)]
        pub row: DimensionRow,
        /// Matomo's numeric channel code.
        referrer_type: Count,
    }
}

/// A search engine or social network row: its name plus the network's URL.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct NamedSourceRow {
    /// The engine or network row.
    #[serde(flatten)]
    pub row: DimensionRow,
    /// The engine's or network's URL (`http://bing.com`); for search engines it
    /// can embed the query, so it is identifying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Identifying<String>>,
}

classified_fields! {
    /// A row naming one referrer in detail: a full referrer URL, a search keyword,
    /// or a `flat=1` label joining a domain and a page. Label, URL and segment are identifying.
    pub struct ReferrerDetailRow {
        /// The URL, keyword or joined label.
        pub label: Identifying<String>,
        /// The full referrer URL.
        (typed) url: Identifying<String>,
        /// A segment selecting the row; it repeats the label.
        (typed) segment: Identifying<String>,
        /// Icon path in the Matomo UI.
        (aggregate, strict) logo: String,
        /// Id of the row's subtable, to fetch with `idSubtable`.
        idsubdatatable: Count,
        /// The row's metrics.
        #[serde(flatten)]
        pub metrics: VisitMetrics,
    }
}

classified_fields! {
    /// A `Referrers.getAll` row: any referrer, with its channel code.
    pub struct AnyReferrerRow {
        /// The referrer (a domain, engine, keyword or campaign).
        #[serde(flatten)]
        pub row: ReferrerDetailRow,
        /// Matomo's numeric channel code (spelled `referer_type` by this method).
        referer_type: Count,
    }
}

/// A campaign keyword row (the subtable of a campaign): pseudonymous label.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct CampaignKeywordRow {
    /// The campaign keyword, or with `flat=1` "campaign - keyword".
    pub label: Pseudonymous<String>,
    /// A segment selecting the row; it repeats the keyword.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Pseudonymous<String>>,
    /// The row's metrics.
    #[serde(flatten)]
    pub metrics: VisitMetrics,
}

report! {
    /// `Referrers.getReferrerType`: visits per channel type.
    GetReferrerType = "Referrers.getReferrerType", overlap = Overlap::None => Vec<ReferrerTypeRow>;
    /// `Referrers.getAll`: every referrer in one list (identifying labels).
    GetAll = "Referrers.getAll" => Vec<AnyReferrerRow>;
    /// `Referrers.getWebsites`: referring domains; with `expanded=1` their full URLs.
    GetWebsites = "Referrers.getWebsites", overlap = Overlap::Within("referrerType==website") => Vec<Expanded<DimensionRow, ReferrerDetailRow>>;
    /// `Referrers.getWebsites` with `flat=1`: "domain - page" rows with full URLs.
    GetWebsitesFlat = "Referrers.getWebsites" ["flat" = "1"] => Vec<ReferrerDetailRow>;
    /// `Referrers.getSearchEngines`: engines; with `expanded=1` the keywords per engine.
    GetSearchEngines = "Referrers.getSearchEngines", overlap = Overlap::Within("referrerType==search") => Vec<Expanded<NamedSourceRow, ReferrerDetailRow>>;
    /// `Referrers.getKeywords`: search keywords; with `expanded=1` the engines per keyword.
    GetKeywords = "Referrers.getKeywords" => Vec<Expanded<ReferrerDetailRow, NamedSourceRow>>;
    /// `Referrers.getCampaigns`: campaign names; with `expanded=1` their keywords.
    GetCampaigns = "Referrers.getCampaigns", overlap = Overlap::Within("referrerType==campaign") => Vec<Expanded<DimensionRow, CampaignKeywordRow>>;
    /// `Referrers.getSocials`: social networks; with `expanded=1` the referring URLs.
    GetSocials = "Referrers.getSocials", overlap = Overlap::Within("referrerType==social") => Vec<Expanded<NamedSourceRow, ReferrerDetailRow>>;
}
