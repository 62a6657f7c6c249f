//! `SegmentEditor.getAll`: the segments saved in Matomo's segment editor that a token may use.
//!
//! Matomo answers the rows of its `segment` table, every value a string. A saved segment's
//! definition is as identifying as the dimensions it filters on (a segment on `userId` holds a
//! user id), its name is free text written by whoever saved it, and `login` names that person.

use crate::models::Count;

classified_fields! {
    /// One saved segment.
    pub struct SavedSegment {
        /// Its id.
        (aggregate) idsegment: Count,
        /// Its name: free text, which can name anyone (a segment named after the person it selects).
        (identifying) name: String,
        /// The segment definition in Matomo's grammar; its values can be user ids or IP addresses.
        (identifying) definition: String,
        /// The Matomo login of who saved it.
        (identifying) login: String,
        /// The site it is saved for; 0 for every site.
        (aggregate) enable_only_idsite: Count,
        /// 1 when every user may use it.
        (aggregate) enable_all_users: Count,
        /// 1 when Matomo pre-processes its reports.
        (aggregate) auto_archive: Count,
    }
}

/// The method. With `idSite`, the segments saved for that site and for every site.
pub const GET_ALL: &str = "SegmentEditor.getAll";
