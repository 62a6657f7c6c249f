use matomo_privacy_mcp_core::matomo_tool;

/// Not a function.
#[matomo_tool]
struct Visits;

fn main() {}
