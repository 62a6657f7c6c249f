//! A client that writes one endless line over stdio (no newline, ever) gets the JSON-RPC parse
//! error as soon as the line passes the 4 MiB limit, the server's memory stays bounded while the
//! rest streams in, and the session goes on once the line ends. Measured on the real process:
//! its peak resident memory (`VmHWM` in `/proc/PID/status`), which no timing can hide.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::binary;
use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader, Lines};
use tokio::process::ChildStdout;

/// What the client sends on its endless line: 32 times the line limit.
const SENT: usize = 128 << 20;
/// What the server may grow by meanwhile: the 4 MiB line it keeps, its buffers and the
/// allocator's slack. Before the fix it kept the whole line (more than `SENT`).
const ALLOWED_GROWTH_KB: u64 = 24 << 10;

/// A field of `/proc/PID/status` in kB (`VmRSS`, `VmHWM`).
fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

async fn next(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("an answer in time")
        .unwrap()
        .expect("the server closed stdout");
    serde_json::from_str(&line).expect("every answer is one JSON line")
}

#[tokio::test]
async fn an_endless_line_is_refused_at_the_limit_in_bounded_memory() {
    if !std::path::Path::new("/proc/self/status").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no /proc to measure memory in"
        );
        println!("SKIPPED stdio_endless_line: needs Linux's /proc to read the server's memory");
        return;
    }
    let state = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-endless-line-{}",
        std::process::id()
    ));
    let (mut child, mut stdin, mut lines) = binary::spawn_stdio(
        binary::command()
            .args(["--emulator", "serve"])
            .env_remove("MATOMO_PRIVACY_MCP_CONFIG")
            .env("XDG_STATE_HOME", &state),
        Stdio::null(),
    );
    let pid = child.id().unwrap();

    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": { "name": "endless-line", "version": "1" } }
    });
    binary::send(&mut stdin, &initialize).await;
    assert_eq!(next(&mut lines).await["id"], 1);
    let before = status_kb(pid, "VmHWM");

    // The endless line: its start looks like a request, so nothing but its length is wrong.
    let writer = tokio::spawn(async move {
        stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"pad\":\"")
            .await
            .unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..SENT >> 20 {
            stdin.write_all(&chunk).await.unwrap();
        }
        stdin
    });
    // The error comes while the line is still being written, not when it ends.
    let error = next(&mut lines).await;
    assert_eq!(
        error,
        json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700,
            "message": "Parse error: the line is longer than the server accepts (4 MiB); the rest of it is ignored"}})
    );
    let mut stdin = writer.await.unwrap();
    let grown = status_kb(pid, "VmHWM").saturating_sub(before);
    println!("peak resident memory grew by {grown} kB while reading the endless line");
    assert!(
        grown < ALLOWED_GROWTH_KB,
        "the server grew by {grown} kB while reading one {SENT}-byte line"
    );

    // The line ends; the next request is answered as usual.
    stdin
        .write_all(b"\"}}\n{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}\n")
        .await
        .unwrap();
    let pong = next(&mut lines).await;
    assert_eq!(pong["id"], 3, "{pong}");
    assert!(pong["result"].is_object(), "{pong}");

    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the server exits when stdin closes")
        .unwrap();
    assert!(status.success(), "{status}");
    let _ = std::fs::remove_dir_all(&state);
}
