//! The subcommands.

use std::error::Error;
use std::path::Path;
use std::sync::Arc;

use matomo_privacy_mcp::catalogue;
use matomo_privacy_mcp::config::{AuditTarget, Config, OAuthRule, ProfileSettings};
use matomo_privacy_mcp::manifest::{
    ManifestBuilder, ManifestProfile, ManifestSharedState, PrivacyManifest, name_sites,
};
use matomo_privacy_mcp::{rotation, startup};
use matomo_privacy_mcp_core::audit::{AuditSink, JsonLinesAudit};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::tool::ToolDescriptor;
use matomo_privacy_mcp_core::{PrivacyClass, Toolbox};
use matomo_privacy_mcp_server::{
    BearerToken, HttpConfig, HttpServer, OAuthConfig, OAuthMatch, Profile, Profiles, RateLimit,
    ServerInfo, serve_stdio_profile,
};

pub(crate) type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The configuration, with everything that can be checked without Matomo checked: the tool
/// names of `tools.allowed` too, so that a typo is reported before "configuration: ok".
fn load(path: Option<&Path>) -> Result<Config> {
    load_with(path, |name| std::env::var(name).ok()).map_err(|error| match path {
        // A newcomer's first command: say where a configuration comes from, and how to try the
        // server without one.
        None => format!(
            "{error}\n(no configuration file was given: pass --config FILE or set MATOMO_PRIVACY_MCP_CONFIG; to try the server without a Matomo, add --emulator)"
        )
        .into(),
        Some(_) => error,
    })
}

/// [`load`] with `env` giving the environment overrides.
pub(crate) fn load_with(
    path: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Config> {
    let config = Config::load_with(path, env)?;
    for profile in &config.profiles {
        catalogue::check_tool_names(
            &profile.config_key(
                "allowed_tools",
                "tools.allowed (MATOMO_PRIVACY_MCP_ALLOWED_TOOLS)",
            ),
            profile.allowed_tools.as_deref(),
        )?;
    }
    Ok(config)
}

fn info() -> ServerInfo {
    matomo_privacy_mcp::identity::server_info()
}

/// What every profile shares: the noise, the shared state and the audit sink.
struct Shared {
    state: startup::ProcessState,
    audit: Option<Arc<dyn AuditSink>>,
}

/// What every profile shares, with every file the server writes made ready and tried (the
/// budget, its key, the audit log): a path that cannot be used stops here, with its key.
fn open_shared(config: &Config) -> Result<Shared> {
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
async fn connect_all(config: &Config) -> Result<(Vec<Toolbox<Deployment>>, Shared)> {
    let shared = open_shared(config)?;
    Ok((connect_profiles(config, &shared).await?, shared))
}

/// Every profile connected with what they share.
async fn connect_profiles(config: &Config, shared: &Shared) -> Result<Vec<Toolbox<Deployment>>> {
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
fn served_profile(
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
fn credential_key(profile: &ProfileSettings) -> String {
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
async fn configured(
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
fn stdio_profile(config: &Config, name: Option<&str>) -> Result<usize> {
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
async fn announce_shared_state(config: &Config, state: &startup::ProcessState) {
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

fn http_config(config: &Config, state: &startup::ProcessState) -> Result<HttpConfig> {
    let mut http_config = HttpConfig::default()
        .with_bind(config.http.bind)
        .with_max_body_bytes(config.http.max_body_bytes)
        .with_max_in_flight(config.http.max_concurrent_calls)
        .with_read_timeout(config.http.read_timeout)
        .with_max_sessions(config.http.max_sessions)
        .with_session_idle_timeout(config.http.session_idle_timeout);
    if !config.http.allowed_origins.is_empty() {
        let origins: Vec<String> = http_config
            .allowed_origins
            .iter()
            .chain(&config.http.allowed_origins)
            .cloned()
            .collect();
        http_config = http_config.with_allowed_origins(origins);
    }
    if !config.http.allowed_hosts.is_empty() {
        let hosts: Vec<String> = http_config
            .allowed_hosts
            .iter()
            .chain(&config.http.allowed_hosts)
            .cloned()
            .collect();
        http_config = http_config.with_allowed_hosts(hosts);
    }
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

/// `check`: what this configuration would do, without serving: every profile's Matomo token is
/// checked, and what each would expose is listed.
pub async fn check(path: Option<&Path>, emulator: bool) -> Result<()> {
    let (config, _emulator) = configured(path, emulator, false).await?;
    // The files it writes are tried before anything is called ok.
    let shared = open_shared(&config)?;
    println!("configuration: ok");
    println!("state files: {}", state_files_line(&config));
    println!(
        "serving enabled: {}",
        if config.enabled {
            "yes"
        } else {
            "no (set enabled = true to serve)"
        }
    );
    let noise = &config.privacy.noise;
    if noise.enabled {
        let budget_place = match (&config.shared_state, &noise.budget_file) {
            (Some(_), Some(file)) => format!(
                "the shared state (privacy.noise.budget_file `{}` is not used while [shared_state] is configured)",
                file.display()
            ),
            (Some(_), None) => "the shared state".to_owned(),
            (None, Some(file)) => file.display().to_string(),
            (None, None) => String::new(),
        };
        println!(
            "differential privacy: on; ε={} per statistic, at most ε={} per site per {} h, budget in {}{}",
            noise.epsilon_micros as f64 / 1e6,
            noise.budget_micros as f64 / 1e6,
            noise.window.as_secs() / 3600,
            budget_place,
            match (noise.has_key_file(), config.shared_state.is_some()) {
                (true, _) => "",
                (false, false) => {
                    " (no privacy.noise.key_file: the noise key is kept beside the budget file, `.key`)"
                }
                (false, true) => {
                    " (no privacy.noise.key_file: answers change at each start and differ between replicas, each charged again; give every replica the same key file)"
                }
            }
        );
    } else {
        println!(
            "differential privacy: off (privacy.noise.enabled = false): answers carry exact numbers"
        );
    }
    let toolboxes = connect_profiles(&config, &shared).await?;
    println!("Matomo: reachable");
    #[cfg(feature = "redis")]
    let shared_state = report_shared_state(&config, &shared.state).await;
    #[cfg(not(feature = "redis"))]
    {
        let _ = shared;
        println!(
            "shared state: none (built without the `redis` feature: each process keeps its own cache, budget and rate limits)"
        );
    }
    for (settings, toolbox) in config.profiles.iter().zip(&toolboxes) {
        println!("profile `{}`:", settings.name);
        println!(
            "  ceiling: {} ({})",
            settings.ceiling,
            settings.ceiling.meaning()
        );
        println!("  threshold k: {}", settings.threshold.k());
        println!("  token check: {}", toolbox.state().site_access().summary());
        let exposed: Vec<&str> = toolbox.list().map(|t| t.name()).collect();
        println!(
            "  tools exposed ({}): {}",
            exposed.len(),
            exposed.join(", ")
        );
        let hidden: Vec<String> = toolbox
            .all_descriptors()
            .filter(|d| !d.max_class().is_within(settings.ceiling))
            .map(|d| format!("{} ({})", d.name(), d.max_class()))
            .collect();
        if !hidden.is_empty() {
            println!(
                "  tools above the ceiling, not served: {}",
                hidden.join(", ")
            );
        }
        if let Some(limit) = settings.rate_limit {
            println!(
                "  rate limit: {} calls per minute, bursts of {}",
                limit.per_minute, limit.burst
            );
        }
        if settings.ceiling > PrivacyClass::Aggregate {
            println!(
                "  WARNING: the ceiling is above aggregate: visitor-level data reaches the AI provider; update your DPIA"
            );
        }
    }
    #[cfg(feature = "redis")]
    shared_state?;
    Ok(())
}

/// Where the files the server writes are, all tried already: `check` names them so that the
/// operator knows what to back up, protect and keep.
fn state_files_line(config: &Config) -> String {
    let mut files = Vec::new();
    if config.privacy.noise.enabled
        && let (None, Some(file)) = (&config.shared_state, &config.privacy.noise.budget_file)
    {
        files.push(format!("privacy budget `{}`", file.display()));
        if !config.privacy.noise.has_key_file() {
            files.push(format!("noise key `{}.key`", file.display()));
        }
    }
    if let Some(AuditTarget::File(path)) = &config.audit_log {
        files.push(format!("audit log `{}`", path.display()));
    }
    if files.is_empty() {
        "none written".to_owned()
    } else {
        format!("{} (writable)", files.join(", "))
    }
}

/// `check`'s lines about the shared state, after asking it; an error (after every line is
/// printed) when it did not answer: the deployment would then refuse answers with noise and
/// rate-limited calls.
#[cfg(feature = "redis")]
async fn report_shared_state(config: &Config, state: &startup::ProcessState) -> Result<()> {
    let (Some(settings), Some(shared)) = (&config.shared_state, &state.shared_state) else {
        println!("shared state: none (each process keeps its own cache, budget and rate limits)");
        return Ok(());
    };
    let place = format!(
        "Redis at {}, keys prefixed `{}`, {}, {}",
        settings.location,
        settings.prefix,
        if settings.tls { "TLS" } else { "no TLS" },
        if settings.authenticated {
            "with a password"
        } else {
            "without a password (allow_without_password = true)"
        }
    );
    let answer = shared.ping().await;
    match &answer {
        Ok(()) => println!("shared state: {place}: answered"),
        Err(error) => println!(
            "shared state: {place}: did NOT answer ({error}); `serve` starts anyway and connects again until it answers, refusing answers with noise and rate-limited calls meanwhile"
        ),
    }
    let mut holds = Vec::new();
    if config.cache.is_some() {
        holds.push("cached reports");
    } else {
        println!("  report cache: off (cache.enabled = false), so reports are not shared");
    }
    if config.privacy.noise.enabled {
        holds.push("the privacy budget");
    }
    if config.profiles.iter().any(|p| p.rate_limit.is_some()) {
        holds.push("the rate limits (HTTP)");
    }
    if !holds.is_empty() {
        println!("  shared with the other replicas: {}", holds.join(", "));
    }
    if !settings.tls && !settings.is_loopback() {
        println!(
            "  WARNING: plain redis:// to another machine: the password, cached reports and budget ledgers cross the network unencrypted; use rediss://"
        );
    }
    answer.map_err(|error| {
        format!(
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: the shared state did not answer ({error}); check that Redis runs and is reachable there, and that it accepts the password of `shared_state.password_file (MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE)`"
        )
        .into()
    })
}

/// The tools profile `settings` is served: its allowed tools within its ceiling (without the
/// exact-only ones while `noise` is on).
fn served_descriptors(settings: &ProfileSettings, noise: bool) -> Result<Vec<ToolDescriptor>> {
    Ok(
        catalogue::served_descriptors(settings.allowed_tools.as_deref(), noise)?
            .into_iter()
            .filter(|d| d.max_class().is_within(settings.ceiling))
            .collect(),
    )
}

/// What the manifest says of a profile.
fn manifest_profile(
    settings: &ProfileSettings,
    token_check: String,
    noise: bool,
) -> Result<ManifestProfile> {
    let mut authentication: Vec<String> = Vec::new();
    if !settings.bearer_tokens.is_empty() {
        authentication.push(format!(
            "{} bearer token(s) from the configuration",
            settings.bearer_tokens.len()
        ));
    }
    if let Some(file) = &settings.bearer_token_file {
        authentication.push(format!("bearer tokens in `{}`", file.display()));
    }
    for rule in &settings.oauth {
        authentication.push(match rule {
            OAuthRule::Scope(scope) => format!("OAuth access tokens with scope `{scope}`"),
            OAuthRule::ClientId(id) => format!("OAuth access tokens issued to client `{id}`"),
            OAuthRule::Subject(subject) => format!("OAuth access tokens of subject `{subject}`"),
        });
    }
    Ok(ManifestProfile {
        name: settings.name.clone(),
        authentication,
        token_check,
        allowed_sites: settings.allowed_sites.clone(),
        ceiling: settings.ceiling,
        threshold_k: settings.threshold.k(),
        tools: served_descriptors(settings, noise)?
            .iter()
            .map(|d| d.name().to_owned())
            .collect(),
        rate_limit: settings.rate_limit.map(|l| (l.per_minute, l.burst)),
        budget_per_window: noise.then(|| settings.budget_micros as f64 / 1e6),
    })
}

/// Every tool some profile may call, once, and the highest ceiling of the profiles.
fn union_of_profiles(config: &Config) -> Result<(Vec<ToolDescriptor>, PrivacyClass)> {
    let allowed: Vec<String> = {
        let mut names = Vec::new();
        for settings in &config.profiles {
            let noise = config.privacy.noise.enabled;
            for d in catalogue::served_descriptors(settings.allowed_tools.as_deref(), noise)? {
                if !names.contains(&d.name().to_owned()) {
                    names.push(d.name().to_owned());
                }
            }
        }
        names
    };
    let ceiling = config
        .profiles
        .iter()
        .map(|p| p.ceiling)
        .max()
        .unwrap_or(PrivacyClass::Aggregate);
    Ok((catalogue::descriptors(Some(&allowed))?, ceiling))
}

/// `manifest`: Markdown or JSON, with every profile's token check unless offline.
pub async fn manifest(
    path: Option<&Path>,
    json: bool,
    offline: bool,
    emulator: bool,
) -> Result<()> {
    let (config, _emulator) = configured(path, emulator, false).await?;
    let (descriptors, ceiling) = union_of_profiles(&config)?;
    let mut sites = Vec::new();
    let checks: Vec<String> = if offline {
        config
            .profiles
            .iter()
            .map(|_| "not performed (manifest generated with --offline)".to_owned())
            .collect()
    } else {
        let shared = open_shared(&config)?;
        let mut checks = Vec::with_capacity(config.profiles.len());
        for profile in &config.profiles {
            let toolbox = match startup::profile_toolbox(
                &config,
                profile,
                &profile.matomo_token,
                &shared.state,
                shared.audit.as_ref(),
            )
            .await
            {
                Ok(toolbox) => toolbox,
                Err(error) => match unreachable_matomo(error.as_ref()) {
                    // The document is still wanted while Matomo is down: it says what it lacks.
                    Some(why) => {
                        eprintln!(
                            "matomo-privacy-mcp: WARNING: profile `{}`: {why}",
                            profile.name
                        );
                        checks.push(why);
                        continue;
                    }
                    None => return Err(format!("{error}").into()),
                },
            };
            let deployment = toolbox.state();
            sites.extend(
                name_sites(
                    deployment.client(),
                    deployment.site_access().sites(),
                    &profile.config_key(
                        "allowed_sites",
                        "matomo.allowed_sites (MATOMO_PRIVACY_MCP_ALLOWED_SITES)",
                    ),
                )
                .await,
            );
            checks.push(deployment.site_access().summary().to_owned());
        }
        checks
    };
    let mut builder = settings(
        PrivacyManifest::from_descriptors(&descriptors, ceiling),
        &config,
    )
    .token_check(checks.first().cloned().unwrap_or_default())
    .sites(sites);
    if config.profiles.iter().any(|p| p.named) {
        for (profile, check) in config.profiles.iter().zip(checks) {
            builder = builder.profile(manifest_profile(
                profile,
                check,
                config.privacy.noise.enabled,
            )?);
        }
    }
    let manifest = builder.build();
    println!(
        "{}",
        if json {
            manifest.to_json()
        } else {
            manifest.to_markdown()
        }
    );
    Ok(())
}

/// The manifest's token check when `error` says Matomo could not be reached (no answer, or not
/// one from Matomo): what was not done and what to check; `None` for any other error.
fn unreachable_matomo(error: &(dyn Error + Send + Sync + 'static)) -> Option<String> {
    match error.downcast_ref::<startup::StartupError>() {
        Some(startup::StartupError::Client(client)) if client.is_transient() => Some(format!(
            "not performed: Matomo could not be reached ({client}); check `matomo.url (MATOMO_URL)`, or generate the manifest with --offline"
        )),
        _ => None,
    }
}

fn settings(builder: ManifestBuilder, config: &Config) -> ManifestBuilder {
    let mut builder = builder
        .enabled(config.enabled)
        .threshold(config.privacy.threshold)
        .noise(&config.privacy.noise)
        .scrubbing(
            config.privacy.allowed_query_params.clone(),
            config
                .privacy
                .scrub_patterns
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
        );
    if let Some(key) = &config.privacy.pseudonym_key {
        builder = builder.pseudonym_key_fingerprint(key.fingerprint());
    }
    if let Some(shared) = &config.shared_state {
        builder = builder.shared_state(ManifestSharedState::new(
            shared,
            config.cache.is_some(),
            config.privacy.noise.enabled,
            config.profiles.iter().any(|p| p.rate_limit.is_some()),
        ));
    }
    match &config.audit_log {
        Some(AuditTarget::Stderr) => builder.audit_log("standard error"),
        Some(AuditTarget::File(path)) => builder.audit_log(path.display().to_string()),
        None => builder,
    }
}

/// `tools`: the definitions this configuration exposes (to any of its profiles), without
/// contacting Matomo.
///
/// Without a configuration file, the tools a default configuration exposes (every aggregate
/// tool): what an operator sees before writing one.
pub fn tools(path: Option<&Path>) -> Result<()> {
    let descriptors: Vec<ToolDescriptor> = match path {
        Some(path) => {
            let config = load(Some(path))?;
            let mut all: Vec<ToolDescriptor> = Vec::new();
            for settings in &config.profiles {
                for d in served_descriptors(settings, config.privacy.noise.enabled)? {
                    if !all.iter().any(|known| known.name() == d.name()) {
                        all.push(d);
                    }
                }
            }
            all
        }
        // A default configuration has noise on.
        None => catalogue::served_descriptors(None, true)?
            .into_iter()
            .filter(|d| d.max_class().is_within(PrivacyClass::Aggregate))
            .collect(),
    };
    println!("{}", serde_json::to_string_pretty(&descriptors)?);
    Ok(())
}
