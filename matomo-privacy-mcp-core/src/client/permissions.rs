//! What the configured token may do, discovered without super-user rights.

use std::collections::BTreeSet;

use serde_json::Value;

use super::envelope::undecodable;
use super::error::ClientError;
use super::token::MatomoToken;
use crate::ids::SiteId;

/// The token's access, from `UsersManager.hasSuperUserAccess` and
/// `SitesManager.getSitesIdWith{AtLeastView,View,Write,Admin}Access`.
///
/// A reporting assistant needs only `view`; a token with more can change
/// or delete data if it leaks, so deployments should check
/// [`is_least_privilege`](Self::is_least_privilege) at start-up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenPermissions {
    /// The token's user is a super user (full access to everything).
    pub super_user: bool,
    /// Sites the token can read, whatever its role there.
    pub at_least_view: BTreeSet<SiteId>,
    /// Sites where the role is exactly `view`.
    pub view: BTreeSet<SiteId>,
    /// Sites where the role is `write`.
    pub write: BTreeSet<SiteId>,
    /// Sites where the role is `admin`.
    pub admin: BTreeSet<SiteId>,
}

impl TokenPermissions {
    /// Whether the token can only read: no super user, no write or admin role anywhere.
    pub fn is_least_privilege(&self) -> bool {
        !self.super_user && self.write.is_empty() && self.admin.is_empty()
    }

    /// The sites the token can read reports of.
    pub fn readable_sites(&self) -> &BTreeSet<SiteId> {
        &self.at_least_view
    }
}

/// `{"value": true}` (or a bare boolean) as answered by `hasSuperUserAccess`.
pub(crate) fn parse_flag(
    method: &str,
    value: &Value,
    token: &MatomoToken,
) -> Result<bool, ClientError> {
    let flag = match value {
        Value::Object(object) => object.get("value").unwrap_or(&Value::Null),
        other => other,
    };
    match flag {
        Value::Bool(flag) => Ok(*flag),
        Value::Number(n) if n.as_u64() == Some(0) || n.as_u64() == Some(1) => {
            Ok(n.as_u64() == Some(1))
        }
        _ => Err(undecodable(
            method,
            "expected {\"value\": true|false}",
            value.to_string().as_bytes(),
            token,
        )),
    }
}

/// A list of site ids, as numbers or numeric strings (`[1,2,3]`, `["1"]`).
pub(crate) fn parse_site_ids(
    method: &str,
    value: &Value,
    token: &MatomoToken,
) -> Result<BTreeSet<SiteId>, ClientError> {
    let bad = || {
        undecodable(
            method,
            "expected a JSON array of site ids",
            value.to_string().as_bytes(),
            token,
        )
    };
    let Value::Array(items) = value else {
        return Err(bad());
    };
    items
        .iter()
        .map(|item| {
            let id = match item {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            };
            id.and_then(|id| u32::try_from(id).ok())
                .filter(|id| *id > 0)
                .map(SiteId)
                .ok_or_else(bad)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::token::test_token;
    use serde_json::json;

    #[test]
    fn flags_and_ids_decode_leniently() {
        assert!(parse_flag("m.x", &json!({"value": true}), &test_token()).unwrap());
        assert!(!parse_flag("m.x", &json!({"value": false}), &test_token()).unwrap());
        assert!(parse_flag("m.x", &json!({"value": "yes"}), &test_token()).is_err());
        let ids = parse_site_ids("m.x", &json!([1, "3", 2]), &test_token()).unwrap();
        assert_eq!(
            ids.into_iter().collect::<Vec<_>>(),
            [SiteId(1), SiteId(2), SiteId(3)]
        );
        assert!(parse_site_ids("m.x", &json!([0]), &test_token()).is_err());
        assert!(parse_site_ids("m.x", &json!({"1": 1}), &test_token()).is_err());
    }

    #[test]
    fn least_privilege_means_view_only() {
        let viewer = TokenPermissions {
            at_least_view: [SiteId(1)].into(),
            view: [SiteId(1)].into(),
            ..TokenPermissions::default()
        };
        assert!(viewer.is_least_privilege());
        let writer = TokenPermissions {
            write: [SiteId(1)].into(),
            ..viewer.clone()
        };
        assert!(!writer.is_least_privilege());
        let root = TokenPermissions {
            super_user: true,
            ..viewer
        };
        assert!(!root.is_least_privilege());
    }
}
