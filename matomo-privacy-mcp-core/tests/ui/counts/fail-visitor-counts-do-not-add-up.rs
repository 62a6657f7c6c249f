// The sum of two rows' visitors is not a lower bound on their union's (one person can be in both).
use matomo_privacy_mcp_core::minimise::VisitorCount;
use matomo_privacy_mcp_core::reporting::SourceRow;

fn union(a: &SourceRow, b: &SourceRow) -> Option<VisitorCount> {
    Some(a.visitors()? + b.visitors()?)
}

fn main() {
    let _ = union(&SourceRow::default(), &SourceRow::default());
}
