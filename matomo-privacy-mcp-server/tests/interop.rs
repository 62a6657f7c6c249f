//! Interoperability with MCP clients this project did not write: the official Python SDK
//! (`mcp` 2.x from PyPI) runs `tests/interop/interop_client.py` against the test server, and both
//! it and the official TypeScript SDK (`@modelcontextprotocol/sdk` from npm, running
//! `tests/interop-ts/client.mjs`, which validates every `structuredContent` with Ajv in strict
//! JSON Schema 2020-12 mode and fails on any schema warning) call every built-in tool of the
//! catalogue over the emulator, over stdio and over Streamable HTTP.
//!
//! Needs python3 with `mcp` and `jsonschema`, and node with the packages of `tests/interop-ts`
//! (`tests/interop/setup.sh` installs them). A missing client is skipped with a message, except
//! when `CI` is set: there it is a failure.
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

fn typescript_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop-ts")
}

/// Whether the official Python client is installed; skips (or, in CI, fails) when not.
async fn python_available() -> bool {
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

/// Whether node and the TypeScript SDK are there; skips (or, in CI, fails) when not.
async fn typescript_available() -> bool {
    let node = Command::new("node").arg("--version").output().await;
    let installed = typescript_dir()
        .join("node_modules/@modelcontextprotocol/sdk/package.json")
        .exists()
        && typescript_dir()
            .join("node_modules/ajv/package.json")
            .exists();
    let problem = match node {
        Ok(output) if output.status.success() && installed => None,
        Ok(output) if output.status.success() => {
            Some("the npm packages of tests/interop-ts are not installed")
        }
        _ => Some("node is not on PATH"),
    };
    official_client::runs("interop test with the official MCP TypeScript SDK", problem)
}

/// Both official clients, each that is installed, call every built-in tool of the catalogue
/// server that `transport` (`stdio <binary>` or `http <url> <token>`) reaches.
async fn both_clients_call_every_tool(transport: &[&str]) {
    if python_available().await {
        let args = [&["--catalogue"], transport].concat();
        run_client_as(CATALOGUE_SERVER, &args).await;
    }
    if typescript_available().await {
        let mut command = Command::new("node");
        command
            .current_dir(typescript_dir())
            .arg("client.mjs")
            .args(transport);
        official_client::run(
            command,
            "TypeScript MCP client",
            "all ts interop checks passed",
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_over_stdio() {
    if !python_available().await {
        return;
    }
    let server = common::stdio_server::stdio_test_server();
    run_client(&["stdio", server.to_str().unwrap()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_over_streamable_http() {
    if !python_available().await {
        return;
    }
    let server = common::start().await;
    run_client(&["http", &server.url, common::TOKEN]).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_clients_call_every_built_in_tool_over_stdio() {
    let server = common::stdio_server::catalogue_stdio_server();
    both_clients_call_every_tool(&["stdio", server.to_str().unwrap()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_clients_call_every_built_in_tool_over_streamable_http() {
    // Every tool, three times over (twice by the Python client, once by the TypeScript one):
    // more than a day's default budget.
    let server = common::catalogue_http::start("interop", 300.0).await;
    both_clients_call_every_tool(&["http", &server.url, common::TOKEN]).await;
    server.shutdown().await;
}
