//! Interoperability with the official TypeScript SDK (`@modelcontextprotocol/sdk` from npm):
//! `tests/interop-ts/client.mjs` initializes, lists and calls every built-in tool over stdio and
//! over Streamable HTTP against the emulator, and validates every `structuredContent` with Ajv in
//! strict JSON Schema 2020-12 mode, failing on any schema warning.
//!
//! Needs node and the packages of `tests/interop-ts` (`tests/interop/setup.sh` installs them).
//! Without them the test is skipped with a message, except when `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::official_client;
use tokio::process::Command;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop-ts")
}

/// Whether node and the SDK are there; skips (or, in CI, fails) when not.
async fn client_available() -> bool {
    let node = Command::new("node").arg("--version").output().await;
    let installed = dir()
        .join("node_modules/@modelcontextprotocol/sdk/package.json")
        .exists()
        && dir().join("node_modules/ajv/package.json").exists();
    let problem = match node {
        Ok(output) if output.status.success() && installed => None,
        Ok(output) if output.status.success() => {
            Some("the npm packages of tests/interop-ts are not installed")
        }
        _ => Some("node is not on PATH"),
    };
    official_client::runs("interop test with the official MCP TypeScript SDK", problem)
}

async fn run_client(args: &[&str]) {
    let mut command = Command::new("node");
    command.current_dir(dir()).arg("client.mjs").args(args);
    official_client::run(
        command,
        "TypeScript MCP client",
        "all ts interop checks passed",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_typescript_client_calls_every_built_in_tool_over_stdio() {
    if !client_available().await {
        return;
    }
    let server = common::stdio_server::catalogue_stdio_server();
    run_client(&["stdio", server.to_str().unwrap()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_typescript_client_calls_every_built_in_tool_over_streamable_http() {
    if !client_available().await {
        return;
    }
    let server = common::catalogue_http::start("interop-ts", 100.0).await;
    run_client(&["http", &server.url, common::TOKEN]).await;
    server.shutdown().await;
}
