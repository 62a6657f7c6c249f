//! End-to-end `tools/call top_pages` latency over the two MCP transports, against in-process
//! upstreams: median and p99, and the server's own share (the total minus a plain HTTP round
//! trip of the same upstream request).
//!
//! stdio is measured through `serve_io` over an in-memory pipe (the stdio transport's code
//! without the operating system's pipes); Streamable HTTP through `HttpServer` on 127.0.0.1 with
//! a real HTTP client and session. `cargo bench -p matomo-mcp-server --bench transport`;
//! results in `matomo-mcp-core/benches/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use matomo_mcp_core::Toolbox;
use matomo_mcp_core::catalogue::{self, Deployment};
use matomo_mcp_server::{BearerToken, HttpConfig, HttpServer, ServerInfo, serve_io};
use matomo_mcp_testkit::Emulator;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

// The same generated reports as the core benchmarks, so the numbers compare.
#[path = "../../matomo-mcp-core/benches/data/mod.rs"]
mod data;
#[path = "../../matomo-mcp-core/benches/timing/mod.rs"]
mod timing;

use timing::{TOKEN, ms, static_upstream, stats, time_plain, value_round_trip};

/// The catalogue without report cache, shared by both transports.
fn toolbox(base_url: &str) -> Arc<Toolbox<Deployment>> {
    Arc::new(timing::toolbox(base_url, false))
}

const BEARER: &str = "bench-bearer-0123456789abcdef";

fn call_params() -> Value {
    json!({
        "name": "top_pages",
        "arguments": { "site": 1, "period": "range", "date": "2026-11-12,2026-11-25", "limit": 100 }
    })
}

fn initialize_params() -> Value {
    json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": { "name": "bench", "version": "0" }
    })
}

fn initialized() -> Value {
    json!({ "jsonrpc": "2.0", "method": "notifications/initialized" })
}

fn info() -> ServerInfo {
    ServerInfo::new("matomo-mcp-bench", "0.0.0")
}

/// Checks a `tools/call` reply: a result, not a JSON-RPC error, and not a tool error.
fn check(reply: &Value) {
    let result = &reply["result"];
    assert!(
        result.is_object() && result["isError"] != true,
        "tools/call failed: {reply}"
    );
    assert!(
        result["structuredContent"]["rows"].is_array(),
        "no rows: {reply}"
    );
}

/// An MCP session over an in-memory pipe to `serve_io`.
struct StdioSession {
    to_server: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    from_server: tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
    next_id: u64,
    /// The last reply as received, to time the client's own parsing of it.
    last_reply: String,
}

impl StdioSession {
    async fn start(toolbox: Arc<Toolbox<Deployment>>) -> Self {
        let (client, server) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server);
        tokio::spawn(serve_io(toolbox, info(), server_read, server_write));
        let (client_read, client_write) = tokio::io::split(client);
        let mut session = Self {
            to_server: client_write,
            from_server: BufReader::new(client_read).lines(),
            next_id: 1,
            last_reply: String::new(),
        };
        let init = session.request("initialize", initialize_params()).await;
        assert!(init["result"].is_object(), "{init}");
        session.send(&initialized()).await;
        session
    }

    async fn send(&mut self, message: &Value) {
        let mut line = serde_json::to_vec(message).unwrap();
        line.push(b'\n');
        self.to_server.write_all(&line).await.unwrap();
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        loop {
            let line = self.from_server.next_line().await.unwrap().expect("open");
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == id {
                self.last_reply = line;
                return message;
            }
        }
    }
}

/// An MCP session over Streamable HTTP.
struct HttpSession {
    http: reqwest::Client,
    url: String,
    session: Option<String>,
    next_id: u64,
    /// The last reply body as received, to time the client's own parsing of it.
    last_reply: String,
}

impl HttpSession {
    async fn start(toolbox: Arc<Toolbox<Deployment>>) -> Self {
        let config = HttpConfig::default()
            .with_bind("127.0.0.1:0".parse().unwrap())
            .with_bearer_token(BearerToken::new(BEARER));
        let server = HttpServer::bind(toolbox, info(), config).await.unwrap();
        let url = server.url();
        tokio::spawn(server.serve(std::future::pending()));
        let mut session = Self {
            http: reqwest::Client::new(),
            url,
            session: None,
            next_id: 1,
            last_reply: String::new(),
        };
        let init = session.request("initialize", initialize_params()).await;
        assert!(init["result"].is_object(), "{init}");
        session.post(&initialized()).await;
        session
    }

    async fn post(&mut self, body: &Value) -> String {
        let mut request = self
            .http
            .post(&self.url)
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", format!("Bearer {BEARER}"))
            .header("MCP-Protocol-Version", "2025-11-25")
            .json(body);
        if let Some(session) = &self.session {
            request = request.header("Mcp-Session-Id", session);
        }
        let response = request.send().await.unwrap();
        if let Some(id) = response.headers().get("mcp-session-id") {
            self.session = Some(id.to_str().unwrap().to_owned());
        }
        response.text().await.unwrap()
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let text = self
            .post(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        // A JSON body, or an event stream whose `data:` line carries the reply.
        let reply = parse_http_reply(&text, id);
        self.last_reply = text;
        reply
    }
}

fn parse_http_reply(text: &str, id: u64) -> Value {
    serde_json::from_str(text).ok().unwrap_or_else(|| {
        text.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|message| message["id"] == id)
            .unwrap_or_else(|| panic!("no reply in {text}"))
    })
}

/// Median time the benchmark's client takes to parse a reply (a JSON line for stdio; for HTTP a
/// body that may be an event stream, found by its request `id`): part of the measured total,
/// not the server's work.
fn client_parse(reply: &str, http_id: Option<u64>) -> Duration {
    let samples = (0..50)
        .map(|_| {
            let started = Instant::now();
            match http_id {
                Some(id) => black_box(parse_http_reply(reply, id)),
                None => black_box(serde_json::from_str::<Value>(reply).unwrap()),
            };
            started.elapsed()
        })
        .collect();
    stats(samples).0
}

/// Times `n` calls on both transports and prints one line each.
async fn measure(
    name: &str,
    toolbox: Arc<Toolbox<Deployment>>,
    plain: (Duration, Duration),
    floor: Option<Duration>,
    n: usize,
) {
    let mut stdio = StdioSession::start(Arc::clone(&toolbox)).await;
    let mut http = HttpSession::start(toolbox).await;
    let mut runs = Vec::new();
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 5 {
        let started = Instant::now();
        let reply = stdio.request("tools/call", call_params()).await;
        if i >= 5 {
            samples.push(started.elapsed());
        }
        check(&reply);
    }
    runs.push(("stdio", samples, client_parse(&stdio.last_reply, None)));
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 5 {
        let started = Instant::now();
        let reply = http.request("tools/call", call_params()).await;
        if i >= 5 {
            samples.push(started.elapsed());
        }
        check(&reply);
    }
    let parse = client_parse(&http.last_reply, Some(http.next_id - 1));
    runs.push(("http", samples, parse));
    for (transport, samples, parse) in runs {
        let total = stats(samples);
        let share = total.0.saturating_sub(plain.0).saturating_sub(parse);
        let ratio = floor.map_or_else(String::new, |f| {
            format!(
                " | share / Value round trip ({:.2} ms) {:.2}",
                ms(f),
                share.as_secs_f64() / f.as_secs_f64()
            )
        });
        println!(
            "  {name:<24} {transport:<5} total median {:>8.3} ms p99 {:>8.3} ms | upstream median {:>7.3} ms | client parse {:>6.3} ms | server share {:>7.3} ms{ratio}",
            ms(total.0),
            ms(total.1),
            ms(plain.0),
            ms(parse),
            ms(share),
        );
    }
}

async fn run() {
    println!(
        "tools/call top_pages over stdio (in-memory pipe) and Streamable HTTP, no report cache:"
    );
    // `TRANSPORT_BENCH_ROWS=100` runs just that generated size, and `TRANSPORT_BENCH_CALLS=20`
    // fewer calls: for a profiler or an instruction count (callgrind).
    let env = |name: &str| -> Option<usize> { std::env::var(name).ok()?.parse().ok() };
    let only = env("TRANSPORT_BENCH_ROWS");
    let calls = env("TRANSPORT_BENCH_CALLS");
    if only.is_none() {
        let emu = Emulator::builder()
            .seed(11)
            .view_token(TOKEN, &[1])
            .start()
            .await
            .expect("emulator");
        let tools = toolbox(&emu.base_url());
        // One call so the emulator has recorded the tool's upstream request.
        check(
            &StdioSession::start(Arc::clone(&tools))
                .await
                .request("tools/call", call_params())
                .await,
        );
        let request = emu.requests().pop().expect("the tool called Matomo");
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&request.query)
            .finish();
        let n = calls.unwrap_or(300);
        let plain = time_plain(&format!("{}?{query}", emu.endpoint()), &request.body, n).await;
        measure("emulator (dataset)", tools, plain, None, n).await;
    }

    for rows in [100, 1_000, catalogue::UPSTREAM_ROW_CAP as usize] {
        if only.is_some_and(|only| only != rows) {
            continue;
        }
        let body = data::page_urls(rows, 42);
        let floor = value_round_trip(&body, 30);
        let base = static_upstream(body).await;
        let n = calls.unwrap_or(if rows > 1_000 { 60 } else { 200 });
        let form = vec![("token_auth".to_owned(), TOKEN.to_owned())];
        let plain = time_plain(&format!("{base}index.php"), &form, n).await;
        measure(
            &format!("generated, {rows} rows"),
            toolbox(&base),
            plain,
            Some(floor),
            n,
        )
        .await;
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run());
}
