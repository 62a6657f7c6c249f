// The laundering tool written the right way: scrub the URL, threshold the rows.
use matomo_privacy_mcp_core::minimise::{Metrics, ReportRow, Scrubber, Threshold, ThresholdedRow};
use matomo_privacy_mcp_core::models::actions::PageRow;
use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Urls {
    rows: Vec<ThresholdedRow>,
}

fn page_urls() -> Vec<PageRow> {
    Vec::new()
}

/// Page URLs, scrubbed, each shared by at least five visitors.
#[matomo_tool]
async fn urls() -> Result<Urls, ToolError> {
    let scrubber = Scrubber::builder().build().map_err(|e| ToolError::internal(e.to_string()))?;
    let rows = page_urls()
        .into_iter()
        .filter_map(|row| {
            let url = row.url?;
            let visits = row.metrics.nb_visits?.0 as f64;
            Some(ReportRow::new(scrubber.url(&url), Metrics::new().with("nb_visits", visits)))
        })
        .collect();
    Ok(Urls { rows: Threshold::default().apply(rows).rows })
}

fn main() {
    assert_eq!(UrlsTool::MAX_CLASS, PrivacyClass::Aggregate);
}
