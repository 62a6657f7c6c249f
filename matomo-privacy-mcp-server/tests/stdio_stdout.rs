//! Over stdio, stdout carries JSON-RPC messages and nothing else, even with
//! every log level on; logs go to stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin, Command};

fn session_messages() -> [Value; 6] {
    [
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
    ]
}

/// The ids of the JSON-RPC replies on `stdout`, sorted; panics on any line that is not JSON-RPC.
fn reply_ids(stdout: &str) -> Vec<u64> {
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
    ids
}

/// Closes `stdin` once the server had time to answer everything, and waits for it to exit
/// successfully: what it wrote to the pipes it was given.
async fn exit_after_closing(child: Child, stdin: ChildStdin) -> Output {
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(stdin);
    let output = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("the server did not exit after stdin closed")
        .unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    output
}

/// With stdout a file rather than a pipe, the server falls back to blocking stdin and stdout
/// (the pipes are switched to non-blocking mode only when both are pipes) and still answers.
#[tokio::test]
async fn a_file_on_stdout_is_served_through_the_blocking_fallback() {
    let out = std::env::temp_dir().join(format!("stdio-fallback-{}.jsonl", std::process::id()));
    let file = std::fs::File::create(&out).unwrap();
    let mut child = Command::new(common::stdio_server::stdio_test_server())
        .stdin(Stdio::piped())
        .stdout(Stdio::from(file))
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for message in &session_messages() {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
        // Pauses between messages: a stdin left non-blocking would fail the next read.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    exit_after_closing(child, stdin).await;
    let stdout = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert_eq!(reply_ids(&stdout), [1, 2, 3, 4, 5], "stdout:\n{stdout}");
}

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
    let messages = session_messages();
    let mut stdin = child.stdin.take().unwrap();
    for message in &messages {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    let output = exit_after_closing(child, stdin).await;

    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(reply_ids(&stdout), [1, 2, 3, 4, 5], "stdout:\n{stdout}");
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
