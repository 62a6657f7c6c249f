//! `Annotations.getAll`: notes the site's operators attached to days of its reports.

use crate::models::Flag;

classified_fields! {
    /// One annotation. Matomo answers `{"<idSite>": [annotation, …]}`.
    #[serde(rename_all = "camelCase")]
    pub struct Annotation {
        /// The day it is about (`2026-11-14`).
        (aggregate) date: String,
        /// Its text: written by an operator, but free text, which can name anyone.
        (identifying) note: String,
        /// Whether it is starred (Matomo sends `1`/`0`; booleans decode too).
        (aggregate) starred: Flag,
        /// The Matomo login of its author.
        (identifying) user: String,
    }
}

/// The method.
pub const GET_ALL: &str = "Annotations.getAll";
