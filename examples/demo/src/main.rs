//! The zero-setup demo: a Matomo emulator with synthetic data, the built-in catalogue served over MCP,
//! and a scripted client session printed step by step.
//!
//! Run with `cargo run -p example-demo`. Nothing leaves this process: the emulator listens on
//! 127.0.0.1 and the MCP session runs over an in-memory pipe.

use std::error::Error;

use matomo_privacy_mcp::catalogue;
use matomo_privacy_mcp::config::Config;
use matomo_privacy_mcp_server::{ServerInfo, serve_io};
use matomo_privacy_mcp_testkit::Emulator;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, WriteHalf};

const TOKEN: &str = "demo0123456789abcdef0123456789ab";

/// How many times the testkit's visitors the demo's sites receive.
const COPIES: u32 = 100;

/// The client side of the session: JSON-RPC lines out, responses in.
struct Session {
    writer: WriteHalf<DuplexStream>,
    lines: Lines<BufReader<tokio::io::ReadHalf<DuplexStream>>>,
    next_id: u64,
}

impl Session {
    async fn send(&mut self, method: &str, params: Value) -> Result<Value, Box<dyn Error>> {
        self.next_id += 1;
        let request =
            json!({ "jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params });
        self.writer
            .write_all(format!("{request}\n").as_bytes())
            .await?;
        while let Some(line) = self.lines.next_line().await? {
            let message: Value = serde_json::from_str(&line)?;
            if message["id"] == json!(self.next_id) {
                return Ok(message);
            }
        }
        Err("the server closed the session".into())
    }

    async fn notify(&mut self, method: &str) -> Result<(), Box<dyn Error>> {
        let note = json!({ "jsonrpc": "2.0", "method": method });
        self.writer
            .write_all(format!("{note}\n").as_bytes())
            .await?;
        Ok(())
    }

    async fn call(
        &mut self,
        title: &str,
        tool: &str,
        arguments: Value,
    ) -> Result<Value, Box<dyn Error>> {
        println!("\n── {title}");
        println!("   → tools/call {tool} {arguments}");
        let response = self
            .send(
                "tools/call",
                json!({ "name": tool, "arguments": arguments }),
            )
            .await?;
        if let Some(error) = response.get("error") {
            println!(
                "   ← protocol error {}: {}",
                error["code"],
                error["message"].as_str().unwrap_or_default()
            );
            return Ok(response);
        }
        let result = &response["result"];
        let marker = if result["isError"] == json!(true) {
            "← tool error"
        } else {
            "←"
        };
        let text = result["content"][0]["text"].as_str().unwrap_or_default();
        for (i, line) in text.lines().take(14).enumerate() {
            // Keep the demo readable in a terminal; the client receives the full text.
            let shown: String = line.chars().take(110).collect();
            let cut = if shown.len() < line.len() { "…" } else { "" };
            println!("   {} {shown}{cut}", if i == 0 { marker } else { " " });
        }
        if text.lines().count() > 14 {
            println!("     … ({} more lines)", text.lines().count() - 14);
        }
        Ok(response)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    println!(
        "matomo-privacy-mcp demo: an emulated Matomo with 3 sites and 15 days of synthetic visits up to"
    );
    println!(
        "today, served through the built-in tools with the default privacy settings (aggregate only,"
    );
    println!("k = 5, differential privacy on).");

    // The dataset ends on the real UTC date, so `date: "yesterday"` and `lastN` ranges mean what
    // they say; a hundred copies of the testkit's visitors give the shop about 1,400 visits a
    // day, as a real shop might: enough people for the default noise and threshold to show
    // numbers (the testkit's own few visitors would be withheld, rightly).
    let emulator = Emulator::builder()
        .seed(42)
        .busier(COPIES)
        .view_token(TOKEN, &[1, 2, 3])
        .start()
        .await?;
    // Differential privacy is on, as by default; its budget lives in a file of this run's own.
    let budget = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-demo-budget-{}.json",
        std::process::id()
    ));
    let config = Config::from_toml_str(
        &format!(
            "enabled = true\n[matomo]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\n\
             [privacy.noise]\nbudget_file = \"{}\"\n",
            emulator.base_url(),
            budget.display()
        ),
        |_| None,
    )?;
    config.require_enabled()?;
    let deployment = matomo_privacy_mcp::startup::connect(&config).await?;
    println!("Token check: {}", deployment.site_access().summary());
    let toolbox = catalogue::toolbox(deployment, config.allowed_tools.as_deref())?;

    let (client_end, server_end) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server_end);
    let info = ServerInfo::new("matomo-privacy-mcp-demo", env!("CARGO_PKG_VERSION"));
    let server = tokio::spawn(serve_io(toolbox, info, server_read, server_write));
    let (client_read, client_write) = tokio::io::split(client_end);
    let mut session = Session {
        writer: client_write,
        lines: BufReader::new(client_read).lines(),
        next_id: 0,
    };

    let init = session
        .send(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": { "name": "matomo-privacy-mcp-demo-client", "version": "1.0" }
            }),
        )
        .await?;
    session.notify("notifications/initialized").await?;
    let server_info = &init["result"]["serverInfo"];
    println!(
        "\n── initialize\n   ← server {} {}",
        server_info["name"], server_info["version"]
    );

    let list = session.send("tools/list", json!({})).await?;
    let tools = list["result"]["tools"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    println!(
        "\n── tools/list: {} tools, each aggregate (privacy class in _meta):",
        tools.len()
    );
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    for chunk in names.chunks(7) {
        println!("   {}", chunk.join(", "));
    }

    // What an assistant asks, in order: (the question, the tool, its arguments).
    let questions = [
        ("Which sites can I read?", "list_sites", json!({})),
        (
            "How did the shop do yesterday?",
            "visits_summary",
            json!({ "site": 1, "period": "day", "date": "yesterday" }),
        ),
        (
            "Top pages of the last seven days: query strings (e-mails, reset tokens) removed, identifiers masked",
            "top_pages",
            json!({ "site": 1, "period": "range", "date": "last7", "limit": 5 }),
        ),
        (
            "Countries of the last seven days, each number with its own 95 % interval",
            "countries",
            json!({ "site": 1, "period": "range", "date": "last7", "limit": 5 }),
        ),
        (
            "Page titles: titles seen by fewer than five visitors (a profile page naming its user) are left out, and counted",
            "page_titles",
            json!({ "site": 1, "period": "range", "date": "last7", "limit": 8 }),
        ),
        (
            "A segment that would single out a user is refused",
            "top_pages",
            json!({ "site": 1, "segment": "userId==bob@example.com" }),
        ),
        (
            "The visitor log is above the aggregate ceiling, so it is not even listed",
            "visit_log",
            json!({ "site": 1 }),
        ),
    ];
    for (question, tool, arguments) in questions {
        session.call(question, tool, arguments).await?;
    }

    drop(session);
    server.await??;
    emulator.shutdown().await;
    println!(
        "\nDone. Raise the ceiling or change k in a configuration file to see the difference (README)."
    );
    Ok(())
}
