//! Serves a few test tools over stdio: the server the interop test
//! (`tests/interop.rs`) starts for the official Python MCP client.
//!
//! Run with `cargo run -p matomo-privacy-mcp-server --example stdio_test_server`.
//! Logs go to stderr (`RUST_LOG=debug` for more); stdout carries protocol only.

#[path = "../tests/common/tools.rs"]
#[allow(dead_code)]
mod tools;

use matomo_privacy_mcp_server::{ServeError, ServerInfo, log_to_stderr, serve_stdio};

#[tokio::main]
async fn main() -> Result<(), ServeError> {
    log_to_stderr();
    let info = ServerInfo::new("matomo-privacy-mcp-test-server", "0.0.1-test")
        .with_title("matomo-privacy-mcp test tools");
    serve_stdio(tools::test_toolbox(), info).await
}
