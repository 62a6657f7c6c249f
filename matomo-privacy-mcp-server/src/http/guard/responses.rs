//! Refusals with a body that says why: rate limits and bodies over the limit.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::profile::{
    RATE_LIMITED, RateLimiter, Refused, UNAVAILABLE_MESSAGE, refusal_message, retry_after_seconds,
};

use super::*;

/// HTTP 429 with `Retry-After`, and a JSON-RPC error answering the call, so that a client that
/// only reads JSON-RPC learns why too.
///
/// When a shared limit cannot be counted (its store is unreachable), 503 instead, with the same
/// JSON-RPC error code and a message saying so.
pub(super) fn rate_limited(
    id: serde_json::Value,
    refused: Refused,
    limiter: &RateLimiter,
) -> Response {
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
pub(super) fn too_large(limit: usize) -> Refusal {
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
