use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
#[privacy(aggregate)]
enum Label {
    Known,
    Free(String),
}

fn main() {}
