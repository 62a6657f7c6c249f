// The same laundering through a helper function returning `String`.
use matomo_privacy_mcp_core::models::actions::PageRow;

fn label(row: PageRow) -> String {
    row.label
}

fn main() {
    let _ = label(PageRow::default());
}
