use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
struct Pair(u64, String);

fn main() {}
