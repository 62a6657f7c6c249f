//! Serves the built-in tool catalogue over stdio, backed by an in-process Matomo emulator: the server
//! the interop test (`tests/interop.rs`) drives with the official Python MCP client.
//!
//! Run with `cargo run -p matomo-mcp-server --example catalogue_stdio_server`.

use matomo_mcp_core::catalogue::{self, Deployment};
use matomo_mcp_core::config::Config;
use matomo_mcp_server::{ServerInfo, log_to_stderr, serve_stdio};
use matomo_mcp_testkit::{Day, Emulator};

const TOKEN: &str = "view0123456789abcdef0123456789ab";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    log_to_stderr();
    let today = Day::from_ymd(2026, 11, 26).ok_or("bad date")?;
    let emulator = Emulator::builder()
        .seed(9)
        .today(today)
        .view_token(TOKEN, &[1, 2])
        .start()
        .await?;
    let budget = std::env::temp_dir().join(format!(
        "matomo-mcp-catalogue-budget-{}.json",
        std::process::id()
    ));
    let toml = format!(
        "enabled = true\n[matomo]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\n\
         [privacy.noise]\nbudget_file = \"{}\"\n\
         # a client trying every tool asks more than a day's default budget allows\n\
         budget_per_window = 100.0\n",
        emulator.base_url(),
        budget.display()
    );
    let config = Config::from_toml_str(&toml, |_| None)?;
    let toolbox = catalogue::toolbox(Deployment::connect(&config).await?, None)?;
    serve_stdio(
        toolbox,
        ServerInfo::new("matomo-mcp-catalogue", env!("CARGO_PKG_VERSION")),
    )
    .await?;
    Ok(())
}
