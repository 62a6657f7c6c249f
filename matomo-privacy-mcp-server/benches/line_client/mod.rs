//! An MCP client over newline-delimited JSON-RPC (the stdio transport's framing), for the
//! benchmarks that talk to a server over a byte stream pair: `transport.rs` over an in-memory
//! pipe, `matomo-privacy-mcp/benches/stdio_process.rs` over a child process's stdin and stdout.

#![allow(dead_code)]

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, Lines};

/// `initialize` parameters of a 2025-11-25 client without capabilities.
pub fn initialize_params() -> Value {
    json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": { "name": "bench", "version": "0" }
    })
}

/// The notification that ends the handshake.
pub fn initialized() -> Value {
    json!({ "jsonrpc": "2.0", "method": "notifications/initialized" })
}

/// One MCP session: requests written as lines to `W`, replies read as lines from `R`.
pub struct LineClient<W, R> {
    to_server: W,
    from_server: Lines<BufReader<R>>,
    next_id: u64,
    /// The last reply as received, to time the client's own parsing of it.
    pub last_reply: String,
}

impl<W: AsyncWrite + Unpin, R: AsyncRead + Unpin> LineClient<W, R> {
    /// The session after the `initialize` handshake.
    pub async fn initialize(to_server: W, from_server: R) -> Self {
        let mut client = Self {
            to_server,
            from_server: BufReader::new(from_server).lines(),
            next_id: 1,
            last_reply: String::new(),
        };
        let init = client.request("initialize", initialize_params()).await;
        assert!(init["result"].is_object(), "{init}");
        client.send(&initialized()).await;
        client
    }

    /// Writes one message as a line.
    pub async fn send(&mut self, message: &Value) {
        let mut line = serde_json::to_vec(message).unwrap();
        line.push(b'\n');
        self.to_server.write_all(&line).await.unwrap();
        self.to_server.flush().await.unwrap();
    }

    /// Sends a request and returns its reply, skipping any other message.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        loop {
            let line = self
                .from_server
                .next_line()
                .await
                .unwrap()
                .expect("the server closed its output");
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == id {
                self.last_reply = line;
                return message;
            }
        }
    }
}
