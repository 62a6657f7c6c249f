use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
struct Row {
    #[privacy(aggregate, identifying)]
    label: String,
}

fn main() {}
