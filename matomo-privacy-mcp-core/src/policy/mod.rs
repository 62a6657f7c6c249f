//! Policy: which segments, sites and tokens a deployment accepts (the privacy budget is
//! [`crate::dp::PrivacyBudget`]).

mod privilege;
mod segment_rule;

pub use privilege::{PrivilegeError, SiteAccess};
pub use segment_rule::{check_saved_segment, check_segment, parse_and_check_segment};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrivacyClass;

    #[test]
    fn segment_refusals_name_dimension_and_reason_never_value() {
        let cases = [
            (
                "visitorId==5f2e1c0a9b8d7e6f",
                PrivacyClass::Aggregate,
                PrivacyClass::Pseudonymous,
                "segment dimension `visitorId` is pseudonymous, and this tool returns aggregate data",
            ),
            (
                "pageUrl=@reset-token-XYZ",
                PrivacyClass::Pseudonymous,
                PrivacyClass::Pseudonymous,
                "segment dimension `pageUrl` is identifying, and this deployment allows at most pseudonymous data",
            ),
            (
                "countryCode==de;city==Smalltown",
                PrivacyClass::Aggregate,
                PrivacyClass::Aggregate,
                "segment dimension `city` is pseudonymous",
            ),
        ];
        for (text, tool, ceiling, expected) in cases {
            let err = parse_and_check_segment(text, tool, ceiling)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("refused by privacy policy: "), "{err}");
            assert!(err.contains(expected), "{err}");
            let value = text.split(['=', '@']).next_back().unwrap();
            assert!(!err.contains(value), "value {value} leaked: {err}");
        }
        assert!(
            parse_and_check_segment(
                "countryCode==de,countryCode==fr",
                PrivacyClass::Aggregate,
                PrivacyClass::Aggregate
            )
            .is_ok()
        );
    }

    #[test]
    fn url_encoded_identifying_dimensions_are_still_caught() {
        // `visitorId==x` hidden behind URL encoding decodes before parsing.
        let err = parse_and_check_segment(
            "visitor%49d%3D%3Dabc",
            PrivacyClass::Aggregate,
            PrivacyClass::Aggregate,
        )
        .unwrap_err();
        assert!(err.to_string().contains("`visitorId`"), "{err}");
    }

    #[test]
    fn malformed_segments_are_invalid_arguments() {
        let err = parse_and_check_segment(
            "countryCode",
            PrivacyClass::Aggregate,
            PrivacyClass::Aggregate,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid arguments: `segment` is not a valid Matomo segment"),
            "{err}"
        );
    }
}
