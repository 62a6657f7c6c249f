//! `tools/call top_pages` through the shipped `matomo-privacy-mcp` binary over real stdio pipes: what a
//! desktop AI client sees. Median and p99 of the total, and the server's share: the total less a
//! plain replay of the very upstream requests the server made, and less the client's parsing of
//! the reply.
//!
//! Two upstreams: the Matomo emulator (its realistic report: about 100 rows, of which the
//! threshold leaves a few), and the emulator with its page report replaced by the generated
//! 100-row report of the other benchmarks, answered from memory, whose time is then negligible
//! next to the server's. Every call asks about another date range, so the server's report cache
//! (always on in the binary) answers none of them. `cargo bench -p matomo-privacy-mcp --bench stdio_process`;
//! results in `matomo-privacy-mcp-core/benches/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::{StatusCode, Uri};
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::{Day, Emulator};
use serde_json::{Value, json};
use tokio::process::{Child, ChildStdin, ChildStdout};

// The binary as the end-to-end tests start it.
#[allow(dead_code)]
#[path = "../tests/common/binary.rs"]
mod binary;

// The line-based MCP client of the transport benchmark.
#[path = "../../matomo-privacy-mcp-server/benches/line_client/mod.rs"]
mod line_client;

use line_client::LineClient;

// The generated reports of the core benchmarks, so the numbers compare.
#[path = "../../matomo-privacy-mcp-core/benches/data/mod.rs"]
mod data;

const TOKEN: &str = "b3f1c0de5ec7e70c3a9b41d2a8f60e1b";
const CALLS: usize = 300;

/// Median and 99th percentile.
fn stats(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p99 = (samples.len() * 99 / 100).min(samples.len() - 1);
    (samples[samples.len() / 2], samples[p99])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `count` date ranges that all end yesterday and all hold the emulator's fourteen days of
/// traffic (the same report), each starting a day earlier than the one before: a new question
/// for the report cache every time.
fn ranges(today: Day, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("{},{}", today.plus(-14 - i as i64), today.plus(-1)))
        .collect()
}

/// The `matomo-privacy-mcp` process and an initialized MCP session over its stdin and stdout.
struct Server {
    _child: Child,
    client: LineClient<ChildStdin, ChildStdout>,
}

impl Server {
    async fn start(config: &std::path::Path) -> Self {
        let mut child = binary::command()
            .args(["--config", config.to_str().unwrap(), "serve"])
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the matomo-privacy-mcp binary starts");
        let (stdin, stdout) = (child.stdin.take().unwrap(), child.stdout.take().unwrap());
        Self {
            client: LineClient::initialize(stdin, stdout).await,
            _child: child,
        }
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.client.request(method, params).await
    }
}

/// Matomo as the server sees it: the emulator behind a recording proxy, which answers
/// `Actions.getPageUrls` itself with `pages` when given.
struct Upstream {
    base_url: String,
    /// Every request's query and form body, in order.
    recorded: Arc<Mutex<Vec<(String, Bytes)>>>,
    /// The client of the replays, which keeps its connection as the server's client does.
    replayer: reqwest::Client,
}

impl Upstream {
    async fn start(emulator: &Emulator, pages: Option<Vec<u8>>) -> Self {
        let endpoint = emulator.endpoint();
        let http = reqwest::Client::new();
        let pages = pages.map(Bytes::from);
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&recorded);
        let app = axum::Router::new().fallback(move |uri: Uri, body: Bytes| {
            let (endpoint, http, pages) = (endpoint.clone(), http.clone(), pages.clone());
            let query = uri.query().unwrap_or_default().to_owned();
            record.lock().unwrap().push((query.clone(), body.clone()));
            async move {
                let asks_pages = |text: &[u8]| {
                    String::from_utf8_lossy(text).contains("method=Actions.getPageUrls")
                };
                if let Some(pages) = pages
                    && (asks_pages(query.as_bytes()) || asks_pages(&body))
                {
                    return (StatusCode::OK, [(CONTENT_TYPE, "application/json")], pages);
                }
                let answer = http
                    .post(format!("{endpoint}?{query}"))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
                let bytes = answer.bytes().await.unwrap();
                (status, [(CONTENT_TYPE, "application/json")], bytes)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base_url: format!("http://{addr}/"),
            recorded,
            replayer: reqwest::Client::new(),
        }
    }

    fn requests(&self) -> usize {
        self.recorded.lock().unwrap().len()
    }

    /// The requests recorded after the first `skip`, replayed once each with plain reqwest.
    async fn replay(&self, skip: usize) -> Vec<Duration> {
        let http = &self.replayer;
        let requests: Vec<(String, Bytes)> = self.recorded.lock().unwrap()[skip..].to_vec();
        let mut samples = Vec::new();
        for (query, body) in requests {
            let started = Instant::now();
            let url = format!("{}index.php?{query}", self.base_url);
            let bytes = testing::post_form(http, url, body).await;
            samples.push(started.elapsed());
            black_box(bytes);
        }
        samples
    }
}

/// One server process and what is measured of it.
struct Run<'a> {
    name: &'static str,
    upstream: &'a Upstream,
    server: Server,
    totals: Vec<Duration>,
    replays: Vec<Duration>,
    rows: usize,
    calls: usize,
}

impl<'a> Run<'a> {
    /// A fresh server process whose Matomo is `upstream`.
    async fn start(name: &'static str, upstream: &'a Upstream) -> Self {
        let config = std::env::temp_dir().join(format!(
            "matomo-privacy-mcp-bench-{}-{name}.toml",
            std::process::id()
        ));
        std::fs::write(
            &config,
            format!(
                "enabled = true\n[matomo]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\n[privacy.noise]\nenabled = false\n",
                upstream.base_url
            ),
        )
        .unwrap();
        let server = Server::start(&config).await;
        let _ = std::fs::remove_file(&config);
        Self {
            name,
            upstream,
            server,
            totals: Vec::with_capacity(CALLS),
            replays: Vec::with_capacity(CALLS),
            rows: 0,
            calls: 0,
        }
    }

    /// One call about `date`, and a plain replay of the upstream request it made.
    async fn call(&mut self, date: &str, keep: bool) {
        let before = self.upstream.requests();
        let arguments = json!({ "site": 1, "period": "range", "date": date, "limit": 100 });
        let started = Instant::now();
        let reply = self
            .server
            .request(
                "tools/call",
                json!({ "name": "top_pages", "arguments": arguments }),
            )
            .await;
        let elapsed = started.elapsed();
        let result = &reply["result"];
        assert!(result["isError"] != true, "{reply}");
        // The report and the distinct visitors behind it (the whole, the rows a page shows):
        // since the threshold counts people, a call makes several upstream requests, one after
        // another where one needs the other; their replays together are the upstream's share.
        assert!(self.upstream.requests() > before, "no upstream request");
        let replay: Duration = self.upstream.replay(before).await.into_iter().sum();
        if keep {
            self.rows += result["structuredContent"]["rows"]
                .as_array()
                .unwrap()
                .len();
            self.calls += 1;
            self.totals.push(elapsed);
            self.replays.push(replay);
        }
    }

    fn report(self) {
        let parse = stats(
            (0..50)
                .map(|_| {
                    let started = Instant::now();
                    black_box(
                        serde_json::from_str::<Value>(&self.server.client.last_reply).unwrap(),
                    );
                    started.elapsed()
                })
                .collect(),
        )
        .0;
        let upstream = stats(self.replays).0;
        let total = stats(self.totals);
        println!(
            "  {:<30} {:>3.0} rows shown | total median {:.3} ms p99 {:.3} ms | upstream replay median {:.3} ms | client parse {:.3} ms | server share {:.3} ms",
            self.name,
            self.rows as f64 / self.calls as f64,
            ms(total.0),
            ms(total.1),
            ms(upstream),
            ms(parse),
            ms(total.0.saturating_sub(upstream).saturating_sub(parse)),
        );
    }
}

/// Both upstreams' servers take turns call by call, each call followed by a replay of its
/// upstream request, so that every figure sees the same drift of the machine's speed.
async fn run() {
    let today = Day::from_ymd(2026, 11, 26).expect("a valid day");
    let emulator = Emulator::builder()
        .seed(11)
        .today(today)
        .view_token(TOKEN, &[1])
        .start()
        .await
        .expect("emulator");
    let plain = Upstream::start(&emulator, None).await;
    let generated = Upstream::start(&emulator, Some(data::page_urls(100, 42))).await;
    let mut runs = [
        Run::start("emulator", &plain).await,
        Run::start("generated 100-row page report", &generated).await,
    ];
    for (i, date) in ranges(today, CALLS + 5).iter().enumerate() {
        for run in &mut runs {
            run.call(date, i >= 5).await;
        }
    }
    println!(
        "matomo-privacy-mcp over stdio pipes, {CALLS} calls of top_pages each, each about another date range:"
    );
    for run in runs {
        run.report();
    }
}

fn main() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(run());
}
