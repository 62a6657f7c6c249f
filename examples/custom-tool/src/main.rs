//! A custom tool in a few lines: the share of visits per browser, over the typed `DevicesDetection.getBrowsers`
//! report and the SDK's report query, served over stdio to a desktop AI client.
//!
//! ```sh
//! MATOMO_URL=https://matomo.example.com MATOMO_TOKEN_FILE=~/.matomo-token cargo run -p example-custom-tool
//! ```

use matomo_privacy_mcp_core::models::devices_detection::GetBrowsers;
use matomo_privacy_mcp_core::reporting::{Deployment, Labels, ReportArgs, ReportOutput};
use matomo_privacy_mcp_core::{MatomoClient, ToolError, Toolbox, matomo_tool};
use matomo_privacy_mcp_server::{ServerInfo, log_to_stderr, serve_stdio};

/// Browsers by visits for one period (default: yesterday), each with `percent_of_visits`, its share of the
/// visits in the rows shown. Browsers with fewer than 5 distinct visitors are left out, so that no row is about
/// a handful of people.
#[matomo_tool(title = "Browser share", render = matomo_privacy_mcp_core::reporting::render_report)]
async fn browser_share(
    deployment: &Deployment,
    args: ReportArgs,
) -> Result<ReportOutput, ToolError> {
    // The same path as the built-in tools: site check, segment rules, scrubbing, each row's distinct
    // visitors proven by Matomo, the threshold, and noise and budget when the deployment has them.
    let mut report = deployment
        .report::<GetBrowsers>(&args)
        .labels(Labels::Text)
        .run()
        .await?;
    // The share is computed from the numbers shown (noisy ones, with noise on): nothing new is revealed.
    let shown: f64 = report
        .rows
        .iter()
        .filter_map(|row| row.metrics.get("nb_visits"))
        .sum();
    for row in &mut report.rows {
        let visits = row.metrics.get("nb_visits").unwrap_or(0.0);
        row.metrics
            .set("percent_of_visits", 100.0 * visits / shown.max(1.0));
    }
    Ok(report)
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
    let client = MatomoClient::builder(url).token(token).build()?;
    // Asks Matomo what the token may do: view access only, or it refuses to start.
    let deployment = Deployment::builder(client).build().await?;
    // The toolbox guards the token and takes the deployment's ceiling.
    let toolbox = Toolbox::with_state(deployment).tool(BrowserShareTool);
    serve_stdio(
        toolbox,
        ServerInfo::new("browser-share", env!("CARGO_PKG_VERSION")),
    )
    .await?;
    Ok(())
}
