//! The custom tool served over stdio, driven line by line against the Matomo emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use matomo_privacy_mcp_core::testing::{self, TOKEN};
use serde_json::{Value, json};

#[tokio::test]
async fn browser_share_over_stdio() {
    let emu = testing::emulator(5, &[1]).await;
    let url = emu.base_url();
    let responses = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_example-custom-tool"))
            .env("MATOMO_URL", url)
            .env("MATOMO_TOKEN", TOKEN)
            .env_remove("MATOMO_TOKEN_FILE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut send = |message: Value| writeln!(stdin, "{message}").unwrap();
        let mut responses = Vec::new();
        send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "test", "version": "1" } } }));
        responses.push(serde_json::from_str::<Value>(&lines.next().unwrap().unwrap()).unwrap());
        send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
        send(json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" }));
        responses.push(serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap());
        send(json!({ "jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": { "name": "browser_share", "arguments": { "site": 1 } } }));
        responses.push(serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap());
        drop(stdin);
        child.wait().unwrap();
        responses
    })
    .await
    .unwrap();
    assert_eq!(
        responses[0]["result"]["serverInfo"]["name"],
        "browser-share"
    );
    let tool = &responses[1]["result"]["tools"][0];
    assert_eq!(tool["name"], "browser_share");
    assert_eq!(tool["title"], "Browser share");
    assert_eq!(
        tool["_meta"]["matomo-privacy-mcp/privacyClass"],
        "aggregate"
    );
    let result = &responses[2]["result"];
    assert_eq!(result["isError"], false, "{result}");
    let rows = result["structuredContent"]["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    let total: f64 = rows
        .iter()
        .filter_map(|r| r["percent_of_visits"].as_f64())
        .sum();
    assert!(total > 0.0 && total <= 100.0 + 1e-9, "{total}");
    // Every shown row describes at least five distinct visitors: the SDK's threshold, not a
    // hand-written one. The browsers below it are shown together as "Other" where Matomo proves
    // five visitors behind them all: a visit has one browser (`GetBrowsers::OVERLAP`).
    for row in rows {
        if row["label"].as_str().unwrap().starts_with("Other (") {
            continue;
        }
        assert!(row["nb_uniq_visitors"].as_f64().unwrap() >= 5.0, "{row}");
    }
}
