//! The client configuration docs/clients.md tells operators to paste is what the server takes:
//! the JSON parses, has the shape desktop clients read (`mcpServers.<name>.command` and `args`),
//! and those arguments, with the paths filled in, start a stdio session that answers
//! `initialize` as `matomo-privacy-mcp`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;

use common::{binary, scratch};
use matomo_privacy_mcp_core::testing::{self, TOKEN};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

/// The first ```json block of docs/clients.md.
fn pasted_configuration() -> Value {
    let doc = include_str!("../../docs/clients.md");
    let start = doc.find("```json\n").expect("a JSON block") + "```json\n".len();
    let end = start + doc[start..].find("```").expect("the block ends");
    serde_json::from_str(&doc[start..end]).expect("the JSON in docs/clients.md parses")
}

#[tokio::test]
async fn the_documented_stdio_configuration_starts_a_session() {
    let pasted = pasted_configuration();
    let server = &pasted["mcpServers"]["matomo"];
    let command = server["command"].as_str().unwrap();
    assert!(command.ends_with("/matomo-privacy-mcp"), "{command}");
    let args: Vec<String> = server["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(args.last().map(String::as_str), Some("serve"), "{args:?}");

    let emu = testing::emulator(3, &[1]).await;
    let dir = scratch::dir("client-config");
    let config = dir.join("matomo-privacy-mcp.toml");
    std::fs::write(
        &config,
        format!(
            "enabled = true\n[matomo]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\n[privacy.noise]\nbudget_file = \"{}\"\n",
            emu.base_url(),
            dir.join("budget.json").display()
        ),
    )
    .unwrap();
    // The documented arguments, with the placeholder path of the configuration filled in.
    let args: Vec<String> = args
        .into_iter()
        .map(|a| {
            if a.ends_with("matomo-privacy-mcp.toml") {
                config.display().to_string()
            } else {
                a
            }
        })
        .collect();
    let (mut child, mut stdin, mut lines) =
        binary::spawn_stdio(binary::command().args(&args), Stdio::null());
    let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"docs-test","version":"1"}}}"#;
    stdin
        .write_all(format!("{initialize}\n").as_bytes())
        .await
        .unwrap();
    let reply = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
        .await
        .expect("an answer within 30 s")
        .unwrap()
        .expect("a line");
    let reply: Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(
        reply["result"]["serverInfo"]["name"], "matomo-privacy-mcp",
        "{reply}"
    );
    drop(stdin);
    let _ = child.wait().await;
    let _ = std::fs::remove_dir_all(&dir);
}
