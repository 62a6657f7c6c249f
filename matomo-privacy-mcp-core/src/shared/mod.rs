//! State shared by replicas of one server behind a load balancer, in Redis (or Valkey):
//! the report cache, coalescing of identical requests across replicas, and the privacy budget.
//! (The server crate keeps its rate limits here too.)
//!
//! One [`SharedState`] is one connection (multiplexed, reconnecting on its own) and a key
//! prefix; clone it freely. Every operation has a deadline ([`SharedStateConfig::timeout`]):
//! a Redis that is slow counts as unreachable. What happens then is the caller's rule, and
//! each is documented where it is used: the cache falls back to the replica's own memory (the
//! answer is still correct, Matomo gets more requests), while the privacy budget and rate
//! limits refuse (they cannot be enforced without the shared count).
//!
//! The store then holds analytics data (cached report bodies) and budget ledgers: the
//! connection must authenticate ([`SharedStateConfig::password`] or a URL with credentials),
//! can use TLS (`rediss://`), and every key starts with the prefix, so that one Redis can
//! serve several deployments.
//!
//! ```no_run
//! # async fn demo() -> Result<(), matomo_privacy_mcp_core::shared::SharedStateError> {
//! use std::time::Duration;
//! use matomo_privacy_mcp_core::shared::{SharedState, SharedStateConfig};
//!
//! let shared = SharedState::connect(
//!     SharedStateConfig::new("rediss://redis.internal:6380/0")
//!         .password("from-a-secret-file")
//!         .prefix("matomo-privacy-mcp:prod:")
//!         .timeout(Duration::from_millis(250)),
//! )?;
//! shared.ping().await?;
//! # Ok(()) }
//! ```

mod cache;
mod rate;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::RedactedDebug;
use crate::setters::setters;

pub(crate) use cache::Lease;
pub use rate::RateDecision;

/// Default deadline of one Redis operation.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);
/// Default key prefix.
pub const DEFAULT_PREFIX: &str = "matomo-privacy-mcp:";
/// How long after Redis failed to answer operations fail at once instead of waiting for it
/// again: a slow or unreachable Redis then costs one deadline per second, not one per call.
pub const COOL_DOWN: Duration = Duration::from_secs(1);

/// How to reach Redis.
#[derive(Clone, RedactedDebug)]
#[must_use]
pub struct SharedStateConfig {
    /// It may hold a password.
    #[redact]
    url: String,
    #[redact]
    password: Option<String>,
    prefix: String,
    timeout: Duration,
    allow_without_auth: bool,
    #[redact]
    ca_certificate: Option<Vec<u8>>,
}

impl SharedStateConfig {
    /// Redis at `url`: `redis://host:port/db`, or `rediss://…` for TLS.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            password: None,
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            allow_without_auth: false,
            ca_certificate: None,
        }
    }

    setters! {
        /// With `rediss://`: trust the certificate authority in `pem` (a private CA that signed
        /// the Redis server's certificate) instead of the system's roots.
        pub fn ca_certificate(pem: impl Into<Vec<u8>>) => ca_certificate = Some(pem.into());

        /// The password Redis requires (`requirepass`, or the user's in an ACL).
        pub fn password(password: impl Into<String>) => password = Some(password.into());

        /// The prefix of every key (default `matomo-privacy-mcp:`).
        pub fn prefix(prefix: impl Into<String>) => prefix = prefix.into();

        /// The deadline of one operation, connecting included (default 500 ms).
        pub fn timeout(timeout: Duration) => timeout = timeout;
    }

    /// Connects without a password. The store holds analytics data: only for a Redis that
    /// nothing else can reach.
    pub fn danger_allow_without_auth(mut self) -> Self {
        self.allow_without_auth = true;
        self
    }
}

/// Why the shared state could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SharedStateError {
    /// The configuration is unusable; the message says what to change.
    #[error("shared state: {0}")]
    Config(String),
    /// Redis did not answer in time, refused the connection or the command.
    #[error("the shared state store (Redis) is unreachable or failing: {0}")]
    Unavailable(String),
}

impl SharedStateError {
    fn from_redis(error: &redis::RedisError) -> Self {
        // The error's text names the command's kind and the server's reply; never a key or value
        // of ours (keys are digests) and never the password.
        Self::Unavailable(format!("{:?}: {}", error.kind(), error.category()))
    }
}

/// A connection to the shared state (see the [module](self)). Cheap to clone.
#[derive(Clone)]
pub struct SharedState {
    inner: Arc<Inner>,
}

struct Inner {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    /// Until when operations fail at once, after Redis last failed to answer.
    down_until: std::sync::Mutex<Option<tokio::time::Instant>>,
}

impl fmt::Debug for SharedState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedState")
            .field("prefix", &self.inner.prefix)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl SharedState {
    /// A connection to Redis, made on first use and remade whenever it breaks: a Redis that is
    /// down at start-up or restarted while serving is used again once it answers, without a
    /// restart. Fails only on a configuration that can never work.
    pub fn connect(config: SharedStateConfig) -> Result<Self, SharedStateError> {
        let mut info: redis::ConnectionInfo = config.url.as_str().parse().map_err(|_| {
            SharedStateError::Config(
                "the Redis URL is not `redis://host:port/db` or `rediss://host:port/db`".into(),
            )
        })?;
        if let Some(password) = &config.password {
            let redis_settings = info.redis_settings().clone().set_password(password.clone());
            info = info.set_redis_settings(redis_settings);
        }
        if info.redis_settings().password().is_none() && !config.allow_without_auth {
            return Err(SharedStateError::Config(
                "the store will hold analytics data, so Redis must require a password: give one (the URL's or a password file)".into(),
            ));
        }
        if config.prefix.is_empty() {
            return Err(SharedStateError::Config(
                "the key prefix is empty; give one, such as `matomo-privacy-mcp:`".into(),
            ));
        }
        let client = match config.ca_certificate {
            Some(pem) => redis::Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                },
            ),
            None => redis::Client::open(info),
        }
        .map_err(|e| SharedStateError::from_redis(&e))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(1)
            .set_max_delay(config.timeout);
        let connection = ConnectionManager::new_lazy_with_config(client, manager_config)
            .map_err(|e| SharedStateError::from_redis(&e))?;
        Ok(Self {
            inner: Arc::new(Inner {
                connection,
                prefix: config.prefix,
                timeout: config.timeout,
                down_until: std::sync::Mutex::new(None),
            }),
        })
    }

    /// Whether Redis answers (and accepts the password).
    pub async fn ping(&self) -> Result<(), SharedStateError> {
        let _: String = self.run(redis::cmd("PING")).await?;
        Ok(())
    }

    /// The full key of `kind` and `name` under the prefix.
    pub(crate) fn key(&self, kind: &str, name: &str) -> String {
        format!("{}{kind}:{name}", self.inner.prefix)
    }

    /// Runs one command within the deadline.
    pub(crate) async fn run<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
    ) -> Result<T, SharedStateError> {
        self.deadline(|mut connection| {
            let command = command.clone();
            async move { command.query_async(&mut connection).await }
        })
        .await
    }

    /// Runs a script invocation within the deadline.
    pub(crate) async fn script<T: redis::FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> Result<T, SharedStateError> {
        self.deadline(
            |mut connection| async move { invocation.invoke_async(&mut connection).await },
        )
        .await
    }

    /// Runs `operation` on the connection within the deadline. A connection found broken (Redis
    /// restarted, a network blip) is remade by the manager: the operation is tried again on the
    /// new one while the deadline lasts, so that the first call after Redis is back succeeds.
    async fn deadline<T, F, Fut>(&self, operation: F) -> Result<T, SharedStateError>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let attempts = async {
            let mut pause = Duration::from_millis(10);
            loop {
                match operation(self.inner.connection.clone()).await {
                    Ok(value) => return Ok(value),
                    Err(error)
                        if error.is_io_error()
                            || error.is_connection_dropped()
                            || error.is_connection_refusal() =>
                    {
                        // Tried again until the deadline cuts it short.
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_millis(100));
                    }
                    Err(error) => return Err(SharedStateError::from_redis(&error)),
                }
            }
        };
        let down_until = || {
            self.inner
                .down_until
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let now = tokio::time::Instant::now();
        if down_until().is_some_and(|until| now < until) {
            return Err(SharedStateError::Unavailable(
                "it did not answer a moment ago; tried again within a second".into(),
            ));
        }
        let result = match tokio::time::timeout(self.inner.timeout, attempts).await {
            Ok(result) => result,
            Err(_) => Err(SharedStateError::Unavailable(format!(
                "no answer within {} ms",
                self.inner.timeout.as_millis()
            ))),
        };
        match &result {
            Err(SharedStateError::Unavailable(_)) => {
                *down_until() = Some(tokio::time::Instant::now() + COOL_DOWN);
            }
            _ => *down_until() = None,
        }
        result
    }
}
