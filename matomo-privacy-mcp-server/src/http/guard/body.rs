//! The request body: its declared length and read time bounded, and its JSON-RPC shape
//! read before the MCP endpoint sees it.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::*;

impl Guard {
    /// Reads the whole body within `read_timeout` and `max_body_bytes`
    /// (chunked bodies included) and hands it on in memory, with whether the
    /// request opens a new session; or the JSON-RPC error for a JSON body that is not one
    /// message (parsed once, here).
    pub(super) async fn read_body(
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

    pub(super) fn check_length(&self, request: &Request) -> Result<(), Refusal> {
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

/// What a POST body is, parsed once: one JSON-RPC message (and whether it is `initialize`,
/// the request that opens a session), or not.
pub(super) enum BodyShape {
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
    pub(super) fn of(body: &[u8]) -> Self {
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
    pub(super) fn error_response(&self) -> Option<Response> {
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
pub(super) fn declares_json(parts: &axum::http::request::Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"))
}
