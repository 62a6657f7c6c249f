use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct LastVisit {
    #[privacy(aggregate)]
    actions: u32,
    #[serde(rename = "visitorId")]
    #[privacy(pseudonymous)]
    visitor_id: String,
}

/// The most recent visit.
#[matomo_tool]
async fn last_visit() -> Result<LastVisit, ToolError> {
    Ok(LastVisit { actions: 3, visitor_id: "5f2e1c0a9b8d7e6f".into() })
}

fn main() {}
