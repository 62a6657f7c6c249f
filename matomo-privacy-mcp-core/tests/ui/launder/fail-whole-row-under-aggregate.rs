// The typed row itself returned by an aggregate tool: its identifying fields raise the output's class.
use matomo_privacy_mcp_core::models::actions::PageRow;
use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Pages {
    rows: Vec<PageRow>,
}

/// Pages.
#[matomo_tool]
async fn pages() -> Result<Pages, ToolError> {
    Ok(Pages { rows: Vec::new() })
}

fn main() {}
