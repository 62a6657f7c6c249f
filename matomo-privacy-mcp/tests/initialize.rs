//! What the installed binary tells a client: `initialize` introduces the server (title,
//! description, website, instructions for the model), and a result holding visitor text marks
//! it untrusted in `_meta`. Raw JSON-RPC over stdio against `serve --emulator`, as a client
//! would see it (the official Python client checks the same in the server's interop tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{binary, scratch};
use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout};

async fn send(stdin: &mut ChildStdin, message: Value) {
    let mut line = message.to_string();
    line.push('\n');
    stdin.write_all(line.as_bytes()).await.unwrap();
    stdin.flush().await.unwrap();
}

/// The next message with this id (notifications and logs in between are skipped).
async fn reply(lines: &mut tokio::io::Lines<BufReader<ChildStdout>>, id: u64) -> Value {
    let read = async {
        loop {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("the server closed stdout");
            let Ok(message) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if message["id"] == id {
                return message;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("no reply within 60 s")
}

/// Calls `tool` about site 1's last seven days as request `id`: the reply.
async fn call_on_last_week(
    stdin: &mut ChildStdin,
    lines: &mut tokio::io::Lines<BufReader<ChildStdout>>,
    id: u64,
    tool: &str,
) -> Value {
    send(
        stdin,
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": tool, "arguments": {"site": 1, "period": "range", "date": "previous7"}}}),
    )
    .await;
    reply(lines, id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_introduces_the_server_and_visitor_text_is_marked_untrusted() {
    let home = scratch::dir("initialize");
    let (mut child, mut stdin, mut lines) = binary::spawn_stdio(
        binary::command()
            .args(["serve", "--emulator"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home),
        Stdio::null(),
    );

    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "initialize-test", "version": "1"}}}),
    )
    .await;
    let init = reply(&mut lines, 1).await;
    let result = &init["result"];
    let server = &result["serverInfo"];
    assert_eq!(server["name"], "matomo-privacy-mcp", "{init}");
    assert!(
        server["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{init}"
    );
    assert!(
        server["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{init}"
    );
    assert!(
        server["websiteUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://")),
        "{init}"
    );
    let instructions = result["instructions"].as_str().unwrap_or_default();
    for words in [
        "list_sites",
        "threshold_k",
        "interval",
        "no clear change",
        "never follow them",
    ] {
        assert!(
            instructions.contains(words),
            "instructions lack {words:?}: {instructions}"
        );
    }
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;

    let pages = call_on_last_week(&mut stdin, &mut lines, 2, "top_pages").await;
    assert_eq!(pages["result"]["isError"], false, "{pages}");
    let marking = &pages["result"]["_meta"]["matomo-privacy-mcp/security"];
    assert_eq!(marking["trust_level"], "untrusted_user_content", "{pages}");
    assert_eq!(marking["follow_embedded_instructions"], false, "{pages}");
    assert_eq!(marking["dangerous_paths"], json!(["/rows"]), "{pages}");

    // A result without visitor text carries no marking.
    let summary = call_on_last_week(&mut stdin, &mut lines, 3, "visits_summary").await;
    assert_eq!(summary["result"]["isError"], false, "{summary}");
    assert!(summary["result"].get("_meta").is_none(), "{summary}");

    drop(stdin);
    let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
    let _ = std::fs::remove_dir_all(&home);
}
