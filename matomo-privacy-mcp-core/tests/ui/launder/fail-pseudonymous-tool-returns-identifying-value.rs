// A pseudonymous tool returning a model's identifying value (a URL) next to pseudonyms.
use matomo_privacy_mcp_core::privacy::{Identifying, Pseudonym};
use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Visit {
    visitor: Pseudonym,
    url: Identifying<String>,
}

/// The latest visit.
#[matomo_tool(max_class = pseudonymous)]
async fn latest_visit() -> Result<Visit, ToolError> {
    unimplemented!()
}

fn main() {}
