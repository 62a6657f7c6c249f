//! What an operator configures for the Streamable HTTP transport.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::oauth::OAuthConfig;
use crate::bearer::BearerToken;
use crate::setters::setters;

/// The default largest request body: MCP requests are small JSON documents.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The default number of requests served at once.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 32;

/// The default time a client has to send a request's headers, and again its body.
///
/// Long enough for a slow mobile link to send a small JSON request; short
/// enough that a client trickling bytes (slowloris) cannot hold a connection
/// and a buffer for minutes.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The default number of MCP sessions open at once. Each costs a task and a
/// few kilobytes; the cap keeps a client that never closes its sessions from
/// growing the server without bound.
pub const DEFAULT_MAX_SESSIONS: usize = 1000;

/// The default time after which a session nobody uses is closed (rmcp's own default).
pub const DEFAULT_SESSION_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Settings of the Streamable HTTP transport.
///
/// The defaults are safe for a server on the same machine as its client:
/// loopback only, browser origins from `localhost` only. A bearer token is
/// always required; there is no default one.
///
/// ```
/// use matomo_privacy_mcp_server::{BearerToken, HttpConfig};
///
/// let config = HttpConfig::default()
///     .with_bearer_token(BearerToken::new("a-long-random-secret-from-a-file"))
///     .with_bind("127.0.0.1:9000".parse().unwrap());
/// assert_eq!(config.path, "/mcp");
/// assert!(!format!("{config:?}").contains("a-long-random-secret"));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HttpConfig {
    /// The address to listen on. Default `127.0.0.1:8080`; port 0 picks a free port.
    pub bind: SocketAddr,
    /// The endpoint path. Default `/mcp`.
    pub path: String,
    /// Accepted bearer tokens; a request must present one of them. Required.
    pub bearer_tokens: Vec<BearerToken>,
    /// Browser origins allowed to call the server: `scheme://host[:port]`, with
    /// `:*` for any port, or `null`. Requests without `Origin` (non-browser
    /// clients) are always allowed. Default: `http` and `https` on `localhost`,
    /// `127.0.0.1` and `[::1]`, any port.
    pub allowed_origins: Vec<String>,
    /// Accepted `Host` header values: a host name or address for any port, or
    /// `host:port` for one port. Default `localhost`, `127.0.0.1`, `[::1]`.
    /// A server reached under a public name must list that name.
    pub allowed_hosts: Vec<String>,
    /// The largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// The most requests handled at once; more get 503 with `Retry-After`.
    pub max_in_flight: usize,
    /// How long a shutdown waits for calls in progress before cutting them off. Default 30 s.
    pub shutdown_grace: Duration,
    /// How long a client may take to send a request's headers, and again its
    /// body; a slower client gets 408 (body) or a closed connection (headers).
    /// Default [`DEFAULT_READ_TIMEOUT`] (30 s).
    pub read_timeout: Duration,
    /// The most MCP sessions open at once; an `initialize` beyond it gets 503
    /// with `Retry-After` while open sessions keep working. Default
    /// [`DEFAULT_MAX_SESSIONS`] (1000).
    pub max_sessions: usize,
    /// How long a session may go unused before the server closes it (its
    /// client then gets 404 and starts a new one). Default
    /// [`DEFAULT_SESSION_IDLE_TIMEOUT`] (5 minutes).
    pub session_idle_timeout: Duration,
    /// OAuth 2.1 resource-server mode: access tokens from this authorization server are
    /// accepted for the profiles whose OAuth rules they match, and the Protected Resource
    /// Metadata (RFC 9728) is served, without authentication, at the well-known address of
    /// the configuration's `resource` (this server's public URL). Default: off.
    pub oauth: Option<OAuthConfig>,
    /// With replicas behind a load balancer: rate limits counted in Redis, shared by every
    /// replica using the same store (and prefix). While it cannot be reached, calls of
    /// rate-limited profiles are refused (503), never uncounted. Default: each replica counts
    /// its own.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub shared_state: Option<matomo_privacy_mcp_core::shared::SharedState>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        let loopback = ["localhost", "127.0.0.1", "[::1]"];
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            path: "/mcp".to_owned(),
            bearer_tokens: Vec::new(),
            allowed_origins: ["http", "https"]
                .iter()
                .flat_map(|scheme| {
                    loopback
                        .iter()
                        .map(move |host| format!("{scheme}://{host}:*"))
                })
                .collect(),
            allowed_hosts: loopback.iter().map(|host| (*host).to_owned()).collect(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            shutdown_grace: Duration::from_secs(30),
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_sessions: DEFAULT_MAX_SESSIONS,
            session_idle_timeout: DEFAULT_SESSION_IDLE_TIMEOUT,
            oauth: None,
            #[cfg(feature = "redis")]
            shared_state: None,
        }
    }
}

impl HttpConfig {
    setters! {
        /// Sets the listening address.
        pub fn with_bind(bind: SocketAddr) { bind = bind }

        /// Sets the endpoint path.
        pub fn with_path(path: impl Into<String>) { path = path.into() }

        /// Adds an accepted bearer token.
        pub fn with_bearer_token(token: BearerToken) { bearer_tokens.push(token) }

        /// Replaces the allowed browser origins.
        pub fn with_allowed_origins(origins: impl IntoIterator<Item = impl Into<String>>) {
            allowed_origins = origins.into_iter().map(Into::into).collect()
        }

        /// Replaces the accepted `Host` values.
        pub fn with_allowed_hosts(hosts: impl IntoIterator<Item = impl Into<String>>) {
            allowed_hosts = hosts.into_iter().map(Into::into).collect()
        }

        /// Sets the largest accepted request body.
        pub fn with_max_body_bytes(bytes: usize) { max_body_bytes = bytes }

        /// Sets how long a shutdown waits for calls in progress.
        pub fn with_shutdown_grace(grace: Duration) { shutdown_grace = grace }

        /// Sets how many requests are handled at once.
        pub fn with_max_in_flight(requests: usize) { max_in_flight = requests }

        /// Sets how long a client may take to send a request's headers, and its body.
        pub fn with_read_timeout(timeout: Duration) { read_timeout = timeout }

        /// Sets how many MCP sessions may be open at once.
        pub fn with_max_sessions(sessions: usize) { max_sessions = sessions }

        /// Accepts OAuth access tokens as [`oauth`](Self::oauth) describes.
        pub fn with_oauth(oauth: OAuthConfig) { oauth = Some(oauth) }

        /// Counts rate limits in the shared state (see [`HttpConfig::shared_state`]).
        #[cfg(feature = "redis")]
        #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
        pub fn with_shared_state(shared: matomo_privacy_mcp_core::shared::SharedState) {
            shared_state = Some(shared)
        }

        /// Sets how long an unused session stays open.
        pub fn with_session_idle_timeout(timeout: Duration) { session_idle_timeout = timeout }
    }
}
