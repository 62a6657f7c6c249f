//! A custom tool in a few lines: the share of visits per browser, over the typed `DevicesDetection.getBrowsers`
//! report, served over stdio to a desktop AI client.
//!
//! ```sh
//! MATOMO_URL=https://matomo.example.com MATOMO_TOKEN_FILE=~/.matomo-token cargo run -p example-custom-tool
//! ```

use matomo_mcp_core::client::MatomoClient;
use matomo_mcp_core::models::devices_detection::GetBrowsers;
use matomo_mcp_core::params::{Date, Params, Period, Sites};
use matomo_mcp_core::{Classified, ToolError, Toolbox, matomo_tool};
use matomo_mcp_server::{ServerInfo, log_to_stderr, serve_stdio};

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// The Matomo site id.
    site: u32,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Share {
    #[privacy(aggregate)]
    browser: String,
    #[privacy(aggregate)]
    percent_of_visits: f64,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct BrowserShare {
    rows: Vec<Share>,
    /// Browsers left out for having fewer than 5 visits.
    #[privacy(aggregate)]
    suppressed_rows: u64,
}

/// Share of this month's visits per browser, in percent of all visits. Browsers with fewer than 5 visits
/// are left out, so that no row is about a handful of people.
#[matomo_tool(title = "Browser share")]
async fn browser_share(matomo: &MatomoClient, args: Args) -> Result<BrowserShare, ToolError> {
    let params = Params::new()
        .sites(Sites::one(args.site)?)
        .period(Period::Month)
        .date(Date::Today);
    let rows = matomo
        .report::<GetBrowsers>(&params)
        .await?
        .into_one()
        .unwrap_or_default();
    let visits =
        |row: &matomo_mcp_core::models::DimensionRow| row.metrics.nb_visits.map_or(0, |c| c.0);
    let total: u64 = rows.iter().map(visits).sum();
    let (kept, rare): (Vec<_>, Vec<_>) = rows.into_iter().partition(|row| visits(row) >= 5);
    let rows = kept
        .iter()
        .map(|row| Share {
            browser: row.label.clone(),
            percent_of_visits: 100.0 * visits(row) as f64 / total.max(1) as f64,
        })
        .collect();
    Ok(BrowserShare {
        rows,
        suppressed_rows: rare.len() as u64,
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
    let toolbox = Toolbox::with_state(matomo).tool(BrowserShareTool);
    serve_stdio(
        toolbox,
        ServerInfo::new("browser-share", env!("CARGO_PKG_VERSION")),
    )
    .await?;
    Ok(())
}
