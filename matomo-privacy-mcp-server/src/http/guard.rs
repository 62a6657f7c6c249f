//! The checks every HTTP request passes before it reaches the MCP endpoint:
//! Host, Origin, bearer token, body size and read time, then a slot among the
//! requests in flight and, for a new session, room under the session cap.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

use super::credentials::BearerCredentials;
use super::host::HostPolicy;
use super::oauth::{
    Challenge, PROTECTED_RESOURCE_METADATA_SUFFIX, TokenValidator, www_authenticate,
};
use super::origin::OriginPolicy;
use crate::bearer::bearer_credentials;
use crate::profile::{
    OAuthMatch, RATE_LIMITED, RateLimiter, Refused, UNAVAILABLE_MESSAGE, refusal_message,
    retry_after_seconds,
};
use crate::rmcp_adapter::{Caller, SessionRegistry};

/// The header naming the MCP session a request belongs to.
const SESSION_HEADER: &str = "mcp-session-id";

/// Results are per user: no proxy or browser cache may keep them.
const CACHE_CONTROL: &str = "private, no-store";

/// Everything the guard needs, built once from the configuration.
pub(crate) struct Guard {
    pub(crate) hosts: HostPolicy,
    pub(crate) origins: OriginPolicy,
    pub(crate) credentials: BearerCredentials,
    /// Each profile's rate limiter, by profile index (shared with the adapter).
    pub(crate) limiters: Vec<Option<Arc<RateLimiter>>>,
    /// Which profile opened each session: a session is only ever used by the profile that
    /// opened it (another profile's client gets 404, as for a session that does not exist).
    pub(crate) owners: std::sync::Mutex<HashMap<String, usize>>,
    /// OAuth resource-server mode, when configured.
    pub(crate) oauth: Option<OAuthGuard>,
    /// Each profile's OAuth rules, by profile index.
    pub(crate) oauth_rules: Vec<Vec<OAuthMatch>>,
    pub(crate) max_body_bytes: usize,
    pub(crate) read_timeout: Duration,
    pub(crate) in_flight: Arc<Semaphore>,
    pub(crate) sessions: SessionRegistry,
    pub(crate) max_sessions: usize,
    /// Held while a new session is counted and created, so that requests
    /// arriving together cannot all pass the check and overshoot the cap.
    pub(crate) opening: Mutex<()>,
}

/// What the guard needs for OAuth access tokens.
pub(crate) struct OAuthGuard {
    pub(crate) validator: TokenValidator,
    /// Where the Protected Resource Metadata is (named in every challenge).
    pub(crate) metadata_url: url::Url,
    /// Its path on this server, served without authentication.
    pub(crate) metadata_path: String,
    /// The document.
    pub(crate) metadata: String,
    /// Every scope some profile accepts (named in a 403 `insufficient_scope`).
    pub(crate) scopes: Vec<String>,
}

/// A refusal: the status, a short reason for the log, and the text sent back.
struct Refusal {
    status: StatusCode,
    reason: &'static str,
    body: std::borrow::Cow<'static, str>,
    /// The `WWW-Authenticate` value, when it is not the plain bearer challenge.
    challenge: Option<String>,
}

impl Refusal {
    const fn new(status: StatusCode, reason: &'static str, body: &'static str) -> Self {
        Self {
            status,
            reason,
            body: std::borrow::Cow::Borrowed(body),
            challenge: None,
        }
    }
}

impl Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        // The request body may not have been read, so the connection cannot carry
        // another request; saying so keeps clients from reusing it and failing.
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        let challenge = self
            .challenge
            .as_deref()
            .and_then(|value| HeaderValue::from_str(value).ok());
        if let Some(challenge) = challenge {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        } else if self.status == StatusCode::UNAUTHORIZED {
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

/// Request headers a browser client may send (answered to a CORS preflight).
const CORS_ALLOW_HEADERS: &str =
    "authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id";

/// Response headers a browser client may read: the session id above all, without which it
/// cannot go on after `initialize`.
const CORS_EXPOSE_HEADERS: &str = "mcp-session-id, mcp-protocol-version, www-authenticate";

/// The middleware: runs the checks, then the endpoint, and marks every response private.
///
/// A request from an allowed browser origin gets the CORS headers that let the page read the
/// answer (refusals included, so that it can read a 401 too); its preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) is answered here, without a bearer token, since browsers
/// never send credentials on a preflight.
pub(crate) async fn guard(
    State(guard): State<Arc<Guard>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let cors_origin = guard.cors_origin(&request);
    let preflight = method == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let outcome = if preflight {
        guard
            .check_host(&request)
            .and_then(|()| guard.check_origin(&request))
            .map(|()| preflight_response())
    } else {
        guard.serve(request, next).await
    };
    let mut response = match outcome {
        Ok(response) => response,
        Err(refusal) => {
            tracing::warn!(%method, path, status = refusal.status.as_u16(), reason = refusal.reason, "refused HTTP request");
            refusal.into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    // Answers differ by Origin: caches (none should keep them anyway) must not mix them up.
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = cors_origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(CORS_EXPOSE_HEADERS),
        );
    }
    response
}

/// The answer to an allowed preflight: which methods and headers the endpoint takes.
fn preflight_response() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(CORS_ALLOW_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
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

/// What a POST body is, parsed once: one JSON-RPC message (and whether it is `initialize`,
/// the request that opens a session), or not.
enum BodyShape {
    Message {
        initialize: bool,
        /// A `tools/call`, which the profile's rate limit counts; with its id for the refusal.
        call: Option<serde_json::Value>,
    },
    NotJson,
    Batch,
    NotAnObject,
}

impl BodyShape {
    fn of(body: &[u8]) -> Self {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Err(_) => Self::NotJson,
            Ok(serde_json::Value::Object(message)) => {
                let method = message.get("method").and_then(|m| m.as_str());
                Self::Message {
                    initialize: method == Some("initialize"),
                    call: (method == Some("tools/call")).then(|| {
                        message
                            .get("id")
                            .cloned()
                            .unwrap_or(serde_json::Value::Null)
                    }),
                }
            }
            Ok(serde_json::Value::Array(_)) => Self::Batch,
            Ok(_) => Self::NotAnObject,
        }
    }

    /// A JSON-RPC error answer with HTTP 400 for a body that is not one JSON-RPC message: not
    /// JSON at all (-32700, parse error), or a batch or other non-object (-32600, invalid
    /// request; MCP has no batches since 2025-06-18). `None` for a message rmcp should see.
    fn error_response(&self) -> Option<Response> {
        let (code, message) = match self {
            Self::Message { .. } => return None,
            Self::NotJson => (-32700, "Parse error: the body is not valid JSON"),
            Self::Batch => (
                -32600,
                "Invalid Request: JSON-RPC batches are not part of MCP; send one message per request",
            ),
            Self::NotAnObject => (-32600, "Invalid Request: a JSON-RPC message is an object"),
        };
        let body = serde_json::json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": { "code": code, "message": message }
        });
        let mut response = (StatusCode::BAD_REQUEST, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Some(response)
    }
}

/// Whether the request says its body is JSON; another content type is rmcp's to refuse (415).
fn declares_json(parts: &axum::http::request::Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"))
}

impl Guard {
    async fn serve(&self, mut request: Request, next: Next) -> Result<Response, Refusal> {
        self.check_host(&request)?;
        self.check_origin(&request)?;
        if self.is_metadata_request(&request) {
            return Ok(next.run(request).await);
        }
        // Owned before any await: a request (its body) is not `Sync`.
        let presented = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| bearer_credentials(value.as_bytes()))
            .map(<[u8]>::to_vec);
        let profile = self.authenticate(presented).await?;
        self.check_length(&request)?;
        let session = request
            .headers()
            .get(SESSION_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        if let Some(session) = &session {
            self.check_session_owner(session, profile)?;
        }
        if request.method() == Method::DELETE {
            self.check_session_open(session.as_deref()).await?;
        }
        request.extensions_mut().insert(Caller { profile });
        if request.method() == Method::DELETE {
            return Ok(session_deleted(next.run(request).await));
        }
        if request.method() != Method::POST {
            // Only POSTs carry calls; GET streams and DELETEs hold no slot.
            return Ok(next.run(request).await);
        }
        // The body is read before a slot is taken: a client sending slowly
        // holds its own connection until `read_timeout`, not a slot others need.
        let (request, opens_session, call) = match self.read_body(request).await? {
            Ok(read) => read,
            Err(error) => return Ok(error),
        };
        if let Some(id) = call
            && let Some(limiter) = self.limiters.get(profile).and_then(Option::as_ref)
            && let Err(refused) = limiter.take().await
        {
            return Ok(rate_limited(id, refused, limiter));
        }
        let permit = Arc::clone(&self.in_flight)
            .try_acquire_owned()
            .map_err(|_| Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many requests in flight",
                "Service Unavailable: the server is handling as many requests as it allows; retry shortly",
            ))?;
        let response = if opens_session {
            let _opening = self.opening.lock().await;
            if self.sessions.live().await >= self.max_sessions {
                return Err(Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "max_sessions reached",
                    "Service Unavailable: the server has as many MCP sessions open as it allows \
                           (max_sessions); close a session you no longer use (HTTP DELETE) or retry later",
                ));
            }
            // The session is registered by the time the response head comes back.
            let response = next.run(request).await;
            let opened = response
                .headers()
                .get(SESSION_HEADER)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            if let Some(id) = opened {
                self.record_owner(id, profile).await;
            }
            response
        } else {
            next.run(request).await
        };
        Ok(holding(response, permit))
    }

    /// The profile the request's credential belongs to: a bearer token of a profile, or, in
    /// OAuth mode, a valid access token matching a profile's rules.
    async fn authenticate(&self, presented: Option<Vec<u8>>) -> Result<usize, Refusal> {
        let Some(token) = presented else {
            return Err(Refusal {
                challenge: self
                    .oauth
                    .as_ref()
                    .map(|oauth| www_authenticate(&oauth.metadata_url, Challenge::NoToken)),
                ..Refusal::new(
                    StatusCode::UNAUTHORIZED,
                    "no bearer token",
                    "Unauthorized: send `Authorization: Bearer <token>` with a token from the server's configuration",
                )
            });
        };
        if let Some(profile) = self.credentials.profile_of(&token) {
            return Ok(profile);
        }
        let wrong = Refusal::new(
            StatusCode::UNAUTHORIZED,
            "wrong bearer token",
            "Unauthorized: the bearer token is not accepted",
        );
        let Some(oauth) = &self.oauth else {
            return Err(wrong);
        };
        let Ok(text) = std::str::from_utf8(&token) else {
            return Err(wrong);
        };
        let claims = match oauth.validator.validate(text).await {
            Ok(claims) => claims,
            Err(rejection) if !rejection.is_token_fault() => {
                return Err(Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the authorization server's keys are out of reach",
                    "Service Unavailable: the access token cannot be checked now (the authorization server's keys are out of reach); retry shortly",
                ));
            }
            Err(rejection) => {
                tracing::debug!(reason = %rejection.description(), "access token refused");
                return Err(Refusal {
                    challenge: Some(www_authenticate(
                        &oauth.metadata_url,
                        Challenge::InvalidToken(&rejection),
                    )),
                    ..Refusal::new(
                        StatusCode::UNAUTHORIZED,
                        "access token refused",
                        "Unauthorized: the access token is not accepted",
                    )
                });
            }
        };
        let scopes = || claims.scopes.iter().map(String::as_str);
        let matching = self.oauth_rules.iter().position(|rules| {
            rules.iter().any(|rule| {
                rule.matches(
                    scopes(),
                    claims.client_id.as_deref(),
                    claims.subject.as_deref(),
                )
            })
        });
        matching.ok_or_else(|| Refusal {
            challenge: Some(www_authenticate(
                &oauth.metadata_url,
                Challenge::InsufficientScope(&oauth.scopes),
            )),
            ..Refusal::new(
                StatusCode::FORBIDDEN,
                "access token matches no profile",
                "Forbidden: the access token is valid but has no scope this server grants",
            )
        })
    }

    /// Whether this is a request for the Protected Resource Metadata, which needs no credential.
    fn is_metadata_request(&self, request: &Request) -> bool {
        self.oauth.as_ref().is_some_and(|oauth| {
            let path = request.uri().path();
            request.method() == Method::GET
                && (path == oauth.metadata_path || path == PROTECTED_RESOURCE_METADATA_SUFFIX)
        })
    }

    /// A session opened by another profile is, for this caller, a session that does not exist.
    fn check_session_owner(&self, session: &str, profile: usize) -> Result<(), Refusal> {
        let owners = self
            .owners
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match owners.get(session) {
            Some(&owner) if owner != profile => Err(Refusal::new(
                StatusCode::NOT_FOUND,
                "session of another profile",
                "Not Found: no such session",
            )),
            _ => Ok(()),
        }
    }

    /// Remembers which profile opened the session this `initialize` answer names, forgetting
    /// sessions that have closed once the map grows past the session cap.
    async fn record_owner(&self, id: String, profile: usize) {
        let stale = {
            let mut owners = self
                .owners
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            owners.insert(id, profile);
            (owners.len() > self.max_sessions).then(|| owners.keys().cloned().collect::<Vec<_>>())
        };
        if let Some(known) = stale {
            let mut closed = Vec::new();
            for id in known {
                if !self.sessions.is_open(&id).await {
                    closed.push(id);
                }
            }
            let mut owners = self
                .owners
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for id in closed {
                owners.remove(&id);
            }
        }
    }

    /// Reads the whole body within `read_timeout` and `max_body_bytes`
    /// (chunked bodies included) and hands it on in memory, with whether the
    /// request opens a new session; or the JSON-RPC error for a JSON body that is not one
    /// message (parsed once, here).
    async fn read_body(
        &self,
        request: Request,
    ) -> Result<Result<(Request, bool, Option<serde_json::Value>), Response>, Refusal> {
        let (parts, body) = request.into_parts();
        let limited = Limited::new(body, self.max_body_bytes);
        let bytes = match tokio::time::timeout(self.read_timeout, limited.collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(too_large(self.max_body_bytes));
            }
            Ok(Err(_)) => {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "request body could not be read",
                    "Bad Request: the request body could not be read",
                ));
            }
            Err(_) => {
                return Err(Refusal::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "request body not received within read_timeout",
                    "Request Timeout: the request body did not arrive within the server's read_timeout; \
                           send the whole request at once",
                ));
            }
        };
        let shape = BodyShape::of(&bytes);
        if declares_json(&parts)
            && let Some(error) = shape.error_response()
        {
            return Ok(Err(error));
        }
        let (initialize, call) = match shape {
            BodyShape::Message { initialize, call } => (initialize, call),
            _ => (false, None),
        };
        let opens_session = !parts.headers.contains_key(SESSION_HEADER) && initialize;
        Ok(Ok((
            Request::from_parts(parts, Body::from(bytes)),
            opens_session,
            call,
        )))
    }

    /// The request's `Origin`, when it is one this server allows (and so gets CORS headers).
    fn cors_origin(&self, request: &Request) -> Option<HeaderValue> {
        let origin = request.headers().get(header::ORIGIN)?;
        let text = origin.to_str().ok()?;
        self.origins.allows(text).then(|| origin.clone())
    }

    /// A DELETE of a session that is not open (deleted already, expired, never there) gets
    /// 404, as the transport specifies, rather than a second 202.
    async fn check_session_open(&self, session: Option<&str>) -> Result<(), Refusal> {
        let Some(id) = session else {
            return Ok(());
        };
        if self.sessions.is_open(id).await {
            Ok(())
        } else {
            Err(Refusal::new(
                StatusCode::NOT_FOUND,
                "DELETE of a session that is not open",
                "Not Found: no such session (it was closed already or has expired)",
            ))
        }
    }

    fn check_host(&self, request: &Request) -> Result<(), Refusal> {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        match host {
            Some(host) if self.hosts.allows(host) => Ok(()),
            _ => Err(Refusal::new(
                StatusCode::MISDIRECTED_REQUEST,
                "Host not in allowed_hosts",
                "Misdirected Request: this server does not answer to that Host; \
                       the operator can add it to `http.allowed_hosts`",
            )),
        }
    }

    fn check_origin(&self, request: &Request) -> Result<(), Refusal> {
        let Some(origin) = request.headers().get(header::ORIGIN) else {
            // Non-browser clients send no Origin; they cannot be a hostile web page.
            return Ok(());
        };
        match origin.to_str() {
            Ok(origin) if self.origins.allows(origin) => Ok(()),
            _ => Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "Origin not in allowed_origins",
                "Forbidden: requests from this web origin are not allowed; \
                       the operator can add it to allowed_origins",
            )),
        }
    }

    fn check_length(&self, request: &Request) -> Result<(), Refusal> {
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        match declared {
            Some(length) if length > self.max_body_bytes as u64 => {
                Err(too_large(self.max_body_bytes))
            }
            _ => Ok(()),
        }
    }
}

/// A session that was deleted answers 204 No Content: the session is gone when the answer
/// leaves, and the official Python client takes anything but 200 or 204 for a failure (it
/// warns "Session termination failed: 202" at the end of every session); 202 Accepted would
/// say the deletion is still to happen.
fn session_deleted(mut response: Response) -> Response {
    if response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::NO_CONTENT;
        *response.body_mut() = Body::empty();
        response.headers_mut().remove(header::CONTENT_LENGTH);
        response.headers_mut().remove(header::CONTENT_TYPE);
    }
    response
}

/// HTTP 429 with `Retry-After`, and a JSON-RPC error answering the call, so that a client that
/// only reads JSON-RPC learns why too.
///
/// When a shared limit cannot be counted (its store is unreachable), 503 instead, with the same
/// JSON-RPC error code and a message saying so.
fn rate_limited(id: serde_json::Value, refused: Refused, limiter: &RateLimiter) -> Response {
    let (status, message, seconds) = match refused {
        Refused::Wait(wait) => {
            let seconds = retry_after_seconds(wait);
            tracing::warn!(retry_after = seconds, "rate limit reached; call refused");
            (
                StatusCode::TOO_MANY_REQUESTS,
                refusal_message(limiter.limit(), seconds),
                seconds,
            )
        }
        Refused::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE_MESSAGE.to_owned(),
            1,
        ),
    };
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {
            "code": RATE_LIMITED,
            "message": message,
            "data": { "retry_after_seconds": seconds }
        }
    });
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// 413, saying the limit and the setting that raises it, so that whoever reads the response
/// (a client's developer, an operator) knows what to change.
fn too_large(limit: usize) -> Refusal {
    Refusal {
        body: std::borrow::Cow::Owned(format!(
            "Payload Too Large: the request body exceeds the server's limit of {limit} bytes; \
             the operator can raise it with `http.max_body_bytes`"
        )),
        ..Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body larger than max_body_bytes",
            "",
        )
    }
}
