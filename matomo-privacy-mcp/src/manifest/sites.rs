//! The sites a deployment reads, by name: a data-protection officer's record names websites, not
//! Matomo's numbers. The names come from Matomo (`SitesManager.getSiteFromId`) when the manifest
//! is generated; when Matomo cannot say, the manifest says why and what to change.

use std::collections::BTreeSet;

use matomo_privacy_mcp_core::SiteId;
use matomo_privacy_mcp_core::client::{ClientError, MatomoClient};
use matomo_privacy_mcp_core::models::sites_manager::GetSiteFromId;
use matomo_privacy_mcp_core::params::{Params, Sites};
use serde::Serialize;

/// One site the deployment reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManifestSite {
    /// Matomo's site id.
    pub id: u32,
    /// The site's name in Matomo; `None` when it could not be read.
    pub name: Option<String>,
    /// The site's main URL in Matomo, when it has one.
    pub url: Option<String>,
    /// Why the name is missing, and what to change; `None` when it was read.
    pub unnamed: Option<String>,
}

impl ManifestSite {
    /// The site as the record of processing lists it: `1 “Shop” (https://shop.example)`, or its id
    /// and why it has no name.
    pub fn describe(&self) -> String {
        match (&self.name, &self.unnamed) {
            (Some(name), _) => match self.url.as_deref().filter(|u| !u.is_empty()) {
                Some(url) => format!("{} “{name}” ({url})", self.id),
                None => format!("{} “{name}”", self.id),
            },
            (None, Some(why)) => format!("{}: name not read: {why}", self.id),
            (None, None) => format!("{}: name not read", self.id),
        }
    }
}

/// Asks Matomo for the name and URL of each of `sites` with the deployment's own client (its
/// token, sent in the POST body as every request of the client). A site Matomo will not describe
/// keeps its id with the reason; once Matomo cannot be reached, the remaining sites are not tried.
///
/// `allowed_sites_key` is the configuration key that lists the sites (`matomo.allowed_sites`, or
/// a profile's), named in the advice when the token may not read one.
pub async fn name_sites(
    client: &MatomoClient,
    sites: &BTreeSet<SiteId>,
    allowed_sites_key: &str,
) -> Vec<ManifestSite> {
    let mut named = Vec::with_capacity(sites.len());
    let mut unreachable: Option<String> = None;
    for &SiteId(id) in sites {
        let answer = match &unreachable {
            Some(why) => Err(why.clone()),
            None => site_from_id(client, id).await.map_err(|error| {
                let why = unnamed_because(id, &error, allowed_sites_key);
                if reaches_no_matomo(&error) {
                    unreachable = Some(why.clone());
                }
                why
            }),
        };
        let answer = answer.and_then(|site| {
            site.ok_or_else(|| format!("Matomo answered no site {id}; check `{allowed_sites_key}`"))
        });
        named.push(match answer {
            Ok((name, url)) => ManifestSite {
                id,
                name: Some(name),
                url,
                unnamed: None,
            },
            Err(why) => ManifestSite {
                id,
                name: None,
                url: None,
                unnamed: Some(why),
            },
        });
    }
    named
}

/// The name and main URL of site `id`; `Ok(None)` when Matomo's answer holds no site.
async fn site_from_id(
    client: &MatomoClient,
    id: u32,
) -> Result<Option<(String, Option<String>)>, ClientError> {
    let Ok(sites) = Sites::one(id) else {
        return Ok(None);
    };
    let site = client
        .report_with::<GetSiteFromId>(&Params::new().sites(sites))
        .await?
        .into_one();
    Ok(site.map(|site| (site.name, site.main_url)))
}

/// Whether `error` means Matomo did not answer at all (or answered as no Matomo does), so that
/// asking about the next site is pointless.
fn reaches_no_matomo(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Connection { .. }
            | ClientError::Timeout { .. }
            | ClientError::HttpStatus { .. }
            | ClientError::HtmlErrorPage { .. }
    )
}

/// Why site `id` has no name in the manifest, with the key to change.
pub fn unnamed_because(id: u32, error: &ClientError, allowed_sites_key: &str) -> String {
    match error {
        ClientError::Api { error, .. } if error.message.to_ascii_lowercase().contains("access") => {
            format!(
                "the Matomo token may not read site {id} (Matomo: \"{}\"); give the token's user view access to it in Matomo, or leave it out of `{allowed_sites_key}`",
                error.message
            )
        }
        error if reaches_no_matomo(error) => format!(
            "Matomo could not be reached ({error}); check `matomo.url (MATOMO_URL)` and generate the manifest again"
        ),
        error => format!(
            "Matomo's answer could not be used ({error}); check `matomo.url (MATOMO_URL)` points at Matomo"
        ),
    }
}
