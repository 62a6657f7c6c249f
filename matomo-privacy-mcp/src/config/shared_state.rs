//! `[shared_state]`: the Redis (or Valkey) that replicas behind a load balancer share, for the
//! report cache, the privacy budget and the rate limits. Without the section every process keeps
//! its own.
//!
//! The store holds analytics data, so a password is required (from a file, like the Matomo
//! token; a URL with a password only through the environment, never in the file), and the URL is
//! shown nowhere with its password.

use std::path::PathBuf;
use std::time::Duration;

use matomo_privacy_mcp_core::RedactedDebug;

use super::error::ConfigError;
use super::raw::RawSharedState;
use super::secret::Secret;

/// The default key prefix (`shared_state.prefix`).
pub const DEFAULT_PREFIX: &str = "matomo-privacy-mcp:";
/// The default deadline of one Redis operation, in milliseconds (`shared_state.timeout_ms`).
pub const DEFAULT_TIMEOUT_MS: u64 = 500;
/// The longest deadline accepted.
pub const MAX_TIMEOUT_MS: u64 = 10_000;

const URL_KEY: &str = "shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)";
const PASSWORD_KEY: &str =
    "shared_state.password_file (MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE)";
const URL_FORM: &str = "give `redis://host:port/db`, or `rediss://host:port/db` for TLS, such as `rediss://redis.internal:6380/0`";

/// Where the replicas' shared state is (`[shared_state]`).
#[derive(Clone, PartialEq, Eq, RedactedDebug)]
pub struct SharedStateSettings {
    /// The URL as given (`shared_state.url`, `MATOMO_PRIVACY_MCP_SHARED_STATE_URL`); it holds a password
    /// when the environment gave one.
    #[redact]
    url: Secret,
    /// The URL without any password: what messages, `check` and the manifest show.
    pub location: String,
    /// Whether the connection uses TLS (`rediss://`).
    pub tls: bool,
    /// The password from `password_file`.
    #[redact]
    password: Option<Secret>,
    /// The file the password came from (`shared_state.password_file`,
    /// `MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE`).
    pub password_file: Option<PathBuf>,
    /// Whether Redis is reached with a password (from the file or the environment's URL).
    pub authenticated: bool,
    /// The prefix of every key (`shared_state.prefix`; default `matomo-privacy-mcp:`).
    pub prefix: String,
    /// The deadline of one operation (`shared_state.timeout_ms`; default 500 ms).
    pub timeout: Duration,
    /// Connect without a password (`shared_state.allow_without_password`; default `false`).
    pub allow_without_password: bool,
    /// The certificate authority (PEM) a `rediss://` server's certificate must be signed by,
    /// from `shared_state.ca_file`; the system's roots without it.
    #[redact]
    pub ca_certificate: Option<Vec<u8>>,
}

impl SharedStateSettings {
    /// The URL to connect to; it may hold a password, so it is a secret.
    pub fn connect_url(&self) -> &Secret {
        &self.url
    }

    /// The password from `password_file`, when one was given.
    pub fn password(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    /// Whether the host is this machine (plain `redis://` to another one sends the password and
    /// the data in clear text).
    pub fn is_loopback(&self) -> bool {
        // `redis://` is not a special scheme to the URL parser: its host is kept as text.
        url::Url::parse(&self.location).is_ok_and(|url| {
            let host = url.host_str().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        })
    }
}

/// `[shared_state]` and its environment variables, checked; `None` when neither is given.
pub(super) fn shared_state_settings(
    raw: Option<RawSharedState>,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<SharedStateSettings> {
    let env_url = env("MATOMO_PRIVACY_MCP_SHARED_STATE_URL");
    let env_password_file = env("MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE");
    if raw.is_none() && env_url.is_none() && env_password_file.is_none() {
        return None;
    }
    let raw = raw.unwrap_or_default();
    let before = errors.len();
    let from_env = env_url.is_some();
    let url_text = env_url.or(raw.url);
    let password_file = env_password_file.or(raw.password_file);
    let allow_without_password = raw.allow_without_password.unwrap_or(false);
    let url = match &url_text {
        Some(text) => parse_url(text, from_env, password_file.is_some(), errors),
        None => {
            errors.push(ConfigError::new(
                URL_KEY,
                "the shared state has no Redis URL",
                format!(
                    "set `url` under `[shared_state]` or MATOMO_PRIVACY_MCP_SHARED_STATE_URL ({URL_FORM}), or remove `[shared_state]` to keep the state in each process"
                ),
            ));
            None
        }
    };
    let password = password_file
        .as_deref()
        .and_then(|path| read_password(path, errors));
    let url_has_password = url.as_ref().is_some_and(|u| u.password().is_some());
    if url.is_some() && password_file.is_none() && !url_has_password && !allow_without_password {
        errors.push(ConfigError::new(
            PASSWORD_KEY,
            "the shared state will hold cached reports and privacy-budget ledgers, and no Redis password is given",
            "require a password in Redis (`requirepass`, or an ACL user) and set `password_file` under `[shared_state]` to a file holding it; only for a Redis that nothing else can reach, set `allow_without_password = true` there",
        ));
    }
    let prefix = raw.prefix.unwrap_or_else(|| DEFAULT_PREFIX.to_owned());
    if prefix.is_empty() || prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        errors.push(ConfigError::new(
            "shared_state.prefix",
            "the key prefix is empty or contains spaces or control characters",
            format!(
                "use a short name ending in `:` such as `{DEFAULT_PREFIX}` (the default), one per deployment sharing the Redis"
            ),
        ));
    }
    let timeout_ms = raw.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
    if !(1..=MAX_TIMEOUT_MS).contains(&timeout_ms) {
        errors.push(ConfigError::new(
            "shared_state.timeout_ms",
            format!("{timeout_ms} ms is not a usable deadline for one Redis operation"),
            format!(
                "use 1 to {MAX_TIMEOUT_MS} milliseconds ({DEFAULT_TIMEOUT_MS}, the default, suits a Redis in the same network)"
            ),
        ));
    }
    let ca_certificate = raw.ca_file.as_deref().and_then(|path| match std::fs::read(path) {
        Ok(pem) if String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") => Some(pem),
        Ok(_) => {
            errors.push(ConfigError::new(
                "shared_state.ca_file",
                format!("`{path}` holds no PEM certificate"),
                "give the file of the certificate authority that signed the Redis server's certificate, in PEM (`-----BEGIN CERTIFICATE-----`)",
            ));
            None
        }
        Err(e) => {
            errors.push(ConfigError::new(
                "shared_state.ca_file",
                format!("`{path}` cannot be read: {e}"),
                "give the path of the certificate authority's PEM file, readable by the server",
            ));
            None
        }
    });
    if ca_certificate.is_some() && url.as_ref().is_some_and(|u| u.scheme() != "rediss") {
        errors.push(ConfigError::new(
            "shared_state.ca_file",
            "a certificate authority is given for a `redis://` URL, which does not use TLS",
            "use `rediss://` in `shared_state.url` for TLS, or remove `ca_file`",
        ));
    }
    #[cfg(not(feature = "redis"))]
    errors.push(ConfigError::new(
        "shared_state",
        "this matomo-privacy-mcp was built without the `redis` feature, so it cannot share state between replicas",
        "use a build with the feature (the default one, such as `cargo install matomo-privacy-mcp`), or remove `[shared_state]` and MATOMO_PRIVACY_MCP_SHARED_STATE_URL to keep the state in each process",
    ));
    let (Some(text), Some(mut url)) = (url_text, url) else {
        return None;
    };
    if errors.len() > before {
        return None;
    }
    let tls = url.scheme() == "rediss";
    // Cannot fail for a URL with a host (checked above).
    let _ = url.set_password(None);
    Some(SharedStateSettings {
        url: Secret::new(text),
        location: url.to_string(),
        tls,
        authenticated: password.is_some() || url_has_password,
        password,
        password_file: password_file.map(PathBuf::from),
        prefix,
        timeout: Duration::from_millis(timeout_ms),
        allow_without_password,
        ca_certificate,
    })
}

/// The Redis URL, checked. Messages never repeat it: it may hold a password.
fn parse_url(
    text: &str,
    from_env: bool,
    has_password_file: bool,
    errors: &mut Vec<ConfigError>,
) -> Option<url::Url> {
    let mut problem = |problem: String, fix: &str| {
        errors.push(ConfigError::new(URL_KEY, problem, fix));
        None
    };
    let Ok(url) = url::Url::parse(text) else {
        return problem("the value is not a URL".to_owned(), URL_FORM);
    };
    if !matches!(url.scheme(), "redis" | "rediss") {
        return problem(
            format!("`{}://` is not a Redis URL", url.scheme()),
            URL_FORM,
        );
    }
    if url.host().is_none() {
        return problem("the URL has no host".to_owned(), URL_FORM);
    }
    let database = url.path().trim_start_matches('/');
    if !database.is_empty() && database.parse::<u16>().is_err() {
        return problem(
            "the URL's path is not a database number".to_owned(),
            "end the URL with the database number, such as `/0`",
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return problem(
            "the URL has a query or a fragment (`#insecure` would turn off the check of Redis's TLS certificate)".to_owned(),
            "end the URL with the database number, such as `rediss://redis.internal:6380/0`",
        );
    }
    if url.password().is_some() {
        if !from_env {
            return problem(
                "the URL holds a password, which would sit in the configuration file".to_owned(),
                "put the password in a file and set `password_file` under `[shared_state]` (a user name may stay in the URL), or give the whole URL in MATOMO_PRIVACY_MCP_SHARED_STATE_URL",
            );
        }
        if has_password_file {
            return problem(
                "both the URL and the password file give a password".to_owned(),
                "keep one of them: remove the password from MATOMO_PRIVACY_MCP_SHARED_STATE_URL, or unset `password_file`",
            );
        }
    }
    Some(url)
}

/// The password in `path`, without surrounding white space, or why it cannot be one (never the
/// file's content).
fn read_password(path: &str, errors: &mut Vec<ConfigError>) -> Option<Secret> {
    let problem = match std::fs::read_to_string(path) {
        Ok(text) => {
            let value = text.trim();
            if !value.is_empty() && !value.chars().any(char::is_control) {
                return Some(Secret::new(value));
            }
            format!("the password file `{path}` is empty or holds control characters")
        }
        Err(e) => format!("cannot read the password file `{path}`: {e}"),
    };
    errors.push(ConfigError::new(
        PASSWORD_KEY,
        problem,
        "point it at a readable file holding only Redis's password",
    ));
    None
}
