// A truly recursive row: every level's classes count, checked by type identity.
use matomo_privacy_mcp_core::privacy::Identifying;
use matomo_privacy_mcp_core::{Classified, PrivacyClass};

#[derive(serde::Serialize, Classified)]
struct Row {
    #[privacy(aggregate)]
    nb_visits: u64,
    label: Identifying<String>,
    subtable: Vec<Row>,
    parent: Option<Box<Self>>,
}

fn main() {
    assert_eq!(Row::MAX_CLASS, PrivacyClass::Identifying);
    let paths: Vec<String> = Row::fields().iter().map(|f| f.path.clone()).collect();
    assert_eq!(paths, ["nb_visits", "label"]);
}
