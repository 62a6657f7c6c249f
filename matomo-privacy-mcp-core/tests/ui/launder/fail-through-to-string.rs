// The same laundering through `to_string()`.
use matomo_privacy_mcp_core::models::actions::PageRow;

fn main() {
    let row = PageRow::default();
    let _text: String = row.label.to_string();
}
