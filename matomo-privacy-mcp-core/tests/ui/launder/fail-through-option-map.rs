// The same laundering through `Option::map`.
use matomo_privacy_mcp_core::models::actions::PageRow;

fn first_url(row: &PageRow) -> Option<String> {
    row.url.as_ref().map(|url| url.clone())
}

fn main() {
    let _ = first_url(&PageRow::default());
}
