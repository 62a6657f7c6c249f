// The same laundering through a closure that promises a `String`.
use matomo_privacy_mcp_core::models::actions::PageRow;

fn main() {
    let label_of = |row: &PageRow| -> String { row.label.clone() };
    let _ = label_of(&PageRow::default());
}
