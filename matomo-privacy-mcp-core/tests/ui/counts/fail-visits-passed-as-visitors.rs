// "Rows are suppressed on week periods": a count of visits passed where visitors are wanted.
use matomo_privacy_mcp_core::minimise::{ReportRow, Scrubber};
use matomo_privacy_mcp_core::reporting::SourceRow;

fn row(matomo_row: SourceRow, scrubber: &Scrubber) -> Option<ReportRow> {
    let visits = matomo_row.visits()?;
    Some(matomo_row.scrubbed_url(scrubber).with_visitors(visits))
}

fn main() {
    let scrubber = Scrubber::builder().build().unwrap();
    let _ = row(SourceRow::default(), &scrubber);
}
