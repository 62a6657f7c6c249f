use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
struct Row {
    #[privacy(aggregate)]
    nb_visits: u64,
    #[privacy(aggregate)]
    subtable: Vec<Row>,
}

fn main() {}
