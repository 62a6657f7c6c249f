//! Matomo's Reporting API as an administrator's tools call it: `POST index.php` with the token in
//! the form body (never in a URL, a log or an error), and its JSON answer or refusal. The
//! fixture of [`crate::real_matomo`] calls it over its own small HTTP client; with the
//! `matomo-api` feature, [`MatomoApi`] calls it (and the bulk Tracking API) over `reqwest`, for
//! tools that put the realistic month into a Matomo and read it back.

use serde_json::Value;

use super::form_encode;

/// How much of an answer that is not JSON an error quotes: enough to recognise a PHP error page
/// or a login form.
const QUOTED: usize = 300;

/// Why a call to Matomo gave no answer to use.
#[derive(Debug, thiserror::Error)]
pub enum MatomoApiError {
    /// The request did not reach Matomo, or its answer was cut off.
    #[error("{method}: {reason}")]
    Unreachable {
        /// The API method called.
        method: String,
        /// What the HTTP client said.
        reason: String,
    },
    /// Matomo answered something other than JSON.
    #[error("{method}: HTTP {status} without JSON: {start}")]
    NotJson {
        /// The API method called.
        method: String,
        /// The answer's HTTP status.
        status: u16,
        /// The start of the answer.
        start: String,
    },
    /// Matomo refused the call (`{"result": "error"}`).
    #[error("{method}: {message}")]
    Refused {
        /// The API method called.
        method: String,
        /// Matomo's message.
        message: String,
    },
}

/// The form body calling the Reporting API's `method` with `params`, as the holder of `token`.
pub fn api_request_body(method: &str, params: &[(&str, &str)], token: &str) -> String {
    let mut pairs = vec![("module", "API"), ("format", "JSON"), ("method", method)];
    pairs.extend_from_slice(params);
    pairs.push(("token_auth", token));
    form_encode(&pairs)
}

/// Matomo's answer to `method` (HTTP `status`, `body`) as JSON, unless it is none or a refusal.
///
/// # Errors
/// [`MatomoApiError::NotJson`] or [`MatomoApiError::Refused`].
pub fn api_answer(method: &str, status: u16, body: &str) -> Result<Value, MatomoApiError> {
    let value: Value = serde_json::from_str(body).map_err(|_| MatomoApiError::NotJson {
        method: method.to_owned(),
        status,
        start: body.chars().take(QUOTED).collect(),
    })?;
    if value.get("result").and_then(Value::as_str) == Some("error") {
        let message = value.get("message").and_then(Value::as_str).unwrap_or("");
        return Err(MatomoApiError::Refused {
            method: method.to_owned(),
            message: message.to_owned(),
        });
    }
    Ok(value)
}

/// A Matomo's Reporting and bulk Tracking APIs, called over `reqwest` with an admin token.
#[cfg(feature = "matomo-api")]
#[derive(Clone)]
pub struct MatomoApi {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// The token is a secret: never shown.
#[cfg(feature = "matomo-api")]
impl std::fmt::Debug for MatomoApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatomoApi")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "matomo-api")]
impl MatomoApi {
    /// The Matomo at `base` (`http://127.0.0.1:8089`, without `/index.php`), called with `token`.
    pub fn new(http: reqwest::Client, base: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            http,
            base: base.into(),
            token: token.into(),
        }
    }

    /// The Reporting API's `method` with `params`.
    ///
    /// # Errors
    /// Matomo cannot be reached, answers no JSON, or refuses the call.
    pub async fn call(
        &self,
        method: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, MatomoApiError> {
        let body = api_request_body(method, params, &self.token);
        let (status, text) = self
            .post("index.php", "application/x-www-form-urlencoded", body)
            .await
            .map_err(|e| MatomoApiError::Unreachable {
                method: method.to_owned(),
                reason: e.to_string(),
            })?;
        api_answer(method, status, &text)
    }

    /// `VisitsSummary.get` of site `site` over the realistic month (November 2026): whether, and
    /// how, the month has been tracked there.
    ///
    /// # Errors
    /// As [`MatomoApi::call`].
    pub async fn month_summary(&self, site: u32) -> Result<Value, MatomoApiError> {
        let id = site.to_string();
        self.call(
            "VisitsSummary.get",
            &[("idSite", &id), ("period", "month"), ("date", "2026-11-01")],
        )
        .await
    }

    /// Sends `requests` (query strings, as [`super::Visit::tracking_requests`] makes them) in
    /// one bulk tracking request; its answer counts the `tracked` and `invalid` ones.
    ///
    /// # Errors
    /// Matomo cannot be reached or answers no JSON.
    pub async fn track(&self, requests: &[String]) -> Result<Value, MatomoApiError> {
        const METHOD: &str = "bulk tracking";
        let body = serde_json::json!({"requests": requests, "token_auth": self.token});
        let (status, text) = self
            .post("matomo.php", "application/json", body.to_string())
            .await
            .map_err(|e| MatomoApiError::Unreachable {
                method: METHOD.to_owned(),
                reason: e.to_string(),
            })?;
        serde_json::from_str(&text).map_err(|_| MatomoApiError::NotJson {
            method: METHOD.to_owned(),
            status,
            start: text.chars().take(QUOTED).collect(),
        })
    }

    /// `POST {base}/{path}` of `body`: the status and the answer's text.
    async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> Result<(u16, String), reqwest::Error> {
        let response = self
            .http
            .post(format!("{}/{path}", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }
}
