//! What an operator configures to accept OAuth access tokens, and the checks made on it.

use std::net::IpAddr;
use std::time::Duration;

use url::{Host, Url};

use crate::setters::setters;

/// The default clock skew tolerated on `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The largest leeway accepted: more would let expired tokens in for long.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);

/// The default time an HTTP request to the authorization server may take, connection included.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// The default age after which cached signing keys are fetched again on next use, so that a key
/// the authorization server withdrew stops being accepted.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(300);

/// The default shortest time between two key fetches: tokens naming unknown keys, however many,
/// make the server ask the authorization server at most this often.
pub const DEFAULT_JWKS_MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// An asymmetric JWS algorithm an access token may be signed with.
///
/// Only public-key algorithms exist here: `none` and the HMAC family (`HS256`…) cannot be
/// configured, because a resource server holding a shared secret could mint tokens itself, and
/// an `alg: HS256` token checked against a public key is the classic algorithm-confusion attack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(clippy::upper_case_acronyms)] // The names are the JOSE registry's (RFC 7518).
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: what most authorization servers sign with.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// EdDSA on Ed25519.
    EdDSA,
}

impl SigningAlgorithm {
    /// Every algorithm this crate can verify.
    pub const ALL: [Self; 9] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
    ];

    /// The name in a JWS header's `alg` and in a JWK's `alg`.
    pub fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
        }
    }

    /// The algorithm named `name` (case-sensitive, as in JOSE), if it is one of ours.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    pub(super) fn to_jwt(self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as A;
        match self {
            Self::RS256 => A::RS256,
            Self::RS384 => A::RS384,
            Self::RS512 => A::RS512,
            Self::PS256 => A::PS256,
            Self::PS384 => A::PS384,
            Self::PS512 => A::PS512,
            Self::ES256 => A::ES256,
            Self::ES384 => A::ES384,
            Self::EdDSA => A::EdDSA,
        }
    }
}

impl std::fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How this server trusts an OAuth 2.1 authorization server: whose tokens, meant for whom,
/// checked with which keys.
///
/// Only [`issuer`](Self::issuer) and [`resource`](Self::resource) have no default: accepting
/// tokens from an issuer nobody named, or meant for another service, is how token replay
/// between services starts.
///
/// ```
/// use matomo_privacy_mcp_server::OAuthConfig;
///
/// let config = OAuthConfig::new("https://auth.example.com", "https://mcp.example.com/mcp");
/// assert_eq!(config.leeway.as_secs(), 60);
/// assert!(config.jwks_uri.is_none()); // discovered from the issuer's metadata
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct OAuthConfig {
    /// The authorization server's issuer identifier; a token's `iss` must equal it character for
    /// character (a string, not a parsed URL, because `https://as.example` and
    /// `https://as.example/` are two different issuers to RFC 8414, and a URL type cannot tell them
    /// apart). `https`, or `http` to a loopback host (see
    /// [`allow_insecure_http`](Self::allow_insecure_http)); no query, no fragment.
    pub issuer: String,
    /// This server's resource identifier (RFC 8707, RFC 9728), usually its MCP endpoint URL; a
    /// token's `aud` must contain it, so that a token minted for another service is useless here.
    pub resource: String,
    /// Where the signing keys are published. `None` (the default): read `jwks_uri` from the
    /// issuer's metadata, at `/.well-known/oauth-authorization-server` (RFC 8414), else at
    /// `/.well-known/openid-configuration` (OpenID Connect Discovery), in the order the MCP
    /// authorization specification gives.
    pub jwks_uri: Option<Url>,
    /// Clock skew tolerated on `exp` and `nbf`. Default [`DEFAULT_LEEWAY`]; at most
    /// [`MAX_LEEWAY`].
    pub leeway: Duration,
    /// Algorithms a token may be signed with. Default `RS256` and `ES256`, the ones
    /// authorization servers use; list more only if yours signs with them.
    pub allowed_algorithms: Vec<SigningAlgorithm>,
    /// Whether the issuer and the key set may be fetched over plain `http` from a host that is
    /// not loopback. Default `false`: keys fetched over plain http can be replaced by anyone on
    /// the path, who can then mint tokens. Loopback (`localhost`, `127.0.0.0/8`, `[::1]`) is
    /// always allowed, for development and tests.
    pub allow_insecure_http: bool,
    /// The time one request to the authorization server may take. Default
    /// [`DEFAULT_HTTP_TIMEOUT`].
    pub http_timeout: Duration,
    /// Age after which cached keys are fetched again on next use. Default
    /// [`DEFAULT_JWKS_MAX_AGE`]. If that fetch fails, the cached keys stay in use.
    pub jwks_max_age: Duration,
    /// The shortest time between two key fetches. Default
    /// [`DEFAULT_JWKS_MIN_REFRESH_INTERVAL`]. A token naming a key the cache lacks triggers a
    /// fetch only if the last one is at least this old; otherwise it is refused as
    /// [`UnknownKey`](super::TokenRejection::UnknownKey).
    pub jwks_min_refresh_interval: Duration,
}

impl OAuthConfig {
    /// A configuration trusting `issuer` for tokens meant for `resource`, with the defaults.
    pub fn new(issuer: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            resource: resource.into(),
            jwks_uri: None,
            leeway: DEFAULT_LEEWAY,
            allowed_algorithms: vec![SigningAlgorithm::RS256, SigningAlgorithm::ES256],
            allow_insecure_http: false,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            jwks_max_age: DEFAULT_JWKS_MAX_AGE,
            jwks_min_refresh_interval: DEFAULT_JWKS_MIN_REFRESH_INTERVAL,
        }
    }

    setters! {
        /// Uses this key set instead of discovering it.
        pub fn with_jwks_uri(jwks_uri: Url) { jwks_uri = Some(jwks_uri) }

        /// Sets the clock skew tolerated on `exp` and `nbf`.
        pub fn with_leeway(leeway: Duration) { leeway = leeway }

        /// Sets the algorithms a token may be signed with.
        pub fn with_allowed_algorithms(algorithms: Vec<SigningAlgorithm>) {
            allowed_algorithms = algorithms
        }

        /// Allows plain `http` to non-loopback hosts (see the field).
        pub fn with_allow_insecure_http(allow: bool) { allow_insecure_http = allow }

        /// Sets the time one request to the authorization server may take.
        pub fn with_http_timeout(timeout: Duration) { http_timeout = timeout }

        /// Sets the age after which cached keys are fetched again.
        pub fn with_jwks_max_age(max_age: Duration) { jwks_max_age = max_age }

        /// Sets the shortest time between two key fetches.
        pub fn with_jwks_min_refresh_interval(interval: Duration) {
            jwks_min_refresh_interval = interval
        }
    }

    /// Checks every setting; returns the parsed issuer.
    pub(super) fn check(&self) -> Result<Url, OAuthConfigError> {
        let invalid = |key, reason: String| OAuthConfigError::Invalid { key, reason };
        let issuer = Url::parse(&self.issuer).map_err(|error| {
            invalid(
                "issuer",
                format!("`{}` is not an absolute URL: {error}", self.issuer),
            )
        })?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(invalid(
                "issuer",
                "an issuer identifier has no query and no fragment (RFC 8414)".into(),
            ));
        }
        if !issuer.username().is_empty() || issuer.password().is_some() {
            return Err(invalid(
                "issuer",
                "an issuer identifier carries no user name or password".into(),
            ));
        }
        check_fetchable(&issuer, self.allow_insecure_http).map_err(|r| invalid("issuer", r))?;
        if let Some(jwks_uri) = &self.jwks_uri {
            check_fetchable(jwks_uri, self.allow_insecure_http)
                .map_err(|r| invalid("jwks_uri", r))?;
        }
        let resource = Url::parse(&self.resource).map_err(|error| {
            invalid(
                "resource",
                format!(
                    "`{}` is not an absolute URI: {error}; use this server's MCP endpoint URL",
                    self.resource
                ),
            )
        })?;
        if resource.fragment().is_some() {
            return Err(invalid(
                "resource",
                "a resource identifier has no fragment (RFC 8707)".into(),
            ));
        }
        if self.allowed_algorithms.is_empty() {
            return Err(invalid(
                "allowed_algorithms",
                "no algorithm is allowed, so no token could ever be accepted; list at least one, \
                 such as RS256"
                    .into(),
            ));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(invalid(
                "leeway",
                format!(
                    "{} s is more than the {} s allowed; a clock that far off needs fixing (NTP), \
                     not a longer grace for expired tokens",
                    self.leeway.as_secs(),
                    MAX_LEEWAY.as_secs()
                ),
            ));
        }
        if self.http_timeout.is_zero() {
            return Err(invalid(
                "http_timeout",
                "zero would fail every fetch; a few seconds fit".into(),
            ));
        }
        Ok(issuer)
    }
}

/// Whether the server may fetch from `url`: `https`, or `http` to loopback or when allowed.
pub(super) fn check_fetchable(url: &Url, allow_insecure_http: bool) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || is_loopback(url) => Ok(()),
        "http" => Err(format!(
            "`{url}` is plain http to a host that is not loopback, so anyone on the path could \
             replace the signing keys; use https (or set allow_insecure_http on a trusted network)"
        )),
        other => Err(format!("`{url}` has scheme `{other}`; use https")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(address)) => IpAddr::V4(address).is_loopback(),
        Some(Host::Ipv6(address)) => IpAddr::V6(address).is_loopback(),
        None => false,
    }
}

/// An OAuth configuration that cannot work; the message says which setting and what would fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthConfigError {
    /// A setting is invalid.
    #[error("OAuth setting `{key}` is invalid: {reason}")]
    Invalid {
        /// The [`OAuthConfig`] field.
        key: &'static str,
        /// What is wrong and what would fit.
        reason: String,
    },
    /// The HTTP client or the signature backend could not be set up.
    #[error("cannot set up OAuth token validation: {0}")]
    Setup(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(config: &OAuthConfig) -> Result<Url, String> {
        config.check().map_err(|error| error.to_string())
    }

    #[test]
    fn defaults_are_safe_and_valid() {
        let config = OAuthConfig::new("https://as.example", "https://mcp.example/mcp");
        assert_eq!(
            config.allowed_algorithms,
            [SigningAlgorithm::RS256, SigningAlgorithm::ES256]
        );
        assert!(!config.allow_insecure_http);
        assert!(check(&config).is_ok());
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        for issuer in [
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://127.9.9.9",
            "http://[::1]:9",
        ] {
            let config = OAuthConfig::new(issuer, "https://mcp.example/mcp");
            assert!(check(&config).is_ok(), "{issuer}");
        }
        let config = OAuthConfig::new("http://as.example", "https://mcp.example/mcp");
        assert!(check(&config).unwrap_err().contains("plain http"));
        assert!(check(&config.with_allow_insecure_http(true)).is_ok());
        let config = OAuthConfig::new("https://as.example", "https://mcp.example/mcp")
            .with_jwks_uri(Url::parse("http://10.0.0.1/jwks").unwrap());
        assert!(check(&config).unwrap_err().contains("jwks_uri"));
        let config = OAuthConfig::new("ftp://as.example", "https://mcp.example/mcp");
        assert!(check(&config).unwrap_err().contains("scheme `ftp`"));
    }

    #[test]
    fn bad_settings_are_named() {
        let base = OAuthConfig::new("https://as.example", "https://mcp.example/mcp");
        let cases = [
            (
                OAuthConfig::new("as.example", "https://mcp.example/mcp"),
                "`issuer`",
            ),
            (
                OAuthConfig::new("https://as.example/?a=b", "https://mcp.example/mcp"),
                "`issuer`",
            ),
            (
                OAuthConfig::new("https://u:p@as.example", "https://mcp.example/mcp"),
                "`issuer`",
            ),
            (OAuthConfig::new("https://as.example", "mcp"), "`resource`"),
            (
                OAuthConfig::new("https://as.example", "https://mcp.example/#x"),
                "`resource`",
            ),
            (
                base.clone().with_allowed_algorithms(vec![]),
                "`allowed_algorithms`",
            ),
            (
                base.clone().with_leeway(Duration::from_secs(301)),
                "`leeway`",
            ),
            (
                base.clone().with_http_timeout(Duration::ZERO),
                "`http_timeout`",
            ),
        ];
        for (config, key) in cases {
            assert!(check(&config).unwrap_err().contains(key), "{config:?}");
        }
    }

    #[test]
    fn algorithm_names_round_trip() {
        for alg in SigningAlgorithm::ALL {
            assert_eq!(SigningAlgorithm::from_name(alg.name()), Some(alg));
        }
        for name in ["none", "HS256", "rs256", "", "ES512"] {
            assert_eq!(SigningAlgorithm::from_name(name), None, "{name}");
        }
    }
}
