//! Deployment configuration: a TOML file plus environment overrides.
//!
//! Environment variables override the file, using the names other Matomo MCP
//! servers already use where they exist (`MATOMO_URL`, `MATOMO_TOKEN`,
//! `MATOMO_TOKEN_FILE`) and `MATOMO_PRIVACY_MCP_*` otherwise. Secrets may come from files.
//! Every mistake is reported with the key and the fix, all of them at once.
//! The strictest settings are the defaults: not enabled, ceiling `aggregate`,
//! threshold 5, no query parameter kept in URLs, differential privacy on.
//!
//! ```
//! use matomo_privacy_mcp::config::Config;
//!
//! let toml = r#"
//!     enabled = true
//!     [matomo]
//!     url = "https://matomo.example.com"
//!     token = "0123456789abcdef0123456789abcdef"
//!     [privacy.noise]
//!     budget_file = "/var/lib/matomo-privacy-mcp/privacy-budget.json"
//! "#;
//! let config = Config::from_toml_str(toml, |_| None).unwrap();
//! assert!(config.enabled);
//! assert_eq!(config.ceiling, matomo_privacy_mcp_core::PrivacyClass::Aggregate);
//! assert!(!format!("{config:?}").contains("0123456789abcdef"));
//! ```

mod error;
mod keys;
mod noise;
mod oauth;
mod profiles;
mod raw;
mod secret;
mod shared_state;
mod state_dir;
mod type_words;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use error::{ConfigError, ConfigErrors};
pub use noise::NoiseSettings;
pub use oauth::OAuthSettings;
pub use profiles::{OAuthRule, ProfileSettings, RateLimitSettings, token_from_file};
pub use secret::Secret;
pub use shared_state::{DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS, SharedStateSettings};
pub use state_dir::{BUDGET_FILE_NAME, STATE_DIR_NAME, default_state_dir};

use raw::RawConfig;

use matomo_privacy_mcp_core::minimise::{CustomPattern, Scrubber, Threshold};
use matomo_privacy_mcp_core::privacy::{PrivacyClass, PseudonymKey};

/// The validated configuration.
#[derive(Debug)]
pub struct Config {
    /// Whether the server may serve at all (`enabled`, `MATOMO_PRIVACY_MCP_ENABLED`; default `false`).
    pub enabled: bool,
    /// The highest class any tool may expose (`ceiling`, `MATOMO_PRIVACY_MCP_CEILING`; default `aggregate`).
    pub ceiling: PrivacyClass,
    /// How to reach Matomo.
    pub matomo: MatomoSettings,
    /// Minimisation settings.
    pub privacy: PrivacySettings,
    /// Tools allowed by name (`tools.allowed`, `MATOMO_PRIVACY_MCP_ALLOWED_TOOLS`); `None` allows every tool within the ceiling.
    pub allowed_tools: Option<Vec<String>>,
    /// Where the audit log goes (`audit.log`, `MATOMO_PRIVACY_MCP_AUDIT_LOG`: a path or `stderr`).
    pub audit_log: Option<AuditTarget>,
    /// Streamable HTTP settings.
    pub http: HttpSettings,
    /// The report cache (`[cache]`); `None` when `cache.enabled = false`.
    pub cache: Option<matomo_privacy_mcp_core::client::CacheConfig>,
    /// The client profiles, with their inherited settings filled in: the `[[profiles]]`, or,
    /// without any, one profile named `default` made of the top-level settings.
    pub profiles: Vec<ProfileSettings>,
    /// OAuth resource-server mode (`[oauth]`); `None` when off (the default).
    pub oauth: Option<OAuthSettings>,
    /// The Redis replicas share (`[shared_state]`, `MATOMO_PRIVACY_MCP_SHARED_STATE_URL`): the report
    /// cache, the privacy budget (instead of `privacy.noise.budget_file`) and the HTTP rate
    /// limits; `None` (the default) keeps them in each process.
    pub shared_state: Option<SharedStateSettings>,
}

/// How to reach Matomo.
#[derive(Debug)]
pub struct MatomoSettings {
    /// Base URL (`matomo.url`, `MATOMO_URL`).
    pub url: String,
    /// API token (`matomo.token` or `matomo.token_file`, `MATOMO_TOKEN` or `MATOMO_TOKEN_FILE`);
    /// `None` with `[[profiles]]`, each of which has its own.
    pub token: Option<Secret>,
    /// The file the token came from (watched for rotation), when it came from one.
    pub token_file: Option<PathBuf>,
    /// Sites that may be read (`matomo.allowed_sites`, `MATOMO_PRIVACY_MCP_ALLOWED_SITES`), intersected with the token's
    /// view access; `None` means every site the token can view.
    pub allowed_sites: Option<Vec<u32>>,
    /// Serve even with a token that has write, admin or super-user access (`matomo.allow_privileged_token`).
    pub allow_privileged_token: bool,
    /// Allow plain `http://` to a non-loopback Matomo (`matomo.allow_insecure_http`).
    pub allow_insecure_http: bool,
    /// Time limit of one request to Matomo (`matomo.timeout_seconds`; default 30).
    pub timeout: Duration,
}

/// Minimisation settings.
#[derive(Debug)]
pub struct PrivacySettings {
    /// Small-count threshold (`privacy.threshold_k`, `MATOMO_PRIVACY_MCP_THRESHOLD_K`; default 5).
    pub threshold: Threshold,
    /// Pseudonym key (`privacy.pseudonym_key_file`, `MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE`); required for a
    /// ceiling above `aggregate`.
    pub pseudonym_key: Option<PseudonymKey>,
    /// Query parameters kept in scrubbed URLs (`privacy.allowed_query_params`).
    pub allowed_query_params: Vec<String>,
    /// Operator-defined scrub patterns (`privacy.scrub_patterns`), as (name, regex).
    pub scrub_patterns: Vec<(String, String)>,
    /// Differential privacy (`[privacy.noise]`; on by default).
    pub noise: NoiseSettings,
}

impl PrivacySettings {
    /// A scrubber with these settings (the patterns were validated when the configuration was loaded).
    pub fn scrubber(
        &self,
    ) -> Result<Scrubber, matomo_privacy_mcp_core::minimise::ScrubConfigError> {
        let mut builder = Scrubber::builder();
        for param in &self.allowed_query_params {
            builder = builder.allow_query_param(param.clone());
        }
        for (name, regex) in &self.scrub_patterns {
            builder = builder.pattern(CustomPattern::new(name.clone(), regex.clone()));
        }
        builder.build()
    }
}

/// Where audit records go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditTarget {
    /// Standard error.
    Stderr,
    /// An append-only file.
    File(PathBuf),
}

/// Streamable HTTP settings.
#[derive(Debug)]
pub struct HttpSettings {
    /// Address to bind (`http.bind`, `MATOMO_PRIVACY_MCP_HTTP_BIND`; default `127.0.0.1:8765`).
    pub bind: SocketAddr,
    /// Bearer tokens given inline (`http.bearer_tokens`; `MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS`,
    /// comma-separated).
    pub bearer_tokens: Vec<Secret>,
    /// A file of bearer tokens, one per line, re-read when it changes (`http.bearer_tokens_file`,
    /// `MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS_FILE`).
    pub bearer_tokens_file: Option<PathBuf>,
    /// Browser origins allowed besides localhost (`http.allowed_origins`).
    pub allowed_origins: Vec<String>,
    /// `Host` header values accepted besides localhost (`http.allowed_hosts`,
    /// `MATOMO_PRIVACY_MCP_HTTP_ALLOWED_HOSTS`): the names a proxy or a container reaches the server by.
    pub allowed_hosts: Vec<String>,
    /// The URL clients reach the endpoint by (`http.public_url`, `MATOMO_PRIVACY_MCP_HTTP_PUBLIC_URL`), as
    /// a proxy or load balancer publishes it; OAuth's resource identifier.
    pub public_url: Option<String>,
    /// Largest request body in bytes (`http.max_body_bytes`; default 1 MiB).
    pub max_body_bytes: usize,
    /// Most calls served at once (`http.max_concurrent_calls`; default 32).
    pub max_concurrent_calls: usize,
    /// Time a client has to send a request's headers, and again its body
    /// (`http.read_timeout_seconds`; default 30).
    pub read_timeout: Duration,
    /// Most MCP sessions open at once (`http.max_sessions`; default 1000).
    pub max_sessions: usize,
    /// Time after which an unused session is closed (`http.session_idle_timeout_seconds`; default 300).
    pub session_idle_timeout: Duration,
}

const DEFAULT_BIND: &str = "127.0.0.1:8765";

impl Config {
    /// Loads `path` (if given) and applies environment overrides from the process environment.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigErrors> {
        Self::load_with(path, |name| std::env::var(name).ok())
    }

    /// Loads `path` (if given) with `env` giving the environment overrides.
    pub fn load_with(
        path: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigErrors> {
        let text = match path {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                ConfigErrors(vec![ConfigError::new(
                    "--config",
                    format!("cannot read `{}`: {e}", path.display()),
                    "pass the path of a readable TOML file",
                )])
            })?,
            None => String::new(),
        };
        Self::from_toml_str(&text, env)
    }

    /// Parses TOML text, with `env` giving environment overrides (pass `|_| None` for none).
    pub fn from_toml_str(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigErrors> {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|span| format!(" (line {})", line_at(text, span.start)))
                .unwrap_or_default();
            ConfigErrors(vec![ConfigError::new(
                format!("file{place}"),
                format!("not valid TOML: {}", e.message()),
                "fix the TOML; the keys are documented in the configuration reference",
            )])
        })?;
        // Every unknown key at once, with its section and line; the rest is still read.
        let mut errors = keys::unknown_keys(&mut table, text);
        let raw: RawConfig = match toml::Value::Table(table).try_into() {
            Ok(raw) => raw,
            Err(_) => {
                // Every value of the wrong type, and then every other mistake in the rest.
                let (wrong, rest) = keys::wrong_types(text);
                errors.extend(wrong);
                errors.extend(Self::other_mistakes(&rest, &env, &errors));
                return Err(ConfigErrors(errors));
            }
        };
        let config = build(raw, &env, &mut errors);
        match config {
            Some(config) if errors.is_empty() => Ok(config),
            _ => Err(ConfigErrors(errors)),
        }
    }

    /// The mistakes in `rest` (the file without its values of the wrong type) about keys not
    /// reported in `already`: a key whose value was of the wrong type is not also said to be
    /// missing.
    fn other_mistakes(
        rest: &str,
        env: &impl Fn(&str) -> Option<String>,
        already: &[ConfigError],
    ) -> Vec<ConfigError> {
        let Ok(mut table) = toml::from_str::<toml::Table>(rest) else {
            return Vec::new();
        };
        let _ = keys::unknown_keys(&mut table, rest);
        let Ok(raw) = toml::Value::Table(table).try_into::<RawConfig>() else {
            return Vec::new();
        };
        let mut more = Vec::new();
        let _ = build(raw, env, &mut more);
        let key_of = |error: &ConfigError| {
            error
                .key
                .split([' ', '('])
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        let reported: Vec<String> = already.iter().map(key_of).collect();
        more.retain(|error| !reported.contains(&key_of(error)));
        more
    }

    /// Refuses to go on unless serving is enabled, with the fix.
    pub fn require_enabled(&self) -> Result<(), ConfigError> {
        if self.enabled {
            return Ok(());
        }
        Err(ConfigError::new(
            "enabled (MATOMO_PRIVACY_MCP_ENABLED)",
            "serving is disabled, which is the default",
            "after your privacy assessment, set `enabled = true` in the configuration file or MATOMO_PRIVACY_MCP_ENABLED=true",
        ))
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    1 + text
        .as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
}

fn build(
    raw: RawConfig,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<Config> {
    let enabled = match env("MATOMO_PRIVACY_MCP_ENABLED") {
        Some(value) => {
            parse_bool("enabled (MATOMO_PRIVACY_MCP_ENABLED)", &value, errors).unwrap_or(false)
        }
        None => raw.enabled.unwrap_or(false),
    };
    let ceiling_text = env("MATOMO_PRIVACY_MCP_CEILING").or(raw.ceiling);
    let ceiling = match ceiling_text {
        None => PrivacyClass::Aggregate,
        Some(text) => text.parse().unwrap_or_else(|_| {
            errors.push(ConfigError::new(
                "ceiling (MATOMO_PRIVACY_MCP_CEILING)",
                format!("`{text}` is not a privacy class"),
                "use `aggregate` (the default), `pseudonymous` or `identifying`",
            ));
            PrivacyClass::Aggregate
        }),
    };
    let has_profiles = !raw.profiles.is_empty();
    let matomo = matomo_settings(raw.matomo, has_profiles, env, errors);
    // A budget in Redis needs no file: wanted even when a mistake in `[shared_state]` is reported.
    let shared_budget =
        raw.shared_state.is_some() || env("MATOMO_PRIVACY_MCP_SHARED_STATE_URL").is_some();
    let shared_state = shared_state::shared_state_settings(raw.shared_state, env, errors);
    let privacy = privacy_settings(raw.privacy, ceiling, shared_budget, env, errors);
    let allowed_tools = match env("MATOMO_PRIVACY_MCP_ALLOWED_TOOLS") {
        Some(list) => Some(split_list(&list)),
        None => raw.tools.allowed,
    };
    let audit_log = env("MATOMO_PRIVACY_MCP_AUDIT_LOG")
        .or(raw.audit.log)
        .map(|log| {
            if log == "stderr" {
                AuditTarget::Stderr
            } else {
                AuditTarget::File(PathBuf::from(log))
            }
        });
    let http = http_settings(raw.http, env, errors);
    let cache = cache_settings(raw.cache, errors);
    let rate_limit = profiles::rate_limit(raw.rate_limit, errors);
    let (matomo, privacy, http) = (matomo?, privacy?, http?);
    let oauth = oauth::oauth_settings(raw.oauth, http.public_url.as_deref(), env, errors);
    let oauth_wanted = raw.profiles.iter().any(|p| {
        p.oauth_scope.is_some() || p.oauth_client_id.is_some() || p.oauth_subject.is_some()
    });
    if oauth_wanted
        && oauth.is_none()
        && !errors
            .iter()
            .any(|e| e.key.starts_with("oauth.") || e.key.starts_with("http.public_url"))
    {
        errors.push(ConfigError::new(
            "oauth.issuer (MATOMO_PRIVACY_MCP_OAUTH_ISSUER)",
            "a profile accepts OAuth tokens, and no authorization server is configured",
            "set `issuer` under `[oauth]` and `http.public_url`, or remove the profiles' `oauth_*` keys",
        ));
    }
    let profiles = if has_profiles {
        if !http.bearer_tokens.is_empty() || http.bearer_tokens_file.is_some() {
            errors.push(ConfigError::new(
                "http.bearer_tokens / http.bearer_tokens_file",
                "with [[profiles]], each profile has its own bearer tokens",
                "move the tokens into a file per profile and set its `bearer_token_file`",
            ));
        }
        let inherited = profiles::Inherited {
            ceiling,
            allowed_sites: matomo.allowed_sites.as_deref(),
            allowed_tools: allowed_tools.as_deref(),
            threshold: privacy.threshold,
            rate_limit,
            budget_micros: privacy.noise.budget_micros,
            has_pseudonym_key: privacy.pseudonym_key.is_some(),
        };
        profiles::profiles(raw.profiles, &inherited, errors)
    } else {
        vec![ProfileSettings {
            named: false,
            name: "default".to_owned(),
            // Without profiles the token is required, and its absence reported already.
            matomo_token: matomo.token.clone()?,
            matomo_token_file: matomo.token_file.clone(),
            bearer_tokens: http.bearer_tokens.clone(),
            bearer_token_file: http.bearer_tokens_file.clone(),
            oauth: Vec::new(),
            allowed_sites: matomo.allowed_sites.clone(),
            allowed_tools: allowed_tools.clone(),
            ceiling,
            threshold: privacy.threshold,
            rate_limit,
            budget_micros: privacy.noise.budget_micros,
        }]
    };
    Some(Config {
        enabled,
        ceiling,
        matomo,
        privacy,
        allowed_tools,
        audit_log,
        http,
        cache,
        profiles,
        oauth,
        shared_state,
    })
}

/// `[cache]`: the report cache's size and today's time to live, or off.
fn cache_settings(
    raw: raw::RawCache,
    errors: &mut Vec<ConfigError>,
) -> Option<matomo_privacy_mcp_core::client::CacheConfig> {
    use matomo_privacy_mcp_core::client::{
        CacheConfig, DEFAULT_CACHE_BYTES, DEFAULT_CACHE_ENTRIES,
    };
    let entries = raw.max_entries.unwrap_or(DEFAULT_CACHE_ENTRIES);
    let bytes = raw.max_bytes.unwrap_or(DEFAULT_CACHE_BYTES);
    for (key, value, default) in [
        ("cache.max_entries", entries, DEFAULT_CACHE_ENTRIES),
        ("cache.max_bytes", bytes, DEFAULT_CACHE_BYTES),
    ] {
        if value == 0 {
            errors.push(ConfigError::new(
                key,
                "0 would keep nothing",
                format!("use a positive number (default {default}), or `enabled = false` under `[cache]` to turn the cache off"),
            ));
        }
    }
    if !raw.enabled.unwrap_or(true) {
        return None;
    }
    let mut config = CacheConfig::default().max_entries(entries).max_bytes(bytes);
    if let Some(seconds) = raw.today_ttl_seconds {
        config = config.today_ttl(Duration::from_secs(seconds));
    }
    Some(config)
}

fn matomo_settings(
    raw: raw::RawMatomo,
    has_profiles: bool,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<MatomoSettings> {
    let url = env("MATOMO_URL").or(raw.url);
    let url = match url {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => Some(url),
        Some(url) => {
            errors.push(ConfigError::new(
                "matomo.url (MATOMO_URL)",
                format!("`{url}` is not an http(s) URL"),
                "give the address of your Matomo, such as `https://matomo.example.com`",
            ));
            None
        }
        None => {
            errors.push(ConfigError::new(
                "matomo.url (MATOMO_URL)",
                "no Matomo URL is configured",
                "set `url` under `[matomo]` or MATOMO_URL",
            ));
            None
        }
    };
    let (token, token_file) = token(raw.token, raw.token_file, has_profiles, env, errors);
    let allowed_sites = match env("MATOMO_PRIVACY_MCP_ALLOWED_SITES") {
        Some(list) => {
            let mut sites = Vec::new();
            for item in split_list(&list) {
                match item.parse::<u32>() {
                    Ok(site) if site > 0 => sites.push(site),
                    _ => errors.push(ConfigError::new(
                        "matomo.allowed_sites (MATOMO_PRIVACY_MCP_ALLOWED_SITES)",
                        format!("`{item}` is not a site id"),
                        "list positive site ids separated by commas, such as `1,3`",
                    )),
                }
            }
            Some(sites)
        }
        None => raw.allowed_sites,
    };
    if allowed_sites
        .as_ref()
        .is_some_and(|sites| sites.is_empty() || sites.contains(&0))
    {
        errors.push(ConfigError::new(
            "matomo.allowed_sites (MATOMO_PRIVACY_MCP_ALLOWED_SITES)",
            "the list is empty or holds 0",
            "list the positive site ids to serve, or remove the key to serve every site the token can view",
        ));
    }
    let timeout = match raw.timeout_seconds {
        Some(0) => {
            errors.push(ConfigError::new(
                "matomo.timeout_seconds",
                "0 seconds leaves no time for any request",
                "use a value such as 30",
            ));
            Duration::from_secs(30)
        }
        Some(seconds) => Duration::from_secs(seconds),
        None => Duration::from_secs(30),
    };
    let allow_insecure_http = raw.allow_insecure_http.unwrap_or(false);
    if let Some(url) = &url
        && !allow_insecure_http
        && matomo_privacy_mcp_core::client::is_insecure_http(url)
    {
        errors.push(ConfigError::new(
            "matomo.url (MATOMO_URL)",
            format!("`{url}` is plain http:// to another machine, which would send the token in clear text"),
            "use https://, or, for a trusted private network only, set `allow_insecure_http = true` under `[matomo]`",
        ));
    }
    Some(MatomoSettings {
        url: url?,
        token,
        token_file,
        allowed_sites,
        allow_privileged_token: raw.allow_privileged_token.unwrap_or(false),
        allow_insecure_http,
        timeout,
    })
}

/// The top-level Matomo token and the file it came from. With profiles there must be none (each
/// profile has its own); without, there must be one.
fn token(
    inline: Option<String>,
    file: Option<String>,
    has_profiles: bool,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> (Option<Secret>, Option<PathBuf>) {
    let key = "matomo.token / matomo.token_file (MATOMO_TOKEN / MATOMO_TOKEN_FILE)";
    let (inline, file) = match (env("MATOMO_TOKEN"), env("MATOMO_TOKEN_FILE")) {
        (None, None) => (inline, file),
        from_env => from_env,
    };
    if has_profiles {
        if inline.is_some() || file.is_some() {
            errors.push(ConfigError::new(
                key,
                "with [[profiles]], each profile has its own Matomo token",
                "remove the top-level token and set each profile's `matomo_token_file`",
            ));
        }
        return (None, None);
    }
    match (inline, file) {
        (Some(_), Some(_)) => {
            errors.push(ConfigError::new(
                key,
                "both a token and a token file are given",
                "keep one of them (a file is safer)",
            ));
            (None, None)
        }
        (Some(token), None) => {
            if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
                errors.push(ConfigError::new(
                    key,
                    "the token is empty or contains spaces or control characters",
                    "copy the token exactly as Matomo shows it",
                ));
                return (None, None);
            }
            (Some(Secret::new(token)), None)
        }
        (None, Some(path)) => {
            let token = profiles::read_token(key, &path, errors);
            let file = token.is_some().then(|| PathBuf::from(path));
            (token, file)
        }
        (None, None) => {
            errors.push(ConfigError::new(key, "no Matomo token is configured", "create a view-only token in Matomo (Personal > Security > Auth tokens) and set MATOMO_TOKEN_FILE to a file holding it"));
            (None, None)
        }
    }
}

fn privacy_settings(
    raw: raw::RawPrivacy,
    ceiling: PrivacyClass,
    shared_budget: bool,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<PrivacySettings> {
    let k = match env("MATOMO_PRIVACY_MCP_THRESHOLD_K") {
        Some(text) => text.trim().parse::<u64>().ok().or_else(|| {
            errors.push(ConfigError::new(
                "privacy.threshold_k (MATOMO_PRIVACY_MCP_THRESHOLD_K)",
                format!("`{text}` is not a whole number"),
                "use a number of visitors such as 5 (the default)",
            ));
            None
        }),
        None => raw.threshold_k,
    };
    let threshold = match k.map(Threshold::new) {
        None => Threshold::default(),
        Some(Ok(threshold)) => threshold,
        Some(Err(_)) => {
            errors.push(ConfigError::new(
                "privacy.threshold_k (MATOMO_PRIVACY_MCP_THRESHOLD_K)",
                "0 would show rows of no visitors",
                "use at least 1; 5 is the default",
            ));
            Threshold::default()
        }
    };
    let key_file = env("MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE").or(raw.pseudonym_key_file);
    let pseudonym_key = match &key_file {
        Some(path) => match PseudonymKey::from_file(path) {
            Ok(key) => Some(key),
            Err(e) => {
                errors.push(ConfigError::new(
                    "privacy.pseudonym_key_file (MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE)",
                    e.to_string(),
                    "point it at a file of at least 32 random bytes",
                ));
                None
            }
        },
        None => None,
    };
    if ceiling > PrivacyClass::Aggregate && key_file.is_none() {
        errors.push(ConfigError::new(
            "privacy.pseudonym_key_file (MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE)",
            format!("the ceiling is {ceiling}, and tools above aggregate need a pseudonym key"),
            "create one with `head -c 32 /dev/urandom > pseudonym.key` and set the key, or lower the ceiling",
        ));
    }
    let allowed_query_params = raw.allowed_query_params.unwrap_or_default();
    let scrub_patterns: Vec<(String, String)> = raw
        .scrub_patterns
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.name, p.regex))
        .collect();
    let settings = PrivacySettings {
        threshold,
        pseudonym_key,
        allowed_query_params,
        scrub_patterns,
        noise: noise::noise_settings(raw.noise, shared_budget, env, errors),
    };
    if let Err(e) = settings.scrubber() {
        errors.push(ConfigError::new(
            "privacy.scrub_patterns",
            e.to_string(),
            "fix the pattern's name or regular expression",
        ));
    }
    Some(settings)
}

fn http_settings(
    raw: raw::RawHttp,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<HttpSettings> {
    let bind_text = env("MATOMO_PRIVACY_MCP_HTTP_BIND")
        .or(raw.bind)
        .unwrap_or_else(|| DEFAULT_BIND.to_owned());
    let bind = bind_text.parse::<SocketAddr>().map_err(|_| {
        errors.push(ConfigError::new(
            "http.bind (MATOMO_PRIVACY_MCP_HTTP_BIND)",
            format!("`{bind_text}` is not an address and port"),
            "use a form such as `127.0.0.1:8765`",
        ));
    });
    let key = "http.bearer_tokens / http.bearer_tokens_file (MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS / MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS_FILE)";
    let (inline, file) = match (
        env("MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS"),
        env("MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS_FILE"),
    ) {
        (None, None) => (raw.bearer_tokens, raw.bearer_tokens_file),
        (list, file) => (list.map(|l| split_list(&l)), file),
    };
    let tokens: Vec<String> = inline.unwrap_or_default();
    let mut all = tokens.clone();
    if let Some(path) = &file {
        // Read now to check it; the server reads it again whenever it changes.
        match std::fs::read_to_string(path) {
            Ok(text) => all.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_owned),
            ),
            Err(e) => errors.push(ConfigError::new(
                key,
                format!("cannot read `{path}`: {e}"),
                "point it at a readable file with one token per line",
            )),
        }
    }
    if all
        .iter()
        .any(|t| t.len() < 16 || t.chars().any(char::is_whitespace))
    {
        errors.push(ConfigError::new(
            key,
            "a bearer token is shorter than 16 characters or contains spaces",
            "use long random tokens, such as `openssl rand -hex 32`",
        ));
    }
    let max_body_bytes = raw.max_body_bytes.unwrap_or(1 << 20);
    let max_concurrent_calls = raw.max_concurrent_calls.unwrap_or(32);
    if max_body_bytes == 0 || max_concurrent_calls == 0 {
        errors.push(ConfigError::new(
            "http.max_body_bytes / http.max_concurrent_calls",
            "0 would refuse every request",
            "use positive limits (defaults: 1048576 and 32)",
        ));
    }
    let max_sessions = raw.max_sessions.unwrap_or(1000);
    if max_sessions == 0 {
        errors.push(ConfigError::new(
            "http.max_sessions",
            "0 would refuse every client",
            "use a positive limit (default: 1000)",
        ));
    }
    let read_timeout = raw.read_timeout_seconds.unwrap_or(30);
    let session_idle_timeout = raw.session_idle_timeout_seconds.unwrap_or(300);
    for (key, seconds, default) in [
        ("http.read_timeout_seconds", read_timeout, 30),
        (
            "http.session_idle_timeout_seconds",
            session_idle_timeout,
            300,
        ),
    ] {
        if seconds == 0 {
            errors.push(ConfigError::new(
                key,
                "0 seconds would cut off every client at once",
                format!("use a positive number of seconds (default: {default})"),
            ));
        }
    }
    let allowed_hosts = match env("MATOMO_PRIVACY_MCP_HTTP_ALLOWED_HOSTS") {
        Some(list) => split_list(&list),
        None => raw.allowed_hosts.unwrap_or_default(),
    };
    for host in &allowed_hosts {
        if !is_host(host) {
            errors.push(ConfigError::new(
                "http.allowed_hosts (MATOMO_PRIVACY_MCP_HTTP_ALLOWED_HOSTS)",
                format!("`{host}` is not a host name, address or `host:port`"),
                "list what clients put in the Host header, such as `mcp.example.com` or `10.0.0.5:8765`, without a scheme or path",
            ));
        }
    }
    Some(HttpSettings {
        bind: bind.ok()?,
        bearer_tokens: tokens.into_iter().map(Secret::new).collect(),
        bearer_tokens_file: file.map(PathBuf::from),
        allowed_origins: raw.allowed_origins.unwrap_or_default(),
        allowed_hosts,
        public_url: oauth::public_url(raw.public_url, env, errors),
        max_body_bytes,
        max_concurrent_calls,
        read_timeout: Duration::from_secs(read_timeout),
        max_sessions,
        session_idle_timeout: Duration::from_secs(session_idle_timeout),
    })
}

/// A `Host` header value: a name or IPv4 address, or a bracketed IPv6 address, with an
/// optional port; no scheme, path or spaces.
fn is_host(text: &str) -> bool {
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && !text.ends_with(']') => (host, Some(port)),
        _ => (text, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        inner.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    port_ok && host_ok
}

fn parse_bool(key: &str, value: &str, errors: &mut Vec<ConfigError>) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        other => {
            errors.push(ConfigError::new(
                key,
                format!("`{other}` is not a boolean"),
                "use `true` or `false`",
            ));
            None
        }
    }
}

fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests;
