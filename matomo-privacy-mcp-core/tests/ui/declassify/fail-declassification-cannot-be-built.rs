// A `Declassification` cannot be made by hand: only #[matomo_tool(declassify(...))] makes one.
use matomo_privacy_mcp_core::privacy::Declassification;

fn main() {
    let _ = Declassification { tool: "x", name: "y", reason: "because I say so" };
}
