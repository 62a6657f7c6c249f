use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Out {
    #[privacy(aggregate)]
    n: u64,
}

#[matomo_tool(max_class = secret, name = "has space", colour = "red")]
async fn undocumented() -> Result<Out, ToolError> {
    Ok(Out { n: 1 })
}

/// Not async.
#[matomo_tool]
fn blocking() -> Result<Out, ToolError> {
    Ok(Out { n: 1 })
}

fn main() {}
