// The same laundering through `format!`.
use matomo_privacy_mcp_core::models::actions::PageRow;

fn main() {
    let row = PageRow::default();
    let _text: String = format!("{}", row.label);
}
