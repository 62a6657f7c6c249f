//! The checks every HTTP request passes before it reaches the MCP endpoint:
//! Host, Origin, bearer token, body size and read time, then a slot among the
//! requests in flight and, for a new session, room under the session cap.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

use super::bearer::{TokenSet, bearer_credentials};
use super::host::HostPolicy;
use super::origin::OriginPolicy;
use crate::rmcp_adapter::SessionRegistry;

/// The header naming the MCP session a request belongs to.
const SESSION_HEADER: &str = "mcp-session-id";

/// Results are per user: no proxy or browser cache may keep them.
const CACHE_CONTROL: &str = "private, no-store";

/// Everything the guard needs, built once from the configuration.
pub(crate) struct Guard {
    pub(crate) hosts: HostPolicy,
    pub(crate) origins: OriginPolicy,
    pub(crate) tokens: TokenSet,
    pub(crate) max_body_bytes: usize,
    pub(crate) read_timeout: Duration,
    pub(crate) in_flight: Arc<Semaphore>,
    pub(crate) sessions: SessionRegistry,
    pub(crate) max_sessions: usize,
    /// Held while a new session is counted and created, so that requests
    /// arriving together cannot all pass the check and overshoot the cap.
    pub(crate) opening: Mutex<()>,
}

/// A refusal: the status, a short reason for the log, and the text sent back.
struct Refusal {
    status: StatusCode,
    reason: &'static str,
    body: &'static str,
}

impl Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        // The request body may not have been read, so the connection cannot carry
        // another request; saying so keeps clients from reusing it and failing.
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"mcp\""),
            );
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The middleware: runs the checks, then the endpoint, and marks every response private.
pub(crate) async fn guard(
    State(guard): State<Arc<Guard>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = match guard.serve(request, next).await {
        Ok(response) => response,
        Err(refusal) => {
            tracing::warn!(%method, path, status = refusal.status.as_u16(), reason = refusal.reason, "refused HTTP request");
            refusal.into_response()
        }
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    response
}

/// Keeps `permit` until the response body (possibly an SSE stream) is finished.
fn holding(response: Response, permit: OwnedSemaphorePermit) -> Response {
    response.map(|body| {
        Body::new(body.map_frame(move |frame| {
            let _held = &permit;
            frame
        }))
    })
}

/// Whether a JSON-RPC body is an `initialize` request, the one that opens a session.
fn is_initialize(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .is_ok_and(|message| message.get("method").and_then(|m| m.as_str()) == Some("initialize"))
}

impl Guard {
    async fn serve(&self, request: Request, next: Next) -> Result<Response, Refusal> {
        self.check_host(&request)?;
        self.check_origin(&request)?;
        self.check_bearer(&request)?;
        self.check_length(&request)?;
        if request.method() != Method::POST {
            // Only POSTs carry calls; GET streams and DELETEs hold no slot.
            return Ok(next.run(request).await);
        }
        // The body is read before a slot is taken: a client sending slowly
        // holds its own connection until `read_timeout`, not a slot others need.
        let (request, opens_session) = self.read_body(request).await?;
        let permit = Arc::clone(&self.in_flight)
            .try_acquire_owned()
            .map_err(|_| Refusal {
                status: StatusCode::SERVICE_UNAVAILABLE,
                reason: "too many requests in flight",
                body: "Service Unavailable: the server is handling as many requests as it allows; retry shortly",
            })?;
        let response = if opens_session {
            let _opening = self.opening.lock().await;
            if self.sessions.live().await >= self.max_sessions {
                return Err(Refusal {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    reason: "max_sessions reached",
                    body: "Service Unavailable: the server has as many MCP sessions open as it allows \
                           (max_sessions); close a session you no longer use (HTTP DELETE) or retry later",
                });
            }
            // The session is registered by the time the response head comes back.
            next.run(request).await
        } else {
            next.run(request).await
        };
        Ok(holding(response, permit))
    }

    /// Reads the whole body within `read_timeout` and `max_body_bytes`
    /// (chunked bodies included) and hands it on in memory, with whether the
    /// request opens a new session.
    async fn read_body(&self, request: Request) -> Result<(Request, bool), Refusal> {
        let (parts, body) = request.into_parts();
        let limited = Limited::new(body, self.max_body_bytes);
        let bytes = match tokio::time::timeout(self.read_timeout, limited.collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(too_large());
            }
            Ok(Err(_)) => {
                return Err(Refusal {
                    status: StatusCode::BAD_REQUEST,
                    reason: "request body could not be read",
                    body: "Bad Request: the request body could not be read",
                });
            }
            Err(_) => {
                return Err(Refusal {
                    status: StatusCode::REQUEST_TIMEOUT,
                    reason: "request body not received within read_timeout",
                    body: "Request Timeout: the request body did not arrive within the server's read_timeout; \
                           send the whole request at once",
                });
            }
        };
        let opens_session = !parts.headers.contains_key(SESSION_HEADER) && is_initialize(&bytes);
        Ok((Request::from_parts(parts, Body::from(bytes)), opens_session))
    }

    fn check_host(&self, request: &Request) -> Result<(), Refusal> {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        match host {
            Some(host) if self.hosts.allows(host) => Ok(()),
            _ => Err(Refusal {
                status: StatusCode::MISDIRECTED_REQUEST,
                reason: "Host not in allowed_hosts",
                body: "Misdirected Request: this server does not answer to that Host; \
                       the operator can add it to allowed_hosts",
            }),
        }
    }

    fn check_origin(&self, request: &Request) -> Result<(), Refusal> {
        let Some(origin) = request.headers().get(header::ORIGIN) else {
            // Non-browser clients send no Origin; they cannot be a hostile web page.
            return Ok(());
        };
        match origin.to_str() {
            Ok(origin) if self.origins.allows(origin) => Ok(()),
            _ => Err(Refusal {
                status: StatusCode::FORBIDDEN,
                reason: "Origin not in allowed_origins",
                body: "Forbidden: requests from this web origin are not allowed; \
                       the operator can add it to allowed_origins",
            }),
        }
    }

    fn check_bearer(&self, request: &Request) -> Result<(), Refusal> {
        let presented = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| bearer_credentials(value.as_bytes()));
        match presented {
            Some(token) if self.tokens.accepts(token) => Ok(()),
            Some(_) => Err(Refusal {
                status: StatusCode::UNAUTHORIZED,
                reason: "wrong bearer token",
                body: "Unauthorized: the bearer token is not accepted",
            }),
            None => Err(Refusal {
                status: StatusCode::UNAUTHORIZED,
                reason: "no bearer token",
                body: "Unauthorized: send `Authorization: Bearer <token>` with a token from the server's configuration",
            }),
        }
    }

    fn check_length(&self, request: &Request) -> Result<(), Refusal> {
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        match declared {
            Some(length) if length > self.max_body_bytes as u64 => Err(too_large()),
            _ => Ok(()),
        }
    }
}

fn too_large() -> Refusal {
    Refusal {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        reason: "body larger than max_body_bytes",
        body: "Payload Too Large: the request body exceeds the server's limit",
    }
}
