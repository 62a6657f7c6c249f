//! Configuring a [`MatomoClient`]: base URL, token, timeouts, retries, size cap, requests in flight.

use std::sync::Arc;
use std::time::Duration;

use super::base_url::{UrlPolicy, endpoint};
use super::cache::{CacheConfig, ReportCache};
use super::error::ClientError;
use super::limit::{DEFAULT_MAX_CONCURRENT_REQUESTS, RequestLimit};
use super::token::MatomoToken;
use super::transport::{RetryPolicy, Transport};
use super::{MatomoClient, coalesce::Coalescer};
use crate::setters::setters;

/// Default time to establish a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for a whole request, body included; archiving a large report can be slow.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default number of retries after the first attempt, for read methods only.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default wait before the first retry; it doubles with each retry.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Default cap on a response body: 32 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// The longest wait between two retries, whatever the initial backoff.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Builds a [`MatomoClient`]; see [`MatomoClient::builder`].
///
/// Every setting has a default suited to a reporting assistant; the safety
/// rules for the base URL can only be relaxed by the `danger_*` methods, so
/// a relaxed configuration is visible in code review.
///
/// ```
/// use std::time::Duration;
/// use matomo_privacy_mcp_core::client::{ClientError, MatomoClient};
///
/// let client = MatomoClient::builder("https://example.com/matomo/")
///     .token("0123456789abcdef0123456789abcdef")
///     .connect_timeout(Duration::from_secs(5))
///     .timeout(Duration::from_secs(120))
///     .max_retries(1)
///     .retry_backoff(Duration::from_millis(250))
///     .max_response_bytes(16 * 1024 * 1024)
///     .max_concurrent_requests(8)
///     .build()?;
/// assert_eq!(client.endpoint(), "https://example.com/matomo/index.php");
/// assert_eq!(client.request_limit().max_in_flight(), 8);
///
/// // A Matomo on a trusted private network, reached over plain http:
/// let lan = MatomoClient::builder("http://matomo.internal:8080")
///     .token("0123456789abcdef0123456789abcdef")
///     .danger_allow_insecure_http()
///     .build()?;
/// # let _ = lan;
///
/// // Without a token there is no client.
/// let missing = MatomoClient::builder("https://example.com/").build();
/// assert!(matches!(missing, Err(ClientError::InvalidToken { .. })));
/// # Ok::<(), ClientError>(())
/// ```
#[derive(Debug)]
#[must_use = "call `build()` to get a client"]
pub struct ClientBuilder {
    base_url: String,
    token: Option<Result<MatomoToken, ClientError>>,
    connect_timeout: Duration,
    timeout: Duration,
    max_retries: u32,
    initial_backoff: Duration,
    max_response_bytes: usize,
    policy: UrlPolicy,
    cache: Option<ReportCache>,
    limit: Places,
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::SharedState>,
}

/// Where a client's places for requests in flight come from.
#[derive(Debug)]
enum Places {
    /// Its own, this many.
    Own(usize),
    /// Shared with other clients.
    Shared(RequestLimit),
}

impl ClientBuilder {
    pub(crate) fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            policy: UrlPolicy::default(),
            cache: Some(ReportCache::new(CacheConfig::default())),
            limit: Places::Own(DEFAULT_MAX_CONCURRENT_REQUESTS),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    setters! {
        /// Shares the report cache and request coalescing with the other replicas that use the
        /// same Redis (see [`crate::shared`]): an answer one replica fetched is served by all, and
        /// identical calls on several replicas at once make one request to Matomo.
        ///
        /// Needs the report cache (on by default): it decides how long an answer stays true.
        /// Whenever Redis is unreachable or slow, calls go on with this replica's own cache.
        #[cfg(feature = "redis")]
        #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
        pub fn shared_state(shared: crate::shared::SharedState) => shared = Some(shared);

        /// The `token_auth` to authenticate with; checked by [`build`](Self::build).
        ///
        /// Prefer a dedicated view-only token ([`MatomoClient::permissions`] checks).
        pub fn token(token: impl Into<String>) => token = Some(MatomoToken::new(token));

        /// An already validated token.
        pub fn matomo_token(token: MatomoToken) => token = Some(Ok(token));

        /// Time allowed to connect (TCP and TLS); default 10 s.
        pub fn connect_timeout(timeout: Duration) => connect_timeout = timeout;

        /// Time allowed for one whole attempt, body included; default 60 s.
        pub fn timeout(timeout: Duration) => timeout = timeout;

        /// Retries after the first attempt on timeouts, connection failures and
        /// 5xx, for read methods only; default 2, `0` disables retries.
        pub fn max_retries(retries: u32) => max_retries = retries;

        /// Wait before the first retry, doubled for each further one (at most 10 s); default
        /// 500 ms.
        pub fn retry_backoff(initial: Duration) => initial_backoff = initial;

        /// The largest response body accepted, in bytes; default 32 MiB.
        ///
        /// Reading stops as soon as the body grows past it, so an oversized or
        /// endless answer cannot exhaust memory.
        pub fn max_response_bytes(bytes: usize) => max_response_bytes = bytes;

        /// Caches answers as `config` says (the default: on, see [`CacheConfig`]).
        ///
        /// Answers for periods that ended are kept until evicted, answers that
        /// include today for [`CacheConfig::today_ttl`].
        pub fn cache(config: CacheConfig) => cache = Some(ReportCache::new(config));

        /// Uses `cache`, which other clients may share; keys include the token's hash, so
        /// clients with different tokens never read each other's answers.
        pub fn shared_cache(cache: ReportCache) => cache = Some(cache);

        /// The most requests this client has in flight to Matomo at once; default
        /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`] (4), `0` is refused by [`build`](Self::build).
        ///
        /// Clones of the client share the cap, so every tool of a server built on one client
        /// stays under it together. Calls over it wait for a place, in the order they asked,
        /// at most the [`timeout`](Self::timeout) (then [`ClientError::Busy`], nothing sent);
        /// a call dropped while waiting (a cancelled tool call) leaves the queue at once. A
        /// place is held only while an HTTP exchange runs, so a cap of 1 is slow, never stuck.
        ///
        /// Keep it at or below the PHP workers Matomo's web server has to spare (php-fpm's
        /// `pm.max_children`, 5 in Debian's default pool): requests beyond them wait in
        /// Matomo's queue instead, where their timeout runs, and each open connection is a file
        /// this process holds. Several clients share one cap with
        /// [`shared_request_limit`](Self::shared_request_limit).
        pub fn max_concurrent_requests(max_in_flight: usize) => limit = Places::Own(max_in_flight);

        /// Takes places for requests from `limit`, which other clients may share (for example
        /// one client per user token in one process, all under one cap); replaces
        /// [`max_concurrent_requests`](Self::max_concurrent_requests).
        pub fn shared_request_limit(limit: RequestLimit) => limit = Places::Shared(limit);
    }

    /// Sends every call to Matomo (identical concurrent calls are still shared).
    pub fn no_cache(mut self) -> Self {
        self.cache = None;
        self
    }

    /// Allows plain `http://` to hosts other than loopback.
    ///
    /// The token then crosses the network in clear text; use it only on a
    /// network you trust completely.
    pub fn danger_allow_insecure_http(mut self) -> Self {
        self.policy.allow_insecure_http = true;
        self
    }

    /// Allows a base URL with `user:password@`, sent as HTTP basic auth.
    ///
    /// Credentials in URLs tend to leak into logs and shell history; the
    /// client never prints them, but where the URL came from may.
    pub fn danger_allow_url_credentials(mut self) -> Self {
        self.policy.allow_url_credentials = true;
        self
    }

    /// Checks the configuration and builds the client; nothing is sent yet.
    pub fn build(self) -> Result<MatomoClient, ClientError> {
        let endpoint = endpoint(&self.base_url, self.policy)?;
        let token = self.token.unwrap_or(Err(ClientError::InvalidToken {
            reason: "none was given; call `.token(…)` on the builder with a view-only token",
        }))?;
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(ClientError::invalid_parameter(
                "timeout",
                "a timeout of zero would fail every request; give a positive duration",
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(ClientError::invalid_parameter(
                "max_response_bytes",
                "a cap of zero would refuse every response; give a positive size",
            ));
        }
        let limit = match self.limit {
            Places::Own(max_in_flight) => RequestLimit::new(max_in_flight)?,
            Places::Shared(limit) => limit,
        };
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("matomo-privacy-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| ClientError::HttpClient {
                detail: err.without_url().to_string(),
            })?;
        #[cfg(feature = "redis")]
        let replicas = match (&self.cache, self.shared) {
            (Some(_), Some(shared)) => Some(Arc::new(super::replicas::Replicas::new(
                shared,
                token.clone(),
            ))),
            _ => None,
        };
        Ok(MatomoClient {
            transport: Arc::new(Transport {
                http,
                endpoint,
                token,
                retry: RetryPolicy {
                    max_retries: self.max_retries,
                    initial_backoff: self.initial_backoff,
                    max_backoff: MAX_BACKOFF.max(self.initial_backoff),
                },
                max_response_bytes: self.max_response_bytes,
                limit,
                timeout: self.timeout,
            }),
            #[cfg(feature = "redis")]
            replicas,
            cache: self.cache,
            in_flight: Arc::new(Coalescer::default()),
        })
    }
}
