//! A small toolbox of test tools, shared by the integration tests and the
//! `stdio_test_server` example (which the interop test runs as a child process).

use std::time::Duration;

use matomo_privacy_mcp_core::{Classified, ToolError, Toolbox, matomo_tool};

/// Arguments of `add`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddArgs {
    /// First term.
    pub a: i64,
    /// Second term.
    pub b: i64,
}

/// The sum.
#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
pub struct Sum {
    /// `a + b`.
    #[privacy(aggregate)]
    pub sum: i64,
}

/// Adds two integers.
#[matomo_tool(title = "Add", render = render_sum)]
pub async fn add(args: AddArgs) -> Result<Sum, ToolError> {
    args.a
        .checked_add(args.b)
        .map(|sum| Sum { sum })
        .ok_or_else(|| ToolError::invalid_arguments("`a + b` overflows a 64-bit integer"))
}

fn render_sum(sum: &Sum) -> String {
    format!("The sum is {}.", sum.sum)
}

/// Arguments of `top_countries`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopArgs {
    /// How many countries to return (1 to 4).
    #[schemars(range(min = 1, max = 4))]
    pub limit: u8,
}

/// One country row.
#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
pub struct CountryRow {
    /// ISO 3166-1 alpha-2 code.
    #[privacy(aggregate)]
    pub code: String,
    /// Visits from that country.
    #[privacy(aggregate)]
    pub nb_visits: u64,
}

/// The countries.
#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
pub struct TopCountries {
    /// Rows, most visits first.
    pub countries: Vec<CountryRow>,
}

/// Countries with the most visits, from a fixed sample.
#[matomo_tool(title = "Top countries")]
pub async fn top_countries(args: TopArgs) -> Result<TopCountries, ToolError> {
    if !(1..=4).contains(&args.limit) {
        return Err(ToolError::invalid_arguments(
            "`limit` must be between 1 and 4",
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

/// Arguments of `slow`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlowArgs {
    /// How long to wait, in milliseconds (at most 5000).
    pub millis: u64,
}

/// How long the call waited.
#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
pub struct Waited {
    /// Milliseconds waited.
    #[privacy(aggregate)]
    pub waited_ms: u64,
}

/// Waits, then answers: keeps a request in flight.
#[matomo_tool(title = "Slow")]
pub async fn slow(args: SlowArgs) -> Result<Waited, ToolError> {
    if args.millis > 5000 {
        return Err(ToolError::invalid_arguments(
            "`millis` must be at most 5000",
        ));
    }
    tokio::time::sleep(Duration::from_millis(args.millis)).await;
    Ok(Waited {
        waited_ms: args.millis,
    })
}

/// The test toolbox.
pub fn test_toolbox() -> Toolbox {
    Toolbox::new()
        .tool(AddTool)
        .tool(TopCountriesTool)
        .tool(SlowTool)
}
