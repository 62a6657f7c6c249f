// A custom tool that thresholds Matomo's own counts: rows read by the client keep the distinct
// visitors Matomo sent with them; a merged count is the larger of two lower bounds.
use matomo_privacy_mcp_core::client::MatomoClient;
use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold, ThresholdedRow, VisitorCount};
use matomo_privacy_mcp_core::models::actions::GetPageUrls;
use matomo_privacy_mcp_core::params::Date;
use matomo_privacy_mcp_core::reporting::SourceRow;
use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Pages {
    rows: Vec<ThresholdedRow>,
    #[privacy(aggregate)]
    most_visitors_on_one_page: u64,
}

/// Yesterday's pages, scrubbed, each seen by at least five distinct visitors.
#[matomo_tool]
async fn pages(matomo: &MatomoClient) -> Result<Pages, ToolError> {
    let scrubber = Scrubber::builder().build().map_err(|e| ToolError::internal(e.to_string()))?;
    let rows: Vec<SourceRow> = matomo
        .report::<GetPageUrls>()
        .site(1)
        .day(Date::Yesterday)
        .send_as()
        .await?;
    let most = rows
        .iter()
        .filter_map(SourceRow::visitors)
        .reduce(VisitorCount::max)
        .map_or(0, VisitorCount::get);
    let rows = rows.into_iter().map(|row| row.scrubbed_url(&scrubber)).collect();
    Ok(Pages {
        rows: Threshold::default().apply(rows).rows,
        most_visitors_on_one_page: most,
    })
}

fn main() {
    assert_eq!(PagesTool::MAX_CLASS, PrivacyClass::Aggregate);
}
