use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Out {
    #[privacy(aggregate)]
    n: u64,
}

#[matomo_tool]
async fn visits() -> Result<Out, ToolError> {
    Ok(Out { n: 1 })
}

fn main() {
    // The stub keeps this line free of a second error.
    let _ = VisitsTool;
}
