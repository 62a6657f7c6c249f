// The threshold's input made up: each page row "proven" by its visits times a hundred.
use matomo_privacy_mcp_core::minimise::{ReportRow, Scrubber, Threshold, VisitCount};
use matomo_privacy_mcp_core::reporting::SourceRow;

fn rows(matomo_rows: Vec<SourceRow>, scrubber: &Scrubber) -> Vec<ReportRow> {
    matomo_rows
        .into_iter()
        .map(|row| {
            let visits = row.visits().map_or(0, VisitCount::get);
            row.scrubbed_url(scrubber).with_visitors(visits * 100)
        })
        .collect()
}

fn main() {
    let scrubber = Scrubber::builder().build().unwrap();
    let _ = Threshold::default().apply(rows(Vec::new(), &scrubber));
}
