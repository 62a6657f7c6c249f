//! The `tools/list` response a client downloads at the start of every session, measured on the
//! wire: the built-in catalogue served over Streamable HTTP, as the binary serves it by default.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::RawClient;
use serde_json::{Value, json};

/// 60 KiB: the list stays small enough for a client to fetch it every session and for a model's
/// context to hold it (it was 252 KB for the same tools).
const LIMIT: usize = 60 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_tool_list_is_under_60_kib_on_the_wire() {
    let server = common::catalogue_http::start("tool-list-size", 10.0).await;
    let mut client = RawClient::connected(&server.url).await;
    let reply = client.request("tools/list", json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let message = reply.message.unwrap();
    let tools = message["result"]["tools"].as_array().unwrap();
    assert!(tools.len() >= 30, "{} tools", tools.len());
    let size = |v: &Value| serde_json::to_string(v).unwrap().len();
    let part = |key: &str| tools.iter().map(|t| size(&t[key])).sum::<usize>();
    println!(
        "tools/list on the wire: {} bytes ({} tools; body {} bytes): inputSchema {}, outputSchema {}, description {}, annotations {}, _meta {}",
        size(&message),
        tools.len(),
        reply.text.len(),
        part("inputSchema"),
        part("outputSchema"),
        part("description"),
        part("annotations"),
        part("_meta"),
    );
    assert!(
        reply.text.len() < LIMIT,
        "the tools/list body is {} bytes",
        reply.text.len()
    );
    // What moved out of the list is still reachable: the class of each tool stays in `_meta`.
    for tool in tools {
        assert_eq!(
            tool["_meta"]["matomo-privacy-mcp/privacyClass"],
            "aggregate"
        );
        assert!(
            tool["_meta"]
                .get("matomo-privacy-mcp/fieldClasses")
                .is_none()
        );
    }
    server.shutdown().await;
}
