use matomo_privacy_mcp_core::{Classified, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Out {
    #[privacy(aggregate)]
    n: u64,
}

/// Returns a bare value.
#[matomo_tool]
async fn bare() -> Out {
    Out { n: 1 }
}

fn main() {}
