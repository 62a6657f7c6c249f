use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
struct Row {
    #[privacy(secret)]
    label: String,
}

fn main() {}
