//! The link between a Matomo method and the type its response decodes to.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::privacy::Classified;

/// A Matomo Reporting API method and the typed response of one site and one period.
///
/// Implemented by unit types such as [`actions::GetPageUrls`](super::actions::GetPageUrls),
/// so a client can be generic over the report: send `method=R::METHOD` plus
/// `R::PARAMS`, then decode `R::Output` — or `PerPeriod<R::Output>` /
/// `PerSite<R::Output>` when the request named several periods or sites.
///
/// ```
/// use matomo_mcp_core::models::{Report, actions::GetPageUrls};
/// use matomo_mcp_core::{Classified, PrivacyClass};
///
/// assert_eq!(GetPageUrls::METHOD, "Actions.getPageUrls");
/// assert_eq!(<GetPageUrls as Report>::Output::MAX_CLASS, PrivacyClass::Identifying);
/// ```
pub trait Report {
    /// The method, `Module.action`.
    const METHOD: &'static str;
    /// Parameters the typed output depends on (e.g. `flat=1`), sent with every request.
    const PARAMS: &'static [(&'static str, &'static str)] = &[];
    /// The response for one site and one period.
    type Output: DeserializeOwned + Serialize + JsonSchema + Classified;
}
