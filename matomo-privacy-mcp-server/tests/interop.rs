//! Interoperability with an MCP client this project did not write: the official
//! Python SDK (`mcp` 2.x from PyPI) runs `tests/interop/interop_client.py`
//! against the test server over stdio and over Streamable HTTP.
//!
//! Needs python3 with `mcp` and `jsonschema` (`tests/interop/setup.sh` installs
//! them). Without them the test is skipped with a message, except when `CI` is
//! set: there a missing client is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Stdio;

use common::catalogue_http::CATALOGUE_SERVER;
use common::official_client;
use tokio::process::Command;

const PYTHON_CHECK: &str = "import importlib.metadata as m, sys, mcp, jsonschema, httpx2; \
     sys.exit(0 if m.version('mcp').startswith('2.') else 3)";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/interop_client.py")
}

/// Whether the official client is installed; skips (or, in CI, fails) when not.
async fn client_available() -> bool {
    let probe = Command::new("python3")
        .args(["-c", PYTHON_CHECK])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
    let problem = match probe {
        Ok(status) if status.success() => None,
        Ok(status) if status.code() == Some(3) => {
            Some("the installed `mcp` package is not version 2.x")
        }
        Ok(_) => Some("the Python packages `mcp` (2.x) and `jsonschema` are not installed"),
        Err(_) => Some("python3 is not on PATH"),
    };
    official_client::runs("interop test with the official MCP Python client", problem)
}

async fn run_client(args: &[&str]) {
    run_client_as(common::SERVER_NAME, args).await;
}

async fn run_client_as(server_name: &str, args: &[&str]) {
    let mut command = Command::new("python3");
    command
        .arg(script())
        .args(["--server-name", server_name])
        .args(args)
        .env("PYTHONUNBUFFERED", "1");
    let stdout =
        official_client::run(command, "MCP Python client", "all interop checks passed").await;
    assert!(
        stdout.contains("[legacy]") && stdout.contains("[auto]"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_over_stdio() {
    if !client_available().await {
        return;
    }
    let server = common::stdio_server::stdio_test_server();
    run_client(&["stdio", server.to_str().unwrap()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_over_streamable_http() {
    if !client_available().await {
        return;
    }
    let server = common::start().await;
    run_client(&["http", &server.url, common::TOKEN]).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_calls_every_built_in_tool_over_stdio() {
    if !client_available().await {
        return;
    }
    let server = common::stdio_server::catalogue_stdio_server();
    run_client_as(
        CATALOGUE_SERVER,
        &["--catalogue", "stdio", server.to_str().unwrap()],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_calls_every_built_in_tool_over_streamable_http() {
    if !client_available().await {
        return;
    }
    // Every tool, twice over: more than a day's default budget.
    let server = common::catalogue_http::start("interop", 200.0).await;
    run_client_as(
        CATALOGUE_SERVER,
        &["--catalogue", "http", &server.url, common::TOKEN],
    )
    .await;
    server.shutdown().await;
}
