//! The link between a Matomo method and the type its response decodes to.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Overlap;
use crate::privacy::Classified;

/// A Matomo Reporting API method and the typed response of one site and one period.
///
/// Implemented by unit types such as [`actions::GetPageUrls`](super::actions::GetPageUrls),
/// so a client can be generic over the report: send `method=R::METHOD` plus
/// `R::PARAMS`, then decode `R::Output` — or `PerPeriod<R::Output>` /
/// `PerSite<R::Output>` when the request named several periods or sites.
///
/// ```
/// use matomo_privacy_mcp_core::models::{Report, actions::GetPageUrls};
/// use matomo_privacy_mcp_core::{Classified, PrivacyClass};
///
/// assert_eq!(GetPageUrls::METHOD, "Actions.getPageUrls");
/// assert_eq!(<GetPageUrls as Report>::Output::MAX_CLASS, PrivacyClass::Identifying);
/// ```
pub trait Report {
    /// The method, `Module.action`.
    const METHOD: &'static str;
    /// Parameters the typed output depends on (e.g. `flat=1`), sent with every request.
    const PARAMS: &'static [(&'static str, &'static str)] = &[];
    /// How the report's rows share the period's visits, which decides whether the suppressed
    /// rows can be proven together as one "Other" row. The default, [`Overlap::Possible`],
    /// claims nothing; declare more only for a report whose rows are known to split the visits.
    const OVERLAP: Overlap = Overlap::Possible;
    /// The response for one site and one period.
    type Output: DeserializeOwned + Serialize + JsonSchema + Classified;
}

#[cfg(test)]
mod tests {
    use super::Report;
    use crate::models::{PerPeriod, PerSite, actions, api, live, visits_summary};

    fn schema_text<T: schemars::JsonSchema>() -> String {
        serde_json::to_string(&schemars::schema_for!(T)).unwrap()
    }

    #[test]
    fn outputs_have_json_schemas_naming_typed_fields_only() {
        let visits = schema_text::<<live::GetLastVisitsDetails as Report>::Output>();
        assert!(
            visits.contains("visitorId") && visits.contains("actionDetails"),
            "{visits}"
        );
        let pages = schema_text::<<actions::GetPageUrls as Report>::Output>();
        assert!(
            pages.contains("subtable") && pages.contains("bounce_rate"),
            "{pages}"
        );
        let metadata = schema_text::<<api::GetReportMetadata as Report>::Output>();
        assert!(!metadata.contains("imageGraph"), "{metadata}");
        let nested = schema_text::<PerSite<PerPeriod<<visits_summary::Get as Report>::Output>>>();
        assert!(nested.contains("nb_visits"), "{nested}");
    }
}
