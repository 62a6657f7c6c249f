//! The ids Matomo keys multi-site and multi-period responses by: sites and period labels.
//!
//! With `idSite=1,3` or `all` a response is an object keyed by site id; with
//! `date=last7` (and a period other than `range`) an object keyed by period
//! label. Both kinds of key are configuration, not visitor data, so they are
//! [`Aggregate`](crate::PrivacyClass::Aggregate).

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::privacy::{ClassifiedKey, MapKey, PrivacyClass};

/// A Matomo site id (`idSite`), a positive integer.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct SiteId(pub u32);

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ClassifiedKey for SiteId {
    const KEY: MapKey = MapKey {
        name: "idSite",
        class: PrivacyClass::Aggregate,
    };
    type Level = crate::privacy::max_class::aggregate;
}

/// The label of one period in a multi-period response: `2026-11-25` (day),
/// `2026-11-23,2026-11-29` (week), `2026-11` (month) or `2026` (year).
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct PeriodLabel(pub String);

impl fmt::Display for PeriodLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ClassifiedKey for PeriodLabel {
    const KEY: MapKey = MapKey {
        name: "period",
        class: PrivacyClass::Aggregate,
    };
    type Level = crate::privacy::max_class::aggregate;
}
