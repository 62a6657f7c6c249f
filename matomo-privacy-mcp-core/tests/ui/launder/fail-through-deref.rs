// The same laundering through `Deref` / `as_str()`.
use matomo_privacy_mcp_core::models::actions::PageRow;

fn main() {
    let row = PageRow::default();
    let _text: &str = &row.label;
}
