//! `Live.*`: the visitor log and visitor profiles.
//!
//! Every visit row describes one visit, so these types are at least
//! **pseudonymous**: visitor ids, fingerprints, visit ids and timestamps single
//! a visitor out; IP addresses, user ids, page URLs and titles, search keywords
//! and referrer URLs are **identifying**. A tool at the aggregate ceiling can
//! use only [`LiveCounters`].

mod action;
mod profile;
mod visit;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use action::{ActionDetail, ActionFields, ItemDetail};
pub use profile::{
    FirstOrLastVisit, GoalTotals, ProfileDevice, ProfilePlace, VisitedPage, VisitorProfile,
};
pub use visit::{Visit, VisitFields};

use super::{Count, OrEmpty};
use crate::Classified;

/// `Live.getCounters`: activity in the last N minutes. Aggregate counts.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
#[serde(rename_all = "camelCase")]
pub struct LiveCounters {
    /// Visits.
    #[privacy(aggregate)]
    #[serde(default)]
    pub visits: Count,
    /// Actions.
    #[privacy(aggregate)]
    #[serde(default)]
    pub actions: Count,
    /// Visitors.
    #[privacy(aggregate)]
    #[serde(default)]
    pub visitors: Count,
    /// Visits that converted.
    #[privacy(aggregate)]
    #[serde(default)]
    pub visits_converted: Count,
}

report! {
    /// `Live.getCounters`: visits, actions and visitors in the last `lastMinutes`.
    GetCounters = "Live.getCounters" => Vec<LiveCounters>;
    /// `Live.getLastVisitsDetails`: the most recent visits, with their actions.
    GetLastVisitsDetails = "Live.getLastVisitsDetails" => Vec<Visit>;
    /// `Live.getVisitorProfile`: one visitor's history; `[]` for an unknown visitor.
    GetVisitorProfile = "Live.getVisitorProfile" => OrEmpty<VisitorProfile>;
}
