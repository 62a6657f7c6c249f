//! Interoperability with the official TypeScript SDK (`@modelcontextprotocol/sdk` from npm):
//! `tests/interop-ts/client.mjs` initializes, lists and calls every built-in tool over stdio and
//! over Streamable HTTP against the emulator, and validates every `structuredContent` with Ajv in
//! strict JSON Schema 2020-12 mode, failing on any schema warning.
//!
//! Needs node and the packages of `tests/interop-ts` (`tests/interop/setup.sh` installs them).
//! Without them the test is skipped with a message, except when `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

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
        Ok(output) if output.status.success() && installed => return true,
        Ok(output) if output.status.success() => {
            "the npm packages of tests/interop-ts are not installed"
        }
        _ => "node is not on PATH",
    };
    let fix = "run `bash matomo-privacy-mcp-server/tests/interop/setup.sh`";
    if std::env::var_os("CI").is_some() {
        panic!("TypeScript interop test cannot run in CI: {problem}; {fix}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED interop test with the official MCP TypeScript SDK: {problem}; {fix}"
    );
    false
}

async fn run_client(args: &[&str]) {
    let mut command = Command::new("node");
    command
        .current_dir(dir())
        .arg("client.mjs")
        .args(args)
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(180), command.output())
        .await
        .expect("the TypeScript MCP client did not finish within 180 s")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the official TypeScript MCP client reported a failure:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all ts interop checks passed"), "{stdout}");
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
