//! End-to-end `tools/call top_pages` latency over the two MCP transports, against in-process
//! upstreams: median and p99, and the server's own share (the total minus a plain HTTP round
//! trip of the same upstream request).
//!
//! stdio is measured through `serve_io` over an in-memory pipe (the stdio transport's code
//! without the operating system's pipes); Streamable HTTP through `HttpServer` on 127.0.0.1 with
//! a real HTTP client and session. `cargo bench -p matomo-privacy-mcp-server --bench transport`;
//! results in `matomo-privacy-mcp-core/benches/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_server::{BearerToken, HttpConfig, HttpServer, ServerInfo, serve_io};
use matomo_privacy_mcp_testkit::Emulator;
use serde_json::{Value, json};
use tokio::runtime::Handle;

mod line_client;

use line_client::{LineClient, initialize_params, initialized};

// The same generated reports as the core benchmarks, so the numbers compare.
#[path = "../../matomo-privacy-mcp-core/benches/data/mod.rs"]
mod data;
#[path = "../../matomo-privacy-mcp-core/benches/timing/mod.rs"]
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

fn info() -> ServerInfo {
    ServerInfo::new("matomo-privacy-mcp-bench", "0.0.0")
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
    client: LineClient<
        tokio::io::WriteHalf<tokio::io::DuplexStream>,
        tokio::io::ReadHalf<tokio::io::DuplexStream>,
    >,
    stamps: Stamps,
}

/// When the server's side of the pipe last took in a request line and last wrote out a reply line.
#[derive(Default)]
struct Stamps {
    read: Arc<std::sync::Mutex<Option<Instant>>>,
    written: Arc<std::sync::Mutex<Option<Instant>>>,
}

impl Stamps {
    /// From the server reading the request's last byte to it writing the reply's last byte.
    fn span(&self) -> Duration {
        let read = self.read.lock().unwrap().expect("a request was read");
        let written = self.written.lock().unwrap().expect("a reply was written");
        written.saturating_duration_since(read)
    }
}

/// A pipe end that notes when a line ends in what passes through it.
struct Stamped<T> {
    inner: T,
    at: Arc<std::sync::Mutex<Option<Instant>>>,
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Stamped<T> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled()[before..].contains(&b'\n') {
            *self.at.lock().unwrap() = Some(Instant::now());
        }
        poll
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Stamped<T> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let poll = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if let std::task::Poll::Ready(Ok(n)) = poll
            && buf[..n].contains(&b'\n')
        {
            *self.at.lock().unwrap() = Some(Instant::now());
        }
        poll
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl StdioSession {
    async fn start(runtime: &Handle, toolbox: Arc<Toolbox<Deployment>>) -> Self {
        let (client, server) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server);
        let stamps = Stamps::default();
        let server_read = Stamped {
            inner: server_read,
            at: Arc::clone(&stamps.read),
        };
        let server_write = Stamped {
            inner: server_write,
            at: Arc::clone(&stamps.written),
        };
        runtime.spawn(serve_io(toolbox, info(), server_read, server_write));
        let (client_read, client_write) = tokio::io::split(client);
        Self {
            client: LineClient::initialize(client_write, client_read).await,
            stamps,
        }
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.client.request(method, params).await
    }
}

/// MCP over Streamable HTTP: a 2025-11-25 session (replies on an event stream), or stateless
/// 2026-07-28 requests (replies as plain JSON bodies).
struct HttpSession {
    http: reqwest::Client,
    url: String,
    /// `None` for stateless requests.
    session: Option<String>,
    stateless: bool,
    next_id: u64,
    /// The last reply body as received, to time the client's own parsing of it.
    last_reply: String,
}

const STATELESS: &str = "2026-07-28";

impl HttpSession {
    async fn start(runtime: &Handle, toolbox: Arc<Toolbox<Deployment>>, stateless: bool) -> Self {
        let config = HttpConfig::default()
            .with_bind("127.0.0.1:0".parse().unwrap())
            .with_bearer_token(BearerToken::new(BEARER));
        // Bound inside the server's runtime, so that its listener belongs to it.
        let server = runtime
            .spawn(HttpServer::bind(toolbox, info(), config))
            .await
            .unwrap()
            .unwrap();
        let url = server.url();
        runtime.spawn(server.serve(std::future::pending()));
        let mut session = Self {
            http: reqwest::Client::new(),
            url,
            session: None,
            stateless,
            next_id: 1,
            last_reply: String::new(),
        };
        if !stateless {
            let init = session.request("initialize", initialize_params()).await;
            assert!(init["result"].is_object(), "{init}");
            session.post(&initialized(), None).await;
        }
        session
    }

    async fn post(&mut self, body: &Value, tool: Option<&str>) -> String {
        let version = if self.stateless {
            STATELESS
        } else {
            "2025-11-25"
        };
        let mut request = self
            .http
            .post(&self.url)
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", format!("Bearer {BEARER}"))
            .header("MCP-Protocol-Version", version)
            .json(body);
        if let Some(session) = &self.session {
            request = request.header("Mcp-Session-Id", session);
        }
        if self.stateless {
            request = request.header("Mcp-Method", body["method"].as_str().unwrap_or_default());
            if let Some(tool) = tool {
                request = request.header("Mcp-Name", tool);
            }
        }
        let response = request.send().await.unwrap();
        if let Some(id) = response.headers().get("mcp-session-id") {
            self.session = Some(id.to_str().unwrap().to_owned());
        }
        response.text().await.unwrap()
    }

    async fn request(&mut self, method: &str, mut params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        if self.stateless {
            params["_meta"] = json!({
                "io.modelcontextprotocol/protocolVersion": STATELESS,
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": { "name": "bench", "version": "0" }
            });
        }
        let tool = params["name"].as_str().map(str::to_owned);
        let text = self
            .post(
                &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
                tool.as_deref(),
            )
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

/// Times `n` calls on each transport and prints one line each.
///
/// The transports take turns call by call (and, for generated reports, with a plain `Value`
/// round trip of the body): this machine's speed drifts by a third within a minute, and taking
/// turns lets every figure of a line, and every line, see the same drift.
async fn measure(
    runtime: &Handle,
    name: &str,
    toolbox: Arc<Toolbox<Deployment>>,
    plain: (Duration, Duration),
    body: Option<&[u8]>,
    n: usize,
) {
    let mut stdio = StdioSession::start(runtime, Arc::clone(&toolbox)).await;
    let mut http = HttpSession::start(runtime, Arc::clone(&toolbox), false).await;
    let mut stateless = HttpSession::start(runtime, Arc::clone(&toolbox), true).await;
    let mut samples: [Vec<Duration>; 3] = Default::default();
    let mut spans = Vec::with_capacity(n);
    let mut floors = Vec::with_capacity(n);
    for i in 0..n + 5 {
        let warm = i >= 5;
        let started = Instant::now();
        let reply = stdio.request("tools/call", call_params()).await;
        if warm {
            samples[0].push(started.elapsed());
            spans.push(stdio.stamps.span());
        }
        check(&reply);
        let [_, http_samples, stateless_samples] = &mut samples;
        for (session, samples) in [
            (&mut http, http_samples),
            (&mut stateless, stateless_samples),
        ] {
            let started = Instant::now();
            let reply = session.request("tools/call", call_params()).await;
            if warm {
                samples.push(started.elapsed());
            }
            check(&reply);
        }
        if let (Some(body), true) = (body, warm) {
            floors.push(value_round_trip(body, 1));
        }
    }
    let floor = (!floors.is_empty()).then(|| stats(floors).0);
    let [stdio_samples, http_samples, stateless_samples] = samples;
    let runs = [
        (
            "stdio",
            stdio_samples,
            client_parse(&stdio.client.last_reply, None),
            Some(stats(spans).0),
        ),
        (
            "http",
            http_samples,
            client_parse(&http.last_reply, Some(http.next_id - 1)),
            None,
        ),
        (
            "http stateless",
            stateless_samples,
            client_parse(&stateless.last_reply, Some(stateless.next_id - 1)),
            None,
        ),
    ];
    for (transport, samples, parse, span) in runs {
        let total = stats(samples);
        let share = total.0.saturating_sub(plain.0).saturating_sub(parse);
        // stdio only: from the server reading the request's end to it writing the reply's end,
        // less the upstream round trip: the server's share without the client's side.
        let span = span.map_or_else(String::new, |span| {
            format!(" | in server {:>6.3} ms", ms(span.saturating_sub(plain.0)))
        });
        let ratio = floor.map_or_else(String::new, |f| {
            format!(
                " | share / Value round trip ({:.2} ms) {:.2}",
                ms(f),
                share.as_secs_f64() / f.as_secs_f64()
            )
        });
        println!(
            "  {name:<24} {transport:<14} total median {:>7.3} ms p99 {:>7.3} ms | upstream median {:>6.3} ms | client parse {:>6.3} ms | server share {:>6.3} ms{span}{ratio}",
            ms(total.0),
            ms(total.1),
            ms(plain.0),
            ms(parse),
            ms(share),
        );
    }
}

/// The measurements, with the server side (server, emulator, upstreams) spawned on `runtime`.
async fn run(runtime: Handle) {
    println!(
        "tools/call top_pages over stdio (in-memory pipe) and Streamable HTTP (2025-11-25 session; stateless 2026-07-28), no report cache:"
    );
    // `TRANSPORT_BENCH_ROWS=100` runs just that generated size, `TRANSPORT_BENCH_CALLS=20`
    // fewer calls (for a profiler or an instruction count with callgrind), and
    // `TRANSPORT_BENCH_RUNTIME=current` or `=two` one runtime (see `main`).
    let env = |name: &str| -> Option<usize> { std::env::var(name).ok()?.parse().ok() };
    let only = env("TRANSPORT_BENCH_ROWS");
    let calls = env("TRANSPORT_BENCH_CALLS");
    if only.is_none() {
        let emu = runtime
            .spawn(Emulator::builder().seed(11).view_token(TOKEN, &[1]).start())
            .await
            .unwrap()
            .expect("emulator");
        let tools = toolbox(&emu.base_url());
        // One call so the emulator has recorded the tool's upstream request.
        check(
            &StdioSession::start(&runtime, Arc::clone(&tools))
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
        measure(&runtime, "emulator (dataset)", tools, plain, None, n).await;
    }

    for rows in [
        100,
        1_000,
        matomo_privacy_mcp_core::reporting::UPSTREAM_ROW_CAP as usize,
    ] {
        if only.is_some_and(|only| only != rows) {
            continue;
        }
        let body = data::page_urls(rows, 42);
        let base = runtime.spawn(static_upstream(body.clone())).await.unwrap();
        let n = calls.unwrap_or(if rows > 1_000 { 60 } else { 300 });
        let form = vec![("token_auth".to_owned(), TOKEN.to_owned())];
        let plain = time_plain(&format!("{base}index.php"), &form, n).await;
        measure(
            &runtime,
            &format!("generated, {rows} rows"),
            toolbox(&base),
            plain,
            Some(&body),
            n,
        )
        .await;
    }
}

/// Each measurement runs twice. First on one current-thread runtime, where the benchmark's
/// client and the server take turns on one thread: the server's own work, without thread
/// wake-ups. Then with the server side on a two-worker runtime of its own and the client on
/// another thread, as when they are separate processes: the server's tasks hand messages
/// between its threads, which a two-core machine shared with the client makes slow.
fn main() {
    let only = std::env::var("TRANSPORT_BENCH_RUNTIME").ok();
    let wanted = |flavour: &str| only.as_deref().is_none_or(|only| flavour.starts_with(only));
    let current = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    };
    if wanted("current") {
        println!("current-thread runtime, shared by client and server:");
        let runtime = current();
        runtime.block_on(run(runtime.handle().clone()));
    }
    if wanted("two") {
        println!("two-worker runtime for the server, the client on its own thread:");
        let server = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        current().block_on(run(server.handle().clone()));
    }
}
