//! A minimal Streamable HTTP client: one MCP session, JSON-RPC by hand, as a client sees it.

use serde_json::{Value, json};

/// One session with the server at `url`, with a bearer token or none.
pub struct Session {
    http: reqwest::Client,
    url: String,
    bearer: Option<String>,
    session: Option<String>,
    id: u64,
}

impl Session {
    /// A session not yet initialised.
    pub fn new(url: &str, bearer: Option<&str>) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: url.to_owned(),
            bearer: bearer.map(str::to_owned),
            session: None,
            id: 0,
        }
    }

    fn request(&self) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .header("mcp-protocol-version", "2025-11-25");
        if let Some(bearer) = &self.bearer {
            request = request.header("authorization", format!("Bearer {bearer}"));
        }
        if let Some(session) = &self.session {
            request = request.header("mcp-session-id", session);
        }
        request
    }

    /// `initialize` as `client`, then, when it is accepted, `notifications/initialized`; the
    /// HTTP status of `initialize`.
    pub async fn initialize(&mut self, client: &str) -> u16 {
        let (status, _) = self
            .send(
                "initialize",
                json!({ "protocolVersion": "2025-11-25", "capabilities": {},
                        "clientInfo": { "name": client, "version": "1" } }),
            )
            .await;
        if status == 200 {
            self.request()
                .json(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
                .send()
                .await
                .unwrap();
        }
        status
    }

    /// The HTTP status and the JSON-RPC answer (`null` when there is none).
    pub async fn send(&mut self, method: &str, params: Value) -> (u16, Value) {
        self.id += 1;
        let response = self
            .request()
            .json(&json!({ "jsonrpc": "2.0", "id": self.id, "method": method, "params": params }))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if let Some(session) = response.headers().get("mcp-session-id") {
            self.session = Some(session.to_str().unwrap().to_owned());
        }
        let text = response.text().await.unwrap();
        let message = text
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .find_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .or_else(|| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        (status, message)
    }

    /// Calls `tool`: the HTTP status and the JSON-RPC answer.
    pub async fn call(&mut self, tool: &str, arguments: Value) -> (u16, Value) {
        self.send(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
        .await
    }

    /// Calls `tool`, which answers with HTTP 200: the JSON-RPC answer.
    pub async fn call_ok(&mut self, tool: &str, arguments: Value) -> Value {
        let (status, answer) = self.call(tool, arguments).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// The names of the tools listed, or the message of the error that refused the list.
    pub async fn tools(&mut self) -> Result<Vec<String>, String> {
        let (_, answer) = self.send("tools/list", json!({})).await;
        match answer["result"]["tools"].as_array() {
            Some(tools) => Ok(tools
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect()),
            None => Err(answer["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned()),
        }
    }
}
