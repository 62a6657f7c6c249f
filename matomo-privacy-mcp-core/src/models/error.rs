//! Matomo's error bodies, and decoding a response body into a typed value.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Classified;

/// The body Matomo sends when a request fails: `{"result":"error","message":"…"}`.
///
/// Matomo sends it with HTTP 200 for most failures (bad site, date, period,
/// segment, unknown method) and with 401 for authentication and access
/// failures, so the body has to be checked whatever the status. The message is
/// Matomo's own text about the request; it can repeat what the request contained
/// (a segment, a date, the token's login), which the caller wrote, but never data
/// about visitors, so it is aggregate: it is how the caller learns what to fix.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct ErrorPayload {
    /// Always `"error"` in an error body.
    #[privacy(aggregate)]
    pub result: String,
    /// Matomo's explanation, with newlines flattened.
    #[privacy(aggregate)]
    pub message: String,
}

impl ErrorPayload {
    /// Reads an error body out of a decoded JSON value, if it is one.
    ///
    /// Only an object whose `result` is `"error"` counts: a report can never
    /// look like that, while a lenient typed value could decode from it.
    pub fn from_value(value: &Value) -> Option<Self> {
        Some(ErrorPayload {
            result: "error".to_owned(),
            message: error_message(value)?.unwrap_or_default(),
        })
    }
}

/// If `value` is Matomo's error body, its `message`: the text, another JSON value as JSON, or
/// `None` when there is none. Here for [`ErrorPayload::from_value`] and the client's reading of
/// answers, so that both tell an error body from a report the same way.
pub(crate) fn error_message(value: &Value) -> Option<Option<String>> {
    let object = value.as_object()?;
    if object.get("result")?.as_str()? != "error" {
        return None;
    }
    Some(object.get("message").map(|message| match message {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }))
}

/// Why a Matomo response body could not be turned into the typed value asked for.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Matomo answered with its error body.
    #[error("Matomo refused the request: {}", .0.message)]
    Matomo(ErrorPayload),
    /// The body is not JSON: Matomo answers an HTML page when the request was
    /// not recognised as an API call (e.g. `module`/`method` only in the POST body
    /// with a bad token).
    #[error(
        "Matomo did not answer with JSON ({0}); send module=API, method and format=JSON in the query string and check the base URL and token"
    )]
    NotJson(#[source] serde_json::Error),
    /// The body is JSON but not of the expected shape.
    #[error(
        "the Matomo response does not have the expected shape ({0}); check that the method and its nesting (sites, periods) match the type decoded"
    )]
    Shape(#[source] serde_json::Error),
}

impl DecodeError {
    /// Matomo's error body, if that is what the response was.
    pub fn payload(&self) -> Option<&ErrorPayload> {
        match self {
            DecodeError::Matomo(payload) => Some(payload),
            _ => None,
        }
    }
}

/// Decodes a Matomo response body into `T`, recognising Matomo's error body first.
///
/// `T` states what the caller asked for, nesting included: `VisitsSummary` for
/// one site and period, `PerPeriod<VisitsSummary>` for `date=last7`,
/// `PerSite<…>` for several sites. Fields that `T` does not type are dropped.
///
/// ```
/// use matomo_privacy_mcp_core::models::{DecodeError, PerPeriod, VisitsSummary, decode};
///
/// let per_day: PerPeriod<VisitsSummary> =
///     decode(br#"{"2026-11-24":{"nb_visits":"4","bounce_rate":"25%"},"2026-11-25":[]}"#).unwrap();
/// assert_eq!(per_day.len(), 2);
///
/// let err = decode::<VisitsSummary>(br#"{"result":"error","message":"Bad date"}"#).unwrap_err();
/// assert!(matches!(err, DecodeError::Matomo(ref p) if p.message == "Bad date"));
/// ```
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    // An error body is an object, so an array (every row report) decodes straight into `T`
    // without the intermediate `Value`, which costs several times the body in memory.
    if starts_array(body)
        && let Ok(typed) = serde_json::from_slice(body)
    {
        return Ok(typed);
    }
    let value: Value = serde_json::from_slice(body).map_err(DecodeError::NotJson)?;
    decode_value(value)
}

/// Whether the JSON text in `body` is an array (it starts with `[` after white space).
pub(crate) fn starts_array(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

/// Like [`decode`], for a body already parsed as JSON (e.g. one item of a bulk response).
pub fn decode_value<T: DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    if let Some(payload) = ErrorPayload::from_value(&value) {
        return Err(DecodeError::Matomo(payload));
    }
    serde_json::from_value(value).map_err(DecodeError::Shape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::VisitsSummary;

    #[test]
    fn error_body_wins_over_a_lenient_type() {
        let body = br#"{"result":"error","message":"Unknown period"}"#;
        let err = decode::<VisitsSummary>(body).unwrap_err();
        assert_eq!(err.payload().unwrap().message, "Unknown period");
        assert_eq!(
            err.to_string(),
            "Matomo refused the request: Unknown period"
        );
    }

    #[test]
    fn html_is_not_json_and_bad_shapes_say_so() {
        let err = decode::<VisitsSummary>(b"<!DOCTYPE html><html>").unwrap_err();
        assert!(matches!(err, DecodeError::NotJson(_)), "{err}");
        let err = decode::<VisitsSummary>(br#"{"nb_visits":"abc"}"#).unwrap_err();
        assert!(matches!(err, DecodeError::Shape(_)), "{err}");
        assert!(
            err.to_string().contains("non-negative whole number"),
            "{err}"
        );
    }

    #[test]
    fn success_body_is_not_an_error() {
        assert!(
            ErrorPayload::from_value(&serde_json::json!({"result":"success","message":"ok"}))
                .is_none()
        );
    }
}
