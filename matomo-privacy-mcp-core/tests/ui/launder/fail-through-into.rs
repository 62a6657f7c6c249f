// The same laundering through `Into<String>`.
use matomo_privacy_mcp_core::models::actions::PageRow;

fn main() {
    let row = PageRow::default();
    let _text: String = row.label.into();
}
