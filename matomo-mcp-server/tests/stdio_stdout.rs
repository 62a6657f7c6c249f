//! Over stdio, stdout carries JSON-RPC messages and nothing else, even with
//! every log level on; logs go to stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

#[tokio::test]
async fn stdout_carries_only_json_rpc_lines() {
    let mut child = Command::new(common::stdio_server::stdio_test_server())
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let messages = [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": { "name": "stdout-test", "version": "1" } } }),
        json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" }),
        json!({ "jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": { "name": "add", "arguments": { "a": 2, "b": 3 } } }),
        json!({ "jsonrpc": "2.0", "id": 4, "method": "tools/call",
                "params": { "name": "top_countries", "arguments": { "limit": 0 } } }),
        json!({ "jsonrpc": "2.0", "id": 5, "method": "tools/call",
                "params": { "name": "missing", "arguments": {} } }),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for message in &messages {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    // Give the server time to answer everything before stdin closes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(stdin);
    let output = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("the server did not exit after stdin closed")
        .unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);

    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut ids = Vec::new();
    for line in stdout.lines() {
        let message: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "not JSON-RPC: {line}");
        if let Some(id) = message["id"].as_u64() {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    assert_eq!(ids, [1, 2, 3, 4, 5], "stdout:\n{stdout}");
    assert!(
        stdout.contains("\"structuredContent\":{\"sum\":5}"),
        "{stdout}"
    );

    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("serving MCP over stdio"),
        "logs did not reach stderr:\n{stderr}"
    );
}
