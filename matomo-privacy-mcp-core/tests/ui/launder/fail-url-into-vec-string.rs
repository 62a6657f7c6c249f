// A row's `url` (identifying) copied into a plain `Vec<String>` labelled aggregate.
use matomo_privacy_mcp_core::models::actions::PageRow;
use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Urls {
    #[privacy(aggregate)]
    urls: Vec<String>,
}

fn page_urls() -> Vec<PageRow> {
    Vec::new()
}

/// Page URLs.
#[matomo_tool]
async fn urls() -> Result<Urls, ToolError> {
    let rows = page_urls();
    let urls: Vec<String> = rows.into_iter().filter_map(|row| row.url).collect();
    Ok(Urls { urls })
}

fn main() {}
