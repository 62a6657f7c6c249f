//! The `[http]` section: where the Streamable HTTP server listens and what it lets in.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use matomo_privacy_mcp_server::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_SESSIONS, DEFAULT_READ_TIMEOUT,
    DEFAULT_SESSION_IDLE_TIMEOUT,
};

use super::*;

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

pub(super) fn http_settings(
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
    // The server's own defaults, so that an operator who sets nothing gets what the server
    // documents.
    let max_body_bytes = raw.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
    let max_concurrent_calls = raw.max_concurrent_calls.unwrap_or(DEFAULT_MAX_IN_FLIGHT);
    if max_body_bytes == 0 || max_concurrent_calls == 0 {
        let defaults = format!("{DEFAULT_MAX_BODY_BYTES} and {DEFAULT_MAX_IN_FLIGHT}");
        errors.push(ConfigError::new(
            "http.max_body_bytes / http.max_concurrent_calls",
            "0 would refuse every request",
            format!("use positive limits (defaults: {defaults})"),
        ));
    }
    let max_sessions = raw.max_sessions.unwrap_or(DEFAULT_MAX_SESSIONS);
    if max_sessions == 0 {
        errors.push(ConfigError::new(
            "http.max_sessions",
            "0 would refuse every client",
            format!("use a positive limit (default: {DEFAULT_MAX_SESSIONS})"),
        ));
    }
    let read_timeout = raw
        .read_timeout_seconds
        .map_or(DEFAULT_READ_TIMEOUT, Duration::from_secs);
    let session_idle_timeout = raw
        .session_idle_timeout_seconds
        .map_or(DEFAULT_SESSION_IDLE_TIMEOUT, Duration::from_secs);
    for (key, timeout, default) in [
        (
            "http.read_timeout_seconds",
            read_timeout,
            DEFAULT_READ_TIMEOUT,
        ),
        (
            "http.session_idle_timeout_seconds",
            session_idle_timeout,
            DEFAULT_SESSION_IDLE_TIMEOUT,
        ),
    ] {
        if timeout.is_zero() {
            errors.push(ConfigError::new(
                key,
                "0 seconds would cut off every client at once",
                format!(
                    "use a positive number of seconds (default: {})",
                    default.as_secs()
                ),
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
        read_timeout,
        max_sessions,
        session_idle_timeout,
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
