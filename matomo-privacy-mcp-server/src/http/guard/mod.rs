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
use http_body_util::BodyExt;
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

use crate::bearer::bearer_credentials;
use crate::http::credentials::BearerCredentials;
use crate::http::host::HostPolicy;
use crate::http::oauth::TokenValidator;
use crate::http::origin::OriginPolicy;
use crate::profile::{OAuthMatch, RateLimiter};
use crate::rmcp_adapter::{Caller, SessionRegistry};

mod access;
mod body;
mod responses;
mod sessions;

use responses::{rate_limited, too_large};
use sessions::session_deleted;

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

    /// The request's `Origin`, when it is one this server allows (and so gets CORS headers).
    fn cors_origin(&self, request: &Request) -> Option<HeaderValue> {
        let origin = request.headers().get(header::ORIGIN)?;
        let text = origin.to_str().ok()?;
        self.origins.allows(text).then(|| origin.clone())
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
}
