//! The client's transport against a local HTTP server: where the token goes,
//! retries, timeouts, the size cap and what is logged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client_server;
mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use client_server::{Reply, SECRET, TestServer, builder_at, client_for, day_params, summary_error};
use matomo_privacy_mcp_core::client::ClientError;
use matomo_privacy_mcp_core::params::{Params, Period};
use matomo_privacy_mcp_core::{MatomoClient, Segment};
use support::log_capture::capture_logs;
use tokio::io::AsyncWriteExt;

const SUMMARY: &str = r#"{"nb_visits":17,"nb_actions":77,"bounce_rate":"6%"}"#;

#[tokio::test]
async fn token_goes_only_in_the_body_and_method_only_in_the_query() {
    let server = TestServer::always(Reply::json(200, SUMMARY)).await;
    let client = client_for(&server);
    let params = day_params().segment(Segment::parse("countryCode==de").unwrap());
    let value = client.call_raw("VisitsSummary.get", &params).await.unwrap();
    assert_eq!(value["nb_visits"], 17);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/index.php");
    assert_eq!(
        request.query,
        "module=API&method=VisitsSummary.get&format=JSON"
    );
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");
    assert!(!request.query.contains(SECRET));
    let form = request.form();
    let field = |name: &str| {
        form.iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(field("token_auth"), [SECRET]);
    assert_eq!(field("idSite"), ["1"]);
    assert_eq!(field("period"), ["day"]);
    assert_eq!(field("date"), ["2026-11-20"]);
    assert_eq!(field("segment"), ["countryCode==de"]);
    assert!(field("module").is_empty() && field("method").is_empty() && field("format").is_empty());
}

#[tokio::test]
async fn every_spelling_of_the_base_url_reaches_index_php() {
    let server = TestServer::always(Reply::json(200, r#"{"value":"5.0.2"}"#)).await;
    let base = server.base_url();
    let trimmed = base.trim_end_matches('/').to_owned();
    for url in [
        base.clone(),
        trimmed.clone(),
        format!("{trimmed}/index.php"),
        format!("{trimmed}/matomo/"),
    ] {
        let client = MatomoClient::builder(&url).token(SECRET).build().unwrap();
        let version = client
            .call_raw("API.getMatomoVersion", &Params::new())
            .await
            .unwrap();
        assert_eq!(version["value"], "5.0.2");
    }
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/index.php",
            "/index.php",
            "/index.php",
            "/matomo/index.php"
        ]
    );
}

#[tokio::test]
async fn url_credentials_become_basic_auth_only_when_allowed() {
    let server = TestServer::always(Reply::json(200, r#"{"value":"5.0.2"}"#)).await;
    let url = server
        .base_url()
        .replace("http://", "http://reader:s3cret@");
    let refused = MatomoClient::builder(&url)
        .token(SECRET)
        .build()
        .unwrap_err();
    assert!(
        matches!(refused, ClientError::InsecureBaseUrl { .. }),
        "{refused:?}"
    );
    assert!(!refused.to_string().contains("s3cret"));

    let client = MatomoClient::builder(&url)
        .token(SECRET)
        .danger_allow_url_credentials()
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("s3cret"));
    client
        .call_raw("API.getMatomoVersion", &Params::new())
        .await
        .unwrap();
    let request = &server.requests()[0];
    // base64("reader:s3cret")
    assert_eq!(
        request.authorization.as_deref(),
        Some("Basic cmVhZGVyOnMzY3JldA==")
    );
    assert_eq!(request.path, "/index.php");
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let server = TestServer::start(
        vec![
            Reply::json(500, "oops"),
            Reply::html(502, "<html><title>Bad Gateway</title></html>"),
        ],
        Some(Reply::json(200, SUMMARY)),
    )
    .await;
    let client = client_for(&server);
    let value = client
        .call_raw("VisitsSummary.get", &day_params())
        .await
        .unwrap();
    assert_eq!(value["nb_actions"], 77);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn retries_are_bounded_when_the_server_keeps_failing() {
    let server = TestServer::always(Reply::json(503, "down")).await;
    let err = summary_error(builder_at(server.base_url()).max_retries(3)).await;
    assert!(
        matches!(err, ClientError::HttpStatus { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn methods_that_write_are_not_retried() {
    let server = TestServer::always(Reply::json(500, "down")).await;
    let client = client_for(&server);
    let err = client
        .call_raw("SitesManager.addSite", &Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::HttpStatus { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn slow_answers_time_out_after_bounded_retries() {
    let server =
        TestServer::always(Reply::json(200, SUMMARY).delayed(Duration::from_secs(3))).await;
    let started = Instant::now();
    let err = summary_error(
        builder_at(server.base_url())
            .timeout(Duration::from_millis(200))
            .max_retries(1),
    )
    .await;
    assert!(
        matches!(err, ClientError::Timeout { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.requests().len(), 2);
    assert!(!err.to_string().contains(SECRET));
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_by_content_length() {
    let big = format!("[{}1]", "1,".repeat(100_000));
    let server = TestServer::always(Reply::json(200, big)).await;
    let err = summary_error(builder_at(server.base_url()).max_response_bytes(64 * 1024)).await;
    assert!(
        matches!(err, ClientError::ResponseTooLarge { limit: 65536, .. }),
        "{err:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "an oversized answer is not retried"
    );
}

#[tokio::test]
async fn endless_bodies_are_cut_while_streaming() {
    // A raw server that sends a body without Content-Length until the client hangs up.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(Mutex::new(0usize));
    let sent_by_server = Arc::clone(&sent);
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 4096];
        let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut request).await;
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = "1,".repeat(8 * 1024);
        // Bounded: at most 64 MiB, far beyond the 256 KiB cap below.
        for _ in 0..4096 {
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            *sent_by_server.lock().unwrap() += chunk.len();
        }
    });
    let err =
        summary_error(builder_at(format!("http://{addr}")).max_response_bytes(256 * 1024)).await;
    assert!(
        matches!(err, ClientError::ResponseTooLarge { .. }),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        *sent.lock().unwrap() < 16 * 1024 * 1024,
        "the client kept reading"
    );
}

#[tokio::test]
async fn refused_connections_fail_after_bounded_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = summary_error(builder_at(format!("http://{addr}")).max_retries(2)).await;
    assert!(
        matches!(err, ClientError::Connection { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert!(!format!("{err} {err:?}").contains(SECRET));
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let server = TestServer::always(Reply::json(200, SUMMARY)).await;
    let client = client_for(&server);
    let cases = [
        client.call_raw("VisitsSummary", &day_params()).await,
        client.call_raw("Visits.Summary.get", &day_params()).await,
        client.call_raw("API.getBulkRequest", &Params::new()).await,
        client
            .call_raw("VisitsSummary.get", &Params::new().period(Period::Day))
            .await,
        client
            .call_raw("VisitsSummary.get", &day_params().period(Period::Range))
            .await,
    ];
    for result in cases {
        let err = result.unwrap_err();
        assert!(
            matches!(err, ClientError::InvalidParameter { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("nothing was sent"), "{err}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let mut redirect = Reply::json(302, "");
    redirect.location = Some("http://127.0.0.1:9/elsewhere".into());
    let server = TestServer::always(redirect).await;
    let err = summary_error(builder_at(server.base_url())).await;
    assert!(
        matches!(err, ClientError::HttpStatus { status: 302, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("redirect"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn logs_name_methods_and_timing_but_no_token_or_parameter_values() {
    let (captured, _guard) = capture_logs();

    let server = TestServer::start(
        vec![Reply::json(500, "oops")],
        Some(Reply::json(200, SUMMARY)),
    )
    .await;
    let client = client_for(&server);
    let params = day_params().segment(Segment::parse("userId==marker-alice@example.com").unwrap());
    client.call_raw("VisitsSummary.get", &params).await.unwrap();

    let logs = captured.text();
    assert!(logs.contains("VisitsSummary.get"), "{logs}");
    assert!(logs.contains("elapsed_ms"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    for secret in [SECRET, "marker-alice", "2026-11-20"] {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the logs:\n{logs}"
        );
    }
}
