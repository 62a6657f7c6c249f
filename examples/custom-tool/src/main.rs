//! A custom tool in a few lines: the share of visits per browser, over the typed `DevicesDetection.getBrowsers`
//! report, served over stdio to a desktop AI client.
//!
//! ```sh
//! MATOMO_URL=https://matomo.example.com MATOMO_TOKEN_FILE=~/.matomo-token cargo run -p example-custom-tool
//! ```

use matomo_privacy_mcp_core::client::MatomoClient;
use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold, ThresholdedRow, VisitCount};
use matomo_privacy_mcp_core::models::devices_detection::GetBrowsers;
use matomo_privacy_mcp_core::params::Date;
use matomo_privacy_mcp_core::reporting::SourceRow;
use matomo_privacy_mcp_core::tool::{GuardedState, SecretGuard};
use matomo_privacy_mcp_core::{Classified, ToolError, Toolbox, matomo_tool};
use matomo_privacy_mcp_server::{ServerInfo, log_to_stderr, serve_stdio};

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// The Matomo site id.
    site: u32,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct BrowserShare {
    /// Browsers with their visits and `percent_of_visits`; each row describes at least 5 visitors.
    rows: Vec<ThresholdedRow>,
    /// Browsers merged into "Other" (or left out) for having fewer than 5 visitors.
    #[privacy(aggregate)]
    suppressed_rows: u64,
}

/// What the tool needs: the typed client and the SDK's transforms.
struct State {
    matomo: MatomoClient,
    scrubber: Scrubber,
    threshold: Threshold,
}

/// The client's token guard, which `Toolbox::guarded` installs: no result can carry the token.
impl GuardedState for State {
    fn secret_guards(&self) -> Vec<SecretGuard> {
        self.matomo.secret_guards()
    }
}

/// Share of yesterday's visits per browser, in percent of all visits. Browsers with fewer than 5 distinct
/// visitors are left out, so that no row is about a handful of people.
#[matomo_tool(title = "Browser share")]
async fn browser_share(state: &State, args: Args) -> Result<BrowserShare, ToolError> {
    // Each row's label, known metrics and the counts Matomo sent with it.
    let rows: Vec<SourceRow> = state
        .matomo
        .report::<GetBrowsers>()
        .site(args.site)
        // A day: Matomo counts each row's distinct visitors, which the threshold relies on.
        .day(Date::Yesterday)
        .send_as()
        .await?;
    let total: u64 = rows
        .iter()
        .filter_map(SourceRow::visits)
        .map(VisitCount::get)
        .sum();
    // Browser names are a fixed vocabulary; scrubbing costs nothing, and the threshold (which
    // needs scrubbed labels and believes only Matomo's counts) decides what may be shown.
    let rows = rows
        .into_iter()
        .map(|row| row.scrubbed_text(&state.scrubber))
        .collect();
    let mut thresholded = state.threshold.apply(rows);
    // A metric the SDK does not know is not shown by the threshold; a share of the total,
    // computed from rows that passed, is added after it.
    for row in &mut thresholded.rows {
        let share = 100.0 * row.visits() as f64 / total.max(1) as f64;
        row.metrics.set("percent_of_visits", share);
    }
    Ok(BrowserShare {
        rows: thresholded.rows,
        suppressed_rows: thresholded.suppressed_rows as u64,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    log_to_stderr(); // stdout carries the MCP protocol only
    let url = std::env::var("MATOMO_URL").map_err(|_| "set MATOMO_URL to your Matomo's address")?;
    let token = match std::env::var("MATOMO_TOKEN_FILE") {
        Ok(path) => std::fs::read_to_string(path)?.trim().to_owned(),
        Err(_) => {
            std::env::var("MATOMO_TOKEN").map_err(|_| "set MATOMO_TOKEN_FILE (or MATOMO_TOKEN)")?
        }
    };
    let matomo = MatomoClient::builder(url).token(token).build()?;
    let state = State {
        matomo,
        scrubber: Scrubber::builder().build()?,
        threshold: Threshold::default(),
    };
    let toolbox = Toolbox::guarded(state).tool(BrowserShareTool);
    serve_stdio(
        toolbox,
        ServerInfo::new("browser-share", env!("CARGO_PKG_VERSION")),
    )
    .await?;
    Ok(())
}
