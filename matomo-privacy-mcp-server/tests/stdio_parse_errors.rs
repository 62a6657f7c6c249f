//! Over stdio, a line that is not JSON is answered with the JSON-RPC parse error (-32700) and
//! the session goes on: the next request is answered as usual, and every answer is one line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tools::test_toolbox;
use matomo_privacy_mcp_server::{ServerInfo, serve_io};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[tokio::test]
async fn garbage_lines_get_parse_errors_and_the_session_goes_on() {
    let (client, server) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server);
    let serving = tokio::spawn(serve_io(
        test_toolbox(),
        ServerInfo::new("stdio-parse-test", "1"),
        server_read,
        server_write,
    ));
    let (client_read, mut client_write) = tokio::io::split(client);
    let mut lines = BufReader::new(client_read).lines();
    let mut next = async || -> Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(10), lines.next_line())
            .await
            .expect("an answer in time")
            .unwrap()
            .expect("a line");
        serde_json::from_str(&line).expect("every answer is one JSON line")
    };

    client_write.write_all(b"this is not json\n").await.unwrap();
    let error = next().await;
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_eq!(error["id"], Value::Null);

    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": { "name": "t", "version": "1" } }
    });
    client_write
        .write_all(format!("{initialize}\n").as_bytes())
        .await
        .unwrap();
    let answer = next().await;
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["result"]["serverInfo"]["name"], "stdio-parse-test");
    client_write
        .write_all(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n{\"broken\": \n",
        )
        .await
        .unwrap();
    assert_eq!(next().await["error"]["code"], -32700);
    client_write
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n")
        .await
        .unwrap();
    let tools = next().await;
    assert_eq!(tools["id"], 2, "{tools}");
    assert!(
        tools["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    );

    // Closing stdin ends the session cleanly.
    client_write.shutdown().await.unwrap();
    drop(client_write);
    tokio::time::timeout(std::time::Duration::from_secs(10), serving)
        .await
        .expect("the server stops when stdin closes")
        .unwrap()
        .unwrap();
}
