//! MCP over Streamable HTTP with raw JSON-RPC: initialize, tools/list, tools/call and their errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RawClient, SERVER_NAME, start, start_audited, start_connected, tool_names};
use serde_json::json;

#[tokio::test]
async fn initialize_names_our_server_and_offers_tools() {
    let server = start().await;
    let mut client = RawClient::new(&server.url);
    let result = client.initialize().await;
    assert_eq!(result["serverInfo"]["name"], SERVER_NAME);
    assert_eq!(result["serverInfo"]["version"], "0.0.1-test");
    assert_ne!(result["serverInfo"]["name"], "rmcp");
    assert!(result["capabilities"]["tools"].is_object(), "{result}");
    assert_eq!(result["protocolVersion"], "2025-11-25");
    assert!(client.session.is_some(), "no Mcp-Session-Id was issued");
    server.shutdown().await;
}

#[tokio::test]
async fn tools_list_keeps_every_field_of_our_definitions() {
    let (server, mut client) = start_connected().await;
    let tools = client.list_tools().await;
    assert_eq!(tool_names(&tools), ["add", "top_countries", "slow"]);

    let expected = serde_json::to_value(
        common::tools::test_toolbox()
            .descriptor("top_countries")
            .unwrap(),
    )
    .unwrap();
    let listed = &tools[1];
    for field in [
        "name",
        "title",
        "description",
        "inputSchema",
        "outputSchema",
        "annotations",
        "_meta",
    ] {
        assert_eq!(
            listed[field], expected[field],
            "field {field} changed on the way"
        );
    }
    assert_eq!(listed["annotations"]["readOnlyHint"], true);
    assert_eq!(
        listed["_meta"]["matomo-privacy-mcp/privacyClass"],
        "aggregate"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn tools_call_returns_text_structured_content_and_is_error() {
    let (server, audit) = start_audited().await;
    let mut client = RawClient::connected(&server.url).await;
    let reply = client.call("add", json!({ "a": 40, "b": 2 })).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let message = reply.message.unwrap();
    let result = &message["result"];
    assert_eq!(result["isError"], false);
    assert_eq!(result["structuredContent"], json!({ "sum": 42 }));
    assert_eq!(result["content"][0]["type"], "text");
    assert_eq!(result["content"][0]["text"], "The sum is 42.");

    // The call origin carried the JSON-RPC id and the client named in initialize.
    let records = audit.0.lock().unwrap().clone();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].tool, "add");
    assert_eq!(records[0].request_id, message["id"].to_string());
    let client_info = records[0].client.clone().expect("client info missing");
    assert_eq!(client_info.name, "raw-test-client");
    assert_eq!(client_info.version, "9.9.9");
    server.shutdown().await;
}

#[tokio::test]
async fn bad_arguments_are_a_tool_error_the_model_can_read() {
    let (server, mut client) = start_connected().await;
    for arguments in [
        json!({ "a": "forty", "b": 2 }),
        json!({ "a": 1 }),
        json!({ "a": 1, "b": 2, "c": 3 }),
    ] {
        let reply = client.call("add", arguments.clone()).await;
        let result = reply.message.unwrap()["result"].clone();
        assert_eq!(result["isError"], true, "{arguments}: {result}");
        let text = result["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("invalid arguments:"), "{text}");
        assert!(result.get("structuredContent").is_none(), "{result}");
    }
    let reply = client.call("top_countries", json!({ "limit": 9 })).await;
    let result = reply.message.unwrap()["result"].clone();
    assert_eq!(result["isError"], true);
    assert_eq!(
        result["content"][0]["text"],
        "invalid arguments: `limit` must be between 1 and 4"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_tool_is_a_json_rpc_error() {
    let (server, mut client) = start_connected().await;
    let reply = client.call("drop_tables", json!({})).await;
    let message = reply.message.unwrap();
    assert!(message.get("result").is_none(), "{message}");
    assert_eq!(message["error"]["code"], -32602);
    assert_eq!(
        message["error"]["message"],
        "unknown tool `drop_tables`; list the tools to see which exist"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn stateless_2026_requests_are_served_with_private_cache_scope() {
    let (server, audit) = start_audited().await;
    let mut client = RawClient::new(&server.url);
    client.protocol = "2026-07-28".to_owned();
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": { "name": "stateless-client", "version": "1.0" }
    });
    let reply = client.request("tools/list", json!({ "_meta": meta })).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let result = reply.message.unwrap()["result"].clone();
    assert_eq!(result["cacheScope"], "private", "{result}");
    assert_eq!(result["tools"].as_array().unwrap().len(), 3);

    let reply = client
        .request(
            "tools/call",
            json!({ "_meta": meta, "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    // A result with nothing sent before it comes as a plain JSON body, not a one-event stream.
    let content_type = reply.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let result = reply.message.unwrap()["result"].clone();
    assert_eq!(result["structuredContent"], json!({ "sum": 3 }), "{result}");
    assert_eq!(result["resultType"], "complete", "{result}");
    let records = audit.0.lock().unwrap().clone();
    let client_info = records[0].client.clone().expect("client info missing");
    assert_eq!(client_info.name, "stateless-client");
    server.shutdown().await;
}

/// A body that is not one JSON-RPC message gets HTTP 400 and the JSON-RPC error the
/// specification names: -32700 for what is not JSON, -32600 for a batch (MCP has none since
/// 2025-06-18) or a non-object. Another content type is still 415.
#[tokio::test]
async fn bodies_that_are_not_one_message_get_json_rpc_errors() {
    let server = start().await;
    let client = RawClient::new(&server.url);
    for (body, code) in [
        ("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":", -32700),
        ("not json at all", -32700),
        (
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
            -32600,
        ),
        ("42", -32600),
    ] {
        let reply = client.send(client.post().body(body)).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        let message: serde_json::Value = serde_json::from_str(&reply.text).unwrap();
        assert_eq!(message["error"]["code"], code, "{body}: {message}");
        assert_eq!(message["id"], serde_json::Value::Null);
        assert_eq!(message["jsonrpc"], "2.0");
    }
    let reply = client
        .send(
            client
                .post()
                .header("Content-Type", "text/plain")
                .body("{}"),
        )
        .await;
    assert_eq!(reply.status, 415, "{}", reply.text);
    server.shutdown().await;
}

/// Deleting a session ends it (204 No Content); deleting it again is 404, as for any session
/// not open.
#[tokio::test]
async fn a_second_delete_of_a_session_is_404() {
    let (server, client) = start_connected().await;
    let session = client.session.clone().unwrap();
    let delete = || {
        client
            .http
            .delete(&server.url)
            .header("Authorization", format!("Bearer {}", common::TOKEN))
            .header("MCP-Protocol-Version", "2025-11-25")
            .header("Mcp-Session-Id", &session)
            .send()
    };
    // 204, not 202: the official Python client warns about anything but 200 or 204.
    let first = delete().await.unwrap();
    assert_eq!(first.status(), 204);
    let second = delete().await.unwrap();
    assert_eq!(second.status(), 404);
    server.shutdown().await;
}
