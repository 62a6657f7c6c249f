//! The guard in front of the HTTP endpoint: bearer token, Origin, Host, body size,
//! requests in flight, cache headers, refusing to start unsafely, graceful shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{
    RawClient, Reply, TOKEN, start, start_connected, start_with, test_config, tools::test_toolbox,
};
use matomo_privacy_mcp_server::{BearerToken, HttpConfig, HttpServer, ServeError, ServerInfo};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn initialize_body() -> serde_json::Value {
    json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": { "name": "security-test", "version": "1" }
        }
    })
}

/// `initialize` with the header `name` set to `value` (the bearer token and the rest as usual).
async fn initialize_with(client: &RawClient, name: &str, value: impl AsRef<str>) -> Reply {
    client
        .send(
            client
                .post()
                .header(name, value.as_ref())
                .json(&initialize_body()),
        )
        .await
}

/// An `initialize` request with `headers` and none of the client's own (no bearer token).
async fn initialize_bare(client: &RawClient, headers: &[(&str, &str)]) -> Reply {
    let mut request = client.http.post(&client.url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    client.send(request.json(&initialize_body())).await
}

#[tokio::test]
async fn missing_or_wrong_bearer_token_gets_401_with_www_authenticate() {
    let server = start().await;
    let client = RawClient::new(&server.url);
    let attempts = [
        None,
        Some("Bearer wrong-token-0123456789abcdef".to_owned()),
        Some(format!("Bearer {TOKEN}x")),
        Some(format!("Basic {TOKEN}")),
        Some("Bearer".to_owned()),
    ];
    for authorization in attempts {
        let mut headers = vec![("Accept", "application/json, text/event-stream")];
        headers.extend(
            authorization
                .as_deref()
                .map(|value| ("Authorization", value)),
        );
        let reply = initialize_bare(&client, &headers).await;
        assert_eq!(reply.status, 401, "{authorization:?}: {}", reply.text);
        let challenge = reply.headers["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert_eq!(reply.headers["cache-control"], "private, no-store");
        assert!(!reply.text.contains(TOKEN));
    }
    // The right token, in any case of the scheme name, is let through.
    let reply = initialize_with(&client, "Authorization", format!("bearer {TOKEN}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    server.shutdown().await;
}

#[tokio::test]
async fn foreign_origin_gets_403_and_local_pages_pass() {
    let server = start().await;
    let client = RawClient::new(&server.url);
    for origin in [
        "https://evil.example",
        "http://localhost.evil.example:8080",
        "null",
    ] {
        let reply = initialize_with(&client, "Origin", origin).await;
        assert_eq!(reply.status, 403, "{origin}: {}", reply.text);
        assert_eq!(reply.headers["cache-control"], "private, no-store");
    }
    // A foreign page is refused before its (missing) token is even looked at.
    let reply = initialize_bare(&client, &[("Origin", "https://evil.example")]).await;
    assert_eq!(reply.status, 403);
    for origin in ["http://localhost:5173", "http://127.0.0.1:3000"] {
        let reply = initialize_with(&client, "Origin", origin).await;
        assert_eq!(reply.status, 200, "{origin}: {}", reply.text);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn configured_origins_replace_the_defaults() {
    let config = test_config().with_allowed_origins(["https://console.example.org"]);
    let server = start_with(test_toolbox(), config).await;
    let client = RawClient::new(&server.url);
    let allowed = initialize_with(&client, "Origin", "https://console.example.org").await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    let local = initialize_with(&client, "Origin", "http://localhost:3000").await;
    assert_eq!(local.status, 403);
    server.shutdown().await;
}

/// The port of the server at `url` (`http://127.0.0.1:PORT/mcp`).
fn port_of(url: &str) -> &str {
    url.rsplit(':').next().unwrap().trim_end_matches("/mcp")
}

/// Sends one raw HTTP/1.1 request and returns the status line and the rest.
async fn raw_http(server_url: &str, request: &[u8]) -> String {
    let authority = server_url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}

fn raw_post(host: &str, body: &str) -> Vec<u8> {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn unknown_host_is_refused() {
    let server = start().await;
    let body = initialize_body().to_string();
    let port = port_of(&server.url);
    for host in [
        "evil.example",
        &format!("rebind.evil.example:{port}"),
        "127.0.0.2",
    ] {
        let response = raw_http(&server.url, &raw_post(host, &body)).await;
        assert!(response.starts_with("HTTP/1.1 421"), "{host}: {response}");
        assert!(
            response
                .to_ascii_lowercase()
                .contains("cache-control: private, no-store")
        );
    }
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let response = raw_http(&server.url, &raw_post(&host, &body)).await;
        assert!(response.starts_with("HTTP/1.1 200"), "{host}: {response}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn oversized_bodies_get_413_with_or_without_content_length() {
    let server = start_with(test_toolbox(), test_config().with_max_body_bytes(4096)).await;
    let client = RawClient::new(&server.url);
    let padding = "x".repeat(5000);
    let mut body = initialize_body();
    body["params"]["clientInfo"]["name"] = json!(padding);
    let reply = client.send(client.post().json(&body)).await;
    assert_eq!(reply.status, 413, "{}", reply.text);
    assert_eq!(reply.headers["cache-control"], "private, no-store");
    assert_eq!(
        reply.text,
        "Payload Too Large: the request body exceeds the server's limit of 4096 bytes; \
         the operator can raise it with `http.max_body_bytes`"
    );

    // Chunked: no Content-Length to check up front, so it is cut while it streams.
    let body = body.to_string();
    let port = port_of(&server.url);
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let response = raw_http(&server.url, request.as_bytes()).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response
            .contains("limit of 4096 bytes; the operator can raise it with `http.max_body_bytes`"),
        "{response}"
    );

    // A body under the limit is served.
    let reply = client.send(client.post().json(&initialize_body())).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    server.shutdown().await;
}

#[tokio::test]
async fn requests_beyond_the_in_flight_limit_get_503() {
    let server = start_with(test_toolbox(), test_config().with_max_in_flight(1)).await;
    let first = RawClient::connected(&server.url).await;
    let slow_call = {
        let post = first.post().json(&json!({
            "jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": { "name": "slow", "arguments": { "millis": 1500 } }
        }));
        tokio::spawn(async move { post.send().await.unwrap().text().await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = RawClient::new(&server.url);
    let reply = second.send(second.post().json(&initialize_body())).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(reply.headers["retry-after"], "1");

    let slow_text = slow_call.await.unwrap();
    assert!(slow_text.contains("\"waited_ms\":1500"), "{slow_text}");
    // The slot is free again once the slow response is complete.
    let reply = second.send(second.post().json(&initialize_body())).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    server.shutdown().await;
}

#[tokio::test]
async fn successful_responses_are_marked_private() {
    let (server, mut client) = start_connected().await;
    let reply = client.request("tools/list", json!({})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["cache-control"], "private, no-store");
    server.shutdown().await;
}

#[tokio::test]
async fn refuses_to_start_without_a_usable_bearer_token() {
    let bind = |config: HttpConfig| HttpServer::bind(test_toolbox(), ServerInfo::default(), config);
    let local = HttpConfig::default().with_bind("127.0.0.1:0".parse().unwrap());
    let error = bind(local.clone()).await.unwrap_err();
    assert!(matches!(error, ServeError::NoBearerToken));
    let weak = local.with_bearer_token(BearerToken::new("123456"));
    let bad_origin = test_config().with_allowed_origins(["localhost:3000"]);
    for (error, needle) in [
        (error, "no bearer token is configured"),
        (bind(weak).await.unwrap_err(), "shorter than 16 characters"),
        (
            bind(bad_origin).await.unwrap_err(),
            "`allowed_origins` is invalid",
        ),
    ] {
        assert!(error.to_string().contains(needle), "{error}");
        assert!(!error.to_string().contains("123456"), "{error}");
    }
}

#[tokio::test]
async fn shutdown_lets_a_call_in_progress_finish() {
    let (server, client) = start_connected().await;
    let post = client.post().json(&json!({
        "jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": { "name": "slow", "arguments": { "millis": 700 } }
    }));
    let call = tokio::spawn(async move { post.send().await.unwrap().text().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.shutdown().await;
    let text = call.await.unwrap();
    assert!(text.contains("\"waited_ms\":700"), "{text}");
}

#[tokio::test]
async fn binds_loopback_by_default() {
    let config = HttpConfig::default();
    assert!(config.bind.ip().is_loopback());
    let server = HttpServer::bind(test_toolbox(), ServerInfo::default(), test_config())
        .await
        .unwrap();
    assert!(server.local_addr().ip().is_loopback());
    assert_ne!(server.local_addr().port(), 0);
    assert!(server.url().ends_with("/mcp"));
}

#[tokio::test]
async fn shutdown_ends_open_event_streams() {
    let (server, client) = start_connected().await;
    let stream = client
        .http
        .get(&server.url)
        .header("Accept", "text/event-stream")
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("MCP-Protocol-Version", &client.protocol)
        .header("Mcp-Session-Id", client.session.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let reader = tokio::spawn(async move { stream.text().await });
    // `shutdown` fails the test if the server is still up after 10 s.
    server.shutdown().await;
    let _ = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .expect("the event stream stayed open after shutdown");
}

/// A browser page on an allowed origin can connect: its preflight is answered without a bearer
/// token (browsers send none on a preflight), and every answer, a 401 included, carries the
/// headers that let the page read it, the session id among them. A foreign origin gets none.
#[tokio::test]
async fn allowed_origins_get_cors_and_their_preflight_needs_no_token() {
    let config = test_config().with_allowed_origins(["https://console.example.org"]);
    let server = start_with(test_toolbox(), config).await;
    let client = RawClient::new(&server.url);
    let preflight = |origin: &str| {
        client
            .http
            .request(reqwest::Method::OPTIONS, &server.url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type, mcp-session-id",
            )
    };
    let reply = client.send(preflight("https://console.example.org")).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    let header = |reply: &common::Reply, name: &str| {
        reply
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(
        header(&reply, "access-control-allow-origin"),
        "https://console.example.org"
    );
    assert!(header(&reply, "access-control-allow-methods").contains("POST"));
    for name in ["authorization", "content-type", "mcp-session-id"] {
        assert!(
            header(&reply, "access-control-allow-headers").contains(name),
            "{name}"
        );
    }
    let reply = client.send(preflight("https://evil.example")).await;
    assert_eq!(reply.status, 403);
    assert_eq!(header(&reply, "access-control-allow-origin"), "");

    // The call itself: the session id is readable by the page.
    let reply = initialize_with(&client, "Origin", "https://console.example.org").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        header(&reply, "access-control-allow-origin"),
        "https://console.example.org"
    );
    assert!(header(&reply, "access-control-expose-headers").contains("mcp-session-id"));
    assert!(header(&reply, "vary").contains("origin"));
    // Without its token: 401, readable by the page so that it can say why.
    let headers = [
        ("Origin", "https://console.example.org"),
        ("Accept", "application/json, text/event-stream"),
    ];
    let reply = initialize_bare(&client, &headers).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        header(&reply, "access-control-allow-origin"),
        "https://console.example.org"
    );
    assert!(header(&reply, "access-control-expose-headers").contains("www-authenticate"));
    // No Origin (not a browser): no CORS headers.
    let reply = client.send(client.post().json(&initialize_body())).await;
    assert_eq!(reply.status, 200);
    assert_eq!(header(&reply, "access-control-allow-origin"), "");
    server.shutdown().await;
}
