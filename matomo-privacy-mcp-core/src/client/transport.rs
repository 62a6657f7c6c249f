//! One POST to Matomo with retries, timeouts and a cap on the body size.

use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;
use url::Url;

use super::error::{ClientError, millis};
use super::limit::RequestLimit;
use super::token::MatomoToken;

/// How often and how patiently to retry transient failures.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

impl RetryPolicy {
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(16));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// The HTTP side of the client: endpoint, token, limits.
#[derive(Clone)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: Url,
    pub(crate) token: MatomoToken,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    /// The places for requests in flight, shared with every clone and whoever else was given it.
    pub(crate) limit: RequestLimit,
    /// The time one attempt may take once sent (reqwest enforces it), and also the longest an
    /// attempt waits for a place: under the cap a request is never slower than that twice over.
    pub(crate) timeout: Duration,
}

/// A complete answer: status, whether it declared itself HTML, and the body.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) is_html: bool,
    pub(crate) body: Vec<u8>,
}

/// Why one attempt failed before a complete response arrived.
enum AttemptError {
    Timeout,
    Connection(String),
    TooLarge,
}

impl Transport {
    /// Sends `method` with `params` (the token is added here, to the body only)
    /// and returns the final status and body; only `retryable` (read-only)
    /// calls are retried.
    pub(crate) async fn send(
        &self,
        method: &str,
        params: &[(String, String)],
        retryable: bool,
    ) -> Result<RawResponse, ClientError> {
        let mut url = self.endpoint.clone();
        url.query_pairs_mut()
            .append_pair("module", "API")
            .append_pair("method", method)
            .append_pair("format", "JSON");
        let body = form_body(params, self.token.expose());

        let attempts = if retryable {
            1 + self.retry.max_retries
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            // A place per attempt, not per request: a request waiting to retry holds none.
            let place = self.limit.place(method, self.timeout).await?;
            let started = Instant::now();
            let outcome = self.attempt(&url, &body).await;
            drop(place);
            let elapsed_ms = millis(started.elapsed());
            let retry_left = attempt < attempts;
            match outcome {
                Ok(RawResponse { status, .. }) if status >= 500 && retry_left => {
                    tracing::debug!(
                        method,
                        attempt,
                        status,
                        elapsed_ms,
                        "Matomo server error; retrying"
                    );
                }
                Ok(response) => {
                    tracing::debug!(
                        method,
                        attempt,
                        status = response.status,
                        elapsed_ms,
                        bytes = response.body.len(),
                        "Matomo answered"
                    );
                    return Ok(response);
                }
                Err(AttemptError::TooLarge) => {
                    tracing::debug!(
                        method,
                        attempt,
                        elapsed_ms,
                        "Matomo response over the size cap"
                    );
                    return Err(ClientError::ResponseTooLarge {
                        method: method.to_owned(),
                        limit: self.max_response_bytes,
                    });
                }
                Err(AttemptError::Timeout) if retry_left => {
                    tracing::debug!(
                        method,
                        attempt,
                        elapsed_ms,
                        "Matomo request timed out; retrying"
                    );
                }
                Err(AttemptError::Timeout) => {
                    tracing::debug!(method, attempt, elapsed_ms, "Matomo request timed out");
                    return Err(ClientError::Timeout {
                        method: method.to_owned(),
                        attempts: attempt,
                    });
                }
                Err(AttemptError::Connection(_)) if retry_left => {
                    tracing::debug!(
                        method,
                        attempt,
                        elapsed_ms,
                        "Matomo connection failed; retrying"
                    );
                }
                Err(AttemptError::Connection(detail)) => {
                    tracing::debug!(method, attempt, elapsed_ms, "Matomo connection failed");
                    return Err(ClientError::Connection {
                        method: method.to_owned(),
                        attempts: attempt,
                        detail: self.token.scrub(&detail),
                    });
                }
            }
            tokio::time::sleep(self.retry.backoff(attempt - 1)).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, url: &Url, body: &str) -> Result<RawResponse, AttemptError> {
        let mut response = self
            .http
            .post(url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await
            .map_err(classify)?;
        let status = response.status().as_u16();
        let is_html = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.to_ascii_lowercase().starts_with("text/html"));
        let cap = u64::try_from(self.max_response_bytes).unwrap_or(u64::MAX);
        if response.content_length().is_some_and(|len| len > cap) {
            return Err(AttemptError::TooLarge);
        }
        // Matomo sends a length for most answers: one allocation instead of doubling per chunk.
        let expected = response.content_length().map_or(0, |len| {
            usize::try_from(len).map_or(self.max_response_bytes, |len| {
                len.min(self.max_response_bytes)
            })
        });
        let mut bytes = Vec::with_capacity(expected);
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if bytes.len().saturating_add(chunk.len()) > self.max_response_bytes {
                return Err(AttemptError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            is_html,
            body: bytes,
        })
    }
}

fn classify(err: reqwest::Error) -> AttemptError {
    if err.is_timeout() {
        return AttemptError::Timeout;
    }
    AttemptError::Connection(describe(&err.without_url()))
}

/// The error and its causes, without the request URL.
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The form-encoded body. Built outside the async send so that the encoder (not `Sync`)
/// is never held across an await, which keeps callers' futures `Send`.
fn form_body(params: &[(String, String)], token: &str) -> String {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        body.append_pair(name, value);
    }
    body.append_pair("token_auth", token);
    body.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
        };
        let waits: Vec<_> = (0..5)
            .map(|retry| policy.backoff(retry).as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400, 500, 500]);
        assert_eq!(policy.backoff(u32::MAX), Duration::from_millis(500));
    }
}
