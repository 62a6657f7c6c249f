//! The HTTP transport under hostile clients: bodies and headers trickled one
//! byte at a time (slowloris), and more sessions than the server allows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::{RawClient, Running, TOKEN, start_with, test_config, tools::test_toolbox};
use matomo_privacy_mcp_server::{HttpConfig, HttpServer, ServeError, ServerInfo};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far above the 1 s read timeout the tests configure: only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(15);

fn authority(server: &Running) -> String {
    server
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned()
}

/// A normal client gets its work done: initialize, then a call.
async fn normal_client_is_served(server: &Running) {
    let mut client = RawClient::connected(&server.url).await;
    let reply = client.call("add", json!({ "a": 2, "b": 3 })).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.message.unwrap()["result"]["structuredContent"],
        json!({ "sum": 5 })
    );
}

/// Writes `bytes` one at a time, `pause` apart, until done or the server hangs up.
fn trickle(
    mut writer: tokio::net::tcp::OwnedWriteHalf,
    bytes: Vec<u8>,
    pause: Duration,
) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let mut sent = 0;
        for byte in bytes {
            if writer.write_all(&[byte]).await.is_err() {
                break;
            }
            sent += 1;
            tokio::time::sleep(pause).await;
        }
        sent
    })
}

/// Everything the server sends until it closes the connection (or the hang guard fires).
async fn read_until_closed(mut reader: tokio::net::tcp::OwnedReadHalf) -> String {
    let mut response = Vec::new();
    tokio::time::timeout(HANG_GUARD, reader.read_to_end(&mut response))
        .await
        .expect("the server kept a trickling connection open past the hang guard")
        .ok();
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn a_body_trickled_byte_by_byte_is_cut_off_while_others_are_served() {
    // One slot in flight: the slow client must not be holding it.
    let config = test_config()
        .with_read_timeout(Duration::from_secs(1))
        .with_max_in_flight(1);
    let server = start_with(test_toolbox(), config).await;
    let body = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": { "name": "slowloris", "version": "1" } }
    })
    .to_string();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        authority(&server),
        body.len()
    );
    let stream = TcpStream::connect(authority(&server)).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    let sender = trickle(writer, body.clone().into_bytes(), Duration::from_secs(1));

    // While the body trickles, another client is served.
    normal_client_is_served(&server).await;

    let response = read_until_closed(reader).await;
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("read_timeout"), "{response}");
    let sent = sender.await.unwrap();
    assert!(sent < body.len(), "the whole body went through: {response}");
    normal_client_is_served(&server).await;
    server.shutdown().await;
}

#[tokio::test]
async fn headers_trickled_byte_by_byte_are_cut_off_while_others_are_served() {
    let config = test_config().with_read_timeout(Duration::from_secs(1));
    let server = start_with(test_toolbox(), config).await;
    let mut headers = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\n",
        authority(&server)
    );
    for n in 0..100 {
        headers.push_str(&format!("X-Padding-{n}: slow\r\n"));
    }
    let stream = TcpStream::connect(authority(&server)).await.unwrap();
    let (reader, writer) = stream.into_split();
    let sender = trickle(
        writer,
        headers.clone().into_bytes(),
        Duration::from_millis(100),
    );
    normal_client_is_served(&server).await;
    // The server hangs up (hyper closes the connection; there is no request to answer yet).
    let response = read_until_closed(reader).await;
    assert!(!response.starts_with("HTTP/1.1 200"), "{response}");
    sender.abort();
    normal_client_is_served(&server).await;
    server.shutdown().await;
}

fn initialize_post(client: &RawClient) -> reqwest::RequestBuilder {
    client.post().json(&json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": { "name": "session-flood", "version": "1" } }
    }))
}

#[tokio::test]
async fn sessions_beyond_the_cap_get_503_and_open_ones_keep_working() {
    const CAP: usize = 50;
    const ATTEMPTS: usize = 60;
    let config = test_config()
        .with_max_sessions(CAP)
        .with_max_in_flight(2 * ATTEMPTS);
    let server = start_with(test_toolbox(), config).await;

    // Watch the session count while the flood runs.
    let peak = Arc::new(AtomicUsize::new(0));
    let flooding = Arc::new(AtomicBool::new(true));
    let watcher = {
        let (sessions, peak, flooding) = (
            server.sessions.clone(),
            Arc::clone(&peak),
            Arc::clone(&flooding),
        );
        tokio::spawn(async move {
            while flooding.load(Ordering::SeqCst) {
                peak.fetch_max(sessions.get().await, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let attempts: Vec<_> = (0..ATTEMPTS)
        .map(|_| {
            let client = RawClient::new(&server.url);
            tokio::spawn(async move {
                let reply = client.send(initialize_post(&client)).await;
                let session = reply
                    .headers
                    .get("mcp-session-id")
                    .map(|v| v.to_str().unwrap().to_owned());
                (reply, session)
            })
        })
        .collect();
    let mut opened = Vec::new();
    let mut refused = 0;
    for attempt in attempts {
        let (reply, session) = tokio::time::timeout(HANG_GUARD, attempt)
            .await
            .expect("an initialize hung")
            .unwrap();
        match reply.status.as_u16() {
            200 => opened.push(session.expect("200 without a session id")),
            503 => {
                refused += 1;
                assert_eq!(reply.headers["retry-after"], "1");
                assert!(reply.text.contains("max_sessions"), "{}", reply.text);
                assert!(session.is_none());
            }
            other => panic!("unexpected status {other}: {}", reply.text),
        }
    }
    flooding.store(false, Ordering::SeqCst);
    watcher.await.unwrap();
    assert_eq!(opened.len(), CAP);
    assert_eq!(refused, ATTEMPTS - CAP);
    assert_eq!(server.sessions.get().await, CAP);
    assert!(peak.load(Ordering::SeqCst) <= CAP, "peak {peak:?}");

    // An open session keeps working at the cap.
    let mut existing = RawClient::new(&server.url);
    existing.session = Some(opened[0].clone());
    let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    let ack = existing.send(existing.post().json(&initialized)).await;
    assert!(ack.status.is_success(), "{}", ack.text);
    let reply = existing.call("add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(
        reply.message.unwrap()["result"]["structuredContent"],
        json!({ "sum": 2 })
    );
    let newcomer = RawClient::new(&server.url);
    assert_eq!(newcomer.send(initialize_post(&newcomer)).await.status, 503);

    // Deleting a session makes room for exactly one more.
    let deleted = existing
        .http
        .delete(&server.url)
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("MCP-Protocol-Version", "2025-11-25")
        .header("Mcp-Session-Id", &opened[0])
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert_eq!(server.sessions.get().await, CAP - 1);
    let _newcomer = RawClient::connected(&server.url).await;
    assert_eq!(server.sessions.get().await, CAP);
    let late = RawClient::new(&server.url);
    assert_eq!(late.send(initialize_post(&late)).await.status, 503);
    server.shutdown().await;
}

#[tokio::test]
async fn idle_sessions_are_closed_and_free_their_place() {
    let config = test_config()
        .with_max_sessions(2)
        .with_session_idle_timeout(Duration::from_millis(500));
    let server = start_with(test_toolbox(), config).await;
    let mut first = RawClient::connected(&server.url).await;
    let _second = RawClient::connected(&server.url).await;
    assert_eq!(server.sessions.get().await, 2);
    tokio::time::timeout(HANG_GUARD, async {
        while server.sessions.get().await > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("idle sessions were never closed");
    // The closed session is gone for its client, and there is room again.
    let reply = first.request("tools/list", json!({})).await;
    assert_eq!(reply.status, 404, "{}", reply.text);
    let _third = RawClient::connected(&server.url).await;
    server.shutdown().await;
}

#[tokio::test]
async fn zero_limits_are_refused_at_start() {
    for (config, key) in [
        (test_config().with_max_sessions(0), "max_sessions"),
        (
            test_config().with_read_timeout(Duration::ZERO),
            "read_timeout",
        ),
        (
            test_config().with_session_idle_timeout(Duration::ZERO),
            "session_idle_timeout",
        ),
    ] {
        let error = HttpServer::bind(test_toolbox(), ServerInfo::default(), config)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, ServeError::InvalidConfig { key: k, .. } if *k == key),
            "{error}"
        );
    }
    let defaults = HttpConfig::default();
    assert_eq!(
        defaults.max_sessions,
        matomo_privacy_mcp_server::DEFAULT_MAX_SESSIONS
    );
    assert_eq!(
        defaults.read_timeout,
        matomo_privacy_mcp_server::DEFAULT_READ_TIMEOUT
    );
}
