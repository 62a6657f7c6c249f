// A custom tool reading the exact counts behind a shown row: with noise on, its metrics are the
// noisy release, and the threshold's own visitors and visits must stay out of reach.
use matomo_privacy_mcp_core::minimise::ThresholdedRow;

fn exact(row: &ThresholdedRow) -> (u64, u64) {
    (row.visitors(), row.visits())
}

fn main() {
    let _ = exact;
}
