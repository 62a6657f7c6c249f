use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Out {
    #[privacy(aggregate)]
    n: u64,
}

/// Visits.
#[matomo_tool(name = "visits per day")]
async fn visits() -> Result<Out, ToolError> {
    Ok(Out { n: 1 })
}

fn main() {}
