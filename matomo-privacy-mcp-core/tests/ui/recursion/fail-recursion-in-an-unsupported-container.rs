use std::collections::HashMap;

use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
struct Row {
    #[privacy(aggregate)]
    nb_visits: u64,
    children: HashMap<u32, Row>,
}

fn main() {}
