use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Out {
    #[privacy(aggregate)]
    n: u64,
}

/// Visits.
#[matomo_tool(declassify(pages::urls = "page paths hold no personal data on this site"))]
async fn visits() -> Result<Out, ToolError> {
    Ok(Out { n: 1 })
}

fn main() {}
