//! The Streamable HTTP server: binds, serves the guarded endpoint, shuts down gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use matomo_privacy_mcp_core::Toolbox;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Semaphore};
use tokio_util::sync::CancellationToken;

use super::config::HttpConfig;
use super::credentials::BearerCredentials;
use super::guard::OAuthGuard;
use super::guard::{Guard, guard};
use super::host::HostPolicy;
use super::oauth::{
    PROTECTED_RESOURCE_METADATA_SUFFIX, TokenValidator, protected_resource_metadata,
    protected_resource_metadata_url,
};
use super::origin::OriginPolicy;
use super::sessions::SessionCount;
use crate::profile::{OAuthMatch, Profile, Profiles, RateLimiter};
use crate::rmcp_adapter::{self, McpAdapter, ProfileSlot, SessionRegistry};
use crate::{ServeError, ServerInfo};

/// The largest `max_in_flight` accepted.
const MAX_IN_FLIGHT: u32 = 100_000;

/// A Streamable HTTP MCP server that is bound and ready to serve.
///
/// Binding first and serving second lets a caller (or a test binding port 0)
/// learn the address before the first client connects.
///
/// ```no_run
/// # async fn run() -> Result<(), matomo_privacy_mcp_server::ServeError> {
/// use matomo_privacy_mcp_core::Toolbox;
/// use matomo_privacy_mcp_server::{BearerToken, HttpConfig, HttpServer, ServerInfo};
///
/// let token = std::fs::read_to_string("/run/secrets/mcp-bearer-token")?;
/// let config = HttpConfig::default()
///     .with_bind("127.0.0.1:0".parse().expect("a socket address"))
///     .with_bearer_token(BearerToken::new(token.trim()));
/// let server = HttpServer::bind(Toolbox::new(), ServerInfo::default(), config).await?;
/// eprintln!("listening on {}", server.url());
///
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// # drop(stop);
/// // Keep `stop` and send on it (or drop it) to shut the server down.
/// server.serve(async move { let _ = stopped.await; }).await
/// # }
/// ```
#[derive(Debug)]
pub struct HttpServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    path: String,
    app: axum::Router,
    cancel: CancellationToken,
    in_flight: Arc<Semaphore>,
    max_in_flight: u32,
    shutdown_grace: Duration,
    read_timeout: Duration,
    sessions: SessionCount,
}

impl HttpServer {
    /// Checks the configuration, converts the tool definitions and binds the socket.
    ///
    /// Refuses to start without a bearer token, with a token shorter than 16
    /// characters, or with an allow-list entry it cannot parse. Every caller gets `toolbox`
    /// (one profile, named `default` in the audit log); see [`bind_profiles`](Self::bind_profiles)
    /// for clients that get different tools.
    pub async fn bind<S: Send + Sync + 'static>(
        toolbox: impl Into<Arc<Toolbox<S>>>,
        info: ServerInfo,
        mut config: HttpConfig,
    ) -> Result<Self, ServeError> {
        if config.bearer_tokens.is_empty() {
            return Err(ServeError::NoBearerToken);
        }
        let mut profile = Profile::new("default", toolbox);
        for token in std::mem::take(&mut config.bearer_tokens) {
            profile = profile.bearer_token(token);
        }
        Self::bind_profiles(Profiles::new().with(profile), info, config).await
    }

    /// [`bind`](Self::bind) for several client profiles: each request is answered from the
    /// toolbox of the profile its credential belongs to, within that profile's rate limit, and a
    /// session opened by one profile is not found for another.
    ///
    /// Refuses profiles without a credential, with the same name or sharing a token, and
    /// `config.bearer_tokens` (with profiles, each profile has its own).
    pub async fn bind_profiles<S: Send + Sync + 'static>(
        profiles: Profiles<S>,
        info: ServerInfo,
        config: HttpConfig,
    ) -> Result<Self, ServeError> {
        if !config.path.starts_with('/') {
            return Err(ServeError::InvalidConfig {
                key: "path",
                reason: format!("`{}` must start with `/`, for example `/mcp`", config.path),
            });
        }
        check_durations(&config)?;
        let oauth_rules: Vec<Vec<OAuthMatch>> =
            profiles.entries.iter().map(|p| p.oauth.clone()).collect();
        let oauth = checked_oauth(&config, &profiles)?;
        let (slots, credentials) = checked_profiles(profiles, &config)?;
        let limiters = slots.iter().map(|slot| slot.limiter.clone()).collect();
        let adapter = McpAdapter::new(slots, &info)?;
        let cancel = CancellationToken::new();
        let max_in_flight = u32::try_from(config.max_in_flight).unwrap_or(MAX_IN_FLIGHT);
        let (router, registry) = rmcp_adapter::streamable_http_router(
            adapter,
            &config.path,
            config.max_body_bytes,
            config.session_idle_timeout,
            cancel.child_token(),
        );
        let router = match &oauth {
            Some(oauth) => {
                let document = oauth.metadata.clone();
                let serve_document = axum::routing::get(move || async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        document,
                    )
                });
                // At the resource's own well-known address (RFC 9728 §3.1), and at the plain one
                // too, which clients try when the first is missing.
                let router = router.route(&oauth.metadata_path, serve_document.clone());
                if oauth.metadata_path == PROTECTED_RESOURCE_METADATA_SUFFIX {
                    router
                } else {
                    router.route(PROTECTED_RESOURCE_METADATA_SUFFIX, serve_document)
                }
            }
            None => router,
        };
        let mut guard_state = checked_guard(&config, registry.clone(), credentials, limiters)?;
        guard_state.oauth = oauth;
        guard_state.oauth_rules = oauth_rules;
        let guard_state = Arc::new(guard_state);
        let in_flight = Arc::clone(&guard_state.in_flight);
        let app = router.layer(axum::middleware::from_fn_with_state(guard_state, guard));
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| ServeError::Bind {
                address: config.bind,
                source,
            })?;
        let local_addr = listener.local_addr()?;
        if !local_addr.ip().is_loopback() {
            tracing::warn!(%local_addr, "the MCP endpoint is reachable from other machines; put TLS in front of it");
        }
        tracing::info!(server = %info.name, version = %info.version, %local_addr, path = %config.path, "serving MCP over Streamable HTTP");
        Ok(Self {
            listener,
            local_addr,
            path: config.path,
            app,
            cancel,
            in_flight,
            max_in_flight,
            shutdown_grace: config.shutdown_grace,
            read_timeout: config.read_timeout,
            sessions: SessionCount::new(registry),
        })
    }

    /// The number of MCP sessions open, which `max_sessions` caps; the handle
    /// keeps working while the server runs.
    pub fn sessions(&self) -> SessionCount {
        self.sessions.clone()
    }

    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The endpoint's URL, such as `http://127.0.0.1:8080/mcp`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.local_addr, self.path)
    }

    /// Serves until `shutdown` completes, then stops accepting connections,
    /// lets requests in progress finish (up to the configured grace period)
    /// and ends open event streams.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let cancel = self.cancel;
        let connections = GracefulShutdown::new();
        let mut http1 = hyper::server::conn::http1::Builder::new();
        // Without a timer hyper waits for request headers forever; with one, a
        // client that trickles its headers is disconnected after `read_timeout`.
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(self.read_timeout);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let stream = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(%error, "could not accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            // Replies go out in several small writes (headers, then event-stream data): with
            // Nagle's algorithm the last one waits for the client's delayed ACK, 40 ms per call.
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "could not turn off Nagle's algorithm on a connection");
            }
            let service = TowerToHyperService::new(self.app.clone());
            let connection =
                connections.watch(http1.serve_connection(TokioIo::new(stream), service));
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(%error, "HTTP connection ended with an error");
                }
            });
        }
        drop(self.listener);
        tracing::info!("shutting down the MCP HTTP server");
        // Calls in progress hold a slot until their response is sent; when
        // every slot is back, only idle event streams remain, and those end.
        let (in_flight, max_in_flight, grace) =
            (self.in_flight, self.max_in_flight, self.shutdown_grace);
        let streams = cancel.clone();
        tokio::spawn(async move {
            let drained = tokio::time::timeout(grace, in_flight.acquire_many(max_in_flight)).await;
            if drained.is_err() {
                tracing::warn!(
                    ?grace,
                    "calls still running after the shutdown grace period are cut off"
                );
            }
            streams.cancel();
        });
        connections.shutdown().await;
        cancel.cancel();
        Ok(())
    }
}

fn check_durations(config: &HttpConfig) -> Result<(), ServeError> {
    if config.read_timeout.is_zero() {
        return Err(ServeError::InvalidConfig {
            key: "read_timeout",
            reason: "0 would refuse every request; use a few seconds at least, for example 30 s"
                .to_owned(),
        });
    }
    if config.session_idle_timeout.is_zero() {
        return Err(ServeError::InvalidConfig {
            key: "session_idle_timeout",
            reason: "0 would close every session at once; use minutes, for example 5 min"
                .to_owned(),
        });
    }
    Ok(())
}

/// The OAuth side of the guard, when the configuration has one: the validator, and the metadata
/// document with where it is served.
fn checked_oauth<S>(
    config: &HttpConfig,
    profiles: &Profiles<S>,
) -> Result<Option<OAuthGuard>, ServeError> {
    let with_rules = profiles.entries.iter().find(|p| !p.oauth.is_empty());
    let Some(oauth) = &config.oauth else {
        return match with_rules {
            Some(profile) => Err(ServeError::InvalidConfig {
                key: "oauth",
                reason: format!(
                    "profile `{}` accepts OAuth tokens, but no authorization server is configured",
                    profile.name
                ),
            }),
            None => Ok(None),
        };
    };
    let invalid = |reason: String| ServeError::InvalidConfig {
        key: "oauth.resource",
        reason,
    };
    let resource = url::Url::parse(&oauth.resource).map_err(|e| {
        invalid(format!(
            "`{}` is not a URL ({e}); give this server's public URL, such as https://mcp.example.com/mcp",
            oauth.resource
        ))
    })?;
    let metadata_url = protected_resource_metadata_url(&resource).ok_or_else(|| {
        invalid(format!(
            "`{}` has no host; give this server's public URL, such as https://mcp.example.com/mcp",
            oauth.resource
        ))
    })?;
    let validator = TokenValidator::new(oauth.clone()).map_err(|e| ServeError::InvalidConfig {
        key: "oauth",
        reason: e.to_string(),
    })?;
    let mut scopes: Vec<String> = profiles
        .entries
        .iter()
        .flat_map(|p| &p.oauth)
        .filter_map(|rule| match rule {
            OAuthMatch::Scope(scope) => Some(scope.clone()),
            _ => None,
        })
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    let metadata =
        protected_resource_metadata(&oauth.resource, &[validator.issuer().to_owned()], &scopes)
            .to_string();
    Ok(Some(OAuthGuard {
        metadata_path: metadata_url.path().to_owned(),
        metadata_url,
        metadata,
        scopes,
        validator,
    }))
}

/// The profiles as the adapter serves them, and their bearer credentials, checked.
fn checked_profiles<S>(
    profiles: Profiles<S>,
    config: &HttpConfig,
) -> Result<(Vec<ProfileSlot<S>>, BearerCredentials), ServeError> {
    if profiles.entries.is_empty() {
        return Err(ServeError::NoBearerToken);
    }
    if !config.bearer_tokens.is_empty() {
        return Err(ServeError::InvalidConfig {
            key: "bearer_tokens",
            reason:
                "with profiles, each profile has its own bearer tokens; move these into a profile"
                    .to_owned(),
        });
    }
    for (index, profile) in profiles.entries.iter().enumerate() {
        if profile.name.trim().is_empty() {
            return Err(ServeError::InvalidConfig {
                key: "profiles",
                reason: format!("profile number {} has no name", index + 1),
            });
        }
        if profiles.entries[..index]
            .iter()
            .any(|p| p.name == profile.name)
        {
            return Err(ServeError::InvalidConfig {
                key: "profiles",
                reason: format!(
                    "two profiles are named `{}`; give each its own name",
                    profile.name
                ),
            });
        }
        if profile.bearer_tokens.is_empty()
            && profile.bearer_token_files.is_empty()
            && profile.oauth.is_empty()
        {
            return Err(ServeError::InvalidConfig {
                key: "profiles",
                reason: format!(
                    "profile `{}` has no credential: give it a bearer token (or token file) or an OAuth rule",
                    profile.name
                ),
            });
        }
    }
    let credentials = BearerCredentials::new(
        &profiles
            .entries
            .iter()
            .map(|p| {
                (
                    p.name.as_ref(),
                    p.bearer_tokens.as_slice(),
                    p.bearer_token_files.as_slice(),
                )
            })
            .collect::<Vec<_>>(),
    )?;
    let slots = profiles
        .entries
        .into_iter()
        .map(|profile| ProfileSlot {
            name: profile.name.clone(),
            tools: profile.tools,
            limiter: profile.rate_limit.map(|limit| {
                let limiter = RateLimiter::new(limit);
                #[cfg(feature = "redis")]
                let limiter = match &config.shared_state {
                    Some(shared) => limiter.shared(shared.clone(), &profile.name),
                    None => limiter,
                };
                Arc::new(limiter)
            }),
        })
        .collect();
    Ok((slots, credentials))
}

fn checked_guard(
    config: &HttpConfig,
    sessions: SessionRegistry,
    credentials: BearerCredentials,
    limiters: Vec<Option<Arc<RateLimiter>>>,
) -> Result<Guard, ServeError> {
    if config.max_sessions == 0 {
        return Err(ServeError::InvalidConfig {
            key: "max_sessions",
            reason: "0 would refuse every client; use at least 1".to_owned(),
        });
    }
    if config.max_in_flight == 0 {
        return Err(ServeError::InvalidConfig {
            key: "max_in_flight",
            reason: "0 would refuse every request; use at least 1".to_owned(),
        });
    }
    if config.max_in_flight > MAX_IN_FLIGHT as usize {
        return Err(ServeError::InvalidConfig {
            key: "max_in_flight",
            reason: format!("at most {MAX_IN_FLIGHT} requests can be in flight at once"),
        });
    }
    if config.max_body_bytes == 0 {
        return Err(ServeError::InvalidConfig {
            key: "max_body_bytes",
            reason: "0 would refuse every request; use at least 65536".to_owned(),
        });
    }
    Ok(Guard {
        hosts: HostPolicy::new(&config.allowed_hosts)?,
        origins: OriginPolicy::new(&config.allowed_origins)?,
        credentials,
        limiters,
        owners: std::sync::Mutex::new(std::collections::HashMap::new()),
        oauth: None,
        oauth_rules: Vec::new(),
        max_body_bytes: config.max_body_bytes,
        read_timeout: config.read_timeout,
        in_flight: Arc::new(Semaphore::new(config.max_in_flight)),
        sessions,
        max_sessions: config.max_sessions,
        opening: Mutex::new(()),
    })
}

/// Binds and serves `toolbox` over Streamable HTTP until `shutdown` completes.
///
/// A shorthand for [`HttpServer::bind`] followed by [`HttpServer::serve`].
pub async fn serve_http<S: Send + Sync + 'static>(
    toolbox: impl Into<Arc<Toolbox<S>>>,
    info: ServerInfo,
    config: HttpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    HttpServer::bind(toolbox, info, config)
        .await?
        .serve(shutdown)
        .await
}
