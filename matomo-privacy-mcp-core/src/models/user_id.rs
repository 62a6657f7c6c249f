//! `UserId.getUsers`: one row per logged-in user. Each row describes one person.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::VisitMetrics;
use crate::Classified;
use crate::privacy::{Identifying, Pseudonymous};

/// A `UserId.getUsers` row: the user id is **identifying** (often an email), the
/// visitor id **pseudonymous**.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct UserRow {
    /// The User ID set by the site.
    pub label: Identifying<String>,
    /// Matomo's visitor id for the user (lower-case hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idvisitor: Option<Pseudonymous<String>>,
    /// A segment selecting the user (`userId==…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Identifying<String>>,
    /// The user's metrics.
    #[serde(flatten)]
    pub metrics: VisitMetrics,
}

report! {
    /// `UserId.getUsers`: visits per User ID.
    GetUsers = "UserId.getUsers" => Vec<UserRow>;
}
