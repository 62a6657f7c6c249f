use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Out {
    #[privacy(aggregate)]
    n: u64,
}

struct State;

/// Visits.
#[matomo_tool]
async fn visits(state: &State, site: u32, period: String) -> Result<Out, ToolError> {
    let _ = (state, site, period);
    Ok(Out { n: 1 })
}

fn main() {}
