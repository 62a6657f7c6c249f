use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Action {
    #[privacy(aggregate)]
    #[serde(rename = "timeSpent")]
    time_spent: u32,
    #[privacy(identifying)]
    url: String,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
#[serde(rename_all = "camelCase")]
struct Visit {
    #[privacy(aggregate)]
    visit_duration: u32,
    action_details: Vec<Action>,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct VisitLog {
    visits: Vec<Visit>,
}

/// Recent visits with their actions.
#[matomo_tool(name = "visit_log", max_class = aggregate)]
async fn visit_log() -> Result<VisitLog, ToolError> {
    Ok(VisitLog { visits: Vec::new() })
}

fn main() {}
