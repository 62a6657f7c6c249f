//! The privacy class of each segment dimension, per the reference's segment tables.

use crate::privacy::PrivacyClass;

/// Dimensions whose values name a person or commonly carry personal data.
const IDENTIFYING: &[&str] = &[
    "visitIp",
    "userId",
    "pageUrl",
    "entryPageUrl",
    "exitPageUrl",
    "actionUrl",
    "downloadUrl",
    "outlinkUrl",
    "eventUrl",
    "referrerUrl",
    "pageTitle",
    "entryPageTitle",
    "exitPageTitle",
    "siteSearchKeyword",
    "referrerKeyword",
    "orderId",
];

/// Dimensions that single out a visitor or visit without naming them.
const PSEUDONYMOUS: &[&str] = &[
    "visitorId",
    "visitId",
    "fingerprint",
    "latitude",
    "longitude",
    "city",
    "regionCode",
    "visitStartServerMinute",
    "visitEndServerMinute",
    "visitEndServerSecond",
    "actionServerMinute",
    "visitLocalMinute",
    "secondsSinceFirstVisit",
    "secondsSinceLastVisit",
    "secondsSinceLastEcommerceOrder",
    "eventName",
    "eventAction",
    "contentPiece",
    "contentTarget",
    "contentName",
];

/// Numbered dimensions (`dimension3`, `customVariableValue1`, …) that are pseudonymous.
const PSEUDONYMOUS_NUMBERED: &[&str] = &[
    "dimension",
    "customVariableValue",
    "customVariablePageValue",
];

/// The privacy class of filtering on `dimension`.
///
/// A segment reveals its values in the request and, through row counts, lets
/// a caller test whether one person did something, so a segment on a
/// dimension is as sensitive as the dimension. Names are compared without
/// regard to case so that a misspelt `PageURL` is never under-classified;
/// dimensions in neither list are aggregate.
///
/// ```
/// use matomo_privacy_mcp_core::PrivacyClass;
/// use matomo_privacy_mcp_core::segment::dimension_class;
///
/// assert_eq!(dimension_class("countryCode"), PrivacyClass::Aggregate);
/// assert_eq!(dimension_class("dimension4"), PrivacyClass::Pseudonymous);
/// assert_eq!(dimension_class("pageUrl"), PrivacyClass::Identifying);
/// ```
pub fn dimension_class(dimension: &str) -> PrivacyClass {
    let is = |list: &[&str]| list.iter().any(|name| name.eq_ignore_ascii_case(dimension));
    if is(IDENTIFYING) {
        return PrivacyClass::Identifying;
    }
    let numbered = PSEUDONYMOUS_NUMBERED.iter().any(|prefix| {
        dimension.len() > prefix.len()
            && dimension.is_char_boundary(prefix.len())
            && dimension[..prefix.len()].eq_ignore_ascii_case(prefix)
            && dimension[prefix.len()..]
                .bytes()
                .all(|b| b.is_ascii_digit())
    });
    if numbered || is(PSEUDONYMOUS) {
        return PrivacyClass::Pseudonymous;
    }
    PrivacyClass::Aggregate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_reference_tables() {
        let numbered = [
            "dimension1",
            "dimension42",
            "customVariableValue3",
            "customVariablePageValue5",
        ];
        let aggregate = [
            "countryCode",
            "deviceType",
            "browserCode",
            "visitServerHour",
            "dimension",
            "dimensionX",
            "referrerType",
        ];
        for (names, class) in [
            (IDENTIFYING, PrivacyClass::Identifying),
            (PSEUDONYMOUS, PrivacyClass::Pseudonymous),
            (&numbered[..], PrivacyClass::Pseudonymous),
            (&aggregate[..], PrivacyClass::Aggregate),
        ] {
            for name in names {
                assert_eq!(dimension_class(name), class, "{name}");
            }
        }
    }

    #[test]
    fn case_does_not_lower_the_class() {
        assert_eq!(dimension_class("PAGEURL"), PrivacyClass::Identifying);
        assert_eq!(dimension_class("Dimension7"), PrivacyClass::Pseudonymous);
    }
}
