use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
#[privacy(aggregate)]
struct Row {
    #[privacy(aggregate)]
    nb_visits: u64,
}

fn main() {}
