//! The real `matomo-privacy-mcp` process, served over stdio against the Matomo emulator
//! with a known token and pseudonym key, the audit log in a file and logging at
//! `trace`: every tool is called, healthy and under upstream faults (5xx, a
//! Matomo error payload quoting the token, fields of the wrong JSON type, an
//! HTML error page, malformed JSON, a timeout). Neither secret, in any
//! spelling, appears in the process's stdout (every protocol message), its
//! stderr or the audit file.
//!
//! `matomo-privacy-mcp-core/tests/hardening_secrets.rs` checks the same inside one
//! process through the library; this test checks what the shipped binary writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::binary;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::Fault;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

/// The Matomo token: view access to sites 1 and 2.
const TOKEN: &str = "5ec7e70c3a9b41d2a8f60e1b7c94d35f";
/// The pseudonym key, as written to the key file.
const KEY: &str = "process-level-pseudonym-key-0123456789";
/// A hang guard for one protocol exchange, far above what any call needs.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-process-{}-{name}",
        std::process::id()
    ))
}

/// Standard base64 (with padding), and the URL-safe alphabet without padding.
fn base64(bytes: &[u8]) -> (String, String) {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        out.extend(std::iter::repeat_n('=', 3 - chunk.len()));
    }
    let url_safe = out
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    (out, url_safe)
}

/// Every spelling of the secrets that could end up in text.
fn secret_spellings() -> Vec<(&'static str, String)> {
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let percent = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let (key_b64, key_b64_url) = base64(KEY.as_bytes());
    let (token_b64, _) = base64(TOKEN.as_bytes());
    vec![
        ("token", TOKEN.to_owned()),
        ("upper-case token", TOKEN.to_ascii_uppercase()),
        ("token's first half", TOKEN[..16].to_owned()),
        ("token's second half", TOKEN[16..].to_owned()),
        ("hex token", hex(TOKEN)),
        ("base64 token", token_b64),
        ("pseudonym key", KEY.to_owned()),
        ("URL-encoded key", percent(KEY)),
        ("hex key", hex(KEY)),
        ("base64 key", key_b64),
        ("URL-safe base64 key", key_b64_url),
    ]
}

/// The server process and both ends of its stdio session.
struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    /// Every line the server wrote to stdout.
    transcript: Vec<String>,
    /// Drains stderr while the session runs (a full pipe would block the server's logging).
    stderr: tokio::task::JoinHandle<String>,
    next_id: u64,
}

impl Server {
    fn spawn(config: &Path) -> Self {
        let (mut child, stdin, stdout) = binary::spawn_stdio(
            binary::command()
                .args(["--config", config.to_str().unwrap(), "serve"])
                .env_remove("MATOMO_PRIVACY_MCP_ENABLED")
                .env_remove("MATOMO_PRIVACY_MCP_AUDIT_LOG")
                .env_remove("MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE")
                // Everything the process can log, the MCP SDK's request dumps included.
                .env("RUST_LOG", "trace"),
            Stdio::piped(),
        );
        let mut stderr_pipe = child.stderr.take().unwrap();
        let stderr = tokio::spawn(async move {
            let mut bytes = Vec::new();
            let _ = stderr_pipe.read_to_end(&mut bytes).await;
            String::from_utf8_lossy(&bytes).into_owned()
        });
        Self {
            child,
            stdin,
            stdout,
            transcript: Vec::new(),
            stderr,
            next_id: 1,
        }
    }

    async fn send(&mut self, message: &Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Sends a request and returns its response, keeping every line read.
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        loop {
            let line = tokio::time::timeout(HANG_GUARD, self.stdout.next_line())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method} within {HANG_GUARD:?}"))
                .unwrap()
                .unwrap_or_else(|| panic!("the server closed stdout during {method}"));
            self.transcript.push(line.clone());
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout carried a non-JSON line ({e}): {line}"));
            if message["id"] == id {
                return message;
            }
        }
    }

    /// Calls a tool; a tool error is fine, a protocol error is not.
    async fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let reply = self
            .request(
                "tools/call",
                json!({ "name": tool, "arguments": arguments }),
            )
            .await;
        assert!(reply.get("error").is_none(), "{tool}: {reply}");
        reply["result"].clone()
    }

    /// Closes stdin, waits for the process to end, returns the rest of stdout and all of stderr.
    async fn finish(mut self) -> (String, String) {
        drop(self.stdin);
        let (status, rest, stderr) = tokio::time::timeout(HANG_GUARD, async {
            let mut rest = Vec::new();
            while let Some(line) = self.stdout.next_line().await.unwrap() {
                rest.push(line);
            }
            let stderr = self.stderr.await.unwrap();
            (self.child.wait().await.unwrap(), rest, stderr)
        })
        .await
        .expect("the server did not exit after stdin closed");
        assert!(status.success(), "exit status {status}: {stderr}");
        self.transcript.extend(rest);
        (self.transcript.join("\n"), stderr)
    }
}

/// Arguments for `tool` about `period` `date`; each phase asks about another date,
/// so the report cache cannot answer a call made under a fault.
fn arguments(tool: &str, period: &str, date: &str) -> Value {
    let mut arguments = testing::tool_arguments(tool, period, date, 20, 5);
    match tool {
        "annotations" | "compare_periods" | "report" => {
            arguments["period"] = json!(period);
            arguments["date"] = json!(date);
        }
        "metric_trend" => {
            // The day of the month as the number of periods: another question per phase.
            let last: u32 = date
                .rsplit('-')
                .next()
                .and_then(|d| d.parse().ok())
                .unwrap_or(7);
            arguments["period"] = json!(period);
            arguments["last"] = json!(last);
        }
        _ => {}
    }
    arguments
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_leaves_the_process_in_any_output() {
    let emu = testing::emulator_for(TOKEN, 5, &[1, 2]).await;
    let key_file = temp_path("pseudonym.key");
    std::fs::write(&key_file, KEY).unwrap();
    let audit = temp_path("audit.jsonl");
    let _ = std::fs::remove_file(&audit);
    let config = temp_path("config.toml");
    std::fs::write(
        &config,
        format!(
            "enabled = true\nceiling = \"identifying\"\n\
             [matomo]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\ntimeout_seconds = 1\n\
             [privacy]\npseudonym_key_file = \"{}\"\n[privacy.noise]\nenabled = false\n\
             [audit]\nlog = \"{}\"\n",
            emu.base_url(),
            key_file.display(),
            audit.display()
        ),
    )
    .unwrap();

    let mut server = Server::spawn(&config);
    let init = server
        .request(
            "initialize",
            json!({ "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": { "name": "process-secrets", "version": "1" } }),
        )
        .await;
    assert!(init["result"]["serverInfo"].is_object(), "{init}");
    server
        .send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
        .await;
    let listed = server.request("tools/list", json!({})).await;
    let tools: Vec<String> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap().to_owned())
        .collect();
    // The identifying ceiling lists every tool, the pseudonymous and identifying ones included.
    assert!(tools.len() >= 29, "{tools:?}");
    assert!(tools.iter().any(|t| t == "visit_log") && tools.iter().any(|t| t == "raw_page_urls"));

    // Healthy: every tool answers (report_catalogue reads metadata whose URLs embed the token).
    for tool in &tools {
        let result = server.call(tool, arguments(tool, "month", "today")).await;
        assert_eq!(result["isError"], false, "{tool}: {result}");
    }
    // (No arguments carrying the secrets: a caller's own text is echoed back in
    // "invalid parameter" errors and, at `trace`, in the MCP SDK's request logs;
    // that is the caller's text, not a leak. The library-level test covers them.)
    // Fast faults, on every tool.
    for (phase, fault) in [
        Fault::MatomoError {
            message: format!("Error: token_auth={TOKEN} is not valid"),
        },
        Fault::WrongTypes,
        Fault::MalformedJson,
    ]
    .into_iter()
    .enumerate()
    {
        emu.inject(fault.clone());
        let date = format!("2026-11-{:02}", 14 + phase);
        for tool in &tools {
            let result = server.call(tool, arguments(tool, "day", &date)).await;
            // `list_sites` answers from what the start-up token check learnt, and the
            // report catalogue and the saved segments (no date to vary) from the cache.
            if ["list_sites", "report_catalogue", "saved_segments"].contains(&tool.as_str()) {
                continue;
            }
            // An empty report has no field to get wrong.
            let empty = ["rows", "annotations"].iter().any(|list| {
                result["structuredContent"][list]
                    .as_array()
                    .is_some_and(Vec::is_empty)
            });
            if !(fault == Fault::WrongTypes && empty) {
                assert_eq!(result["isError"], true, "{fault:?} {tool}: {result}");
            }
        }
        emu.clear_faults();
    }
    // Slow faults (each call waits for every retry), on a few tools.
    emu.inject(Fault::http_status(503));
    for tool in ["visits_summary", "top_pages", "site_overview"] {
        let result = server
            .call(tool, arguments(tool, "day", "2026-11-20"))
            .await;
        assert_eq!(result["isError"], true, "503 {tool}: {result}");
    }
    emu.clear_faults();
    emu.inject(Fault::Latency(Duration::from_millis(2500)));
    let result = server
        .call("countries", arguments("countries", "day", "2026-11-21"))
        .await;
    assert_eq!(result["isError"], true, "timeout: {result}");
    emu.clear_faults();
    // And the process serves again.
    let result = server
        .call(
            "visits_summary",
            arguments("visits_summary", "day", "2026-11-22"),
        )
        .await;
    assert_eq!(result["isError"], false, "{result}");

    let (stdout, stderr) = server.finish().await;
    let audit_text = std::fs::read_to_string(&audit).unwrap();
    let _ = std::fs::remove_file(&audit);
    let _ = std::fs::remove_file(&key_file);
    let _ = std::fs::remove_file(&config);
    // The outputs are real: every call is audited, the logs saw the requests.
    let audited = audit_text.lines().count();
    assert!(
        audited >= tools.len() * 4,
        "{audited} audit lines for {} tools",
        tools.len()
    );
    assert!(stderr.lines().count() > 50, "{stderr}");
    assert!(stdout.contains("\"isError\":true") && stdout.contains("structuredContent"));

    let places = [
        ("stdout", stdout.as_str()),
        ("stderr", stderr.as_str()),
        ("the audit file", audit_text.as_str()),
    ];
    let leaks = testing::secrets_in(&secret_spellings(), &places);
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}
