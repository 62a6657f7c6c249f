//! The HTTP side: an axum app answering `/index.php` like Matomo, with recording and faults.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use crate::api::{Answer, answer};
use crate::dataset::Dataset;
use crate::faults::{Effect, FaultSet};
use crate::query::auth::Access;
use crate::query::request::{ApiRequest, parse_form};
use crate::query::table::RowLimits;
use crate::recorder::RecordedRequest;

/// State shared between the server task and the [`crate::Emulator`] handle.
pub(crate) struct Shared {
    pub dataset: Arc<Dataset>,
    pub tokens: Vec<(String, Access)>,
    pub faults: Mutex<FaultSet>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    /// How many rows per table the emulated archiver keeps.
    pub row_limits: RowLimits,
}

/// Locks a mutex, recovering the data if another thread panicked while holding it (the state stays usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/index.php", any(handle))
        .route("/", any(handle))
        .with_state(shared)
}

const JSON: &str = "application/json; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

fn respond(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
        .into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let query = parse_form(uri.query().unwrap_or(""));
    let body = parse_form(&String::from_utf8_lossy(&body));
    lock(&shared.requests).push(RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: query.clone(),
        body: body.clone(),
    });
    let (latency, effect) = lock(&shared.faults).next();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let req = ApiRequest { query, body };
    let real = || match answer(&shared.dataset, &shared.tokens, shared.row_limits, &req) {
        Answer::Json { status, body } => {
            (status, JSON, serde_json::to_vec(&body).unwrap_or_default())
        }
        Answer::Html { status, body } => (status, HTML, body.into_bytes()),
    };
    let (status, ct, bytes) = match effect {
        Effect::Normal => real(),
        Effect::Status(s) => (
            s,
            "text/plain; charset=utf-8",
            format!("injected HTTP {s}").into_bytes(),
        ),
        Effect::Malformed => (200, JSON, b"{\"nb_visits\": 12,, <html>".to_vec()),
        Effect::Truncated => {
            let (_, _, mut b) = real();
            b.truncate((b.len() / 2).max(1));
            (200, JSON, b)
        }
        Effect::Oversized(n) => (200, JSON, oversized(n)),
        Effect::MatomoError(message) => {
            let v = serde_json::json!({"result": "error", "message": message});
            (200, JSON, serde_json::to_vec(&v).unwrap_or_default())
        }
        Effect::Html => (
            500,
            HTML,
            crate::query::errors::html_page("Internal Server Error").into_bytes(),
        ),
        Effect::Unarchived {
            segment_contains,
            date,
        } => {
            let (status, ct, b) = real();
            match serde_json::from_slice::<serde_json::Value>(&b) {
                Ok(mut value) => {
                    let unarchived = |call: &[(String, String)]| {
                        let get = |key: &str| {
                            call.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
                        };
                        get("segment").is_some_and(|s| s.contains(segment_contains.as_str()))
                            && get("date") == Some(date.as_str())
                    };
                    let urls = req.bulk_urls();
                    if urls.is_empty() {
                        let call: Vec<(String, String)> =
                            req.query.iter().chain(&req.body).cloned().collect();
                        if unarchived(&call) {
                            zeros(&mut value);
                        }
                    } else if let serde_json::Value::Array(items) = &mut value {
                        for (item, url) in items.iter_mut().zip(&urls) {
                            if unarchived(&parse_form(url)) {
                                zeros(item);
                            }
                        }
                    }
                    (status, ct, serde_json::to_vec(&value).unwrap_or_default())
                }
                Err(_) => (status, ct, b),
            }
        }
        Effect::WrongTypes => {
            let (status, ct, b) = real();
            match serde_json::from_slice::<serde_json::Value>(&b) {
                Ok(mut value) => {
                    wrong_types(&mut value);
                    (status, ct, serde_json::to_vec(&value).unwrap_or_default())
                }
                Err(_) => (status, ct, b),
            }
        }
    };
    respond(status, ct, bytes)
}

/// Sets every number to 0, all the way down: Matomo's answer for a segment it has not archived.
fn zeros(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(_) => *value = Value::from(0),
        Value::Array(items) => items.iter_mut().for_each(zeros),
        Value::Object(fields) => fields.values_mut().for_each(zeros),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// Turns every number into an object and every `label` into a number, all the way down.
fn wrong_types(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => *value = serde_json::json!({ "value": n.clone() }),
        Value::Array(items) => items.iter_mut().for_each(wrong_types),
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if key == "label" {
                    *field = Value::from(12345);
                } else {
                    wrong_types(field);
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// A valid JSON document of exactly `n` bytes (at least `{"padding":""}`, 14 bytes).
fn oversized(n: usize) -> Vec<u8> {
    let frame = br#"{"padding":""}"#;
    let mut out = Vec::with_capacity(n.max(frame.len()));
    out.extend_from_slice(br#"{"padding":""#);
    out.resize(n.max(frame.len()) - 2, b'x');
    out.extend_from_slice(br#""}"#);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrong_types_reach_every_level() {
        let mut v =
            serde_json::json!([{"label": "Home", "nb_visits": 3, "sub": {"x": [1]}, "s": "3"}]);
        super::wrong_types(&mut v);
        assert_eq!(
            v,
            serde_json::json!([{"label": 12345, "nb_visits": {"value": 3}, "sub": {"x": [{"value": 1}]}, "s": "3"}])
        );
    }

    #[test]
    fn oversized_is_exact_and_valid() {
        let b = super::oversized(1000);
        assert_eq!(b.len(), 1000);
        assert!(serde_json::from_slice::<serde_json::Value>(&b).is_ok());
    }
}
