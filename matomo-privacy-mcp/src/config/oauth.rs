//! `[oauth]`: OAuth 2.1 resource-server mode for the HTTP transport, and `http.public_url`,
//! the address clients know this server by (the resource identifier tokens must be meant for).

use std::time::Duration;

use super::error::ConfigError;
use super::raw::RawOAuth;

/// How access tokens are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthSettings {
    /// The authorization server (`oauth.issuer`, `MATOMO_PRIVACY_MCP_OAUTH_ISSUER`): tokens' `iss` must be
    /// exactly this, and its keys are discovered from its metadata.
    pub issuer: String,
    /// This server's resource identifier: `http.public_url`. Tokens' `aud` must hold it.
    pub resource: String,
    /// The key set's address, when discovery should be skipped (`oauth.jwks_uri`).
    pub jwks_uri: Option<url::Url>,
    /// Clock leeway for `exp` and `nbf` (`oauth.leeway_seconds`; default 60, at most 300).
    pub leeway: Duration,
    /// Allow plain `http://` to an authorization server on another machine
    /// (`oauth.allow_insecure_http`; loopback is always allowed).
    pub allow_insecure_http: bool,
}

/// `http.public_url` (`MATOMO_PRIVACY_MCP_HTTP_PUBLIC_URL`): an absolute http(s) URL with a host.
pub(super) fn public_url(
    raw: Option<String>,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<String> {
    let text = env("MATOMO_PRIVACY_MCP_HTTP_PUBLIC_URL").or(raw)?;
    match url::Url::parse(&text) {
        Ok(url)
            if matches!(url.scheme(), "https" | "http")
                && url.host().is_some()
                && url.query().is_none()
                && url.fragment().is_none() =>
        {
            Some(text)
        }
        _ => {
            errors.push(ConfigError::new(
                "http.public_url (MATOMO_PRIVACY_MCP_HTTP_PUBLIC_URL)",
                format!("`{text}` is not the URL of an MCP endpoint"),
                "give the address clients reach the endpoint by, such as `https://mcp.example.com/mcp` (no query, no fragment)",
            ));
            None
        }
    }
}

/// `[oauth]`, checked; `None` when no issuer is configured (OAuth off).
pub(super) fn oauth_settings(
    raw: RawOAuth,
    public_url: Option<&str>,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<OAuthSettings> {
    let issuer = env("MATOMO_PRIVACY_MCP_OAUTH_ISSUER").or(raw.issuer)?;
    let issuer_ok = url::Url::parse(&issuer)
        .is_ok_and(|url| matches!(url.scheme(), "https" | "http") && url.host().is_some());
    if !issuer_ok {
        errors.push(ConfigError::new(
            "oauth.issuer (MATOMO_PRIVACY_MCP_OAUTH_ISSUER)",
            format!("`{issuer}` is not an authorization server's URL"),
            "give the issuer exactly as the authorization server's metadata names it, such as `https://auth.example.com`",
        ));
    }
    let Some(resource) = public_url else {
        errors.push(ConfigError::new(
            "http.public_url (MATOMO_PRIVACY_MCP_HTTP_PUBLIC_URL)",
            "OAuth needs this server's public URL: access tokens must be meant for it",
            "set it to the address clients use, such as `https://mcp.example.com/mcp`",
        ));
        return None;
    };
    let jwks_uri = match raw.jwks_uri {
        None => None,
        Some(text) => match url::Url::parse(&text) {
            Ok(url) => Some(url),
            Err(_) => {
                errors.push(ConfigError::new(
                    "oauth.jwks_uri",
                    format!("`{text}` is not a URL"),
                    "give the authorization server's JWKS address, or remove the key to discover it",
                ));
                None
            }
        },
    };
    let leeway = match raw.leeway_seconds {
        None => Duration::from_secs(60),
        Some(seconds) if seconds <= 300 => Duration::from_secs(seconds),
        Some(seconds) => {
            errors.push(ConfigError::new(
                "oauth.leeway_seconds",
                format!("{seconds} s would accept tokens long expired"),
                "use at most 300 (default 60)",
            ));
            Duration::from_secs(60)
        }
    };
    issuer_ok.then(|| OAuthSettings {
        issuer,
        resource: resource.to_owned(),
        jwks_uri,
        leeway,
        allow_insecure_http: raw.allow_insecure_http.unwrap_or(false),
    })
}
