//! Tokens and what each may see, checked as Matomo does.

use super::errors::{self, ApiError};
use super::request::ApiRequest;

/// The privileges of one token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Access {
    /// Super user: everything.
    pub super_user: bool,
    /// Sites with view access.
    pub view: Vec<u32>,
    /// Sites with write access.
    pub write: Vec<u32>,
    /// Sites with admin access.
    pub admin: Vec<u32>,
}

impl Access {
    /// Anonymous: no token given (Matomo's anonymous user has no access in a default install).
    pub(crate) fn anonymous() -> Access {
        Access::default()
    }

    /// Whether reports of this site may be read.
    pub(crate) fn can_view(&self, site: u32) -> bool {
        self.super_user
            || self.view.contains(&site)
            || self.write.contains(&site)
            || self.admin.contains(&site)
    }

    /// Site ids with at least view access, sorted.
    pub(crate) fn viewable(&self, all_sites: &[u32]) -> Vec<u32> {
        all_sites
            .iter()
            .copied()
            .filter(|s| self.can_view(*s))
            .collect()
    }

    pub(crate) fn require_view(&self, site: u32) -> Result<(), ApiError> {
        if self.can_view(site) {
            Ok(())
        } else {
            Err(ApiError::denied(errors::view_access(site)))
        }
    }
}

/// Resolves the caller's token. A token in the query string is refused (as Matomo refuses a secure-only
/// token sent over GET), and an unknown token fails authentication: as HTML unless the query string
/// marked the request as an API call.
pub(crate) fn authenticate(
    req: &ApiRequest,
    tokens: &[(String, Access)],
) -> Result<Access, ApiError> {
    let fail = || {
        if req.is_api_by_query() {
            ApiError::denied(errors::BAD_TOKEN)
        } else {
            ApiError::Html {
                message: errors::BAD_TOKEN.into(),
            }
        }
    };
    if req.query.iter().any(|(k, _)| k == "token_auth") {
        return Err(fail());
    }
    let token = req
        .body
        .iter()
        .find(|(k, _)| k == "token_auth")
        .map(|(_, v)| v.as_str());
    match token {
        None | Some("") | Some("anonymous") => Ok(Access::anonymous()),
        Some(t) => tokens
            .iter()
            .find(|(known, _)| known == t)
            .map(|(_, a)| a.clone())
            .ok_or_else(fail),
    }
}
