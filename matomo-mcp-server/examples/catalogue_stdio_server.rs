//! Serves every ready-made tool over stdio, backed by an in-process Matomo emulator: the server
//! the interop test (`tests/interop.rs`) drives with the official Python MCP client.
//!
//! Run with `cargo run -p matomo-mcp-server --example catalogue_stdio_server`.

#[path = "../tests/common/emulated.rs"]
mod emulated;

use matomo_mcp_core::reporting::tools;
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
    // A client trying every tool asks more than a day's default budget allows.
    let deployment =
        emulated::deployment(&emulator.base_url(), TOKEN, Some((&budget, 100.0))).await;
    let toolbox = tools::toolbox(deployment, |_| true)?;
    serve_stdio(
        toolbox,
        ServerInfo::new("matomo-mcp-catalogue", env!("CARGO_PKG_VERSION")),
    )
    .await?;
    Ok(())
}
