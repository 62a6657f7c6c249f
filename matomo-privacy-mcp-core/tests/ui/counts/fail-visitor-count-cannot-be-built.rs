// A count of visitors is only made by the SDK, from Matomo.
use matomo_privacy_mcp_core::minimise::VisitorCount;

fn main() {
    let _forged = VisitorCount(1000);
}
