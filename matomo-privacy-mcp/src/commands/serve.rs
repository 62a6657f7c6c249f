//! `serve`: the configured profiles connected and served over stdio or Streamable HTTP.

use std::path::Path;
use std::sync::Arc;

use matomo_privacy_mcp::config::{AuditTarget, Config, OAuthRule, ProfileSettings};
use matomo_privacy_mcp::{rotation, startup};
use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::audit::{AuditSink, JsonLinesAudit};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_server::{
    BearerToken, HttpConfig, HttpServer, OAuthConfig, OAuthMatch, Profile, Profiles, RateLimit,
    ServerInfo, serve_stdio_profile,
};

use super::*;

pub(super) fn info() -> ServerInfo {
    matomo_privacy_mcp::identity::server_info()
}

/// What every profile shares: the noise, the shared state and the audit sink.
pub(super) struct Shared {
    pub(super) state: startup::ProcessState,
    pub(super) audit: Option<Arc<dyn AuditSink>>,
}

/// What every profile shares, with every file the server writes made ready and tried (the
/// budget, its key, the audit log): a path that cannot be used stops here, with its key.
pub(super) fn open_shared(config: &Config) -> Result<Shared> {
    let state = startup::process_state(config)?;
    let audit: Option<Arc<dyn AuditSink>> = match &config.audit_log {
        Some(AuditTarget::Stderr) => Some(Arc::new(JsonLinesAudit::to_stderr())),
        Some(AuditTarget::File(path)) => {
            let opened = matomo_privacy_mcp::state_files::make_parent_dir(path)
                .map_err(|e| format!("its directory cannot be created ({e})"))
                .and_then(|()| JsonLinesAudit::to_file(path).map_err(|e| e.to_string()));
            Some(Arc::new(opened.map_err(|what| {
                format!(
                    "configuration `audit.log (MATOMO_PRIVACY_MCP_AUDIT_LOG)`: `{}`: {what}; make that directory writable by this user, or set the key to a writable path (or `stderr`)",
                    path.display()
                )
            })?))
        }
        None => None,
    };
    Ok(Shared { state, audit })
}

/// Every profile connected (its Matomo token checked), in configuration order, and what they
/// share.
pub(super) async fn connect_all(config: &Config) -> Result<(Vec<Toolbox<Deployment>>, Shared)> {
    let shared = open_shared(config)?;
    Ok((connect_profiles(config, &shared).await?, shared))
}

/// Every profile connected with what they share.
pub(super) async fn connect_profiles(
    config: &Config,
    shared: &Shared,
) -> Result<Vec<Toolbox<Deployment>>> {
    let Shared { state, audit } = shared;
    let mut toolboxes = Vec::with_capacity(config.profiles.len());
    for profile in &config.profiles {
        let toolbox = startup::profile_toolbox(
            config,
            profile,
            &profile.matomo_token,
            state,
            audit.as_ref(),
        )
        .await
        .map_err(|e| format!("{e}"))?;
        tracing::info!(profile = %profile.name, check = toolbox.state().site_access().summary(), "Matomo token checked");
        toolboxes.push(toolbox);
    }
    Ok(toolboxes)
}

/// The server's profile for configured profile `index`, serving `toolbox`, watched for a rotated
/// Matomo token.
pub(super) fn served_profile(
    config: &Arc<Config>,
    index: usize,
    toolbox: Toolbox<Deployment>,
    shared: &Shared,
) -> Profile<Deployment> {
    let settings = &config.profiles[index];
    let mut profile = Profile::new(settings.name.clone(), toolbox);
    for token in &settings.bearer_tokens {
        profile = profile.bearer_token(BearerToken::new(token.expose()));
    }
    if let Some(file) = &settings.bearer_token_file {
        profile = profile.bearer_token_file(file);
    }
    for rule in &settings.oauth {
        profile = profile.oauth(match rule {
            OAuthRule::Scope(scope) => OAuthMatch::Scope(scope.clone()),
            OAuthRule::ClientId(id) => OAuthMatch::ClientId(id.clone()),
            OAuthRule::Subject(subject) => OAuthMatch::Subject(subject.clone()),
        });
    }
    if let Some(limit) = settings.rate_limit {
        profile = profile.rate_limit(RateLimit::per_minute(limit.per_minute).burst(limit.burst));
    }
    rotation::watch_matomo_token(rotation::Watched {
        config: Arc::clone(config),
        profile: index,
        tools: profile.tools(),
        state: shared.state.clone(),
        audit: shared.audit.clone(),
    });
    profile
}

/// The configuration key that gives `profile` an HTTP credential.
pub(super) fn credential_key(profile: &ProfileSettings) -> String {
    if profile.named {
        format!(
            "{} or {}",
            profile.config_key("bearer_token_file", ""),
            profile.config_key("oauth_scope", "")
        )
    } else {
        "http.bearer_tokens / http.bearer_tokens_file (MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS / MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS_FILE)".to_owned()
    }
}

/// The configuration, and the emulator it reads when `emulator` is set (kept running while it
/// is held); `http` draws a bearer token for the emulator when none is configured.
pub(super) async fn configured(
    path: Option<&Path>,
    emulator: bool,
    http: bool,
) -> Result<(Config, Option<crate::emulated::Running>)> {
    if emulator {
        let (config, running) = crate::emulated::start(path, http).await?;
        Ok((config, Some(running)))
    } else {
        Ok((load(path)?, None))
    }
}

/// `serve`: stdio (one profile) or Streamable HTTP (every profile), after the enabled flag and
/// the check of every profile's Matomo token.
///
/// With `emulator`, the built-in Matomo emulator is the Matomo served.
pub async fn serve(
    path: Option<&Path>,
    http: bool,
    profile: Option<&str>,
    emulator: bool,
) -> Result<()> {
    let (config, _emulator) = configured(path, emulator, http).await?;
    let config = Arc::new(config);
    config.require_enabled()?;
    if http {
        for settings in &config.profiles {
            if settings.bearer_tokens.is_empty()
                && settings.bearer_token_file.is_none()
                && settings.oauth.is_empty()
            {
                return Err(format!(
                    "configuration `{}`: profile `{}` has no credential for HTTP; give it a bearer token file (one token per line, such as one made with `openssl rand -hex 32`) or an OAuth rule",
                    credential_key(settings),
                    settings.name
                )
                .into());
            }
        }
    }
    let index = if http {
        None
    } else {
        Some(stdio_profile(&config, profile)?)
    };
    let (mut toolboxes, shared) = connect_all(&config).await?;
    #[cfg(feature = "redis")]
    announce_shared_state(&config, &shared.state).await;
    if let Some(index) = index {
        let toolbox = toolboxes.swap_remove(index);
        let profile = served_profile(&config, index, toolbox, &shared);
        return Ok(serve_stdio_profile(profile, info()).await?);
    }
    let mut profiles = Profiles::new();
    for (index, toolbox) in toolboxes.into_iter().enumerate() {
        profiles = profiles.with(served_profile(&config, index, toolbox, &shared));
    }
    let server =
        HttpServer::bind_profiles(profiles, info(), http_config(&config, &shared.state)?).await?;
    eprintln!("matomo-privacy-mcp: serving MCP at {}", server.url());
    server
        .serve(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The profile stdio serves: the one named, or the only one.
pub(super) fn stdio_profile(config: &Config, name: Option<&str>) -> Result<usize> {
    let names = || {
        config
            .profiles
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => config
            .profiles
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| {
                format!(
                    "--profile (MATOMO_PRIVACY_MCP_PROFILE): there is no profile `{name}`; the profiles are {}",
                    names()
                )
                .into()
            }),
        None if config.profiles.len() == 1 => Ok(0),
        None => Err(format!(
            "--profile (MATOMO_PRIVACY_MCP_PROFILE): stdio serves one client, and the configuration has profiles {}; choose one",
            names()
        )
        .into()),
    }
}

/// Says in the log whether the shared state answers. Either way the server starts: the connection
/// is made again until Redis answers, and meanwhile what needs it refuses (the budget, the rate
/// limits) or does without it (the cache).
#[cfg(feature = "redis")]
pub(super) async fn announce_shared_state(config: &Config, state: &startup::ProcessState) {
    let (Some(settings), Some(shared)) = (&config.shared_state, &state.shared_state) else {
        return;
    };
    match shared.ping().await {
        Ok(()) => tracing::info!(
            store = %settings.location,
            prefix = %settings.prefix,
            "shared state answered: the report cache, the privacy budget and the rate limits are shared with the other replicas"
        ),
        Err(error) => tracing::warn!(
            store = %settings.location,
            %error,
            "the shared state did not answer; serving anyway and connecting again until it does: meanwhile answers with noise and rate-limited calls are refused, and reports come from this process's own cache"
        ),
    }
}

pub(super) fn http_config(config: &Config, state: &startup::ProcessState) -> Result<HttpConfig> {
    let mut http_config = HttpConfig::default()
        .with_bind(config.http.bind)
        .with_max_body_bytes(config.http.max_body_bytes)
        .with_max_in_flight(config.http.max_concurrent_calls)
        .with_read_timeout(config.http.read_timeout)
        .with_max_sessions(config.http.max_sessions)
        .with_session_idle_timeout(config.http.session_idle_timeout);
    // The configured origins and hosts are allowed besides the local defaults, not instead.
    let origins = [
        &http_config.allowed_origins[..],
        &config.http.allowed_origins,
    ]
    .concat();
    let hosts = [&http_config.allowed_hosts[..], &config.http.allowed_hosts].concat();
    http_config = http_config
        .with_allowed_origins(origins)
        .with_allowed_hosts(hosts);
    if let Some(oauth) = &config.oauth {
        let mut settings = OAuthConfig::new(oauth.issuer.clone(), oauth.resource.clone())
            .with_leeway(oauth.leeway)
            .with_allow_insecure_http(oauth.allow_insecure_http);
        if let Some(jwks) = &oauth.jwks_uri {
            settings = settings.with_jwks_uri(jwks.clone());
        }
        http_config = http_config.with_oauth(settings);
    }
    #[cfg(feature = "redis")]
    if let Some(shared) = &state.shared_state {
        http_config = http_config.with_shared_state(shared.clone());
    }
    #[cfg(not(feature = "redis"))]
    let _ = state;
    Ok(http_config)
}
