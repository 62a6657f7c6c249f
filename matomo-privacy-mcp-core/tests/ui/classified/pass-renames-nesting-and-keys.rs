use std::collections::BTreeMap;

use matomo_privacy_mcp_core::privacy::Pseudonym;
use matomo_privacy_mcp_core::{Classified, PeriodLabel, PrivacyClass, SiteId};

#[derive(serde::Serialize, Classified)]
#[serde(rename_all = "camelCase")]
struct Visit {
    #[privacy(aggregate)]
    visit_duration: u32,
    visitor: Pseudonym,
    #[serde(skip)]
    #[allow(dead_code)]
    raw_ip: String,
}

#[derive(serde::Serialize, Classified)]
#[privacy(aggregate)]
enum Device {
    Desktop,
    Smartphone,
}

#[derive(serde::Serialize, Classified)]
struct Report {
    visits: BTreeMap<SiteId, BTreeMap<PeriodLabel, Vec<Visit>>>,
    device: Option<Device>,
}

const MAX: PrivacyClass = Report::MAX_CLASS;

fn main() {
    assert_eq!(MAX, PrivacyClass::Pseudonymous);
}
