use matomo_privacy_mcp_core::Classified;

#[derive(serde::Serialize, Classified)]
struct PageRow {
    #[privacy(aggregate)]
    nb_hits: u64,
    label: String,
}

fn main() {}
