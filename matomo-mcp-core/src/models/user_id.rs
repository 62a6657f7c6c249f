//! `UserId.getUsers`: one row per logged-in user. Each row describes one person.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::VisitMetrics;
use crate::Classified;

/// A `UserId.getUsers` row: the user id is **identifying** (often an email), the
/// visitor id **pseudonymous**.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct UserRow {
    /// The User ID set by the site.
    #[privacy(identifying)]
    pub label: String,
    /// Matomo's visitor id for the user (lower-case hex).
    #[privacy(pseudonymous)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idvisitor: Option<String>,
    /// A segment selecting the user (`userId==…`).
    #[privacy(identifying)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The user's metrics.
    #[serde(flatten)]
    pub metrics: VisitMetrics,
}

report! {
    /// `UserId.getUsers`: visits per User ID.
    GetUsers = "UserId.getUsers" => Vec<UserRow>;
}
