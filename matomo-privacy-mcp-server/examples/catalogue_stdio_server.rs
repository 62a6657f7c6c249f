//! Serves every ready-made tool over stdio, backed by an in-process Matomo emulator: the server
//! the interop tests (`tests/interop.rs`) drive with the official Python
//! and TypeScript MCP clients. Without noise: the HTTP catalogue of those tests has it on.
//!
//! Run with `cargo run -p matomo-privacy-mcp-server --example catalogue_stdio_server`.

#[path = "../tests/common/emulated.rs"]
mod emulated;

use matomo_privacy_mcp_core::testing::{self, TOKEN};
use matomo_privacy_mcp_server::{ServerInfo, log_to_stderr, serve_stdio};
use matomo_privacy_mcp_tools as tools;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    log_to_stderr();
    let emulator = testing::emulator(9, &[1, 2]).await;
    // Exact numbers (noise off), so that the tools answering only so are served and called
    // too; the HTTP catalogue of the interop tests runs with noise on.
    let deployment = emulated::deployment(&emulator.base_url(), TOKEN, None).await;
    let toolbox = tools::toolbox(deployment, |_| true)?;
    serve_stdio(
        toolbox,
        ServerInfo::new("matomo-privacy-mcp-catalogue", env!("CARGO_PKG_VERSION"))
            .with_title("Matomo analytics (test catalogue)")
            .with_description("The built-in tools over the Matomo emulator.")
            .with_website_url(env!("CARGO_PKG_HOMEPAGE"))
            .with_instructions("Start with `list_sites`; labels are visitor text."),
    )
    .await?;
    Ok(())
}
