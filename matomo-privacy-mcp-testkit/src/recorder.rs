//! What the emulator received, so tests can check how a client talks to Matomo (POST, token in the body).

use std::fmt;

/// One HTTP request as received.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Request path, e.g. `/index.php`.
    pub path: String,
    /// Decoded query-string pairs, in order.
    pub query: Vec<(String, String)>,
    /// Decoded form-body pairs, in order (includes `token_auth` when the client sent it there).
    pub body: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first value of `name` in the query string.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name` in the body.
    pub fn body_param(&self, name: &str) -> Option<&str> {
        self.body
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Redacts `token_auth` so a failing assertion does not print a token into CI logs.
impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        if k == "token_auth" {
                            "<redacted>".into()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect()
        };
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redact(&self.query))
            .field("body", &redact(&self.body))
            .finish()
    }
}
