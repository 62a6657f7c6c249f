//! Typed responses of the Matomo Reporting API, each field with its privacy class.
//!
//! Every response type derives [`Classified`](crate::Classified), with each
//! field classified as in the Matomo API reference: metrics are aggregate; page
//! URLs and titles, search keywords, user ids and IP addresses are identifying;
//! visitor ids, fingerprints, visit ids, timestamps and coordinates are
//! pseudonymous.
//!
//! Decoding is the first minimisation step: serde drops every field a type does
//! not name, and no type holds a catch-all map or raw JSON, so what is not
//! typed is never passed on. Report metadata, for example, leaves out
//! `imageGraphUrl`, which embeds the caller's `token_auth`.
//!
//! Numbers decode leniently ([`Count`], [`Metric`], [`Rate`], [`Seconds`]):
//! Matomo sends `17`, `"17"` or `"45%"` depending on the method and
//! `format_metrics`. Rates are always fractions.
//!
//! # Picking the type
//!
//! Each Matomo area has a module with marker types implementing [`Report`]
//! (`actions::GetPageUrls`, `visits_summary::Get`, …). `R::Output` is the
//! response for one site and one period. The caller knows whether it asked for
//! several periods or sites and wraps the output accordingly:
//!
//! | Request | Type to decode |
//! |---|---|
//! | one site, one period | `R::Output` |
//! | `date=last7` (period ≠ `range`) | [`PerPeriod<R::Output>`] |
//! | `idSite=1,2` or `all` | [`PerSite<R::Output>`] |
//! | both | `PerSite<PerPeriod<R::Output>>` |
//!
//! [`decode`] reads a body into that type and turns Matomo's
//! `{"result":"error"}` body into [`DecodeError::Matomo`]; [`split_bulk`] does
//! the same item by item for `API.getBulkRequest`.

#[macro_use]
mod declare;

mod absent;
pub(crate) mod answer;
mod bulk;
mod duration;
mod error;
mod flag;
mod goal_metrics;
mod money;
mod nested;
mod number;
mod overlap;
mod rate;
mod report;
mod row;
pub(crate) mod summed;

pub mod actions;
pub mod annotations;
pub mod api;
pub mod contents;
pub mod devices_detection;
pub mod events;
pub mod goals;
pub mod live;
pub mod multi_sites;
pub mod page_performance;
pub mod referrers;
pub mod segment_editor;
pub mod sites_manager;
pub mod user_country;
pub mod user_id;
pub mod users_manager;
pub mod visit_frequency;
pub mod visit_time;
pub mod visitor_interest;
pub mod visits_summary;

pub use bulk::{BulkItem, split_bulk};
pub use duration::Seconds;
pub use error::{DecodeError, ErrorPayload, decode, decode_value};
pub(crate) use error::{error_message, starts_array};
pub use flag::Flag;
pub use goal_metrics::{GoalKey, GoalMetrics, GoalsByKey};
pub use money::Money;
pub use nested::{OrEmpty, PerPeriod, PerSite};
pub use number::{Count, Metric};
pub use overlap::Overlap;
pub use rate::Rate;
pub use report::Report;
pub use row::{DimensionRow, Expanded, LabelledRow, Tree, VisitMetrics};
pub use visits_summary::VisitsSummary;
