//! Everything that can go wrong between building a client and decoding an answer.
//!
//! Every message says what happened and what to do, and none of them can
//! carry the token: excerpts of response bodies are scrubbed before they are
//! stored, and URLs in messages never carry credentials or the token.

use std::time::Duration;

/// A failed client operation; match on the variant to react, print it to explain.
///
/// ```
/// use matomo_privacy_mcp_core::client::ClientError;
///
/// let err = ClientError::InvalidParameter {
///     name: "date".into(),
///     reason: "`2026-02-30` is not a calendar day".into(),
/// };
/// assert_eq!(
///     err.to_string(),
///     "invalid parameter `date`: `2026-02-30` is not a calendar day (nothing was sent to Matomo)"
/// );
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The base URL is not a usable `http(s)` URL.
    #[error("invalid Matomo base URL: {reason}")]
    InvalidBaseUrl {
        /// Why the URL was refused and what to give instead.
        reason: String,
    },
    /// The base URL would expose the token: plain `http://` to a remote host,
    /// or a user name and password embedded in the URL.
    #[error("refusing Matomo base URL: {reason}")]
    InsecureBaseUrl {
        /// What is insecure and which builder method opts out.
        reason: &'static str,
    },
    /// The token has a shape no Matomo token has.
    #[error("invalid Matomo token: {reason}")]
    InvalidToken {
        /// What is wrong with the token; never the token itself.
        reason: &'static str,
    },
    /// A request parameter or method name was refused before anything was sent.
    #[error("invalid parameter `{name}`: {reason} (nothing was sent to Matomo)")]
    InvalidParameter {
        /// The Matomo parameter name (`date`, `idSite`, `method`, …).
        name: String,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// The HTTP client itself could not be set up (TLS backend, system settings).
    #[error(
        "could not set up the HTTP client: {detail}; check the TLS and proxy settings of this machine"
    )]
    HttpClient {
        /// The underlying error, without any URL.
        detail: String,
    },
    /// Matomo (or a proxy in front of it) answered with an HTTP error status and no Matomo error payload.
    #[error("{method}: Matomo answered HTTP {status}; {advice} (body starts with: {excerpt})")]
    HttpStatus {
        /// The API method called.
        method: String,
        /// The HTTP status code.
        status: u16,
        /// What to do about this status.
        advice: &'static str,
        /// A short, token-free excerpt of the body.
        excerpt: String,
    },
    /// Matomo answered `{"result":"error","message":…}` (with HTTP 200 or 401).
    #[error("{method}: Matomo reported an error (HTTP {status}): {error}")]
    Api {
        /// The API method called.
        method: String,
        /// The HTTP status code (200 for most errors, 401 for access problems).
        status: u16,
        /// Matomo's message and the advice derived from it.
        error: MatomoApiError,
    },
    /// Matomo answered with an HTML page instead of JSON, as it does for a bad
    /// token when the request is not recognised as an API request.
    #[error(
        "{method}: Matomo answered HTTP {status} with an HTML page instead of JSON (\"{excerpt}\"); {advice}"
    )]
    HtmlErrorPage {
        /// The API method called.
        method: String,
        /// The HTTP status code.
        status: u16,
        /// The page's headline or title, token-free.
        excerpt: String,
        /// What to do.
        advice: &'static str,
    },
    /// The body is not the JSON expected for this method.
    #[error(
        "{method}: the response could not be decoded ({detail}); it starts with: {excerpt}; check that the base URL points at Matomo and that the method returns this shape"
    )]
    UndecodableBody {
        /// The API method called.
        method: String,
        /// What the decoder said.
        detail: String,
        /// A short, token-free excerpt of the body.
        excerpt: String,
    },
    /// No complete answer arrived in time, after every retry.
    #[error(
        "{method}: no complete answer within the timeout after {attempts} attempt(s); Matomo may be archiving a large report: narrow the date range or segment, or raise the timeout"
    )]
    Timeout {
        /// The API method called.
        method: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// Every place for a request to Matomo stayed taken for the whole timeout (see
    /// [`RequestLimit`](super::RequestLimit)); nothing was sent.
    #[error(
        "{method}: not sent: as many requests to Matomo as allowed at once ({limit}) were in flight for the whole timeout; Matomo is busy: ask again shortly, or, if Matomo has PHP workers to spare, raise the cap on concurrent requests (the server's `matomo.max_concurrent_requests`, MATOMO_MAX_CONCURRENT_REQUESTS)"
    )]
    Busy {
        /// The API method that was to be called.
        method: String,
        /// The cap on requests in flight.
        limit: usize,
    },
    /// The body grew past the configured cap; reading stopped there.
    #[error(
        "{method}: the response is larger than the {limit}-byte cap; ask for less (filter_limit, a shorter date range, no `expanded`) or raise the cap with `max_response_bytes`"
    )]
    ResponseTooLarge {
        /// The API method called.
        method: String,
        /// The cap in bytes.
        limit: usize,
    },
    /// The connection failed (DNS, TCP, TLS), after every retry.
    #[error(
        "{method}: could not reach Matomo after {attempts} attempt(s) ({detail}); check the base URL, DNS, TLS certificates and that Matomo is up"
    )]
    Connection {
        /// The API method called.
        method: String,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error, without any URL.
        detail: String,
    },
}

impl ClientError {
    /// Whether retrying the same request later may succeed (timeouts, connection failures, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Connection { .. } | Self::Busy { .. } => true,
            Self::HttpStatus { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    pub(crate) fn invalid_parameter(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// One error payload from Matomo: `{"result":"error","message":…}`.
///
/// Standalone (not inside [`ClientError`]) because a bulk request keeps one per
/// failed item while the other items succeed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}; {}", self.advice())]
pub struct MatomoApiError {
    /// Matomo's message, scrubbed of the token.
    pub message: String,
}

impl MatomoApiError {
    /// What to do about this error, guessed from Matomo's (English) message.
    pub fn advice(&self) -> &'static str {
        let message = self.message.to_ascii_lowercase();
        if message.contains("unable to authenticate") {
            "check the token: it may be invalid, expired or revoked (create a new one under Administration > Personal > Security)"
        } else if message.contains("super user") {
            "this method needs super-user access; call a method that a view-only token may call"
        } else if message.contains("access") && message.contains("website") {
            "give the token's user view access to that site, or ask only for sites it can view (see `permissions()`)"
        } else if message.contains("is not enabled") || message.contains("plugin") {
            "activate the plugin in Matomo or call another method"
        } else if message.contains("segment") {
            "check the segment's dimension names (API.getSegmentsMetadata lists them) and its syntax"
        } else {
            "check the method name and its parameters against the Matomo API reference"
        }
    }
}

/// What to do about an HTTP status that came without a Matomo error payload.
pub(crate) fn status_advice(status: u16) -> &'static str {
    match status {
        300..=399 => {
            "the base URL redirects; configure the final URL (redirects are not followed so the token is never re-sent elsewhere)"
        }
        401 | 403 => {
            "check the token and that its user has at least view access to the requested sites"
        }
        404 => "check that the base URL points at the Matomo root, where index.php lives",
        413 | 414 => "the request is too large; send fewer sites, dates or bulk items at once",
        429 => "Matomo or a proxy is rate-limiting; wait and call less often",
        500..=599 => {
            "Matomo or a proxy in front of it failed; retry later and check Matomo's server logs"
        }
        _ => "check the base URL and the request",
    }
}

/// A readable rendering of a duration for log lines.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A parameter refused before any request.
impl From<crate::params::ParamError> for ClientError {
    fn from(err: crate::params::ParamError) -> Self {
        ClientError::InvalidParameter {
            name: err.name,
            reason: err.reason,
        }
    }
}

/// A segment refused before any request.
impl From<crate::segment::SegmentError> for ClientError {
    fn from(err: crate::segment::SegmentError) -> Self {
        ClientError::InvalidParameter {
            name: "segment".into(),
            reason: err.to_string(),
        }
    }
}

/// A client error as a model should see it: bad input is an argument error, anything else an upstream
/// failure. Neither text carries the token. Lets tools use `?` on client calls.
impl From<ClientError> for crate::ToolError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::InvalidParameter { .. } => {
                crate::ToolError::invalid_arguments(error.to_string())
            }
            other => crate::ToolError::upstream(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_advice_follows_the_message() {
        let auth = MatomoApiError {
            message:
                "Unable to authenticate with the provided token. It is either invalid or expired."
                    .into(),
        };
        assert!(auth.to_string().contains("check the token"));
        let view = MatomoApiError {
            message: "You can't access this resource as it requires 'view' access for the website id = 2."
                .into(),
        };
        assert!(view.advice().contains("view access"), "{}", view.advice());
        let plugin = MatomoApiError {
            message: "The plugin Foo is not enabled.".into(),
        };
        assert!(plugin.advice().contains("plugin"));
    }

    #[test]
    fn status_advice_covers_auth_and_server_errors() {
        assert!(status_advice(401).contains("token"));
        assert!(status_advice(503).contains("retry"));
        assert!(status_advice(302).contains("redirect"));
    }
}
