use matomo_privacy_mcp_core::matomo_tool;

/// Visits.
#[matomo_tool]
async fn visits() {}

fn main() {}
