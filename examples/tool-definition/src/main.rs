//! Defines one privacy-typed tool, prints its MCP definition and calls it once.
//!
//! Run with `cargo run -p example-tool-definition`.

use matomo_privacy_mcp_core::{Classified, ToolError, Toolbox, matomo_tool};
use serde::{Deserialize, Serialize};

/// Arguments of `top_countries`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct TopCountriesArgs {
    /// How many countries to return (1 to 10).
    #[schemars(range(min = 1, max = 10))]
    limit: u8,
}

/// One country row: aggregate counts only.
#[derive(Serialize, schemars::JsonSchema, Classified)]
struct CountryRow {
    /// ISO 3166-1 alpha-2 code.
    #[privacy(aggregate)]
    code: String,
    /// Visits from that country.
    #[privacy(aggregate)]
    nb_visits: u64,
}

/// The tool's output.
#[derive(Serialize, schemars::JsonSchema, Classified)]
struct TopCountries {
    countries: Vec<CountryRow>,
}

/// Countries with the most visits, from a small built-in sample.
///
/// Returns aggregate visit counts per country; no visitor-level data.
#[matomo_tool(title = "Top countries")]
async fn top_countries(args: TopCountriesArgs) -> Result<TopCountries, ToolError> {
    if !(1..=10).contains(&args.limit) {
        return Err(ToolError::invalid_arguments(
            "`limit` must be between 1 and 10",
        ));
    }
    let sample = [("de", 120), ("fr", 80), ("us", 64), ("nl", 12)];
    let countries = sample
        .into_iter()
        .take(usize::from(args.limit))
        .map(|(code, nb_visits)| CountryRow {
            code: code.to_owned(),
            nb_visits,
        })
        .collect();
    Ok(TopCountries { countries })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let toolbox = Toolbox::new().tool(TopCountriesTool);
    let definitions: Vec<_> = toolbox.list().collect();
    println!(
        "tools/list:\n{}",
        serde_json::to_string_pretty(&definitions)?
    );

    let result = toolbox
        .call("top_countries", Some(serde_json::json!({ "limit": 2 })))
        .await?;
    println!(
        "tools/call top_countries {{\"limit\": 2}}:\n{}",
        serde_json::to_string_pretty(&result.to_json())?
    );
    Ok(())
}
