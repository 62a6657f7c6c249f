use std::collections::BTreeMap;

use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
struct Count {
    #[privacy(aggregate)]
    nb_visits: u64,
}

#[derive(Classified)]
struct ByUser {
    users: BTreeMap<String, Count>,
}

fn main() {}
