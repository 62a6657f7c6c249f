// The laundering tool written the right way: scrub the URL, threshold the rows on Matomo's counts.
use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold, ThresholdedRow};
use matomo_privacy_mcp_core::reporting::SourceRow;
use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Urls {
    rows: Vec<ThresholdedRow>,
}

fn page_urls() -> Vec<SourceRow> {
    Vec::new() // `matomo.report::<GetPageUrls>().site(1).day(Date::Yesterday).send_as().await?`
}

/// Page URLs, scrubbed, each shared by at least five visitors.
#[matomo_tool]
async fn urls() -> Result<Urls, ToolError> {
    let scrubber = Scrubber::builder().build().map_err(|e| ToolError::internal(e.to_string()))?;
    let rows = page_urls().into_iter().map(|row| row.scrubbed_url(&scrubber)).collect();
    Ok(Urls { rows: Threshold::default().apply(rows).rows })
}

fn main() {
    assert_eq!(UrlsTool::MAX_CLASS, PrivacyClass::Aggregate);
}
