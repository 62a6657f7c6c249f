//! A scripted HTTP server on 127.0.0.1 that records every request, for the client tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The token every test uses; it must never show up anywhere but a request body.
pub const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// A canned answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub delay: Duration,
    pub location: Option<String>,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.into(),
            delay: Duration::ZERO,
            location: None,
        }
    }

    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            content_type: "text/html; charset=utf-8",
            ..Self::json(status, body)
        }
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub authorization: Option<String>,
    pub body: String,
}

impl Recorded {
    /// The decoded form fields of the body.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }

    /// The decoded query-string pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }

    pub fn method(&self) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(name, _)| name == "method")
            .map(|(_, value)| value)
    }
}

#[derive(Default)]
struct Script {
    queue: VecDeque<Reply>,
    by_method: HashMap<String, Reply>,
    fallback: Option<Reply>,
    recorded: Vec<Recorded>,
}

/// The server; it runs until the test's runtime stops.
#[derive(Clone)]
pub struct TestServer {
    addr: SocketAddr,
    script: Arc<Mutex<Script>>,
}

impl TestServer {
    /// Answers with `queue` in order, then with `fallback` (or 500 if none).
    pub async fn start(queue: Vec<Reply>, fallback: Option<Reply>) -> Self {
        Self::start_with(queue, HashMap::new(), fallback).await
    }

    /// Answers every request with `reply`.
    pub async fn always(reply: Reply) -> Self {
        Self::start(vec![], Some(reply)).await
    }

    /// Answers by the `method` in the query string, then from `queue`, then `fallback`.
    pub async fn start_with(
        queue: Vec<Reply>,
        by_method: HashMap<String, Reply>,
        fallback: Option<Reply>,
    ) -> Self {
        let script = Arc::new(Mutex::new(Script {
            queue: queue.into(),
            by_method,
            fallback,
            recorded: Vec::new(),
        }));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, script }
    }

    /// `http://127.0.0.1:PORT/`
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.script.lock().unwrap().recorded.clone()
    }
}

async fn handle(
    State(script): State<Arc<Mutex<Script>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        authorization: headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let method = recorded.method().unwrap_or_default();
    let reply = {
        let mut script = script.lock().unwrap();
        script.recorded.push(recorded);
        script
            .by_method
            .get(&method)
            .cloned()
            .or_else(|| script.queue.pop_front())
            .or_else(|| script.fallback.clone())
            .unwrap_or_else(|| Reply::json(500, "no scripted reply"))
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (
        StatusCode::from_u16(reply.status).unwrap(),
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response();
    if let Some(location) = reply.location {
        response
            .headers_mut()
            .insert(header::LOCATION, location.parse().unwrap());
    }
    response
}

/// The body of a recorded Matomo 5.0.2 response from the repository's fixtures.
pub fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "fixtures",
        "matomo-5.0.2",
        name,
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|err| panic!("fixture {}: {err}", path.display()))
}

/// A client for `server` with fast retries, suitable for tests.
pub fn client_for(server: &TestServer) -> matomo_privacy_mcp_core::MatomoClient {
    builder_at(server.base_url()).build().unwrap()
}

/// The settings of a client of the Matomo at `base_url` with [`SECRET`] and fast retries, for a
/// test to change one more.
pub fn builder_at(base_url: impl Into<String>) -> matomo_privacy_mcp_core::client::ClientBuilder {
    matomo_privacy_mcp_core::MatomoClient::builder(base_url)
        .token(SECRET)
        .retry_backoff(Duration::from_millis(5))
}

/// One day of site 1, 2026-11-20: the parameters of most requests in the client tests.
pub fn day_params() -> matomo_privacy_mcp_core::params::Params {
    use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
    Params::new()
        .sites(Sites::one(1).unwrap())
        .period(Period::Day)
        .date("2026-11-20".parse::<Date>().unwrap())
}

/// How a client with `settings` fails to fetch a day's visits summary.
pub async fn summary_error(
    settings: matomo_privacy_mcp_core::client::ClientBuilder,
) -> matomo_privacy_mcp_core::client::ClientError {
    settings
        .build()
        .unwrap()
        .call_raw("VisitsSummary.get", &day_params())
        .await
        .unwrap_err()
}
