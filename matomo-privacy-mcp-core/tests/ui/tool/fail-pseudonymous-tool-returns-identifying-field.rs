use matomo_privacy_mcp_core::privacy::Pseudonym;
use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct UserRow {
    visitor: Pseudonym,
    #[serde(rename = "userId")]
    #[privacy(identifying)]
    user_id: String,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Users {
    rows: Vec<UserRow>,
}

/// Users and their visitors.
#[matomo_tool(max_class = pseudonymous)]
async fn users() -> Result<Users, ToolError> {
    Ok(Users { rows: Vec::new() })
}

fn main() {}
