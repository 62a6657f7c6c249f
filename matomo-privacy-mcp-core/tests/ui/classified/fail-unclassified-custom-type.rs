use matomo_privacy_mcp_core::Classified;

struct Referrer {
    url: String,
}

#[derive(Classified)]
struct Visit {
    #[privacy(aggregate)]
    actions: u32,
    referrer: Referrer,
}

fn main() {}
