//! Least privilege: the token may only read, and only the sites the operator allows.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::client::TokenPermissions;
use crate::{SiteId, ToolError};

const HOW_TO_FIX: &str = "create a dedicated token for a Matomo user with view access only to the sites to expose \
     (Administration > Personal > Security > Auth tokens, \"Only allow secure requests\" on), \
     or set `matomo.allow_privileged_token = true` if you accept the risk";

/// Why the server refuses to serve with this token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrivilegeError {
    /// The token's user is a super user.
    #[error(
        "the Matomo token has super-user access, far more than reading reports needs; {HOW_TO_FIX}"
    )]
    SuperUser,
    /// The token may change sites.
    #[error(
        "the Matomo token has {role} access to sites {sites}; reading reports needs only view access; {HOW_TO_FIX}"
    )]
    WriteAccess {
        /// `write` or `admin`.
        role: &'static str,
        /// The sites, comma-separated.
        sites: String,
    },
    /// No site is readable once the allow-list is applied.
    #[error(
        "the Matomo token can read none of the allowed sites ({allowed}); it can read {readable}; \
         fix `matomo.allowed_sites` or give the token view access"
    )]
    NoReadableSite {
        /// The allow-list.
        allowed: String,
        /// What the token can read.
        readable: String,
    },
}

/// The sites the server may read: the token's view access intersected with the allow-list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteAccess {
    sites: BTreeSet<SiteId>,
    summary: String,
}

impl SiteAccess {
    /// Checks a token's permissions against least privilege and the allow-list.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use matomo_privacy_mcp_core::client::TokenPermissions;
    /// use matomo_privacy_mcp_core::policy::SiteAccess;
    /// use matomo_privacy_mcp_core::SiteId;
    ///
    /// let sites = |ids: &[u32]| ids.iter().map(|&i| SiteId(i)).collect::<BTreeSet<_>>();
    /// let view_only = TokenPermissions {
    ///     super_user: false,
    ///     at_least_view: sites(&[1, 2, 3]),
    ///     view: sites(&[1, 2, 3]),
    ///     write: sites(&[]),
    ///     admin: sites(&[]),
    /// };
    /// let access = SiteAccess::check(&view_only, false, Some(&[2, 3, 9])).unwrap();
    /// assert!(access.check_site(SiteId(2)).is_ok());
    /// assert!(access.check_site(SiteId(1)).is_err());
    /// ```
    pub fn check(
        permissions: &TokenPermissions,
        allow_privileged: bool,
        allowed_sites: Option<&[u32]>,
    ) -> Result<SiteAccess, PrivilegeError> {
        if !allow_privileged {
            if permissions.super_user {
                return Err(PrivilegeError::SuperUser);
            }
            for (role, sites) in [("admin", &permissions.admin), ("write", &permissions.write)] {
                if !sites.is_empty() {
                    return Err(PrivilegeError::WriteAccess {
                        role,
                        sites: list(sites),
                    });
                }
            }
        }
        let readable = permissions.readable_sites();
        let sites: BTreeSet<SiteId> = match allowed_sites {
            Some(allowed) => allowed
                .iter()
                .map(|&id| SiteId(id))
                .filter(|id| readable.contains(id))
                .collect(),
            None => readable.clone(),
        };
        if sites.is_empty() {
            let allowed = allowed_sites
                .map(|a| a.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
                .unwrap_or_else(|| "all".to_owned());
            return Err(PrivilegeError::NoReadableSite {
                allowed,
                readable: or_none(list(readable)),
            });
        }
        let mut summary = String::new();
        let _ = write!(summary, "serving sites {}", list(&sites));
        if permissions.is_least_privilege() {
            summary.push_str("; the token has view access only");
        } else {
            summary.push_str("; WARNING: the token has more than view access (allowed by matomo.allow_privileged_token)");
        }
        Ok(SiteAccess { sites, summary })
    }

    /// Refuses a site outside the allowed, readable ones.
    pub fn check_site(&self, site: SiteId) -> Result<(), ToolError> {
        if self.sites.contains(&site) {
            Ok(())
        } else {
            Err(ToolError::policy_refusal(format!(
                "site {site} is not served by this deployment; the sites served are {}",
                list(&self.sites)
            )))
        }
    }

    /// The sites served.
    pub fn sites(&self) -> &BTreeSet<SiteId> {
        &self.sites
    }

    /// One line for the privacy manifest and the `check` command.
    pub fn summary(&self) -> &str {
        &self.summary
    }
}

fn list(sites: &BTreeSet<SiteId>) -> String {
    sites
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn or_none(text: String) -> String {
    if text.is_empty() {
        "none".to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(ids: &[u32]) -> BTreeSet<SiteId> {
        ids.iter().map(|&i| SiteId(i)).collect()
    }

    fn perms(super_user: bool, view: &[u32], write: &[u32], admin: &[u32]) -> TokenPermissions {
        let all: Vec<u32> = view.iter().chain(write).chain(admin).copied().collect();
        TokenPermissions {
            super_user,
            at_least_view: sites(&all),
            view: sites(view),
            write: sites(write),
            admin: sites(admin),
        }
    }

    #[test]
    fn privileged_tokens_are_refused_with_how_to_fix() {
        let err = SiteAccess::check(&perms(true, &[1], &[], &[]), false, None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the Matomo token has super-user access"),
            "{err}"
        );
        assert!(err.to_string().contains("view access only"), "{err}");
        let err = SiteAccess::check(&perms(false, &[1], &[2, 3], &[]), false, None).unwrap_err();
        assert_eq!(
            err,
            PrivilegeError::WriteAccess {
                role: "write",
                sites: "2, 3".into()
            }
        );
        let err = SiteAccess::check(&perms(false, &[], &[], &[4]), false, None).unwrap_err();
        assert!(err.to_string().contains("admin access to sites 4"), "{err}");
    }

    #[test]
    fn the_override_serves_with_a_warning() {
        let access = SiteAccess::check(&perms(true, &[1], &[], &[]), true, None).unwrap();
        assert!(access.summary().contains("WARNING"));
    }

    #[test]
    fn the_allow_list_intersects_view_access() {
        let access =
            SiteAccess::check(&perms(false, &[1, 2], &[], &[]), false, Some(&[2, 5])).unwrap();
        assert_eq!(access.sites(), &sites(&[2]));
        let err = access.check_site(SiteId(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refused by privacy policy: site 1 is not served by this deployment; the sites served are 2"
        );
        let err = SiteAccess::check(&perms(false, &[1], &[], &[]), false, Some(&[7])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the Matomo token can read none of the allowed sites (7); it can read 1; fix `matomo.allowed_sites` or give the token view access"
        );
    }
}
