//! The `[matomo]` section: where Matomo is, the token and how it is read, what it may do.

use std::path::PathBuf;
use std::time::Duration;

use matomo_privacy_mcp_core::client::{DEFAULT_MAX_CONCURRENT_REQUESTS, RequestLimit};

pub use error::ConfigError;
pub use secret::Secret;

/// The validated configuration.
use super::*;

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
    /// Most requests in flight to Matomo at once, for every profile of the process together
    /// (`matomo.max_concurrent_requests`, `MATOMO_MAX_CONCURRENT_REQUESTS`; default
    /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`], 4).
    pub max_concurrent_requests: usize,
}

/// The key and variable of the cap on requests in flight, as errors name them.
const MAX_CONCURRENT_REQUESTS: &str =
    "matomo.max_concurrent_requests (MATOMO_MAX_CONCURRENT_REQUESTS)";

/// The cap on requests in flight to Matomo: the variable, else the file, else the default.
fn requests_in_flight(
    raw: Option<u32>,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> usize {
    let asked = match env("MATOMO_MAX_CONCURRENT_REQUESTS") {
        Some(text) => text.trim().parse::<u32>().ok().or_else(|| {
            errors.push(ConfigError::new(
                MAX_CONCURRENT_REQUESTS,
                format!("`{text}` is not a whole number"),
                format!("use a number of requests such as {DEFAULT_MAX_CONCURRENT_REQUESTS} (the default)"),
            ));
            None
        }),
        None => raw,
    };
    let Some(asked) = asked else {
        return DEFAULT_MAX_CONCURRENT_REQUESTS;
    };
    match usize::try_from(asked) {
        Ok(max) if RequestLimit::new(max).is_ok() => max,
        _ => {
            errors.push(ConfigError::new(
                MAX_CONCURRENT_REQUESTS,
                format!("{asked} requests at once cannot be used ({})", if asked == 0 { "none would ever be sent" } else { "more than can be counted" }),
                format!("use at least 1, at most the PHP workers Matomo can spare (php-fpm's `pm.max_children`); {DEFAULT_MAX_CONCURRENT_REQUESTS} is the default"),
            ));
            DEFAULT_MAX_CONCURRENT_REQUESTS
        }
    }
}

pub(super) fn matomo_settings(
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
    let max_concurrent_requests = requests_in_flight(raw.max_concurrent_requests, env, errors);
    Some(MatomoSettings {
        url: url?,
        token,
        token_file,
        allowed_sites,
        allow_privileged_token: raw.allow_privileged_token.unwrap_or(false),
        allow_insecure_http,
        timeout,
        max_concurrent_requests,
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
