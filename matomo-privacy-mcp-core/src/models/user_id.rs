//! `UserId.getUsers`: one row per logged-in user. Each row describes one person.

use super::VisitMetrics;
use crate::privacy::{Identifying, Pseudonymous};

classified_fields! {
    /// A `UserId.getUsers` row: the user id is **identifying** (often an email), the
    /// visitor id **pseudonymous**.
    pub struct UserRow {
        /// The User ID set by the site.
        pub label: Identifying<String>,
        /// Matomo's visitor id for the user (lower-case hex).
        (typed) idvisitor: Pseudonymous<String>,
        /// A segment selecting the user (`userId==…`).
        (typed) segment: Identifying<String>,
        /// The user's metrics.
        #[serde(flatten)]
        pub metrics: VisitMetrics,
    }
}

report! {
    /// `UserId.getUsers`: visits per User ID.
    GetUsers = "UserId.getUsers" => Vec<UserRow>;
}
