//! The checks every HTTP request passes before it reaches the MCP endpoint:
//! Host, Origin, bearer token, body size, then a slot among the requests in flight.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio::sync::Semaphore;

use super::bearer::{TokenSet, bearer_credentials};
use super::host::HostPolicy;
use super::origin::OriginPolicy;

/// Results are per user: no proxy or browser cache may keep them.
const CACHE_CONTROL: &str = "private, no-store";

/// Everything the guard needs, built once from the configuration.
pub(crate) struct Guard {
    pub(crate) hosts: HostPolicy,
    pub(crate) origins: OriginPolicy,
    pub(crate) tokens: TokenSet,
    pub(crate) max_body_bytes: usize,
    pub(crate) in_flight: Arc<Semaphore>,
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
        // The request body was not read, so the connection cannot carry another
        // request; saying so keeps clients from reusing it and failing.
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
    let mut response = match guard.admit(request) {
        Ok((request, permit)) => {
            let response = next.run(request).await;
            match permit {
                // The slot is held until the response body (an SSE stream) is finished.
                Some(permit) => response.map(|body| {
                    Body::new(body.map_frame(move |frame| {
                        let _held = &permit;
                        frame
                    }))
                }),
                None => response,
            }
        }
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

impl Guard {
    fn admit(
        &self,
        request: Request,
    ) -> Result<(Request, Option<tokio::sync::OwnedSemaphorePermit>), Refusal> {
        self.check_host(&request)?;
        self.check_origin(&request)?;
        self.check_bearer(&request)?;
        self.check_length(&request)?;
        // Chunked bodies have no length to check here; rmcp bounds them while they stream.
        if request.method() != Method::POST {
            // Only POSTs carry calls; GET streams and DELETEs hold no slot.
            return Ok((request, None));
        }
        match Arc::clone(&self.in_flight).try_acquire_owned() {
            Ok(permit) => Ok((request, Some(permit))),
            Err(_) => Err(Refusal {
                status: StatusCode::SERVICE_UNAVAILABLE,
                reason: "too many requests in flight",
                body: "Service Unavailable: the server is handling as many requests as it allows; retry shortly",
            }),
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
            Some(length) if length > self.max_body_bytes as u64 => Err(Refusal {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                reason: "body larger than max_body_bytes",
                body: "Payload Too Large: the request body exceeds the server's limit",
            }),
            _ => Ok(()),
        }
    }
}
