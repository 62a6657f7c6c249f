use matomo_privacy_mcp_core::Classified;
use matomo_privacy_mcp_core::privacy::Pseudonym;

#[derive(Classified)]
struct Visit {
    #[privacy(aggregate)]
    visitor: Pseudonym,
}

fn main() {}
