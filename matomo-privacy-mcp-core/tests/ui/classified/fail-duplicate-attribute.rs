use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
struct Row {
    #[privacy(aggregate)]
    #[privacy(identifying)]
    label: String,
}

fn main() {}
