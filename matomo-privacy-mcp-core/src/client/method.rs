//! API method names (`Module.action`), checked before any request.

use super::error::ClientError;

/// The method that batches several calls; reachable only through [`BulkRequest`](super::BulkRequest).
pub(crate) const BULK_METHOD: &str = "API.getBulkRequest";

/// Checks `method` the way Matomo does (exactly one dot) and more strictly
/// (letters, digits and `_` on both sides).
pub(crate) fn check_method(method: &str) -> Result<(), ClientError> {
    let valid = method.len() <= 128
        && method.split_once('.').is_some_and(|(module, action)| {
            let part_ok = |part: &str| {
                part.starts_with(|c: char| c.is_ascii_alphabetic())
                    && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            };
            part_ok(module) && part_ok(action)
        });
    if !valid {
        return Err(ClientError::invalid_parameter(
            "method",
            format!(
                "`{}` is not a method name; write it as Module.action, e.g. VisitsSummary.get",
                method.chars().take(64).collect::<String>()
            ),
        ));
    }
    Ok(())
}

/// Whether the method only reads, so that retrying it cannot repeat a change.
pub(crate) fn is_read_method(method: &str) -> bool {
    method.split_once('.').is_some_and(|(_, action)| {
        ["get", "has", "is"]
            .iter()
            .any(|prefix| action.starts_with(prefix))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_need_exactly_one_dot() {
        for ok in [
            "VisitsSummary.get",
            "API.getBulkRequest",
            "Actions.getPageUrls",
            "UsersManager.hasSuperUserAccess",
        ] {
            assert!(check_method(ok).is_ok(), "{ok}");
        }
        for bad in [
            "VisitsSummary",
            "A.b.c",
            ".get",
            "Visits.",
            "Visits Summary.get",
            "Visits.get&token_auth=x",
            "",
            "1A.get",
        ] {
            assert!(check_method(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_are_recognised_by_their_verb() {
        assert!(is_read_method("VisitsSummary.get"));
        assert!(is_read_method("UsersManager.hasSuperUserAccess"));
        assert!(!is_read_method("SitesManager.addSite"));
        assert!(!is_read_method("PrivacyManager.deleteDataSubjects"));
    }
}
