//! Helpers for the HTTP tests: start a server on 127.0.0.1:0, speak raw JSON-RPC to it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod catalogue_http;
pub mod emulated;
pub mod oauth_as;
pub mod official_client;
pub mod stdio_server;
pub mod tools;

use std::sync::{Arc, Mutex};

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::audit::{AuditError, AuditRecord, AuditSink};
use matomo_privacy_mcp_server::{BearerToken, HttpConfig, HttpServer, ServerInfo, SessionCount};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const TOKEN: &str = "test-token-0123456789abcdef";
pub const SERVER_NAME: &str = "matomo-privacy-mcp-test-server";

/// Keeps every audit record, to check what the adapter put in the call origin.
#[derive(Default)]
pub struct CollectingAudit(pub Mutex<Vec<AuditRecord>>);

impl AuditSink for CollectingAudit {
    fn record(&self, record: &AuditRecord) -> Result<(), AuditError> {
        self.0.lock().unwrap().push(record.clone());
        Ok(())
    }
}

/// A running server and the means to stop it.
pub struct Running {
    pub url: String,
    pub stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<Result<(), matomo_privacy_mcp_server::ServeError>>,
    pub sessions: SessionCount,
}

impl Running {
    pub async fn shutdown(mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(10), self.task)
            .await
            .expect("graceful shutdown took longer than 10 s")
            .unwrap()
            .unwrap();
    }
}

pub fn test_config() -> HttpConfig {
    HttpConfig::default()
        .with_bind("127.0.0.1:0".parse().unwrap())
        .with_bearer_token(BearerToken::new(TOKEN))
}

pub async fn start_with<S: Send + Sync + 'static>(
    toolbox: Toolbox<S>,
    config: HttpConfig,
) -> Running {
    let info = ServerInfo::new(SERVER_NAME, "0.0.1-test");
    let server = HttpServer::bind(toolbox, info, config).await.unwrap();
    let url = server.url();
    let sessions = server.sessions();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(async move {
        let _ = stopped.await;
    }));
    Running {
        url,
        stop: Some(stop),
        task,
        sessions,
    }
}

/// Serves `profiles` as the server `name` with `config`: its URL, and what stops it.
pub async fn start_profiles<S: Send + Sync + 'static>(
    profiles: matomo_privacy_mcp_server::Profiles<S>,
    name: &str,
    config: HttpConfig,
) -> (String, oneshot::Sender<()>) {
    let server = HttpServer::bind_profiles(profiles, ServerInfo::new(name, "1"), config)
        .await
        .unwrap();
    let url = server.url();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(async move {
        let _ = stopped.await;
    }));
    (url, stop)
}

pub async fn start() -> Running {
    start_with(tools::test_toolbox(), test_config()).await
}

/// [`start`], and a client that has initialised its session with it.
pub async fn start_connected() -> (Running, RawClient) {
    let server = start().await;
    let client = RawClient::connected(&server.url).await;
    (server, client)
}

/// The names of the tools in a `tools/list` result's `tools`.
pub fn tool_names(tools: &Value) -> Vec<String> {
    tools
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A raw Streamable HTTP client: one MCP session, JSON-RPC by hand.
pub struct RawClient {
    pub http: reqwest::Client,
    pub url: String,
    pub token: String,
    pub session: Option<String>,
    pub protocol: String,
    next_id: u64,
}

/// What came back: the HTTP status, headers, and the JSON-RPC message if any.
pub struct Reply {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub message: Option<Value>,
    pub text: String,
}

impl RawClient {
    pub fn new(url: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: url.to_owned(),
            token: TOKEN.to_owned(),
            session: None,
            protocol: "2025-11-25".to_owned(),
            next_id: 1,
        }
    }

    pub fn post(&self) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .post(&self.url)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {}", self.token))
            .header("MCP-Protocol-Version", &self.protocol);
        if let Some(session) = &self.session {
            request = request.header("Mcp-Session-Id", session);
        }
        request
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let message = parse_message(&headers, &text);
        Reply {
            status,
            headers,
            message,
            text,
        }
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Reply {
        let id = self.next_id;
        self.next_id += 1;
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let mut post = self.post().json(&body);
        if self.protocol.as_str() >= "2026-07-28" {
            // Stateless requests name their method (and tool) in headers too.
            post = post.header("Mcp-Method", method);
            if let Some(name) = params.get("name").and_then(|n| n.as_str()) {
                post = post.header("Mcp-Name", name);
            }
        }
        let reply = self.send(post).await;
        if let Some(message) = &reply.message {
            assert_eq!(message["id"], id, "reply to another request: {message}");
        }
        reply
    }

    /// A client of `url` that has initialised its session.
    pub async fn connected(url: &str) -> Self {
        let mut client = Self::new(url);
        client.initialize().await;
        client
    }

    /// `tools/list`, which must succeed: the tools listed.
    pub async fn list_tools(&mut self) -> Value {
        let reply = self.request("tools/list", json!({})).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.message.unwrap()["result"]["tools"].clone()
    }

    /// The names of the tools listed ([`Self::list_tools`]).
    pub async fn tool_names(&mut self) -> Vec<String> {
        tool_names(&self.list_tools().await)
    }

    /// Calls `tool` with `arguments`.
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Reply {
        self.request(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
        .await
    }

    /// `initialize`, then `notifications/initialized`; returns the initialize result.
    pub async fn initialize(&mut self) -> Value {
        let reply = self
            .request(
                "initialize",
                json!({
                    "protocolVersion": self.protocol,
                    "capabilities": {},
                    "clientInfo": { "name": "raw-test-client", "version": "9.9.9" }
                }),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        self.session = reply
            .headers
            .get("mcp-session-id")
            .map(|v| v.to_str().unwrap().to_owned());
        let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
        let ack = self.send(self.post().json(&initialized)).await;
        assert!(ack.status.is_success(), "{} {}", ack.status, ack.text);
        reply.message.expect("initialize got no JSON-RPC reply")["result"].clone()
    }
}

/// The JSON-RPC response in a JSON body or in an SSE stream's `data:` lines.
fn parse_message(headers: &reqwest::header::HeaderMap, text: &str) -> Option<Value> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") {
        return serde_json::from_str(text).ok();
    }
    if content_type.starts_with("text/event-stream") {
        return text
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|message| message.get("id").is_some());
    }
    None
}

/// [`start`] with the test tools' calls audited into the returned collection.
pub async fn start_audited() -> (Running, Arc<CollectingAudit>) {
    let audit = Arc::new(CollectingAudit::default());
    let toolbox = tools::test_toolbox().with_audit(audit.clone());
    (start_with(toolbox, test_config()).await, audit)
}

/// Log output captured in memory, for tests that look into what was logged.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Captures, from now on, every log line `filter` lets through (the process's one global
    /// subscriber: one test a binary).
    pub fn install(filter: tracing_subscriber::EnvFilter) -> Self {
        let captured = Self::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(move || writer.clone())
            .init();
        captured
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// Stops `server` gracefully and returns everything logged, which must include the
    /// server's start: a test that finds nothing amiss in its logs knows they were captured.
    pub async fn after_shutdown(&self, server: Running) -> String {
        server.shutdown().await;
        let logs = self.text();
        assert!(logs.contains("serving MCP over Streamable HTTP"), "{logs}");
        logs
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
