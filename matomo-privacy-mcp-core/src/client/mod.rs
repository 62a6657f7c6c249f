//! The Matomo Reporting API client.
//!
//! Every request is a `POST {base}/index.php?module=API&method=…&format=JSON`
//! whose form-encoded body carries `token_auth` and all other parameters:
//! Matomo then recognises an API request from the query string alone and
//! answers errors as JSON, while the token stays out of URLs and server logs.
//!
//! ```no_run
//! use matomo_privacy_mcp_core::client::MatomoClient;
//! use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
//!
//! # async fn run() -> Result<(), matomo_privacy_mcp_core::client::ClientError> {
//! let client = MatomoClient::builder("https://matomo.example.com/")
//!     .token(std::env::var("MATOMO_TOKEN").unwrap_or_default())
//!     .build()?;
//!
//! let permissions = client.permissions().await?;
//! assert!(permissions.is_least_privilege(), "use a view-only token");
//!
//! let params = Params::new()
//!     .sites(Sites::one(1)?)
//!     .period(Period::Day)
//!     .date(Date::Yesterday);
//! let summary = client.call_raw("VisitsSummary.get", &params).await?;
//! println!("{} visits", summary["nb_visits"]);
//! # Ok(())
//! # }
//! ```

mod base_url;
pub use base_url::is_insecure_http;
mod builder;
mod bulk;
mod cache;
mod coalesce;
mod envelope;
mod error;
mod excerpt;
mod field_path;
mod limit;
mod many;
mod method;
mod permissions;
#[cfg(feature = "redis")]
mod replicas;
mod reports;
mod request;
mod token;
mod transport;

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use builder::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
};
pub use bulk::BulkRequest;
pub(crate) use cache::today_in;
pub use cache::{
    CacheConfig, DEFAULT_CACHE_BYTES, DEFAULT_CACHE_ENTRIES, DEFAULT_TODAY_TTL, ReportCache,
};
pub use error::{ClientError, MatomoApiError};
pub use limit::{DEFAULT_MAX_CONCURRENT_REQUESTS, RequestLimit};
pub use permissions::TokenPermissions;
pub use reports::Nested;
pub use request::ReportRequest;
pub use token::MatomoToken;

use crate::params::Params;
use cache::RequestKey;
use coalesce::Coalescer;
use method::{BULK_METHOD, check_method, is_read_method};
use transport::{RawResponse, Transport};

/// A client for one Matomo instance and one token; cheap to clone and share.
///
/// ```
/// use std::time::Duration;
/// use matomo_privacy_mcp_core::client::{ClientError, MatomoClient};
///
/// let client = MatomoClient::builder("https://matomo.example.com/index.php")
///     .token("0123456789abcdef0123456789abcdef")
///     .timeout(Duration::from_secs(30))
///     .max_retries(3)
///     .max_response_bytes(8 * 1024 * 1024)
///     .build()
///     .unwrap();
/// assert_eq!(client.endpoint(), "https://matomo.example.com/index.php");
/// assert!(!format!("{client:?}").contains("0123456789abcdef"));
///
/// // Plain http is refused for remote hosts, allowed for loopback.
/// let refused = MatomoClient::builder("http://matomo.example.com").token("t").build();
/// assert!(matches!(refused, Err(ClientError::InsecureBaseUrl { .. })));
/// assert!(MatomoClient::builder("http://127.0.0.1:8080").token("t").build().is_ok());
/// ```
#[derive(Clone)]
pub struct MatomoClient {
    transport: Arc<Transport>,
    cache: Option<ReportCache>,
    in_flight: Arc<Coalescer>,
    #[cfg(feature = "redis")]
    replicas: Option<Arc<replicas::Replicas>>,
}

/// The client's token is the secret its tools must never return.
impl crate::tool::ToolState for MatomoClient {
    fn secret_guards(&self) -> Vec<crate::tool::SecretGuard> {
        vec![crate::tool::SecretGuard::new(self.transport.token.expose())]
    }
}

impl MatomoClient {
    /// Starts configuring a client for the Matomo at `base_url`.
    ///
    /// The URL may end in `/`, `index.php` or neither. It must be `https://`
    /// unless the host is loopback, and carry no `user:password@`; see the
    /// `danger_*` methods of [`ClientBuilder`] to opt out.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// The token, for the guards and the budget account of a deployment over this client.
    pub(crate) fn token(&self) -> &MatomoToken {
        &self.transport.token
    }

    /// The API endpoint requests go to, without credentials.
    pub fn endpoint(&self) -> String {
        base_url::display_url(&self.transport.endpoint)
    }

    /// Calls `method` and returns Matomo's JSON result.
    ///
    /// An error payload (`{"result":"error",…}`, sent with HTTP 200 or 401)
    /// becomes [`ClientError::Api`]. Scalar results stay wrapped as Matomo
    /// sends them, `{"value": …}`; unwrap them (or decode with [`call`](Self::call)
    /// into a struct with a `value` field). The shape otherwise depends on
    /// [`Params::nesting`].
    pub async fn call_raw(&self, method: &str, params: &Params) -> Result<Value, ClientError> {
        check_method(method)?;
        if method == BULK_METHOD {
            return Err(ClientError::invalid_parameter(
                "method",
                "use `MatomoClient::bulk` with a `BulkRequest` for API.getBulkRequest",
            ));
        }
        let pairs = params.to_pairs()?;
        self.post(method, &pairs, is_read_method(method)).await
    }

    /// Calls `method` and decodes the result into `T`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &Params,
    ) -> Result<T, ClientError> {
        let value = self.call_raw(method, params).await?;
        self.decode_value(method, value)
    }

    /// Sends every call of `request` in one HTTP request (`API.getBulkRequest`).
    ///
    /// The outer result fails only if the request as a whole does; each item
    /// is then its own result, so one bad site or method does not lose the
    /// others. Items keep Matomo's shapes (see [`call_raw`](Self::call_raw));
    /// decode them with `serde_json::from_value`.
    pub async fn bulk(
        &self,
        request: &BulkRequest,
    ) -> Result<Vec<Result<Value, MatomoApiError>>, ClientError> {
        let pairs = request.to_pairs()?;
        let response = self
            .transport
            .send(BULK_METHOD, &pairs, request.is_read_only())
            .await?;
        let token = &self.transport.token;
        let value = envelope::decode(BULK_METHOD, &response, token)?;
        bulk::split_items(request, value, &response.body, token)
    }

    /// Discovers what the token may do, with one bulk request of five calls a view-only token may make.
    pub async fn permissions(&self) -> Result<TokenPermissions, ClientError> {
        const SUPER_USER: &str = "UsersManager.hasSuperUserAccess";
        const ROLES: [&str; 4] = ["AtLeastView", "View", "Write", "Admin"];
        let none = Params::new();
        let methods: Vec<String> = std::iter::once(SUPER_USER.to_owned())
            .chain(ROLES.map(|role| format!("SitesManager.getSitesIdWith{role}Access")))
            .collect();
        let request = methods
            .iter()
            .try_fold(BulkRequest::new(), |request, method| {
                request.push(method, &none)
            })?;
        let token = &self.transport.token;
        let items = self.bulk(&request).await.map_err(|err| match err {
            // The first call is the one Matomo checks the token with; name it.
            ClientError::Api { status, error, .. } => ClientError::Api {
                method: format!("{SUPER_USER} (in {BULK_METHOD})"),
                status,
                error,
            },
            other => other,
        })?;
        let mut values = Vec::with_capacity(items.len());
        for (method, item) in methods.iter().zip(items) {
            values.push(item.map_err(|error| ClientError::Api {
                method: method.clone(),
                status: 200,
                error,
            })?);
        }
        let site_ids = |i: usize| permissions::parse_site_ids(&methods[i], &values[i], token);
        Ok(TokenPermissions {
            super_user: permissions::parse_flag(SUPER_USER, &values[0], token)?,
            at_least_view: site_ids(1)?,
            view: site_ids(2)?,
            write: site_ids(3)?,
            admin: site_ids(4)?,
        })
    }

    /// The cap on this client's requests in flight to Matomo (shared by its clones).
    pub fn request_limit(&self) -> &RequestLimit {
        &self.transport.limit
    }

    /// The cache answers of this client go through, if it has one.
    pub fn cache(&self) -> Option<&ReportCache> {
        self.cache.as_ref()
    }

    async fn post(
        &self,
        method: &str,
        pairs: &[(String, String)],
        retryable: bool,
    ) -> Result<Value, ClientError> {
        let fetched = self.fetch(method, pairs, retryable).await?;
        let value = envelope::decode(method, &fetched.response, &self.transport.token);
        self.settle(fetched, pairs, value.is_ok()).await;
        value
    }

    /// The response to a call: from the cache, from an identical call in flight, or from Matomo.
    ///
    /// Only read calls are cached and shared; the caller hands the response to
    /// [`remember`](Self::remember) once it decoded without error, so errors are never cached.
    async fn fetch(
        &self,
        method: &str,
        pairs: &[(String, String)],
        retryable: bool,
    ) -> Result<Fetched, ClientError> {
        if !retryable {
            let response = self.transport.send(method, pairs, false).await?;
            return Ok(Fetched {
                response: Arc::new(response),
                key: None,
            });
        }
        let key = RequestKey::new(method, pairs, &self.transport.token);
        if let Some(response) = self.cache.as_ref().and_then(|cache| cache.get(&key)) {
            return Ok(Fetched {
                response,
                key: None,
            });
        }
        #[cfg(feature = "redis")]
        if let Some(replicas) = &self.replicas {
            if let Some(response) = replicas.cached(&key).await {
                if let Some(cache) = &self.cache {
                    cache.put(key, pairs, response.clone());
                }
                return Ok(Fetched {
                    response,
                    key: None,
                });
            }
            let response = self
                .in_flight
                .run(&key, || {
                    replicas.send(&key, || self.transport.send(method, pairs, true))
                })
                .await?;
            return Ok(Fetched {
                response,
                key: Some(key),
            });
        }
        let response = self
            .in_flight
            .run(&key, || self.transport.send(method, pairs, true))
            .await?;
        Ok(Fetched {
            response,
            key: Some(key),
        })
    }

    /// Caches a fetched response that turned out to be a successful answer (`ok`), here and,
    /// with shared state, for the other replicas; gives back a lease either way.
    async fn settle(&self, fetched: Fetched, pairs: &[(String, String)], ok: bool) {
        let Some(key) = fetched.key else {
            return;
        };
        let ok = ok && fetched.response.status == 200 && !fetched.response.is_html;
        #[cfg(feature = "redis")]
        if let Some(replicas) = &self.replicas {
            let lifetime = match (&self.cache, ok) {
                (Some(cache), true) => cache.lifetime(pairs, replicas::FINAL_LIFETIME),
                _ => None,
            };
            replicas.settle(&key, &fetched.response, lifetime).await;
        }
        if let Some(cache) = &self.cache
            && ok
        {
            cache.put(key, pairs, fetched.response);
        }
    }

    fn decode_value<T: DeserializeOwned>(
        &self,
        method: &str,
        value: Value,
    ) -> Result<T, ClientError> {
        // Matomo's answer: the rows read from it carry Matomo's counts.
        let decode = |value: &Value| {
            crate::models::answer::matomo_answer_of(method, || field_path::decode_with_path(value))
        };
        decode(&value)
            .or_else(|detail| match &value {
                // PHP renders an empty table as `[]`, where a table with columns is an object:
                // `API.get` asked for the columns of a plugin that is not active answers `[]`.
                // Read as an object without columns; a type that needs some still fails.
                Value::Array(items) if items.is_empty() => {
                    decode(&Value::Object(serde_json::Map::new())).map_err(|_| detail)
                }
                _ => Err(detail),
            })
            .map_err(|detail| {
                let body = value.to_string();
                envelope::undecodable(method, &detail, body.as_bytes(), &self.transport.token)
            })
    }
}

/// A response and, when it came from Matomo rather than the cache, the key to cache it under.
struct Fetched {
    response: Arc<RawResponse>,
    key: Option<RequestKey>,
}

impl fmt::Debug for MatomoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = &self.transport;
        f.debug_struct("MatomoClient")
            .field("endpoint", &self.endpoint())
            .field("token", &transport.token)
            .field("max_retries", &transport.retry.max_retries)
            .field("max_response_bytes", &transport.max_response_bytes)
            .field("max_concurrent_requests", &transport.limit.max_in_flight())
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}
