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
mod http;
mod keys;
mod matomo;
mod noise;
mod oauth;
mod privacy;
mod profiles;
mod raw;
mod secret;
mod shared_state;
mod state_dir;
mod type_words;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use error::{ConfigError, ConfigErrors};
pub use http::HttpSettings;
use http::http_settings;
pub use matomo::MatomoSettings;
use matomo::matomo_settings;
pub use noise::NoiseSettings;
pub use oauth::OAuthSettings;
use privacy::privacy_settings;
pub use privacy::{AuditTarget, PrivacySettings};
pub use profiles::{OAuthRule, ProfileSettings, RateLimitSettings, token_from_file};
pub use secret::Secret;
pub use shared_state::{DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS, SharedStateSettings};
pub use state_dir::{BUDGET_FILE_NAME, STATE_DIR_NAME, default_state_dir};

use raw::RawConfig;

use matomo_privacy_mcp_core::privacy::PrivacyClass;

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
    let ceiling = ceiling_text
        .and_then(|text| {
            parse_ceiling(
                "ceiling (MATOMO_PRIVACY_MCP_CEILING)",
                &text,
                "use `aggregate` (the default), `pseudonymous` or `identifying`",
                errors,
            )
        })
        .unwrap_or(PrivacyClass::Aggregate);
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

/// `text` as a ceiling; `None` after adding the mistake, under `key` with `fix`, to `errors`.
/// The top level and each profile word the problem alike; only the fix differs (a profile has no
/// default of its own to name).
fn parse_ceiling(
    key: &str,
    text: &str,
    fix: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<PrivacyClass> {
    match text.parse() {
        Ok(class) => Some(class),
        Err(_) => {
            errors.push(ConfigError::new(
                key,
                format!("`{text}` is not a privacy class"),
                fix,
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
