//! Each injectable fault, seen over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{ROOT, api, emulator};
use matomo_privacy_mcp_testkit::Fault;

const VERSION: &str = "API.getMatomoVersion";

#[tokio::test]
async fn latency_delays_the_answer() {
    let emu = emulator(1).await;
    emu.inject(Fault::Latency(Duration::from_millis(300)));
    let t = Instant::now();
    let r = api(&emu, VERSION, ROOT, &[]).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 200);
    emu.clear_faults();
    let t = Instant::now();
    api(&emu, VERSION, ROOT, &[]).await;
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn http_status_always_and_n_times() {
    let emu = emulator(1).await;
    emu.inject(Fault::http_status_times(503, 2));
    assert_eq!(api(&emu, VERSION, ROOT, &[]).await.status, 503);
    assert_eq!(api(&emu, VERSION, ROOT, &[]).await.status, 503);
    assert_eq!(
        api(&emu, VERSION, ROOT, &[]).await.status,
        200,
        "heals after two failures"
    );
    emu.inject(Fault::http_status(502));
    for _ in 0..3 {
        assert_eq!(api(&emu, VERSION, ROOT, &[]).await.status, 502);
    }
    emu.clear_faults();
    assert_eq!(api(&emu, VERSION, ROOT, &[]).await.status, 200);
    assert_eq!(emu.request_count(), 7, "every attempt is recorded");
}

#[tokio::test]
async fn malformed_and_truncated_json() {
    let emu = emulator(1).await;
    emu.inject(Fault::MalformedJson);
    let r = api(&emu, VERSION, ROOT, &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/json"));
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    emu.clear_faults();
    let full = api(&emu, "Live.getLastVisitsDetails", ROOT, &[("idSite", "1")])
        .await
        .body;
    emu.inject(Fault::TruncatedJson);
    let cut = api(&emu, "Live.getLastVisitsDetails", ROOT, &[("idSite", "1")])
        .await
        .body;
    assert!(cut.len() < full.len() && full.starts_with(&cut));
    assert!(serde_json::from_slice::<serde_json::Value>(&cut).is_err());
}

#[tokio::test]
async fn oversized_body_has_the_requested_size() {
    let emu = emulator(1).await;
    emu.inject(Fault::OversizedBody {
        bytes: 3 * 1024 * 1024,
    });
    let r = api(&emu, VERSION, ROOT, &[]).await;
    assert_eq!(r.body.len(), 3 * 1024 * 1024);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_ok());
}

#[tokio::test]
async fn matomo_error_payload_and_html_error_page() {
    let emu = emulator(1).await;
    emu.inject(Fault::MatomoError {
        message: "Mysql error: gone away".into(),
    });
    let r = api(&emu, VERSION, ROOT, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"], "error");
    assert_eq!(r.json()["message"], "Mysql error: gone away");
    emu.clear_faults();
    emu.inject(Fault::HtmlErrorPage);
    let r = api(&emu, VERSION, ROOT, &[]).await;
    assert_eq!(r.status, 500);
    assert!(r.content_type.starts_with("text/html"));
    assert!(String::from_utf8(r.body).unwrap().contains("<html>"));
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let emu = emulator(1).await;
    let addr = emu.addr();
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
